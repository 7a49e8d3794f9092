//! Bad input to the `tend` command line: each case gets one clear sentence, a non-zero exit and no panic.

use std::path::Path;
use std::process::{Command, Output};

use crate::support::tiny;

fn tend(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tend"));
    cmd.args(args).env_remove("TEND_MODEL").env("TEND_CONFIG", "/nonexistent/tend.toml");
    cmd.stdin(std::process::Stdio::piped()).stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().expect("run tend");
    {
        use std::io::Write;
        let mut pipe = child.stdin.take().expect("stdin");
        pipe.write_all(stdin.unwrap_or_default()).expect("write stdin");
    }
    child.wait_with_output().expect("tend finishes")
}

/// A GGUF header written by hand: version 3, the given metadata strings, and tensors as (name, dims, type, offset).
fn raw_gguf(metadata: &[(&str, &str)], tensors: &[(&str, &[u64], u32, u64)], counts: Option<(u64, u64)>) -> Vec<u8> {
    let mut b = Vec::new();
    let string = |b: &mut Vec<u8>, s: &str| {
        b.extend((s.len() as u64).to_le_bytes());
        b.extend(s.as_bytes());
    };
    b.extend(b"GGUF");
    b.extend(3u32.to_le_bytes());
    let (tc, kc) = counts.unwrap_or((tensors.len() as u64, metadata.len() as u64));
    b.extend(tc.to_le_bytes());
    b.extend(kc.to_le_bytes());
    for (k, v) in metadata {
        string(&mut b, k);
        b.extend(8u32.to_le_bytes());
        string(&mut b, v);
    }
    for (name, dims, ty, offset) in tensors {
        string(&mut b, name);
        b.extend((dims.len() as u32).to_le_bytes());
        for d in *dims {
            b.extend(d.to_le_bytes());
        }
        b.extend(ty.to_le_bytes());
        b.extend(offset.to_le_bytes());
    }
    while b.len() % 32 != 0 {
        b.push(0);
    }
    b.extend([0u8; 128]);
    b
}

struct Case {
    name: &'static str,
    /// Writes the files the case needs into the folder and returns the arguments.
    setup: fn(&Path) -> Vec<String>,
    stdin: &'static [u8],
    expect: &'static [&'static str],
}

fn model_case(dir: &Path, bytes: Vec<u8>) -> Vec<String> {
    let model = dir.join("model.gguf");
    std::fs::write(&model, bytes).expect("write model");
    let input = dir.join("in.txt");
    std::fs::write(&input, "AM call. J ate porridge.").expect("write input");
    vec!["draft".into(), "--input".into(), input.display().to_string(), "--model".into(), model.display().to_string()]
}

fn tiny_bytes() -> Vec<u8> {
    std::fs::read(tiny::model("llama")).expect("tiny model")
}

const CASES: &[Case] = &[
    Case {
        name: "input file missing",
        setup: |dir| vec!["draft".into(), "--input".into(), dir.join("nope.txt").display().to_string()],
        stdin: b"",
        expect: &["cannot read the input file", "No such file"],
    },
    Case { name: "empty input", setup: |_| vec!["draft".into()], stdin: b"", expect: &["input is empty"] },
    Case {
        // Refused before any model is looked for (there is none here), and /dev/zero is not read to the end.
        name: "endless input",
        setup: |_| vec!["draft".into(), "--input".into(), "/dev/zero".into()],
        stdin: b"",
        expect: &["longer than 256 KB", "one visit, shift or meeting"],
    },
    Case {
        name: "checks of an endless text",
        setup: |_| vec!["check".into(), "--source".into(), "/dev/zero".into(), "--draft".into(), "/dev/zero".into()],
        stdin: b"",
        expect: &["longer than 256 KB"],
    },
    Case { name: "white space only", setup: |_| vec!["draft".into()], stdin: b" \n\t \n", expect: &["input is empty"] },
    Case {
        name: "invalid UTF-8",
        setup: |_| vec!["draft".into()],
        stdin: b"J ate \xff\xfe porridge",
        expect: &["not UTF-8 text", "position 6"],
    },
    Case {
        name: "model file missing",
        setup: |dir| {
            let mut args = model_case(dir, Vec::new());
            args[4] = dir.join("absent.gguf").display().to_string();
            args
        },
        stdin: b"",
        expect: &["cannot read the model file", "absent.gguf"],
    },
    Case {
        name: "not a GGUF file",
        setup: |dir| model_case(dir, b"<html>Not found</html>".to_vec()),
        stdin: b"",
        expect: &["is not a GGUF model file", "GGUF signature"],
    },
    Case {
        name: "empty model file",
        setup: |dir| model_case(dir, Vec::new()),
        stdin: b"",
        expect: &["is not a GGUF model file", "0 bytes"],
    },
    Case {
        name: "truncated in the weights",
        setup: |dir| {
            let bytes = tiny_bytes();
            model_case(dir, bytes[..bytes.len() * 2 / 3].to_vec())
        },
        stdin: b"",
        expect: &["damaged or incomplete", "truncated", "Download or copy it again"],
    },
    Case {
        name: "truncated in the header",
        setup: |dir| model_case(dir, tiny_bytes()[..200].to_vec()),
        stdin: b"",
        expect: &["damaged or incomplete"],
    },
    Case {
        name: "corrupt header counts",
        setup: |dir| {
            model_case(dir, raw_gguf(&[("general.architecture", "llama")], &[], Some((u64::MAX / 2, 1 << 40))))
        },
        stdin: b"",
        expect: &["damaged or incomplete"],
    },
    Case {
        name: "tensor offset past the end",
        setup: |dir| model_case(dir, raw_gguf(&[("general.architecture", "llama")], &[("w", &[32], 0, 1 << 40)], None)),
        stdin: b"",
        expect: &["damaged or incomplete", "truncated"],
    },
    Case {
        name: "impossible tensor shape",
        setup: |dir| {
            model_case(dir, raw_gguf(&[("general.architecture", "llama")], &[("w", &[1 << 40, 1 << 40], 0, 0)], None))
        },
        stdin: b"",
        expect: &["damaged or incomplete", "impossible shape"],
    },
    // Found by fuzzing (seed fuzz/generated/gguf/empty-tensor.gguf): candle's reader mishandled an empty tensor.
    Case {
        name: "a tensor with no values",
        setup: |dir| model_case(dir, raw_gguf(&[("general.architecture", "llama")], &[("w", &[0, 64], 0, 0)], None)),
        stdin: b"",
        expect: &["damaged or incomplete", "has no values"],
    },
    // Found by fuzzing (gguf target, CI run of 2026-11-23): a byte size that overflows 64 bits.
    Case {
        name: "a tensor too large to address",
        setup: |dir| {
            model_case(dir, raw_gguf(&[("general.architecture", "llama")], &[("w", &[1 << 31, 1 << 31], 0, 0)], None))
        },
        stdin: b"",
        expect: &["damaged or incomplete", "impossible size or offset"],
    },
    Case {
        name: "unsupported architecture",
        setup: |dir| model_case(dir, raw_gguf(&[("general.architecture", "mamba")], &[], None)),
        stdin: b"",
        expect: &["architecture 'mamba' is not supported", "llama, qwen2, qwen3, gemma3, phi3"],
    },
    Case {
        name: "no chat template in a base model",
        setup: |dir| {
            let path = dir.join("base.gguf");
            let mut args = model_case(dir, Vec::new());
            tiny::write_model("gemma3", &path, Some(""));
            args[4] = path.display().to_string();
            args
        },
        stdin: b"",
        expect: &["no chat template", "instruction-tuned"],
    },
    Case {
        name: "translation without a language",
        setup: |dir| {
            let mut args = model_case(dir, tiny_bytes());
            args.extend(["--task".into(), "translate".into()]);
            args
        },
        stdin: b"",
        expect: &["say which language to translate into", "Polish"],
    },
    Case {
        name: "unknown language",
        setup: |dir| {
            let mut args = model_case(dir, tiny_bytes());
            args.extend(["--task".into(), "translate".into(), "--to".into(), "klingon".into()]);
            args
        },
        stdin: b"",
        expect: &["does not translate 'klingon'"],
    },
    Case {
        name: "SHA-256 mismatch",
        setup: |dir| {
            let path = dir.join("m.gguf");
            std::fs::write(&path, tiny_bytes()).expect("write");
            vec!["info".into(), path.display().to_string(), "--sha256".into(), "00".repeat(32)]
        },
        stdin: b"",
        expect: &["SHA-256", "does not match", "download or copy it again"],
    },
];

#[test]
fn each_bad_input_gets_one_clear_sentence_and_a_failure_exit() {
    for case in CASES {
        let dir = tempfile::tempdir().expect("temporary folder");
        let args = (case.setup)(dir.path());
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = tend(&args, Some(case.stdin));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{}: must fail, stderr: {stderr}", case.name);
        assert_eq!(out.status.code(), Some(1), "{}: exits with 1, not a crash: {stderr}", case.name);
        assert!(!stderr.contains("panicked"), "{}: panicked: {stderr}", case.name);
        assert_eq!(stderr.trim().lines().count(), 1, "{}: one line: {stderr}", case.name);
        for needle in case.expect {
            assert!(stderr.contains(needle), "{}: expected {needle:?} in: {stderr}", case.name);
        }
    }
}

/// A model that needs more memory than the computer has free is refused before loading, with a smaller model
/// suggested; `tend info` states the need.
#[test]
fn a_model_too_big_for_the_free_memory_is_refused_before_loading() {
    let model = tiny::model("llama");
    let info = tend_app::inspect_model(&model).expect("info").0;
    let needed = info.memory_needed(tend_app::WORKING_CONTEXT.min(info.context_length));
    assert!(needed > info.file_size + info.embedding_bytes && info.kv_bytes_per_token > 0, "{info:?}");
    let cases: &[(u64, Option<&str>)] =
        &[(0, Some("needs about")), (1, Some("needs about")), ((needed >> 20) + 1, None)];
    for &(available_mb, refused) in cases {
        let result = tend_app::check_fit(&info, Some(available_mb << 20));
        match refused {
            Some(text) => {
                let message = result.expect_err("refused").to_string();
                assert!(message.contains(text) && message.contains("smaller model"), "{message}");
            }
            None => result.expect("fits"),
        }
    }
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tend"));
    let example = crate::support::repo_root().join("examples/am-call.txt");
    cmd.args(["draft", "--input"]).arg(example).arg("--model").arg(&model).env("TEND_MEMORY_MB", "1");
    let out = cmd.stdin(std::process::Stdio::null()).output().expect("run tend");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && stderr.contains("MB of memory to draft"), "{stderr}");
    let out = Command::new(env!("CARGO_BIN_EXE_tend")).arg("info").arg(&model).output().expect("run tend");
    assert!(String::from_utf8_lossy(&out.stdout).contains("memory:         about"));
}

/// `tend models import` checks a file as loading would, before copying anything; a good file is copied whole,
/// checked by SHA-256 and never overwrites a different file of the same name.
#[test]
fn importing_a_model_checks_it_before_copying_anything() {
    let tiny = tiny_bytes();
    let mut bad: Vec<(&str, Vec<u8>, &[&str])> = vec![
        ("not a GGUF file", b"<html>Not found</html>".to_vec(), &["is not a GGUF model file"]),
        ("truncated", tiny[..tiny.len() * 2 / 3].to_vec(), &["damaged or incomplete"]),
        ("unsupported architecture", raw_gguf(&[("general.architecture", "mamba")], &[], None), &["mamba", "llama"]),
        ("no tokenizer", raw_gguf(&[("general.architecture", "llama")], &[], None), &["tokenizer"]),
    ];
    // Architecture sizes that would divide by zero or misshape every layer at load: refused when checked.
    let sized = |sizes: &[(&str, u32)]| {
        let path = tempfile::NamedTempFile::new().expect("file").into_temp_path();
        crate::support::tiny::write_model_with_sizes("llama", &path, sizes);
        std::fs::read(&path).expect("read")
    };
    bad.extend([
        ("no attention heads", sized(&[("attention.head_count", 0)]), &["llama.attention.head_count", "outside 1"][..]),
        ("no key-value heads", sized(&[("attention.head_count_kv", 0)]), &["llama.attention.head_count_kv"][..]),
        (
            "heads that do not divide",
            sized(&[("attention.head_count", 4), ("attention.head_count_kv", 3)]),
            &["does not divide"][..],
        ),
        ("no layers", sized(&[("block_count", 0)]), &["llama.block_count"][..]),
    ]);
    let dir = tempfile::tempdir().expect("temporary folder");
    let installed = dir.path().join("installed");
    let import = |file: &Path| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_tend"));
        cmd.args(["models", "import"]).arg(file).env("TEND_MODELS_DIR", &installed);
        cmd.output().expect("run tend")
    };
    for (name, bytes, expect) in bad {
        let file = dir.path().join("model.gguf");
        std::fs::write(&file, bytes).expect("write");
        let out = import(&file);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{name}: accepted");
        for text in expect {
            assert!(stderr.contains(text), "{name}: {stderr:?} should mention {text:?}");
        }
        let left = std::fs::read_dir(&installed).map(|d| d.count()).unwrap_or(0);
        assert_eq!(left, 0, "{name}: nothing may be copied");
    }
    let good = dir.path().join("tiny-llama.gguf");
    std::fs::write(&good, &tiny).expect("write");
    for _ in 0..2 {
        let out = import(&good);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && stdout.contains("SHA-256:") && stdout.contains("not in Tend's catalogue"),
            "{stdout}"
        );
    }
    assert_eq!(std::fs::read(installed.join("tiny-llama.gguf")).expect("installed"), tiny);
    assert_eq!(std::fs::read_dir(&installed).expect("list").count(), 1, "no temporary file is left");
    let other = dir.path().join("other").join("tiny-llama.gguf");
    std::fs::create_dir_all(other.parent().expect("folder")).expect("mkdir");
    std::fs::write(&other, std::fs::read(tiny::model("qwen2")).expect("qwen2")).expect("write");
    let out = import(&other);
    assert!(String::from_utf8_lossy(&out.stderr).contains("already installed"), "{out:?}");
    assert_eq!(std::fs::read(installed.join("tiny-llama.gguf")).expect("kept"), tiny, "the installed file is kept");
}

/// The catalogue parses, every entry is complete, and the default is the largest installed model that fits.
#[test]
fn the_catalogue_is_complete_and_the_default_fits_the_memory() {
    use tend_app::models::{catalog, default_model};
    let entries = catalog();
    assert!(entries.len() >= 8, "{} entries", entries.len());
    for e in &entries {
        assert!(
            e.file.ends_with(".gguf") && e.size_mb > 0 && e.memory_mb > e.size_mb && !e.license.is_empty(),
            "{e:?}"
        );
        match e.source.as_str() {
            "package" => assert!(e.package.is_some() && e.sha256.as_ref().is_some_and(|s| s.len() == 64), "{e:?}"),
            "hub" => assert!(e.repo.as_ref().is_some_and(|r| r.contains('/')) && e.revision.is_some(), "{e:?}"),
            other => panic!("{}: unknown source {other}", e.name),
        }
    }
    let dir = tempfile::tempdir().expect("models");
    for file in ["SmolLM2-135M-Instruct.Q4_1.gguf", "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"] {
        std::fs::write(dir.path().join(file), b"placeholder").expect("write");
    }
    let cases: &[(Option<u64>, Option<&str>)] = &[
        (None, Some("qwen2.5-coder-0.5b-instruct-q4_k_m.gguf")),
        (Some(16 << 30), Some("qwen2.5-coder-0.5b-instruct-q4_k_m.gguf")),
        (Some(800 << 20), Some("SmolLM2-135M-Instruct.Q4_1.gguf")),
        (Some(100 << 20), None),
    ];
    for &(available, expected) in cases {
        let chosen = default_model(dir.path(), available);
        let name = chosen.as_ref().and_then(|p| p.file_name()).map(|n| n.to_string_lossy().into_owned());
        assert_eq!(name.as_deref(), expected, "with {available:?} bytes free");
    }
}

#[test]
fn a_panic_while_loading_or_drafting_becomes_a_message_the_window_can_show() {
    use tend_app::workspace::UiError;
    use tend_app::{AppError, contain};
    type Work = Box<dyn FnOnce() -> Result<u32, AppError>>;
    let cases: Vec<(&str, Work, Result<u32, &str>)> = vec![
        ("loading the model", Box::new(|| panic!("attempt to divide by zero")), Err("attempt to divide by zero")),
        ("drafting", Box::new(|| panic!("{} tokens", 3)), Err("3 tokens")),
        ("drafting", Box::new(|| std::panic::panic_any(7_u8)), Err("no message")),
        ("drafting", Box::new(|| Ok(5)), Ok(5)),
        ("drafting", Box::new(|| Err(AppError::NotSignedIn)), Err("sign in first")),
    ];
    for (what, work, expected) in cases {
        match (contain(what, work), expected) {
            (Ok(value), Ok(want)) => assert_eq!(value, want),
            (Err(AppError::Internal { what: said, detail }), Err(want)) => {
                assert_eq!((said.as_str(), detail.as_str()), (what, want));
                let shown = UiError::from(AppError::Internal { what: said, detail });
                assert_eq!(shown.kind, "internal");
                assert!(
                    shown.message.starts_with(&format!("Tend stopped {what} because of an internal error ({want})"))
                        && shown.message.contains("Everything saved before is intact"),
                    "{}",
                    shown.message
                );
            }
            (Err(e), Err(want)) => assert_eq!(e.to_string(), want, "an ordinary error passes through"),
            (got, want) => panic!("{what}: {:?} for {want:?}", got.map_err(|e| e.to_string())),
        }
    }
}
