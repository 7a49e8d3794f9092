//! High-stakes claims: safeguarding and clinical-risk events (a fall, an injury, suicidal thoughts, abuse, an
//! ambulance...) that a draft must never mention unless the worker's notes do. The list, with the source that makes
//! each a reportable or high-risk matter, is `data/high-stakes.toml`.

use std::sync::OnceLock;

use regex::Regex;
use serde::Deserialize;

use crate::{Finding, FindingKind, Location};

#[derive(Deserialize)]
struct ClaimFile {
    claim: Vec<Claim>,
}

/// One kind of claim and the phrases that make it.
#[derive(Deserialize)]
struct Claim {
    name: String,
    phrases: Vec<String>,
    source: String,
}

/// `data/high-stakes.toml`, compiled in and checked by the tests: a failure to parse is a build defect.
fn claim_file() -> ClaimFile {
    toml::from_str(include_str!("../data/high-stakes.toml")).expect("high-stakes.toml parses")
}

fn claims() -> &'static [(String, Vec<Vec<String>>)] {
    static CLAIMS: OnceLock<Vec<(String, Vec<Vec<String>>)>> = OnceLock::new();
    CLAIMS.get_or_init(|| {
        claim_file()
            .claim
            .into_iter()
            .map(|c| (c.name, c.phrases.iter().map(|p| p.split_whitespace().map(str::to_owned).collect()).collect()))
            .collect()
    })
}

/// The number of claims in the list and whether each names its source (for the tests).
pub fn claim_count() -> (usize, bool) {
    let file = claim_file();
    (file.claim.len(), file.claim.iter().all(|c| !c.source.trim().is_empty() && !c.phrases.is_empty()))
}

/// Lower-case words with their byte spans.
fn tokens(text: &str) -> Vec<(String, usize, usize)> {
    static WORD: OnceLock<Regex> = OnceLock::new();
    WORD.get_or_init(|| Regex::new(r"[\p{L}\p{N}&]+(?:['’-][\p{L}\p{N}]+)*").expect("valid regex"))
        .find_iter(text)
        .map(|m| (m.as_str().to_lowercase(), m.start(), m.end()))
        .collect()
}

/// Where `phrase` occurs in `words`: byte spans.
fn occurrences(words: &[(String, usize, usize)], phrase: &[String]) -> Vec<(usize, usize)> {
    if phrase.is_empty() || words.len() < phrase.len() {
        return Vec::new();
    }
    words
        .windows(phrase.len())
        .filter(|w| w.iter().zip(phrase).all(|(a, b)| a.0 == *b || a.0.strip_suffix('s') == Some(b.as_str())))
        .map(|w| (w[0].1, w[w.len() - 1].2))
        .collect()
}

/// The high-stakes claims `text` makes: the claim's name and the span of each phrase.
pub fn claims_in(text: &str) -> Vec<(&'static str, usize, usize)> {
    let words = tokens(text);
    let mut out = Vec::new();
    for (name, phrases) in claims() {
        for phrase in phrases {
            out.extend(occurrences(&words, phrase).into_iter().map(|(s, e)| (name.as_str(), s, e)));
        }
    }
    out.sort_by_key(|&(_, s, e)| (s, e));
    out.dedup_by_key(|c| (c.1, c.2));
    out
}

/// The names of the claims `text` makes.
pub(crate) fn backed_claims(text: &str) -> Vec<&'static str> {
    let mut names: Vec<&str> = claims_in(text).into_iter().map(|(name, _, _)| name).collect();
    names.dedup();
    names
}

/// The claim a single word makes on its own ("fell", "bruising"), if any: for the decoding constraint, which bans
/// such a word while a sentence is written from notes that do not make the claim.
pub(crate) fn claim_of_word(lower: &str) -> Option<&'static str> {
    claims().iter().find_map(|(name, phrases)| {
        phrases
            .iter()
            .any(|p| p.len() == 1 && (p[0] == lower || lower.strip_suffix('s') == Some(p[0].as_str())))
            .then_some(name.as_str())
    })
}

/// Findings for every high-stakes claim of `draft` that `source` does not make (read as written and with its
/// shorthand expanded: "Temp" backs "temperature"). Each is of the highest severity.
pub fn check(source: &str, draft: &str) -> Vec<Finding> {
    let source = format!("{source}\n{}", crate::items::expand(source));
    let backed = backed_claims(&source);
    claims_in(draft)
        .into_iter()
        .filter(|(name, _, _)| !backed.contains(name))
        .map(|(name, start, end)| Finding {
            kind: FindingKind::HighStakes,
            fact: None,
            text: draft[start..end].to_owned(),
            start,
            end,
            location: Location::Draft,
            message: format!(
                "The draft reports {name}, but the notes do not. A false entry like this can harm the person: \
                 remove it unless it happened."
            ),
            suggestion: None,
        })
        .collect()
}
