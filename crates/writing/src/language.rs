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

    /// The list of languages for messages.
    pub(crate) fn names() -> String {
        TABLE.iter().skip(1).map(|(_, n, _)| *n).collect::<Vec<_>>().join(", ")
    }
}
