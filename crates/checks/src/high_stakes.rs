//! High-stakes claims: safeguarding and clinical-risk events (a fall, an injury, suicidal thoughts, abuse, an
//! ambulance...) that a draft must never mention unless the worker's notes do. The list, with the source that makes
//! each a reportable or high-risk matter, is `data/high-stakes.toml`.

use std::collections::HashMap;
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
/// A claim's phrase: the claim's name, its place in the list (claims listed first win a span), and its words.
type Phrase = (&'static str, usize, &'static [String]);

/// Each claim's phrases by their first word, so a text is read once rather than once per phrase.
fn by_first_word() -> &'static HashMap<&'static str, Vec<Phrase>> {
    static INDEX: OnceLock<HashMap<&'static str, Vec<Phrase>>> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut index: HashMap<&str, Vec<Phrase>> = HashMap::new();
        for (order, (name, phrases)) in claims().iter().enumerate() {
            for phrase in phrases.iter().filter(|p| !p.is_empty()) {
                index.entry(phrase[0].as_str()).or_default().push((name.as_str(), order, phrase.as_slice()));
            }
        }
        index
    })
}

/// The high-stakes claims `text` makes: the claim's name and the span of each phrase. A word matches a phrase's
/// word as it is or without a plural "s".
pub fn claims_in(text: &str) -> Vec<(&'static str, usize, usize)> {
    let words = tokens(text);
    let index = by_first_word();
    let same = |word: &str, phrase_word: &String| word == phrase_word || word.strip_suffix('s') == Some(phrase_word);
    let mut found = Vec::new();
    for (i, (word, start, _)) in words.iter().enumerate() {
        let candidates =
            [Some(word.as_str()), word.strip_suffix('s')].into_iter().flatten().filter_map(|w| index.get(w));
        for &(name, order, phrase) in candidates.flatten() {
            let Some(window) = words.get(i..i + phrase.len()) else { continue };
            if window.iter().zip(phrase).all(|(w, p)| same(&w.0, p)) {
                found.push((*start, window[window.len() - 1].2, order, name));
            }
        }
    }
    found.sort_by_key(|&(s, e, order, _)| (s, e, order));
    found.dedup_by_key(|c| (c.0, c.1));
    found.into_iter().map(|(s, e, _, name)| (name, s, e)).collect()
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
