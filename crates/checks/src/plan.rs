//! An activity plan's frame, by rule. A plan is made, not rewritten, and in one pass the models made its facts up:
//! college on the days it is not, a wife helping on the weekdays she works, "use his right arm" for a weak one
//! (Qwen 1.5B, read blind). So what a plan states as fact is Tend's, read from the notes: which days are taken and
//! by what, who is there on which day, and what to keep in mind, in the notes' own words. The model suggests only
//! how to do each activity the notes name, a sentence at a time, and [`idea_problems`] refuses a suggestion that
//! names a day, a person, a relative, a place, a side or a body part, or that does not build on its activity.
//!
//! A statement (a sentence of the notes) is one of four [`Part`]s: an interest ("Loves cricket and gardening"),
//! something done on set days ("Goes to college Tues and Thurs"), someone who is there on set days ("Son visits
//! at weekends"), or a note to keep in mind (everything else: "Right arm weak", "Wife works weekdays").

use crate::FactKind;
use crate::facts::extract_facts;
use crate::grounding::{FAMILY, shared_words};

/// The days of a plan's week, from Monday.
pub const DAYS: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

/// What one statement of the notes is to a plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// Something the person enjoys or wants to do, with the activities it names ("Enjoys swimming, baking and pop
    /// music": "swimming", "baking", "pop music").
    Interest(Vec<String>),
    /// Something the person does on set days: the statement without its days ("Goes to college"), and the days.
    Fixed {
        /// What is done.
        what: String,
        /// On which days (Monday first).
        days: [bool; 7],
    },
    /// A relative or friend who is with the person on set days ("Son visits at weekends").
    Company([bool; 7]),
    /// A need, ability, preference or fact to keep in mind.
    Note,
}

/// Verbs that open an interest, longest first ("likes to" before "likes").
const INTEREST: &[&str] = &[
    "would like to",
    "is interested in",
    "interested in",
    "is keen on",
    "keen on",
    "is fond of",
    "fond of",
    "used to love",
    "used to",
    "loves to",
    "likes to",
    "enjoys going to",
    "wants to",
    "is into",
    "into",
    "loves",
    "loved",
    "love",
    "likes",
    "liked",
    "like",
    "enjoys",
    "enjoyed",
    "enjoy",
];

/// Words that may stand before an interest's verb ("She really loves", "Still enjoys").
const BEFORE_INTEREST: &[&str] = &["he", "she", "they", "really", "also", "still", "always", "has always", "very much"];

/// Words that make a statement not an interest ("does not like", "no longer enjoys").
const NOT: &[&str] = &["not", "no", "never", "longer", "dislikes", "hates", "doesn't", "don't", "won't", "can't"];

/// Besides a person's family ([`FAMILY`]), who may be named as company on a day.
const COMPANY: &[&str] = &["family", "friend", "friends", "neighbour", "grandchildren", "grandchild"];

/// Whether `word` (in small letters) is a relative or friend: who may be named as company on a day, and who a
/// suggestion may not name.
fn relative(word: &str) -> bool {
    FAMILY.contains(&word) || COMPANY.contains(&word)
}

/// Verbs that say someone is with the person ("visits", "comes", "takes her out").
const PRESENCE: &[&str] = &["visits", "visit", "comes", "come", "takes", "take", "stays", "stay", "calls in"];

/// Words that make a part of a list a clause of its own, not an activity: "warn him before changes".
const SAYS_MORE: &[&str] = &["him", "her", "them", "he", "she", "they", "is", "was", "needs", "but", "will", "can"];

/// What a person may like that is a way of living, not an activity: a note to keep in mind.
const NOT_ACTIVITIES: &[&str] =
    &["routine", "a routine", "quiet", "peace", "peace and quiet", "privacy", "independence", "own space", "company"];

/// People by their role: who is there comes from the notes.
const ROLES: &[&str] = &["doctor", "gp", "nurse", "therapist", "physio", "teacher", "volunteer", "stranger"];

/// Places a suggestion may not send the person to unless the activity names them.
const PLACES: &[&str] = &[
    "beach",
    "park",
    "shop",
    "cafe",
    "café",
    "pub",
    "library",
    "museum",
    "cinema",
    "church",
    "temple",
    "mosque",
    "pool",
    "lake",
    "river",
    "sea",
    "seaside",
    "zoo",
    "club",
    "market",
    "theatre",
    "gym",
    "centre",
    "restaurant",
    "garden",
    "allotment",
    "farm",
    "town",
    "city",
    "school",
    "college",
    "pond",
    "woods",
    "forest",
    "hall",
    "station",
    "stadium",
    "pitch",
];

/// Reads one statement of the notes (shorthand expanded) into its [`Part`]. `person` is the person's name, whose
/// words may open it ("Dave loves fishing").
pub fn read(statement: &str, person: Option<&str>) -> Part {
    let lower = statement.trim().trim_end_matches(['.', '!']).to_lowercase();
    let words: Vec<&str> = lower.split(|c: char| c.is_whitespace() || c == ',').filter(|w| !w.is_empty()).collect();
    let negated = words.iter().any(|w| NOT.contains(w) || w.ends_with("n't"));
    let names: Vec<String> = person.unwrap_or("").split_whitespace().map(str::to_lowercase).collect();
    let (days, day_words) = days_in(statement);
    if days.iter().any(|&d| d) {
        // Who the statement is about: a relative ("Her son visits"), or someone named who comes ("Zoe visits").
        let mut rest = statement
            .split_whitespace()
            .skip_while(|w| ["his", "her", "their", "a", "the"].contains(&w.to_lowercase().as_str()));
        let first = rest.next().unwrap_or("").trim_end_matches(|c: char| !c.is_alphanumeric());
        let then = rest.next().unwrap_or("").to_lowercase();
        let kin = relative(first.to_lowercase().trim_end_matches("'s"));
        let named = first.starts_with(char::is_uppercase)
            && !names.contains(&first.to_lowercase())
            && PRESENCE.contains(&then.as_str());
        let present = PRESENCE.iter().any(|p| contains_words(&lower, p));
        return match (kin || named, present) {
            (true, true) => Part::Company(days),
            (true, false) => Part::Note,
            _ if negated => Part::Note,
            _ => Part::Fixed { what: without(statement, &day_words), days },
        };
    }
    if negated {
        return Part::Note;
    }
    let mut rest = lower.as_str();
    loop {
        let before = rest;
        for w in names.iter().map(String::as_str).chain(BEFORE_INTEREST.iter().copied()) {
            if let Some(r) = rest.strip_prefix(w).filter(|r| r.starts_with(' ')) {
                rest = r.trim_start();
            }
        }
        if rest == before {
            break;
        }
    }
    let Some(verb) = INTEREST.iter().find(|v| rest.strip_prefix(**v).is_some_and(|r| r.starts_with(' '))) else {
        return Part::Note;
    };
    // The activities in the statement's own letters: "Urdu radio", not "urdu radio".
    let offset = statement.trim().len() - statement.trim().trim_start().len() + (lower.len() - rest.len()) + verb.len();
    let said = statement.trim().get(offset..).unwrap_or("").trim().trim_end_matches(['.', '!']);
    // The list ends where a part says something of its own ("Likes routine, warn him before changes").
    let activities: Vec<String> = said
        .split(", ")
        .take_while(|part| !part.split_whitespace().any(|w| SAYS_MORE.contains(&w.to_lowercase().as_str())))
        .flat_map(|part| part.split(" and "))
        .flat_map(|part| part.split(" or "))
        .flat_map(|part| part.split(" & "))
        .map(|a| {
            let a = a.trim().trim_matches(',').trim();
            a.strip_prefix("and ").or_else(|| a.strip_prefix("or ")).unwrap_or(a).trim().to_owned()
        })
        .filter(|a| !a.is_empty() && !NOT_ACTIVITIES.contains(&a.to_lowercase().as_str()))
        .collect();
    if activities.is_empty() { Part::Note } else { Part::Interest(activities) }
}

/// Whether `text` (in small letters) holds `phrase` as whole words.
fn contains_words(text: &str, phrase: &str) -> bool {
    let words: Vec<&str> = text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    let want: Vec<&str> = phrase.split(' ').collect();
    words.windows(want.len()).any(|w| w == want.as_slice())
}

/// The day a word names (Monday is 0; a plural's "s" is dropped: "Tues", "Sundays"), with the set days of
/// "weekends", "weekdays" and "daily". Three-letter "Sat" and "Sun" count only with their capital ("sat in the
/// sun" names no day).
fn day_of(word: &str) -> Option<Vec<usize>> {
    let lower = word.to_lowercase();
    let bare = lower.trim_end_matches('s');
    let capital = word.starts_with(char::is_uppercase);
    let one = match bare {
        "mon" | "monday" => 0,
        "tue" | "tuesday" => 1,
        "wed" | "wednesday" => 2,
        "thu" | "thur" | "thursday" => 3,
        "fri" | "friday" => 4,
        "sat" if capital => 5,
        "saturday" => 5,
        "sun" if capital => 6,
        "sunday" => 6,
        "weekend" => return Some(vec![5, 6]),
        "weekday" => return Some((0..5).collect()),
        "daily" => return Some((0..7).collect()),
        _ => return None,
    };
    Some(vec![one])
}

/// Words that join days ("Tues and Thurs", "on Mondays", "Mon to Fri", "at weekends", "every day").
const DAY_JOINERS: &[&str] = &["and", "&", "on", "at", "every", "each", "to", "-", "the"];

/// Whether `word` joins days or is one ("and" in "Sat and Sun").
fn joins_days(word: &str) -> bool {
    let bare = word.trim_matches(|c: char| !c.is_alphanumeric() && c != '&');
    DAY_JOINERS.contains(&bare.to_lowercase().as_str()) || day_of(bare).is_some() || word.ends_with(':')
}

/// The days `text` names, and the byte ranges of its words that say them (with the words that join them).
fn days_in(text: &str) -> ([bool; 7], Vec<(usize, usize)>) {
    let mut days = [false; 7];
    let mut spans: Vec<(usize, usize)> = Vec::new();
    let words: Vec<(usize, &str)> =
        text.split_whitespace().map(|w| (w.as_ptr() as usize - text.as_ptr() as usize, w)).collect();
    let mut range_from: Option<usize> = None;
    for (k, &(at, word)) in words.iter().enumerate() {
        let bare = word.trim_matches(|c: char| !c.is_alphanumeric() && c != '-' && c != '&');
        let lower = bare.to_lowercase();
        // "every day", "mon-fri", "Monday to Friday".
        let found = if lower == "day" && k > 0 && ["every", "each"].contains(&words[k - 1].1.to_lowercase().as_str()) {
            Some((0..7).collect())
        } else if let Some((a, b)) = bare.split_once('-') {
            match (day_of(a), day_of(b)) {
                (Some(a), Some(b)) => Some((a[0]..=b[b.len() - 1]).collect()),
                _ => None,
            }
        } else if bare.contains('/') {
            // "Mon/Wed/Fri": a day for each part, or none.
            let each: Option<Vec<Vec<usize>>> = bare.split('/').map(day_of).collect();
            each.map(|e| e.concat())
        } else if bare.len() == 3 && k == 0 && !words.get(1).is_some_and(|(_, w)| joins_days(w)) {
            // "Sat in the garden", "Sun came out": a short form first in a statement is a day only in a list.
            None
        } else {
            day_of(bare)
        };
        match found {
            Some(found) => {
                let (first, last) = (found[0], found[found.len() - 1]);
                if let Some(from) = range_from.take() {
                    (from..=first).for_each(|d| days[d] = true);
                }
                found.iter().for_each(|&d| days[d] = true);
                let to_next = words.get(k + 1).is_some_and(|(_, w)| w.eq_ignore_ascii_case("to"));
                range_from = to_next.then_some(last);
                // The joiners before the day ("on", "at the") go with it.
                let mut start = at;
                for &(j_at, j) in words[..k].iter().rev() {
                    let j = j.trim_matches(',').to_lowercase();
                    if !DAY_JOINERS.contains(&j.as_str()) {
                        break;
                    }
                    start = j_at;
                }
                spans.push((start, at + word.trim_end_matches(['.', ',', ';']).len()));
            }
            None if !DAY_JOINERS.contains(&lower.as_str()) => range_from = None,
            None => {}
        }
    }
    (days, spans)
}

/// `text` without the byte ranges `cut`, its spaces single and its end tidy.
fn without(text: &str, cut: &[(usize, usize)]) -> String {
    let mut out = String::new();
    let mut at = 0;
    for &(start, end) in cut {
        out.push_str(&text[at..start.max(at)]);
        at = end.max(at);
    }
    out.push_str(&text[at..]);
    out.split_whitespace().collect::<Vec<_>>().join(" ").trim_end_matches([',', '.', ';', '-']).trim().to_owned()
}

/// Whether `idea` says a word of `activity`: the same word or one of its family by their first letters ("poem"
/// for "poetry", "swim" for "swimming", "bake" for "baking").
fn builds_on(idea: &str, activity: &str) -> bool {
    let words = |t: &str| -> Vec<String> {
        t.to_lowercase()
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| w.len() >= 4 && !["more", "with", "from", "into", "some"].contains(w))
            .map(str::to_owned)
            .collect()
    };
    let said = words(idea);
    let kin = |a: &str, b: &str| a.starts_with(b) || b.starts_with(a) || a.chars().take(3).eq(b.chars().take(3));
    words(activity).iter().any(|a| said.iter().any(|s| kin(a, s))) || shared_words(activity, idea).0 > 0
}

/// What a day of the plan holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    /// The set activity of statement `k` ([`Part::Fixed`]).
    Fixed(usize),
    /// Activity `a` of the interest in statement `k`.
    Interest(usize, usize),
    /// Nothing the notes name: the person chooses.
    Open,
}

/// One day of the plan's week.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Day {
    /// The day's name.
    pub name: &'static str,
    /// What it holds.
    pub slot: Slot,
    /// The statements of the people who are there that day ([`Part::Company`]).
    pub company: Vec<usize>,
}

/// Lays out the week for statements read into `parts`: each set activity on its days, the interests' activities
/// in turn on the other days, and on each day whoever the notes say is there. Returns the week and the activities
/// no day holds (more activities than free days), as (statement, activity).
pub fn week(parts: &[Part]) -> (Vec<Day>, Vec<(usize, usize)>) {
    let activities: Vec<(usize, usize)> = parts
        .iter()
        .enumerate()
        .flat_map(|(k, p)| match p {
            Part::Interest(a) => (0..a.len()).map(|n| (k, n)).collect(),
            _ => Vec::new(),
        })
        .collect();
    let mut next = 0;
    let days = (0..7)
        .map(|d| {
            let fixed = parts.iter().position(|p| matches!(p, Part::Fixed { days, .. } if days[d]));
            let slot = match fixed {
                Some(k) => Slot::Fixed(k),
                None if activities.is_empty() => Slot::Open,
                None => {
                    let (k, a) = activities[next % activities.len()];
                    next += 1;
                    Slot::Interest(k, a)
                }
            };
            let company = (0..parts.len()).filter(|&k| matches!(parts[k], Part::Company(days) if days[d])).collect();
            Day { name: DAYS[d], slot, company }
        })
        .collect();
    (days, activities.get(next..).unwrap_or_default().to_vec())
}

/// What is wrong with `idea`, the model's suggestion for `activity` in a plan for `person`: it names a day (the
/// plan's days come from the notes), someone other than the person (by name, relation or role: who is there comes
/// from the notes), a place the activity does not name, a side or a body part (what the person can do stands in
/// the notes' own words); it quotes a title, speaks to the person as "you", writes a character of no English word,
/// or tells the activity as done; or it does not build on the activity. Empty when it passes.
pub fn idea_problems(idea: &str, activity: &str, person: Option<&str>) -> Vec<String> {
    let mut out = Vec::new();
    if !builds_on(idea, activity) {
        out.push(format!("does not build on the activity ({activity:?})"));
    }
    for fact in extract_facts(idea) {
        let what = match fact.kind {
            FactKind::Date => "names a day: the plan's days come from the notes",
            // A name in the activity is its own ("Urdu radio"); any other is someone's.
            FactKind::Name
                if !contains_words(
                    &format!("{activity} {}", person.unwrap_or("")).to_lowercase(),
                    &fact.text.to_lowercase(),
                ) =>
            {
                "names someone: who is there comes from the notes"
            }
            FactKind::Detail if fact.key.starts_with("detail:relative") => {
                "names a relative: who is there comes from the notes"
            }
            FactKind::Detail if fact.key.starts_with("detail:side") || fact.key.starts_with("detail:body part") => {
                "names a side or a body part: what the person can do stands in the notes' own words"
            }
            _ => continue,
        };
        out.push(format!("{what} ({:?})", fact.text));
    }
    let lower = idea.to_lowercase();
    let singular = |w: &str| match w.strip_suffix("ies") {
        Some(stem) => format!("{stem}y"),
        None => w.strip_suffix('s').unwrap_or(w).to_owned(),
    };
    let words: Vec<&str> = lower.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    let listed = |list: &[&str], w: &str| list.contains(&w) || list.contains(&singular(w).as_str());
    if let Some(w) = words.iter().find(|w| relative(w) || relative(&singular(w)))
        && !out.iter().any(|r| r.contains("relative"))
    {
        out.push(format!("names a relative: who is there comes from the notes ({w:?})"));
    }
    if let Some(w) = words.iter().find(|w| listed(ROLES, w)) {
        out.push(format!("names someone: who is there comes from the notes ({w:?})"));
    }
    for w in words.iter().filter(|w| listed(PLACES, w)) {
        if !activity.to_lowercase().contains(*w) {
            out.push(format!("names a place the notes do not: where to go is the person's choice ({w:?})"));
        }
    }
    if let Some(c) = idea.chars().find(|&c| c.is_alphabetic() && u32::from(c) >= 0x250) {
        out.push(format!("writes a character that is not in English words ({c:?})"));
    }
    if let Some(w) = lower.split(|c: char| !c.is_alphabetic()).find(|w| ["you", "your", "yourself"].contains(w)) {
        out.push(format!("speaks to the person as \"you\": a plan is written for the person and their carers ({w:?})"));
    }
    if idea.contains(['"', '“', '”']) {
        out.push("quotes a title or words the notes do not".into());
    }
    let first = lower.split_whitespace().next().unwrap_or("");
    if first.len() > 4 && first.ends_with("ed") && first != "speed" {
        out.push(format!("tells it as done, not as a suggestion ({first:?})"));
    }
    out
}
