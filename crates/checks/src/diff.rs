//! The changes a corrected text made to the original, word by word and by rule, so a wording check lists what it
//! changed and why without asking the model (which, asked for reasons in one pass, copied its example's: "past
//! tense" beside words it had not changed).

use crate::facts::lemma;
use crate::items::expand;
use crate::rewrite::forms_of_one_verb;

/// One change: the original's words (empty when words were only added) and the corrected text's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The words of the original, with a word of context when words were only added.
    pub old: String,
    /// The words that stand for them.
    pub new: String,
    /// Why, as far as a rule can tell: "added", "left out", "shorthand written out", "word form" ("call" and
    /// "called"), "spelling" (a word that is no English word), or "changed".
    pub reason: &'static str,
}

/// A word of a text: as written, and as compared (small letters, no punctuation around it).
fn words(text: &str) -> Vec<(&str, String)> {
    text.split_whitespace()
        .map(|w| {
            let bare = w.trim_matches(|c: char| !c.is_alphanumeric() && c != '/' && c != '\'' && c != '+' && c != '&');
            // "+" and "&" are the shorthand of "and": written out, nothing changed.
            let compared = if bare == "+" || bare == "&" { "and".to_owned() } else { bare.to_lowercase() };
            (bare, compared)
        })
        .filter(|(bare, _)| !bare.is_empty())
        .collect()
}

/// The changes that turn `original` into `corrected`: its shorthand written out with the lexicon, then the words
/// that differ (case and punctuation aside), found by the longest common run of words, where two forms of one word
/// ("call", "called") pair as a change of form. Words only added are shown with the word after them ("3pm" -> "at
/// 3pm"), or before them at the end.
pub fn changes(original: &str, corrected: &str) -> Vec<Change> {
    // The shorthand the lexicon writes out first ("w/" as "with"), then what the correction changed in that.
    let expanded = expand(original);
    let mut out: Vec<Change> = word_changes(original, &expanded)
        .into_iter()
        .map(|c| Change { reason: "shorthand written out", ..c })
        .collect();
    out.extend(word_changes(&expanded, corrected));
    out
}

/// [`changes`] of one text into another, word by word.
fn word_changes(original: &str, corrected: &str) -> Vec<Change> {
    let (a, b) = (words(original), words(corrected));
    let same = |i: usize, j: usize| {
        let (x, y) = (&a[i].1, &b[j].1);
        x == y || lemma(x) == lemma(y) || forms_of_one_verb(x, y)
    };
    // lcs[i][j]: the longest common subsequence of a[i..] and b[j..].
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if same(i, j) { lcs[i + 1][j + 1] + 1 } else { lcs[i + 1][j].max(lcs[i][j + 1]) };
        }
    }
    let join = |ws: &[(&str, String)]| ws.iter().map(|w| w.0).collect::<Vec<_>>().join(" ");
    let mut out = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && same(i, j) {
            if a[i].1 != b[j].1 {
                let reason = if written_out(a[i].0, b[j].0) { "shorthand written out" } else { "word form" };
                out.push(Change { old: a[i].0.into(), new: b[j].0.into(), reason });
            }
            (i, j) = (i + 1, j + 1);
            continue;
        }
        let (from_i, from_j) = (i, j);
        while (i < a.len() || j < b.len()) && !(i < a.len() && j < b.len() && same(i, j)) {
            if j < b.len() && (i == a.len() || lcs[i][j + 1] >= lcs[i + 1][j]) {
                j += 1;
            } else {
                i += 1;
            }
        }
        let (old, new) = (&a[from_i..i], &b[from_j..j]);
        let reason = if old.is_empty() {
            "added"
        } else if new.is_empty() {
            "left out"
        } else if written_out(&join(old), &join(new)) {
            "shorthand written out"
        } else if old.len() == 1 && new.len() == 1 && !crate::lexicon::is_common(&old[0].1) {
            "spelling"
        } else {
            "changed"
        };
        let (old, new) = match (old.is_empty(), a.get(i), from_i.checked_sub(1)) {
            (true, Some(next), _) => (next.0.to_owned(), format!("{} {}", join(new), next.0)),
            (true, None, Some(k)) => (a[k].0.to_owned(), format!("{} {}", a[k].0, join(new))),
            _ => (join(old), join(new)),
        };
        out.push(Change { old, new, reason });
    }
    out
}

/// Whether `new` is `old`'s shorthand written out with the lexicon ("w/" as "with", "Meds" as "medicines").
fn written_out(old: &str, new: &str) -> bool {
    expand(old).eq_ignore_ascii_case(new)
}

/// The changes as the lines of a wording check's list: `old -> new (reason)`, or "none".
pub fn listed(changes: &[Change]) -> String {
    if changes.is_empty() {
        return "Changes: none".into();
    }
    let line = |c: &Change| {
        if c.new.is_empty() {
            format!("{} ({})", c.old, c.reason)
        } else {
            format!("{} -> {} ({})", c.old, c.new, c.reason)
        }
    };
    let lines: Vec<String> = changes.iter().map(line).collect();
    format!("Changes:\n{}", lines.join("\n"))
}
