//! Writes the seed corpora of the fuzz targets in fuzz/corpus/ (committed): tiny models and headers for the GGUF
//! reader, tokenizer descriptions, chat templates (the tiny models' and, when present, the real models'), notes
//! for the checks and draft requests as the page sends them. Run it after a change of format:
//! `cargo test --test tests fuzz_seeds -- --ignored`.

use std::path::Path;

use candle_core::quantized::gguf_file::{self, Value};

use crate::support::{repo_root, tiny};

fn write(dir: &Path, name: &str, bytes: &[u8]) {
    std::fs::create_dir_all(dir).expect("corpus folder");
    std::fs::write(dir.join(name), bytes).expect("seed");
}

fn metadata(path: &Path) -> gguf_file::Content {
    let mut file = std::fs::File::open(path).expect("model");
    gguf_file::Content::read(&mut file).expect("GGUF header")
}

fn strings(content: &gguf_file::Content, key: &str) -> Vec<String> {
    match content.metadata.get(key) {
        Some(Value::Array(values)) => values.iter().filter_map(|v| v.to_string().ok().cloned()).collect(),
        _ => Vec::new(),
    }
}

#[test]
#[ignore = "writes fuzz/corpus; run by hand after a format change"]
fn write_fuzz_seed_corpora() {
    let corpus = repo_root().join("fuzz/corpus");
    let temp = tempfile::tempdir().expect("temporary folder");

    // GGUF: two whole tiny models, one header without tensors, one truncated file.
    let gguf = corpus.join("gguf");
    for arch in ["llama", "gemma3"] {
        write(&gguf, &format!("tiny-{arch}.gguf"), &std::fs::read(tiny::model(arch)).expect("tiny model"));
    }
    let header = temp.path().join("header.gguf");
    let arch = Value::String("llama".into());
    let template = Value::String(tiny::CHATML.into());
    gguf_file::write(
        &mut std::fs::File::create(&header).expect("header"),
        &[("general.architecture", &arch), ("tokenizer.chat_template", &template)],
        &[],
    )
    .expect("write header");
    write(&gguf, "header-only.gguf", &std::fs::read(&header).expect("header"));
    write(&gguf, "truncated.gguf", &std::fs::read(tiny::model("qwen2")).expect("tiny")[..4096]);
    // Headers whose counts and lengths claim far more than the file holds.
    let head = |tensors: u64, kvs: u64| {
        [&b"GGUF"[..], &3u32.to_le_bytes(), &tensors.to_le_bytes(), &kvs.to_le_bytes()].concat()
    };
    write(&gguf, "huge-metadata-count.gguf", &head(0, 1 << 60));
    write(&gguf, "huge-tensor-count.gguf", &head(1 << 60, 0));
    write(&gguf, "huge-key-length.gguf", &[head(0, 1), (1u64 << 62).to_le_bytes().to_vec(), b"abc".to_vec()].concat());
    let key = b"general.x";
    let array = [
        &(key.len() as u64).to_le_bytes()[..],
        key,
        &9u32.to_le_bytes(),
        &4u32.to_le_bytes(),
        &(1u64 << 61).to_le_bytes(),
    ]
    .concat();
    write(&gguf, "huge-array-length.gguf", &[head(0, 1), array].concat());

    // Tokenizers: "model\npre\n" + tokens + "\n\n" + merges + "\n\n" + types + "\n\n" + text.
    for arch in ["llama", "phi3"] {
        let content = metadata(&tiny::model(arch));
        let model = content.metadata.get("tokenizer.ggml.model").and_then(|v| v.to_string().ok()).cloned();
        let pre = content.metadata.get("tokenizer.ggml.pre").and_then(|v| v.to_string().ok()).cloned();
        let tokens = strings(&content, "tokenizer.ggml.tokens");
        let merges = strings(&content, "tokenizer.ggml.merges");
        let types = match content.metadata.get("tokenizer.ggml.token_type") {
            Some(Value::Array(v)) => v.iter().filter_map(|t| t.to_i32().ok()).map(|t| t.to_string()).collect(),
            _ => Vec::<String>::new(),
        };
        let seed = format!(
            "{}\n{}\n{}\n\n{}\n\n{}\n\nMargaret had 2 tablets at 8:15 <|im_start|>system\n",
            model.unwrap_or_default(),
            pre.unwrap_or_default(),
            tokens.iter().filter(|t| !t.contains('\n')).cloned().collect::<Vec<_>>().join("\n"),
            merges.join("\n"),
            types.join("\n")
        );
        write(&corpus.join("tokenizer"), &format!("{arch}.txt"), seed.as_bytes());
    }

    // Chat templates with messages, from the tiny models and any real model in models/.
    let messages = "\n---\nWrite a care note.\n---\nAM call. J up & dressed\n---\nJ got up.\n---\n<|im_end|>{{ 7*7 }}";
    let templates = corpus.join("template");
    write(&templates, "chatml.txt", format!("{}{messages}", tiny::CHATML).as_bytes());
    write(&templates, "gemma-style.txt", format!("{}{messages}", tiny::GEMMA_STYLE).as_bytes());
    for entry in std::fs::read_dir(repo_root().join("models")).expect("models folder").flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "gguf") {
            let content = metadata(&path);
            if let Some(Ok(source)) = content.metadata.get("tokenizer.chat_template").map(|v| v.to_string()) {
                let name = path.file_stem().expect("name").to_string_lossy().into_owned();
                write(&templates, &format!("{name}.txt"), format!("{source}{messages}").as_bytes());
            }
        }
    }

    // Checks: each example as the source, with a draft that adds, loses and reverses facts.
    let draft = "Margaret had two paracetamol 500mg tablets at 2pm on Tuesday and drank her tea. She refused lunch.";
    for entry in std::fs::read_dir(repo_root().join("examples")).expect("examples").flatten() {
        let source = std::fs::read_to_string(entry.path()).expect("example");
        let name = entry.file_name().to_string_lossy().into_owned();
        write(&corpus.join("checks"), &name, format!("{source}\n---\n{draft}").as_bytes());
    }

    // Draft requests as the page sends them, one per task.
    let am_call = std::fs::read_to_string(repo_root().join("examples/am-call.txt")).expect("example");
    for task in ["care-note", "activity-plan", "meeting", "letter", "translate", "check-wording"] {
        let language = if task == "translate" { serde_json::json!("polish") } else { serde_json::Value::Null };
        let request =
            serde_json::json!({"task": task, "person_id": 1, "input": am_call, "language": language}).to_string();
        write(&corpus.join("ui_args"), &format!("{task}.json"), request.as_bytes());
    }
    write(&corpus.join("ui_args"), "decision.json", b"\"approve\"");
}
