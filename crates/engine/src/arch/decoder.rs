//! The llama-family decoder (Llama, SmolLM2, Mistral-style and Qwen2 files) on the engine's kernels, adapted
//! from candle-transformers 0.11.1 `models/quantized_qwen2.rs` and `quantized_llama.rs` (Copyright the candle
//! authors, MIT OR Apache-2.0). Changes: one decoder for both, with Qwen2's attention biases optional and the
//! rotary convention chosen by architecture as llama.cpp does; weights multiplied by [`Linear`] (the engine's
//! kernels for Q8_0, Q5_0, Q4_1, Q4_K and Q6_K) and mapped from the file, the embedding table kept quantised
//! ([`Embedding`]); grouped-query attention without copies of K and V per query head; the weights derive `Clone`
//! (shared, not copied), so an instruction prefix's KV cache can be kept and extended by a copy; tracing spans
//! removed.

use std::io::{Read, Seek};
use std::sync::Arc;

use candle_core::quantized::gguf_file;
use candle_core::{DType, Device, IndexOp, Module, Result, Tensor};
use candle_transformers::quantized_nn::RmsNorm;
use memmap2::Mmap;

use super::{Capabilities, Forward};
use crate::kernels::{Embedding, Linear, Rows, Weight, causal_softmax, has_own_kernel};

/// Loads an `architecture` file whose context length is capped at `max_positions` (rotary tables are built for
/// every position at load: a file claiming billions would exhaust memory).
pub(super) fn load<R: Read + Seek>(
    architecture: &str,
    rope: Rope,
    max_positions: usize,
    content: gguf_file::Content,
    reader: &mut R,
    map: &Arc<Mmap>,
    device: &Device,
) -> Result<(Box<dyn Forward>, Capabilities)> {
    let max_positions = super::context_length(&content, architecture)?.min(max_positions);
    let tensors = Tensors { ct: &content, reader, map, device };
    let weights = ModelWeights::from_gguf(architecture, rope, tensors, max_positions)?;
    Ok((Box::new(weights), Capabilities { extends_cache: true, max_positions }))
}

// The cache is extended with Tensor::cat, which allocates: a clone's extension leaves the original intact.
impl Forward for ModelWeights {
    fn forward(&mut self, tokens: &Tensor, pos: usize) -> Result<Tensor> {
        ModelWeights::forward(self, tokens, pos)?.squeeze(0)
    }
    fn clear(&mut self) {
        self.clear_kv_cache()
    }
    fn snapshot(&self) -> Option<Box<dyn Forward>> {
        Some(Box::new(self.clone()))
    }
}

/// The file's tensors: the weights the engine's kernels multiply, and the embedding table, are mapped from the
/// file; the rest are read.
struct Tensors<'a, R> {
    ct: &'a gguf_file::Content,
    reader: &'a mut R,
    map: &'a Arc<Mmap>,
    device: &'a Device,
}

impl<R: Read + Seek> Tensors<'_, R> {
    fn read(&mut self, name: &str) -> Result<candle_core::quantized::QTensor> {
        self.ct.tensor(self.reader, name, self.device)
    }

    fn has(&self, name: &str) -> bool {
        self.ct.tensor_infos.contains_key(name)
    }

    fn mapped(&self, name: &str) -> Result<Weight> {
        let Some(info) = self.ct.tensor_infos.get(name) else { candle_core::bail!("cannot find tensor {name}") };
        let offset = usize::try_from(self.ct.tensor_data_offset + info.offset)
            .map_err(|_| candle_core::Error::Msg(format!("tensor {name} lies beyond the addressable memory")))?;
        Weight::mapped(self.map.clone(), offset, info.ggml_dtype, info.shape.dims().to_vec())
    }

    fn linear(&mut self, name: &str, rows: Rows) -> Result<Linear> {
        match self.ct.tensor_infos.get(name) {
            Some(info) if has_own_kernel(info.ggml_dtype, info.shape.dims()) => {
                Linear::from_weight(self.mapped(name)?, rows)
            }
            _ => Linear::new(self.read(name)?),
        }
    }
}

/// How positions rotate query and key vectors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Rope {
    /// Adjacent pairs `(2i, 2i+1)`: GGUF's Llama convention (llama.cpp's `LLAMA_ROPE_TYPE_NORM`).
    Interleaved,
    /// Pairs `(i, i + d/2)`: Qwen2's (llama.cpp's `LLAMA_ROPE_TYPE_NEOX`).
    Halves,
}

#[derive(Debug, Clone)]
struct Mlp {
    feed_forward_w1: Linear,
    feed_forward_w2: Linear,
    feed_forward_w3: Linear,
}

impl Module for Mlp {
    fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        let w1 = self.feed_forward_w1.forward(xs)?;
        let w3 = self.feed_forward_w3.forward(xs)?;
        self.feed_forward_w2.forward(&(candle_nn::ops::silu(&w1)? * w3)?)
    }
}

#[derive(Debug, Clone)]
struct LayerWeights {
    attention_wq: Linear,
    attention_wk: Linear,
    attention_wv: Linear,
    attention_bq: Option<Tensor>,
    attention_bk: Option<Tensor>,
    attention_bv: Option<Tensor>,
    attention_wo: Linear,
    attention_norm: RmsNorm,
    mlp: Mlp,
    ffn_norm: RmsNorm,
    n_head: usize,
    n_kv_head: usize,
    head_dim: usize,
    rope: Rope,
    cos: Tensor,
    sin: Tensor,
    kv_cache: Option<(Tensor, Tensor)>,
}

/// `xs + bias` where the layer has a bias.
fn add_bias(xs: Tensor, bias: Option<&Tensor>) -> Result<Tensor> {
    match bias {
        Some(bias) => xs.broadcast_add(bias),
        None => Ok(xs),
    }
}

impl LayerWeights {
    fn apply_rotary_emb(&self, x: &Tensor, index_pos: usize) -> Result<Tensor> {
        let (_b_sz, _n_head, seq_len, _n_embd) = x.dims4()?;
        let cos = self.cos.narrow(0, index_pos, seq_len)?;
        let sin = self.sin.narrow(0, index_pos, seq_len)?;
        match self.rope {
            Rope::Interleaved => candle_nn::rotary_emb::rope_i(&x.contiguous()?, &cos, &sin),
            Rope::Halves => candle_nn::rotary_emb::rope(&x.contiguous()?, &cos, &sin),
        }
    }

    fn forward_attn(&mut self, x: &Tensor, index_pos: usize) -> Result<Tensor> {
        let (b_sz, seq_len, n_embd) = x.dims3()?;
        let q = add_bias(self.attention_wq.forward(x)?, self.attention_bq.as_ref())?;
        let k = add_bias(self.attention_wk.forward(x)?, self.attention_bk.as_ref())?;
        let v = add_bias(self.attention_wv.forward(x)?, self.attention_bv.as_ref())?;
        let q = q.reshape((b_sz, seq_len, self.n_head, self.head_dim))?.transpose(1, 2)?.contiguous()?;
        let k = k.reshape((b_sz, seq_len, self.n_kv_head, self.head_dim))?.transpose(1, 2)?.contiguous()?;
        let v = v.reshape((b_sz, seq_len, self.n_kv_head, self.head_dim))?.transpose(1, 2)?.contiguous()?;
        let q = self.apply_rotary_emb(&q, index_pos)?;
        let k = self.apply_rotary_emb(&k, index_pos)?;

        // Tensor::cat allocates a new cache, so a clone's extension leaves the original untouched.
        let (k, v) = match &self.kv_cache {
            Some((k_cache, v_cache)) if index_pos > 0 => {
                (Tensor::cat(&[k_cache, &k], 2)?, Tensor::cat(&[v_cache, &v], 2)?)
            }
            _ => (k, v),
        };
        self.kv_cache = Some((k.clone(), v.clone()));

        // Grouped-query attention without copying K and V for every query head (candle's `repeat_kv`): the
        // `group` query heads that share a KV head (heads kv * group .. kv * group + group) become rows of one
        // product with that head's keys and values.
        let group = self.n_head / self.n_kv_head;
        let positions = k.dim(2)?;
        let q = q.reshape((b_sz, self.n_kv_head, group * seq_len, self.head_dim))?;
        let scores = q.matmul(&k.t()?)?;
        let att = causal_softmax(&scores, (1.0 / (self.head_dim as f64).sqrt()) as f32, seq_len, positions - seq_len)?;
        let y = att.matmul(&v)?.reshape((b_sz, self.n_head, seq_len, self.head_dim))?;
        let y = y.transpose(1, 2)?.reshape(&[b_sz, seq_len, n_embd])?;
        self.attention_wo.forward(&y)
    }
}

/// A llama-family model: weights shared between clones, KV cache per clone.
#[derive(Debug, Clone)]
pub(super) struct ModelWeights {
    tok_embeddings: Embedding,
    layers: Vec<LayerWeights>,
    norm: RmsNorm,
    output: Linear,
}

fn precompute_freqs_cis(
    head_dim: usize,
    freq_base: f32,
    context_length: usize,
    device: &Device,
) -> Result<(Tensor, Tensor)> {
    let theta: Vec<_> = (0..head_dim).step_by(2).map(|i| 1f32 / freq_base.powf(i as f32 / head_dim as f32)).collect();
    let theta = Tensor::new(theta.as_slice(), device)?;
    let idx_theta = Tensor::arange(0, context_length as u32, device)?
        .to_dtype(DType::F32)?
        .reshape((context_length, 1))?
        .matmul(&theta.reshape((1, theta.elem_count()))?)?;
    Ok((idx_theta.cos()?, idx_theta.sin()?))
}

impl ModelWeights {
    /// Reads the weights of an `architecture` (`llama` or `qwen2`) file named in `ct` from `reader`; rotary
    /// tables cover `context_length` positions.
    fn from_gguf<R: Seek + Read>(
        architecture: &str,
        rope: Rope,
        mut tensors: Tensors<'_, R>,
        context_length: usize,
    ) -> Result<Self> {
        let md_get = |key: &str| {
            let key = format!("{architecture}.{key}");
            let found = tensors.ct.metadata.get(&key);
            found.ok_or_else(|| candle_core::Error::Msg(format!("cannot find {key} in metadata")))
        };
        let head_count = md_get("attention.head_count")?.to_u32()? as usize;
        let head_count_kv = md_get("attention.head_count_kv")?.to_u32()? as usize;
        let embedding_length = md_get("embedding_length")?.to_u32()? as usize;
        let block_count = md_get("block_count")?.to_u32()? as usize;
        let rms_norm_eps = md_get("attention.layer_norm_rms_epsilon")?.to_f32()? as f64;
        let rope_freq_base = md_get("rope.freq_base").and_then(|m| m.to_f32()).unwrap_or(10000f32);
        let head_dim = embedding_length / head_count;
        let device = tensors.device;

        // Without output.weight the embeddings are tied.
        let output = tensors
            .linear(if tensors.has("output.weight") { "output.weight" } else { "token_embd.weight" }, Rows::One)?;
        let tok_embeddings = Embedding::new(tensors.mapped("token_embd.weight")?)?;
        let norm = RmsNorm::from_qtensor(tensors.read("output_norm.weight")?, rms_norm_eps)?;
        let (cos, sin) = precompute_freqs_cis(head_dim, rope_freq_base, context_length, device)?;

        let mut layers = Vec::with_capacity(block_count);
        for layer_idx in 0..block_count {
            let name = |suffix: &str| format!("blk.{layer_idx}.{suffix}");
            let mut bias = |suffix: &str| match tensors.has(&name(suffix)) {
                true => tensors.read(&name(suffix))?.dequantize(device).map(Some),
                false => Ok(None),
            };
            let attention_bq = bias("attn_q.bias")?;
            let attention_bk = bias("attn_k.bias")?;
            let attention_bv = bias("attn_v.bias")?;
            let mut linear = |suffix: &str| tensors.linear(&name(suffix), Rows::Many);
            let attention_wq = linear("attn_q.weight")?;
            let attention_wk = linear("attn_k.weight")?;
            let attention_wv = linear("attn_v.weight")?;
            let attention_wo = linear("attn_output.weight")?;
            let mlp = Mlp {
                feed_forward_w1: linear("ffn_gate.weight")?,
                feed_forward_w2: linear("ffn_down.weight")?,
                feed_forward_w3: linear("ffn_up.weight")?,
            };
            let mut norm = |suffix: &str| RmsNorm::from_qtensor(tensors.read(&name(suffix))?, rms_norm_eps);
            let attention_norm = norm("attn_norm.weight")?;
            let ffn_norm = norm("ffn_norm.weight")?;
            layers.push(LayerWeights {
                attention_wq,
                attention_wk,
                attention_wv,
                attention_bq,
                attention_bk,
                attention_bv,
                attention_wo,
                attention_norm,
                mlp,
                ffn_norm,
                n_head: head_count,
                n_kv_head: head_count_kv,
                head_dim,
                rope,
                cos: cos.clone(),
                sin: sin.clone(),
                kv_cache: None,
            });
        }
        Ok(Self { tok_embeddings, layers, norm, output })
    }

    /// Forgets every cached position.
    pub(super) fn clear_kv_cache(&mut self) {
        for layer in &mut self.layers {
            layer.kv_cache = None;
        }
    }

    /// Runs `x` (shape `(1, n)`) at positions `index_pos..index_pos + n`; returns the last position's logits.
    pub(super) fn forward(&mut self, x: &Tensor, index_pos: usize) -> Result<Tensor> {
        let (_b_sz, seq_len) = x.dims2()?;
        let mut layer_in = self.tok_embeddings.forward(x)?;
        for layer in &mut self.layers {
            let residual = &layer_in;
            let x = layer.attention_norm.forward(residual)?;
            let attn = layer.forward_attn(&x, index_pos)?;
            let x = (attn + residual)?;
            let residual = &x;
            let y = layer.mlp.forward(&layer.ffn_norm.forward(residual)?)?;
            layer_in = (y + residual)?;
        }
        let x = self.norm.forward(&layer_in)?;
        let x = x.i((.., seq_len - 1, ..))?;
        self.output.forward(&x)
    }
}
