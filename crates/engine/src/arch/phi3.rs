//! Phi-3 and Phi-3.5 decoders (`general.architecture = phi3`), on candle-transformers' `quantized_phi3`.

use std::io::{Read, Seek};

use candle_core::quantized::gguf_file::Content;
use candle_core::{Device, Tensor};
use candle_transformers::models::quantized_phi3::ModelWeights;

use super::{Capabilities, Forward};

// The cache is reset whenever a forward pass starts at position 0; it writes into a preallocated buffer that
// clones share, so it is not safe to copy.
candle_decoder!(Phi3, clear: |w| { let _ = w; }, snapshot: |_| None);

pub(super) fn load<R: Read + Seek>(
    content: Content,
    reader: &mut R,
    device: &Device,
) -> candle_core::Result<(Box<dyn Forward>, Capabilities)> {
    let max_positions = super::context_length(&content, "phi3")?;
    let weights = ModelWeights::from_gguf(false, content, reader, device)?;
    Ok((Box::new(Phi3(weights)), Capabilities { extends_cache: true, max_positions }))
}
