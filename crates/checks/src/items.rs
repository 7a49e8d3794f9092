//! Reading shorthand into items: a worker's notes split into clauses (one event, observation or statement each),
//! grouped by the sentence they stand in, and each expanded from care shorthand into plain words with the lexicon
//! in `data/shorthand.toml` ("w/" is "with", "BNO" is "bowels not opened", "half 8" is "half past 8"). Every item
//! keeps its byte span in the notes, so a draft's sentence can point back at what it came from.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::rewrite::is_title;

/// One clause of the notes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    /// Byte offset of the clause's start in the notes.
    pub start: usize,
    /// Byte offset of its end (without the punctuation that closes it).
    pub end: usize,
    /// The clause as written.
    pub text: String,
    /// The clause with its shorthand expanded into plain words.
    pub expanded: String,
    /// Which group (sentence of the notes, or part of a long one) it belongs to, counted from 0.
    pub group: usize,
}

/// The most words a group holds before a long sentence is split at a clause boundary.
const MAX_GROUP_WORDS: usize = 28;

/// Reads `notes` into items, in order. Sentences end at `.`, `!`, `?`, `;` or a line break (not the dot of
/// "12.45", "Mrs." or "approx."); clauses end at commas and spaced dashes; a clause of one word ("declined",
/// "awake") stays with the clause before it, since it says something about it.
pub fn read_items(notes: &str) -> Vec<Item> {
    read_items_about(notes, None)
}

/// [`read_items`] for notes about the person called `person`: the words of their name are never read as
/// shorthand ("Eve (resident) ate well" is about Eve, not the evening).
pub fn read_items_about(notes: &str, person: Option<&str>) -> Vec<Item> {
    let keep: Vec<&str> = person.map(|p| p.split_whitespace().collect()).unwrap_or_default();
    let expand = |text: &str| expand_keeping(text, &keep).0;
    let mut items: Vec<Item> = Vec::new();
    let mut group = 0;
    for (s_start, s_end) in sentences(notes) {
        let mut group_words = 0;
        let mut first_in_group = true;
        for (c_start, c_end) in clauses(notes, s_start, s_end) {
            let text = &notes[c_start..c_end];
            let count = text.split_whitespace().count();
            let short = count < 2;
            let expanded = expand(text);
            match items.last_mut() {
                Some(last) if !first_in_group && (short || said_of_the_last(&expanded)) => {
                    last.end = c_end;
                    last.text = notes[last.start..c_end].to_owned();
                    last.expanded = expand(&last.text);
                    group_words += count;
                    continue;
                }
                _ => {}
            }
            if !first_in_group && group_words + count > MAX_GROUP_WORDS {
                group += 1;
                group_words = 0;
            }
            items.push(Item { start: c_start, end: c_end, text: text.to_owned(), expanded, group });
            group_words += count;
            first_in_group = false;
        }
        if !first_in_group {
            group += 1;
        }
    }
    items
}

/// Verbs that tell where someone or something was found or put.
const FOUND: &[&str] = &["found", "taken", "left", "put", "placed", "moved", "dropped", "admitted", "discovered"];
/// Words of place that follow one of [`FOUND`] ("found on", "taken to").
const PLACE: &[&str] = &["on", "in", "at", "to", "by", "under", "beside", "near", "into", "onto", "behind"];

/// Whether a clause (shorthand expanded) tells where something was found or taken ("found on floor", "taken to
/// hospital") with a high-stakes claim. After another clause of its sentence, what it tells of is that clause's
/// ("spat out 2 tabs, found on floor" is the tablets), so it stays with that clause, in one item and one sentence:
/// written as a sentence of its own, it is said of the person ("Spat out 2 tablets. Found on the floor.", a fall
/// the notes do not report: the dev set's notes, both models).
pub(crate) fn said_of_the_last(clause: &str) -> bool {
    let mut words = clause.split_whitespace().map(str::to_lowercase);
    let (first, second) = (words.next().unwrap_or_default(), words.next().unwrap_or_default());
    FOUND.contains(&first.as_str())
        && PLACE.contains(&second.as_str())
        && !crate::high_stakes::claims_in(clause).is_empty()
}

/// Byte ranges of the notes' sentences, trimmed, without their closing punctuation.
pub(crate) fn sentences(notes: &str) -> Vec<(usize, usize)> {
    let bytes = notes.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        // A mark right before a closing quotation mark ends the sentence after the quotation, and only when
        // what follows starts a new one: "Asked 'is it morning yet?' - reassured" is one sentence.
        if matches!(b, b'?' | b'!' | b'.') && bytes.get(i + 1).is_some_and(|&n| n == b'\'' || n == b'"') {
            let after = &notes[i + 2..];
            let rest = after.trim_start();
            if rest.is_empty() || (rest.len() < after.len() && rest.starts_with(|c: char| c.is_uppercase())) {
                push_trimmed(notes, start, i + 2, &mut out);
                start = i + 2;
            }
            i += 2;
            continue;
        }
        let ends = match b {
            b'\n' | b';' | b'!' => true,
            b'?' => bytes.get(i + 1).is_none_or(|n| !n.is_ascii_alphanumeric()),
            b'.' => {
                let next = bytes.get(i + 1).copied();
                let digit_after = next.is_some_and(|n| n.is_ascii_digit());
                let digit_before = i > 0 && bytes[i - 1].is_ascii_digit();
                let word_before = notes[..i].rsplit(|c: char| !c.is_alphanumeric()).next().unwrap_or("");
                let abbreviation = ABBREVIATIONS.contains(&word_before.to_lowercase().as_str());
                !(abbreviation || digit_before && digit_after) && next.is_none_or(|n| n.is_ascii_whitespace())
            }
            _ => false,
        };
        if ends {
            push_trimmed(notes, start, i, &mut out);
            start = i + 1;
        }
        i += 1;
    }
    push_trimmed(notes, start, notes.len(), &mut out);
    out
}

/// Words whose dot does not end a sentence.
const ABBREVIATIONS: &[&str] =
    &["mr", "mrs", "ms", "dr", "approx", "st", "etc", "eg", "ie", "no", "vs", "incl", "inc", "esp", "poss"];

/// Byte ranges of the clauses of the sentence `notes[start..end]`: split at commas and at dashes with a space on
/// either side, never inside quotation marks or brackets.
fn clauses(notes: &str, start: usize, end: usize) -> Vec<(usize, usize)> {
    let text = &notes[start..end];
    let mut out = Vec::new();
    let mut from = 0;
    let mut quoted = false;
    let mut bracketed = 0usize;
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    for (k, &(i, c)) in chars.iter().enumerate() {
        let prev = k.checked_sub(1).map(|p| chars[p].1);
        let next = chars.get(k + 1).map(|n| n.1);
        match c {
            '(' | '[' => bracketed += 1,
            ')' | ']' => bracketed = bracketed.saturating_sub(1),
            _ => {}
        }
        if c == '\'' || c == '"' || c == '‘' || c == '’' || c == '“' || c == '”' {
            // An apostrophe inside a word ("didn't") is not a quotation mark.
            let inside_word = prev.is_some_and(char::is_alphanumeric) && next.is_some_and(char::is_alphanumeric);
            if !inside_word {
                quoted = !quoted;
            }
            continue;
        }
        // "Meds (metformin 500mg, ramipril 5mg) taken 07:50" is one clause.
        if quoted || bracketed > 0 {
            continue;
        }
        let splits = match c {
            ',' => !(prev.is_some_and(|p| p.is_ascii_digit()) && next.is_some_and(|n| n.is_ascii_digit())),
            '-' | '–' => prev.is_some_and(char::is_whitespace) && next.is_none_or(char::is_whitespace),
            _ => false,
        };
        if splits {
            push_trimmed(notes, start + from, start + i, &mut out);
            from = i + c.len_utf8();
        }
    }
    push_trimmed(notes, start + from, end, &mut out);
    // A clause of times or numbers only continues a list begun in the clause before: "asleep at 22:00, 00:00 &
    // 02:00" is one clause, never "00:00 and 02:00" on its own.
    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(out.len());
    for (a, b) in out {
        let numbers_only = notes[a..b].split_whitespace().all(|w| {
            let w = w.trim_end_matches(['.', ',']);
            matches!(w, "&" | "and" | "or" | "+") || w.starts_with(|c: char| c.is_ascii_digit())
        });
        match merged.last_mut() {
            Some(last) if numbers_only => last.1 = b,
            _ => merged.push((a, b)),
        }
    }
    merged
}

fn push_trimmed(notes: &str, start: usize, end: usize, out: &mut Vec<(usize, usize)>) {
    let piece = &notes[start..end];
    let lead = piece.len() - piece.trim_start().len();
    let trail = piece.len() - piece.trim_end().len();
    if start + lead < end - trail {
        out.push((start + lead, end - trail));
    }
}

#[derive(Deserialize)]
struct LexiconFile {
    term: Vec<Term>,
}

/// One entry of `data/shorthand.toml`.
#[derive(Deserialize)]
struct Term {
    short: Vec<String>,
    long: String,
    source: String,
    #[serde(default)]
    exact: bool,
    /// The short form has another common meaning ("Sat": Saturday or sat; "Eve": evening or a name), so its
    /// reading is shown to the reviewer.
    #[serde(default)]
    guess: bool,
}

/// A lexicon entry: the plain words, and whether the reading is a guess.
type Entry = (String, bool);

/// The lexicon: exact spellings, and lower-case ones for terms matched in any case.
fn lexicon() -> &'static (HashMap<String, Entry>, HashMap<String, Entry>) {
    static LEXICON: OnceLock<(HashMap<String, Entry>, HashMap<String, Entry>)> = OnceLock::new();
    LEXICON.get_or_init(|| {
        let (mut exact, mut any) = (HashMap::new(), HashMap::new());
        for term in lexicon_file().term {
            for short in term.short {
                if term.exact {
                    exact.insert(short, (term.long.clone(), term.guess));
                } else {
                    any.insert(short.to_lowercase(), (term.long.clone(), term.guess));
                }
            }
        }
        (exact, any)
    })
}

/// `data/shorthand.toml`, compiled in and checked by the tests: a failure to parse is a build defect.
fn lexicon_file() -> LexiconFile {
    toml::from_str(include_str!("../data/shorthand.toml")).expect("shorthand.toml parses")
}

/// The number of terms in the lexicon and whether each names its source (for the tests).
pub fn lexicon_terms() -> (usize, bool) {
    let file = lexicon_file();
    (file.term.len(), file.term.iter().all(|t| !t.source.trim().is_empty() && !t.short.is_empty()))
}

pub(crate) const SMALL_NUMBERS: [&str; 6] = ["zero", "one", "two", "three", "four", "five"];

/// Words after "xN" that say N is a number of carers ("x2 carers", "x2 staff").
const CARERS: &[&str] = &["carer", "carers", "staff", "assist", "assistance"];
/// Words before "xN carers" that take the number as it is ("w/ x2 carers", "needs x2 staff", "+ x1 assist").
#[rustfmt::skip]
const TAKES_CARERS: &[&str] = &[
    "w/", "with", "by", "of", "from", "and", "or", "+", "&", "plus",
    "needs", "need", "needed", "needing", "requires", "require", "required", "requiring",
];
/// Words after "xN" that say N is how long a course lasts ("TDS x5 days": for five days).
const SPANS: &[&str] = &["day", "days", "week", "weeks", "night", "nights", "month", "months"];
/// Whether `word`, right after "xN" in the same clause, is things it counts ("x2 laps", "x3 sachets"): a plural
/// noun, as far as a word list can tell (a word in "-s" that is not an adverb or a preposition).
fn counted_thing(word: &str) -> bool {
    const NOT_THINGS: &[&str] = &[
        "always",
        "afterwards",
        "upstairs",
        "downstairs",
        "indoors",
        "outdoors",
        "towards",
        "across",
        "perhaps",
        "sometimes",
        "unless",
        "plus",
        "was",
        "has",
        "his",
        "hers",
        "this",
        "its",
        "yes",
    ];
    word.len() >= 3
        && word.ends_with('s')
        && !word.ends_with("ss")
        && word.chars().all(|c| c.is_ascii_lowercase())
        && !NOT_THINGS.contains(&word)
}

/// Words after "Sat" that make it the verb ("Sat out in chair", "sat him up"), not Saturday.
const AFTER_SAT: &[&str] = &[
    "out", "in", "up", "with", "on", "by", "at", "down", "outside", "quietly", "for", "next", "beside", "watching",
    "reading", "talking", "chatting", "upright", "forward", "back", "him", "her", "them",
];
/// Whether "Sat" before `next` is the verb ("Sat out in chair"), not Saturday.
pub(crate) fn sat_as_verb_before(next: &str) -> bool {
    let next = next.trim_end_matches(|c: char| !c.is_alphanumeric() && c != '/').to_lowercase();
    // "w/" and "w/chair" are "with" and "wheelchair" before they are expanded: "Sat w/ her friend".
    AFTER_SAT.contains(&next.as_str()) || next.starts_with("w/")
}

/// Whether `word` is a name's initial, never shorthand: a capital letter after a title (`prev`, in small letters),
/// or the initial of a word of the person's name (`keep`) before anything but a word a side is written before
/// (`next`: a body part, "side"). Not "Found Mr right sitting on floor" for "Mr R" (set AR, read blind, both
/// models), "Mr and very quiet" for "Mr N", or "Left went swimming" for Lily's "L" (set AS, read blind); "L knee
/// sore" for Lily is still the left knee, and "Repositioned L side" Mr L's left side, not "Repositioned Mr side"
/// (set BH, read blind).
pub(crate) fn name_initial(word: &str, prev: Option<&str>, next: Option<&str>, keep: &[&str]) -> bool {
    let letter = word.len() == 1 && word != "I" && word.chars().all(|c| c.is_ascii_uppercase());
    let after_title = prev.is_some_and(is_title);
    let persons = keep.iter().any(|k| k.starts_with(word) && !is_title(k));
    letter && (after_title || (persons && !next.is_some_and(crate::lexicon::takes_side)))
}

/// Words after which "am" is "morning" ("this am", "most of am", "tmrw am"); after a day's name too ("Sat am").
const MORNING_AFTER: &[&str] = &[
    "this",
    "each",
    "every",
    "on",
    "the",
    "in",
    "of",
    "by",
    "until",
    "till",
    "since",
    "from",
    "all",
    "mid",
    "late",
    "early",
    "next",
    "last",
    "and",
    "or",
    "to",
    "yesterday",
    "yday",
    "yest",
    "tomorrow",
    "tmrw",
    "tmw",
    "tomoz",
    "tmoro",
];

/// Words after which "L" or "R" is a side ("rail on R", "turned to L").
const SIDE_AFTER: &[&str] = &["on", "to", "the", "from"];

/// Words "xN" never counts ("his x3", "still x2"): it stays as written after them. Adverbs too: "Still x2 for
/// shower" (two carers, still) was drafted "Two still for shower" (meeting set, read blind).
const COUNTS_NOTHING: &[&str] = &[
    "his", "her", "their", "my", "the", "a", "an", "and", "of", "to", "in", "on", "at", "for", "by", "it", "them",
    "still", "now", "again", "also", "only", "just", "then", "already",
];

/// Words after which a thing is where something was done or what was had ("from beaker", "in cup", "sips of
/// juice", "no answer at door", "sit to stand"): "xN" after it counts times.
const THING_AFTER: &[&str] = &["from", "in", "into", "on", "onto", "off", "out", "by", "of", "at", "to"];

/// Parts of the day, which say when, not how often, unless right before "xN" ("refused this AM x2").
const PARTS_OF_DAY: &[&str] =
    &["am", "pm", "morning", "afternoon", "evening", "night", "overnight", "today", "tonight"];

/// Whether the words before "xN" end with a place gone round ("round garden", "around the block"): "xN" counts the
/// rounds (set AD, read blind: "walked with him round the garden with two carers" for "round garden x2").
fn went_round(before: &[&str]) -> bool {
    let lower: Vec<String> = before.iter().rev().take(3).map(|t| t.to_lowercase()).collect();
    let round = |w: &str| w == "round" || w == "around";
    match lower.as_slice() {
        [_, w, ..] if round(w) => true,
        [_, article, w, ..] => matches!(article.as_str(), "the" | "a") && round(w),
        _ => false,
    }
}

/// Whether the words after "xN" name who helped ("w/ staff", "with 1 carer"), so that "xN" cannot count carers.
fn helper_after(after: &[&str]) -> bool {
    let lower: Vec<String> = after.iter().take(3).map(|t| t.trim_end_matches([',', '.', ';']).to_lowercase()).collect();
    let helper = |w: &str| CARERS.contains(&w) || matches!(w, "carer" | "support" | "help" | "him" | "her");
    match lower.as_slice() {
        [with, w, ..] if with == "w/" || with == "with" => {
            helper(w) || (w.parse::<u32>().is_ok() && lower.get(2).is_some_and(|c| helper(c)))
        }
        [w, ..] => w.strip_prefix("w/").is_some_and(helper),
        _ => false,
    }
}

/// Whether `word` is a past form that "xN" after it counts the times of ("used x1", "rested x1"): a word ending in
/// "ed" after a stem of two letters or more (not "bed", "fed"), or a common irregular past.
fn acted(word: &str) -> bool {
    word.strip_suffix("ed").is_some_and(|stem| stem.chars().count() >= 2)
        || [
            "made", "had", "took", "ate", "drank", "gave", "went", "got", "put", "sat", "came", "brought", "ran",
            "won", "lost", "stood", "slept", "felt", "kept", "saw", "said", "told", "spoke", "did",
        ]
        .contains(&word)
}

/// Events before "xN" that say N is a number of times ("BO x1", "Bowels open x1", "coughed x2", "declined x2",
/// "stairs up + down x1", "needed prompts to use toilet x2": one carer prompts), and parts of the day ("refused
/// this AM x2": twice this morning).
const TIMES: &[&str] = &[
    "bo",
    "bo'd",
    "bod",
    "pu'd",
    "pud",
    "pu",
    "changed",
    "coughed",
    "smoked",
    "vomited",
    "turned",
    "turns",
    "checked",
    "opened",
    "open",
    "sick",
    "rang",
    "called",
    "seen",
    "woke",
    "refused",
    "declined",
    "offered",
    "prompted",
    "prompt",
    "prompts",
    "reminded",
    "reminders",
    "encouraged",
    "asked",
    "tried",
    "fell",
    "down",
    "stairs",
    "care",
    "am",
    "pm",
    "morning",
    "afternoon",
    "evening",
    "night",
    "overnight",
    "today",
    "tonight",
];
/// Events of [`TIMES`] that two carers also do together: "pad + sheets changed x2" at 04:30 was two carers, not
/// twice (set V, read blind), so "xN" right after one is read as times but shown to the reviewer; "repositioned
/// x2" was twice (set AF, read blind: "Repositioned with two carers", not shown), as "turned x2" reads, though
/// elsewhere in its clause ("Repositioned 2 hrly x2") "repositioned" is a care task, whose "xN" counts carers.
const DOUBLE_UP: &[&str] = &["changed", "turned", "turns", "repositioned"];

/// Places a person is helped to or from: "xN" after one counts carers, never the place ("to commode x1" is not "to
/// one commode", set V), and is shown to the reviewer (it may count times).
const PLACES: &[&str] = &["commode", "toilet", "chair", "bed", "wheelchair", "shower", "bath", "car", "lounge"];

/// Units the lexicon writes in the plural ("mins": "minutes").
const UNITS: &[&str] = &["seconds", "minutes", "hours", "days", "weeks", "months", "years"];
/// Words before a unit that make it singular ("1 min", "every hr").
const ONE: &[&str] = &["1", "one", "a", "an", "every", "each", "per"];

/// Short units a number is often written against ("2hrs", "30mins", "1hr"), and the words for them.
const GLUED_UNITS: &[(&str, &str, &str)] = &[
    ("hr", "hour", "hours"),
    ("hrs", "hour", "hours"),
    ("min", "minute", "minutes"),
    ("mins", "minute", "minutes"),
    ("wk", "week", "weeks"),
    ("wks", "week", "weeks"),
];

/// A number written against a short unit ("2hrs", "1.5hrs", "30mins"), as the number and the unit's word: "2
/// hours", "1 hour" (usage).
fn glued_unit(lower: &str) -> Option<(&str, &'static str)> {
    let split = lower.find(|c: char| !c.is_ascii_digit() && c != '.')?;
    let (number, unit) = lower.split_at(split);
    let number = number.trim_end_matches('.');
    if number.is_empty() || !number.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let &(_, one, many) = GLUED_UNITS.iter().find(|(short, ..)| *short == unit)?;
    Some((number, if number == "1" { one } else { many }))
}

/// A single letter of a set of observations before its reading (RCP): "P 78" the pulse, "T 36.4" the
/// temperature, "R 18" the respiratory rate; each only before a number in its range, so "R" before a word or a
/// time stays a side.
fn observation(word: &str, next: Option<&str>) -> Option<&'static str> {
    let value: f64 = next?.trim_end_matches([',', '.', ';']).parse().ok()?;
    let whole = next?.chars().all(|c| c.is_ascii_digit());
    match word {
        "P" if whole && (30.0..=200.0).contains(&value) => Some("pulse"),
        "T" if (34.0..=42.5).contains(&value) => Some("temperature"),
        "R" if whole && (6.0..=60.0).contains(&value) => Some("respiratory rate"),
        _ => None,
    }
}

/// Walking aids a person uses on their own: "xN" right after one counts times ("walked to the door and back w/ stick
/// x2" is twice, not with two carers; set AC, read blind), shown to the reviewer.
const WALKING_AIDS: &[&str] = &["stick", "sticks", "cane", "crutch", "crutches"];

/// Walking frames: "walked w/ frame x2" may be two walks or two carers beside the frame, so up to two, "xN" right
/// after one stays as written (set BY, read blind: "walked kitchen to lounge with frame with two carers" for two
/// walks), shown to the reviewer.
const WALKING_FRAMES: &[&str] = &["frame", "zimmer", "rollator", "walker"];

/// Words before "xN" that say N is a number of carers helping ("w/ help x1": help from one carer).
const HELP: &[&str] = &["help", "assistance"];

/// The person's answers to an offer: before a care task and "xN" they say N counts the times ("refused wash x2",
/// accepted later; set AP, read blind: "refused wash with two carers").
const REFUSALS: &[&str] = &["refused", "declined", "offered"];

/// Care tasks before "xN" that say N is a number of carers ("strip wash x1", "hoisted x2"), as UK home-care
/// rotas write double-up calls.
const CARE_TASKS: &[&str] = &[
    "wash",
    "washed",
    "hoist",
    "hoisted",
    "transfer",
    "transferred",
    "walked",
    "assisted",
    "assist",
    "supported",
    "support",
    "call",
    "up",
    "showered",
    "shower",
    "bathed",
    "bath",
    "repositioned",
    "dressed",
    "mobilised",
    "change",
    "changes",
];

/// `text` with its shorthand expanded: lexicon terms, and these patterns (sources as in `data/shorthand.toml`):
/// "xN" as N carers after a care task or before "carers"/"staff", N times after an event ("BO x1"), "for N" before
/// "days" or "weeks", else N (SfC); "Sat" before "out", "in", "with"... as the verb, not Saturday; "? LRTI" and
/// "URTI/? LRTI" as "possible LRTI" and "URTI or possible LRTI" (RCP, as "?UTI"); "half 8" as "half past 8"
/// (usage); "2hrly" as "every 2 hours" (usage); "?UTI" as "possible UTI" (RCP: a question mark before a condition
/// marks it as suspected); "am" on its own as "morning" ("PM" stays: afternoon or evening); "L"/"R" before a word,
/// after a time or after "on", "to", "the", "from", as "left"/"right" (RCP); "w/food" as "with food". A capital
/// letter after a title ("Mr R") is a name's initial, never shorthand.
pub fn expand(text: &str) -> String {
    expand_keeping(text, &[]).0
}

/// A reading of the notes' shorthand that is Tend's guess: "x3" as "three times" or as three things, "Sat" as
/// Saturday, "Eve" as evening. The reviewer is shown each one the draft uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Guess {
    /// The shorthand as written ("x3").
    pub written: String,
    /// How Tend read it ("three times"); `None` where Tend left it as written ("toast x3").
    pub reading: Option<String>,
    /// For "xN", the number it counts: a draft that writes it any other way ("with three carers", "three
    /// toast") also rests on a reading of it.
    pub count: Option<usize>,
    /// Byte offset in the notes of the token read ("x3").
    pub at: usize,
}

/// [`expand`], leaving the words in `keep` (a person's name) as written, with the readings in it that are
/// guesses, in order.
pub fn expand_keeping(text: &str, keep: &[&str]) -> (String, Vec<Guess>) {
    let mut guesses = Vec::new();
    let (exact, any) = lexicon();
    let tokens: Vec<&str> = text.split_whitespace().collect();
    let mut out: Vec<String> = Vec::with_capacity(tokens.len());
    let core = |token: &str| -> (usize, usize) {
        // The token without the punctuation around it: `(`, quotes before; `,.;:)!?` and quotes after.
        let lead = token.len() - token.trim_start_matches(['(', '\'', '"', '‘', '“']).len();
        let rest = &token[lead..];
        let trimmed = rest.trim_end_matches([',', '.', ';', ':', ')', '!', '?', '\'', '"', '’', '”']);
        // Keep a dot that belongs to the word ("approx.") when the lexicon knows it.
        let end = if any.contains_key(&format!("{}.", trimmed.to_lowercase())) && rest.len() > trimmed.len() {
            lead + trimmed.len() + 1
        } else {
            lead + trimmed.len()
        };
        (lead, end)
    };
    for (k, token) in tokens.iter().enumerate() {
        // Each token is a slice of `text`, so the distance between their starts is its offset.
        let at = token.as_ptr() as usize - text.as_ptr() as usize;
        let (a, b) = core(token);
        let word = &token[a..b];
        let lower = word.to_lowercase();
        let prev = k.checked_sub(1).map(|p| {
            let (pa, pb) = core(tokens[p]);
            tokens[p][pa..pb].to_lowercase()
        });
        let next = tokens.get(k + 1).map(|n| {
            let (na, nb) = core(n);
            n[na..nb].to_owned()
        });
        let sat_as_verb = lower == "sat" && next.as_deref().is_some_and(sat_as_verb_before);
        let initial = name_initial(word, prev.as_deref(), next.as_deref(), keep);
        let mut guessed = false;
        let mut count = None;
        let replacement = if sat_as_verb || initial || keep.iter().any(|k| k.eq_ignore_ascii_case(word)) {
            None
        } else if *token == "?" && next.is_some() {
            // "? LRTI", like "?LRTI": suspected.
            out.push("possible".to_owned());
            continue;
        } else if let Some(head) = token.strip_suffix("/?").filter(|h| !h.is_empty() && next.is_some()) {
            // "viral URTI/? LRTI": one or the other, the second suspected.
            out.push(format!("{head} or possible"));
            continue;
        } else if word == "PRN"
            && a == 0
            && prev.as_deref().is_none_or(|p| {
                !p.starts_with(|c: char| c.is_ascii_digit()) && !crate::lexicon::medicines().contains_key(p)
            })
            && (b < token.len() || next.as_deref().is_none_or(|n| n.ends_with("ed") || ["given", "taken"].contains(&n)))
        {
            // "PRN offered", "no PRN needed": the medicine itself, where no medicine or dose is named beside it
            // ("Oramorph 2.5ml PRN given", "paracetamol (PRN)" keep the short form). Set AG, read blind: "no
            // as-needed (PRN) needed".
            Some("as-needed medicine (PRN)".to_owned())
        } else if word == "V"
            && k.checked_sub(1).is_none_or(|p| tokens[p].ends_with(['.', ',', ';', ':']))
            && next.as_deref().is_some_and(|n| n.starts_with(|c: char| c.is_lowercase()))
        {
            // "V happy." at a clause's start is "very" in capitals (set AG, read blind: "V was happy", as if V
            // were someone); a person called V is kept above. A guess, shown.
            guessed = true;
            Some("Very".to_owned())
        } else if let Some((long, guess)) = exact.get(word).or_else(|| any.get(&lower)) {
            guessed = *guess;
            // Without the word the notes write next: "MAR chart" stays "MAR chart", never "MAR chart chart".
            let next_word = next.as_deref().map(str::to_lowercase).unwrap_or_default();
            let long = match long.rsplit_once(' ') {
                Some((head, last)) if !next_word.is_empty() && last.eq_ignore_ascii_case(&next_word) => head.to_owned(),
                _ => long.clone(),
            };
            // After "no" a state is a noun: "no SOB" is "no shortness of breath", never "no short of breath" (set
            // BE, read blind).
            Some(match long.strip_prefix("short of breath") {
                Some(rest) if prev.as_deref() == Some("no") => format!("shortness of breath{rest}"),
                _ => long,
            })
        } else if let Some(amount) = word.strip_prefix('~').filter(|r| r.starts_with(|c: char| c.is_ascii_digit())) {
            // "~4pm": about 4pm, never "at 4pm".
            Some(format!("about {amount}"))
        } else if let Some(n) = lower.strip_prefix('x').and_then(|d| d.parse::<usize>().ok()).filter(|n| *n <= 5) {
            let number = SMALL_NUMBERS[n];
            let next_lower = next.as_deref().map(str::to_lowercase).unwrap_or_default();
            let prev = prev.as_deref().unwrap_or("");
            let carers = format!("{number} carer{}", if n == 1 { "" } else { "s" });
            // The words of the clause before "xN": "rang his mobile x3" counts calls, not mobiles.
            let clause: Vec<String> = tokens[..k]
                .iter()
                .rev()
                .take_while(|t| !t.ends_with([',', '.', ';', ':']) && **t != "-")
                .map(|t| t.trim_matches(|c: char| !c.is_alphanumeric()).to_lowercase())
                .collect();
            let in_clause = |list: &[&str]| {
                clause.iter().any(|t| list.contains(&t.as_str()) && !PARTS_OF_DAY.contains(&t.as_str()))
            };
            let times = match n {
                1 => "once".to_owned(),
                2 => "twice".to_owned(),
                _ => format!("{number} times"),
            };
            // Readings the words around "xN" settle: "x2 staff", "x5 days", "w/ x2", "BO x1", "hoisted x2".
            // Every other is a guess, shown to the reviewer.
            guessed = true;
            count = Some(n);
            Some(if CARERS.contains(&next_lower.as_str()) {
                // "x2 carers" says who helped with what the clause says was done ("Pad changed x2 carers", "Bed call
                // 9pm x2 carers"): "with two carers", or "and two" where the clause already has a "with" ("w/
                // slide sheet x2 carers"; `clause` holds "w/" as "w"); the bare number at a clause's start and after
                // a word that takes it ("needs x2 staff"). Set BQ, read blind: "Pad changed two carers".
                guessed = false;
                if clause.is_empty() || TAKES_CARERS.contains(&prev) {
                    number.to_owned()
                } else if clause.iter().any(|t| t == "w" || t == "with") {
                    format!("and {number}")
                } else {
                    format!("with {number}")
                }
            } else if SPANS.contains(&next_lower.as_str()) {
                guessed = false;
                format!("for {number}")
            } else if counted_thing(&next_lower) && b == token.len() {
                // "walked w/ him x2 laps", "x2 sachets": the number of the things it comes before.
                guessed = false;
                number.to_owned()
            } else if prev == "w/" || prev == "with" {
                guessed = false;
                carers
            } else if TIMES.contains(&prev) || DOUBLE_UP.contains(&prev) {
                guessed = DOUBLE_UP.contains(&prev);
                times
            } else if HELP.contains(&prev) && n <= 2 && !clause.iter().any(|t| t == "w/o" || t == "without") {
                // "w/ help x1": help from one carer; never "stood w/o help x5" (five times, without help).
                guessed = false;
                format!("from {carers}")
            } else if CARE_TASKS.contains(&prev) && n <= 2 && !in_clause(REFUSALS) {
                // "hoisted x2" says it; "up x2" may count carers or times ("up x4 to toilet"), and so may "bed
                // change x2" (not "bed two change", set AB read blind).
                guessed = matches!(prev, "up" | "change" | "changes");
                format!("with {carers}")
            } else if WALKING_AIDS.contains(&prev)
                || went_round(&tokens[..k])
                || acted(prev)
                || in_clause(TIMES)
                || (n > 2 && in_clause(CARE_TASKS))
            {
                // "commode used x1", "rested x1", "rang his mobile x3", "w/ stick x2" (a walking aid is the
                // person's own), "walked round garden x2" (rounds of it): times; and a care task is done by one
                // carer or two ("double-up"), so "walked w/ frame x4" counts walks.
                times
            } else if PLACES.contains(&prev) && helper_after(&tokens[k + 1..]) {
                // "toilet x2 w/ staff": who helped is written after it, so it counts the times (set AE, read
                // blind: "Toilet with two carers with staff").
                times
            } else if (in_clause(CARE_TASKS) && !WALKING_FRAMES.contains(&prev)) || (PLACES.contains(&prev) && n <= 2) {
                // "hoisted bed to chair x2", "then to commode x1": carers.
                format!("with {carers}")
            } else if k.checked_sub(2).is_some_and(|p| {
                let (pa, pb) = core(tokens[p]);
                THING_AFTER.contains(&tokens[p][pa..pb].to_lowercase().as_str())
            }) {
                // "sips of water from beaker x3": not three beakers; the times it was done (shown).
                times
            } else if clause.iter().any(|t| acted(t))
                || COUNTS_NOTHING.contains(&prev)
                || WALKING_FRAMES.contains(&prev)
            {
                // "made own breakfast (toast x3)", "his x3": unsure what it counts, so left as written; a draft
                // that writes the number ("three (toast)") has read it, and is shown.
                guesses.push(Guess { written: word.to_owned(), reading: None, count, at });
                out.push((*token).to_owned());
                continue;
            } else if let Some(thing) = out.pop() {
                // A list ("tea + biscuit x2", "fortisip x1 given"): the number goes before the thing it counts,
                // inside the brackets or quotation the thing opens.
                let lead = thing.len() - thing.trim_start_matches(['(', '\'', '"', '‘', '“']).len();
                guesses.push(Guess {
                    written: format!("{} {word}", tokens[k - 1]),
                    reading: Some(format!("{number} {}", &thing[lead..])),
                    count,
                    at,
                });
                out.push(format!("{}{number} {}{}", &thing[..lead], &thing[lead..], &token[b..]));
                continue;
            } else {
                number.to_owned()
            })
        } else if let Some(hours) = lower.strip_suffix("hrly").filter(|h| !h.is_empty() && h.parse::<u32>().is_ok()) {
            Some(format!("every {hours} hours"))
        } else if let Some((number, unit)) = glued_unit(&lower) {
            Some(format!("{number} {unit}"))
        } else if lower == "arr" || lower == "arr." {
            // "on arr" is on arrival; "ambulance arr 8.30" arrived.
            Some(if prev.as_deref() == Some("on") { "arrival" } else { "arrived" }.to_owned())
        } else if let Some(reading) = observation(word, next.as_deref()) {
            Some(reading.to_owned())
        } else if lower == "half"
            && next.as_deref().is_some_and(|n| n.parse::<u32>().is_ok_and(|h| (1..=12).contains(&h)))
        {
            Some("half past".to_owned())
        } else if let Some(condition) =
            word.strip_prefix('?').filter(|c| c.len() >= 2 && c.chars().all(|ch| ch.is_ascii_alphanumeric()))
        {
            Some(format!("possible {condition}"))
        } else if lower == "am"
            && !prev.as_deref().is_some_and(|p| p == "i" || p.chars().last().is_some_and(|c| c.is_ascii_digit()))
        {
            // "PM" stays as written: afternoon or evening ("PM meds 21:00" are evening medicines). At a clause's
            // end after a word that says no day, "in the morning": "dominoes w/ friends am" is never "dominoes with
            // friends morning" (set BI, read blind, both models).
            let ends_clause = next.is_none() || token[b..].starts_with([',', '.', ';']);
            let says_when = prev.as_deref().is_none_or(|p| {
                MORNING_AFTER.contains(&p) || crate::facts::names_a_day(p) || crate::facts::names_a_weekday(p)
            });
            Some(if ends_clause && !says_when { "in the morning" } else { "morning" }.to_owned())
        } else if (word == "L" || word == "R")
            && (next.as_deref().is_some_and(|n| n.chars().next().is_some_and(char::is_lowercase))
                || prev.as_deref().is_some_and(|p| p.chars().any(|c| c.is_ascii_digit()) || SIDE_AFTER.contains(&p)))
        {
            Some(if word == "L" { "left" } else { "right" }.to_owned())
        } else {
            lower
                .strip_prefix("w/")
                .filter(|r| r.len() > 1 && r.chars().all(char::is_alphabetic))
                // "w/" is two bytes in any case, so the rest of the word as written starts after them.
                .map(|_| format!("with {}", &word[2..]))
        };
        // One of a unit: "1 min" is "1 minute", "obs every hr" "every hour" (not "every hours").
        let one = prev.as_deref().is_some_and(|p| ONE.contains(&p));
        let replacement = replacement.map(|long| match long.strip_suffix('s') {
            Some(unit) if one && UNITS.contains(&long.as_str()) => unit.to_owned(),
            _ => long,
        });
        match replacement {
            Some(long) => {
                if guessed {
                    guesses.push(Guess { written: word.to_owned(), reading: Some(long.clone()), count, at });
                }
                // "re:" is "about", never "about:" (set BX, read blind: "Reminded about: Podiatrist").
                let after = if lower == "re" { token[b..].trim_start_matches(':') } else { &token[b..] };
                out.push(format!("{}{long}{after}", &token[..a]));
            }
            None => out.push((*token).to_owned()),
        }
    }
    (out.join(" "), guesses)
}
