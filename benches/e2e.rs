//! End-to-end engine benchmark on the real models, the figures `benches/compare-llamacpp` sets beside llama.cpp's
//! `llama-bench`: load time, prefill tok/s (256 and 512 prompt tokens, empty cache), decode tok/s (128 greedy
//! steps after a 1-token prompt, as llama-bench's tg128), time to first token for a real care-note request (the
//! task's template and a 100-word shorthand; cold, then with the instruction prefix cached) and peak RSS.
//!
//! `cargo bench --bench e2e` measures every model in models/ that is present, each in its own process (so peak
//! RSS is that model's), and prints a table. `-- --model PATH [--rounds N] [--json]` measures one model;
//! `-- --model PATH --load-only` loads it and evaluates one token (the unit llama-bench's load is timed in);
//! `--decode-only` measures decode 128 alone (for the runs beside a busy program), `--decode-only --depth N` after
//! an N-token prompt (as a draft's sentences are decoded after their instructions); `-- --bandwidth` measures the
//! rate this machine reads memory at (the bound on decode).
//! Each size is run once unmeasured before it is measured, as llama-bench warms up.
//! Threads: candle's pool, set with RAYON_NUM_THREADS (else set at start as Tend's programs set it); decode steps
//! choose between it and one thread as drafting does (`TEND_DECODE_THREADS`). Kernels: `TEND_ISA=avx2` limits them
//! to their AVX2 paths, candle's own too (its switch is set at start as Tend's programs set it).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use tend_engine::{GenerationParams, Model};
use tend_writing::Task;

const MODELS: &[&str] = &[
    "SmolLM2-135M-Instruct.Q4_1.gguf",
    "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
    "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
];

/// About 100 words of shorthand from a morning call.
const SHORTHAND: &str = "AM call 7:30. M awake in chair, said slept badly - back pain overnight. Supported w/ wash & \
dressing, chose blue cardigan. Skin on heels checked, no redness. Ate 1/2 porridge + 1 slice toast, declined tea, \
had 200ml orange juice. Meds given 8:15 per MAR, paracetamol 500mg x2. Walked to lounge w/ frame, steady. Mood low, \
tearful re daughter not visiting Sun. Talked about garden, cheered a bit. Commode emptied, pad changed, dry. Left \
call bell in reach, TV on BBC1. Told M I'd let office know re daughter. Next call lunch 12:30.";

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb = status.lines().find_map(|l| l.strip_prefix("VmHWM:")).and_then(|v| v.split_whitespace().next());
    kb.and_then(|v| v.parse::<f64>().ok()).map_or(0.0, |kb| kb / 1024.0)
}

/// `n` prompt tokens from real text (the examples, repeated).
fn prompt_tokens(model: &Model, n: usize) -> Vec<u32> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut text = String::new();
    for entry in std::fs::read_dir(dir).expect("examples").flatten() {
        text.push_str(&std::fs::read_to_string(entry.path()).expect("example"));
    }
    let once = model.tokenizer().encode_text(&text).expect("encode");
    once.iter().copied().cycle().take(n).collect()
}

fn time_to_first_token(model: &mut Model, shorthand: &str) -> Duration {
    let prompt = Task::CareNote.prompt(shorthand, None, None).expect("care-note prompt");
    let one = GenerationParams { max_tokens: 1, ..GenerationParams::default() };
    let start = Instant::now();
    model.generate(&prompt.messages, &one, &mut |_| tend_engine::Flow::Continue).expect("generate");
    start.elapsed()
}

/// What one run of [`measure_one`] measures.
#[derive(Clone, Copy, PartialEq)]
enum Scope {
    /// Everything.
    All,
    /// Load and one token.
    Load,
    /// Load, then decode 128 only (for runs beside a busy program), after this many prompt tokens (a 1-token
    /// prompt when 0, as tg128).
    Decode(usize),
}

fn measure_one(path: &Path, rounds: usize, scope: Scope) -> serde_json::Value {
    let start = Instant::now();
    let mut model = Model::load(path, &mut |_| {}).expect("load the model");
    // One token of a short word (as llama-bench's `-p 1`), not the examples' text encoded whole.
    let first = model.tokenizer().encode_text("Morning").expect("encode")[..1].to_vec();
    model.measure(&first, 0).expect("one token");
    let load = start.elapsed().as_secs_f64();
    if scope == Scope::Load {
        return serde_json::json!({ "load_s": load });
    }
    if let Scope::Decode(depth) = scope {
        let prompt = if depth == 0 { first } else { prompt_tokens(&model, depth) };
        model.measure(&prompt, 1).expect("warm-up decode");
        let tg128 = (0..rounds).map(|_| model.measure(&prompt, 128).expect("tg128").decode_tokens_per_second());
        return serde_json::json!({ "depth": depth, "tg128_tok_s": median(tg128.collect()) });
    }
    // Cold first: the first care-note request of the session, before any prefix is cached.
    let ttft_cold = time_to_first_token(&mut model, SHORTHAND).as_secs_f64();
    let (mut pp256, mut pp512, mut tg128, mut ttft_warm) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (p256, p512) = (prompt_tokens(&model, 256), prompt_tokens(&model, 512));
    // A warm-up of each measured size first, as llama-bench runs before it measures: the first pass of a size
    // pays for fresh memory (page faults), which is not the engine's speed.
    model.measure(&p256, 0).expect("warm-up pp256");
    model.measure(&p512, 0).expect("warm-up pp512");
    model.measure(&first, 1).expect("warm-up decode");
    for round in 0..rounds {
        pp256.push(model.measure(&p256, 0).expect("pp256").prefill_tokens_per_second());
        pp512.push(model.measure(&p512, 0).expect("pp512").prefill_tokens_per_second());
        tg128.push(model.measure(&first, 128).expect("tg128").decode_tokens_per_second());
        // A different visit each time, so only the instruction prefix can be reused.
        let shorthand = format!("{SHORTHAND} (visit {round})");
        ttft_warm.push(time_to_first_token(&mut model, &shorthand).as_secs_f64());
    }
    let prompt = Task::CareNote.prompt(SHORTHAND, None, None).expect("prompt");
    let care_note_tokens = model.prompt(&prompt.messages).expect("tokens");
    serde_json::json!({
        "model": path.file_name().map(|n| n.to_string_lossy().into_owned()),
        "threads": std::env::var("RAYON_NUM_THREADS").ok(),
        "rounds": rounds,
        "load_s": load,
        "pp256_tok_s": median(pp256),
        "pp512_tok_s": median(pp512),
        "tg128_tok_s": median(tg128),
        "care_note_prompt_tokens": care_note_tokens.tokens.len(),
        "care_note_cached_prefix_tokens": care_note_tokens.reusable_prefix,
        "ttft_cold_s": ttft_cold,
        "ttft_warm_s": median(ttft_warm),
        "peak_rss_mb": peak_rss_mb(),
        "file_mb": std::fs::metadata(path).map_or(0.0, |m| m.len() as f64 / 1048576.0),
        "weight_bytes_per_token": model.info().weight_bytes_per_token,
    })
}

/// The rate this machine reads memory at, in GB/s, with one thread per core summing its share of a buffer far
/// larger than the caches (best of five passes): the bound on decode, which reads every weight once per token.
fn read_bandwidth_gb_s() -> f64 {
    const BYTES: usize = 1 << 30;
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let buffer: Vec<u64> = (0..BYTES / 8).map(|i| i as u64).collect();
    let chunk = buffer.len().div_ceil(threads);
    let mut best = f64::MAX;
    for _ in 0..5 {
        let start = Instant::now();
        let total: u64 = std::thread::scope(|s| {
            let parts: Vec<_> = buffer
                .chunks(chunk)
                .map(|part| s.spawn(move || part.iter().fold(0u64, |a, b| a.wrapping_add(*b))))
                .collect();
            parts.into_iter().map(|p| p.join().expect("reader")).fold(0, u64::wrapping_add)
        });
        std::hint::black_box(total);
        best = best.min(start.elapsed().as_secs_f64());
    }
    BYTES as f64 / best / 1e9
}

#[allow(unsafe_code)]
fn main() {
    // What Tend's programs put in their environment at start-up: candle's thread count (else candle works it out
    // again at every f32 matrix product) and the switch `TEND_ISA=avx2` needs candle's own kernels to see.
    let (set, error) = tend_app::config::environment_to_apply();
    for (name, value) in set {
        // SAFETY: first thing in main, while this process has one thread.
        unsafe { std::env::set_var(name, value) };
    }
    if let Some(error) = error {
        eprintln!("e2e: {error}");
        std::process::exit(2);
    }
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let value = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned();
    let flag = |name: &str| args.iter().any(|a| a == name);
    let rounds = value("--rounds").and_then(|r| r.parse().ok()).unwrap_or(3);
    if flag("--bandwidth") {
        println!("{}", serde_json::json!({ "read_gb_s": read_bandwidth_gb_s() }));
        return;
    }
    if let Some(model) = value("--model") {
        let scope = if flag("--load-only") {
            Scope::Load
        } else if flag("--decode-only") {
            Scope::Decode(value("--depth").and_then(|d| d.parse().ok()).unwrap_or(0))
        } else {
            Scope::All
        };
        let result = measure_one(Path::new(&model), rounds, scope);
        println!("{result}");
        return;
    }
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("models");
    println!(
        "| model | load s | prefill 256 tok/s | prefill 512 tok/s | decode 128 tok/s | care-note TTFT cold / cached s | peak RSS MB (file MB) |"
    );
    println!("|---|---|---|---|---|---|---|");
    for file in MODELS {
        let path = dir.join(file);
        if !path.is_file() {
            eprintln!("skipped {file}: not in models/ (scripts/fetch-model)");
            continue;
        }
        let out = std::process::Command::new(std::env::current_exe().expect("this benchmark"))
            .args(["--model", &path.to_string_lossy(), "--rounds", &rounds.to_string()])
            .output()
            .expect("run the benchmark for one model");
        let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!("{file}: {e}\n{}", String::from_utf8_lossy(&out.stderr));
        });
        let f = |k: &str| r[k].as_f64().unwrap_or(f64::NAN);
        println!(
            "| {file} | {:.2} | {:.1} | {:.1} | {:.1} | {:.2} / {:.2} | {:.0} ({:.0}) |",
            f("load_s"),
            f("pp256_tok_s"),
            f("pp512_tok_s"),
            f("tg128_tok_s"),
            f("ttft_cold_s"),
            f("ttft_warm_s"),
            f("peak_rss_mb"),
            f("file_mb")
        );
    }
}
