//! The engine's quantised kernels against candle's reference on the same quantised weights: the matrix product
//! for every type the engine multiplies itself, at decode and prefill shapes with ragged edges, and the embedding
//! lookup that dequantises one row at a time.

use candle_core::quantized::{GgmlDType, QMatMul, QTensor};
use candle_core::{Device, Module, Tensor};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::sync::Arc;

use tend_engine::kernels::{self, DotProduct, Embedding, Isa, Linear, Rows, Weight, causal_softmax};

fn random(rng: &mut StdRng, dims: &[usize]) -> Tensor {
    let values: Vec<f32> = (0..dims.iter().product()).map(|_| rng.random_range(-1.0f32..1.0)).collect();
    Tensor::from_vec(values, dims, &Device::Cpu).unwrap()
}

fn max_abs_diff(a: &Tensor, b: &Tensor) -> (f32, f32) {
    let a = a.flatten_all().unwrap().to_vec1::<f32>().unwrap();
    let b = b.flatten_all().unwrap().to_vec1::<f32>().unwrap();
    assert_eq!(a.len(), b.len());
    let diff = a.iter().zip(&b).fold(0f32, |m, (x, y)| m.max((x - y).abs()));
    let scale = b.iter().fold(0f32, |m, y| m.max(y.abs()));
    (diff, scale)
}

#[test]
fn own_matmul_equals_candles_on_the_same_quantised_weights() {
    // (type, rows of activations m, inner k, outputs n): decode (m = 1), the 4-row prefill tile with 1-3 rows
    // left over, output counts that are and are not multiples of the 16-row tile, and the real models' widths
    // (Qwen2.5 0.5B's 896 and 4864, SmolLM2's 576 and 1536). Each weight is tried packed into tiles (where the
    // build and the shape allow) and as stored in rows.
    let cases: &[(GgmlDType, usize, usize, usize)] = &[
        (GgmlDType::Q5_0, 1, 896, 128),
        (GgmlDType::Q5_0, 7, 896, 37),
        (GgmlDType::Q5_0, 64, 64, 33),
        (GgmlDType::Q5_0, 6, 4864, 896),
        (GgmlDType::Q4_1, 1, 576, 65),
        (GgmlDType::Q4_1, 5, 576, 192),
        (GgmlDType::Q4_1, 18, 1536, 17),
        (GgmlDType::Q4_1, 3, 1536, 576),
        (GgmlDType::Q8_0, 1, 896, 300),
        (GgmlDType::Q8_0, 6, 128, 1),
        (GgmlDType::Q8_0, 12, 576, 49),
        (GgmlDType::Q8_0, 9, 896, 64),
        (GgmlDType::Q8_0, 2, 64, 4864),
    ];
    let tile_kernel = kernels::tiles_enabled(Isa::current());
    let mut rng = StdRng::seed_from_u64(7);
    for &(dtype, m, k, n) in cases {
        let values = random(&mut rng, &[n, k]);
        let reference = QMatMul::from_qtensor(QTensor::quantize(&values, dtype).unwrap()).unwrap();
        let xs = random(&mut rng, &[1, m, k]);
        let theirs = reference.forward(&xs).unwrap();
        for rows in [Rows::Many, Rows::One] {
            let weight = Weight::Read(Arc::new(QTensor::quantize(&values, dtype).unwrap()));
            let own = Linear::from_weight(weight, rows).unwrap();
            assert!(own.uses_own_kernel(), "{dtype:?} runs on the engine's kernel");
            let tiled = tile_kernel && rows == Rows::Many && n % 16 == 0;
            assert_eq!(own.is_tiled(), tiled, "{dtype:?} {m}x{k}x{n} {rows:?}");
            let ours = own.forward(&xs).unwrap();
            assert_eq!(ours.dims(), theirs.dims(), "{dtype:?} {m}x{k}x{n}");
            // Same integer sums; only the order of the float accumulation differs (seen: rows Q8_0 exact, others
            // 5e-7).
            let (diff, scale) = max_abs_diff(&ours, &theirs);
            assert!(diff <= 2e-6 * scale, "{dtype:?} {m}x{k}x{n} {rows:?}: off by {diff} (scale {scale})");
        }
    }
}

#[test]
fn k_quant_tiles_equal_candles_product() {
    // The k-quants are multiplied against activations quantised per 256 values (ggml's Q8_K), as candle and
    // llama.cpp multiply them, so the integer sums are theirs and only the order of the float accumulation
    // differs. (type, m, k, n): decode, prefill tiles with rows left over (eight and four at a time), and
    // Qwen2.5 0.5B's down projection; the one-row cases as an output head (packed all the same), the others as
    // layers.
    let cases: &[(GgmlDType, usize, usize, usize)] = &[
        (GgmlDType::Q4K, 1, 256, 16),
        (GgmlDType::Q4K, 7, 512, 48),
        (GgmlDType::Q4K, 5, 4864, 896),
        (GgmlDType::Q6K, 1, 256, 16),
        (GgmlDType::Q6K, 15, 512, 48),
        (GgmlDType::Q6K, 5, 4864, 896),
    ];
    let tile_kernel = kernels::tiles_enabled(Isa::current());
    let mut rng = StdRng::seed_from_u64(11);
    for &(dtype, m, k, n) in cases {
        let values = random(&mut rng, &[n, k]);
        let quantized = || QTensor::quantize(&values, dtype).unwrap();
        let xs = random(&mut rng, &[1, m, k]);
        let rows = if m == 1 { Rows::One } else { Rows::Many };
        let own = Linear::from_weight(Weight::Read(Arc::new(quantized())), rows);
        if !tile_kernel {
            assert!(own.is_err(), "{dtype:?} has no kernel of the engine's without AVX2");
            continue;
        }
        let own = own.unwrap();
        assert!(own.uses_own_kernel() && own.is_tiled(), "{dtype:?} {m}x{k}x{n}");
        let ours = own.forward(&xs).unwrap();
        let theirs = QMatMul::from_qtensor(quantized()).unwrap().forward(&xs).unwrap();
        let (diff, scale) = max_abs_diff(&ours, &theirs);
        assert!(diff <= 2e-6 * scale, "{dtype:?} {m}x{k}x{n}: off by {diff} (scale {scale})");
    }
}

#[test]
fn the_tile_kernel_gives_the_same_bits_with_every_instruction_set_the_processor_has() {
    // AVX2's multiply-adds and VNNI's vpdpbusd sum the same products exactly, and 512-bit registers do per row what
    // 256-bit ones do, so every type's product is bit-identical whichever runs. On a processor without VNNI only AVX2 runs, and asking for VNNI is refused.
    let available = DotProduct::available();
    let tile_kernel = kernels::tiles_enabled(Isa::current());
    assert_eq!(available.first() == Some(&DotProduct::Avx2), tile_kernel, "{available:?}");
    let cases: &[(GgmlDType, usize, usize, usize)] = &[
        (GgmlDType::Q8_0, 6, 896, 64),
        (GgmlDType::Q5_0, 1, 896, 128),
        (GgmlDType::Q5_0, 13, 4864, 32),
        (GgmlDType::Q4_1, 7, 576, 48),
        (GgmlDType::Q4K, 5, 512, 32),
        (GgmlDType::Q6K, 11, 512, 32),
        // Decode: a k-quant at one or two rows runs on 256-bit registers whatever is asked.
        (GgmlDType::Q4K, 1, 512, 32),
        (GgmlDType::Q6K, 2, 512, 32),
    ];
    let mut rng = StdRng::seed_from_u64(13);
    for &(dtype, m, k, n) in cases {
        let values = random(&mut rng, &[n, k]);
        let xs = random(&mut rng, &[1, m, k]);
        let weight = || Weight::Read(Arc::new(QTensor::quantize(&values, dtype).unwrap()));
        let mut results = Vec::new();
        for dot in DotProduct::ALL {
            match Linear::from_weight_using(weight(), Rows::Many, dot) {
                Ok(linear) => {
                    // A build without the tile kernel keeps every weight in rows, whatever `dot` says.
                    let tiled = available.contains(&dot) && linear.is_tiled();
                    assert!(if tile_kernel { tiled } else { !linear.is_tiled() }, "{dot:?} {dtype:?}");
                    results.push((dot, linear.forward(&xs).unwrap().flatten_all().unwrap().to_vec1::<f32>().unwrap()));
                }
                Err(e) => assert!(!available.contains(&dot) && e.to_string().contains("no"), "{dot:?}: {e}"),
            }
        }
        // Without the tile kernel a k-quant has no kernel of the engine's (candle's runs it): nothing to compare.
        assert!(!results.is_empty() || !kernels::has_own_kernel(dtype, &[n, k]), "{dtype:?}");
        for (dot, result) in results.iter().skip(1) {
            assert!(result == &results[0].1, "{dtype:?} {m}x{k}x{n}: {dot:?} differs from AVX2");
        }
    }
}

#[test]
fn a_mapped_weight_must_lie_inside_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("weights");
    std::fs::write(&path, vec![0u8; 34 * 8]).unwrap();
    let file = std::fs::File::open(&path).unwrap();
    // SAFETY: a private file this test wrote and does not change while it is mapped.
    #[allow(unsafe_code)]
    let map = Arc::new(unsafe { memmap2::Mmap::map(&file) }.unwrap());
    let linear =
        Linear::from_weight(Weight::mapped(map.clone(), 0, GgmlDType::Q8_0, vec![8, 32]).unwrap(), Rows::Many).unwrap();
    let out = linear.forward(&Tensor::ones((1, 32), candle_core::DType::F32, &Device::Cpu).unwrap()).unwrap();
    assert_eq!(out.to_vec2::<f32>().unwrap(), vec![vec![0f32; 8]], "zero blocks multiply to zero");
    let err = Weight::mapped(map.clone(), 34, GgmlDType::Q8_0, vec![8, 32]).unwrap_err().to_string();
    assert!(err.contains("does not fit the 272-byte file"), "{err}");
    let err = Weight::mapped(map, 0, GgmlDType::Q8_0, vec![8, 33]).unwrap_err().to_string();
    assert!(err.contains("does not fit"), "{err}");
}

#[test]
fn causal_softmax_equals_candles_scale_mask_and_softmax() {
    // (heads, chunk of queries, positions already cached): a first chunk, a chunk after a cached prefix, decode.
    let mut rng = StdRng::seed_from_u64(10);
    for (heads, chunk, first) in [(3, 5, 0), (2, 4, 7), (4, 1, 9), (1, 1, 0)] {
        let positions = first + chunk;
        let scores = (random(&mut rng, &[1, heads, chunk, positions]) * 6.0).unwrap();
        let scale = 0.125f32;
        let mask = candle_transformers::utils::build_causal_mask(chunk, first, &Device::Cpu).unwrap();
        let scaled = (&scores * f64::from(scale)).unwrap();
        let neg_inf = Tensor::new(f32::NEG_INFINITY, &Device::Cpu).unwrap().broadcast_as(scaled.shape()).unwrap();
        let masked = mask.broadcast_as(scaled.shape()).unwrap().where_cond(&neg_inf, &scaled).unwrap();
        let reference = candle_nn::ops::softmax_last_dim(&masked).unwrap();
        // The engine's op sees the heads' rows one after another, as the decoder's grouped attention lays them.
        let ours = causal_softmax(&scores.reshape((1, heads * chunk, positions)).unwrap(), scale, chunk, first)
            .unwrap()
            .reshape(scores.shape())
            .unwrap();
        let (diff, _) = max_abs_diff(&ours, &reference);
        assert!(diff <= 1e-6, "{heads} heads, chunk {chunk} after {first}: off by {diff}");
    }
}

#[test]
fn other_types_and_shapes_fall_back_to_candle() {
    // k-quant rows that do not fill 16-row tiles, and unquantised weights; asked for directly, the engine refuses.
    let mut rng = StdRng::seed_from_u64(8);
    for dtype in [GgmlDType::Q4K, GgmlDType::Q6K, GgmlDType::F32] {
        let weight = QTensor::quantize(&random(&mut rng, &[8, 256]), dtype).unwrap();
        assert!(!Linear::new(weight).unwrap().uses_own_kernel(), "{dtype:?}");
        let weight = QTensor::quantize(&random(&mut rng, &[8, 256]), dtype).unwrap();
        let err = Linear::from_weight(Weight::Read(Arc::new(weight)), Rows::One).unwrap_err().to_string();
        assert!(err.contains("no kernel of the engine's multiplies"), "{err}");
    }
}

#[test]
fn embedding_rows_equal_the_dequantised_table() {
    let mut rng = StdRng::seed_from_u64(9);
    for dtype in [GgmlDType::Q5_0, GgmlDType::Q8_0, GgmlDType::Q4_1, GgmlDType::Q6K, GgmlDType::Q4K, GgmlDType::F32] {
        let table = QTensor::quantize(&random(&mut rng, &[40, 256]), dtype).unwrap();
        let dense = table.dequantize(&Device::Cpu).unwrap();
        let embedding = Embedding::new(Weight::Read(Arc::new(table))).unwrap();
        let ids = Tensor::new(&[[3u32, 0, 39, 3]], &Device::Cpu).unwrap();
        let looked_up = embedding.forward(&ids).unwrap();
        assert_eq!(looked_up.dims(), &[1, 4, 256]);
        let expected = dense.index_select(&ids.flatten_all().unwrap(), 0).unwrap().unsqueeze(0).unwrap();
        assert_eq!(max_abs_diff(&looked_up, &expected).0, 0.0, "{dtype:?}");
        let outside = Tensor::new(&[[40u32]], &Device::Cpu).unwrap();
        let err = embedding.forward(&outside).unwrap_err().to_string();
        assert!(err.contains("token id 40 is outside the embedding table of 40 rows"), "{dtype:?}: {err}");
    }
}

/// candle-transformers' own decoder for `path` (Llama or Qwen2), run greedily from `prompt` for `steps` tokens:
/// the logits after the prompt and after each token fed back, and the tokens it chose.
pub(crate) fn candle_reference_logits(
    path: &std::path::Path,
    prompt: &[u32],
    steps: usize,
) -> (Vec<Vec<f32>>, Vec<u32>) {
    use candle_transformers::models::{quantized_llama, quantized_qwen2};
    let device = Device::Cpu;
    let mut file = std::fs::File::open(path).unwrap();
    let content = candle_core::quantized::gguf_file::Content::read(&mut file).unwrap();
    let arch = content.metadata["general.architecture"].to_string().unwrap().clone();
    type Forward = Box<dyn FnMut(&Tensor, usize) -> Tensor>;
    let mut forward: Forward = match arch.as_str() {
        "llama" => {
            let mut m = quantized_llama::ModelWeights::from_gguf(content, &mut file, &device).unwrap();
            Box::new(move |x, pos| m.forward(x, pos).unwrap())
        }
        "qwen2" => {
            let mut m = quantized_qwen2::ModelWeights::from_gguf(content, &mut file, &device).unwrap();
            Box::new(move |x, pos| m.forward(x, pos).unwrap())
        }
        other => panic!("no reference decoder for {other}"),
    };
    let input = Tensor::new(prompt, &device).unwrap().unsqueeze(0).unwrap();
    let mut logits = forward(&input, 0).squeeze(0).unwrap();
    let (mut all, mut tokens) = (Vec::new(), Vec::new());
    for step in 0..=steps {
        all.push(logits.to_vec1::<f32>().unwrap());
        if step == steps {
            break;
        }
        let next = logits.argmax(0).unwrap().to_scalar::<u32>().unwrap();
        tokens.push(next);
        let input = Tensor::new(&[next], &device).unwrap().unsqueeze(0).unwrap();
        logits = forward(&input, prompt.len() + step).squeeze(0).unwrap();
    }
    (all, tokens)
}

/// Compares the engine's decoder with candle-transformers' on `path`, the engine following the reference's greedy
/// tokens: logits within `tolerance` of the largest logit's magnitude at every step, and the same greedy token,
/// except where the reference's own top two are closer than that tolerance (a near-tie the stated precision
/// cannot order). Returns the largest relative logit difference seen and the number of such near-ties where the
/// engine picked the other token.
pub(crate) fn assert_matches_candle(
    path: &std::path::Path,
    prompt: &[u32],
    steps: usize,
    tolerance: f32,
) -> (f32, usize) {
    let (theirs, tokens) = candle_reference_logits(path, prompt, steps);
    let mut model = tend_engine::Model::load(path, &mut |_| {}).unwrap();
    let ours = model.forced_logits(prompt, &tokens).unwrap();
    assert_eq!(ours.len(), theirs.len());
    let argmax = |l: &[f32]| l.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)).map_or(0, |(i, _)| i);
    let (mut worst, mut ties) = (0f32, 0);
    for (step, (a, b)) in ours.iter().zip(&theirs).enumerate() {
        let diff = a.iter().zip(b).fold(0f32, |m, (x, y)| m.max((x - y).abs()));
        let scale = b.iter().fold(0f32, |m, y| m.max(y.abs())).max(f32::MIN_POSITIVE);
        assert!(diff <= tolerance * scale, "{}: logits differ by {diff} of {scale} at step {step}", path.display());
        worst = worst.max(diff / scale);
        let (mine, reference) = (argmax(a), argmax(b));
        if mine != reference {
            let margin = b[reference] - b[mine];
            assert!(
                margin <= tolerance * scale,
                "{}: greedy token at step {step} is {mine}; the reference's {reference} leads by {margin} of {scale}",
                path.display()
            );
            ties += 1;
        }
    }
    (worst, ties)
}

#[test]
fn the_engines_decoder_matches_candles_on_tiny_models() {
    for arch in ["llama", "qwen2"] {
        let path = crate::support::tiny::model(arch);
        let prompt: Vec<u32> = (3..40).collect();
        let (_, ties) = assert_matches_candle(&path, &prompt, 12, 1e-4);
        assert_eq!(ties, 0, "{arch}: the same greedy token at every step");
    }
    // A prompt longer than one prefill chunk (512 tokens), so the second chunk attends to cached positions, then
    // decoding past 1,024 positions. Over a thousand positions of random weights the 8-bit activation rounding
    // drifts further from candle's f32 activations (seen: 1.0% of the top logit), so the bound is wider here; a
    // cache that lost or misplaced positions is far outside it (seen: 5.3% with a trial cache that dropped the first
    // chunk's keys).
    let prompt: Vec<u32> = (0..1020).map(|i| 3 + (i * 7) % 200).collect();
    assert_matches_candle(&crate::support::tiny::task_sized_model(), &prompt, 8, 0.03);
}

#[test]
fn tend_isa_avx2_limits_every_kernel_and_each_draft_says_which_ran() {
    let model = crate::support::tiny::task_sized_model();
    let run = |isa: &str| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_tend"))
            .args(["draft", "--json", "--max-tokens", "4", "--task", "check", "--input"])
            .arg(crate::support::repo_root().join("examples/am-call.txt"))
            .arg("--model")
            .arg(&model)
            .env("TEND_ISA", isa)
            .env_remove("MISTRALRS_FORCE_AVX2")
            .env("TEND_CONFIG", "/nonexistent/tend.toml")
            .output()
            .expect("run tend");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    // Limited to AVX2: the engine's tiles, candle's k-quants (through its own switch, set before any thread starts)
    // and the f32 work, reported on the command line and in the draft's provenance.
    let (ok, stdout, stderr) = run("avx2");
    assert!(ok, "{stderr}");
    let report = if kernels::TILE_BUILD {
        "Avx2: tiles Avx2, candle k-quants AVX2, f32 AVX2"
    } else {
        "Avx2: no tiles (a build without AVX2: row kernels), candle k-quants AVX2, f32 baseline"
    };
    assert!(stderr.contains(report), "{stderr}");
    let draft: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
    assert_eq!(draft["provenance"]["kernels"], report, "{draft}");
    // Native: the best this processor has, as the test process detects it (unless the test process itself runs
    // limited to AVX2, as CI's second pass does).
    let (ok, _, stderr) = run("native");
    let native = if !kernels::TILE_BUILD {
        "Native: no tiles".to_string()
    } else if kernels::forced_avx2() {
        "Native: tiles ".to_string()
    } else {
        format!("Native: tiles {:?}", DotProduct::detected())
    };
    assert!(ok && stderr.contains(&native), "{stderr}");
    // Baseline: the portable code of a build without AVX2, in this build.
    let (ok, _, stderr) = run("baseline");
    let baseline = if kernels::TILE_BUILD {
        "Baseline: no tiles (row kernels, portable code), candle k-quants AVX2, f32 AVX2"
    } else {
        "Baseline: no tiles (a build without AVX2: row kernels), candle k-quants AVX2, f32 baseline"
    };
    assert!(ok && stderr.contains(baseline), "{stderr}");
    // A setting Tend cannot read is a clear error, not a silent fallback.
    let (ok, _, stderr) = run("avx512-please");
    assert!(!ok && stderr.contains("TEND_ISA=\"avx512-please\" is not a setting: use avx2"), "{stderr}");
}

#[test]
fn a_draft_works_out_the_thread_count_once_not_at_every_matrix_product() {
    // Without RAYON_NUM_THREADS in its environment candle works out its thread count again at every f32 matrix
    // product (attention: two a layer for every token), reading /proc/cpuinfo each time (seen: 3,938 reads in one
    // draft by Qwen 0.5B). The command line sets the variable at start-up, so a whole draft reads it at most once.
    let dir = tempfile::tempdir().expect("temporary folder");
    let trace = dir.path().join("opens.trace");
    let out = std::process::Command::new("strace")
        .args(["-f", "-qq", "-e", "trace=openat", "-e", "signal=none", "-o"])
        .arg(&trace)
        .arg(env!("CARGO_BIN_EXE_tend"))
        .args(["draft", "--json", "--max-tokens", "8", "--task", "check", "--input"])
        .arg(crate::support::repo_root().join("examples/am-call.txt"))
        .arg("--model")
        .arg(crate::support::tiny::task_sized_model())
        .env_remove("RAYON_NUM_THREADS")
        .env_remove("CANDLE_NUM_THREADS")
        .env("TEND_CONFIG", "/nonexistent/tend.toml")
        .output()
        .expect("run strace (apt-get install strace)");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let opens = std::fs::read_to_string(&trace).expect("trace");
    let reads = opens.lines().filter(|l| l.contains("\"/proc/cpuinfo\"")).count();
    assert!(reads <= 1, "/proc/cpuinfo opened {reads} times in one draft");
}
#[test]
fn the_kernels_give_the_same_bits_on_one_thread_and_on_the_pool() {
    // So choosing per decode step (tend_engine::threads) never changes a draft.
    let mut rng = StdRng::seed_from_u64(11);
    for (dtype, k, n) in [(GgmlDType::Q4K, 512, 64), (GgmlDType::Q8_0, 256, 48), (GgmlDType::Q6K, 256, 32)] {
        let weights = QTensor::quantize(&random(&mut rng, &[n, k]), dtype).unwrap();
        // The engine's kernel, or candle's where it has none (k-quants without the tile kernel).
        let linear = Linear::new(weights).unwrap();
        for m in [1, 9] {
            let xs = random(&mut rng, &[1, m, k]);
            let pooled = linear.forward(&xs).unwrap().flatten_all().unwrap().to_vec1::<f32>().unwrap();
            tend_engine::kernels::set_one_thread(true);
            let alone = linear.forward(&xs);
            tend_engine::kernels::set_one_thread(false);
            let alone = alone.unwrap().flatten_all().unwrap().to_vec1::<f32>().unwrap();
            let same = pooled.iter().zip(&alone).all(|(a, b)| a.to_bits() == b.to_bits());
            assert!(same, "{dtype:?} {m} rows");
        }
    }
}
