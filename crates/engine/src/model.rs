//! A loaded model: weights, tokenizer and chat template from one GGUF file, and the prompt built from them.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::Arc;

use candle_core::Device;
use memmap2::Mmap;

use crate::arch::{self, Capabilities, Forward};
use crate::error::{EngineError, Result};
use crate::gguf::{GgufFile, ModelInfo};
use crate::template::{ChatMessage, ChatTemplate};
use crate::threads::{DecodeThreads, ThreadChooser};
use crate::tokenizer::Tokenizer;

/// The ChatML template, used only for models without a template of their own whose vocabulary has ChatML's
/// `<|im_start|>` token.
const CHATML_FALLBACK: &str = include_str!("../templates/chatml.jinja");

/// How far a model load has got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadProgress {
    /// Bytes of the file read so far.
    pub bytes_read: u64,
    /// Size of the file.
    pub total_bytes: u64,
}

/// A prompt as token ids, with the part that may be cached for the next request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prompt {
    /// All token ids of the prompt.
    pub tokens: Vec<u32>,
    /// How many leading tokens are the conversation before its last message (instructions, examples): the part
    /// that repeats between requests of the same task.
    pub reusable_prefix: usize,
}

/// A cached KV state for a prompt prefix.
pub(crate) struct PrefixCache {
    pub tokens: Vec<u32>,
    pub state: Box<dyn Forward>,
}

/// The last whole prompt's KV state and the logits of its last position: the same prompt again (a request written
/// again under a stricter filter) needs no prefill at all.
pub(crate) struct LastPrompt {
    pub tokens: Vec<u32>,
    pub state: Box<dyn Forward>,
    pub logits: candle_core::Tensor,
}

/// A model ready to generate text.
pub struct Model {
    pub(crate) info: ModelInfo,
    pub(crate) forward: Box<dyn Forward>,
    pub(crate) caps: Capabilities,
    pub(crate) tokenizer: Tokenizer,
    pub(crate) template: ChatTemplate,
    pub(crate) device: Device,
    pub(crate) prefix_cache: Option<PrefixCache>,
    pub(crate) last_prompt: Option<LastPrompt>,
    /// Whether decode steps run on the worker pool or one thread, learnt across requests.
    pub(crate) threads: ThreadChooser,
}

impl Model {
    /// Validates and loads the GGUF model at `path`, reporting progress as its weights are read.
    pub fn load(path: &Path, progress: &mut dyn FnMut(LoadProgress)) -> Result<Self> {
        Self::load_opened(GgufFile::open(path)?, progress)
    }

    /// Loads a model whose header the caller has already opened and checked (for example against the memory
    /// available), so the header is read once.
    pub fn load_opened(mut gguf: GgufFile, progress: &mut dyn FnMut(LoadProgress)) -> Result<Self> {
        let info = supported(&gguf)?;
        keep_working_memory();
        // The tokenizer and template are built on their own thread while the weights load (both take a few
        // tenths of a second for a large vocabulary, and much of the weights' loading is single-threaded too).
        // The weights do not need the tokenizer's metadata, so it moves to that thread.
        let text = gguf.split_tokenizer();
        let path = gguf.path.clone();
        let io = |source| EngineError::Io { path: path.clone(), source };
        let file = File::open(&path).map_err(io)?;
        // SAFETY: the mapping is read-only and Tend never writes a model file in place (downloads and imports are
        // renamed into place), so its bytes do not change while mapped. Another program truncating the file
        // would make reads of the lost pages fault, as with llama.cpp's mapping.
        #[allow(unsafe_code)]
        let map = Arc::new(unsafe { Mmap::map(&file) }.map_err(io)?);
        let inner = BufReader::with_capacity(1 << 20, file);
        let mut reader = ProgressReader { inner, read: 0, reported: 0, total: gguf.file_size, progress };
        let device = Device::Cpu;
        let (text, weights) = std::thread::scope(|scope| {
            let text = scope.spawn(|| text_side(&text));
            let weights = arch::load(&info.architecture, gguf.content, &mut reader, &map, &device);
            (text.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)), weights)
        });
        // A file whose tokenizer or template is unusable is reported as such, whatever its weights.
        let (tokenizer, template) = text?;
        let (forward, caps) = weights?;
        (reader.progress)(LoadProgress { bytes_read: gguf.file_size, total_bytes: gguf.file_size });
        let workers = candle_core::utils::barrier_pool().n_workers();
        let threads = ThreadChooser::new(DecodeThreads::current(), workers);
        Ok(Self { info, forward, caps, tokenizer, template, device, prefix_cache: None, last_prompt: None, threads })
    }

    /// Checks everything about the file that loading would, without reading the weights: a complete GGUF, a
    /// supported architecture, a tokenizer that builds and a chat template that parses (or the ChatML fallback).
    pub fn check(path: &Path) -> Result<ModelInfo> {
        let gguf = GgufFile::open(path)?;
        let info = supported(&gguf)?;
        text_side(&gguf)?;
        Ok(info)
    }

    /// What the file says about itself.
    pub fn info(&self) -> &ModelInfo {
        &self.info
    }

    /// The most tokens (prompt plus reply) one request may use.
    pub fn context_length(&self) -> usize {
        match self.info.context_length {
            0 => self.caps.max_positions,
            n => n.min(self.caps.max_positions),
        }
    }

    /// The model's tokenizer.
    pub fn tokenizer(&self) -> &Tokenizer {
        &self.tokenizer
    }

    /// The model's chat template.
    pub fn chat_template(&self) -> &ChatTemplate {
        &self.template
    }

    /// Builds the prompt for `messages`, ending where the assistant's reply begins.
    ///
    /// The template's own text is encoded with special tokens recognised; each message's content is encoded as
    /// plain text, so a person who types `<|im_start|>` cannot open a new turn.
    pub fn prompt(&self, messages: &[ChatMessage]) -> Result<Prompt> {
        let tokens = self.encode_rendered(messages, true)?;
        let last_user = messages.iter().rposition(|m| m.role == crate::Role::User).unwrap_or(0);
        let reusable_prefix = if last_user == 0 {
            0
        } else {
            let prefix = self.encode_rendered(&messages[..last_user], false)?;
            if prefix.len() < tokens.len() && tokens.starts_with(&prefix) { prefix.len() } else { 0 }
        };
        Ok(Prompt { tokens, reusable_prefix })
    }

    fn encode_rendered(&self, messages: &[ChatMessage], add_generation_prompt: bool) -> Result<Vec<u32>> {
        // Each content is replaced by a marker that cannot occur in typed text, the template is rendered, and the
        // pieces between markers are encoded as template text while the contents are encoded as plain text.
        let nonce: u64 = rand::random();
        let marker = |i: usize| format!("\u{E000}{nonce:016x}:{i}\u{E001}");
        let masked: Vec<ChatMessage> =
            messages.iter().enumerate().map(|(i, m)| ChatMessage { role: m.role, content: marker(i) }).collect();
        let mut rendered = self.template.render(&masked, add_generation_prompt)?.as_str().to_owned();
        let mut tokens = Vec::new();
        loop {
            let next =
                messages.iter().enumerate().filter_map(|(i, _)| rendered.find(&marker(i)).map(|at| (at, i))).min();
            let Some((at, i)) = next else { break };
            tokens.extend(self.tokenizer.encode_trusted(&rendered[..at])?);
            tokens.extend(self.tokenizer.encode_text(messages[i].content.trim())?);
            rendered = rendered[at + marker(i).len()..].to_owned();
        }
        tokens.extend(self.tokenizer.encode_trusted(&rendered)?);
        if let Some(bos) = self.tokenizer.prefix_for(tokens.first().copied()) {
            tokens.insert(0, bos);
        }
        Ok(tokens)
    }
}

/// Makes the C allocator keep freed working memory for the next pass instead of handing it back to the operating
/// system. A forward pass allocates and frees buffers of several megabytes (a 512-token chunk's attention scores
/// are 15 MB for Qwen2.5 0.5B); glibc serves such sizes with fresh `mmap`s, so every pass paid for zeroing them
/// page by page (measured: 4.4 million page faults over twelve prefills, and 512-token prefill at half speed).
/// Buffers up to 32 MiB (glibc's ceiling for this setting) now come from the heap, and up to 128 MiB of free heap
/// is kept. Process-wide, set once; other platforms' allocators are left as they are.
fn keep_working_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        static ONCE: std::sync::Once = std::sync::Once::new();
        ONCE.call_once(|| {
            // SAFETY: mallopt only changes glibc's thresholds, under the allocator's own lock; a refusal (return
            // value 0) leaves the defaults, which are merely slower.
            #[allow(unsafe_code)]
            unsafe {
                libc::mallopt(libc::M_MMAP_THRESHOLD, 32 << 20);
                libc::mallopt(libc::M_TRIM_THRESHOLD, 128 << 20);
            }
        });
    }
}

/// What the file says about itself, if its architecture is one Tend runs.
fn supported(gguf: &GgufFile) -> Result<ModelInfo> {
    let info = gguf.info()?;
    if !arch::SUPPORTED_ARCHITECTURES.contains(&info.architecture.as_str()) {
        return Err(arch::unsupported(&info.architecture));
    }
    check_shape(gguf, &info.architecture)?;
    Ok(info)
}

/// Checks the architecture's sizes before any weight is read: a head count of 0, or heads that do not divide the
/// width, would divide by zero or misshape every layer at load.
fn check_shape(gguf: &GgufFile, architecture: &str) -> Result<()> {
    let key = |k: &str| format!("{architecture}.{k}");
    let bad = |k: &str, reason: String| EngineError::Metadata { key: key(k), reason };
    let within = |k: &str, max: u64| -> Result<Option<u64>> {
        match gguf.get_uint(&key(k)) {
            Some(v) if (1..=max).contains(&v) => Ok(Some(v)),
            Some(v) => Err(bad(k, format!("{v} is outside 1 to {max}"))),
            None => Ok(None),
        }
    };
    let width = within("embedding_length", 1 << 16)?;
    let heads = within("attention.head_count", 1 << 10)?;
    let kv_heads = within("attention.head_count_kv", 1 << 10)?;
    within("block_count", 1 << 10)?;
    within("context_length", 1 << 24)?;
    if let (Some(heads), Some(kv)) = (heads, kv_heads)
        && heads % kv != 0
    {
        return Err(bad("attention.head_count_kv", format!("{kv} does not divide the {heads} attention heads")));
    }
    if let (Some(width), Some(heads)) = (width, heads)
        && gguf.get_uint(&key("attention.key_length")).is_none()
        && width % heads != 0
    {
        return Err(bad("attention.head_count", format!("{heads} heads do not divide the width {width}")));
    }
    Ok(())
}

/// The tokenizer and chat template of a model file.
fn text_side(gguf: &GgufFile) -> Result<(Tokenizer, ChatTemplate)> {
    let tokenizer = Tokenizer::for_model(gguf)?;
    let template = chat_template(gguf, &tokenizer)?;
    Ok((tokenizer, template))
}

fn chat_template(gguf: &GgufFile, tokenizer: &Tokenizer) -> Result<ChatTemplate> {
    let source = match gguf.get_str("tokenizer.chat_template") {
        Some(source) => source,
        None if tokenizer.encode_trusted("<|im_start|>")?.len() == 1 => CHATML_FALLBACK,
        None => {
            return Err(EngineError::Template(
                "the model file has no chat template, so it is probably a base model rather than an instruction \
                 model; choose an instruction-tuned (\"Instruct\" or \"-it\") model"
                    .into(),
            ));
        }
    };
    ChatTemplate::new(source, tokenizer.bos_token().unwrap_or(""), tokenizer.eos_token().unwrap_or(""))
}

/// A reader that reports how many bytes loading has read, every 8 MiB.
struct ProgressReader<'a, R> {
    inner: R,
    read: u64,
    reported: u64,
    total: u64,
    progress: &'a mut dyn FnMut(LoadProgress),
}

impl<R: Read> Read for ProgressReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        if self.read >= self.reported + (8 << 20) {
            self.reported = self.read;
            (self.progress)(LoadProgress { bytes_read: self.read.min(self.total), total_bytes: self.total });
        }
        Ok(n)
    }
}

impl<R: Seek> Seek for ProgressReader<'_, R> {
    fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
        self.inner.seek(to)
    }
}
