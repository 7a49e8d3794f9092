//! Model architectures, one file each, chosen by the GGUF key `general.architecture`. Each wraps a quantised
//! decoder behind [`Forward`]; this is the only place that knows candle-transformers' model types.

use std::io::{Read, Seek};
use std::sync::Arc;

use candle_core::quantized::gguf_file::Content;
use candle_core::{Device, Tensor};
use memmap2::Mmap;

use crate::error::{EngineError, Result, candle_message};

/// Implements [`Forward`] for a newtype around one of candle-transformers' quantised `ModelWeights`:
/// `clear` forgets the cache (or does nothing where a pass from position 0 replaces it), and `snapshot` says
/// whether a clone may be extended without touching the original.
macro_rules! candle_decoder {
    ($name:ident, clear: |$w:ident| $clear:expr, snapshot: $snapshot:expr) => {
        struct $name(ModelWeights);

        impl Forward for $name {
            fn forward(&mut self, tokens: &Tensor, pos: usize) -> candle_core::Result<Tensor> {
                self.0.forward(tokens, pos)?.squeeze(0)
            }
            fn clear(&mut self) {
                let $w = &mut self.0;
                $clear
            }
            fn snapshot(&self) -> Option<Box<dyn Forward>> {
                let snapshot: fn(&$name) -> Option<Box<dyn Forward>> = $snapshot;
                snapshot(self)
            }
        }
    };
}

mod decoder;
mod gemma3;
mod llama;
mod phi3;
mod qwen2;
mod qwen3;

/// The values of `general.architecture` the engine can run.
pub const SUPPORTED_ARCHITECTURES: &[&str] = &["llama", "qwen2", "qwen3", "gemma3", "phi3"];

/// One loaded decoder with its KV cache.
pub(crate) trait Forward: Send {
    /// Runs `tokens` (shape `(1, n)`) placed at positions `pos..pos + n` and returns the logits of the last
    /// position, shape `(vocab,)`.
    fn forward(&mut self, tokens: &Tensor, pos: usize) -> candle_core::Result<Tensor>;
    /// Forgets every cached position.
    fn clear(&mut self);
    /// A copy that shares the weights and holds the current KV cache, when extending the copy leaves this one
    /// untouched. Used to keep an instruction prefix's cache across requests.
    fn snapshot(&self) -> Option<Box<dyn Forward>>;
}

/// What a loaded architecture can do besides a forward pass from position 0.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Capabilities {
    /// A multi-token chunk may be fed after cached positions (chunked prefill, prefix reuse).
    pub extends_cache: bool,
    /// The most positions the implementation has rotary tables for.
    pub max_positions: usize,
}

/// Loads the decoder named by `architecture` from an already validated GGUF header; `map` is the same file
/// mapped, for the decoders that map their weights.
pub(crate) fn load<R: Read + Seek>(
    architecture: &str,
    content: Content,
    reader: &mut R,
    map: &Arc<Mmap>,
    device: &Device,
) -> Result<(Box<dyn Forward>, Capabilities)> {
    let loaded = match architecture {
        "llama" => llama::load(content, reader, map, device),
        "qwen2" => qwen2::load(content, reader, map, device),
        "qwen3" => qwen3::load(content, reader, device),
        "gemma3" => gemma3::load(content, reader, device),
        "phi3" => phi3::load(content, reader, device),
        other => return Err(unsupported(other)),
    };
    loaded.map_err(|e| EngineError::Load(candle_message(&e)))
}

/// Whether files of `architecture` (with `experts` per layer, for Llama files) run on the engine's own decoder
/// (`decoder.rs`), which keeps the token embeddings in the file's format; the others run on candle-transformers'
/// decoders, which hold them dequantised to f32.
pub(crate) fn own_decoder(architecture: &str, experts: u64) -> bool {
    architecture == "qwen2" || architecture == "llama" && experts <= 1
}

/// The error for an architecture outside [`SUPPORTED_ARCHITECTURES`].
pub(crate) fn unsupported(found: &str) -> EngineError {
    EngineError::UnsupportedArchitecture { found: found.to_owned(), supported: SUPPORTED_ARCHITECTURES.to_vec() }
}

/// Reads `<arch>.context_length` from the header, for the architectures whose tables follow it.
fn context_length(content: &Content, architecture: &str) -> candle_core::Result<usize> {
    let key = format!("{architecture}.context_length");
    match content.metadata.get(&key) {
        Some(v) => Ok(v.to_u32()? as usize),
        None => candle_core::bail!("cannot find {key} in metadata"),
    }
}
