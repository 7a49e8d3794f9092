//! The tokenizer, built from the GGUF file's own metadata (or a `tokenizer.json` placed beside the model).
//!
//! Byte-level BPE models (`tokenizer.ggml.model = gpt2`: Qwen, Llama 3, SmolLM2) get the pre-tokenizer named by
//! `tokenizer.ggml.pre`; SentencePiece models (`llama`: Gemma, Llama 2) get BPE merges derived from the
//! vocabulary scores, byte fallback and the `▁` space marker. Text typed by a person is encoded with special-token
//! matching switched off, so a typed `<|im_start|>` is just text.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Mutex, MutexGuard, PoisonError};

use candle_core::quantized::gguf_file::Value;
use tokenizers::decoders::byte_fallback::ByteFallback;
use tokenizers::decoders::fuse::Fuse;
use tokenizers::decoders::sequence::Sequence as DecoderSequence;
use tokenizers::decoders::strip::Strip;
use tokenizers::models::bpe::{BPE, Vocab};
use tokenizers::normalizers::{NFC, Prepend, Replace, Sequence as NormalizerSequence};
use tokenizers::pre_tokenizers::byte_level::ByteLevel;
use tokenizers::pre_tokenizers::digits::Digits;
use tokenizers::pre_tokenizers::sequence::Sequence as PreSequence;
use tokenizers::pre_tokenizers::split::{Split, SplitPattern};
use tokenizers::{AddedToken, DecoderWrapper, NormalizerWrapper, PreTokenizerWrapper, SplitDelimiterBehavior};

use crate::error::{EngineError, Result};
use crate::gguf::GgufFile;

/// Qwen2's split regex (also Qwen2.5 and Qwen3): single digits, letters with one leading non-letter.
const QWEN2_PATTERN: &str =
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";
/// Llama 3's split regex: like Qwen2's but digits in groups of up to three.
const LLAMA3_PATTERN: &str = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

/// The `tokenizer.ggml.pre` values this module knows, for error messages.
const KNOWN_PRE: &[&str] = &["qwen2", "llama-bpe", "llama3", "smollm", "gpt2", "default"];

/// Token texts that end a turn in the chat formats Tend supports, besides the declared eos/eot ids.
const END_OF_TURN_TEXTS: &[&str] = &[
    "<|im_end|>",
    "<|eot_id|>",
    "<|eom_id|>",
    "<|end_of_text|>",
    "<end_of_turn>",
    "<|end|>",
    "<|endoftext|>",
    "</s>",
    "<eos>",
];

/// GGUF token types (llama.cpp's `llama_token_type`).
const TOKEN_UNKNOWN: i32 = 2;
const TOKEN_CONTROL: i32 = 3;
const TOKEN_USER_DEFINED: i32 = 4;
const TOKEN_BYTE: i32 = 6;

/// A model's tokenizer plus the special tokens the engine needs.
pub struct Tokenizer {
    /// One tokenizer for both kinds of text: whether special-token strings are matched is a flag of its added
    /// vocabulary, set for each call (a second copy of Qwen's 151,936-token vocabulary cost about 0.15 s of load
    /// and 40 MB). Calls are short, so the lock is not contended.
    inner: Mutex<tokenizers::Tokenizer>,
    bos: Option<u32>,
    bos_text: Option<String>,
    add_bos: bool,
    end_of_turn: Vec<u32>,
    /// The text of `end_of_turn[0]`.
    eos_text: Option<String>,
    vocab_size: usize,
}

impl Clone for Tokenizer {
    fn clone(&self) -> Self {
        Self {
            inner: Mutex::new(self.locked().clone()),
            bos: self.bos,
            bos_text: self.bos_text.clone(),
            add_bos: self.add_bos,
            end_of_turn: self.end_of_turn.clone(),
            eos_text: self.eos_text.clone(),
            vocab_size: self.vocab_size,
        }
    }
}

impl Tokenizer {
    /// Builds the tokenizer of the GGUF model at `path` without loading its weights.
    pub fn from_gguf(path: &Path) -> Result<Self> {
        Self::for_model(&GgufFile::open(path)?)
    }

    /// Builds the tokenizer for a GGUF file: from `<stem>.tokenizer.json` or `tokenizer.json` beside it when
    /// present, otherwise from the file's metadata.
    pub(crate) fn for_model(gguf: &GgufFile) -> Result<Self> {
        let tokens = string_array(gguf, "tokenizer.ggml.tokens")?;
        let beside = tokenizer_json_beside(&gguf.path);
        let trusted = match &beside {
            Some(path) => {
                let tok = tokenizers::Tokenizer::from_file(path)
                    .map_err(|e| EngineError::Tokenizer(format!("{}: {e}", path.display())))?;
                if tok.get_vocab_size(true) > tokens.len() {
                    return Err(EngineError::Tokenizer(format!(
                        "{} has {} tokens but the model has only {}: it belongs to another model",
                        path.display(),
                        tok.get_vocab_size(true),
                        tokens.len()
                    )));
                }
                tok
            }
            None => from_metadata(gguf, &tokens)?,
        };
        let id_of = |text: &str| trusted.token_to_id(text).filter(|&id| tokens.get(id as usize) == Some(&text));
        let declared = ["tokenizer.ggml.eos_token_id", "tokenizer.ggml.eot_token_id", "tokenizer.ggml.eom_token_id"];
        let types = int_array(gguf, "tokenizer.ggml.token_type").unwrap_or_default();
        let mut end_of_turn: Vec<u32> = declared.iter().filter_map(|k| gguf.get_uint(k)).map(|v| v as u32).collect();
        for text in END_OF_TURN_TEXTS {
            if let Some(id) = id_of(text) {
                let is_control = types.get(id as usize).is_none_or(|&t| t == TOKEN_CONTROL);
                if is_control && !end_of_turn.contains(&id) {
                    end_of_turn.push(id);
                }
            }
        }
        let model = gguf.get_str("tokenizer.ggml.model").unwrap_or("gpt2");
        let text_of = |id: u32| tokens.get(id as usize).map(|t| t.to_string());
        let bos = gguf.get_uint("tokenizer.ggml.bos_token_id").map(|v| v as u32);
        Ok(Self {
            bos,
            bos_text: bos.and_then(text_of),
            add_bos: gguf.get_bool("tokenizer.ggml.add_bos_token").unwrap_or(model == "llama"),
            eos_text: end_of_turn.first().and_then(|&id| text_of(id)),
            end_of_turn,
            vocab_size: tokens.len(),
            inner: Mutex::new(trusted),
        })
    }

    /// The tokenizer. A panic while it was held cannot have left it half-changed: the only state set between
    /// calls is the special-token flag, which every encoding sets first.
    fn locked(&self) -> MutexGuard<'_, tokenizers::Tokenizer> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn encode(&self, text: &str, special: bool) -> Result<Vec<u32>> {
        let mut tok = self.locked();
        tok.set_encode_special_tokens(!special);
        tok.encode_fast(text, false).map(|e| e.get_ids().to_vec()).map_err(|e| EngineError::Tokenizer(e.to_string()))
    }

    /// Encodes text written by a person: special-token strings such as `<|im_start|>` stay plain text.
    pub fn encode_text(&self, text: &str) -> Result<Vec<u32>> {
        self.encode(text, false)
    }

    /// Encodes text produced by the chat template: special-token strings become special tokens.
    pub fn encode_trusted(&self, text: &str) -> Result<Vec<u32>> {
        self.encode(text, true)
    }

    /// Decodes token ids to text, leaving out special tokens.
    pub fn decode(&self, ids: &[u32]) -> Result<String> {
        self.locked().decode(ids, true).map_err(|e| EngineError::Tokenizer(e.to_string()))
    }

    /// The text `ids` add after `before`: decoded together and less `before`'s own text, as candle's
    /// `TokenOutputStream` does. Decoding `ids` alone would lose the space a SentencePiece word starts with, which
    /// the decoder strips from the start of a sequence.
    pub fn decode_after(&self, before: &[u32], ids: &[u32]) -> Result<String> {
        let prefix = self.decode(before)?;
        let whole = self.decode(&[before, ids].concat())?;
        Ok(match whole.strip_prefix(prefix.as_str()) {
            Some(added) => added.to_owned(),
            None => whole,
        })
    }

    /// The beginning-of-sequence token, prepended to prompts when the model asks for it.
    pub fn bos_token(&self) -> Option<&str> {
        self.bos_text.as_deref()
    }

    /// The main end-of-sequence token text, as chat templates name it.
    pub fn eos_token(&self) -> Option<&str> {
        self.eos_text.as_deref()
    }

    /// Whether generating `id` ends the assistant's turn.
    pub fn is_end_of_turn(&self, id: u32) -> bool {
        self.end_of_turn.contains(&id)
    }

    /// The token ids to prepend to a prompt that starts with `first` (the BOS token when the model asks for one
    /// and the prompt does not already start with it).
    pub(crate) fn prefix_for(&self, first: Option<u32>) -> Option<u32> {
        match self.bos {
            Some(bos) if self.add_bos && first != Some(bos) => Some(bos),
            _ => None,
        }
    }

    /// Number of entries in the model's vocabulary.
    pub fn vocab_size(&self) -> usize {
        self.vocab_size
    }
}

fn tokenizer_json_beside(model: &Path) -> Option<std::path::PathBuf> {
    let dir = model.parent()?;
    let stem = model.file_stem()?.to_string_lossy();
    [dir.join(format!("{stem}.tokenizer.json")), dir.join("tokenizer.json")].into_iter().find(|p| p.is_file())
}

fn tok_err(msg: impl Into<String>) -> EngineError {
    EngineError::Tokenizer(msg.into())
}

fn array<'a>(gguf: &'a GgufFile, key: &str) -> Result<&'a Vec<Value>> {
    match gguf.metadata().get(key) {
        Some(Value::Array(v)) => Ok(v),
        Some(_) => Err(EngineError::Metadata { key: key.into(), reason: "not an array".into() }),
        None => Err(EngineError::Metadata { key: key.into(), reason: "missing".into() }),
    }
}

fn string_array<'a>(gguf: &'a GgufFile, key: &str) -> Result<Vec<&'a str>> {
    array(gguf, key)?
        .iter()
        .map(|v| match v {
            Value::String(s) => Ok(s.as_str()),
            _ => Err(EngineError::Metadata { key: key.into(), reason: "an entry is not a string".into() }),
        })
        .collect()
}

fn int_array(gguf: &GgufFile, key: &str) -> Result<Vec<i32>> {
    array(gguf, key)?
        .iter()
        .map(|v| match v {
            Value::I32(i) => Ok(*i),
            Value::U32(i) => Ok(*i as i32),
            Value::I8(i) => Ok(i32::from(*i)),
            Value::U8(i) => Ok(i32::from(*i)),
            _ => Err(EngineError::Metadata { key: key.into(), reason: "an entry is not an integer".into() }),
        })
        .collect()
}

fn float_array(gguf: &GgufFile, key: &str) -> Result<Vec<f32>> {
    array(gguf, key)?
        .iter()
        .map(|v| match v {
            Value::F32(f) => Ok(*f),
            Value::F64(f) => Ok(*f as f32),
            _ => Err(EngineError::Metadata { key: key.into(), reason: "an entry is not a number".into() }),
        })
        .collect()
}

fn from_metadata(gguf: &GgufFile, tokens: &[&str]) -> Result<tokenizers::Tokenizer> {
    let types = match gguf.metadata().get("tokenizer.ggml.token_type") {
        Some(_) => int_array(gguf, "tokenizer.ggml.token_type")?,
        None => vec![1; tokens.len()],
    };
    if types.len() != tokens.len() {
        return Err(tok_err(format!("{} tokens but {} token types", tokens.len(), types.len())));
    }
    let model = gguf.get_str("tokenizer.ggml.model").unwrap_or("gpt2");
    let mut tok = match model {
        "gpt2" => byte_level_bpe(gguf, tokens, &types)?,
        "llama" => sentencepiece_bpe(gguf, tokens, &types)?,
        other => {
            return Err(tok_err(format!(
                "tokenizer type '{other}' is not supported (supported: gpt2, llama); place the model's \
                 tokenizer.json beside it"
            )));
        }
    };
    // Control and user-defined tokens are matched whole, before the model sees the text.
    let added: Vec<AddedToken> = tokens
        .iter()
        .zip(&types)
        .filter(|(_, t)| **t == TOKEN_CONTROL || **t == TOKEN_USER_DEFINED)
        .map(|(text, t)| AddedToken::from(*text, *t == TOKEN_CONTROL).normalized(false))
        .collect();
    tok.add_tokens(added).map_err(|e| tok_err(e.to_string()))?;
    Ok(tok)
}

fn vocab_of(tokens: &[&str]) -> Vocab {
    tokens.iter().enumerate().map(|(i, t)| (t.to_string(), i as u32)).collect()
}

/// Builds the BPE model after checking every merge rule: both halves and their join must be tokens. (The
/// tokenizers crate panics on a rule whose join is longer than every token, so the check comes first.)
fn checked_bpe(tokens: &[&str], merges: Vec<(String, String)>) -> Result<tokenizers::models::bpe::BpeBuilder> {
    let vocab = vocab_of(tokens);
    if let Some((a, b)) = merges.iter().find(|(a, b)| {
        !vocab.contains_key(a.as_str()) || !vocab.contains_key(b.as_str()) || !vocab.contains_key(&format!("{a}{b}"))
    }) {
        return Err(tok_err(format!("merge rule '{a} {b}' uses or makes a token that is not in the vocabulary")));
    }
    Ok(BPE::builder().vocab_and_merges(vocab, merges))
}

fn byte_level_bpe(gguf: &GgufFile, tokens: &[&str], _types: &[i32]) -> Result<tokenizers::Tokenizer> {
    let merges: Vec<(String, String)> = string_array(gguf, "tokenizer.ggml.merges")?
        .into_iter()
        .map(|m| {
            let (a, b) = m.split_once(' ').ok_or_else(|| tok_err(format!("malformed merge rule '{m}'")))?;
            Ok((a.to_owned(), b.to_owned()))
        })
        .collect::<Result<_>>()?;
    let bpe = checked_bpe(tokens, merges)?.build().map_err(|e| tok_err(e.to_string()))?;
    let mut tok = tokenizers::Tokenizer::new(bpe);
    let byte_level = ByteLevel::new(false, false, false);
    let split = |pattern: &str| -> Result<PreTokenizerWrapper> {
        let pattern = SplitPattern::Regex(pattern.to_owned());
        Ok(Split::new(pattern, SplitDelimiterBehavior::Isolated, false).map_err(|e| tok_err(e.to_string()))?.into())
    };
    let pre = gguf.get_str("tokenizer.ggml.pre").unwrap_or("default");
    let (normalizer, pre_tokenizer): (Option<NormalizerWrapper>, PreTokenizerWrapper) = match pre {
        "qwen2" => (Some(NFC.into()), PreSequence::new(vec![split(QWEN2_PATTERN)?, byte_level.into()]).into()),
        "llama-bpe" | "llama3" => (None, PreSequence::new(vec![split(LLAMA3_PATTERN)?, byte_level.into()]).into()),
        "smollm" => {
            (None, PreSequence::new(vec![Digits::new(true).into(), ByteLevel::new(false, false, true).into()]).into())
        }
        "gpt2" | "default" => (None, ByteLevel::new(false, false, true).into()),
        other => {
            return Err(tok_err(format!(
                "pre-tokenizer '{other}' is not supported (supported: {}); place the model's tokenizer.json beside it",
                KNOWN_PRE.join(", ")
            )));
        }
    };
    tok.with_normalizer(normalizer).map_err(|e| tok_err(e.to_string()))?;
    tok.with_pre_tokenizer(Some(pre_tokenizer));
    tok.with_decoder(Some(byte_level));
    Ok(tok)
}

fn sentencepiece_bpe(gguf: &GgufFile, tokens: &[&str], types: &[i32]) -> Result<tokenizers::Tokenizer> {
    let merges = match gguf.metadata().get("tokenizer.ggml.merges") {
        Some(_) => string_array(gguf, "tokenizer.ggml.merges")?
            .into_iter()
            .filter_map(|m| m.split_once(' ').map(|(a, b)| (a.to_owned(), b.to_owned())))
            .collect(),
        None => merges_from_scores(tokens, types, &float_array(gguf, "tokenizer.ggml.scores")?)?,
    };
    let mut builder = checked_bpe(tokens, merges)?.byte_fallback(true);
    if let Some(unk) = types.iter().position(|&t| t == TOKEN_UNKNOWN) {
        builder = builder.unk_token(tokens[unk].to_string()).fuse_unk(true);
    }
    let bpe = builder.build().map_err(|e| tok_err(e.to_string()))?;
    let mut tok = tokenizers::Tokenizer::new(bpe);
    let replace = Replace::new(" ", "▁").map_err(|e| tok_err(e.to_string()))?;
    let space_prefix = gguf.get_bool("tokenizer.ggml.add_space_prefix").unwrap_or(true);
    let normalizer: NormalizerWrapper = if space_prefix {
        NormalizerSequence::new(vec![Prepend::new("▁".into()).into(), replace.into()]).into()
    } else {
        replace.into()
    };
    tok.with_normalizer(Some(normalizer)).map_err(|e| tok_err(e.to_string()))?;
    let mut decoders: Vec<DecoderWrapper> = vec![
        Replace::new("▁", " ").map_err(|e| tok_err(e.to_string()))?.into(),
        ByteFallback::new().into(),
        Fuse::new().into(),
    ];
    if space_prefix {
        decoders.push(Strip::new(' ', 1, 0).into());
    }
    tok.with_decoder(Some(DecoderSequence::new(decoders)));
    Ok(tok)
}

/// SentencePiece files carry scores instead of merges: a pair merges when both halves and their concatenation are
/// in the vocabulary, ranked by the concatenation's score (as the SentencePiece-to-BPE converters do).
fn merges_from_scores(tokens: &[&str], types: &[i32], scores: &[f32]) -> Result<Vec<(String, String)>> {
    if scores.len() != tokens.len() {
        return Err(tok_err(format!("{} tokens but {} scores", tokens.len(), scores.len())));
    }
    let ids: HashMap<&str, usize> = tokens.iter().enumerate().map(|(i, t)| (*t, i)).collect();
    let mut ranked: Vec<(f32, usize, usize)> = Vec::new();
    for (id, piece) in tokens.iter().enumerate() {
        if types[id] == TOKEN_BYTE || types[id] == TOKEN_CONTROL {
            continue;
        }
        for (split, _) in piece.char_indices().skip(1) {
            if let (Some(&l), Some(&r)) = (ids.get(&piece[..split]), ids.get(&piece[split..])) {
                ranked.push((scores[id], l, r));
            }
        }
    }
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    Ok(ranked.into_iter().map(|(_, l, r)| (tokens[l].to_string(), tokens[r].to_string())).collect())
}
