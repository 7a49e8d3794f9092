//! Opening and validating GGUF files before anything is loaded: magic, version, metadata and the tensor table,
//! with every tensor's bytes checked to lie inside the file. Also the facts `tend info` prints.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, Read, Seek};
use std::path::{Path, PathBuf};

use candle_core::quantized::gguf_file::{Content, Value};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::{EngineError, Result, candle_message};

/// A GGUF file whose header and tensor table have been read and checked against the file's size.
pub struct GgufFile {
    pub(crate) path: PathBuf,
    pub(crate) content: Content,
    pub(crate) file_size: u64,
}

/// What a model file says about itself, as printed by `tend info`.
#[derive(Debug, Clone, Serialize)]
pub struct ModelInfo {
    /// Path of the GGUF file.
    pub path: PathBuf,
    /// `general.name`, or the file name when absent.
    pub name: String,
    /// `general.architecture`, e.g. `llama` or `qwen2`.
    pub architecture: String,
    /// Number of weights, summed over all tensors.
    pub parameters: u64,
    /// The most common tensor type by bytes, e.g. `Q4K`.
    pub quantization: String,
    /// The context window the model was trained for (`<arch>.context_length`).
    pub context_length: usize,
    /// Whether the file embeds `tokenizer.chat_template`.
    pub has_chat_template: bool,
    /// `tokenizer.ggml.model` (`gpt2` for byte-level BPE, `llama` for SentencePiece).
    pub tokenizer_model: Option<String>,
    /// `general.license`, when the file states one.
    pub license: Option<String>,
    /// File size in bytes.
    pub file_size: u64,
    /// Bytes of weights one decoding step reads: every tensor, less the token embeddings (of which it reads a row)
    /// when the model has an output head of its own. Over the machine's read rate, the bound on decode speed.
    pub weight_bytes_per_token: u64,
    /// Bytes of key-value cache each token of context takes (f32 keys and values in every layer).
    pub kv_bytes_per_token: u64,
    /// Bytes of the token-embedding table dequantised to f32, for the decoders that hold it so (zero for the
    /// engine's own decoder, which looks rows up in the file's format).
    pub embedding_bytes: u64,
}

/// Memory beyond weights, embeddings and cache: tokenizer, activations, buffers, the runtime.
const WORKING_OVERHEAD_BYTES: u64 = 128 << 20;

impl ModelInfo {
    /// An estimate of the memory the model needs to draft with `context_tokens` of context: the weights (read
    /// or mapped into memory), a dequantised embedding table, the key-value cache and a working overhead. It is on the
    /// generous side of measured peaks (end-to-end benchmark, 2026-12-03: SmolLM2-135M 197 MB, estimate 401 MB;
    /// Qwen2.5-Coder-0.5B 526 MB, estimate 692 MB; Qwen2.5-Coder-1.5B 1182 MB, estimate 1417 MB).
    pub fn memory_needed(&self, context_tokens: usize) -> u64 {
        self.file_size + self.embedding_bytes + self.kv_bytes_per_token * context_tokens as u64 + WORKING_OVERHEAD_BYTES
    }
}

impl GgufFile {
    /// Opens `path` and checks that it is a complete, consistent GGUF file. Reads only the header.
    pub fn open(path: &Path) -> Result<Self> {
        let io = |source| EngineError::Io { path: path.to_owned(), source };
        let file = File::open(path).map_err(io)?;
        let file_size = file.metadata().map_err(io)?.len();
        let mut reader = Positioned { inner: BufReader::with_capacity(1 << 16, file), position: 0 };
        let mut magic = [0u8; 4];
        if reader.read_exact(&mut magic).is_err() || &magic != b"GGUF" {
            let reason = if file_size < 4 {
                format!("it is only {file_size} bytes long")
            } else {
                "it does not start with the GGUF signature".to_owned()
            };
            return Err(EngineError::NotGguf { path: path.to_owned(), reason });
        }
        reader.rewind().map_err(io)?;
        let corrupt = |reason: String| EngineError::Corrupt { path: path.to_owned(), reason };
        let content = Content::read(&mut reader).map_err(|e| corrupt(header_reason(&candle_message(&e))))?;
        let this = Self { path: path.to_owned(), content, file_size };
        this.check_tensor_table().map_err(corrupt)?;
        Ok(this)
    }

    fn check_tensor_table(&self) -> std::result::Result<(), String> {
        let data = self.content.tensor_data_offset;
        if data > self.file_size {
            return Err(format!(
                "the tensor data should start at byte {data} but the file has {} bytes",
                self.file_size
            ));
        }
        let mut furthest = data;
        for (name, info) in &self.content.tensor_infos {
            let elems = info.shape.dims().iter().try_fold(1u64, |acc, &d| acc.checked_mul(d as u64));
            let elems =
                elems.ok_or_else(|| format!("tensor '{name}' has an impossible shape {:?}", info.shape.dims()))?;
            // No model has an empty tensor, and candle's reader mishandles one (found by fuzzing).
            if elems == 0 {
                return Err(format!("tensor '{name}' has no values (shape {:?})", info.shape.dims()));
            }
            let block = info.ggml_dtype.block_size() as u64;
            if elems % block != 0 {
                return Err(format!("tensor '{name}' has {elems} values, not a multiple of its block size {block}"));
            }
            let bytes = (elems / block).checked_mul(info.ggml_dtype.type_size() as u64);
            let end = bytes.and_then(|bytes| data.checked_add(info.offset)?.checked_add(bytes));
            let end = end.ok_or_else(|| format!("tensor '{name}' has an impossible size or offset {}", info.offset))?;
            furthest = furthest.max(end);
        }
        if furthest > self.file_size {
            return Err(format!(
                "the file is truncated: its tensors need {furthest} bytes but it has only {}",
                self.file_size
            ));
        }
        Ok(())
    }

    /// Moves the tokenizer's metadata (`tokenizer.*`: vocabulary, merges, chat template) out into a file view of
    /// its own, for building the tokenizer beside the weights; this one keeps the rest.
    pub(crate) fn split_tokenizer(&mut self) -> GgufFile {
        let (metadata, rest) =
            std::mem::take(&mut self.content.metadata).into_iter().partition(|(k, _)| k.starts_with("tokenizer."));
        self.content.metadata = rest;
        let content = Content {
            magic: self.content.magic,
            metadata,
            tensor_infos: HashMap::new(),
            tensor_data_offset: self.content.tensor_data_offset,
        };
        GgufFile { path: self.path.clone(), content, file_size: self.file_size }
    }

    /// The metadata table.
    pub(crate) fn metadata(&self) -> &HashMap<String, Value> {
        &self.content.metadata
    }

    /// A string metadata value, if present.
    pub(crate) fn get_str(&self, key: &str) -> Option<&str> {
        match self.metadata().get(key) {
            Some(Value::String(s)) => Some(s),
            _ => None,
        }
    }

    /// An unsigned metadata value, accepting any integer width.
    pub(crate) fn get_uint(&self, key: &str) -> Option<u64> {
        match self.metadata().get(key)? {
            Value::U8(v) => Some(u64::from(*v)),
            Value::U16(v) => Some(u64::from(*v)),
            Value::U32(v) => Some(u64::from(*v)),
            Value::U64(v) => Some(*v),
            Value::I8(v) => u64::try_from(*v).ok(),
            Value::I16(v) => u64::try_from(*v).ok(),
            Value::I32(v) => u64::try_from(*v).ok(),
            Value::I64(v) => u64::try_from(*v).ok(),
            _ => None,
        }
    }

    /// A boolean metadata value, if present.
    pub(crate) fn get_bool(&self, key: &str) -> Option<bool> {
        match self.metadata().get(key) {
            Some(Value::Bool(b)) => Some(*b),
            _ => None,
        }
    }

    /// `general.architecture`, required by every model.
    pub(crate) fn architecture(&self) -> Result<&str> {
        self.get_str("general.architecture").ok_or_else(|| EngineError::Metadata {
            key: "general.architecture".into(),
            reason: "missing or not a string".into(),
        })
    }

    /// The chat template embedded in the file (`tokenizer.chat_template`), if any.
    pub fn chat_template(&self) -> Option<&str> {
        self.get_str("tokenizer.chat_template")
    }

    /// The facts about this file that `tend info` prints.
    pub fn info(&self) -> Result<ModelInfo> {
        let architecture = self.architecture()?.to_owned();
        let mut bytes_by_type: HashMap<String, u64> = HashMap::new();
        let (mut parameters, mut weight_bytes, mut embedding_table) = (0u64, 0u64, 0u64);
        for (name, info) in &self.content.tensor_infos {
            let elems = info.shape.elem_count() as u64;
            parameters += elems;
            let bytes = elems / info.ggml_dtype.block_size() as u64 * info.ggml_dtype.type_size() as u64;
            *bytes_by_type.entry(format!("{:?}", info.ggml_dtype)).or_default() += bytes;
            weight_bytes += bytes;
            if name == "token_embd.weight" {
                embedding_table = bytes;
            }
        }
        if self.content.tensor_infos.contains_key("output.weight") {
            weight_bytes -= embedding_table;
        }
        let quantization = bytes_by_type
            .into_iter()
            .max_by_key(|(name, bytes)| (*bytes, name.clone()))
            .map(|(name, _)| name)
            .unwrap_or_default();
        let name = self
            .get_str("general.name")
            .map(str::to_owned)
            .or_else(|| self.path.file_stem().map(|s| s.to_string_lossy().into_owned()))
            .unwrap_or_default();
        let key = |k: &str| self.get_uint(&format!("{architecture}.{k}"));
        let hidden = key("embedding_length").unwrap_or(0);
        let heads = key("attention.head_count").unwrap_or(1).max(1);
        let head_dim = key("attention.key_length").unwrap_or(hidden / heads);
        let kv_heads = key("attention.head_count_kv").unwrap_or(heads);
        let layers = key("block_count").unwrap_or(0);
        let vocab = match self.metadata().get("tokenizer.ggml.tokens") {
            Some(Value::Array(tokens)) => tokens.len() as u64,
            _ => 0,
        };
        Ok(ModelInfo {
            weight_bytes_per_token: weight_bytes,
            kv_bytes_per_token: 2 * layers * kv_heads * head_dim * 4,
            embedding_bytes: if !crate::arch::own_decoder(&architecture, key("expert_count").unwrap_or(0)) {
                vocab * hidden * 4
            } else {
                0
            },
            path: self.path.clone(),
            name,
            context_length: self.get_uint(&format!("{architecture}.context_length")).unwrap_or(0) as usize,
            architecture,
            parameters,
            quantization,
            has_chat_template: self.get_str("tokenizer.chat_template").is_some(),
            tokenizer_model: self.get_str("tokenizer.ggml.model").map(str::to_owned),
            license: self.get_str("general.license").map(str::to_owned),
            file_size: self.file_size,
        })
    }
}

/// A buffered reader that knows its position: candle's header parser asks for it before every string (about
/// 300,000 times for a 151k-token vocabulary), which a plain `BufReader<File>` answers with a system call.
struct Positioned<R> {
    inner: R,
    position: u64,
}

impl<R: Read> Read for Positioned<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.position += n as u64;
        Ok(n)
    }
}

impl<R: Seek> Seek for Positioned<R> {
    fn seek(&mut self, to: std::io::SeekFrom) -> std::io::Result<u64> {
        self.position = self.inner.seek(to)?;
        Ok(self.position)
    }

    fn stream_position(&mut self) -> std::io::Result<u64> {
        Ok(self.position)
    }
}

/// Turns candle's header error into a plain reason.
fn header_reason(message: &str) -> String {
    if message.contains("failed to fill whole buffer") || message.contains("UnexpectedEof") {
        "the header ends before it should (the file is truncated)".to_owned()
    } else {
        format!("its header is invalid ({message})")
    }
}

/// The SHA-256 of a file, as lower-case hex. Reads the file in 1 MiB chunks.
pub fn sha256_file(path: &Path) -> Result<String> {
    let io = |source| EngineError::Io { path: path.to_owned(), source };
    let mut file = File::open(path).map_err(io)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf).map_err(io)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher.finalize().iter().map(|b| format!("{b:02x}")).collect())
}
