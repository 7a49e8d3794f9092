//! Engine parts: the quantised matrix product of the engine's kernels (the tile kernel a decoder's layers use and
//! the row kernel an output head uses) beside candle's `QMatMul` on the same weights (Qwen2.5 0.5B's FFN shapes,
//! one row as in decode and 128 as in prefill; compare the lines of a run), and on a real model (SmolLM2-135M,
//! from scripts/fetch-model): tokenizer encode, chat-template rendering, one prefill chunk and one decode step. Reported by criterion; compare within a run, not absolute numbers.

use std::path::PathBuf;
use std::sync::Arc;

use candle_core::quantized::{GgmlDType, QMatMul, QTensor};
use candle_core::{Device, Module, Tensor};
use criterion::{Criterion, criterion_group, criterion_main};
use tend_engine::kernels::{DotProduct, Linear, Rows, Weight};
use tend_engine::{ChatMessage, Flow, GenerationParams, Model};

fn kernels(c: &mut Criterion) {
    // Qwen2.5 0.5B's up projection (896 -> 4864, Q5_0 there) and its down projection (4864 -> 896, Q4_K and Q6_K in
    // half the layers each). On processors with VNNI candle's k-quant kernels are VNNI's; TEND_ISA=avx2 (or
    // candle's own MISTRALRS_FORCE_AVX2=1, which a bench must set itself) makes them, and the engine's tiles,
    // AVX2's (MISTRALRS_FORCE_AVXVNNI=1 makes candle's 256-bit VNNI ones).
    let cases = [
        (GgmlDType::Q5_0, 896, 4864),
        (GgmlDType::Q4_1, 896, 4864),
        (GgmlDType::Q8_0, 896, 4864),
        (GgmlDType::Q4K, 4864, 896),
        (GgmlDType::Q6K, 4864, 896),
    ];
    for (dtype, k, n) in cases {
        let values = Tensor::randn(0f32, 1.0, (n, k), &Device::Cpu).expect("weights");
        let quantized = || Weight::Read(Arc::new(QTensor::quantize(&values, dtype).expect("quantize")));
        let tiles = Linear::from_weight(quantized(), Rows::Many).expect("tiles");
        // Where the processor has VNNI the tiles use it; their other versions are measured beside them.
        let detected = DotProduct::detected();
        let others: Vec<(DotProduct, Linear)> = DotProduct::available()
            .into_iter()
            .filter(|&d| d != detected)
            .map(|d| (d, Linear::from_weight_using(quantized(), Rows::Many, d).expect("tiles")))
            .collect();
        // The k-quants have no row kernel: they are packed into tiles for one row too.
        let rows = Linear::from_weight(quantized(), Rows::One).ok().filter(|l| !l.is_tiled());
        let candle = QMatMul::from_qtensor(QTensor::quantize(&values, dtype).expect("quantize")).expect("candle");
        let mut group = c.benchmark_group(format!("{dtype:?} matmul {k}x{n}"));
        group.sample_size(10);
        for m in [1, 128, 512] {
            let xs = Tensor::randn(0f32, 1.0, (1, m, k), &Device::Cpu).expect("activations");
            group.bench_function(format!("engine tiles ({detected:?}), {m} rows"), |b| {
                b.iter(|| tiles.forward(&xs).expect("tiles"))
            });
            for (dot, other) in &others {
                group.bench_function(format!("engine tiles ({dot:?}), {m} rows"), |b| {
                    b.iter(|| other.forward(&xs).expect("tiles"))
                });
            }
            if let Some(rows) = &rows {
                group.bench_function(format!("engine rows, {m} rows"), |b| b.iter(|| rows.forward(&xs).expect("rows")));
            }
            group.bench_function(format!("candle, {m} rows"), |b| b.iter(|| candle.forward(&xs).expect("candle")));
        }
        group.finish();
    }
}

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

criterion_group!(benches, kernels, engine);
criterion_main!(benches);
