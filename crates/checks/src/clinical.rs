//! The clinical-advice guard. Tend records and rewords; it does not diagnose, advise on medicines or doses, or
//! triage. Drafts that do are flagged; requests that ask for it are declined with signposting.

use std::sync::OnceLock;

use regex::Regex;
use serde::Deserialize;

use crate::{Finding, FindingKind};

const PATTERNS: &str = include_str!("../data/clinical-advice.toml");

#[derive(Deserialize)]
struct Source {
    signpost: String,
    draft: Vec<String>,
    request: Vec<String>,
}

struct Guard {
    signpost: String,
    draft: Vec<Regex>,
    request: Vec<Regex>,
}

fn guard() -> &'static Guard {
    static GUARD: OnceLock<Guard> = OnceLock::new();
    GUARD.get_or_init(|| {
        // The data file is compiled in and checked by the tests: a failure here is a build defect.
        let source: Source = toml::from_str(PATTERNS).expect("clinical-advice.toml parses");
        let compile = |ps: &[String]| -> Vec<Regex> {
            ps.iter().map(|p| Regex::new(&format!("(?i){p}")).expect("valid clinical pattern")).collect()
        };
        Guard { draft: compile(&source.draft), request: compile(&source.request), signpost: source.signpost }
    })
}

/// Where to go instead of Tend for medical advice.
pub fn signpost() -> &'static str {
    &guard().signpost
}

/// Clinical-advice findings in a draft.
pub fn check_draft(draft: &str) -> Vec<Finding> {
    let mut findings: Vec<Finding> = Vec::new();
    for regex in &guard().draft {
        for m in regex.find_iter(draft) {
            if findings.iter().any(|f| f.start < m.end() && m.start() < f.end) {
                continue;
            }
            let message = format!(
                "This reads as a diagnosis, medicine advice or triage. Record what you saw and did instead. {}",
                signpost()
            );
            findings.push(Finding::in_draft(FindingKind::ClinicalAdvice, draft, m.start(), m.end(), message));
        }
    }
    findings
}

/// Clinical-advice findings in a draft written from `source`, except the words the source itself says ("Wife to
/// call 111 if worse" in the notes is the worker's record, not Tend's advice).
pub fn check_draft_from(source: &str, draft: &str) -> Vec<Finding> {
    let source = source.to_lowercase();
    check_draft(draft).into_iter().filter(|f| !source.contains(&f.text.to_lowercase())).collect()
}

/// Whether a request asks for a diagnosis, a dose or a triage decision; returns the words that do.
pub fn asks_for_advice(request: &str) -> Option<&str> {
    guard().request.iter().find_map(|r| r.find(request)).map(|m| m.as_str())
}
