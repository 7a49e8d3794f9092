//! Qwen2 and Qwen2.5 decoders (`general.architecture = qwen2`), on the engine's copy of candle-transformers'
//! `quantized_qwen2` (`qwen2_weights.rs`), whose weights can be cloned so an instruction prefix's cache is kept.

use std::io::{Read, Seek};

use candle_core::quantized::gguf_file::Content;
use candle_core::{Device, Tensor};

use super::qwen2_weights::ModelWeights;
use super::{Capabilities, Forward};

/// The most positions Tend builds rotary tables for (Qwen2.5's longest context).
const MAX_POSITIONS: usize = 131_072;

// The cache is extended with Tensor::cat, which allocates: a clone's extension leaves the original intact.
candle_decoder!(Qwen2, clear: |w| w.clear_kv_cache(), snapshot: |d| Some(Box::new(Qwen2(d.0.clone()))));

pub(super) fn load<R: Read + Seek>(
    content: Content,
    reader: &mut R,
    device: &Device,
) -> candle_core::Result<(Box<dyn Forward>, Capabilities)> {
    // Rotary tables are built for every position at load: a file claiming billions would exhaust memory.
    let max_positions = super::context_length(&content, "qwen2")?.min(MAX_POSITIONS);
    let weights = ModelWeights::from_gguf(content, reader, device, max_positions)?;
    Ok((Box::new(Qwen2(weights)), Capabilities { extends_cache: true, max_positions }))
}
