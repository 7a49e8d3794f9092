//! Care categories for a handover summary: which part of a person's care a sentence of their notes is about
//! (medication, personal care, eating and drinking, mobility and falls, skin, mood and wellbeing, family and
//! contacts, concerns), from the word lists in `data/care-categories.toml`. A sentence with a high-stakes claim is
//! a concern and one that names a medicine or dose is about medication, whatever else it says; a sentence with no
//! category's words is "other", never dropped.

use std::sync::OnceLock;

use serde::Deserialize;

use crate::facts::{FactKind, extract_facts, lemma};

/// One care category.
#[derive(Debug, Clone, Deserialize)]
pub struct Category {
    /// Its short name ("medication").
    pub id: String,
    /// How it is shown ("Medication").
    pub label: String,
    /// Words and phrases that put a sentence under it, lower case.
    pub words: Vec<String>,
    /// Where the category comes from (see the data file).
    pub source: String,
}

#[derive(Deserialize)]
struct CategoryFile {
    category: Vec<Category>,
}

/// Every category, in the order a sentence is tried against them (the last is "other").
pub fn categories() -> &'static [Category] {
    static CATEGORIES: OnceLock<Vec<Category>> = OnceLock::new();
    CATEGORIES.get_or_init(|| {
        toml::from_str::<CategoryFile>(include_str!("../data/care-categories.toml"))
            .expect("care-categories.toml parses")
            .category
    })
}

/// The category `sentence` is about; see the module doc.
pub fn categorise(sentence: &str) -> &'static Category {
    let all = categories();
    let by_id = |id: &str| all.iter().find(|c| c.id == id).unwrap_or(&all[all.len() - 1]);
    if !crate::high_stakes::claims_in(sentence).is_empty() {
        return by_id("concerns");
    }
    if extract_facts(sentence).iter().any(|f| matches!(f.kind, FactKind::Medicine | FactKind::Dose)) {
        return by_id("medication");
    }
    let words: Vec<String> = sentence
        .split(|c: char| !(c.is_alphanumeric() || c == '-'))
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let lemmas: Vec<String> = words.iter().map(|w| lemma(w)).collect();
    let has = |phrase: &str| {
        let parts: Vec<&str> = phrase.split_whitespace().collect();
        match parts.as_slice() {
            [one] => words.iter().any(|w| w == one) || lemmas.contains(&lemma(one)),
            _ => words.windows(parts.len()).any(|w| w.iter().zip(&parts).all(|(a, b)| a == b)),
        }
    };
    all.iter().find(|c| c.words.iter().any(|w| has(w))).unwrap_or(&all[all.len() - 1])
}
