//! Word lists compiled into the crate (see `data/NOTICE.md`), unpacked once on first use.

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::sync::OnceLock;

const MEDICINES_GZ: &[u8] = include_bytes!("../data/medicines.tsv.gz");
const COMMON_WORDS_GZ: &[u8] = include_bytes!("../data/common-words.txt.gz");
const CARE_WORDS: &str = include_str!("../data/care-words.txt");
const CONTRASTS: &str = include_str!("../data/contrasts.toml");

fn gunzip(bytes: &[u8]) -> String {
    let mut text = String::new();
    // The data is compiled in and checked by the tests: a failure here is a build defect.
    flate2::read::GzDecoder::new(bytes).read_to_string(&mut text).expect("embedded word list is valid gzip");
    text
}

/// Medicine names and variants (lower case, up to three words) mapped to a canonical name.
pub(crate) fn medicines() -> &'static HashMap<String, String> {
    static MAP: OnceLock<HashMap<String, String>> = OnceLock::new();
    MAP.get_or_init(|| {
        gunzip(MEDICINES_GZ)
            .lines()
            .filter_map(|l| l.split_once('\t'))
            .map(|(v, c)| (v.to_owned(), c.to_owned()))
            .collect()
    })
}

/// Lower-case English words, to tell names from ordinary words.
pub(crate) fn common_words() -> &'static HashSet<String> {
    static SET: OnceLock<HashSet<String>> = OnceLock::new();
    SET.get_or_init(|| {
        let care = CARE_WORDS.lines().filter(|l| !l.starts_with('#') && !l.is_empty());
        gunzip(COMMON_WORDS_GZ).lines().chain(care).map(str::to_owned).collect()
    })
}

#[derive(serde::Deserialize)]
struct ContrastFile {
    set: Vec<ContrastSet>,
}

/// Details of one kind that a draft must not swap for one another (`data/contrasts.toml`).
#[derive(serde::Deserialize)]
struct ContrastSet {
    name: String,
    groups: Vec<Vec<String>>,
    #[serde(default)]
    followed_by: Vec<String>,
}

/// Whether `word` (any case, plural understood) is one "left" or "right" is written before ("L knee", "R side",
/// "L hand": `data/contrasts.toml`'s "side" set).
pub(crate) fn takes_side(word: &str) -> bool {
    contrast("left", &word.to_lowercase()).is_some()
}

/// Whether a lower-case `word` (plural understood) names a thing no person is: a meal, a drink, a room, a walking
/// aid or transport (`data/contrasts.toml`).
pub(crate) fn names_a_thing(word: &str) -> bool {
    const THINGS: &[&str] = &["meal", "drink", "room", "walking aid", "transport"];
    contrast(word, "").is_some_and(|(set, _)| THINGS.contains(&set))
}

/// The set of details a lower-case `phrase` belongs to ("room"), and the indices of the set's groups of words that
/// mean the same that hold it; a plural "s" is understood, and `next` (the lower-case word after the phrase) must
/// be one the set allows.
pub(crate) fn contrast(phrase: &str, next: &str) -> Option<(&'static str, Vec<usize>)> {
    type Index = (Vec<ContrastSet>, HashMap<String, Vec<(usize, usize)>>);
    static INDEX: OnceLock<Index> = OnceLock::new();
    let (sets, index) = INDEX.get_or_init(|| {
        // The data file is compiled in and checked by the tests: a failure here is a build defect.
        let sets = toml::from_str::<ContrastFile>(CONTRASTS).expect("contrasts.toml parses").set;
        let mut index: HashMap<String, Vec<(usize, usize)>> = HashMap::new();
        for (s, set) in sets.iter().enumerate() {
            for (g, group) in set.groups.iter().enumerate() {
                for word in group {
                    index.entry(word.clone()).or_default().push((s, g));
                }
            }
        }
        (sets, index)
    });
    let entries = index.get(phrase).or_else(|| index.get(phrase.strip_suffix('s')?))?;
    let set = &sets[entries[0].0];
    let next_singular = next.strip_suffix('s').unwrap_or(next);
    if !set.followed_by.is_empty() && !set.followed_by.iter().any(|f| f == next || f == next_singular) {
        return None;
    }
    let groups = entries.iter().filter(|(s, _)| *s == entries[0].0).map(|&(_, g)| g).collect();
    Some((set.name.as_str(), groups))
}

/// Whether `word` (any case) is an ordinary English word.
pub(crate) fn is_common(word: &str) -> bool {
    common_words().contains(&word.to_lowercase())
}

/// The value of a number word, for the words that are numbers in care notes.
pub(crate) fn number_word(word: &str) -> Option<f64> {
    let value = match word.to_lowercase().as_str() {
        "zero" | "nil" => 0.0,
        "two" => 2.0,
        "three" => 3.0,
        "four" => 4.0,
        "five" => 5.0,
        "six" => 6.0,
        "seven" => 7.0,
        "eight" => 8.0,
        "nine" => 9.0,
        "ten" => 10.0,
        "eleven" => 11.0,
        "twelve" => 12.0,
        "thirteen" => 13.0,
        "fourteen" => 14.0,
        "fifteen" => 15.0,
        "sixteen" => 16.0,
        "seventeen" => 17.0,
        "eighteen" => 18.0,
        "nineteen" => 19.0,
        "twenty" => 20.0,
        "thirty" => 30.0,
        "forty" => 40.0,
        "fifty" => 50.0,
        "sixty" => 60.0,
        "seventy" => 70.0,
        "eighty" => 80.0,
        "ninety" => 90.0,
        "hundred" => 100.0,
        "thousand" => 1000.0,
        "dozen" => 12.0,
        "half" => 0.5,
        "quarter" => 0.25,
        "twice" => 2.0,
        _ => return None,
    };
    Some(value)
}

/// The hour of a clock word or digits from 1 to 12 ("eight", "8").
pub(crate) fn clock_hour(word: &str) -> Option<u32> {
    let lower = word.to_lowercase();
    let value = match lower.as_str() {
        "one" => 1.0,
        "noon" | "midday" | "midnight" => 12.0,
        _ => number_word(&lower).or_else(|| lower.parse::<f64>().ok())?,
    };
    (value.fract() == 0.0 && (1.0..=12.0).contains(&value)).then_some(value as u32)
}
