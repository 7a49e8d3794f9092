//! The engine's error type: every variant is a sentence a person can act on.

use std::path::PathBuf;

/// Everything that can go wrong while loading a model or generating text.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The model file could not be opened or read.
    #[error("cannot read the model file {path}: {source}. Check that the file exists and that you may read it.")]
    Io {
        /// The file that failed.
        path: PathBuf,
        /// The operating system's reason.
        #[source]
        source: std::io::Error,
    },
    /// The file is not a GGUF model at all.
    #[error("{path} is not a GGUF model file ({reason}). Tend needs a quantised model in GGUF format.")]
    NotGguf {
        /// The file that was opened.
        path: PathBuf,
        /// What was found instead.
        reason: String,
    },
    /// The file starts as GGUF but its header or tensor table is damaged or cut short.
    #[error("the model file {path} is damaged or incomplete: {reason}. Download or copy it again.")]
    Corrupt {
        /// The file that was opened.
        path: PathBuf,
        /// What is inconsistent.
        reason: String,
    },
    /// The model's architecture has no implementation in the engine.
    #[error("the model architecture '{found}' is not supported; Tend supports {}. Choose a model of one of these families.", supported.join(", "))]
    UnsupportedArchitecture {
        /// The value of `general.architecture`.
        found: String,
        /// The architectures the engine can run.
        supported: Vec<&'static str>,
    },
    /// A required metadata key is missing or has the wrong type.
    #[error("the model file has no usable '{key}' entry ({reason}); it may be made for another program")]
    Metadata {
        /// The GGUF metadata key.
        key: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The tokenizer could not be built from the model's metadata or the tokenizer.json beside it.
    #[error("cannot build the tokenizer: {0}")]
    Tokenizer(String),
    /// The model's chat template could not be parsed or rendered.
    #[error("the model's chat template cannot be used: {0}")]
    Template(String),
    /// The prompt does not fit the model's context window.
    #[error(
        "the input is too long for this model: it needs {needed} tokens but the model can take {limit} (including room for the answer). Shorten the text or split it into parts."
    )]
    ContextOverflow {
        /// Tokens the request needs (prompt plus at least one generated token).
        needed: usize,
        /// The model's usable context window.
        limit: usize,
    },
    /// A generation parameter is out of range.
    #[error("invalid generation setting: {0}")]
    InvalidParams(String),
    /// The tensor library failed while loading weights.
    #[error("cannot load the model weights: {0}")]
    Load(String),
    /// The tensor library failed in the middle of generation; the text produced so far is kept.
    #[error("generation failed after {} characters: {message}", partial.len())]
    Generation {
        /// The underlying failure.
        message: String,
        /// The text generated before the failure.
        partial: String,
    },
}

/// The engine's result type.
pub type Result<T, E = EngineError> = std::result::Result<T, E>;

/// The first line of a candle error: candle appends a backtrace when `RUST_BACKTRACE` is set, which is no
/// message for a person.
pub(crate) fn candle_message(e: &candle_core::Error) -> String {
    e.to_string().lines().next().unwrap_or_default().trim_start_matches("gguf: ").to_owned()
}
