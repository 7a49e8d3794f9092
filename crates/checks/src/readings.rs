//! Where a draft rests on Tend's reading of the notes rather than on their words: shorthand with more than one
//! meaning that Tend expanded by guess ("x3" as "three times", "Sat" as "Saturday"), and words that say who did
//! something which the rewrite added ("He", "has"). These are where a line-by-line draft can say what the notes do
//! not ("Rang his three mobile", "He said he went out" when the neighbour said it), so each is shown to the
//! reviewer to read against the notes. A fact check cannot see them: every word is the notes' own.

use regex::Regex;

use crate::items::expand_keeping;
use crate::{Finding, FindingKind};

/// Added words that say who did something: a pronoun, or "has"/"had", which make the notes' "nurse informed" the
/// nurse's act.
const WHO: &[&str] = &["she", "he", "they", "has", "had", "have"];

/// Reading findings for `draft`, written from `notes` about the person called `person` (whose name is never read
/// as shorthand): each guessed reading of the notes' shorthand the draft uses, and each word in `added` (byte
/// spans of the draft: words the rewrite added to the notes' own) that says who did something.
pub fn check(notes: &str, draft: &str, added: &[(usize, usize)], person: Option<&str>) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut used: Vec<(usize, usize)> = Vec::new();
    let keep: Vec<&str> = person.map(|p| p.split_whitespace().collect()).unwrap_or_default();
    for guess in expand_keeping(notes, &keep).1 {
        let pattern = Regex::new(&format!(r"(?i)\b{}\b", regex::escape(&guess.reading))).expect("an escaped phrase");
        let Some(m) = pattern.find_iter(draft).find(|m| !used.contains(&(m.start(), m.end()))) else { continue };
        used.push((m.start(), m.end()));
        let message = format!(
            "Tend read \"{}\" in your notes as \"{}\"; it can mean something else. Check this is what you meant.",
            guess.written, guess.reading
        );
        findings.push(Finding::in_draft(FindingKind::Reading, draft, m.start(), m.end(), message));
    }
    for &(start, end) in added {
        let Some(word) = draft.get(start..end) else { continue };
        if WHO.contains(&word.to_lowercase().as_str()) {
            let message =
                format!("Tend added \"{word}\", which your notes do not say here. Check who did or said this.");
            findings.push(Finding::in_draft(FindingKind::Reading, draft, start, end, message));
        }
    }
    findings
}
