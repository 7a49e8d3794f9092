//! Llama-family decoders (`general.architecture = llama`: Llama 2 and 3, SmolLM2, Mistral-style files), on
//! candle-transformers' `quantized_llama`. Rotary tables cover `MAX_SEQ_LEN` positions.

use std::io::{Read, Seek};

use candle_core::quantized::gguf_file::Content;
use candle_core::{Device, Tensor};
use candle_transformers::models::quantized_llama::{MAX_SEQ_LEN, ModelWeights};

use super::{Capabilities, Forward};

struct Llama(ModelWeights);

pub(super) fn load<R: Read + Seek>(
    content: Content,
    reader: &mut R,
    device: &Device,
) -> candle_core::Result<(Box<dyn Forward>, Capabilities)> {
    let max_positions = super::context_length(&content, "llama")?.min(MAX_SEQ_LEN);
    let weights = ModelWeights::from_gguf(content, reader, device)?;
    Ok((Box::new(Llama(weights)), Capabilities { extends_cache: true, max_positions }))
}

impl Forward for Llama {
    fn forward(&mut self, tokens: &Tensor, pos: usize) -> candle_core::Result<Tensor> {
        self.0.forward(tokens, pos)?.squeeze(0)
    }
    fn clear(&mut self) {
        self.0.clear_kv_cache();
    }
    fn snapshot(&self) -> Option<Box<dyn Forward>> {
        // The cache is extended with Tensor::cat, which allocates: a clone's extension leaves this one intact.
        Some(Box::new(Llama(self.0.clone())))
    }
}
