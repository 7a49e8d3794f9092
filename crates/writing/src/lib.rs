//! Tend's care-writing tasks. Each task is a prompt template kept as a data file in `prompts/` with an id and a
//! version; a task turns what the worker wrote into chat messages for the engine.
//!
//! Architecture invariant: this crate knows the engine's message types, and nothing of storage or the UI.

mod language;

use serde::{Deserialize, Serialize};
use tend_engine::ChatMessage;

pub use language::Language;

/// The longest input a task accepts, in bytes: far beyond any shift's notes, small enough to refuse pasted files.
pub const MAX_INPUT_BYTES: usize = 256 * 1024;

/// What can be wrong with a task's input or template.
#[derive(Debug, thiserror::Error)]
pub enum WritingError {
    /// Nothing but white space was given.
    #[error("there is nothing to work from: the text is empty. Type or paste the notes first.")]
    EmptyInput,
    /// The input is implausibly long.
    #[error("the text is {0} bytes long, more than the {MAX_INPUT_BYTES} Tend accepts. Split it into parts.")]
    InputTooLong(usize),
    /// Translation needs a target language.
    #[error(
        "say which language to translate into (for example --to polish); Tend translates between English and {}",
        Language::names()
    )]
    NoLanguage,
    /// The language is not one Tend translates.
    #[error("Tend does not translate '{0}'; it translates between English and {names}", names = Language::names())]
    UnknownLanguage(String),
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
    /// A person's interests, abilities, needs and preferences into a week of activities.
    ActivityPlan,
    /// Meeting notes into a record of the meeting, written line by line from the notes.
    Meeting,
    /// A purpose and points into a short, plain letter or email.
    Letter,
    /// A text into another language (to or from English).
    Translate,
    /// Minimal corrections of grammar, line by line, with the changes listed by rule.
    CheckWording,
}

impl Task {
    /// Every task, in the order the app lists them.
    pub const ALL: [Task; 6] =
        [Task::CareNote, Task::ActivityPlan, Task::Meeting, Task::Letter, Task::Translate, Task::CheckWording];

    /// The task's short name, as in prompt template ids and on the command line: `care-note`, `activity-plan`,
    /// `meeting`, `letter`, `translate`, `check-wording`.
    pub fn name(self) -> &'static str {
        self.template_source().0
    }

    fn template_source(self) -> (&'static str, &'static str) {
        match self {
            Task::CareNote => ("care-note", include_str!("../prompts/care-note.toml")),
            Task::ActivityPlan => ("activity-plan", include_str!("../prompts/activity-plan.toml")),
            Task::Meeting => ("meeting", include_str!("../prompts/meeting.toml")),
            Task::Letter => ("letter", include_str!("../prompts/letter.toml")),
            Task::Translate => ("translate", include_str!("../prompts/translate.toml")),
            Task::CheckWording => ("check-wording", include_str!("../prompts/check-wording.toml")),
        }
    }

    /// Builds the messages for `input` (the worker's text, trimmed). `language` is the target of a translation;
    /// `person` is the preferred name of the person the text is about, for the tasks that write about a person.
    pub fn prompt(
        self,
        input: &str,
        language: Option<Language>,
        person: Option<&str>,
    ) -> Result<TaskPrompt, WritingError> {
        let input = input.trim();
        if input.is_empty() {
            return Err(WritingError::EmptyInput);
        }
        if input.len() > MAX_INPUT_BYTES {
            return Err(WritingError::InputTooLong(input.len()));
        }
        let language = match (self, language) {
            (Task::Translate, None) => return Err(WritingError::NoLanguage),
            (Task::Translate, Some(l)) => Some(l),
            _ => None,
        };
        let (name, source) = self.template_source();
        let template: PromptTemplate =
            toml::from_str(source).map_err(|e| WritingError::Template { name, reason: e.to_string() })?;
        let language_name = language.map_or("", Language::name);
        // The worker's text is substituted last, so braces typed in it are never template placeholders.
        let fill =
            |text: &str, with: &str| text.trim().replace("{language}", language_name).replacen("{input}", with, 1);
        let mut messages = vec![ChatMessage::system(fill(&template.system, ""))];
        if !template.example_input.is_empty() {
            messages.push(ChatMessage::user(fill(&template.user, template.example_input.trim())));
            messages.push(ChatMessage::assistant(template.example_output.trim()));
        }
        // The name goes in the last turn, ahead of the worker's text, so the instructions and the example stay a
        // reusable prefix; it is filled on its own, so braces in a name never reach the input's placeholder.
        let person = person.map(one_line_name).filter(|name| !name.is_empty() && !template.person.is_empty());
        let about = person.map_or_else(String::new, |name| {
            let initial = name.chars().find(|c| c.is_alphabetic()).map(|c| c.to_uppercase().to_string());
            let line = template.person.trim().replace("{initial}", &initial.unwrap_or_default());
            format!("{}\n\n", line.replace("{person}", &name))
        });
        messages.push(ChatMessage::user(about + &fill(&template.user, input)));
        Ok(TaskPrompt {
            messages,
            template: TemplateId { id: template.id, version: template.version },
            language,
            example: template.example_output.trim().to_owned(),
        })
    }
}

/// The longest preferred name passed to the model, in characters.
const MAX_NAME_CHARS: usize = 60;

/// A preferred name as the prompt gives it: on one line, with single spaces, at most [`MAX_NAME_CHARS`] long.
fn one_line_name(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(MAX_NAME_CHARS)
        .collect::<String>()
        .trim()
        .to_owned()
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
    /// How the last turn names the person the text is about (`{person}`, and `{initial}` for the first letter of
    /// their name), or empty for tasks that do not.
    #[serde(default)]
    person: String,
    user: String,
}

/// The chat messages for one request and the template they came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskPrompt {
    /// Messages for the engine: the task's instructions, then the worker's text as data.
    pub messages: Vec<ChatMessage>,
    /// The template used.
    pub template: TemplateId,
    /// The target language of a translation.
    pub language: Option<Language>,
    /// The worked example's answer shown to the model, or empty: a draft must not repeat it.
    pub example: String,
}
