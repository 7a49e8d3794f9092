//! Tiny GGUF models for each supported architecture: a few layers of seeded random weights, a small vocabulary,
//! the tokenizer and chat template in the metadata, written with candle's GGUF writer. They load and generate in
//! milliseconds and behave the same on every run.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use candle_core::quantized::gguf_file::{self, Value};
use candle_core::quantized::{GgmlDType, QTensor};
use candle_core::{Device, Tensor};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const HIDDEN: usize = 64;
const HEADS: usize = 4;
const KV_HEADS: usize = 2;
const HEAD_DIM: usize = HIDDEN / HEADS;
const FF: usize = 128;
const LAYERS: usize = 2;
/// Context window of every tiny model, small so that overflow is easy to test.
pub const CONTEXT: u32 = 256;

/// ChatML, as Qwen and SmolLM2 use it.
pub const CHATML: &str = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}";
/// A Gemma-style template (system text folded into the first user turn).
pub const GEMMA_STYLE: &str = "{{ bos_token }}{% for message in messages %}{% set role = 'model' if message['role'] == 'assistant' else 'user' %}{{ '<start_of_turn>' + role + '\n' + message['content'] | trim + '<end_of_turn>\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<start_of_turn>model\n' }}{% endif %}";

/// The architectures the engine supports, each with its tiny model.
pub const ARCHITECTURES: &[&str] = &["llama", "qwen2", "qwen3", "gemma3", "phi3"];

/// The tiny model of `arch`, written once per test process into a temporary folder.
pub fn model(arch: &str) -> PathBuf {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    let dir = DIR.get_or_init(|| tempfile::tempdir().expect("temporary folder"));
    let path = dir.path().join(format!("tiny-{arch}.gguf"));
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    if !path.exists() {
        write_model(arch, &path, None);
    }
    path
}

/// A tiny llama whose context fits a whole task prompt (the task templates need about 1,000 tokens of this
/// byte-level vocabulary), written once per test process.
pub fn task_sized_model() -> PathBuf {
    static PATH: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, path) = PATH.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temporary folder");
        let path = dir.path().join("tiny-llama-4k.gguf");
        write_model_with_context("llama", &path, None, 4096, &[]);
        (dir, path)
    });
    path.clone()
}

/// Writes the tiny model of `arch` to `path`; `template` replaces the default chat template (None keeps it;
/// `Some("")` leaves the template out).
pub fn write_model(arch: &str, path: &Path, template: Option<&str>) {
    write_model_with_context(arch, path, template, CONTEXT, &[]);
}

/// Writes the tiny model of `arch` to `path` with some of its architecture's sizes replaced ("attention.head_count"
/// 0): a file a hostile or broken converter could make.
pub fn write_model_with_sizes(arch: &str, path: &Path, sizes: &[(&str, u32)]) {
    write_model_with_context(arch, path, None, CONTEXT, sizes);
}

/// Writes the tiny Gemma 3 with SentencePiece's space prefix on, as Llama 2 and Phi-3.5 have it: its decoder strips
/// the space a decoded sequence starts with, so text streamed token by token must be decoded after the token
/// before.
pub fn write_space_prefix_model(path: &Path) {
    write_model_with(
        &Variant { arch: "gemma3", template: None, context: CONTEXT, sizes: &[], space_prefix: true },
        path,
    );
}

/// What a tiny model differs in.
struct Variant<'a> {
    arch: &'a str,
    template: Option<&'a str>,
    context: u32,
    sizes: &'a [(&'a str, u32)],
    space_prefix: bool,
}

fn write_model_with_context(arch: &str, path: &Path, template: Option<&str>, context: u32, sizes: &[(&str, u32)]) {
    write_model_with(&Variant { arch, template, context, sizes, space_prefix: false }, path);
}

fn write_model_with(variant: &Variant<'_>, path: &Path) {
    let Variant { arch, template, context, sizes, space_prefix } = *variant;
    let mut rng = StdRng::seed_from_u64(0x7e4d ^ arch.len() as u64);
    let spm = arch == "gemma3";
    let (tokens, types, extra) = if spm { spm_vocab(space_prefix) } else { bpe_vocab(arch) };
    let vocab = tokens.len();
    let mut meta: Vec<(String, Value)> = vec![
        ("general.architecture".into(), Value::String(arch.into())),
        ("general.name".into(), Value::String(format!("tiny-{arch}"))),
        ("general.license".into(), Value::String("apache-2.0".into())),
        ("tokenizer.ggml.tokens".into(), Value::Array(tokens.into_iter().map(Value::String).collect())),
        ("tokenizer.ggml.token_type".into(), Value::Array(types.into_iter().map(Value::I32).collect())),
    ];
    meta.extend(extra);
    let default_template = if spm { GEMMA_STYLE } else { CHATML };
    match template.unwrap_or(default_template) {
        "" => {}
        t => meta.push(("tokenizer.chat_template".into(), Value::String(t.into()))),
    }
    let p = |k: &str| format!("{arch}.{k}");
    let u = |v: usize| Value::U32(v as u32);
    meta.extend([
        (p("context_length"), Value::U32(context)),
        (p("embedding_length"), u(HIDDEN)),
        (p("block_count"), u(LAYERS)),
        (p("feed_forward_length"), u(FF)),
        (p("attention.head_count"), u(HEADS)),
        (p("attention.head_count_kv"), u(KV_HEADS)),
        (p("attention.layer_norm_rms_epsilon"), Value::F32(1e-6)),
        (p("rope.freq_base"), Value::F32(10_000.0)),
        (p("rope.dimension_count"), u(HEAD_DIM)),
        (p("attention.key_length"), u(HEAD_DIM)),
        (p("attention.value_length"), u(HEAD_DIM)),
        (p("attention.sliding_window"), u(64)),
    ]);
    for (key, value) in sizes {
        let key = p(key);
        meta.retain(|(k, _)| *k != key);
        meta.push((key, Value::U32(*value)));
    }

    let mut tensors: Vec<(String, QTensor)> = Vec::new();
    let mut add = |name: String, dims: &[usize], quantized: bool, rng: &mut StdRng| {
        let n: usize = dims.iter().product();
        let scale = if dims.len() == 1 { 0.0 } else { 0.08 };
        let data: Vec<f32> = (0..n).map(|_| if scale == 0.0 { 1.0 } else { rng.random_range(-scale..scale) }).collect();
        let tensor = Tensor::from_vec(data, dims, &Device::Cpu).expect("tensor");
        let dtype = if quantized { GgmlDType::Q8_0 } else { GgmlDType::F32 };
        tensors.push((name, QTensor::quantize(&tensor, dtype).expect("quantize")));
    };
    add("token_embd.weight".into(), &[vocab, HIDDEN], true, &mut rng);
    add("output_norm.weight".into(), &[HIDDEN], false, &mut rng);
    add("output.weight".into(), &[vocab, HIDDEN], true, &mut rng);
    let kv = KV_HEADS * HEAD_DIM;
    for layer in 0..LAYERS {
        let b = |s: &str| format!("blk.{layer}.{s}");
        add(b("attn_norm.weight"), &[HIDDEN], false, &mut rng);
        add(b("ffn_norm.weight"), &[HIDDEN], false, &mut rng);
        add(b("attn_output.weight"), &[HIDDEN, HIDDEN], true, &mut rng);
        add(b("ffn_down.weight"), &[HIDDEN, FF], true, &mut rng);
        if arch == "phi3" {
            add(b("attn_qkv.weight"), &[HIDDEN + 2 * kv, HIDDEN], true, &mut rng);
            add(b("ffn_up.weight"), &[2 * FF, HIDDEN], true, &mut rng);
            continue;
        }
        add(b("attn_q.weight"), &[HIDDEN, HIDDEN], true, &mut rng);
        add(b("attn_k.weight"), &[kv, HIDDEN], true, &mut rng);
        add(b("attn_v.weight"), &[kv, HIDDEN], true, &mut rng);
        add(b("ffn_gate.weight"), &[FF, HIDDEN], true, &mut rng);
        add(b("ffn_up.weight"), &[FF, HIDDEN], true, &mut rng);
        if arch == "qwen2" {
            add(b("attn_q.bias"), &[HIDDEN], false, &mut rng);
            add(b("attn_k.bias"), &[kv], false, &mut rng);
            add(b("attn_v.bias"), &[kv], false, &mut rng);
        }
        if arch == "qwen3" || arch == "gemma3" {
            add(b("attn_q_norm.weight"), &[HEAD_DIM], false, &mut rng);
            add(b("attn_k_norm.weight"), &[HEAD_DIM], false, &mut rng);
        }
        if arch == "gemma3" {
            add(b("post_attention_norm.weight"), &[HIDDEN], false, &mut rng);
            add(b("post_ffw_norm.weight"), &[HIDDEN], false, &mut rng);
        }
    }
    let meta_refs: Vec<(&str, &Value)> = meta.iter().map(|(k, v)| (k.as_str(), v)).collect();
    let tensor_refs: Vec<(&str, &QTensor)> = tensors.iter().map(|(k, v)| (k.as_str(), v)).collect();
    let mut file = std::fs::File::create(path).expect("create tiny model");
    gguf_file::write(&mut file, &meta_refs, &tensor_refs).expect("write tiny model");
}

/// GPT-2's map from bytes to printable characters, as byte-level BPE vocabularies spell them.
pub fn byte_chars() -> Vec<char> {
    let mut printable: Vec<u32> = (u32::from('!')..=u32::from('~')).collect();
    printable.extend(u32::from('¡')..=u32::from('¬'));
    printable.extend(u32::from('®')..=u32::from('ÿ'));
    let mut map = vec!['\0'; 256];
    let mut extra = 0;
    for b in 0..256u32 {
        let c = if printable.contains(&b) {
            b
        } else {
            extra += 1;
            255 + extra
        };
        map[b as usize] = char::from_u32(c).expect("char");
    }
    map
}

/// The merges of the tiny byte-level vocabulary.
pub const BPE_MERGES: &[(&str, &str)] = &[
    ("Ġ", "t"),
    ("h", "e"),
    ("Ġt", "he"),
    ("i", "n"),
    ("a", "n"),
    ("Ġ", "a"),
    ("e", "d"),
    ("Ġ", "s"),
    ("o", "n"),
    ("e", "r"),
];

/// Byte-level BPE vocabulary: 256 byte symbols, the merged tokens, then ChatML control tokens.
fn bpe_vocab(arch: &str) -> (Vec<String>, Vec<i32>, Vec<(String, Value)>) {
    let mut tokens: Vec<String> = byte_chars().into_iter().map(String::from).collect();
    tokens.extend(BPE_MERGES.iter().map(|(a, b)| format!("{a}{b}")));
    let mut types = vec![1; tokens.len()];
    let first_special = tokens.len() as u64;
    for special in ["<|endoftext|>", "<|im_start|>", "<|im_end|>"] {
        tokens.push(special.into());
        types.push(3);
    }
    let merges = BPE_MERGES.iter().map(|(a, b)| Value::String(format!("{a} {b}"))).collect();
    let pre = match arch {
        "qwen2" | "qwen3" => "qwen2",
        "llama" => "llama-bpe",
        _ => "default",
    };
    let extra = vec![
        ("tokenizer.ggml.model".into(), Value::String("gpt2".into())),
        ("tokenizer.ggml.pre".into(), Value::String(pre.into())),
        ("tokenizer.ggml.merges".into(), Value::Array(merges)),
        ("tokenizer.ggml.bos_token_id".into(), Value::U32(first_special as u32)),
        ("tokenizer.ggml.eos_token_id".into(), Value::U32(first_special as u32 + 2)),
        ("tokenizer.ggml.add_bos_token".into(), Value::Bool(false)),
    ];
    (tokens, types, extra)
}

/// SentencePiece vocabulary: control tokens, 256 byte tokens, letters and a few scored pieces.
fn spm_vocab(space_prefix: bool) -> (Vec<String>, Vec<i32>, Vec<(String, Value)>) {
    let mut tokens: Vec<String> =
        ["<pad>", "<eos>", "<bos>", "<unk>", "<start_of_turn>", "<end_of_turn>"].map(String::from).to_vec();
    let mut types = vec![3, 3, 3, 2, 3, 3];
    let mut scores = vec![0.0f32; tokens.len()];
    for b in 0..=255u8 {
        tokens.push(format!("<0x{b:02X}>"));
        types.push(6);
        scores.push(0.0);
    }
    let singles = "▁abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,:;!?'-&/()";
    for (i, c) in singles.chars().enumerate() {
        tokens.push(c.to_string());
        types.push(1);
        scores.push(-10.0 - i as f32 * 0.01);
    }
    for (i, piece) in ["▁t", "he", "▁the", "in", "an", "▁a", "ed", "▁s", "on", "er"].iter().enumerate() {
        tokens.push((*piece).into());
        types.push(1);
        scores.push(-1.0 - i as f32 * 0.1);
    }
    let extra = vec![
        ("tokenizer.ggml.model".into(), Value::String("llama".into())),
        ("tokenizer.ggml.scores".into(), Value::Array(scores.into_iter().map(Value::F32).collect())),
        ("tokenizer.ggml.bos_token_id".into(), Value::U32(2)),
        ("tokenizer.ggml.eos_token_id".into(), Value::U32(1)),
        ("tokenizer.ggml.unknown_token_id".into(), Value::U32(3)),
        ("tokenizer.ggml.add_bos_token".into(), Value::Bool(true)),
        ("tokenizer.ggml.add_space_prefix".into(), Value::Bool(space_prefix)),
    ];
    (tokens, types, extra)
}
