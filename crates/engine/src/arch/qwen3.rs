//! Qwen3 decoders (`general.architecture = qwen3`), on candle-transformers' `quantized_qwen3`.

use std::io::{Read, Seek};

use candle_core::quantized::gguf_file::Content;
use candle_core::{Device, Tensor};
use candle_transformers::models::quantized_qwen3::ModelWeights;

use super::{Capabilities, Forward};

struct Qwen3(ModelWeights);

pub(super) fn load<R: Read + Seek>(
    content: Content,
    reader: &mut R,
    device: &Device,
) -> candle_core::Result<(Box<dyn Forward>, Capabilities)> {
    let max_positions = super::context_length(&content, "qwen3")?;
    let weights = ModelWeights::from_gguf(content, reader, device)?;
    Ok((Box::new(Qwen3(weights)), Capabilities { extends_cache: true, max_positions }))
}

impl Forward for Qwen3 {
    fn forward(&mut self, tokens: &Tensor, pos: usize) -> candle_core::Result<Tensor> {
        self.0.forward(tokens, pos)?.squeeze(0)
    }
    fn clear(&mut self) {
        self.0.clear_kv_cache();
    }
    fn snapshot(&self) -> Option<Box<dyn Forward>> {
        // On the CPU its cache writes into a preallocated buffer that clones share: not safe to copy.
        None
    }
}
