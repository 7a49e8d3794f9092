//! Phi-3 and Phi-3.5 decoders (`general.architecture = phi3`), on candle-transformers' `quantized_phi3`.

use std::io::{Read, Seek};

use candle_core::quantized::gguf_file::Content;
use candle_core::{Device, Tensor};
use candle_transformers::models::quantized_phi3::ModelWeights;

use super::{Capabilities, Forward};

struct Phi3(ModelWeights);

pub(super) fn load<R: Read + Seek>(
    content: Content,
    reader: &mut R,
    device: &Device,
) -> candle_core::Result<(Box<dyn Forward>, Capabilities)> {
    let max_positions = super::context_length(&content, "phi3")?;
    let weights = ModelWeights::from_gguf(false, content, reader, device)?;
    Ok((Box::new(Phi3(weights)), Capabilities { extends_cache: true, max_positions }))
}

impl Forward for Phi3 {
    fn forward(&mut self, tokens: &Tensor, pos: usize) -> candle_core::Result<Tensor> {
        self.0.forward(tokens, pos)?.squeeze(0)
    }
    fn clear(&mut self) {
        // The cache is reset whenever a forward pass starts at position 0.
    }
    fn snapshot(&self) -> Option<Box<dyn Forward>> {
        // Its cache writes into a preallocated buffer that clones share: not safe to copy.
        None
    }
}
