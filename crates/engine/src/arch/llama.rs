//! Llama-family decoders (`general.architecture = llama`: Llama 2 and 3, SmolLM2, Mistral-style files), on
//! candle-transformers' `quantized_llama`. Rotary tables cover `MAX_SEQ_LEN` positions.

use std::io::{Read, Seek};

use candle_core::quantized::gguf_file::Content;
use candle_core::{Device, Tensor};
use candle_transformers::models::quantized_llama::{MAX_SEQ_LEN, ModelWeights};

use super::{Capabilities, Forward};

// The cache is extended with Tensor::cat, which allocates: a clone's extension leaves the original intact.
candle_decoder!(Llama, clear: |w| w.clear_kv_cache(), snapshot: |d| Some(Box::new(Llama(d.0.clone()))));

pub(super) fn load<R: Read + Seek>(
    content: Content,
    reader: &mut R,
    device: &Device,
) -> candle_core::Result<(Box<dyn Forward>, Capabilities)> {
    let max_positions = super::context_length(&content, "llama")?.min(MAX_SEQ_LEN);
    let weights = ModelWeights::from_gguf(content, reader, device)?;
    Ok((Box::new(Llama(weights)), Capabilities { extends_cache: true, max_positions }))
}
