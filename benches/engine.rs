//! Engine parts on a real model (SmolLM2-135M, from scripts/fetch-model): tokenizer encode, chat-template
//! rendering, one prefill chunk and one decode step. Reported by criterion; compare runs, not absolute numbers.

use std::path::PathBuf;

use criterion::{Criterion, criterion_group, criterion_main};
use tend_engine::{ChatMessage, Flow, GenerationParams, Model};

fn model_path() -> Option<PathBuf> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("models/SmolLM2-135M-Instruct.Q4_1.gguf");
    path.is_file().then_some(path)
}

fn engine(c: &mut Criterion) {
    let Some(path) = model_path() else {
        eprintln!("skipped: run scripts/fetch-model smollm2-135m first");
        return;
    };
    let mut model = Model::load(&path, &mut |_| {}).expect("load");
    let text = std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/am-call.txt"))
        .expect("example")
        .repeat(8);
    let tokenizer = model.tokenizer().clone();
    c.bench_function("tokenizer encode 1 KB", |b| b.iter(|| tokenizer.encode_text(&text).expect("encode")));
    let messages = vec![ChatMessage::system("Write a care note."), ChatMessage::user(text.clone())];
    c.bench_function("chat template + prompt tokens", |b| b.iter(|| model.prompt(&messages).expect("prompt")));

    let mut group = c.benchmark_group("generation");
    group.sample_size(10);
    let one = GenerationParams { max_tokens: 1, ..GenerationParams::default() };
    group.bench_function("prefill ~250 tokens (+1 token)", |b| {
        b.iter(|| model.generate(&messages, &one, &mut |_| Flow::Continue).expect("generate"))
    });
    let sixteen = GenerationParams { max_tokens: 17, ..GenerationParams::default() };
    group.bench_function("prefill + 16 decode steps", |b| {
        b.iter(|| model.generate(&messages, &sixteen, &mut |_| Flow::Continue).expect("generate"))
    });
    group.finish();
}

criterion_group!(benches, engine);
criterion_main!(benches);
