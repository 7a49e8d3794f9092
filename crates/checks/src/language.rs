//! Person-centred language: terms that care guidance asks writers to avoid, each with a better choice and the
//! reason, from `data/person-centred.toml`.

use std::sync::OnceLock;

use regex::Regex;
use serde::Deserialize;

use crate::{Finding, FindingKind, Location};

const TERMS: &str = include_str!("../data/person-centred.toml");

#[derive(Deserialize)]
struct Terms {
    term: Vec<TermSource>,
}

#[derive(Deserialize)]
struct TermSource {
    pattern: String,
    #[serde(default)]
    unless_next: Option<String>,
    suggestion: String,
    reason: String,
}

/// A term to avoid, compiled.
pub struct Term {
    regex: Regex,
    /// Words after a match that make it fine ("fed the birds").
    unless_next: Option<Regex>,
    /// What to write instead.
    pub suggestion: String,
    /// Why.
    pub reason: String,
}

/// The terms to avoid, compiled once.
pub fn terms() -> &'static [Term] {
    static TERMS_CELL: OnceLock<Vec<Term>> = OnceLock::new();
    TERMS_CELL.get_or_init(|| {
        // The data file is compiled in and checked by the tests: a failure here is a build defect.
        let parsed: Terms = toml::from_str(TERMS).expect("person-centred.toml parses");
        parsed
            .term
            .into_iter()
            .map(|t| Term {
                regex: Regex::new(&format!(r"(?i)\b(?:{})\b", t.pattern)).expect("valid term pattern"),
                unless_next: t
                    .unless_next
                    .map(|u| Regex::new(&format!(r"(?i)^\s+(?:{u})\b")).expect("valid unless_next pattern")),
                suggestion: t.suggestion,
                reason: t.reason,
            })
            .collect()
    })
}

/// Wording findings in `draft`.
pub fn check(draft: &str) -> Vec<Finding> {
    let mut findings = Vec::new();
    for term in terms() {
        let fine = |end: usize| term.unless_next.as_ref().is_some_and(|u| u.is_match(&draft[end..]));
        for m in term.regex.find_iter(draft).filter(|m| !fine(m.end())) {
            findings.push(Finding {
                kind: FindingKind::Wording,
                fact: None,
                text: m.as_str().to_owned(),
                start: m.start(),
                end: m.end(),
                location: Location::Draft,
                message: format!("Consider \"{}\" instead of \"{}\". {}", term.suggestion, m.as_str(), term.reason),
                suggestion: Some(term.suggestion.clone()),
            });
        }
    }
    findings
}
