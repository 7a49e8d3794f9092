//! Qwen3 decoders (`general.architecture = qwen3`), on candle-transformers' `quantized_qwen3`.

use std::io::{Read, Seek};

use candle_core::quantized::gguf_file::Content;
use candle_core::{Device, Tensor};
use candle_transformers::models::quantized_qwen3::ModelWeights;

use super::{Capabilities, Forward};

// On the CPU its cache writes into a preallocated buffer that clones share: not safe to copy.
candle_decoder!(Qwen3, clear: |w| w.clear_kv_cache(), snapshot: |_| None);

pub(super) fn load<R: Read + Seek>(
    content: Content,
    reader: &mut R,
    device: &Device,
) -> candle_core::Result<(Box<dyn Forward>, Capabilities)> {
    let max_positions = super::context_length(&content, "qwen3")?;
    let weights = ModelWeights::from_gguf(content, reader, device)?;
    Ok((Box::new(Qwen3(weights)), Capabilities { extends_cache: true, max_positions }))
}
