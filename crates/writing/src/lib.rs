//! Tend's care-writing tasks. Each task is a module plus a prompt template kept as a data file with an id and a
//! version; a task turns what the worker wrote into chat messages for the engine.
//!
//! Architecture invariant: this crate knows the engine's message types, and nothing of storage or the UI.

use serde::{Deserialize, Serialize};
use tend_engine::ChatMessage;

/// The prompt template of the care-note task.
const CARE_NOTE: &str = include_str!("../prompts/care-note.toml");

/// The longest input a task accepts, in bytes: far beyond any shift's notes, small enough to refuse pasted files.
pub const MAX_INPUT_BYTES: usize = 256 * 1024;

/// What can be wrong with a task's input or template.
#[derive(Debug, thiserror::Error)]
pub enum WritingError {
    /// Nothing but white space was given.
    #[error("there is nothing to work from: the text is empty. Type or paste the notes first.")]
    EmptyInput,
    /// The input is implausibly long.
    #[error(
        "the text is {0} bytes long, more than the {MAX_INPUT_BYTES} Tend accepts. Split it into parts."
    )]
    InputTooLong(usize),
    /// A built-in template does not parse (a build defect, caught by the tests).
    #[error("the prompt template '{name}' is malformed: {reason}")]
    Template {
        /// Which template.
        name: &'static str,
        /// What is wrong.
        reason: String,
    },
}

/// A writing task Tend can do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Task {
    /// Shorthand from a visit or shift into a daily care note.
    CareNote,
}

/// Which prompt template, and which version of it, produced a draft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateId {
    /// The template's name, e.g. `care-note`.
    pub id: String,
    /// Its version; a change of wording is a new version.
    pub version: u32,
}

/// A prompt template as stored in `prompts/*.toml`.
#[derive(Debug, Deserialize)]
struct PromptTemplate {
    id: String,
    version: u32,
    system: String,
    /// A worked example shown to the model as an earlier turn, or empty.
    #[serde(default)]
    example_input: String,
    #[serde(default)]
    example_output: String,
    user: String,
}

/// The chat messages for one request and the template they came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskPrompt {
    /// Messages for the engine: the task's instructions, then the worker's text as data.
    pub messages: Vec<ChatMessage>,
    /// The template used.
    pub template: TemplateId,
}

impl Task {
    /// The prompt template source of this task.
    fn source(self) -> (&'static str, &'static str) {
        match self {
            Task::CareNote => ("care-note", CARE_NOTE),
        }
    }

    /// Builds the messages for `input` (the worker's text, trimmed).
    pub fn prompt(self, input: &str) -> Result<TaskPrompt, WritingError> {
        let input = input.trim();
        if input.is_empty() {
            return Err(WritingError::EmptyInput);
        }
        if input.len() > MAX_INPUT_BYTES {
            return Err(WritingError::InputTooLong(input.len()));
        }
        let (name, source) = self.source();
        let template: PromptTemplate =
            toml::from_str(source).map_err(|e| WritingError::Template {
                name,
                reason: e.to_string(),
            })?;
        let fill = |text: &str| template.user.trim().replacen("{input}", text, 1);
        let mut messages = vec![ChatMessage::system(template.system.trim())];
        if !template.example_input.is_empty() {
            messages.push(ChatMessage::user(fill(template.example_input.trim())));
            messages.push(ChatMessage::assistant(template.example_output.trim()));
        }
        messages.push(ChatMessage::user(fill(input)));
        Ok(TaskPrompt {
            messages,
            template: TemplateId {
                id: template.id,
                version: template.version,
            },
        })
    }
}
