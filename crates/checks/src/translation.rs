//! Translation check: the names, numbers, times, doses and medicines of the source must reappear in the
//! translation, and a negated source must stay negated. Works across scripts because these facts are written in
//! digits, Latin letters or medicine names in most translations of care text.

use crate::facts::{FactKind, extract_facts};
use crate::{Finding, FindingKind, Location};

/// Words of negation in the languages Tend translates, lower case.
const NEGATIONS: &[&str] = &[
    // English, Romanian, Polish, Filipino, Portuguese, Spanish, Yoruba ("without": "no pudding" read back as
    // "without pudding" keeps the negation)
    "not",
    "without",
    "sin",
    "bez",
    "fără",
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

/// The facts Tend checks across a translation: names, numbers, times, days and dates, doses, amounts and medicines.
const KEPT: [FactKind; 7] = [
    FactKind::Number,
    FactKind::Time,
    FactKind::Date,
    FactKind::Dose,
    FactKind::Quantity,
    FactKind::Medicine,
    FactKind::Name,
];

/// Languages' names, which a model's reading back may mention ("The text in UK English is:"): no person's name.
const LANGUAGE_NAMES: &[&str] = &[
    "english",
    "romanian",
    "polish",
    "filipino",
    "tagalog",
    "hindi",
    "urdu",
    "punjabi",
    "malayalam",
    "yoruba",
    "portuguese",
    "spanish",
];

/// Whether a capitalised word taken for a name is one: not a contraction ("I've"), a language, or a sentence's
/// first word made from a verb or noun ("Repositioned", "Reablement").
fn is_name(text: &str, fact: &crate::facts::Fact) -> bool {
    let lower = fact.text.to_lowercase();
    let opens_sentence =
        text[..fact.start].trim_end().is_empty() || text[..fact.start].trim_end().ends_with(['.', ':', '!', '?']);
    let derived = ["ed", "ing", "ment", "tion", "ly", "ness"].iter().any(|s| lower.ends_with(s));
    !(lower.contains(['\'', '’']) || LANGUAGE_NAMES.contains(&lower.as_str()) || (opens_sentence && derived))
}

/// The facts of `from` (of the kinds in [`KEPT`]) that `to` does not say: by kind and key, a name anywhere in its
/// text, a time at the same minute (8:15 is 8:15am), or a number's digits as a number in it.
fn missing(from: &str, to: &str) -> Vec<crate::facts::Fact> {
    let target = extract_facts(to);
    let target_text = to.to_lowercase();
    let numbers: Vec<String> =
        to.split(|c: char| !c.is_ascii_digit()).filter(|d| !d.is_empty()).map(str::to_owned).collect();
    extract_facts(from)
        .into_iter()
        .filter(|f| KEPT.contains(&f.kind) && (f.kind != FactKind::Name || is_name(from, f)))
        .filter(|fact| {
            let digits: String = fact.text.chars().filter(char::is_ascii_digit).collect();
            let same_minute = |t: &crate::facts::Fact| match (fact.value, t.value) {
                (Some(a), Some(b)) if t.kind == FactKind::Time && fact.kind == FactKind::Time => {
                    a == b || ((fact.key.starts_with("t12:") || t.key.starts_with("t12:")) && a % 720.0 == b % 720.0)
                }
                _ => false,
            };
            let present = target.iter().any(|t| (t.kind == fact.kind && t.key == fact.key) || same_minute(t))
                || (fact.kind == FactKind::Name && target_text.contains(&fact.text.to_lowercase()))
                || (!digits.is_empty()
                    && (target
                        .iter()
                        .any(|t| t.text.chars().filter(char::is_ascii_digit).collect::<String>() == digits)
                        || (fact.kind != FactKind::Time && numbers.contains(&digits))));
            !present
        })
        .collect()
}

/// Facts of `source` missing from `translation`, and a lost negation.
pub fn check(source: &str, translation: &str) -> Vec<Finding> {
    let mut findings: Vec<Finding> = missing(source, translation)
        .into_iter()
        .map(|fact| Finding {
            kind: FindingKind::Omission,
            fact: Some(fact.kind),
            message: format!("\"{}\" from the original does not appear in the translation.", fact.text),
            text: fact.text,
            start: fact.start,
            end: fact.end,
            location: Location::Source,
            suggestion: None,
        })
        .collect();
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
/// read the translation) lost of `original`, pointing into the original (the facts and the negation [`check`]
/// looks for), and what it says instead, pointing into `back` (a number, time, dose, medicine or name the
/// original lacks: "50mg" where it has "5mg"), worded for that reader.
pub fn check_back(original: &str, back: &str) -> Vec<Finding> {
    // A part of the day ("in the morning") is how a reading back often says a clock time; only a time in digits
    // counts as changed.
    let clock = |f: &crate::facts::Fact| f.kind != FactKind::Time || f.text.chars().any(|c| c.is_ascii_digit());
    let changed = missing(back, original).into_iter().filter(clock).map(|fact| Finding {
        kind: FindingKind::UnsupportedFact,
        fact: Some(fact.kind),
        message: format!(
            "The translation, read back into English, says \"{}\", which the original does not. Check it with a \
             speaker of the language.",
            fact.text
        ),
        text: fact.text,
        start: fact.start,
        end: fact.end,
        location: Location::BackTranslation,
        suggestion: None,
    });
    let lost = check(original, back)
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
        .collect::<Vec<_>>();
    lost.into_iter().chain(changed).collect()
}
