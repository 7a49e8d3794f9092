//! Tend's checks: pure functions from texts to findings. No model, no I/O; the word lists are compiled in.
//!
//! - [`grounding`] finds facts (names, numbers, times, dates, durations, quantities, medicines, doses,
//!   negations) in a draft that the worker's text does not support, and facts the draft lost.
//! - [`language`] finds wording that person-centred care guidance asks writers to avoid, with a better choice.
//! - [`clinical`] flags drafts that diagnose, advise on medicines or triage, and requests that ask for that.
//! - [`translation`] finds names, numbers, times, doses and negations that a translation dropped.
//! - [`high_stakes`] finds safeguarding and clinical-risk claims (a fall, an injury, abuse) the source lacks.
//! - [`items`] reads shorthand into clauses with their spans and expands it with a lexicon of care shorthand.
//! - [`plan`] reads an activity plan's frame from the notes (interests, set days, company, notes to keep in mind).
//! - [`letter`] puts a letter's points in the letter's voice ("ask him to bring" as "Please bring"), by rule.
//! - [`rewrite`] lets a sentence written from a line of notes be only that line made grammatical.
//! - [`categories`] says which part of a person's care a sentence is about, for a handover summary.
//! - [`diff`] lists the words a corrected text changed from the original, with a reason a rule can give.
//! - [`constrain`] decides, token by token, whether a draft's next words would start a fact its sources lack.
//!
//! Architecture invariant: this crate knows nothing of models, storage or the user interface.

pub mod categories;
pub mod clinical;
pub mod constrain;
pub mod diff;
mod facts;
pub mod grounding;
pub mod high_stakes;
pub mod items;
pub mod language;
pub mod letter;
mod lexicon;
pub mod plan;
pub mod readings;
pub mod rewrite;
pub mod translation;

use serde::{Deserialize, Serialize};

pub use facts::{Fact, FactKind, extract_facts};

/// What a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// A fact in the draft that the source does not contain.
    UnsupportedFact,
    /// A fact in the source that the draft lost.
    Omission,
    /// The draft says something happened where the source says it did not, or the reverse.
    Negation,
    /// Wording that person-centred guidance asks writers to avoid.
    Wording,
    /// The draft diagnoses, advises on medicines or doses, or triages.
    ClinicalAdvice,
    /// A safeguarding or clinical-risk claim (a fall, an injury, abuse...) the source does not make: the most
    /// severe finding.
    HighStakes,
    /// Words that rest on Tend's reading of the notes, not their words: a guessed expansion of shorthand ("x3"
    /// as "three times"), or a word it added that says who did something ("He").
    Reading,
}

/// Which text a finding's byte offsets point into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Location {
    /// The draft (most findings).
    Draft,
    /// The source: an omission points at the fact the draft lost.
    Source,
    /// A translation read back into the original's language: what it says that the original does not.
    BackTranslation,
}

/// One thing a person should look at before accepting a draft.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// What it is about.
    pub kind: FindingKind,
    /// The kind of fact, for grounding findings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fact: Option<FactKind>,
    /// The words concerned, as they appear in the text.
    pub text: String,
    /// Byte offset where `text` starts in the draft (or the source, see `location`).
    pub start: usize,
    /// Byte offset where `text` ends.
    pub end: usize,
    /// Which text the offsets point into.
    pub location: Location,
    /// A plain sentence saying what to check.
    pub message: String,
    /// A better wording, where there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<String>,
}

impl Finding {
    /// A finding of `kind` on the words `start..end` of `draft`, with no fact kind or suggestion.
    pub(crate) fn in_draft(kind: FindingKind, draft: &str, start: usize, end: usize, message: String) -> Self {
        Finding {
            kind,
            fact: None,
            text: draft[start..end].to_owned(),
            start,
            end,
            location: Location::Draft,
            message,
            suggestion: None,
        }
    }
}

/// Every check for a draft written from `source`: grounding, person-centred language and the clinical-advice
/// guard, ordered by position (omissions last).
pub fn check_draft(source: &str, draft: &str) -> Vec<Finding> {
    check_draft_about(source, draft, grounding::Scope::RECORD, None)
}

/// Like [`check_draft`], with the grounding findings limited to `scope`, for a draft about the person whose
/// preferred name is `person` (see [`grounding::check_about`]).
pub fn check_draft_about(source: &str, draft: &str, scope: grounding::Scope, person: Option<&str>) -> Vec<Finding> {
    let mut findings = grounding::check_about(source, draft, scope, person);
    findings.extend(high_stakes::check(source, draft));
    findings.extend(language::check(draft));
    findings.extend(clinical::check_draft_from(source, draft));
    in_order(&mut findings);
    findings
}

/// Orders findings by where they are: the draft's first, by position, then the notes' (omissions).
pub fn in_order(findings: &mut [Finding]) {
    findings.sort_by_key(|f| (f.location == Location::Source, f.start, f.end));
}
