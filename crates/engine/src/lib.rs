//! Tend's local inference engine: the only crate that touches candle.
//!
//! A GGUF file is validated ([`GgufFile::open`]), then loaded ([`Model::load`]) with the architecture named by
//! `general.architecture`, the tokenizer built from the file's own metadata and the file's own chat template.
//! [`Model::generate`] streams the reply through a callback that can stop it.
//!
//! Architecture invariant: this crate knows nothing of care records, tasks, storage or the user interface.

mod arch;
mod error;
mod generate;
mod gguf;
#[allow(unsafe_code)] // SIMD intrinsics and views of GGUF blocks, each with its SAFETY argument.
pub mod kernels;
mod measure;
mod model;
mod template;
pub mod threads;
mod tokenizer;

pub use arch::SUPPORTED_ARCHITECTURES;
pub use error::{EngineError, Result};
pub use generate::{Flow, Generation, GenerationParams, Progress, StopReason, TokenFilter};
pub use gguf::{GgufFile, ModelInfo, sha256_file};
pub use measure::Measurement;
pub use model::{LoadProgress, Model, Prompt};
pub use template::{ChatMessage, ChatTemplate, Role, utc_date};
pub use tokenizer::Tokenizer;
