//! Gemma 3 decoders (`general.architecture = gemma3`), on candle-transformers' `quantized_gemma3`.
//! Its attention mask breaks when a multi-token chunk follows cached positions, so every prompt is prefilled
//! in one piece from position 0.

use std::io::{Read, Seek};

use candle_core::quantized::gguf_file::Content;
use candle_core::{Device, Tensor};
use candle_transformers::models::quantized_gemma3::{MAX_SEQ_LEN, ModelWeights};

use super::{Capabilities, Forward};

// The cache is replaced whenever a forward pass starts at position 0.
candle_decoder!(Gemma3, clear: |w| { let _ = w; }, snapshot: |_| None);

pub(super) fn load<R: Read + Seek>(
    content: Content,
    reader: &mut R,
    device: &Device,
) -> candle_core::Result<(Box<dyn Forward>, Capabilities)> {
    let max_positions = super::context_length(&content, "gemma3").unwrap_or(MAX_SEQ_LEN).min(MAX_SEQ_LEN);
    let weights = ModelWeights::from_gguf(content, reader, device)?;
    Ok((Box::new(Gemma3(weights)), Capabilities { extends_cache: false, max_positions }))
}
