//! The fact constraint for text not written under the rewrite rule (a plan's suggestion, a translation): while a
//! model writes from a source, may the next piece of text stand? A piece is refused when it would write a fact the source lacks: a
//! number, time or dose whose digits it lacks, a number word, day, month or part of the day it does not say, a
//! medicine it does not name, a detail (a room, meal, drink, relative, body part, mood or walking aid) it does not
//! name, a capitalised name that is none of its, a negation where it denies nothing, a safeguarding or
//! clinical-risk word (a fall, a bruise) it does not use, "he"/"she" where it never gives the person's pronoun, "I"
//! or "we" where it quotes nobody. A care note's lines are held tighter still, by [`crate::rewrite`]. Pure text in,
//! yes or no out; the engine asks through its own hook and knows nothing of this.

use std::collections::HashSet;
use std::sync::OnceLock;

use regex::Regex;

use crate::facts::{FactKind, MONTHS, NEGATORS, WEEKDAYS, extract_facts};
use crate::high_stakes::{backed_claims, claim_of_word};
use crate::lexicon::{contrast, medicines, number_word};

/// Words for a part of the day or a day relative to today.
const PARTS_OF_DAY: &[&str] = &[
    "morning",
    "afternoon",
    "evening",
    "night",
    "overnight",
    "midday",
    "noon",
    "midnight",
    "lunchtime",
    "teatime",
    "bedtime",
    "tonight",
    "today",
    "yesterday",
    "tomorrow",
    "daytime",
    "nighttime",
    "weekend",
];

/// Stems that a negated verb starts with ("didn" of "didn't").
const NEGATED_STEMS: &[&str] =
    &["didn", "doesn", "wasn", "isn", "couldn", "wouldn", "hasn", "hadn", "weren", "aren", "shouldn", "mustn"];

/// Verbs of refusal: a negation as far as a sentence's facts go.
const REFUSALS: &[&str] = &["declined", "refused", "refusing", "declining", "refuse", "decline", "unable", "cannot"];

/// The writer and the reader: a record speaks of the person, not to them.
const FIRST_PERSON: &[&str] =
    &["i", "me", "my", "mine", "myself", "we", "us", "our", "ours", "ourselves", "you", "your", "yours", "yourself"];
const FEMALE: &[&str] = &["she", "her", "hers", "herself"];
const MALE: &[&str] = &["he", "him", "his", "himself"];

/// Which kinds of fact a task's text must take from its source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rules {
    /// Digits and number words.
    pub numbers: bool,
    /// Days, months and parts of the day.
    pub days_and_times: bool,
    /// Capitalised names inside a sentence.
    pub names: bool,
    /// Medicines.
    pub medicines: bool,
    /// Negations and refusals.
    pub negations: bool,
    /// Gendered pronouns.
    pub pronouns: bool,
    /// Safeguarding and clinical-risk words.
    pub claims: bool,
}

impl Rules {
    /// Every rule: what a record of what happened may say (care notes are held tighter still, by the rewrite rule).
    pub const RECORD: Rules = Rules {
        numbers: true,
        days_and_times: true,
        names: true,
        medicines: true,
        negations: true,
        pronouns: true,
        claims: true,
    };
    /// Text in the first person about several people: every rule but the pronouns.
    pub const SUMMARY: Rules = Rules { pronouns: false, ..Rules::RECORD };
    /// A plan's suggestion for one activity ([`crate::plan`]): the plan's days and people are Tend's, from the
    /// notes, so the suggestion may say no number, day, time, name, medicine or high-stakes word the notes lack;
    /// it may say "no" and "not" ("no pressure to finish").
    pub const PLAN: Rules = Rules { negations: false, ..Rules::SUMMARY };
    /// A translation, whose words are another language's: digits and medicines are copied from the source.
    pub const TRANSLATION: Rules = Rules {
        numbers: true,
        days_and_times: false,
        names: false,
        medicines: true,
        negations: false,
        pronouns: false,
        claims: false,
    };
}

/// What the items a sentence is written from allow it to say.
#[derive(Debug, Clone)]
pub struct Allowed {
    /// Which rules apply.
    rules: Rules,
    /// Digit runs of the items ("7", "30", "07", "500"), also without leading zeros and from number words.
    digits: HashSet<String>,
    /// The numeric values of the items' facts.
    values: Vec<f64>,
    /// Lower-case words of the items, the person's name and the context's names for the person.
    words: HashSet<String>,
    /// Whether the items deny or refuse anything.
    negated: bool,
    /// Gendered pronouns allowed: those the notes use for anyone, or that a title gives.
    pronouns: HashSet<&'static str>,
    /// High-stakes claims the items make.
    claims: Vec<&'static str>,
    /// Canonical names of the medicines the items name.
    medicines: HashSet<String>,
}

impl Allowed {
    /// What a sentence written from `items` (the notes' clauses, as written and expanded) may say, about the
    /// person whose preferred name is `person`; `context` is the whole of the notes, read only for the pronouns
    /// and titles that say how the person is referred to.
    pub fn new(items: &[&str], context: &str, person: Option<&str>, rules: Rules) -> Self {
        let text = items.join("\n");
        let facts = extract_facts(&text);
        let text = match person {
            Some(p) => format!("{text}\n{p}"),
            None => text,
        };
        let mut digits = HashSet::new();
        for run in digit_runs(&text) {
            digits.insert(run.trim_start_matches('0').to_owned());
            digits.insert(run.to_owned());
        }
        let mut values = Vec::new();
        for fact in &facts {
            if fact.kind == FactKind::Time {
                if let Some(minutes) = fact.key.strip_prefix("t:").and_then(|m| m.parse::<u32>().ok()) {
                    let (hour, minute) = (minutes / 60, minutes % 60);
                    let twelve = if hour % 12 == 0 { 12 } else { hour % 12 };
                    for d in [hour.to_string(), twelve.to_string(), format!("{hour:02}"), format!("{minute:02}")] {
                        digits.insert(d);
                    }
                    digits.insert(minute.to_string());
                    values.extend([f64::from(hour), f64::from(twelve), f64::from(minute)]);
                }
            } else if let Some(v) = fact.value.filter(|_| fact.kind != FactKind::Name) {
                values.push(v);
                if v.fract() == 0.0 && v.abs() < 1e12 {
                    digits.insert(format!("{}", v as i64));
                }
            }
        }
        digits.remove("");
        // The person's name is part of `text`, so its words are the items' too.
        let words: HashSet<String> = word_list(&text).into_iter().map(|w| w.to_lowercase()).collect();
        let negated = facts.iter().any(|f| f.kind == FactKind::Negation)
            || words.iter().any(|w| is_negator(w))
            || text.to_lowercase().contains("n't");
        let context_words: HashSet<String> =
            word_list(&format!("{context}\n{text}")).into_iter().map(|w| w.to_lowercase()).collect();
        let mut pronouns = HashSet::new();
        let has = |list: &[&str]| list.iter().any(|w| context_words.contains(*w));
        if has(FEMALE) || has(&["mrs", "ms", "miss"]) {
            pronouns.extend(FEMALE);
        }
        if has(MALE) || has(&["mr"]) {
            pronouns.extend(MALE);
        }
        let medicines_named = words.iter().filter_map(|w| medicines().get(w).cloned()).collect();
        Allowed {
            rules,
            digits,
            values,
            negated,
            pronouns,
            claims: backed_claims(&text),
            medicines: medicines_named,
            words,
        }
    }

    /// Whether `piece` may follow `reply` (the sentence so far): every word the piece writes or extends must be
    /// allowed. A word is judged as it stands, so a word the items lack is refused at the token that completes it.
    pub fn permits(&self, reply: &str, piece: &str) -> bool {
        if !piece.chars().any(char::is_alphanumeric) {
            return true;
        }
        // Only the end of the reply can join the piece's words.
        let mut from = reply.len().saturating_sub(48);
        while !reply.is_char_boundary(from) {
            from -= 1;
        }
        let tail = format!("{}{piece}", &reply[from..]);
        let piece_start = reply.len() - from;
        for (start, end) in word_spans(&tail) {
            if end <= piece_start {
                continue;
            }
            let word = &tail[start..end];
            let complete = end < tail.len();
            if word.chars().any(|c| c.is_ascii_digit()) {
                if self.rules.numbers && !self.digits_allowed(word, complete) {
                    return false;
                }
            } else if !self.word_allowed(word, &tail[..start]) {
                return false;
            }
        }
        true
    }

    fn digits_allowed(&self, word: &str, complete: bool) -> bool {
        let runs = digit_runs(word);
        let last = runs.len().saturating_sub(1);
        let ends_in_digit = word.ends_with(|c: char| c.is_ascii_digit());
        runs.iter().enumerate().all(|(i, run)| {
            let open = i == last && ends_in_digit && !complete;
            let bare = run.trim_start_matches('0');
            if open {
                self.digits.iter().any(|d| d.starts_with(run) || (!bare.is_empty() && d.starts_with(bare)))
            } else {
                self.digits.contains(*run) || self.digits.contains(bare)
            }
        })
    }

    fn word_allowed(&self, word: &str, before: &str) -> bool {
        let lower = word.to_lowercase().replace('’', "'");
        if self.known(&lower) {
            return true;
        }
        let rules = self.rules;
        // "one" counts too, in a note ("one sip" where the notes say "few sips").
        let value = if lower == "one" { Some(1.0) } else { number_word(&lower) };
        if rules.numbers && value.is_some_and(|value| !self.value_allowed(value, before)) {
            return false;
        }
        let stem = lower.strip_suffix('s').unwrap_or(&lower);
        if rules.days_and_times {
            if WEEKDAYS.contains(&stem) || (lower.len() >= 5 && MONTHS.contains(&lower.as_str())) {
                return false;
            }
            if PARTS_OF_DAY.contains(&stem) && !self.known(stem.strip_suffix("time").unwrap_or(stem)) {
                return false;
            }
        }
        if rules.medicines && medicines().get(&lower).is_some_and(|canonical| !self.medicines.contains(canonical)) {
            return false;
        }
        // A detail of a kind a note must not swap (a room, a meal, a drink, a relative, a body part, a mood, a
        // walking aid) that the items do not name.
        if rules.days_and_times && contrast(&lower, "").is_some_and(|(set, _)| set != "pronoun") {
            return false;
        }
        let negation = is_negator(&lower) || NEGATED_STEMS.contains(&lower.as_str()) || lower.ends_with("n't");
        if rules.negations && !self.negated && negation {
            return false;
        }
        if rules.claims && claim_of_word(&lower).is_some_and(|claim| !self.claims.contains(&claim)) {
            return false;
        }
        let gendered = FEMALE.contains(&lower.as_str()) || MALE.contains(&lower.as_str());
        if rules.pronouns && gendered && !self.pronouns.contains(lower.as_str()) {
            return false;
        }
        // "I", "we" and "you" belong to a quotation or a letter: a record speaks of the person.
        if rules.pronouns && FIRST_PERSON.contains(&lower.as_str()) {
            return false;
        }
        let calendar = WEEKDAYS.contains(&lower.as_str()) || MONTHS.contains(&lower.as_str());
        if rules.names && word.starts_with(char::is_uppercase) && word != "I" && !calendar && !starts_sentence(before) {
            // A capitalised word inside a sentence is a name: it must be (the start of) one the items use.
            return self.words.iter().any(|w| w.starts_with(&lower));
        }
        true
    }

    /// Whether the items use `lower` (or its singular or plural).
    fn known(&self, lower: &str) -> bool {
        self.words.contains(lower)
            || lower.strip_suffix('s').is_some_and(|s| self.words.contains(s))
            || self.words.contains(&format!("{lower}s"))
    }

    /// Whether a number word of `value` may stand after `before`: the items have the value, or the word is part of
    /// a compound they have ("twenty" of 25, "five" after "twenty-").
    fn value_allowed(&self, value: f64, before: &str) -> bool {
        let has = |v: f64| self.values.iter().any(|x| (x - v).abs() < 1e-9) || self.digits.contains(&format!("{v}"));
        if has(value) {
            return true;
        }
        if (20.0..100.0).contains(&value) && value % 10.0 == 0.0 {
            return self.values.iter().any(|x| *x > value && *x < value + 10.0);
        }
        if value == 100.0 || value == 1000.0 {
            return self.values.iter().any(|x| *x >= value);
        }
        let tens = before.trim_end_matches(['-', ' ']).rsplit([' ', '-']).next().and_then(number_word);
        tens.is_some_and(|t| (20.0..100.0).contains(&t) && has(t + value))
    }
}

/// Whether a word after `before` starts a sentence (or a quotation).
fn starts_sentence(before: &str) -> bool {
    match before.trim_end().chars().last() {
        None => true,
        Some(c) => matches!(c, '.' | '!' | '?' | '"' | '\'' | '‘' | '“' | ':' | '(' | '\n'),
    }
}

fn is_negator(lower: &str) -> bool {
    NEGATORS.contains(&lower) || REFUSALS.contains(&lower) || matches!(lower, "nobody" | "nor" | "neither")
}

fn digit_runs(text: &str) -> Vec<&str> {
    static DIGITS: OnceLock<Regex> = OnceLock::new();
    DIGITS.get_or_init(|| Regex::new(r"\d+").expect("valid regex")).find_iter(text).map(|m| m.as_str()).collect()
}

fn word_spans(text: &str) -> Vec<(usize, usize)> {
    static WORD: OnceLock<Regex> = OnceLock::new();
    WORD.get_or_init(|| Regex::new(r"[\p{L}\p{N}]+(?:['’][\p{L}]*)?").expect("valid regex"))
        .find_iter(text)
        .map(|m| (m.start(), m.end()))
        .collect()
}

fn word_list(text: &str) -> Vec<&str> {
    word_spans(text).into_iter().map(|(s, e)| &text[s..e]).collect()
}
