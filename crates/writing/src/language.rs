//! The languages Tend translates between, with English: those most spoken by the UK's care workforce.

use serde::{Deserialize, Serialize};

use crate::WritingError;

/// A language Tend translates to or from English.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// English (UK).
    English,
    /// Romanian.
    Romanian,
    /// Polish.
    Polish,
    /// Filipino (Tagalog).
    Filipino,
    /// Hindi.
    Hindi,
    /// Urdu.
    Urdu,
    /// Portuguese.
    Portuguese,
    /// Spanish.
    Spanish,
    /// Punjabi.
    Punjabi,
    /// Malayalam.
    Malayalam,
    /// Yoruba.
    Yoruba,
}

/// (language, name in prompts, names and codes accepted)
const TABLE: &[(Language, &str, &[&str])] = &[
    (Language::English, "UK English", &["english", "en", "eng"]),
    (Language::Romanian, "Romanian", &["romanian", "ro", "ron", "română"]),
    (Language::Polish, "Polish", &["polish", "pl", "pol", "polski"]),
    (Language::Filipino, "Filipino (Tagalog)", &["filipino", "tagalog", "fil", "tl", "tgl"]),
    (Language::Hindi, "Hindi", &["hindi", "hi", "hin"]),
    (Language::Urdu, "Urdu", &["urdu", "ur", "urd"]),
    (Language::Portuguese, "Portuguese", &["portuguese", "pt", "por", "português"]),
    (Language::Spanish, "Spanish", &["spanish", "es", "spa", "español"]),
    (Language::Punjabi, "Punjabi", &["punjabi", "pa", "pan"]),
    (Language::Malayalam, "Malayalam", &["malayalam", "ml", "mal"]),
    (Language::Yoruba, "Yoruba", &["yoruba", "yo", "yor"]),
];

impl Language {
    /// Every language, English first.
    pub fn all() -> impl Iterator<Item = Language> {
        TABLE.iter().map(|(l, _, _)| *l)
    }

    /// The name used in prompts.
    pub fn name(self) -> &'static str {
        TABLE.iter().find(|(l, _, _)| *l == self).map_or("", |(_, n, _)| n)
    }

    /// The ISO 639-3 code (as the shared evaluation data names its files).
    pub fn code(self) -> &'static str {
        TABLE
            .iter()
            .find(|(l, _, _)| *l == self)
            .and_then(|(_, _, a)| a.iter().find(|c| c.len() == 3))
            .copied()
            .unwrap_or("")
    }

    /// Parses a name or code, in any case.
    pub fn parse(text: &str) -> Result<Self, WritingError> {
        let lower = text.trim().to_lowercase();
        TABLE
            .iter()
            .find(|(_, _, accepted)| accepted.contains(&lower.as_str()))
            .map(|(l, _, _)| *l)
            .ok_or_else(|| WritingError::UnknownLanguage(text.to_owned()))
    }

    /// Which of Tend's languages `text` is written in, or `None` when it cannot tell (too short, or another
    /// language): by its script for Hindi (Devanagari), Punjabi (Gurmukhi), Malayalam and Urdu (Arabic script), else
    /// by the letters and short common words of each Latin-script language.
    pub fn detect(text: &str) -> Option<Language> {
        let letters: Vec<char> = text.chars().filter(|c| c.is_alphabetic()).collect();
        if letters.is_empty() {
            return None;
        }
        for (language, range) in SCRIPTS {
            let n = letters.iter().filter(|c| range.contains(c)).count();
            if n * 10 >= letters.len() * 3 {
                return Some(*language);
            }
        }
        let lower = text.to_lowercase();
        let words: Vec<&str> =
            lower.split(|c: char| !(c.is_alphanumeric() || is_combining(c))).filter(|w| !w.is_empty()).collect();
        let score = |(language, common, marks): &(Language, &[&str], &str)| {
            let hits = words.iter().filter(|w| common.contains(w)).count();
            let marked = lower.chars().filter(|c| marks.contains(*c)).count();
            (hits + 2 * marked, *language)
        };
        let (best, language) = LATIN.iter().map(score).max_by_key(|(s, _)| *s)?;
        (best >= 2).then_some(language)
    }

    /// The list of languages for messages.
    pub(crate) fn names() -> String {
        TABLE.iter().skip(1).map(|(_, n, _)| *n).collect::<Vec<_>>().join(", ")
    }
}

/// The scripts that name a language on their own, as ranges of code points.
const SCRIPTS: &[(Language, std::ops::RangeInclusive<char>)] = &[
    (Language::Hindi, '\u{0900}'..='\u{097F}'),
    (Language::Punjabi, '\u{0A00}'..='\u{0A7F}'),
    (Language::Malayalam, '\u{0D00}'..='\u{0D7F}'),
    (Language::Urdu, '\u{0600}'..='\u{06FF}'),
];

/// For each Latin-script language: short words common in it and rare in the others, and letters only it uses.
const LATIN: &[(Language, &[&str], &str)] = &[
    (
        Language::English,
        &[
            "the", "and", "was", "is", "with", "she", "he", "to", "of", "her", "his", "had", "for", "it", "on", "at",
            "were", "that", "are", "be", "have", "said", "did", "not", "by", "this", "there", "they", "you", "just",
        ],
        "",
    ),
    (
        Language::Romanian,
        &["și", "şi", "în", "nu", "cu", "pe", "care", "mai", "din", "fost", "să", "după", "sunt", "lui", "ei", "acest"],
        "ăâîșțşţ",
    ),
    (
        Language::Polish,
        &["i", "w", "nie", "się", "z", "że", "do", "jest", "po", "jak", "ale", "był", "była", "jej", "jego", "od"],
        "ąćęłńśźż",
    ),
    (
        Language::Portuguese,
        &[
            "não", "é", "com", "uma", "os", "ele", "ela", "foi", "está", "do", "da", "em", "um", "ao", "seu", "sua",
            "pelo",
        ],
        "ãõç",
    ),
    (
        Language::Spanish,
        &[
            "y", "es", "con", "una", "los", "las", "él", "fue", "del", "el", "en", "un", "por", "su", "muy", "pero",
            "hay",
        ],
        "ñ¿¡",
    ),
    (
        Language::Filipino,
        &[
            "ang", "ng", "sa", "mga", "ay", "siya", "hindi", "at", "kay", "niya", "nang", "ito", "may", "kanyang",
            "namin",
        ],
        "",
    ),
    (
        Language::Yoruba,
        &["ti", "lati", "awọn", "wọn", "tí", "ní", "àti", "sí", "pé", "ọdún", "kan", "náà", "rẹ̀"],
        "ẹọṣ\u{0323}",
    ),
];

/// Whether `c` is a combining mark (Yoruba writes dots below and tones as marks after the letter).
fn is_combining(c: char) -> bool {
    ('\u{0300}'..='\u{036F}').contains(&c)
}
