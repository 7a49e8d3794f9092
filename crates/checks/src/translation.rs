//! Translation check: the names, numbers, times, doses and medicines of the source must reappear in the
//! translation, and a negated source must stay negated. Works across scripts because these facts are written in
//! digits, Latin letters or medicine names in most translations of care text.

use crate::facts::{FactKind, extract_facts};
use crate::{Finding, FindingKind, Location};

/// Words of negation in the languages Tend translates, lower case.
const NEGATIONS: &[&str] = &[
    // English, Romanian, Polish, Filipino, Portuguese, Spanish, Yoruba
    "not",
    "no",
    "never",
    "didn't",
    "nu",
    "nici",
    "niciodată",
    "nie",
    "nigdy",
    "hindi",
    "huwag",
    "wala",
    "não",
    "nunca",
    "nem",
    "ni",
    "kò",
    "ko",
    "kì",
    "kìí",
    "má",
    // Hindi, Urdu, Punjabi, Malayalam
    "नहीं",
    "न",
    "मत",
    "नहि",
    "نہیں",
    "نہ",
    "مت",
    "ਨਹੀਂ",
    "ਨਾ",
    "ਨਹੀ",
    "ഇല്ല",
    "അല്ല",
    "വേണ്ട",
];

fn has_negation(text: &str) -> bool {
    let lower = text.to_lowercase();
    lower.split(|c: char| !c.is_alphanumeric() && c != '\'' && c != '’' && !is_mark(c)).any(|w| NEGATIONS.contains(&w))
        || ["ില്ല", "n't"].iter().any(|suffix| lower.contains(suffix))
}

/// Combining marks are part of words in Indic scripts.
fn is_mark(c: char) -> bool {
    matches!(c as u32, 0x0900..=0x0DFF | 0x0600..=0x06FF)
}

/// Facts of `source` missing from `translation`, and a lost negation.
pub fn check(source: &str, translation: &str) -> Vec<Finding> {
    let kept =
        [FactKind::Number, FactKind::Time, FactKind::Dose, FactKind::Quantity, FactKind::Medicine, FactKind::Name];
    let target = extract_facts(translation);
    let target_text = translation.to_lowercase();
    let mut findings = Vec::new();
    for fact in extract_facts(source).into_iter().filter(|f| kept.contains(&f.kind)) {
        let digits: String = fact.text.chars().filter(char::is_ascii_digit).collect();
        let present = target.iter().any(|t| t.kind == fact.kind && t.key == fact.key)
            || (fact.kind == FactKind::Name && target_text.contains(&fact.text.to_lowercase()))
            || (!digits.is_empty()
                && target.iter().any(|t| t.text.chars().filter(char::is_ascii_digit).collect::<String>() == digits));
        if !present {
            findings.push(Finding {
                kind: FindingKind::Omission,
                fact: Some(fact.kind),
                message: format!("\"{}\" from the original does not appear in the translation.", fact.text),
                text: fact.text,
                start: fact.start,
                end: fact.end,
                location: Location::Source,
                suggestion: None,
            });
        }
    }
    if has_negation(source) && !has_negation(translation) {
        findings.push(Finding {
            kind: FindingKind::Negation,
            fact: Some(FactKind::Negation),
            text: translation.to_owned(),
            start: 0,
            end: translation.len(),
            location: Location::Draft,
            message: "The original says something did not happen, but the translation has no negation. Check it."
                .to_owned(),
            suggestion: None,
        });
    }
    findings
}

/// What `back` (a translation read back into the original's language by the same model, for a reader who cannot
/// read the translation) lost of `original`: the facts and the negation [`check`] looks for, each pointing into
/// the original, worded for that reader.
pub fn check_back(original: &str, back: &str) -> Vec<Finding> {
    check(original, back)
        .into_iter()
        .map(|f| match f.kind {
            FindingKind::Negation => Finding {
                message: "The original says something did not happen; the translation, read back into English, does \
                          not. Check it with a speaker of the language."
                    .to_owned(),
                text: original.to_owned(),
                start: 0,
                end: original.len(),
                location: Location::Source,
                ..f
            },
            _ => Finding {
                message: format!(
                    "\"{}\" from the original is not in the translation read back into English. Check it with a \
                     speaker of the language.",
                    f.text
                ),
                ..f
            },
        })
        .collect()
}
