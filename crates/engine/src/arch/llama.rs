//! Llama-family decoders (`general.architecture = llama`: Llama 2 and 3, SmolLM2, Mistral-style files), on the
//! engine's llama-family decoder (`decoder.rs`). Mixture-of-experts files (`llama.expert_count` above 1) run on
//! candle-transformers' `quantized_llama`, whose rotary tables cover `MAX_SEQ_LEN` positions.

use std::io::{Read, Seek};
use std::sync::Arc;

use candle_core::quantized::gguf_file::Content;
use candle_core::{Device, Tensor};
use candle_transformers::models::quantized_llama::{MAX_SEQ_LEN, ModelWeights};
use memmap2::Mmap;

use super::decoder::Rope;
use super::{Capabilities, Forward};

/// The most positions Tend builds rotary tables for (Llama 3's longest context).
const MAX_POSITIONS: usize = 131_072;

// The cache is extended with Tensor::cat, which allocates: a clone's extension leaves the original intact.
candle_decoder!(
    MixtureOfExperts,
    clear: |w| w.clear_kv_cache(),
    snapshot: |d| Some(Box::new(MixtureOfExperts(d.0.clone())))
);

pub(super) fn load<R: Read + Seek>(
    content: Content,
    reader: &mut R,
    map: &Arc<Mmap>,
    device: &Device,
) -> candle_core::Result<(Box<dyn Forward>, Capabilities)> {
    let experts = content.metadata.get("llama.expert_count").and_then(|v| v.to_u32().ok()).unwrap_or(0);
    if super::own_decoder("llama", experts.into()) {
        return super::decoder::load("llama", Rope::Interleaved, MAX_POSITIONS, content, reader, map, device);
    }
    let max_positions = super::context_length(&content, "llama")?.min(MAX_SEQ_LEN);
    let weights = ModelWeights::from_gguf(content, reader, device)?;
    Ok((Box::new(MixtureOfExperts(weights)), Capabilities { extends_cache: true, max_positions }))
}
