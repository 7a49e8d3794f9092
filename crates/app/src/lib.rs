//! Tend's application façade: one function per user action. The command line and the desktop app call only
//! this crate; it composes the engine, the writing tasks, the checks and the record store.
//!
//! Architecture invariant: every draft this crate returns has `review_required: true`; nothing here can clear it.

pub mod config;
pub mod eval;
pub mod faithful;
pub mod handover;
pub mod models;
pub mod records;
pub mod workspace;

use std::path::Path;
use std::time::Duration;

use serde::Serialize;
use tend_engine::{EngineError, Model};
use tend_writing::{TemplateId, WritingError};

pub use faithful::{Sentence, Span};
pub use tend_checks::{Finding, FindingKind, Location};
pub use tend_engine::{Flow, GenerationParams, LoadProgress, ModelInfo, Progress, StopReason};
pub use tend_writing::{Language, Task};

/// Everything a user action can fail with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The model could not be loaded or failed while generating.
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// The task's input was not usable.
    #[error(transparent)]
    Writing(#[from] WritingError),
    /// The evaluation data could not be read.
    #[error("{0}")]
    Eval(String),
    /// The record store refused or failed.
    #[error(transparent)]
    Store(#[from] tend_store::StoreError),
    /// A request that cannot be done as asked; the message says what to change.
    #[error("{0}")]
    Invalid(String),
    /// Nobody is signed in.
    #[error("sign in first")]
    NotSignedIn,
    /// The model cannot draft yet.
    #[error("{0}")]
    ModelNotReady(String),
    /// The model would not fit in the memory this computer has free.
    #[error(
        "{model} needs about {needed_mb} MB of memory to draft, but this computer has {available_mb} MB free. \
         Close other programs, or choose a smaller model (SmolLM2-135M needs about 500 MB)."
    )]
    DoesNotFit {
        /// The model's name.
        model: String,
        /// Its estimated need.
        needed_mb: u64,
        /// Memory available now.
        available_mb: u64,
    },
    /// A model file could not be imported or downloaded.
    #[error("{0}")]
    Import(String),
    /// The settings file could not be read or saved.
    #[error("{0}")]
    Config(String),
    /// A model download failed.
    #[error(transparent)]
    Hub(#[from] tend_hub::HubError),
    /// The session locked after a period without use.
    #[error(
        "Tend locked itself after a few minutes without use, to protect people's records; enter your password to continue"
    )]
    SessionLocked,
    /// A defect in Tend (a panic) stopped a piece of work; caught so that the window can say so.
    #[error(
        "Tend stopped {what} because of an internal error ({detail}). Everything saved before is intact; try again, \
         and if it happens again, report it with this message"
    )]
    Internal {
        /// What was stopped, e.g. "loading the model".
        what: String,
        /// The panic's message.
        detail: String,
    },
}

/// Runs `f`, turning a panic inside it into [`AppError::Internal`], so that a defect while loading or drafting
/// shows as a message instead of leaving the window waiting forever.
pub fn contain<T>(what: &str, f: impl FnOnce() -> Result<T, AppError>) -> Result<T, AppError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|panic| {
        let detail = panic
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "no message".into());
        Err(AppError::Internal { what: what.to_owned(), detail })
    })
}

/// Where a draft came from: enough to reproduce and audit it.
#[derive(Debug, Clone, Serialize)]
pub struct Provenance {
    /// The model's name.
    pub model: String,
    /// The model file.
    pub model_path: String,
    /// SHA-256 of the model file, as hex.
    pub model_sha256: String,
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
    /// From the request to the end of the draft, checks included.
    pub total_time: Duration,
    /// Requests made to the model (a care note makes one or more per line of the notes).
    pub requests: usize,
    /// Candidate tokens the decoding constraint refused because they would have written a fact the notes lack.
    pub refused_tokens: usize,
    /// The instructions the kernels ran with ([`kernels_in_use`]): timings compare only like with like.
    pub kernels: String,
}

/// An AI draft. It always requires a person's review before it can become a record.
#[derive(Debug, Clone, Serialize)]
pub struct Draft {
    /// The task that produced it.
    pub task: Task,
    /// The drafted text (for a declined request, the reason and where to get advice instead).
    pub draft: String,
    /// What a person should check: unsupported or lost facts, reversed negations, wording, clinical advice.
    pub findings: Vec<Finding>,
    /// Always true: only a recorded human review clears it.
    pub review_required: bool,
    /// True when the request asked for a diagnosis, a dose or a triage decision and nothing was generated.
    pub declined: bool,
    /// Why generation ended (a cancelled draft is partial).
    pub stop_reason: StopReason,
    /// The draft's sentences with the spans of the input they came from (every task but a translation, which is
    /// written in one pass and has none).
    pub sentences: Vec<Sentence>,
    /// Parts of the input that no sentence covers ("not in the draft"; for the tasks with sentences).
    pub uncovered: Vec<Span>,
    /// A translation out of English translated back into English by the same model, for a reader who cannot read
    /// the translation; the findings include what it lost of the original.
    pub back_translation: Option<String>,
    /// For a translation: its direction and how far this model's translations that way can be trusted.
    pub translation: Option<TranslationNote>,
    /// Model, template, settings and timings.
    pub provenance: Provenance,
}

/// A translation's direction and how far the model's translations that way can be trusted, from its measured chrF++
/// ([`models::reliability_between`]).
#[derive(Debug, Clone, Serialize)]
pub struct TranslationNote {
    /// The language translated from: English, or the language Tend read the text as (none when it could not tell).
    pub from: Option<Language>,
    /// The language translated into.
    pub to: Language,
    /// "good first draft", "rough: have a speaker check it", ...
    pub reliability: String,
    /// The measured chrF++ of this model in this direction.
    pub chrf: Option<f64>,
}

impl TranslationNote {
    /// One sentence for the person reading the translation.
    pub fn sentence(&self) -> String {
        match self.from {
            Some(from) => {
                let measured = self.chrf.map_or_else(String::new, |c| format!(" (chrF++ {c:.1} as measured)"));
                format!(
                    "Translation from {} into {} with this model: {}{measured}.",
                    from.name(),
                    self.to.name(),
                    self.reliability
                )
            }
            None => "Tend could not tell which language the text is written in, so it cannot say how well this \
                     model translates it: have a speaker check the translation."
                .into(),
        }
    }
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
    model_sha256: String,
}

impl Assistant {
    /// Loads the model at `path`, reporting progress, after checking that it fits in the memory available.
    pub fn open(path: &Path, progress: &mut dyn FnMut(LoadProgress)) -> Result<Self, AppError> {
        let gguf = tend_engine::GgufFile::open(path)?;
        check_fit(&gguf.info()?, available_memory())?;
        let model = Model::load_opened(gguf, progress)?;
        let model_sha256 = tend_engine::sha256_file(path)?;
        Ok(Self { model, model_sha256 })
    }

    /// The loaded model's facts.
    pub fn model_info(&self) -> &ModelInfo {
        self.model.info()
    }

    /// The SHA-256 of the loaded model file, as hex.
    pub fn model_sha256(&self) -> &str {
        &self.model_sha256
    }

    /// Drafts `task` from `input` about the person whose preferred name is `person` (if known), streaming
    /// progress; `on_progress` returning [`Flow::Stop`] keeps the partial draft.
    pub fn draft(
        &mut self,
        task: Task,
        input: &str,
        language: Option<Language>,
        person: Option<&str>,
        params: &GenerationParams,
        on_progress: &mut dyn FnMut(Progress<'_>) -> Flow,
    ) -> Result<Draft, AppError> {
        self.draft_gated(task, input, language, person, params, on_progress, true)
    }

    /// [`Assistant::draft`], with the translation gate (labels and declines from measured figures) on or off: a
    /// measurement of the model's translations must see every direction's translations, not the gate's refusals.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn draft_gated(
        &mut self,
        task: Task,
        input: &str,
        language: Option<Language>,
        person: Option<&str>,
        params: &GenerationParams,
        on_progress: &mut dyn FnMut(Progress<'_>) -> Flow,
        gated: bool,
    ) -> Result<Draft, AppError> {
        let prompt = task.prompt(input, language, person)?;
        if let Some(request) = tend_checks::clinical::asks_for_advice(input) {
            return Ok(self.declined(task, input, request, prompt.template, params));
        }
        // A translation's direction: out of English, or into it from the language the text is written in (as far
        // as Tend can tell); a direction this model is measured to do too poorly is declined.
        let translated_from = language.filter(|_| task == Task::Translate).and_then(|to| {
            if to == Language::English {
                Language::detect(input).filter(|&l| l != Language::English)
            } else {
                Some(Language::English)
            }
        });
        if let (Some(from), Some(to), true) = (translated_from, language, gated)
            && let Some(declined) = self.translation_not_offered(from, to, prompt.template.clone(), params)
        {
            return Ok(declined);
        }
        let started = std::time::Instant::now();
        let info = self.model.info().clone();
        let provenance = |prompt_tokens, generated_tokens, ttft, prefill, decode, requests, refused| Provenance {
            model: info.name.clone(),
            model_path: info.path.display().to_string(),
            model_sha256: self.model_sha256.clone(),
            template: prompt.template.clone(),
            params: params.clone(),
            prompt_tokens,
            generated_tokens,
            time_to_first_token: ttft,
            prefill_tokens_per_second: prefill,
            decode_tokens_per_second: decode,
            total_time: Duration::ZERO,
            requests,
            refused_tokens: refused,
            kernels: kernels_in_use(),
        };
        let (draft, stop_reason, sentences, uncovered, provenance) = if task != Task::Translate {
            let note = if task == Task::ActivityPlan {
                faithful::draft_plan(&mut self.model, input.trim(), person, params, on_progress)?
            } else {
                faithful::draft_lines(&mut self.model, task, input.trim(), person, params, on_progress)?
            };
            let p = provenance(
                note.prompt_tokens,
                note.generated_tokens,
                note.time_to_first_token,
                note.prefill_tokens_per_second,
                note.decode_tokens_per_second,
                note.requests,
                note.refused_tokens,
            );
            (note.text, note.stop_reason, note.sentences, note.uncovered, p)
        } else {
            let allowed = faithful::translation_filter(input);
            let params = self.translation_params(input, params)?;
            let g = faithful::generate_under(&mut self.model, &prompt.messages, &params, &allowed, on_progress)?;
            let p = provenance(
                g.prompt_tokens,
                g.generated_tokens,
                g.time_to_first_token,
                g.prefill_tokens_per_second,
                g.decode_tokens_per_second,
                1,
                g.refused_tokens,
            );
            (g.text.trim().to_owned(), g.stop_reason, Vec::new(), Vec::new(), p)
        };
        let added: Vec<(usize, usize)> =
            sentences.iter().flat_map(|s| s.added.iter().map(|a| (a.start, a.end))).collect();
        let mut findings = findings_for(task, input, &draft, &added, &prompt.example, person);
        let mut provenance = provenance;
        let out_of_english = task == Task::Translate && language.is_some_and(|l| l != Language::English);
        let back_translation = if out_of_english && stop_reason != StopReason::Cancelled && !draft.is_empty() {
            let back = self.back_translate(&draft, params, on_progress)?;
            provenance.requests += 1;
            provenance.prompt_tokens += back.prompt_tokens;
            provenance.generated_tokens += back.generated_tokens;
            provenance.refused_tokens += back.refused_tokens;
            findings.extend(lost_in_back_translation(input, &back.text, &findings));
            Some(back.text.trim().to_owned())
        } else {
            None
        };
        let provenance = Provenance { total_time: started.elapsed(), ..provenance };
        let translation = language.filter(|_| task == Task::Translate).map(|to| {
            let figures = models::translation_figures(&self.model_info().path, &self.model_sha256);
            let (reliability, chrf) = match translated_from {
                Some(from) => models::reliability_between(figures.as_ref(), from, to),
                None => (models::Reliability::NotMeasured, None),
            };
            TranslationNote { from: translated_from, to, reliability: reliability.label().to_owned(), chrf }
        });
        Ok(Draft {
            task,
            findings,
            draft,
            review_required: true,
            declined: false,
            stop_reason,
            sentences,
            uncovered,
            back_translation,
            translation,
            provenance,
        })
    }

    /// `params` for translating `source`: a translation is about as long as its source, so a model that rambles on
    /// is stopped and the draft says it was cut (`StopReason::Length`).
    fn translation_params(&self, source: &str, params: &GenerationParams) -> Result<GenerationParams, AppError> {
        let tokens = self.model.tokenizer().encode_text(source)?.len();
        let max_tokens = params.max_tokens.min(TRANSLATION_LENGTH_FACTOR * tokens + TRANSLATION_MARGIN);
        Ok(GenerationParams { max_tokens, ..params.clone() })
    }

    /// A handover summary of `notes` (newest first, from [`handover::notes_for`]) about `person`: each point written
    /// from one sentence through the care note's faithful pipeline; see [`handover`]. `on_progress` hears
    /// `Prefill { done, total }` per sentence written, and stops the summary with [`Flow::Stop`].
    pub fn handover(
        &mut self,
        person: &str,
        notes: &[tend_store::FinalNote],
        within: handover::Within,
        left_out: Vec<i64>,
        params: &GenerationParams,
        on_progress: &mut dyn FnMut(Progress<'_>) -> Flow,
    ) -> Result<handover::Handover, AppError> {
        let model = &mut self.model;
        handover::summarise(person, notes, within, left_out, &mut |sentence, done, total| {
            if on_progress(Progress::Prefill { done, total }) == Flow::Stop {
                return Ok(None);
            }
            let line =
                faithful::draft_lines(model, Task::CareNote, sentence, Some(person), params, &mut |_| Flow::Continue)?;
            Ok((line.stop_reason != StopReason::Cancelled)
                .then(|| handover::Written { fallback: line.sentences.iter().any(|s| s.fallback), text: line.text }))
        })
    }

    /// Translates `translation` back into English with the same model, under the same bound on its length and the
    /// same fact constraint; its text is not streamed (the caller is showing the translation).
    fn back_translate(
        &mut self,
        translation: &str,
        params: &GenerationParams,
        on_progress: &mut dyn FnMut(Progress<'_>) -> Flow,
    ) -> Result<tend_engine::Generation, AppError> {
        let prompt = Task::Translate.prompt(translation, Some(Language::English), None)?;
        let allowed = faithful::translation_filter(translation);
        let params = self.translation_params(translation, params)?;
        let mut quiet = |p: Progress<'_>| match p {
            Progress::Prefill { .. } => on_progress(p),
            Progress::Text(_) => Flow::Continue,
        };
        faithful::generate_under(&mut self.model, &prompt.messages, &params, &allowed, &mut quiet)
    }

    /// The answer to a request for clinical advice: nothing generated, the request flagged, and signposting.
    fn declined(
        &self,
        task: Task,
        input: &str,
        request: &str,
        template: TemplateId,
        params: &GenerationParams,
    ) -> Draft {
        let start = input.find(request).unwrap_or(0);
        let signpost = tend_checks::clinical::signpost();
        let finding = Finding {
            kind: FindingKind::ClinicalAdvice,
            fact: None,
            text: request.to_owned(),
            start,
            end: start + request.len(),
            location: Location::Source,
            message: format!("The notes ask for a diagnosis, a dose or a triage decision. {signpost}"),
            suggestion: None,
        };
        self.nothing_generated(task, signpost.to_owned(), vec![finding], template, params)
    }

    /// The answer to a translation into a language this model translates too poorly to use (its measured chrF++
    /// below [`models::ROUGH_CHRF`]): nothing generated, an interpreter or translator suggested, and the catalogue
    /// model that does better named, if one does.
    fn translation_not_offered(
        &self,
        from: Language,
        to: Language,
        template: TemplateId,
        params: &GenerationParams,
    ) -> Option<Draft> {
        let figures = models::translation_figures(&self.model_info().path, &self.model_sha256)?;
        let (models::Reliability::NotAvailable, Some(chrf)) = models::reliability_between(Some(&figures), from, to)
        else {
            return None;
        };
        let better = models::best_translator(from, to)
            .map(|(e, c)| format!(" {} does better ({c:.1}); it can be installed in Settings.", e.name))
            .unwrap_or_default();
        let text = format!(
            "{} cannot translate from {} into {} well enough to use: it scored {chrf:.1} chrF++ on {} sentences \
             (measured {}; Tend offers a translation from {}). Ask an interpreter or a qualified translator, as NHS \
             guidance on interpreting asks.{better}",
            self.model_info().name,
            from.name(),
            to.name(),
            figures.lines,
            figures.measured,
            models::ROUGH_CHRF,
        );
        Some(self.nothing_generated(Task::Translate, text, Vec::new(), template, params))
    }

    /// A draft for which nothing was generated: `text` says why.
    fn nothing_generated(
        &self,
        task: Task,
        text: String,
        findings: Vec<Finding>,
        template: TemplateId,
        params: &GenerationParams,
    ) -> Draft {
        let info = self.model.info();
        Draft {
            task,
            draft: text,
            findings,
            review_required: true,
            declined: true,
            stop_reason: StopReason::End,
            sentences: Vec::new(),
            uncovered: Vec::new(),
            back_translation: None,
            translation: None,
            provenance: Provenance {
                model: info.name.clone(),
                model_path: info.path.display().to_string(),
                model_sha256: self.model_sha256.clone(),
                template,
                params: params.clone(),
                prompt_tokens: 0,
                generated_tokens: 0,
                time_to_first_token: Duration::ZERO,
                prefill_tokens_per_second: 0.0,
                decode_tokens_per_second: 0.0,
                total_time: Duration::ZERO,
                requests: 0,
                refused_tokens: 0,
                kernels: kernels_in_use(),
            },
        }
    }
}

/// The instructions the engine's kernels run with on this computer under `TEND_ISA` (AVX2 alone, as on most care
/// laptops, or the best this processor has), for the command line's report and every draft's provenance.
pub fn kernels_in_use() -> String {
    tend_engine::kernels::Isa::current().describe()
}

/// What the reading back of a translation lost of the `original` ([`tend_checks::translation::check_back`]),
/// except what the translation itself is already found to have lost.
fn lost_in_back_translation(original: &str, back: &str, already: &[Finding]) -> Vec<Finding> {
    tend_checks::translation::check_back(original, back)
        .into_iter()
        .filter(|f| !already.iter().any(|a| a.kind == f.kind && (a.kind == FindingKind::Negation || a.text == f.text)))
        .collect()
}

/// The most text Tend drafts from or checks at once; the command line refuses more before a model loads.
pub const MAX_INPUT_BYTES: usize = tend_writing::MAX_INPUT_BYTES;

/// A translation may run to this many times its source's tokens, plus [`TRANSLATION_MARGIN`], before it is cut.
pub const TRANSLATION_LENGTH_FACTOR: usize = 3;
/// Tokens a translation may have beyond [`TRANSLATION_LENGTH_FACTOR`] times its source's.
pub const TRANSLATION_MARGIN: usize = 16;

/// The context Tend drafts with: task instructions, the worker's text and the answer fit in it.
pub const WORKING_CONTEXT: usize = 4096;

/// Refuses a model whose estimated memory need at Tend's working context exceeds `available` bytes, before
/// any weight is read, instead of letting the computer run out of memory.
pub fn check_fit(info: &ModelInfo, available: Option<u64>) -> Result<(), AppError> {
    let context = if info.context_length > 0 { info.context_length.min(WORKING_CONTEXT) } else { WORKING_CONTEXT };
    let needed = info.memory_needed(context);
    match available {
        Some(available) if needed > available => Err(AppError::DoesNotFit {
            model: info.name.clone(),
            needed_mb: needed >> 20,
            available_mb: available >> 20,
        }),
        _ => Ok(()),
    }
}

/// Where the record database lives by default: `$TEND_DB`, else `tend/tend.db` in the user's data folder
/// (`$XDG_DATA_HOME`, else `~/.local/share`). None when neither a home nor a data folder is known.
pub fn default_database() -> Option<std::path::PathBuf> {
    user_file("TEND_DB", "XDG_DATA_HOME", ".local/share", "tend.db")
}

/// A per-user file: `$override_var`, else `<$xdg_var, else ~/home_default>/tend/<file>`.
pub(crate) fn user_file(
    override_var: &str,
    xdg_var: &str,
    home_default: &str,
    file: &str,
) -> Option<std::path::PathBuf> {
    use std::path::PathBuf;
    if let Some(path) = std::env::var_os(override_var) {
        return Some(PathBuf::from(path));
    }
    let base = std::env::var_os(xdg_var)
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(home_default)))?;
    Some(base.join("tend").join(file))
}

/// The models folder: `$TEND_MODELS_DIR`, else `models/`.
pub fn models_dir() -> std::path::PathBuf {
    std::env::var_os("TEND_MODELS_DIR").map_or_else(|| "models".into(), std::path::PathBuf::from)
}

/// Memory available for a new program now: `MemAvailable` from /proc/meminfo, or `TEND_MEMORY_MB` when set
/// (to plan for a smaller laptop). None when neither is known.
pub fn available_memory() -> Option<u64> {
    if let Some(mb) = std::env::var("TEND_MEMORY_MB").ok().and_then(|v| v.parse::<u64>().ok()) {
        return Some(mb << 20);
    }
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = meminfo.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib << 10)
}

/// Whether a fact the checks find lost from `input` stands in a shorthand token the draft says in its expanded form:
/// "C" of "C/o" as "complained of", "L" as "left".
fn said_expanded(input: &str, finding: &Finding, output: &str) -> bool {
    if finding.kind != FindingKind::Omission {
        return false;
    }
    // The token with a word either side (the expansion may depend on them), expanded with and without it: the
    // words only the first has are the token's expansion.
    let start = input[..finding.start].rfind(char::is_whitespace).map_or(0, |i| i + 1);
    let end = input[finding.end..].find(char::is_whitespace).map_or(input.len(), |i| finding.end + i);
    let before = input[..start].split_whitespace().last().unwrap_or("");
    let after = input[end..].split_whitespace().next().unwrap_or("");
    let words = |text: String| -> Vec<String> {
        text.split_whitespace()
            .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()).to_lowercase())
            .filter(|w| !w.is_empty())
            .collect()
    };
    let expand = tend_checks::items::expand;
    let with = words(expand(&format!("{before} {} {after}", &input[start..end])));
    let mut without = words(expand(&format!("{before} {after}")));
    let own: Vec<String> = with
        .into_iter()
        .filter(|w| match without.iter().position(|x| x == w) {
            Some(i) => {
                without.remove(i);
                false
            }
            None => true,
        })
        .collect();
    let token = input[start..end].trim_matches(|c: char| !c.is_alphanumeric()).to_lowercase();
    let draft = output.to_lowercase();
    own.iter().any(|w| w.len() >= 3 && *w != token && draft.split(|c: char| !c.is_alphanumeric()).any(|d| d == w))
}

/// The checks that suit each task's output, and for every task the passages copied from the prompt's example, for
/// `output` written by `task` from `input`; `added` are the byte spans of words a care note's rewrite added to the
/// notes' own (none for a text written elsewhere).
pub(crate) fn findings_for(
    task: Task,
    input: &str,
    output: &str,
    added: &[(usize, usize)],
    example: &str,
    person: Option<&str>,
) -> Vec<Finding> {
    use tend_checks::grounding::{Scope, copied_from_example};
    // What backs the output: the input, with its shorthand expanded (a care note or meeting record is written from
    // the expansion: "two carers" for "x2"), or a letter's points with Tend's voicing of them ("Please bring").
    let backing = match task {
        Task::CareNote | Task::Meeting | Task::CheckWording => {
            format!("{input}\n{}", tend_checks::items::expand(input))
        }
        Task::Letter => format!("{input}\n{}", tend_checks::letter::voiced_text(input, person)),
        _ => input.to_owned(),
    };
    let mut findings = match task {
        Task::CareNote | Task::Meeting | Task::CheckWording => {
            // Facts lost are reported against the notes as written only.
            let mut findings = tend_checks::check_draft_about(&backing, output, Scope::RECORD, person);
            findings.retain(|f| {
                f.location == Location::Draft || (f.end <= input.len() && !said_expanded(input, f, output))
            });
            findings.extend(tend_checks::readings::check(input, output, added, person));
            findings
        }
        Task::Letter => tend_checks::check_draft_about(&backing, output, Scope::SUMMARY, person),
        Task::ActivityPlan => tend_checks::check_draft_about(input, output, Scope::PLAN, person),
        Task::Translate => tend_checks::translation::check(input, output),
    };
    findings.extend(copied_from_example(example, &backing, output));
    tend_checks::in_order(&mut findings);
    findings
}

/// The checks alone, for any pair of texts: a draft written elsewhere, or an evaluation.
#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    /// What a person should check.
    pub findings: Vec<Finding>,
    /// Always true: checks do not make a text safe to use unread.
    pub review_required: bool,
    /// Which checks produced the findings.
    pub provenance: CheckProvenance,
}

/// The version of the checks that produced a report.
#[derive(Debug, Clone, Serialize)]
pub struct CheckProvenance {
    /// The checks crate and its version.
    pub checks: String,
}

/// Runs every check of a care note `draft` against the notes `source`, as a drafted care note is checked: the
/// notes' shorthand expanded backs the draft ("complained of" for "c/o").
pub fn check(source: &str, draft: &str) -> CheckReport {
    check_care_note(source, draft, &[], None)
}

/// [`check`] of a care note Tend drafted about the person called `person`, with the byte spans of the draft its
/// rewrite `added` to the notes' own words: every check the drafted note was given, readings included.
pub fn check_care_note(source: &str, draft: &str, added: &[(usize, usize)], person: Option<&str>) -> CheckReport {
    CheckReport {
        findings: findings_for(Task::CareNote, source, draft, added, "", person),
        review_required: true,
        provenance: CheckProvenance { checks: format!("tend-checks {}", env!("CARGO_PKG_VERSION")) },
    }
}
