//! Tend's application façade: one function per user action. The command line and the desktop app call only
//! this crate; it composes the engine and the writing tasks.
//!
//! Architecture invariant: every draft this crate returns has `review_required: true`; nothing here can clear it.

use std::path::Path;
use std::time::Duration;

use serde::Serialize;
use tend_engine::{EngineError, Model};
use tend_writing::{TemplateId, WritingError};

pub use tend_engine::{Flow, GenerationParams, LoadProgress, ModelInfo, Progress, StopReason};
pub use tend_writing::Task;

/// Everything a user action can fail with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The model could not be loaded or failed while generating.
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// The task's input was not usable.
    #[error(transparent)]
    Writing(#[from] WritingError),
}

/// Where a draft came from: enough to reproduce and audit it.
#[derive(Debug, Clone, Serialize)]
pub struct Provenance {
    /// The model's name.
    pub model: String,
    /// The model file.
    pub model_path: String,
    /// The prompt template and version.
    pub template: TemplateId,
    /// The sampling settings.
    pub params: GenerationParams,
    /// Tokens in the prompt.
    pub prompt_tokens: usize,
    /// Tokens generated.
    pub generated_tokens: usize,
    /// Time to the first generated token.
    pub time_to_first_token: Duration,
    /// Prompt tokens per second.
    pub prefill_tokens_per_second: f64,
    /// Generated tokens per second.
    pub decode_tokens_per_second: f64,
}

/// An AI draft. It always requires a person's review before it can become a record.
#[derive(Debug, Clone, Serialize)]
pub struct Draft {
    /// The task that produced it.
    pub task: Task,
    /// The drafted text.
    pub draft: String,
    /// Always true: only a recorded human review clears it.
    pub review_required: bool,
    /// Why generation ended (a cancelled draft is partial).
    pub stop_reason: StopReason,
    /// Model, template, settings and timings.
    pub provenance: Provenance,
}

/// Reads a model file's header and reports what it is, without loading the weights.
pub fn inspect_model(path: &Path) -> Result<(ModelInfo, String), AppError> {
    let info = tend_engine::GgufFile::open(path)?.info()?;
    let sha256 = tend_engine::sha256_file(path)?;
    Ok((info, sha256))
}

/// A loaded model, ready to draft.
pub struct Assistant {
    model: Model,
}

impl Assistant {
    /// Loads the model at `path`, reporting progress.
    pub fn open(path: &Path, progress: &mut dyn FnMut(LoadProgress)) -> Result<Self, AppError> {
        Ok(Self {
            model: Model::load(path, progress)?,
        })
    }

    /// The loaded model's facts.
    pub fn model_info(&self) -> &ModelInfo {
        self.model.info()
    }

    /// Drafts `task` from `input`, streaming progress; `on_progress` returning [`Flow::Stop`] keeps the partial
    /// draft.
    pub fn draft(
        &mut self,
        task: Task,
        input: &str,
        params: &GenerationParams,
        on_progress: &mut dyn FnMut(Progress<'_>) -> Flow,
    ) -> Result<Draft, AppError> {
        let prompt = task.prompt(input)?;
        let generation = self.model.generate(&prompt.messages, params, on_progress)?;
        let info = self.model.info();
        Ok(Draft {
            task,
            draft: generation.text.trim().to_owned(),
            review_required: true,
            stop_reason: generation.stop_reason,
            provenance: Provenance {
                model: info.name.clone(),
                model_path: info.path.display().to_string(),
                template: prompt.template,
                params: params.clone(),
                prompt_tokens: generation.prompt_tokens,
                generated_tokens: generation.generated_tokens,
                time_to_first_token: generation.time_to_first_token,
                prefill_tokens_per_second: generation.prefill_tokens_per_second,
                decode_tokens_per_second: generation.decode_tokens_per_second,
            },
        })
    }
}
