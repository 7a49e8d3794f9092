//! Qwen2 and Qwen2.5 decoders (`general.architecture = qwen2`), on candle-transformers' `quantized_qwen2`.
//! Its weights type cannot be cloned, so an instruction prefix's cache is not kept across requests yet.

use std::io::{Read, Seek};

use candle_core::quantized::gguf_file::Content;
use candle_core::{Device, Tensor};
use candle_transformers::models::quantized_qwen2::ModelWeights;

use super::{Capabilities, Forward};

candle_decoder!(Qwen2, clear: |w| w.clear_kv_cache(), snapshot: |_| None);

pub(super) fn load<R: Read + Seek>(
    content: Content,
    reader: &mut R,
    device: &Device,
) -> candle_core::Result<(Box<dyn Forward>, Capabilities)> {
    let max_positions = super::context_length(&content, "qwen2")?;
    let weights = ModelWeights::from_gguf(content, reader, device)?;
    Ok((Box::new(Qwen2(weights)), Capabilities { extends_cache: true, max_positions }))
}
