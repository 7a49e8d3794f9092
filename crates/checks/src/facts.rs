//! Fact extraction: the names, numbers, times, dates, durations, quantities, medicines and doses in a text, the
//! details a draft must not swap (a room, a meal, "he" or "she"...), and the things it says did not happen. Each
//! fact has its byte span and a normalised key for comparison, so "six" and "6", "half eight" and "8:30", "0.5 g"
//! and "500mg" compare equal.

use std::collections::HashSet;
use std::sync::OnceLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::lexicon::{clock_hour, contrast, is_common, medicines, number_word};

/// The kind of a fact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FactKind {
    /// A person's or place's name ("Mrs Patel", "J", "Leeds").
    Name,
    /// A bare number ("2", "six", "1/2").
    Number,
    /// A clock time or part of the day ("8:15", "2pm", "half eight", "morning").
    Time,
    /// A date or day ("Monday", "3/3/2025", "yesterday").
    Date,
    /// A length of time ("30 minutes", "3/7").
    Duration,
    /// A measured amount that is not a dose ("1.5 litres", "2 cups").
    Quantity,
    /// A medicine ("paracetamol", "Oramorph").
    Medicine,
    /// An amount of medicine ("500mg", "two tablets", "10 units").
    Dose,
    /// Something the text says did not happen ("declined tea": tea; "did not eat": eat).
    Negation,
    /// A detail of a kind a draft must not swap for another of its kind (`data/contrasts.toml`): a room, meal,
    /// drink, relative, body part or side, mood, walking aid, way of travelling, or "he" against "she".
    Detail,
}

/// One fact found in a text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fact {
    /// What kind of fact.
    pub kind: FactKind,
    /// The words as written.
    pub text: String,
    /// Byte offset of the start.
    pub start: usize,
    /// Byte offset of the end.
    pub end: usize,
    /// The normalised value compared between texts ("500 mg", "t:495", "patel").
    pub key: String,
    /// The numeric value, for numbers, amounts and durations; for a name after a gendered title, 1 for a male
    /// title ("Mr") and 2 for a female one ("Mrs", "Ms", "Miss").
    pub value: Option<f64>,
}

/// Units of doses, with their base unit and factor.
const DOSE_UNITS: &[(&str, &str, f64)] = &[
    ("mg", "mg", 1.0),
    ("milligram", "mg", 1.0),
    ("mcg", "mg", 0.001),
    ("µg", "mg", 0.001),
    ("microgram", "mg", 0.001),
    ("g", "mg", 1000.0),
    ("gram", "mg", 1000.0),
    ("ml", "ml", 1.0),
    ("millilitre", "ml", 1.0),
    ("milliliter", "ml", 1.0),
    ("unit", "unit", 1.0),
    ("iu", "unit", 1.0),
    ("tablet", "tablet", 1.0),
    ("tab", "tablet", 1.0),
    ("capsule", "capsule", 1.0),
    ("cap", "capsule", 1.0),
    ("puff", "puff", 1.0),
    ("drop", "drop", 1.0),
    ("sachet", "sachet", 1.0),
    ("patch", "patch", 1.0),
    ("spoonful", "spoon", 1.0),
    ("teaspoon", "spoon", 1.0),
    ("tsp", "spoon", 1.0),
    ("mmol", "mmol", 1.0),
];

/// Units of other measured amounts.
const QUANTITY_UNITS: &[(&str, &str, f64)] = &[
    ("kg", "kg", 1.0),
    ("kilo", "kg", 1.0),
    ("kilogram", "kg", 1.0),
    ("stone", "kg", 6.350_29),
    ("lb", "kg", 0.453_592),
    ("pound", "kg", 0.453_592),
    ("l", "ml", 1000.0),
    ("litre", "ml", 1000.0),
    ("liter", "ml", 1000.0),
    ("pint", "ml", 568.261),
    ("cup", "cup", 1.0),
    ("mug", "cup", 1.0),
    ("glass", "glass", 1.0),
    ("%", "%", 1.0),
    ("percent", "%", 1.0),
    ("degree", "degree", 1.0),
    ("°c", "degree", 1.0),
    ("cm", "cm", 1.0),
    ("metre", "cm", 100.0),
    ("mile", "mile", 1.0),
    ("step", "step", 1.0),
];

/// Words for money after an amount ("12.50 euros"): an amount, not a time.
fn is_currency(word: &str) -> bool {
    ["euro", "dollar", "pence", "penny", "cent", "quid", "gbp", "eur", "usd"]
        .iter()
        .any(|c| word == *c || word.strip_suffix('s') == Some(c))
}

/// Units of duration in minutes.
const DURATION_UNITS: &[(&str, f64)] = &[
    ("min", 1.0),
    ("minute", 1.0),
    ("h", 60.0),
    ("hr", 60.0),
    ("hour", 60.0),
    ("d", 1440.0),
    ("day", 1440.0),
    ("week", 10080.0),
    ("wk", 10080.0),
    ("month", 43200.0),
    ("year", 525_600.0),
    ("yr", 525_600.0),
    ("night", 1440.0),
];

pub(crate) const WEEKDAYS: &[&str] = &["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

/// Whether `lower` (a word in small letters) is a weekday, in full or cut short ("Sunday", "Sat", "Weds").
pub(crate) fn names_a_weekday(lower: &str) -> bool {
    let cut = lower.trim_end_matches('s');
    WEEKDAYS.contains(&lower) || (cut.len() >= 3 && WEEKDAYS.iter().any(|d| d.starts_with(cut)))
}

/// Whether `lower` (a word in small letters) names a day: a weekday, "today", "tonight" or "tomorrow". A "was" or
/// "is" before one says when a plan took place ("Review was Monday" for "Review Mon", set AN).
pub(crate) fn names_a_day(lower: &str) -> bool {
    WEEKDAYS.contains(&lower) || ["today", "tonight", "tomorrow"].contains(&lower)
}

/// Whether `text` is a code of letters and digits ("x3", "B12", "ch4"): a letter first, a digit in it. A time
/// ("10am") starts with its digit.
pub(crate) fn is_code(text: &str) -> bool {
    text.starts_with(char::is_alphabetic) && text.contains(|c: char| c.is_ascii_digit())
}

pub(crate) const MONTHS: &[&str] = &[
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];
const HONORIFICS: &[&str] = &["mr", "mrs", "ms", "miss", "mx", "dr", "nurse", "sister", "auntie", "uncle"];

/// Words that say the next few words did not happen.
/// Verbs whose object is the event a negation denies: "did not *take* her tablets" denies the tablets too.
const OBJECT_VERBS: &[&str] = &[
    "eat", "drink", "take", "have", "want", "like", "finish", "attend", "join", "use", "wear", "get", "go", "need",
    "accept", "receive", "enjoy", "try", "manage", "do", "make",
];

/// Whether `lemma_of_word` is the lemma of one of [`OBJECT_VERBS`].
fn object_verb(lemma_of_word: &str) -> bool {
    static LEMMAS: OnceLock<HashSet<String>> = OnceLock::new();
    LEMMAS.get_or_init(|| OBJECT_VERBS.iter().map(|v| lemma(v)).collect()).contains(lemma_of_word)
}

pub(crate) const NEGATORS: &[&str] = &[
    "not",
    "no",
    "never",
    "nil",
    "none",
    "nothing",
    "without",
    "lack",
    "lacks",
    "lacking",
    "absence",
    "absent",
    "declined",
    "declines",
    "decline",
    "declining",
    "refused",
    "refuses",
    "refuse",
    "refusing",
    "unable",
    "cannot",
    "didn't",
    "doesn't",
    "don't",
    "wasn't",
    "weren't",
    "isn't",
    "won't",
    "wouldn't",
    "couldn't",
    "can't",
    "hasn't",
    "haven't",
    "hadn't",
    "nor",
];

/// Words that carry no event of their own (skipped when recording what was or was not done).
const FUNCTION_WORDS: &[&str] = &[
    "a",
    "an",
    "the",
    "to",
    "of",
    "and",
    "or",
    "but",
    "with",
    "w",
    "for",
    "in",
    "on",
    "at",
    "by",
    "from",
    "her",
    "his",
    "their",
    "him",
    "them",
    "she",
    "he",
    "they",
    "it",
    "its",
    "any",
    "some",
    "was",
    "were",
    "is",
    "are",
    "be",
    "been",
    "being",
    "did",
    "do",
    "does",
    "had",
    "has",
    "have",
    "this",
    "that",
    "these",
    "those",
    "as",
    "so",
    "very",
    "all",
    "i",
    "we",
    "you",
    "my",
    "our",
    "your",
    "me",
    "us",
    "also",
    "then",
    "there",
    "here",
    "just",
    "still",
    "up",
    "out",
    "off",
    "over",
    "into",
    "about",
    "after",
    "before",
    "when",
    "while",
    "which",
    "who",
    "what",
    "would",
    "could",
    "should",
    "will",
    "can",
    "may",
    "might",
    "much",
    "more",
    "well",
    "today",
    "want",
    "wanted",
    "wish",
    "wished",
    "said",
    "says",
    "say",
    "like",
    "liked",
    "felt",
    "feel",
    "feeling",
    "seemed",
    "seem",
    "offered",
    "offer",
    "encouraged",
    "encourage",
    "support",
    "supported",
    "help",
    "helped",
    "try",
    "tried",
    "able",
    "time",
    "times",
    // The other forms of the verbs above, so that "wants" and "wanting" are treated as "want" is.
    "wants",
    "wanting",
    "likes",
    "liking",
    "wishes",
    "wishing",
    "feels",
    "seems",
    "offers",
    "offering",
    "encourages",
    "encouraging",
    "supports",
    "supporting",
    "helps",
    "helping",
    "tries",
    "trying",
    // Adverbs: "not currently insured" denies "insured", not "currently".
    "currently",
    "really",
    "actually",
    "yet",
    "always",
    "quite",
    "even",
    "ever",
    "usually",
    "normally",
    "necessarily",
    "already",
    "only",
    "too",
    // A transcript's fillers.
    "uh",
    "um",
    "er",
    "erm",
];

/// Irregular past forms that care notes use, to compare "ate" with "eat".
const IRREGULAR: &[(&str, &str)] = &[
    // Stems too short for the suffix rule.
    ("used", "use"),
    ("using", "use"),
    ("ate", "eat"),
    ("eaten", "eat"),
    ("drank", "drink"),
    ("drunk", "drink"),
    ("took", "take"),
    ("taken", "take"),
    ("went", "go"),
    ("gone", "go"),
    ("slept", "sleep"),
    ("gave", "give"),
    ("given", "give"),
    ("had", "have"),
    ("woke", "wake"),
    ("woken", "wake"),
    ("got", "get"),
    ("sat", "sit"),
    ("stood", "stand"),
    ("fell", "fall"),
    ("fallen", "fall"),
    ("came", "come"),
    ("ran", "run"),
    ("wore", "wear"),
    ("worn", "wear"),
    ("spoke", "speak"),
    ("spoken", "speak"),
    ("saw", "see"),
    ("seen", "see"),
    ("made", "make"),
    ("left", "leave"),
    ("brought", "bring"),
    ("bought", "buy"),
    ("told", "tell"),
    ("met", "meet"),
    ("kept", "keep"),
    ("felt", "feel"),
    ("meds", "medication"),
    ("medicines", "medication"),
    ("medicine", "medication"),
    ("tablets", "medication"),
    ("tablet", "medication"),
];

fn re(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    re_built(cell, || pattern.to_owned())
}

/// As [`re`], for a pattern put together from the constants below, built only the first time. Word boundaries
/// are ASCII ones: the facts are digits and English words, and a Unicode boundary would make the regex engine
/// leave its fast automaton for a slow one on any text with a "£" or "’" in it (a fifth of the time of a check).
fn re_built(cell: &'static OnceLock<Regex>, pattern: impl FnOnce() -> String) -> &'static Regex {
    // The patterns are constants checked by the tests: a failure here is a build defect.
    cell.get_or_init(|| Regex::new(&pattern().replace(r"\b", r"(?-u:\b)")).expect("valid pattern"))
}

/// Tens in words, and the units that follow them in "twenty-five".
const TENS: &str = "twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety";
const UNITS: &str = "one|two|three|four|five|six|seven|eight|nine";
/// Number words from two to ninety, the longer first so that "fourteen" is never read as "four" and "teen".
const NUMBER_WORDS: &str = "thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|\
sixty|seventy|eighty|ninety|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve";

/// A word with its byte span.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Word<'a> {
    pub text: &'a str,
    pub start: usize,
    pub end: usize,
}

/// The words of `text` ("don't" and "twenty-five" are one word each).
pub(crate) fn words(text: &str) -> Vec<Word<'_>> {
    static WORD: OnceLock<Regex> = OnceLock::new();
    re(&WORD, r"[\p{L}\p{N}]+(?:['’][\p{L}]+|-[\p{L}\p{N}]+)*")
        .find_iter(text)
        .map(|m| Word { text: m.as_str(), start: m.start(), end: m.end() })
        .collect()
}

/// Reduces a word to a comparable stem: lower case, irregular pasts mapped, common suffixes removed.
pub(crate) fn lemma(word: &str) -> String {
    let lower = word.to_lowercase().replace('’', "'");
    if let Some((_, base)) = IRREGULAR.iter().find(|(w, _)| *w == lower) {
        return base.trim_end_matches('e').to_owned();
    }
    for suffix in ["ing", "ed", "es", "s"] {
        if let Some(stem) = lower.strip_suffix(suffix)
            && stem.chars().count() >= 3
        {
            return stem.trim_end_matches('e').to_owned();
        }
    }
    lower.trim_end_matches('e').to_owned()
}

fn parse_number(text: &str) -> Option<f64> {
    let lower = text.to_lowercase();
    if let Some((a, b)) = lower.split_once('/') {
        let (a, b) = (a.parse::<f64>().ok()?, b.parse::<f64>().ok()?);
        return (b != 0.0).then(|| a / b);
    }
    lower.parse::<f64>().ok().or_else(|| number_word(&lower))
}

fn format_value(value: f64) -> String {
    let rounded = (value * 1000.0).round() / 1000.0;
    if rounded.fract() == 0.0 { format!("{}", rounded as i64) } else { format!("{rounded}") }
}

fn unit_of<'u>(unit: &str, table: &'u [(&str, &'u str, f64)]) -> Option<(&'u str, f64)> {
    let unit = unit.to_lowercase().replace('.', "");
    let singular =
        unit.strip_suffix("es").filter(|s| s.ends_with("ch") || s.ends_with("ss")).or_else(|| unit.strip_suffix('s'));
    table.iter().find(|(name, _, _)| *name == unit || Some(*name) == singular).map(|(_, base, f)| (*base, *f))
}

/// Collects facts, each claiming its span so that later, more general patterns skip it.
struct Collector<'t> {
    text: &'t str,
    facts: Vec<Fact>,
    /// The spans taken so far, start to end; they never overlap, so the one starting last before a span's end is
    /// the only one that can overlap it.
    taken: std::collections::BTreeMap<usize, usize>,
}

impl Collector<'_> {
    fn free(&self, start: usize, end: usize) -> bool {
        self.taken.range(..end).next_back().is_none_or(|(_, &taken_end)| taken_end <= start)
    }

    fn add(&mut self, kind: FactKind, start: usize, end: usize, key: String, value: Option<f64>) {
        if self.free(start, end) {
            let text = self.text[start..end].to_owned();
            self.taken.insert(start, end);
            self.facts.push(Fact { kind, text, start, end, key, value });
        }
    }
}

/// Minutes after midnight, for a clock time with an optional am/pm.
fn clock(hour: u32, minute: u32, meridiem: Option<&str>) -> Option<u32> {
    if hour > 24 || minute > 59 {
        return None;
    }
    let hour = match meridiem.map(|m| m.to_lowercase().replace('.', "")) {
        Some(m) if m == "pm" && hour < 12 => hour + 12,
        Some(m) if m == "am" && hour == 12 => 0,
        _ => hour,
    };
    Some(hour * 60 + minute)
}

/// Extracts every fact from `text`.
pub fn extract_facts(text: &str) -> Vec<Fact> {
    let mut c = Collector { text, facts: Vec::new(), taken: std::collections::BTreeMap::new() };
    dates(&mut c);
    times(&mut c);
    spoken_decimals(&mut c);
    amounts(&mut c);
    medicine_names(&mut c);
    numbers(&mut c);
    details(&mut c);
    names(&mut c);
    negations(&mut c);
    c.facts.sort_by_key(|f| (f.start, f.end));
    c.facts
}

fn dates(c: &mut Collector<'_>) {
    static NUMERIC: OnceLock<Regex> = OnceLock::new();
    static SHORTHAND: OnceLock<Regex> = OnceLock::new();
    static NAMED: OnceLock<Regex> = OnceLock::new();
    static RELATIVE: OnceLock<Regex> = OnceLock::new();
    let text = c.text;
    for m in re(&NUMERIC, r"\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})\b").captures_iter(text) {
        let whole = m.get(0).map_or(0..0, |g| g.range());
        let key = format!("date:{}-{}", m[1].parse::<u32>().unwrap_or(0), m[2].parse::<u32>().unwrap_or(0));
        c.add(FactKind::Date, whole.start, whole.end, key, None);
    }
    // Clinical shorthand: 3/7 is three days, 2/52 two weeks, 6/12 six months.
    for m in re(&SHORTHAND, r"\b(\d{1,2})/(7|52|12)\b").captures_iter(text) {
        let whole = m.get(0).map_or(0..0, |g| g.range());
        let n: f64 = m[1].parse().unwrap_or(0.0);
        let minutes = n * match &m[2] {
            "7" => 1440.0,
            "52" => 10080.0,
            _ => 43200.0,
        };
        c.add(FactKind::Duration, whole.start, whole.end, format!("dur:{}", format_value(minutes)), Some(minutes));
    }
    let named =
        r"(?i)\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\b";
    for m in re(&NAMED, named).captures_iter(text) {
        let whole = m.get(0).map_or(0..0, |g| g.range());
        let month = MONTHS.iter().position(|p| p.starts_with(&m[2].to_lowercase())).unwrap_or(0) + 1;
        c.add(FactKind::Date, whole.start, whole.end, format!("date:{}-{month}", &m[1]), None);
    }
    let relative = r"(?i)\b(today|yesterday|tomorrow|tonight|last night|monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tues|wed|thurs|fri|sat|sun)\b";
    for m in re(&RELATIVE, relative).find_iter(text) {
        let lower = m.as_str().to_lowercase();
        // Three-letter day abbreviations only count in their capitalised form ("Sat", not "sat down"), and "Sat"
        // before "in", "out", "with"... is the verb, even at the start of a sentence ("Sat in chair").
        if lower.len() <= 5 && !WEEKDAYS.contains(&lower.as_str()) && !m.as_str().starts_with(char::is_uppercase) {
            continue;
        }
        if lower == "sat" && text[m.end()..].split_whitespace().next().is_some_and(crate::items::sat_as_verb_before) {
            continue;
        }
        let day = WEEKDAYS
            .iter()
            .find(|d| d.starts_with(&lower[..3.min(lower.len())]))
            .filter(|_| !["today", "tonight", "tomorrow", "last night", "yesterday"].contains(&lower.as_str()));
        let key = day.map_or_else(|| format!("day:{lower}"), |d| format!("day:{d}"));
        c.add(FactKind::Date, m.start(), m.end(), key, None);
    }
}

fn times(c: &mut Collector<'_>) {
    static DIGITS: OnceLock<Regex> = OnceLock::new();
    static HOUR_MERIDIEM: OnceLock<Regex> = OnceLock::new();
    static PAST_TO: OnceLock<Regex> = OnceLock::new();
    static HALF: OnceLock<Regex> = OnceLock::new();
    static OCLOCK: OnceLock<Regex> = OnceLock::new();
    static PARTS: OnceLock<Regex> = OnceLock::new();
    let text = c.text;
    let digits = r"(?i)\b(\d{1,2})[:.](\d{2})(?:\s*(am\b|pm\b|a\.m\.|p\.m\.|hrs\b|h\b))?";
    for m in re(&DIGITS, digits).captures_iter(text) {
        let whole = m.get(0).map_or(0..0, |g| g.range());
        // "£12.50" is money, and "2.5 mg" or "1.25 litres" an amount, not a time.
        if text[..whole.start].ends_with(['£', '$', '€']) {
            continue;
        }
        // The word after it, read alone (lower-casing the rest of the text for every time would be quadratic).
        let next: String = text[whole.end..]
            .trim_start()
            .chars()
            .take_while(|ch| ch.is_alphabetic())
            .flat_map(char::to_lowercase)
            .collect();
        let unit =
            unit_of(&next, DOSE_UNITS).is_some() || unit_of(&next, QUANTITY_UNITS).is_some() || is_currency(&next);
        if !next.is_empty() && m.get(3).is_none() && unit {
            continue;
        }
        let (h, min) = (m[1].parse().unwrap_or(99), m[2].parse().unwrap_or(99));
        let meridiem = m.get(3).map(|g| g.as_str()).filter(|s| !s.to_lowercase().starts_with('h'));
        if let Some(minutes) = clock(h, min, meridiem) {
            add_time(c, whole.start, whole.end, minutes, meridiem.is_some() || h > 12 || h == 0);
        }
    }
    for m in re(&HOUR_MERIDIEM, r"(?i)\b(\d{1,2})\s*(am|pm|a\.m\.|p\.m\.)").captures_iter(text) {
        let whole = m.get(0).map_or(0..0, |g| g.range());
        if let Some(minutes) = clock(m[1].parse().unwrap_or(99), 0, Some(&m[2])) {
            add_time(c, whole.start, whole.end, minutes, true);
        }
    }
    for m in re(&PAST_TO, r"(?i)\b(half|quarter|twenty|ten|five|twenty-five)\s+(past|to)\s+(\w+)").captures_iter(text) {
        let whole = m.get(0).map_or(0..0, |g| g.range());
        let Some(hour) = clock_hour(&m[3]) else {
            continue;
        };
        let offset = match m[1].to_lowercase().as_str() {
            "half" => 30,
            "quarter" => 15,
            "twenty" => 20,
            "ten" => 10,
            "five" => 5,
            _ => 25,
        };
        let minutes = if m[2].eq_ignore_ascii_case("past") { hour * 60 + offset } else { hour * 60 - offset };
        add_time(c, whole.start, whole.end, minutes, false);
    }
    // British "half eight" is 8:30.
    for m in re(&HALF, r"(?i)\bhalf\s+(\w+)").captures_iter(text) {
        let whole = m.get(0).map_or(0..0, |g| g.range());
        if let Some(hour) = clock_hour(&m[1]) {
            add_time(c, whole.start, whole.end, hour * 60 + 30, false);
        }
    }
    for m in re(&OCLOCK, r"(?i)\b(\w+)\s+o'?clock\b|\b(noon|midday|midnight)\b").captures_iter(text) {
        let whole = m.get(0).map_or(0..0, |g| g.range());
        let word = m.get(1).or(m.get(2)).map_or("", |g| g.as_str());
        if let Some(hour) = clock_hour(word) {
            let minutes = if word.eq_ignore_ascii_case("midnight") { 0 } else { hour * 60 };
            add_time(c, whole.start, whole.end, minutes, word.eq_ignore_ascii_case("midnight"));
        }
    }
    // Parts of the day, including shorthand "AM call" / "PM visit".
    let parts = r"\b(morning|afternoon|evening|overnight|night-time|bedtime|AM|PM|am|pm)\b";
    for m in re(&PARTS, parts).find_iter(text) {
        let word = m.as_str();
        let lower = word.to_lowercase();
        // Lower-case "am" is usually the verb; only "AM"/"PM" or lower-case "pm" mark a part of the day.
        if word == "am" {
            continue;
        }
        let key = match lower.as_str() {
            "am" => "part:morning",
            "pm" => "part:pm",
            "overnight" | "night-time" | "bedtime" => "part:night",
            other => return_part(other),
        };
        c.add(FactKind::Time, m.start(), m.end(), key.to_owned(), None);
    }
}

fn return_part(word: &str) -> &'static str {
    match word {
        "morning" => "part:morning",
        "afternoon" => "part:afternoon",
        "evening" => "part:evening",
        _ => "part:night",
    }
}

fn add_time(c: &mut Collector<'_>, start: usize, end: usize, minutes: u32, absolute: bool) {
    // Without am/pm, 8:15 may be morning or evening: compare on a 12-hour clock.
    let key = if absolute { format!("t:{minutes}") } else { format!("t12:{}", minutes % 720) };
    c.add(FactKind::Time, start, end, key, Some(f64::from(minutes)));
}

fn amounts(c: &mut Collector<'_>) {
    static AMOUNT: OnceLock<Regex> = OnceLock::new();
    static RANGE_START: OnceLock<Regex> = OnceLock::new();
    let text = c.text;
    let amount = re_built(&AMOUNT, || {
        format!(
            r"(?i)\b(\d+(?:\.\d+)?|\d+/\d+|{NUMBER_WORDS}|hundred|half|one|a|an)(?:\s+and\s+a\s+half)?\s*(%|°c|[a-zµ]+\.?)"
        )
    });
    // The first number of a range shares the unit of the second: "3-5d", "two to three tablets", "1 or 2 hours".
    let range_start =
        re_built(&RANGE_START, || format!(r"(?i)\b(\d+(?:\.\d+)?|{NUMBER_WORDS}|one)\s*(?:-|–|to|or)\s*$"));
    for m in amount.captures_iter(text) {
        let mut whole = m.get(0).map_or(0..0, |g| g.range());
        // A dot after the unit ends an abbreviation or the sentence: it is no part of the fact.
        whole.end -= usize::from(text[whole.clone()].ends_with('.'));
        let unit = m[2].trim_end_matches('.');
        let mut value = match m[1].to_lowercase().as_str() {
            "one" | "a" | "an" => 1.0,
            n => match parse_number(n) {
                Some(v) => v,
                None => continue,
            },
        };
        if text[whole.clone()].to_lowercase().contains("and a half") {
            value += 0.5;
        }
        let article = matches!(m[1].to_lowercase().as_str(), "a" | "an" | "one");
        let (kind, base, factor) = if let Some((base, factor)) = unit_of(unit, DOSE_UNITS) {
            // "a tablet" is a dose; "a g" is not English.
            if article && !["tablet", "capsule", "puff", "sachet", "patch", "spoon", "drop"].contains(&base) {
                continue;
            }
            (FactKind::Dose, base, factor)
        } else if let Some((base, factor)) = unit_of(unit, QUANTITY_UNITS) {
            if article && unit.len() <= 2 {
                continue;
            }
            (FactKind::Quantity, base, factor)
        } else if let Some(factor) = duration_unit(unit) {
            if article && unit.len() <= 3 {
                continue;
            }
            (FactKind::Duration, "", factor)
        } else {
            continue;
        };
        let mut add = |start: usize, end: usize, value: f64| {
            let v = value * factor;
            let key = if kind == FactKind::Duration {
                format!("dur:{}", format_value(v))
            } else {
                format!("{} {base}", format_value(v))
            };
            c.add(kind, start, end, key, Some(v));
        };
        add(whole.start, whole.end, value);
        let before = &text[text[..whole.start].char_indices().rev().nth(24).map_or(0, |(i, _)| i)..whole.start];
        let first = range_start.captures(before).and_then(|r| r.get(1));
        if let Some((first, v)) = first.and_then(|f| Some((f, spoken_number(f.as_str())?))) {
            let start = whole.start - before.len() + first.start();
            add(start, start + first.len(), v);
        }
    }
}

/// A number said in words or digits ("7", "nought", "twenty-five", "twenty five").
fn spoken_number_pattern() -> String {
    format!(r"\d+|(?:{TENS})(?:\s*-\s*|\s+)(?:{UNITS})\b|zero|nought|one|{NUMBER_WORDS}")
}

/// The value of a number said in words or digits, as [`spoken_number_pattern`] finds them.
fn spoken_number(text: &str) -> Option<f64> {
    let lower = text.to_lowercase();
    let parts: Vec<&str> = lower.split(|ch: char| ch == '-' || ch.is_whitespace()).filter(|p| !p.is_empty()).collect();
    match parts[..] {
        [word] => match word {
            "one" => Some(1.0),
            "nought" => Some(0.0),
            _ => word.parse().ok().or_else(|| number_word(word)),
        },
        [tens, unit] => Some(number_word(tens)? + if unit == "one" { 1.0 } else { number_word(unit)? }),
        _ => None,
    }
}

/// Money and decimals said in words, as one number the way a draft writes them: "two pounds fifty" and "twelve
/// euros and fifty cents" (2.5 and 12.5, as "£2.50"), "nought point five" and "twelve dot fifty" (0.5 and 12.5); a
/// unit after a decimal makes it a dose or quantity ("nought point five milligrams" is 0.5 mg, not 5 mg).
fn spoken_decimals(c: &mut Collector<'_>) {
    static MONEY: OnceLock<Regex> = OnceLock::new();
    static POINT: OnceLock<Regex> = OnceLock::new();
    let text = c.text;
    let money = re_built(&MONEY, || {
        let n = spoken_number_pattern();
        format!(
            r"(?i)\b({n})\s+(?:pounds?|quid|euros?|dollars?)\s+(?:and\s+)?({n})(?:\s+(?:pence|p|cents?|centimes?))?\b"
        )
    });
    for m in money.captures_iter(text) {
        let whole = m.get(0).map_or(0..0, |g| g.range());
        // "two pounds ten stone" or "two pounds ten days ago" is no money.
        let (next, _) = next_word(text, whole.end);
        if let (Some(units), Some(hundredths)) = (spoken_number(&m[1]), spoken_number(&m[2]))
            && hundredths < 100.0
            && !is_unit(&next)
        {
            let v = units + hundredths / 100.0;
            c.add(FactKind::Number, whole.start, whole.end, format!("n:{}", format_value(v)), Some(v));
        }
    }
    // After the point each word is a digit ("point two five") or a two-digit number ("dot fifty").
    let point = re_built(&POINT, || {
        let n = spoken_number_pattern();
        format!(r"(?i)\b({n})\s+(?:point|dot)((?:\s+(?:{n}))+)\b")
    });
    for m in point.captures_iter(text) {
        let whole = m.get(0).map_or(0..0, |g| g.range());
        let digits: Option<String> =
            m[2].split_whitespace().map(|w| spoken_number(w).filter(|v| *v < 100.0).map(|v| format!("{v}"))).collect();
        let (Some(units), Some(digits)) = (spoken_number(&m[1]), digits) else {
            continue;
        };
        let Ok(v) = format!("{units}.{digits}").parse::<f64>() else {
            continue;
        };
        let (unit, unit_end) = next_word(text, whole.end);
        if let Some((base, factor)) = unit_of(&unit, DOSE_UNITS) {
            c.add(
                FactKind::Dose,
                whole.start,
                unit_end,
                format!("{} {base}", format_value(v * factor)),
                Some(v * factor),
            );
        } else if let Some((base, factor)) = unit_of(&unit, QUANTITY_UNITS) {
            let key = format!("{} {base}", format_value(v * factor));
            c.add(FactKind::Quantity, whole.start, unit_end, key, Some(v * factor));
        } else {
            c.add(FactKind::Number, whole.start, whole.end, format!("n:{}", format_value(v)), Some(v));
        }
    }
}

/// The letters of the word that starts after spaces at `at`, and where it ends.
fn next_word(text: &str, at: usize) -> (String, usize) {
    let rest = &text[at..];
    let skipped = rest.len() - rest.trim_start().len();
    let word: String = rest[skipped..].chars().take_while(|ch| ch.is_alphabetic()).collect();
    let end = at + skipped + word.len();
    (word, end)
}

/// Words after a number that are not the thing it counts ("2 of them", "3 more", "10 times", "8 am").
const NOT_COUNTED: &[&str] = &["more", "other", "others", "times", "out", "am", "pm", "per", "percent", "each", "x"];

/// What a bare number counts: the lemma of the word right after it and where that word ends ("10 machines" ->
/// "machin"), unless that word is a function word or another number.
pub(crate) fn counted(text: &str, number: &Fact) -> Option<(String, usize)> {
    let (word, end) = next_word(text, number.end);
    let lower = word.to_lowercase();
    let skip = word.is_empty()
        || FUNCTION_WORDS.contains(&lower.as_str())
        || NEGATORS.contains(&lower.as_str())
        || NOT_COUNTED.contains(&lower.as_str())
        || number_word(&lower).is_some();
    (!skip).then(|| (lemma(&lower), end))
}

/// Whether `word` is a unit of a dose, quantity or duration.
fn is_unit(word: &str) -> bool {
    unit_of(word, DOSE_UNITS).is_some() || unit_of(word, QUANTITY_UNITS).is_some() || duration_unit(word).is_some()
}

/// Minutes in one `unit` of duration ("days", "hr").
fn duration_unit(unit: &str) -> Option<f64> {
    let lower = unit.to_lowercase();
    DURATION_UNITS.iter().find(|(u, _)| lower == *u || lower.strip_suffix('s') == Some(u)).map(|(_, f)| *f)
}

fn medicine_names(c: &mut Collector<'_>) {
    let lexicon = medicines();
    phrases(c, 3, |phrase, _| lexicon.get(phrase).map(|canonical| (FactKind::Medicine, canonical.clone())));
}

/// Adds a fact for each phrase of up to `longest` words, written with single spaces, that `lookup` knows, longest
/// first; `lookup` gets the lower-case phrase and the lower-case word after it, and gives the fact's kind and key.
fn phrases(c: &mut Collector<'_>, longest: usize, lookup: impl Fn(&str, &str) -> Option<(FactKind, String)>) {
    let ws = words(c.text);
    let mut i = 0;
    while i < ws.len() {
        let mut taken = 1;
        for n in (1..=longest.min(ws.len() - i)).rev() {
            let (start, end) = (ws[i].start, ws[i + n - 1].end);
            if c.text[start..end].split_whitespace().count() != n {
                continue;
            }
            let phrase = ws[i..i + n].iter().map(|w| w.text.to_lowercase()).collect::<Vec<_>>().join(" ");
            let next = ws.get(i + n).map(|w| w.text.to_lowercase()).unwrap_or_default();
            if let Some((kind, key)) = lookup(&phrase, &next) {
                c.add(kind, start, end, key, None);
                taken = n;
                break;
            }
        }
        i += taken;
    }
}

fn numbers(c: &mut Collector<'_>) {
    static NUMBER: OnceLock<Regex> = OnceLock::new();
    static RATIO: OnceLock<Regex> = OnceLock::new();
    let text = c.text;
    // A staffing ratio is one fact, written "1:1" or "one-to-one": not two numbers one.
    let word = |w: &str| match w.to_lowercase().as_str() {
        "one" => Some(1),
        "two" => Some(2),
        "three" => Some(3),
        digit => digit.parse().ok(),
    };
    for m in re(&RATIO, r"(?i)\b([1-9]):([1-9])\b|\b(one|two|three)-to-(one|two|three)\b").captures_iter(text) {
        let whole = m.get(0).map_or(0..0, |g| g.range());
        let (a, b) = if m.get(1).is_some() { (&m[1], &m[2]) } else { (&m[3], &m[4]) };
        if let (Some(a), Some(b)) = (word(a), word(b)) {
            c.add(FactKind::Quantity, whole.start, whole.end, format!("ratio {a}:{b}"), None);
        }
    }
    let number = re_built(&NUMBER, || {
        format!(
            r"(?i)\b(?:(?:{TENS})(?:\s*-\s*|\s+)(?:{UNITS})|(?:one|a)\s+half|(?:one|a|two|three)\s+(?:quarters?|thirds?)|x\s?\d+|\d+/\d+|\d+(?:\.\d+)?|{NUMBER_WORDS}|hundred|thousand|dozen|half|twice)\b"
        )
    });
    for m in number.find_iter(text) {
        if is_list_marker(text, m.start(), m.end()) {
            continue;
        }
        let lower = m.as_str().to_lowercase();
        // Compounds ("twenty-five", "twenty five" and a transcript's "twenty - five") and words are spoken numbers.
        let value = if lower.ends_with("half") {
            Some(0.5)
        } else if let Some((count, part)) =
            lower.split_once(char::is_whitespace).filter(|(_, p)| p.contains("quarter") || p.contains("third"))
        {
            // "a quarter", "three quarters", "two thirds".
            let count = if matches!(count, "a" | "one") { 1.0 } else { number_word(count).unwrap_or(1.0) };
            let whole = if part.trim().starts_with("quarter") { 4.0 } else { 3.0 };
            Some(count / whole)
        } else if let Some(times) = lower.strip_prefix('x') {
            times.trim().parse().ok()
        } else {
            spoken_number(&lower).or_else(|| parse_number(&lower))
        };
        if let Some(v) = value {
            c.add(FactKind::Number, m.start(), m.end(), format!("n:{}", format_value(v)), Some(v));
        }
    }
}

/// Whether the number at `start..end` numbers a list item ("1." or "2)" opening a line), which is no fact.
fn is_list_marker(text: &str, start: usize, end: usize) -> bool {
    // Only blanks between the line's start and the number (read back to them only, not to the line's start).
    let before = text[..start].trim_end_matches(|c: char| c.is_whitespace() && c != '\n');
    (before.is_empty() || before.ends_with('\n'))
        && text[end..].starts_with(['.', ')'])
        && text[end + 1..].starts_with(char::is_whitespace)
}

fn names(c: &mut Collector<'_>) {
    let text = c.text;
    let ws = words(text);
    for (i, w) in ws.iter().enumerate() {
        let first = w.text.chars().next().unwrap_or(' ');
        if !first.is_uppercase() {
            continue;
        }
        let bare = w.text.trim_end_matches("'s").trim_end_matches("’s");
        let lower = bare.to_lowercase();
        let upper_count = bare.chars().filter(|ch| ch.is_uppercase()).count();
        let after_honorific = i > 0 && HONORIFICS.contains(&ws[i - 1].text.to_lowercase().trim_end_matches('.'));
        let is_initial = bare.chars().count() == 1 && bare != "I" && bare != "A";
        let acronym = upper_count >= 2 && bare.chars().count() <= 5;
        let known_word = is_common(&lower)
            || (lower.contains('-') && lower.split('-').all(|part| part.is_empty() || is_common(part)))
            || HONORIFICS.contains(&lower.as_str())
            || WEEKDAYS.iter().any(|d| d.starts_with(&lower) && lower.len() >= 3)
            || (lower.len() >= 3 && MONTHS.iter().any(|m| m.starts_with(&lower)))
            || medicines().contains_key(&lower);
        if after_honorific || is_initial || (!acronym && !known_word && bare.chars().count() > 1) {
            let end = w.start + bare.len();
            let title = if after_honorific { title_gender(&ws[i - 1].text.to_lowercase()) } else { None };
            c.add(FactKind::Name, w.start, end, format!("name:{lower}"), title);
        }
    }
}

/// Details of the kinds in `data/contrasts.toml`, keyed `detail:SET:GROUPS` ("detail:meal:1,2" for "dinner").
fn details(c: &mut Collector<'_>) {
    phrases(c, 2, |phrase, next| {
        let (set, groups) = contrast(phrase, next)?;
        let groups = groups.iter().map(usize::to_string).collect::<Vec<_>>().join(",");
        Some((FactKind::Detail, format!("detail:{set}:{groups}")))
    });
}

/// 1 for a male title, 2 for a female one, nothing for the others ("Dr", "Mx", "Nurse").
fn title_gender(title: &str) -> Option<f64> {
    match title.trim_end_matches('.') {
        "mr" | "uncle" => Some(1.0),
        "mrs" | "ms" | "miss" | "auntie" | "sister" => Some(2.0),
        _ => None,
    }
}

fn negations(c: &mut Collector<'_>) {
    static CLAUSE_END: OnceLock<Regex> = OnceLock::new();
    let text = c.text;
    let ws = words(text);
    let breaks: Vec<usize> = re(&CLAUSE_END, r"[.,;:!?\n()]|\bbut\b|\band\b|\bso\b|\bthen\b|-\s")
        .find_iter(text)
        .map(|m| m.start())
        .collect();
    for (i, w) in ws.iter().enumerate() {
        let lower = w.text.to_lowercase().replace('’', "'");
        if !NEGATORS.contains(&lower.as_str()) && !lower.ends_with("n't") {
            continue;
        }
        let clause_end = breaks.get(breaks.partition_point(|&b| b < w.end)).copied().unwrap_or(text.len());
        let mut taken = 0;
        for next in ws[i + 1..].iter().take_while(|n| n.start < clause_end) {
            let l = lemma(next.text);
            // A lone letter after a negator is a stutter ("not for the e for the elderly").
            if FUNCTION_WORDS.contains(&next.text.to_lowercase().as_str())
                || NEGATORS.contains(&next.text.to_lowercase().as_str())
                || next.text.chars().count() == 1
            {
                continue;
            }
            c.facts.push(Fact {
                kind: FactKind::Negation,
                text: next.text.to_owned(),
                start: next.start,
                end: next.end,
                key: format!("neg:{l}"),
                // 0 for the word right after the negator (usually the event: "did not *eat*"), 1 for its object.
                value: Some(f64::from(taken)),
            });
            taken += 1;
            // The next word is the event's object only after a verb that takes one ("did not eat *lunch*");
            // elsewhere it is a modifier or another clause ("without compromising the *quality*").
            if taken == 2 || !object_verb(&l) {
                break;
            }
        }
    }
}

/// The lemmas of the content words of `text` that are not inside a negation, with their spans.
pub(crate) fn affirmed_words(text: &str, facts: &[Fact]) -> Vec<(String, usize, usize)> {
    let negated: std::collections::HashSet<usize> =
        facts.iter().filter(|f| f.kind == FactKind::Negation).map(|f| f.start).collect();
    words(text)
        .into_iter()
        .filter(|w| {
            let lower = w.text.to_lowercase();
            !FUNCTION_WORDS.contains(&lower.as_str()) && !NEGATORS.contains(&lower.as_str())
        })
        .filter(|w| !negated.contains(&w.start))
        .map(|w| (lemma(w.text), w.start, w.end))
        .collect()
}
