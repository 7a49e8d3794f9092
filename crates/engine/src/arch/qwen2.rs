//! Qwen2 and Qwen2.5 decoders (`general.architecture = qwen2`), on the engine's llama-family decoder
//! (`decoder.rs`) with Qwen2's attention biases and rotary convention.

use std::io::{Read, Seek};
use std::sync::Arc;

use candle_core::Device;
use candle_core::quantized::gguf_file::Content;
use memmap2::Mmap;

use super::decoder::Rope;
use super::{Capabilities, Forward};

/// The most positions Tend builds rotary tables for (Qwen2.5's longest context).
const MAX_POSITIONS: usize = 131_072;

pub(super) fn load<R: Read + Seek>(
    content: Content,
    reader: &mut R,
    map: &Arc<Mmap>,
    device: &Device,
) -> candle_core::Result<(Box<dyn Forward>, Capabilities)> {
    super::decoder::load("qwen2", Rope::Halves, MAX_POSITIONS, content, reader, map, device)
}
