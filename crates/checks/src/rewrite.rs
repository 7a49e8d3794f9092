//! The light-edit rule: a sentence written from a line of notes may only be that line made grammatical. Every word
//! of the line is said, in its order, as written (an irregular verb may change tense: "said" for "says"; the
//! person's initial may become their name); the words it may add are grammar, each only where English puts it: an
//! article before a noun phrase, "was" before a participle, a preposition or a clause's last word, "of" after an
//! amount, "at" before a clock time, "did" before a second-language writer's "not want", and the line's own
//! pronouns once the line has said who they are. Quotations and brackets are kept word for word; clauses stay
//! apart. Nothing else can be written: not a new subject for an act ("They made tea" for
//! "made tea"), not a new relation ("sat in the lounge with a bright"), not a new word ("application" for
//! "applied"), not one clause's verb spread over another ("blanching and barrier cream were applied").
//!
//! [`Rewrite::permits`] answers token by token while a model writes (a word on its way to an allowed one passes);
//! [`Rewrite::check`] judges a finished sentence. Pure text in, yes or no out.

use crate::facts::{MONTHS, WEEKDAYS, is_code, names_a_day, names_a_weekday};
use crate::grounding::{FAMILY, PREPARED, WORKERS};

/// Grammar a rewrite may add anywhere but inside a quotation or after the line's last word.
/// Never "has", "had", "have" or "been": read blind, each one added made a garble or a claim of who did what ("Priya
/// has been up", "Lights had been off", "Breakfast was had", "I check and have had fridge"). Never "and": in twelve
/// sets read blind, every "and" a draft added joined what the notes kept apart ("eaten sandwich and daughter left"
/// for the sandwich his daughter left, "skin intact and sacrum", "cornflakes and all").
const GRAMMAR: &[&str] = &["the", "a", "an", "was", "were", "is", "are", "of"];

/// Grammar a second-language line lacks, each added only in its one place: "did" before the line's "not" and a
/// verb's plain form ("she not want" is "she did not want", never "she is not want"), "to" between a verb of
/// wanting and a verb that is never a thing ("want use it": "want to use it").
const AUXILIARY: &[&str] = &["did", "to"];

/// Verbs of wanting, in their plain form: a verb of [`TO_VERBS`] after one may take "to".
const WANTING: &[&str] = &["want", "need", "try", "like"];

/// Plain verbs that are never a thing in care notes, so "to" may go before one after a verb of wanting ("want get
/// up"). Not "help", "wash", "drink" or the like: "Declined help with wash" is never "Declined to help with the
/// wash", nor "wanted drink" "wanted to drink".
const TO_VERBS: &[&str] = &[
    "go", "eat", "get", "take", "come", "sit", "see", "make", "give", "leave", "tell", "have", "do", "say", "stand",
    "wear", "keep", "buy", "speak", "write", "think", "know", "hear", "pay", "send", "meet", "choose", "bring", "find",
    "use", "stay", "listen",
];

/// Forms of "be": never added right before a number ("Amlodipine 5mg was one"), nor before a clause of the line
/// unless a subject comes first ("Blanching was a barrier cream applied").
const BE: &[&str] = &["was", "were", "is", "are"];

/// Added only right before a number or time ("call at 7:30").
const BEFORE_NUMBER: &[&str] = &["at"];

/// Articles: a rewrite may leave the line's out.
const ARTICLES: &[&str] = &["the", "a", "an"];

/// Words no article is put before ("The no obvious injury", "A up with"), besides numbers, names, verbs ("The
/// said", "The ate all") and the words of a quotation or brackets; and "cold", which with one is an illness ("c/o
/// cold" is never "complained of a cold": set BA, read blind).
const NO_ARTICLE_BEFORE: &[&str] = &[
    "cold",
    "fewer",
    "no",
    "not",
    "all",
    "some",
    "any",
    "each",
    "every",
    "both",
    "few",
    "none",
    "nothing",
    "nobody",
    "up",
    "down",
    "out",
    "in",
    "on",
    "off",
    "to",
    "with",
    "from",
    "by",
    "for",
    "at",
    "of",
    "as",
    "and",
    "or",
    "but",
    // Nor before a word that joins clauses: "a bit low after so we went" is never "after the so we went" (set BZ,
    // read blind, Qwen 1.5B).
    "so",
    "because",
    "if",
    "when",
    "until",
    "unless",
    "since",
    "than",
    "though",
    "although",
    "very",
    // "explained too early" is never "explained the too early" (set BP, read blind, Qwen 1.5B).
    "too",
    "this",
    "that",
    "these",
    "those",
    "his",
    "her",
    "their",
    "my",
    "your",
    "its",
    "our",
    "she",
    "he",
    "they",
    "it",
    "i",
    "we",
    "you",
    "the",
    "a",
    "an",
    "also",
    "only",
    "still",
    "again",
    "well",
    "per",
    "about",
    "into",
    "over",
    "under",
    "ok",
    "okay",
    "fine",
    "own",
    "more",
    "less",
    "much",
    "many",
    "several",
    "another",
    "yesterday",
    "today",
    "tomorrow",
    "tonight",
    "later",
    "earlier",
    "then",
    "now",
    "here",
    "there",
    "ever",
    "never",
    "mainly",
    "mostly",
    "generally",
    "usually",
    "partly",
    "fully",
    "slightly",
    "recently",
    "previously",
    "currently",
    "ex",
    "nil",
    "will",
    "would",
    "can",
    "could",
    "should",
    "must",
    "may",
    "might",
    "shall",
    "do",
    "does",
    "did",
    "need",
    "needs",
    "needed",
    "lots",
    // "Drank plenty" is never "Drank a plenty" (set BU, read blind, Qwen 1.5B), nor "Staff gave space" "gave the
    // space" (sets BO and BV, read blind, Qwen 1.5B).
    "plenty",
    "space",
    // Family, whose article the notes leave out for "his" or "her": "asking for wife" is never "asking for a wife".
    "wife",
    "husband",
    "son",
    "daughter",
    "mum",
    "dad",
    "mother",
    "father",
    "sister",
    "brother",
    "grandson",
    "granddaughter",
    "niece",
    "nephew",
    "partner",
    "hourly",
    "daily",
    "weekly",
    "nightly",
    // Places named for what is done there, which English writes bare after "at", "to" and "from": "Daniel at work"
    // is never "Daniel was at the work" (set BK, read blind, Qwen 1.5B).
    "work",
    "school",
    "college",
    "church",
    "home",
    // "Shaved self" is "shaved himself", never "Shaved the self" (set BM, read blind, Qwen 1.5B).
    "self",
    // Meals, which English names bare ("ate lunch", "lunch visit"): "Packed lunch - sandwich" is never "Packed a
    // lunch" (set BR, read blind, Qwen 1.5B), nor "Ate brunch" "Ate a brunch". ("Tea" is also a cup of tea.)
    "breakfast",
    "lunch",
    "dinner",
    "supper",
    "brunch",
];

/// Words of amount: no "was" is put before one ("Breakfast cornflakes all" never becomes "cornflakes were all": the
/// amount eaten is lost).
const AMOUNTS: &[&str] = &["all", "most", "some", "none", "both", "nothing", "little"];

/// Prepositions and conjunctions, after which an article may be put ("to the toilet", "and the bowels").
const LINKS: &[&str] = &[
    "in", "on", "at", "to", "with", "from", "by", "for", "of", "per", "about", "into", "over", "under", "after",
    "before", "beside", "near", "round", "around", "through", "across", "behind", "via", "and", "or", "but", "as",
    "than", "onto", "towards", "without", "during",
];

/// Participles of what a person does, not what is done to them: after a person and "not", never a "was" ("Mr W not
/// eaten", "she not slept").
const DONE_BY_ONESELF: &[&str] = &["eaten", "drunk", "slept", "been", "gone"];

/// Words no "was" is put before even at a clause's end ("Few mouthfuls are only", "02:00 is right",
/// "Arts and crafts were morning", "The strip wash was instead", "Up is already", "Olive is day", "Hilda was
/// lunch", "to stay as is now"); nor before a day ([`names_a_day`]).
const NO_BE_BEFORE: &[&str] = &[
    "only",
    "too",
    "also",
    "again",
    "either",
    "right",
    "left",
    "instead",
    "day",
    "breakfast",
    "lunch",
    "dinner",
    "supper",
    "morning",
    "afternoon",
    "evening",
    "night",
    "already",
    "now",
];

/// Adverbs that may stand between a subject and its verb ("Mrs P already up", "he still in bed").
const ADVERBS_OF_TIME: &[&str] = &["already", "still", "now", "just", "also", "then", "always", "usually", "not"];

/// Words a "was" may be put before inside a clause: a preposition or adverb ("was in bed", "is still",
/// "were as per"). Otherwise only before a verb's participle ("were checked", "is smiling") or a clause's last
/// word ("was awake"), or a word the line follows with "and" ("was dark and very strong smelling"): never "He is a
/// prayer mat set up", "the skin tear was right and was shin".
const BE_BEFORE: &[&str] = &[
    "in", "on", "at", "up", "out", "off", "down", "still", "very", "not", "as", "by", "with", "from", "under", "over",
    "about", "also", "back", "away", "home", "asleep", "awake", "well", "unable", "able", "happy",
];

/// Acts whose first object is the person they were done to ("Offered drink" may be "Was offered a drink").
const DONE_TO_SOMEONE: &[&str] = &["given", "offered", "shown", "sent", "handed", "brought", "taught", "served", "fed"];

/// Words of when and where, and "each", that no "of" goes before ("1.2L yesterday", "5 cups so far", "No one
/// there", "1 drop each eye").
const NOT_AFTER_OF: &[&str] = &["yesterday", "each", "so", "now", "overnight", "there", "here"];

/// A verb's particles ("off", "out"), before which no "of" goes.
const PARTICLES: &[&str] = &["off", "out", "up", "down", "away", "back"];

/// Verbs of turning a person: the side after one is the side they were turned onto, not a thing turned.
const TURNING: &[&str] = &["repositioned", "turned", "positioned", "rolled", "laid"];

/// Things a clock time before them names, rather than saying when something happened: "8am slot empty" is the
/// dosette's 8am slot, never "At 8am slot was empty" (set BA, read blind), so no "at" goes before such a time.
pub(crate) const NAMED_BY_TIME: &[&str] = &["slot", "slots", "compartment", "compartments", "pod", "pods"];

/// Verbs of arranging: a clock time after one is the time arranged ("taxi booked 10.15"), so no "at" goes before
/// it, which would make it when the arranging was done ("Taxi was booked at 10.15", set BE, read blind).
pub(crate) const ARRANGED: &[&str] = &["booked", "arranged", "planned", "scheduled", "ordered", "requested"];

/// Number words, copied as digits are: no "was" or article right before them.
const NUMBER_WORDS: &[&str] = &[
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "half",
    "quarter", "once", "twice",
];

/// Whether `word` (in small letters) is a number, an amount or a time: it has a digit, or is a number word.
fn numeric(word: &str) -> bool {
    word.chars().any(|c| c.is_ascii_digit()) || NUMBER_WORDS.contains(&word)
}

/// Verbs of asking or seeking: before "for", the line's doer asked ("Asked for more music afternoons": the
/// residents asked), so no "was" goes before one ("Was asked for more music afternoons", meeting set, read blind).
pub(crate) const ASKING_FOR: &[&str] = &["asked", "called", "rang", "shouted", "looked", "searched", "waited"];

/// Whether `lower` (a word in small letters) is a weekday's or a month's name or its short form ("mon", "jan",
/// "tues"): written with its capital where the line has one mid-clause ("Next meeting 7 Jan", never "7 jan").
fn calendar(lower: &str) -> bool {
    WEEKDAYS.iter().chain(MONTHS).any(|n| *n == lower || (lower.len() >= 3 && n.starts_with(lower)))
}

/// Subject pronouns: a rewrite may add the one its line has ("she ... she was happy").
const PRONOUNS: &[&str] = &["she", "he", "they"];

/// Labels of a note's part of the day or meal ("Evening:", "Lunch,"): the clause after one tells what happened then.
const LABELS: &[&str] =
    &["am", "pm", "morning", "afternoon", "evening", "eve", "night", "breakfast", "lunch", "tea", "supper", "dinner"];

/// Words that say where something is: after a label, a "was" before one turns what was done into where a thing is
/// ("Evening: Xbox in room").
const PLACES: &[&str] = &["in", "on", "at", "by", "with", "from", "under", "over", "near", "outside", "inside"];

/// Words that open a clause of time or cause: a pronoun right after one is that clause's subject alone.
const SUBORDINATORS: &[&str] =
    &["after", "before", "when", "until", "till", "once", "since", "while", "as", "because", "if"];

/// Words that join one clause to the next inside a line ("in bed and settled"): what follows is another clause's.
const JOINING: &[&str] = &["and", "or", "but", "then"];

/// Words after which a past says how someone is, not what was done to what a clause names ("in chair fully
/// dressed", "in bed still unsettled").
const BEFORE_A_STATE: &[&str] = &["very", "not", "so", "too", "also", "still", "well", "fully", "just"];

/// Verbs of saying and feeling: a pronoun right after one is the speaker's own ("says she slept well").
const REPORTING: &[&str] = &[
    "says",
    "said",
    "feels",
    "felt",
    "thinks",
    "thought",
    "states",
    "stated",
    "reports",
    "reported",
    "told",
    "tells",
    "explained",
    "explains",
    "mentioned",
    "mentions",
    "knows",
    "knew",
    "hopes",
    "hoped",
];

/// Regular verbs common in care notes, in their plain form (none of [`IRREGULAR`]): after a pronoun one may take its
/// past ("I check fridge": "I checked the fridge"), and with "-s" it is a verb, so no article goes before it
/// ("Reports pain", never "The reports pain").
const REGULAR: &[&str] = &[
    "accept",
    "agree",
    "answer",
    "apply",
    "arrive",
    "ask",
    "assist",
    "call",
    "change",
    "check",
    "clean",
    "close",
    "complain",
    "cook",
    "cry",
    "decline",
    "deny",
    "dress",
    "empty",
    "encourage",
    "enjoy",
    "fill",
    "finish",
    "hate",
    "help",
    "hope",
    "laugh",
    "like",
    "listen",
    "lock",
    "look",
    "love",
    "mention",
    "miss",
    "move",
    "need",
    "offer",
    "open",
    "phone",
    "play",
    "pour",
    "prefer",
    "prepare",
    "push",
    "refuse",
    "remember",
    "remind",
    "report",
    "request",
    "seem",
    "serve",
    "shout",
    "shower",
    "smile",
    "start",
    "state",
    "stay",
    "support",
    "talk",
    "text",
    "try",
    "turn",
    "use",
    "visit",
    "wait",
    "walk",
    "want",
    "wash",
    "watch",
    "worry",
];

/// Verbs of [`REGULAR`] that are as often adjectives ("door open", "commode empty").
const ADJECTIVES: &[&str] = &["open", "close", "empty"];

/// The past of a verb of [`REGULAR`] ("check": "checked", "change": "changed", "try": "tried").
fn regular_past(verb: &str) -> String {
    match verb.strip_suffix('y').filter(|stem| !stem.ends_with(['a', 'e', 'o', 'u'])) {
        Some(stem) => format!("{stem}ied"),
        None if verb.ends_with('e') => format!("{verb}d"),
        None => format!("{verb}ed"),
    }
}

/// Whether `word` is the "-s" form of a verb of [`REGULAR`] ("reports", "washes", "tries").
fn regular_present(word: &str) -> bool {
    present_of(word).is_some_and(|verb| REGULAR.contains(&verb.as_str()))
}

/// The plain verbs whose "-s" form `word` may be: "reports" of "report", "washes" of "wash", "tries" of "try".
fn present_of(word: &str) -> Option<String> {
    let candidates = [
        word.strip_suffix("ies").map(|s| format!("{s}y")),
        word.strip_suffix("es").filter(|s| s.ends_with(['h', 's', 'x', 'z'])).map(str::to_owned),
        word.strip_suffix('s').map(str::to_owned),
    ];
    candidates.into_iter().flatten().find(|v| REGULAR.contains(&v.as_str()))
}

/// Whether `word` is a verb's plain form that "did not" may stand before ("want", "eat"; not "be",
/// nor a word as often an adjective, "open").
fn plain_verb(word: &str) -> bool {
    (REGULAR.contains(&word) && !ADJECTIVES.contains(&word)) || IRREGULAR.iter().any(|v| v[0] == word && word != "be")
}

/// Whether `word`, followed by `after` (its word and whether it opens a clause), is a verb's plain form after
/// "not": [`plain_verb`], or a word as often an adjective with an object after it ("not open door"; "shop not
/// open" has none, and may be "was not open").
fn verb_before(word: &str, after: Option<(&str, bool)>) -> bool {
    plain_verb(word) || (ADJECTIVES.contains(&word) && after.is_some_and(|(w, opens)| !opens && w != "and"))
}

/// Whether `word` is a form of a verb of [`WANTING`] ("wants", "tried").
fn wanting(word: &str) -> bool {
    WANTING.iter().any(|v| *v == word || regular_past(v) == word)
        || present_of(word).is_some_and(|v| WANTING.contains(&v.as_str()))
}

/// Contractions written without their apostrophe, and with it.
const CONTRACTIONS: &[(&str, &str)] = &[
    ("dont", "don't"),
    ("didnt", "didn't"),
    ("doesnt", "doesn't"),
    ("cant", "can't"),
    ("couldnt", "couldn't"),
    ("wont", "won't"),
    ("wouldnt", "wouldn't"),
    ("shouldnt", "shouldn't"),
    ("isnt", "isn't"),
    ("wasnt", "wasn't"),
    ("arent", "aren't"),
    ("werent", "weren't"),
    ("hasnt", "hasn't"),
    ("havent", "haven't"),
    ("hadnt", "hadn't"),
    ("thats", "that's"),
    ("theres", "there's"),
    ("shes", "she's"),
];

/// Whether `a` can be made `b` in at most `most` edits (a letter put in, left out, changed, or two side by side
/// swapped).
fn edits_within(a: &str, b: &str, most: usize) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if a.len().abs_diff(b.len()) > most {
        return false;
    }
    // Rows of the optimal string alignment distance, two back for a swap.
    let mut before: Vec<usize> = Vec::new();
    let mut last: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut row = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            row[j] = (last[j] + 1).min(row[j - 1] + 1).min(last[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                row[j] = row[j].min(before[j - 2] + 1);
            }
        }
        if row.iter().min().is_some_and(|&m| m > most) {
            return false;
        }
        before = std::mem::replace(&mut last, row);
    }
    last[b.len()] <= most
}

/// Whether `a` and `b` (in small letters) are forms of one irregular verb ("say" and "said", "is" and "was").
pub(crate) fn forms_of_one_verb(a: &str, b: &str) -> bool {
    IRREGULAR.iter().any(|v| v.contains(&a) && v.contains(&b))
}

/// Whether `written` is the past of the plain verb `plain` ("went" of "go", "visited" of "visit").
pub(crate) fn is_past_of(written: &str, plain: &str) -> bool {
    IRREGULAR.iter().any(|v| v[0] == plain && v[2] == written)
        || (REGULAR.contains(&plain) && regular_past(plain) == written)
}

/// Whether `verb` is its own past and past participle ("hurt", "cut", "put"): "not hurt" may be "was not hurt".
pub(crate) fn one_form(verb: &str) -> bool {
    IRREGULAR.iter().any(|f| f[0] == verb && f[2] == verb && f[3] == verb)
}

/// Irregular verbs: plain, present, past, past participle, "-ing".
const IRREGULAR: &[[&str; 5]] = &[
    ["be", "is", "was", "been", "being"],
    ["have", "has", "had", "had", "having"],
    ["do", "does", "did", "done", "doing"],
    ["say", "says", "said", "said", "saying"],
    ["eat", "eats", "ate", "eaten", "eating"],
    ["go", "goes", "went", "gone", "going"],
    ["take", "takes", "took", "taken", "taking"],
    ["give", "gives", "gave", "given", "giving"],
    ["feel", "feels", "felt", "felt", "feeling"],
    ["sleep", "sleeps", "slept", "slept", "sleeping"],
    ["sit", "sits", "sat", "sat", "sitting"],
    ["get", "gets", "got", "got", "getting"],
    ["come", "comes", "came", "come", "coming"],
    ["leave", "leaves", "left", "left", "leaving"],
    ["see", "sees", "saw", "seen", "seeing"],
    ["drink", "drinks", "drank", "drunk", "drinking"],
    ["tell", "tells", "told", "told", "telling"],
    ["find", "finds", "found", "found", "finding"],
    ["make", "makes", "made", "made", "making"],
    ["put", "puts", "put", "put", "putting"],
    ["wake", "wakes", "woke", "woken", "waking"],
    ["fall", "falls", "fell", "fallen", "falling"],
    ["bring", "brings", "brought", "brought", "bringing"],
    ["keep", "keeps", "kept", "kept", "keeping"],
    ["stand", "stands", "stood", "stood", "standing"],
    ["wear", "wears", "wore", "worn", "wearing"],
    ["run", "runs", "ran", "run", "running"],
    ["lie", "lies", "lay", "lain", "lying"],
    ["choose", "chooses", "chose", "chosen", "choosing"],
    ["buy", "buys", "bought", "bought", "buying"],
    ["sing", "sings", "sang", "sung", "singing"],
    ["begin", "begins", "began", "begun", "beginning"],
    ["drive", "drives", "drove", "driven", "driving"],
    ["write", "writes", "wrote", "written", "writing"],
    ["speak", "speaks", "spoke", "spoken", "speaking"],
    ["break", "breaks", "broke", "broken", "breaking"],
    ["forget", "forgets", "forgot", "forgotten", "forgetting"],
    ["throw", "throws", "threw", "thrown", "throwing"],
    ["hear", "hears", "heard", "heard", "hearing"],
    ["pay", "pays", "paid", "paid", "paying"],
    ["read", "reads", "read", "read", "reading"],
    ["send", "sends", "sent", "sent", "sending"],
    ["spend", "spends", "spent", "spent", "spending"],
    ["think", "thinks", "thought", "thought", "thinking"],
    ["know", "knows", "knew", "known", "knowing"],
    ["catch", "catches", "caught", "caught", "catching"],
    ["lose", "loses", "lost", "lost", "losing"],
    ["meet", "meets", "met", "met", "meeting"],
    ["hold", "holds", "held", "held", "holding"],
    ["understand", "understands", "understood", "understood", "understanding"],
    ["bite", "bites", "bit", "bitten", "biting"],
    ["shake", "shakes", "shook", "shaken", "shaking"],
    ["ring", "rings", "rang", "rung", "ringing"],
    ["become", "becomes", "became", "become", "becoming"],
    ["let", "lets", "let", "let", "letting"],
    ["cut", "cuts", "cut", "cut", "cutting"],
    ["hurt", "hurts", "hurt", "hurt", "hurting"],
    ["feed", "feeds", "fed", "fed", "feeding"],
    ["dig", "digs", "dug", "dug", "digging"],
    ["swallow", "swallows", "swallowed", "swallowed", "swallowing"],
];

/// Words for a parent that may stand as a name, with a capital ("rang Mum").
const PARENTS: &[&str] = &["mum", "dad", "mam", "nan", "nana", "grandad", "grandma", "grandpa", "mother", "father"];

/// Titles before a person's name ("Mr Green"): the word after one, written with a capital, is a name.
pub(crate) const TITLES: &[&str] = &["mr", "mrs", "ms", "miss", "mx", "dr"];

/// Whether `word` is a title, in any case ("Mr", "MRS").
pub fn is_title(word: &str) -> bool {
    TITLES.contains(&word.to_lowercase().as_str())
}

/// One word of the line.
#[derive(Debug, Clone)]
struct Required {
    /// The word as the line has it, lower case.
    word: String,
    /// Every form a rewrite may write for it, lower case.
    forms: Vec<String>,
    /// A number or time: copied exactly, and no "was" right before it.
    number: bool,
    /// A clock time ("7:30", "12.45", "10am", "6pm") that does not open a range, name a thing ("8am slot") nor
    /// follow a verb of arranging ([`ARRANGED`]): "at" may be put before it, before no other number ("Breakfast at
    /// two" for "toast x2").
    time: bool,
    /// Inside a quotation: copied exactly, nothing added inside.
    quoted: bool,
    /// Inside brackets: kept inside them, nothing added inside.
    bracketed: bool,
    /// Joined to the word before by a hyphen or slash: kept joined, nothing added between.
    hyphen_joined: bool,
    /// In capitals ("SOB", "PMH"): written in capitals.
    capitals: bool,
    /// In mixed case ("McDonald", "iPad"): the only words that may have a capital after their first letter (not
    /// "AMLodipine", "aSleep").
    mixed: bool,
    /// A name the line writes with a capital (the person's, any after a title, any word with a capital inside a
    /// clause): written with its capital, never "Mr green" (set AF, read blind).
    named: bool,
    /// An ordinary English word the line writes in small letters: a capital only where a sentence starts ("Call
    /// bell 12.20", never "Call Bell 12.20"; set AQ, read blind). Not a word of the person's name, a title, a day or
    /// month, "I", a word for a parent that may stand as a name ("rang Mum"), or a quotation's (its first word may
    /// open the speaker's sentence: "Asked 'Is it morning yet?'").
    small: bool,
    /// A code of letters and digits that is not a time ("x3", "B12"): `Some` of whether the line writes its first
    /// letter as a capital, which a rewrite keeps ("room x3", three times, never "room X3"; set AO, read blind).
    code: Option<bool>,
    /// An article, or a pronoun right after the name it stands for: a rewrite may leave it out.
    droppable: bool,
    /// The first word of a clause of the line (not the first of the line).
    opens_clause: bool,
    /// After a colon that follows a number in the line ("Meds 8.30: aspirin"): only there may a rewrite put one.
    number_colon: bool,
    /// The first word of a clause that tells more of the clause before ([`crate::items::said_of_the_last`]): no
    /// sentence ends before it.
    stays_in_sentence: bool,
    /// An article may be put before it.
    article_before: bool,
    /// A "was" may be put before it.
    be_before: bool,
    /// Looks like a verb (a form of an irregular one, a regular one's "-s" or plain form after a pronoun, or a word
    /// in "-ed" or "-ing").
    verb: bool,
    /// A verb's participle ("checked", "informed", "staying"): "was" may go before it, "is" only before one in
    /// "-ing".
    participle: bool,
    /// The person's initial with no title before it: their title may be added before it ("M sat": "Mrs Moore
    /// sat").
    untitled_initial: bool,
    /// Its clause so far is one person, their name, title, initial, "he", "she" or one of the family, and
    /// adverbs ("Mrs P already up"): an added "be" is "is" or "was", never "are" or "were".
    after_one: bool,
    /// A meal, a drink, a room, a walking aid or transport, which no person is: no subject is added before it.
    thing: bool,
}

/// What a sentence written from one line may say.
#[derive(Debug, Clone)]
pub struct Rewrite {
    /// The line's words, in order.
    required: Vec<Required>,
    /// Words a rewrite may add besides grammar: the subject pronouns the line has, each with the first place after
    /// the line's own use of it.
    subjects: Vec<(String, usize)>,
    /// The person's titles ("mrs"), which may be added before their initial.
    titles: Vec<String>,
    /// How many words a rewrite may add in all.
    max_added: usize,
    /// Punctuation a rewrite may write: a sentence's own, and the line's ("(", "/").
    marks: String,
    /// The line ends a sentence inside a quotation ("said 'Thank you.'"): only then may a draft.
    stop_in_quote: bool,
    /// The line tells of a clock time and not of what is to come: what it says is past, so no "is" or "are" is
    /// added ("Mr Clarke is in the garden 2-3pm").
    past_only: bool,
    /// The line speaks in the present with its own "is", "are" or "am" and has no "was" or "were": no "was" or
    /// "were" is added ("Daughter Priya visiting at 2, Mrs Shah said she is looking forward to it" is never
    /// "Daughter Priya was visiting at 2", a visit to come told as done: set BG, read blind, Qwen 1.5B).
    present_only: bool,
    /// Where the line's first verb of saying stands: no pronoun is added after it.
    first_saying: Option<usize>,
}

/// Marks that open a quotation or brackets: they may stand before a word.
const OPENING: &[char] = &['\'', '"', '‘', '“', '('];
/// Currency signs: they open an amount ("£45"), so may stand before a word.
const CURRENCY: &[char] = &['£', '$', '€'];
/// Marks that close one, which may follow another mark.
const CLOSING: &[char] = &['\'', '"', '’', '”', ')'];

/// Quotation marks (and the apostrophe).
const QUOTES: &[char] = &['\'', '"', '‘', '’', '“', '”'];

/// Punctuation any sentence may have.
const SENTENCE_MARKS: &str = ".,;:'\"’‘“”-";

/// Where a reading of a sentence has got to: the next word of the line it owes, how many words it added, whether
/// it added a subject since the line's last word, and whether it added nothing since.
type State = (usize, usize, bool, bool);

impl Rewrite {
    /// The rule for a sentence written from `line` (the notes' words, shorthand expanded), about the person whose
    /// preferred name is `person`: the line's initial for them ("J", "Mr A") may be written as their name.
    pub fn new(line: &str, person: Option<&str>) -> Self {
        let names: Vec<String> =
            person.map(|p| words(p, false).into_iter().map(|w| w.text).collect()).unwrap_or_default();
        let initials: Vec<String> = names.iter().filter_map(|n| n.chars().next()).map(String::from).collect();
        let line_words = words(line, false);
        // The line's word `k` is the person's initial; "I" only after a title, being the writer elsewhere: "I tell
        // senior" is never "Mrs Ibe told senior" (a kept note re-drafted, both models).
        let after_title = |k: usize| k.checked_sub(1).is_some_and(|p| TITLES.contains(&line_words[p].text.as_str()));
        let is_initial = |k: usize| {
            let w = &line_words[k];
            w.initial && initials.contains(&w.text) && (w.text != "i" || after_title(k))
        };
        // A pronoun may be added once the line has used it, never before: "After he left was tearful" is about
        // someone else, "Checked with neighbour, said he went out" is the neighbour speaking, and "phoned -
        // answered, said he was in bathroom" never becomes "He phoned". A use right after "after", "when" and the
        // like does not count: that clause is someone else's act ("After she left, tearful": set AH, read blind,
        // "After she left, she was tearful" about Arthur).
        let subjects: Vec<(String, usize)> = PRONOUNS
            .iter()
            .filter_map(|p| {
                let k = line_words.iter().enumerate().position(|(k, w)| {
                    w.text == *p
                        && !w.quoted
                        && !k.checked_sub(1).is_some_and(|b| SUBORDINATORS.contains(&line_words[b].text.as_str()))
                })?;
                Some(((*p).to_owned(), k + 1))
            })
            .collect();
        // Whether the line's word `k` follows its subject: a pronoun, an initial or the person's name; and whether
        // it follows a pronoun, after which a regular verb's plain form is a verb ("I check fridge"), where after a
        // name it may be a noun ("Mr Ward visit 6").
        let follows_subject = |k: usize| {
            k.checked_sub(1).is_some_and(|p| {
                let p = &line_words[p];
                PRONOUNS.contains(&p.text.as_str()) || p.initial || names.contains(&p.text)
            })
        };
        // Words in a clause the line opens with a verb in the past ("Left radio on", "Checked legs"): the subject
        // is the writer's, so no "was" goes inside it ("Left radio was on" would make it a radio on the left). Nor
        // after a person and their act: "she ate it all + yoghurt" is never "she ate it all and she was yoghurt"
        // (set CB, read blind, Qwen 1.5B: "and she was she yoghurt").
        let mut in_acted_clause = vec![false; line_words.len()];
        // Words in a clause the line opens with "no" or "nil": a "was" there goes only before a participle ("No
        // seizure activity was seen"), never "No pain was on touch" or "No concerns were overnight" (the dev set's
        // notes, Qwen 1.5B).
        let mut in_none_clause = vec![false; line_words.len()];
        let (mut head_acted, mut head_none) = (false, false);
        for (k, w) in line_words.iter().enumerate() {
            if w.clause_start {
                head_acted = !w.quoted && past(&w.text);
                head_none = !w.quoted && ["no", "nil"].contains(&w.text.as_str());
            } else {
                in_acted_clause[k] = head_acted;
                in_none_clause[k] = head_none;
                // The first word opens a clause, so `k - 1` is a word.
                if line_words[k - 1].clause_start && follows_subject(k) && !w.quoted && act(&w.text) {
                    head_acted = true;
                }
            }
        }
        // A line that speaks of what is to come keeps its plain verbs but for the saying: "she say she come
        // tomorrow" may be "she said she come tomorrow", never "she came tomorrow".
        // So does a line that names a weekday and nothing past ("he say he go to daughter house Sunday" is never
        // "he went to daughter house Sunday": set BJ, read blind, both models); "Sat" starting a clause is the verb.
        let weekday = |w: &Word| {
            WEEKDAYS.contains(&w.text.as_str())
                || (w.capital && !(w.clause_start && w.text == "sat") && names_a_weekday(&w.text))
        };
        let past_day = line_words.iter().any(|w| PAST_DAY.contains(&w.text.as_str()));
        let future = line_words.iter().any(|w| FUTURE.contains(&w.text.as_str()) || (weekday(w) && !past_day));
        // Whether the k-th word follows a label of the day's time or meal that opens its clause ("Afternoon baked").
        let after_label = |k: usize| {
            k.checked_sub(1)
                .is_some_and(|p| line_words[p].clause_start && LABELS.contains(&line_words[p].text.as_str()))
        };
        // The person, someone in the family or a worker: "Beryl", "she", "son", "staff".
        let someone = |w: &Word| {
            names.contains(&w.text)
                || w.initial
                || PRONOUNS.contains(&w.text.as_str())
                || FAMILY.contains(&w.text.as_str())
                || WORKERS.contains(&w.text.as_str())
        };
        // Whether the word before the k-th is an amount or a time ("37.2", "8am"), or one of the four before it, in
        // its clause, a count of things ("2 cups of tea"; not "8am slot", nor "3 staff present").
        let after_amount = |k: usize| {
            let count = |t: &str| {
                NUMBER_WORDS.contains(&t)
                    || (t.chars().any(|c| c.is_ascii_digit()) && t.chars().all(|c| c.is_ascii_digit() || c == '/'))
            };
            let back = line_words[k.saturating_sub(4)..k].iter().rev();
            let clause: Vec<&Word> =
                back.scan(false, |opened, w| (!std::mem::replace(opened, w.clause_start)).then_some(w)).collect();
            k.checked_sub(1).is_some_and(|p| numeric(&line_words[p].text))
                || (clause.iter().any(|w| count(&w.text)) && !clause.iter().any(|w| someone(w)))
        };
        // Whether the clause of the line's word `k` opens with one person, said by name, title, initial or
        // pronoun, and only their name or an adverb stands between ("Mrs P already up"; not "Mrs P's legs").
        let after_one = |k: usize| {
            let start = (0..k).rev().find(|&j| line_words[j].clause_start).unwrap_or(0);
            let person = |w: &Word| TITLES.contains(&w.text.as_str()) || names.contains(&w.text) || w.initial;
            let first = &line_words[start];
            let one = person(first)
                || ["he", "she", "i"].contains(&first.text.as_str())
                || FAMILY.contains(&first.text.as_str());
            one && start < k
                && line_words[start + 1..k].iter().all(|w| person(w) || ADVERBS_OF_TIME.contains(&w.text.as_str()))
        };
        let follows_pronoun = |k: usize| {
            k.checked_sub(1).is_some_and(|p| ["i", "we"].iter().chain(PRONOUNS).any(|s| *s == line_words[p].text))
        };
        let required: Vec<Required> = line_words
            .iter()
            .enumerate()
            .map(|(k, w)| {
                let number = numeric(&w.text);
                // After "no", "nil" or "any" a word is a thing, never a verb's past: "Nil falls" is never "Nil fell"
                // (set BD, read blind).
                let counted =
                    k.checked_sub(1).is_some_and(|p| ["no", "nil", "any"].contains(&line_words[p].text.as_str()));
                let mut forms = if number || w.quoted || counted { vec![w.text.clone()] } else { forms_of(&w.text) };
                let name = w.initial || names.contains(&w.text);
                // The person's initial may be written as a word of their name, never as their title: "Mrs H ok
                // after" is never "Mrs Mrs ok after", nor "Mr L" "Mr Mr" (set BI, read blind, Qwen 1.5B).
                let initial = !w.quoted && is_initial(k);
                let untitled_initial = initial && !after_title(k);
                if initial {
                    forms.extend(names.iter().filter(|n| !TITLES.contains(&n.as_str())).cloned());
                }
                // A plain verb right after its subject may take its past ("she eat all": "she ate all"); not the
                // first word of a compound ("Joyce take-home medicines" is never "Joyce took-home medicines").
                let after_subject = follows_subject(k);
                if after_subject
                    && !number
                    && !w.quoted
                    && line_words.get(k + 1).is_none_or(|n| !n.hyphen_joined)
                    && (!future || ["say", "tell", "ask"].contains(&w.text.as_str()))
                {
                    // A thing's word in "-s" is a verb after its subject ("she falls asleep": "she fell asleep").
                    let verb_of = |v: &[&str; 5]| v[0] == w.text || (v[1] == w.text && THINGS_IN_S.contains(&v[1]));
                    forms.extend(IRREGULAR.iter().filter(|v| verb_of(v)).map(|v| v[2].to_owned()));
                    if follows_pronoun(k) {
                        forms.extend(REGULAR.iter().filter(|v| **v == w.text).map(|v| regular_past(v)));
                    }
                }
                let opens_clause = k > 0 && w.clause_start;
                // A verb also where it follows a pronoun ("I check fridge": no article before "check").
                let verb = verb_like(&w.text) || (follows_pronoun(k) && REGULAR.contains(&w.text.as_str()));
                // An article opens a clause before a noun with more of its phrase to come and a verb after it ("The
                // catheter bag was emptied"; not "The office informed", "The unsure if taken", nor, with no verb
                // to follow, "The strip wash, declined shave" or "The quiet PM, did jigsaw"), or stands after a
                // preposition or a conjunction ("to the toilet"; not "Safeguarding the log", where a word ending
                // in "-ing" names a thing).
                let opens_noun_phrase =
                    line_words.get(k + 1).is_some_and(|n| {
                        !n.clause_start
                            && !NO_ARTICLE_BEFORE.contains(&n.text.as_str())
                            && !verb_like(&n.text)
                            && !n.text.chars().any(|c| c.is_ascii_digit())
                            && n.text != "if"
                    }) && line_words[k + 1..].iter().take_while(|n| !n.clause_start).any(|n| verb_like(&n.text));
                let after_link = k.checked_sub(1).is_some_and(|p| LINKS.contains(&line_words[p].text.as_str()));
                // An article may also stand between an act and its object ("Offered a drink", "Made a card"), or
                // between a verb after its subject and its object ("I check fridge": "I checked the fridge").
                // Never before a place a move goes from ("Transferred bed to chair" is not "Transferred the bed"),
                // nor before the side a person is turned onto ("Repositioned R side" is not "Repositioned the right
                // side", set BA, read blind).
                let onto_side = (w.text == "left" || w.text == "right")
                    && k.checked_sub(1).is_some_and(|p| TURNING.contains(&line_words[p].text.as_str()));
                let after_act = !w.clause_start
                    && !onto_side
                    && line_words.get(k + 1).is_none_or(|n| n.text != "to")
                    && k.checked_sub(1).is_some_and(|p| {
                        let prev = line_words[p].text.as_str();
                        act(prev)
                            || (follows_pronoun(p) && REGULAR.contains(&prev))
                            || (follows_subject(p) && IRREGULAR.iter().any(|v| v[0] == prev))
                    });
                // "checked", "given", "smiling"; not "ate" or "says".
                let participle = verb
                    && !REGULAR.contains(&w.text.as_str())
                    && !regular_present(&w.text)
                    && !IRREGULAR
                        .iter()
                        .any(|v| v[0] == w.text || v[1] == w.text || (v[2] == w.text && v[3] != w.text));
                let clock = |t: &str| {
                    t.split_once([':', '.']).is_some_and(|(h, m)| {
                        h.parse::<u32>().is_ok_and(|h| h < 24) && m.len() == 2 && m.parse::<u32>().is_ok_and(|m| m < 60)
                    })
                };
                let meridiem = |j: usize| line_words.get(j).is_some_and(|n| n.text == "am" || n.text == "pm");
                let named = |j: usize| {
                    line_words.get(j).is_some_and(|n| !n.clause_start && NAMED_BY_TIME.contains(&n.text.as_str()))
                };
                // Not the first time of a range ("restless at 23:00-01:00"), nor a time that names the thing after
                // it ([`NAMED_BY_TIME`]).
                let time = number
                    && line_words.get(k + 1).is_none_or(|n| !n.hyphen_joined)
                    && w.text.starts_with(|c: char| c.is_ascii_digit())
                    && (clock(&w.text) || w.text.ends_with("am") || w.text.ends_with("pm") || meridiem(k + 1))
                    && !(named(k + 1) || (meridiem(k + 1) && named(k + 2)))
                    && k.checked_sub(1).is_none_or(|p| !ARRANGED.contains(&line_words[p].text.as_str()));
                // A participle after another word of its clause and before "to" has that word as its doer: "Staff
                // prompted to take meds" (staff prompted her) never becomes "Staff was prompted to take medicines".
                let done_by_doer =
                    participle && !w.clause_start && line_words.get(k + 1).is_some_and(|n| n.text == "to");
                Required {
                    word: w.text.clone(),
                    forms,
                    number,
                    time,
                    quoted: w.quoted,
                    bracketed: w.bracketed,
                    hyphen_joined: w.hyphen_joined,
                    capitals: w.capitals,
                    mixed: w.mixed,
                    // Inside a clause, any word the line gives a capital: a name that is also a word ("Night visit
                    // 23:00 Rose" is never "at 23:00 rose", which says she got up; a kept note re-drafted without
                    // the person's name).
                    named: w.capital
                        && (names.contains(&w.text)
                            || (!w.clause_start && (calendar(&w.text) || !(w.capitals || w.initial)))
                            || after_title(k)),
                    small: !w.capital
                        && !w.quoted
                        && !names.contains(&w.text)
                        && !calendar(&w.text)
                        && !TITLES.contains(&w.text.as_str())
                        && !PARENTS.contains(&w.text.as_str())
                        && w.text != "i"
                        && crate::lexicon::is_common(&w.text),
                    code: is_code(&w.text).then_some(w.capital),
                    droppable: !w.quoted && !w.initial && ARTICLES.contains(&w.text.as_str())
                        // A second-language writer's pronoun right after the person's name says them again: "Mrs
                        // Webb she ring bell" may be "Mrs Webb rang the bell".
                        || (PRONOUNS.contains(&w.text.as_str())
                            && !w.quoted
                            && !w.clause_start
                            && k.checked_sub(1).is_some_and(|p| names.contains(&line_words[p].text) || is_initial(p))),
                    opens_clause,
                    number_colon: w.number_colon,
                    stays_in_sentence: opens_clause && {
                        let clause = line_words[k..].iter().enumerate().take_while(|(j, n)| *j == 0 || !n.clause_start);
                        let clause: Vec<&str> = clause.map(|(_, n)| n.text.as_str()).collect();
                        crate::items::said_of_the_last(&clause.join(" "))
                    },
                    article_before: !(number
                        || name
                        || w.quoted
                        || w.bracketed
                        || w.hyphen_joined
                        || NO_ARTICLE_BEFORE.contains(&w.text.as_str())
                        // "Ate little" (hardly any) is not "ate a little" (some; set BW, read blind, Qwen 1.5B);
                        // "little bit swollen" may still be "a little bit swollen".
                        || (w.text == "little" && line_words.get(k + 1).is_none_or(|n| n.text != "bit"))
                        // A weekday in notes is the one meant: "on Tues review" is never "on a Tuesday review"
                        // (set CB, read blind, Qwen 1.5B).
                        || weekday(w)
                        // Food as it was made: "boiled egg" is never "boiled an egg", someone's act (set CI, read
                        // blind, both models).
                        || k.checked_sub(1).is_some_and(|p| PREPARED.contains(&line_words[p].text.as_str()))
                        || w.text.ends_with("n't")
                        // A verb's plain form after an act is its object ("Offered a drink").
                        || (verb && !(after_act && IRREGULAR.iter().any(|v| v[0] == w.text))))
                        && if w.clause_start { opens_noun_phrase } else { after_link || after_act },
                    participle,
                    verb,
                    untitled_initial,
                    after_one: after_one(k),
                    thing: crate::lexicon::names_a_thing(&w.text),
                    be_before: !number
                        && !name
                        // Never "was had": "At 2pm was had paracetamol" (set BE, read blind).
                        && w.text != "had"
                        && !in_acted_clause[k]
                        && (!in_none_clause[k] || participle)
                        && !done_by_doer
                        && !NO_BE_BEFORE.contains(&w.text.as_str())
                        && !names_a_day(&w.text)
                        && !(ASKING_FOR.contains(&w.text.as_str())
                            && line_words.get(k + 1).is_some_and(|n| n.text == "for"))
                        && !AMOUNTS.contains(&w.text.as_str())
                        // Nor before food as it was made: "Breakfast 2 boiled eggs" is never "Breakfast 2 was boiled
                        // eggs" (set CL, read blind, Qwen 1.5B); "eggs boiled" may be "eggs were boiled".
                        && !(PREPARED.contains(&w.text.as_str())
                            && line_words.get(k + 1).is_some_and(|n| !n.clause_start && !LINKS.contains(&n.text.as_str())))
                        // Nor right after a verb of its clause: "if stays well" is never "if stays are well".
                        && !(k > 0 && !w.clause_start && verb_like(&line_words[k - 1].text))
                        // Nor after someone and a verb's plain form, a second-language past: "Her son phone at
                        // 6pm" is never "Her son phone was at 6pm" (set CC, read blind, both models).
                        && !(k >= 2
                            && !w.clause_start
                            && !line_words[k - 1].clause_start
                            && REGULAR.contains(&line_words[k - 1].text.as_str())
                            && someone(&line_words[k - 2]))
                        // After an amount or a time, only before a participle: "Breakfast 2 weetabix" is never
                        // "Breakfast 2 was weetabix" (set AT, read blind), nor "37.2 at 2pm" "37.2 was at 2pm";
                        // "1g given" may be "1g was given". So too a word or two after one, in its clause: "2 cups
                        // tea during visit" is never "2 cups of tea was during visit", nor "2 cups tea by 10" "were
                        // by 10" (set CJ, read blind, both models); "1 slice toast left" may be "was left".
                        && (participle || past(&w.text) || w.clause_start || !after_amount(k))
                        // After a label of the day's time or meal, only someone may be where the line says:
                        // "Evening: Xbox in room" (what he did) never becomes "Xbox is in the room" (set AJ, read
                        // blind), where "Lunch: son in dining room" may be "son was in the dining room".
                        && !(PLACES.contains(&w.text.as_str())
                            && k >= 2
                            && line_words[k - 1].clause_start
                            && LABELS.contains(&line_words[k - 2].text.as_str())
                            && !someone(&line_words[k - 1]))
                        // A person "not eaten" did not eat: never "Mr Walsh was not eaten since yesterday" (set
                        // BT, read blind, both models); "Mr W not seen by GP" may be "was not seen".
                        && !(w.text == "not"
                            && k > 0
                            && someone(&line_words[k - 1])
                            && line_words.get(k + 1).is_some_and(|n| DONE_BY_ONESELF.contains(&n.text.as_str())))
                        // "She not want": never "She is not want"; nor "He not open door" "He was not open door"
                        // (set BS, read blind, Qwen 1.5B).
                        && !(w.text == "not"
                            && line_words.get(k + 1).is_some_and(|n| {
                                verb_before(&n.text, line_words.get(k + 2).map(|o| (o.text.as_str(), o.clause_start)))
                            }))
                        // Nor before a past act that opens a clause with its object after it, which is the writer's
                        // own act: "Cleaned wax guard" is never "Was cleaned the wax guard" (set CA, read blind, both
                        // models); an act done to a person first may take one ("Offered drink": "Was offered a
                        // drink"). So too after a label of the day's time, before an object: "Afternoon baked
                        // cookies" is never "Afternoon was baked cookies" (set CK, read blind, Qwen 1.5B); "Lunch
                        // packed by daughter" may be "Lunch was packed".
                        && !((w.clause_start || after_label(k))
                            && act(&w.text)
                            && !DONE_TO_SOMEONE.contains(&w.text.as_str())
                            && line_words.get(k + 1).is_some_and(|n| {
                                !n.clause_start
                                    && !numeric(&n.text)
                                    && !BE_BEFORE.contains(&n.text.as_str())
                                    && !NO_ARTICLE_BEFORE.contains(&n.text.as_str())
                            }))
                        // Nor before a place whose clause goes on to a past after a noun, where the "was" belongs:
                        // "Sensor mat by his bed checked" is never "The sensor mat was by his bed checked" (set CE,
                        // read blind, Qwen 0.5B); "on the phone when we came", "in bed and settled" may be.
                        && !(PLACES.contains(&w.text.as_str())
                            && line_words[k + 1..]
                                .iter()
                                .enumerate()
                                .take_while(|(_, n)| {
                                    !n.clause_start
                                        && !SUBORDINATORS.contains(&n.text.as_str())
                                        && !JOINING.contains(&n.text.as_str())
                                })
                                .skip(1)
                                .any(|(j, n)| past(&n.text) && !BEFORE_A_STATE.contains(&line_words[k + j].text.as_str())))
                        // A verb's plain form takes no "was": "milk finish" never becomes "milk was finish"; "door
                        // open" may still be "door was open".
                        && (!REGULAR.contains(&w.text.as_str()) || ADJECTIVES.contains(&w.text.as_str()))
                        && (participle
                            || BE_BEFORE.contains(&w.text.as_str())
                            || line_words.get(k + 1).is_none_or(|n| n.clause_start || n.text == "and")),
                }
            })
            .collect();
        let max_added = 2 + required.len() / 2;
        let marks = SENTENCE_MARKS.chars().chain(line.chars().filter(|c| !c.is_alphanumeric() && !c.is_whitespace()));
        let stop_in_quote =
            line.chars().zip(line.chars().skip(1)).any(|(a, b)| ".!?".contains(a) && QUOTES.contains(&b));
        let past_only = !future && required.iter().any(|r| r.time);
        let own = |forms: &[&str]| required.iter().any(|r| !r.quoted && forms.contains(&r.word.as_str()));
        let present_only = own(&["is", "are", "am"]) && !own(&["was", "were"]);
        let first_saying = required.iter().position(|r| REPORTING.contains(&r.word.as_str()));
        let titles = names.iter().filter(|n| TITLES.contains(&n.as_str())).cloned().collect();
        Rewrite {
            required,
            subjects,
            titles,
            max_added,
            marks: marks.collect(),
            stop_in_quote,
            past_only,
            present_only,
            first_saying,
        }
    }

    /// The rule for a wording check: [`Rewrite::new`], and a word of the line in small letters that is no English
    /// word (and no medicine's name) may also be written as the nearest English words: one letter away, or if none
    /// is, two for a word of six letters or more ("dizy" as "dizzy", "recieved" as "received"); never as a
    /// medicine's name. A contraction without its apostrophe may take it ("dont" as "don't").
    pub fn correcting_spelling(mut self) -> Self {
        let medicines = crate::lexicon::medicines();
        for r in &mut self.required {
            let w = r.word.clone();
            let plain = w.len() >= 4 && w.chars().all(|c| c.is_ascii_lowercase());
            if !plain || r.number || r.quoted || r.named || r.capitals || r.mixed || r.code.is_some() {
                continue;
            }
            if let Some((_, full)) = CONTRACTIONS.iter().find(|(bare, _)| *bare == w) {
                r.forms.push((*full).to_owned());
                continue;
            }
            if crate::lexicon::is_common(&w) || medicines.contains_key(&w) {
                continue;
            }
            // The nearest English words only: one letter away if any is, else two for a long word.
            let near = |most: usize| -> Vec<String> {
                let words = crate::lexicon::common_words().iter();
                words.filter(|c| !medicines.contains_key(*c) && edits_within(&w, c, most)).cloned().collect()
            };
            let mut fixes = near(1);
            if fixes.is_empty() && w.len() >= 6 {
                fixes = near(2);
            }
            r.forms.extend(fixes);
        }
        self
    }

    /// Whether `piece` may follow `reply` (the sentence so far): every whole word is the line's next word (in some
    /// form) or one it may add, and the word being written can still become one.
    pub fn permits(&self, reply: &str, piece: &str) -> bool {
        let complete = piece.chars().any(|c| !c.is_alphanumeric() && !c.is_whitespace()) && self.complete(reply);
        if !self.marks_allowed(reply.trim_end().chars().last(), piece, complete) {
            return false;
        }
        let text = format!("{reply}{piece}");
        // A line break ends the sentence: only once every word of the line is said.
        if piece.contains('\n') && !self.complete(reply) {
            return false;
        }
        let said = words(&text, true);
        let open = text.ends_with(|c: char| c.is_alphanumeric() || JOINERS.contains(&c));
        let (whole, partial) = match said.split_last() {
            Some((last, rest)) if open => (rest, Some(last)),
            _ => (&said[..], None),
        };
        let Ok(states) = self.read(whole) else { return false };
        let Some(partial) = partial else { return self.may_follow_mark(&text, &states) };
        // "7:" may become "7:30", and "7." may be "7" ending the sentence (or a clause, where the line goes on).
        let trimmed = Word { text: partial.text.trim_end_matches(JOINERS).to_owned(), ..partial.clone() };
        states.iter().any(|&state| {
            self.next_words(state, partial).any(|w| w.starts_with(&partial.text))
                || (trimmed.text.len() < partial.text.len() && {
                    let next = self.closure(self.step(&[state], &trimmed).collect());
                    !next.is_empty() && self.may_follow_mark(&text, &next)
                })
        })
    }

    /// Whether `text`, ending after a mark, leaves somewhere to go from `states`: after a mark that starts a
    /// clause (",", ":", "."), a word of the line that opens a clause there (also after a word the rewrite added),
    /// or, after a sentence's end, nothing more to say; no full stop before a clause that stays in its sentence;
    /// and no comma, colon or dash where only the line's brackets can come next. Refused at once, "Lunch at
    /// 12.45," for "lunch 12.45 mr nowak" is not a dead end the model must be restarted from.
    fn may_follow_mark(&self, text: &str, states: &[State]) -> bool {
        let word_end =
            text.char_indices().rev().find(|(_, c)| c.is_alphanumeric()).map_or(0, |(k, c)| k + c.len_utf8());
        let tail = &text[word_end..];
        let opens_brackets =
            |i: usize| self.required.get(i).is_some_and(|r| r.bracketed) && !(i > 0 && self.required[i - 1].bracketed);
        if tail.contains(BEFORE_NO_BRACKET) && states.iter().all(|&(i, ..)| opens_brackets(i)) {
            return false;
        }
        if !tail.contains(CLAUSE_MARKS) {
            return true;
        }
        let stop = tail.contains(['.', '!', '?']);
        let ends = stop && states.iter().any(|&(i, ..)| i == self.required.len());
        ends || states.iter().any(|&(i, ..)| {
            self.required.get(i).is_some_and(|r| (i == 0 || r.opens_clause) && !(stop && r.stays_in_sentence))
        })
    }

    /// Whether the punctuation of `text`, written after `before` (the last character before it that is not a
    /// space), may stand: marks of a sentence or of the line, each after a word (or a closing mark), except one
    /// that opens a quotation or brackets ("- - -" and a leading "- " are not writing); once the line is
    /// `complete`, only a mark that ends a sentence or closes one.
    fn marks_allowed(&self, mut before: Option<char>, text: &str, complete: bool) -> bool {
        for c in text.chars() {
            if !c.is_alphanumeric() && !c.is_whitespace() {
                let after_word = before.is_some_and(|e| e.is_alphanumeric() || CLOSING.contains(&e));
                let closing = CLOSING.contains(&c) || ".!?".contains(c);
                let opening = OPENING.contains(&c) || CURRENCY.contains(&c);
                let mark_on_bracket = c == '(' && before.is_some_and(|e| BEFORE_NO_BRACKET.contains(&e));
                // Two quotation marks in a row open and close nothing but the writer's words: "said ‘'too cold’"
                // for "said too cold".
                let quote_on_quote = QUOTES.contains(&c) && before.is_some_and(|e| QUOTES.contains(&e));
                // Nor does a quotation gain a full stop: "said 'I want my hair done Thursday.'." for "...Thursday'".
                let stop_added =
                    QUOTES.contains(&c) && before.is_some_and(|e| ".!?".contains(e)) && !self.stop_in_quote;
                if !self.marks.contains(c)
                    || !(after_word || opening)
                    || (complete && !closing)
                    || quote_on_quote
                    || mark_on_bracket
                    || stop_added
                {
                    return false;
                }
            }
            if !c.is_whitespace() {
                before = Some(c);
            }
        }
        true
    }

    /// Whether `reply` has said every word of the line, so it may end.
    pub fn complete(&self, reply: &str) -> bool {
        self.read(&words(reply, false)).is_ok_and(|states| states.iter().any(|&(i, ..)| i == self.required.len()))
    }

    /// The byte spans of the words `text` adds to the line (grammar, a pronoun, the person's name for an initial
    /// is not one): the words a reviewer reads against the notes first, since only they can change what the line
    /// says ("The mood of good all day"). The line's words are matched in order, as many as can be.
    pub fn added_words(&self, text: &str) -> Vec<(usize, usize)> {
        let said = words(text, false);
        let (n, m) = (said.len(), self.required.len());
        // Longest common subsequence of the sentence's words and the line's (in any of its forms).
        let mut best = vec![vec![0usize; m + 1]; n + 1];
        for i in (0..n).rev() {
            for j in (0..m).rev() {
                best[i][j] = if self.required[j].forms.contains(&said[i].text) {
                    best[i + 1][j + 1] + 1
                } else {
                    best[i + 1][j].max(best[i][j + 1])
                };
            }
        }
        let (mut i, mut j, mut added) = (0, 0, Vec::new());
        while i < n {
            if j < m && self.required[j].forms.contains(&said[i].text) && best[i][j] == best[i + 1][j + 1] + 1 {
                (i, j) = (i + 1, j + 1);
            } else if j < m && best[i][j + 1] >= best[i + 1][j] {
                j += 1;
            } else {
                added.push(i);
                i += 1;
            }
        }
        // The words' places in `text`, found in order.
        let (mut from, mut spans, mut next) = (0, Vec::new(), added.iter().peekable());
        for (k, word) in said.iter().enumerate() {
            let Some((at, end)) = find_word(text, &word.text, from) else { break };
            from = end;
            if next.peek() == Some(&&k) {
                next.next();
                spans.push((at, end));
            }
        }
        spans
    }

    /// What is wrong with `text` as a rewrite of the line, if anything: the first word it adds, changes or moves,
    /// or the first word of the line it leaves out.
    pub fn check(&self, text: &str) -> Result<(), String> {
        if !self.marks_allowed(None, text, false) {
            return Err("has punctuation the line does not, or marks with no word before them".into());
        }
        let said = words(text, false);
        let mut states = self.start();
        for (k, word) in said.iter().enumerate() {
            let next: Vec<State> = self.closure(self.step(&states, word).collect());
            if next.is_empty() {
                let owed = states.iter().map(|&(i, ..)| i).min().unwrap_or(0);
                let added = states.iter().map(|&(_, n, ..)| n).min().unwrap_or(0);
                return Err(match self.required.get(owed) {
                    _ if added >= self.max_added && self.insertable(&word.text, owed, true, true) => {
                        format!("adds more than {} words to the line (at {:?})", self.max_added, word.text)
                    }
                    Some(r) if r.forms.contains(&word.text) => format!(
                        "writes {:?} (word {}) {}",
                        word.text,
                        k + 1,
                        if r.region() != word.region() {
                            "outside the quotation marks or brackets the line has it in, or inside ones it lacks"
                        } else if r.hyphen_joined != word.hyphen_joined {
                            "hyphened where the line is not, or the reverse"
                        } else if r.capitals && !word.capitals {
                            "in small letters where the line has capitals"
                        } else if word.capitals && !r.capitals && !r.mixed {
                            "in capitals where the line has small letters"
                        } else if r.mixed && !word.mixed && !word.capitals {
                            "in small letters where the line has capitals"
                        } else if word.mixed && !r.mixed {
                            "with a capital letter inside it"
                        } else if r.named && !word.capital {
                            "in small letters where the line writes a name with a capital"
                        } else if r.small && word.capital && !word.sentence_start {
                            "with a capital inside a sentence, where the line has small letters"
                        } else if r.code.is_some_and(|c| c != word.capital) {
                            "with its letter's case changed, where the line has a code of letters and digits"
                        } else {
                            "without the clause break the line has before it, or with one it lacks"
                        }
                    ),
                    Some(r) => format!("writes {:?} (word {}) where the line has {:?}", word.text, k + 1, r.word),
                    None => format!("writes {:?} (word {}) after the line's last word", word.text, k + 1),
                });
            }
            states = next;
        }
        let owed = states.iter().map(|&(i, ..)| i).max().unwrap_or(0);
        if owed < self.required.len() {
            let left: Vec<&str> = self.required[owed..].iter().map(|r| r.word.as_str()).collect();
            return Err(format!("leaves out {:?}", left.join(" ")));
        }
        Ok(())
    }

    /// The states after reading `said` (all whole words), or an error when no reading fits.
    fn read(&self, said: &[Word]) -> Result<Vec<State>, ()> {
        let mut states = self.start();
        for word in said {
            states = self.closure(self.step(&states, word).collect());
            if states.is_empty() {
                return Err(());
            }
        }
        Ok(states)
    }

    fn start(&self) -> Vec<State> {
        self.closure(vec![(0, 0, false, true)])
    }

    /// Adds the states reached by leaving out droppable words; keeps, for each place in the line, the fewest
    /// added words.
    fn closure(&self, mut states: Vec<State>) -> Vec<State> {
        let mut k = 0;
        while k < states.len() {
            let (i, n, joined, fresh) = states[k];
            if self.required.get(i).is_some_and(|r| r.droppable) {
                states.push((i + 1, n, joined, fresh));
            }
            k += 1;
        }
        states.sort_unstable_by_key(|&(i, n, joined, fresh)| (i, !joined, fresh, n));
        states.dedup_by_key(|s| (s.0, s.2, s.3));
        states
    }

    /// The states one whole word leads to. A word of a quotation must stand in quotation marks, and only there.
    fn step<'a>(&'a self, states: &'a [State], word: &'a Word) -> impl Iterator<Item = State> + 'a {
        states.iter().filter(|&&state| self.keeps_clauses_apart(state, word)).flat_map(move |&(i, n, joined, fresh)| {
            let said = self.required.get(i).is_some_and(|r| r.matches(word));
            let added = word.region() == (false, false)
                && !word.hyphen_joined
                && !word.capitals
                && n < self.max_added
                && self.insertable(&word.text, i, joined, fresh);
            let joins = joined || self.subjects.iter().any(|(s, _)| *s == word.text);
            [said.then_some((i + 1, n, false, true)), added.then_some((i, n + 1, joins, false))].into_iter().flatten()
        })
    }

    /// Whether `word` may stand in `state` as far as clauses go: right after a word of the line, the next word
    /// starts a clause (after a comma, a full stop...) where, and only where, the line starts one: "Drinking
    /// fluids, reduced appetite" never reads "Drinking fluids reduced appetite", nor "per night staff" "per night,
    /// staff". After a word the rewrite added, a clause of the line may open earlier (with an added subject: "ate
    /// all, she was happy"), but no clause starts where the line has none: "to stay as now" is never "to stay as
    /// is. Now." (set BE, read blind).
    fn keeps_clauses_apart(&self, (i, _, _, fresh): State, word: &Word) -> bool {
        // Nor does a colon go after a number where the line has none: "asleep at 11, 12, 1" is never "asleep at
        // 11: 12: 1", which reads as a clock time (set BF, read blind, both models).
        (!word.number_colon || self.required.get(i).is_some_and(|r| r.number_colon))
            && (i == 0
                || self.required.get(i).is_none_or(|r| {
                    if fresh { r.opens_clause == word.clause_start } else { r.opens_clause || !word.clause_start }
                }))
    }

    /// Whether `word` may be added where the line's word `i` is owed next; `joined`: a subject was added since
    /// the line's last word; `fresh`: the word before is the line's own (or none).
    fn insertable(&self, word: &str, i: usize, joined: bool, fresh: bool) -> bool {
        let Some(next) = self.required.get(i) else { return false };
        // Nothing inside a quotation or brackets, nor before one: "He said he 'see you tomorrow'".
        if next.region() != (false, false) {
            return false;
        }
        if BEFORE_NUMBER.contains(&word) || next.number {
            return BEFORE_NUMBER.contains(&word) && next.time;
        }
        if ARTICLES.contains(&word) {
            // "a" before a consonant's sound, "an" before a vowel's: never "A extra blanket" (set AB). Words in
            // "u" and "h" take either ("a uniform", "an hour").
            let vowel = next.word.starts_with(['a', 'e', 'i', 'o']);
            let either = next.word.starts_with(['u', 'h']);
            let agrees = match word {
                "a" => !vowel,
                "an" => vowel || either,
                _ => true,
            };
            return next.article_before && agrees;
        }
        if BE.contains(&word) {
            // Never before a verb of saying: "said he was in the bathroom" is not "was said he was ...". And "is"
            // or "are" before a past participle makes a record a routine ("paracetamol is given at 14:10"), and
            // in a line told at a clock time the present is wrong.
            let routine = next.participle && !next.word.ends_with("ing");
            let present_wrong = matches!(word, "is" | "are") && (routine || self.past_only);
            let past_wrong = matches!(word, "was" | "were") && self.present_only;
            // "Mrs Patel already are up" (set BH, read blind, Qwen 1.5B): one person is never "are" or "were".
            let plural_wrong = matches!(word, "are" | "were") && next.after_one && !joined;
            // And only after a word of the line or an added subject: never "to stay as is is now" (set BE, read
            // blind, Qwen 1.5B).
            return next.be_before
                && !present_wrong
                && !past_wrong
                && !plural_wrong
                && !REPORTING.contains(&next.word.as_str())
                && (joined || (fresh && !next.opens_clause));
        }
        if let Some((_, after)) = self.subjects.iter().find(|(s, _)| s == word) {
            // Only after the line has said it: "After he left was tearful" never becomes "He after he left was
            // tearful", which gives the son's leaving to the person.
            // And only as a verb's subject: never "She appointment was booked". Nor before a clause the line opens
            // with a past act, whose doer is the writer: "said he wants to say no, talked through options" never
            // becomes "He talked through options" (set Y).
            // Nor after a verb of saying, where the line may go on with what was said: "She said thank you, sleep
            // well" never becomes "She sleep well" (set Y, Qwen 1.5B).
            // Nor before a thing no person is, where the line goes on with what was had: "He eat toast and jam,
            // coffee" never becomes "He was coffee" (set BN, read blind, Qwen 0.5B).
            return i >= *after
                && !joined
                && (next.verb || (next.be_before && !next.thing))
                && !(next.opens_clause && past(&next.word))
                && self.first_saying.is_none_or(|s| i <= s);
        }
        if self.titles.iter().any(|t| t == word) {
            return fresh && next.untitled_initial;
        }
        if word == "did" {
            // Not before a verb whose past participle is its plain form: a second-language "He not hurt" is "he
            // was not hurt", never "He did not hurt" (set BL, read blind, both models).
            return next.word == "not"
                && fresh
                && self.required.get(i + 1).is_some_and(|n| {
                    let after = self.required.get(i + 2).map(|o| (o.word.as_str(), o.opens_clause));
                    verb_before(&n.word, after) && !one_form(&n.word)
                });
        }
        // "to" only before a verb that is never a thing, with more of its clause to come: "want use it" is "want
        // to use it".
        if word == "to" {
            let clause_goes_on = self.required.get(i + 1).is_some_and(|n| !n.opens_clause);
            return fresh
                && !next.opens_clause
                && TO_VERBS.contains(&next.word.as_str())
                && clause_goes_on
                && i > 0
                && wanting(&self.required[i - 1].word);
        }
        // "of" only after an amount ("half of", "2 cups of squash", "1 glass of OJ"): never "The mood of good all
        // day", "The back of asleep", "left of heel"; and before what it is an amount of, never before a link or a
        // verb's particle: "ate 3/4 + jelly" is never "ate three quarters of and jelly" (set AZ, read blind), nor
        // "old one off L arm" "The old one of off left arm" (set BD); nor before a day: "had 1.2L today" is never
        // "Had 1.2L of today" (sets BU and BY, read blind, Qwen 1.5B); nor before "each": "1 drop each eye" is never
        // "1 drop of each eye" (set CD, read blind, Qwen 1.5B), nor before a word of when or where: "Drinks 5 cups so
        // far" is never "Drinks 5 cups of so far" (set CH, read blind, Qwen 0.5B), nor "No one there" "No one of
        // there" (set CK).
        if word == "of" {
            let number_at =
                |k: Option<usize>| k.and_then(|k| self.required.get(k)).is_some_and(|r| r.number && !r.time);
            // Right after a word of the line: one "of" at a time, never "No one of of of there" (set CK, read
            // blind, Qwen 1.5B).
            return fresh
                && !next.opens_clause
                && !LINKS.contains(&next.word.as_str())
                && !PARTICLES.contains(&next.word.as_str())
                && !names_a_day(&next.word)
                && !NOT_AFTER_OF.contains(&next.word.as_str())
                && (number_at(i.checked_sub(1)) || number_at(i.checked_sub(2)));
        }
        // Clauses stay apart: "blanching, barrier cream applied" never becomes "blanching and barrier cream were
        // applied", nor "R side, pressure areas intact" "the right side of the pressure area".
        GRAMMAR.contains(&word) && !next.opens_clause
    }

    /// Every whole word that may come next in `state` where `word` stands (inside a quotation or brackets, or not).
    fn next_words(&self, state: State, word: &Word) -> impl Iterator<Item = &str> + '_ {
        let (i, n, joined, fresh) = state;
        let apart = self.keeps_clauses_apart(state, word);
        let (region, hyphen_joined) = (word.region(), word.hyphen_joined);
        // A word still being written in capitals so far (one capital letter is not yet a lower-case word).
        let upper = word.capitals || word.initial;
        let (capitals, mixed, capital, sentence_start) = (word.capitals, word.mixed, word.capital, word.sentence_start);
        let own = self
            .required
            .get(i)
            .filter(move |r| {
                apart
                    && r.region() == region
                    && r.hyphen_joined == hyphen_joined
                    && (!r.capitals || upper)
                    // Capitals so far may still become the line's "ADLs"; a capital after small letters only
                    // where the line has one.
                    && (!capitals || r.capitals || r.mixed)
                    && (!mixed || r.mixed)
                    && (!r.named || capital)
                    && (!r.small || !capital || sentence_start)
                    && r.code.is_none_or(|c| c == capital)
            })
            .into_iter()
            .flat_map(|r| r.forms.iter().map(String::as_str));
        let added = GRAMMAR
            .iter()
            .chain(BEFORE_NUMBER)
            .chain(AUXILIARY)
            .copied()
            .chain(self.subjects.iter().map(|(s, _)| s.as_str()))
            .chain(self.titles.iter().map(String::as_str))
            .filter(move |w| {
                apart
                    && region == (false, false)
                    && !hyphen_joined
                    && !capitals
                    && n < self.max_added
                    && self.insertable(w, i, joined, fresh)
            });
        own.chain(added)
    }
}

impl Required {
    /// Inside a quotation, inside brackets.
    fn region(&self) -> (bool, bool) {
        (self.quoted, self.bracketed)
    }

    /// Whether `word` says this word of the line, where the line has it: inside the same quotation or brackets,
    /// hyphened to the word before only if the line is ("Co-op", never "Risk-explained"), in capitals if the line's
    /// word is ("SOB", never "sob"), a code of letters and digits in the line's case ("x3", never "X3").
    fn matches(&self, word: &Word) -> bool {
        self.region() == word.region()
            && self.hyphen_joined == word.hyphen_joined
            && (!self.capitals || word.capitals)
            && (!word.capitals || self.capitals || self.mixed)
            && (!self.mixed || word.mixed || word.capitals)
            && (!word.mixed || self.mixed)
            && (!self.named || word.capital)
            && (!self.small || !word.capital || word.sentence_start)
            && self.code.is_none_or(|c| c == word.capital)
            && !(self.stays_in_sentence && word.sentence_start)
            && self.forms.contains(&word.text)
    }
}

impl Word {
    /// Inside a quotation, inside brackets.
    fn region(&self) -> (bool, bool) {
        (self.quoted, self.bracketed)
    }
}

/// Marks never put right before brackets: "102/64 (usually 130s)" is not "102/64, (usually 130s)", nor "food from
/// home (curry)" "food from home - (curry)" (sets BM and BN, read blind, both models).
const BEFORE_NO_BRACKET: [char; 5] = [',', ';', ':', '-', '–'];

/// Marks after which a new clause starts (and an unhyphened "-").
const CLAUSE_MARKS: [char; 6] = [',', ';', ':', '.', '–', '('];

/// Characters that join the parts of one word: "didn't", "7:30", "12.45", "1/2".
const JOINERS: &[char] = &['\'', '’', ':', '.', '/', ','];

/// A word of a text.
#[derive(Debug, Clone)]
struct Word {
    /// Lower case, "’" as "'".
    text: String,
    /// Inside a quotation.
    quoted: bool,
    /// Inside brackets.
    bracketed: bool,
    /// Joined to the word before by a hyphen or slash ("op" of "Co-op", "d" of "pack/d").
    hyphen_joined: bool,
    /// Two letters or more, every letter a capital.
    capitals: bool,
    /// A capital after the first letter without the whole word in capitals ("McDonald", "AMLodipine").
    mixed: bool,
    /// A single capital letter: a person's initial.
    initial: bool,
    /// Begins with a capital letter.
    capital: bool,
    /// The first word of the text or after a comma, colon, semicolon, dash or full stop: a clause's first.
    clause_start: bool,
    /// The first word of the text or after a full stop, question or exclamation mark: a sentence's first, the only
    /// place an ordinary word the line writes in small letters may take a capital ("PM: art group", never "PM: Art
    /// group"; sets AR and AT, read blind).
    sentence_start: bool,
    /// After a colon that follows a number ("asleep at 11: 12"), where a reader sees a clock time.
    number_colon: bool,
}

/// The words of `text`: letters and digits, with an apostrophe inside a word, ":", ".", "/" or "," between
/// digits and a currency sign before them kept; quotation marks (an apostrophe not inside a word) start and end a
/// quotation. With `open_end`, the text is still being written: a joiner at its very end stays on the last word
/// ("7:" may become "7:30").
fn words(text: &str, open_end: bool) -> Vec<Word> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut current = String::new();
    let (mut quoted, mut bracketed) = (false, false);
    let mut starts = (true, true);
    let mut hyphen_joined = false;
    let mut number_colon = false;
    let push = |current: &mut String,
                (quoted, bracketed): (bool, bool),
                hyphen_joined: bool,
                (clause_start, sentence_start): &mut (bool, bool),
                number_colon: &mut bool,
                out: &mut Vec<Word>| {
        if !current.is_empty() {
            let initial = current.chars().count() == 1 && current.chars().all(char::is_uppercase);
            let letters = current.chars().filter(|c| c.is_alphabetic());
            let capitals = letters.clone().count() >= 2 && letters.clone().all(char::is_uppercase);
            let mixed = !capitals && current.chars().skip(1).any(char::is_uppercase);
            let capital = current.starts_with(char::is_uppercase);
            let text = current.to_lowercase().replace('’', "'");
            out.push(Word {
                text,
                quoted,
                bracketed,
                hyphen_joined,
                capitals,
                mixed,
                initial,
                capital,
                clause_start: *clause_start,
                sentence_start: *sentence_start,
                number_colon: *number_colon,
            });
            (*clause_start, *sentence_start, *number_colon) = (false, false, false);
            current.clear();
        }
    };
    for (k, &c) in chars.iter().enumerate() {
        let prev = k.checked_sub(1).map(|p| chars[p]);
        let next = chars.get(k + 1).copied();
        if c.is_alphanumeric() {
            current.push(c);
            continue;
        }
        let between_letters = prev.is_some_and(char::is_alphanumeric) && next.is_some_and(char::is_alphanumeric);
        let between_digits = prev.is_some_and(|p| p.is_ascii_digit()) && next.is_some_and(|n| n.is_ascii_digit());
        let apostrophe = c == '\'' || c == '’';
        if (apostrophe && between_letters) || (JOINERS.contains(&c) && !apostrophe && between_digits) {
            current.push(c);
            continue;
        }
        // A currency sign belongs to its amount: "£45" is never written "45".
        if CURRENCY.contains(&c)
            && current.is_empty()
            && (next.is_some_and(|n| n.is_ascii_digit()) || (open_end && next.is_none()))
        {
            current.push(c);
            continue;
        }
        // A joiner at the very end may still join: it stays on the word being written.
        if open_end && next.is_none() && JOINERS.contains(&c) && prev.is_some_and(char::is_alphanumeric) {
            current.push(c);
            continue;
        }
        push(&mut current, (quoted, bracketed), hyphen_joined, &mut starts, &mut number_colon, &mut out);
        number_colon |= c == ':' && prev.is_some_and(|p| p.is_ascii_digit());
        hyphen_joined = matches!(c, '-' | '/')
            && prev.is_some_and(char::is_alphanumeric)
            && next.is_some_and(char::is_alphanumeric);
        match c {
            '(' | '[' => bracketed = true,
            ')' | ']' => bracketed = false,
            _ => {}
        }
        if CLAUSE_MARKS.contains(&c) || (c == '-' && !hyphen_joined) {
            starts.0 = true;
        }
        if matches!(c, '.' | '!' | '?') {
            starts = (true, true);
        }
        if matches!(c, '"' | '“' | '”' | '‘') || (apostrophe && !between_letters) {
            quoted = !quoted;
        }
    }
    push(&mut current, (quoted, bracketed), hyphen_joined, &mut starts, &mut number_colon, &mut out);
    out
}

/// The byte span of `word` (as [`words`] gives it: lower case, "’" as "'") as a whole word in `text` at or after
/// `from`.
fn find_word(text: &str, word: &str, from: usize) -> Option<(usize, usize)> {
    let count = word.chars().count();
    let rest = text.get(from..)?;
    rest.char_indices().find_map(|(k, _)| {
        let at = from + k;
        let end = text[at..].char_indices().nth(count).map_or(text.len(), |(e, _)| at + e);
        let candidate: String = text[at..end].to_lowercase().replace('’', "'");
        let before = text[..at].chars().next_back().is_none_or(|c| !c.is_alphanumeric());
        let after = text[end..].chars().next().is_none_or(|c| !c.is_alphanumeric());
        (candidate == word && before && after).then_some((at, end))
    })
}

/// Words that put a line in the future, where a plain verb is not made past.
const FUTURE: &[&str] = &["tomorrow", "tonight", "later", "soon", "next", "will", "going"];

/// Words that put a weekday in the past ("last Sunday", "on Monday, two days ago").
pub(crate) const PAST_DAY: &[&str] = &["last", "yesterday", "ago", "was", "were"];

/// Verbs that describe or report rather than act on a thing, or that a plain verb follows, and "left", as often a
/// side as a verb: no article follows them ("Seemed a low", "Said a lovely day", "Helped a dress" for "helped
/// dress", "Eye drops left the eye" for "L eye"). Nor verbs of urging, whose object is what was urged: "Encouraged
/// the fluids", "advised the push fluids", "Advised the GP tomorrow" (to see the GP, not advice to the GP) and
/// "Prompted the lunchtime medicines", read blind in kept drafts and the dev set's.
const NOT_ACTS: &[&str] = &[
    "was",
    "were",
    "said",
    "seemed",
    "appeared",
    "looked",
    "felt",
    "sounded",
    "became",
    "remained",
    "stayed",
    "helped",
    "let",
    "left",
    "advised",
    "encouraged",
    "prompted",
    "suggested",
    "recommended",
    "reminded",
];

/// Whether `word` is a past act that takes an object ("offered", "made", "changed").
fn act(word: &str) -> bool {
    !NOT_ACTS.contains(&word) && past(word)
}

/// Whether `word` is a verb's past: an irregular one's ("made", "left") or a word in "-ed" after a stem of three
/// letters or more ("checked"; not "bed").
fn past(word: &str) -> bool {
    IRREGULAR.iter().any(|v| v[2] == word) || word.strip_suffix("ed").is_some_and(|s| s.chars().count() >= 3)
}

/// Verbs' "-s" forms that in care notes are mostly things ("falls log", "drinks given", "cuts on hands"): kept as
/// written but after a subject ("she falls asleep"), never put in the past ("The nurse Kim informed 3.50, fell log
/// done" for "falls log done": set BF, read blind, Qwen 0.5B).
const THINGS_IN_S: &[&str] = &["falls", "drinks", "cuts", "breaks", "rings", "bites"];

/// Words in "-ing" that are never verbs ("during visit" is not a participle after which "was" may go).
const NOT_VERBS: &[&str] = &[
    "during",
    "morning",
    "evening",
    "nothing",
    "something",
    "anything",
    "everything",
    "ceiling",
    "pudding",
    "wedding",
    "sibling",
];

/// Whether `word` looks like a verb: a form of an irregular one, the "-s" form of a regular one ("reports"), a
/// word ending in "ed" or "ing" after a stem of three letters or more ("heated", "walking"; not "bed" or "red", nor
/// one of [`NOT_VERBS`]), or a regular one's "-ing" ("using").
fn verb_like(word: &str) -> bool {
    if NOT_VERBS.contains(&word) {
        return false;
    }
    IRREGULAR.iter().any(|forms| forms.contains(&word))
        || regular_present(word)
        || ["ed", "ing"].iter().any(|e| word.strip_suffix(e).is_some_and(|s| s.chars().count() >= 3))
        || word.strip_suffix("ing").is_some_and(|s| REGULAR.contains(&format!("{s}e").as_str()))
}

/// The forms a rewrite may write for the line's `word`: itself, or, for an irregular verb in its present form, its
/// past ("said" for "says", "felt" for "feels"). Nothing else: "drink" (a noun as often as a verb) never becomes
/// "drinking" or "drank", "walked" never "walking", "ate" never "eaten", "choice" never "choices".
fn forms_of(word: &str) -> Vec<String> {
    if THINGS_IN_S.contains(&word) {
        return vec![word.to_owned()];
    }
    match IRREGULAR.iter().find(|forms| forms[1] == word) {
        Some(forms) => vec![word.to_owned(), forms[2].to_owned()],
        None => vec![word.to_owned()],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        let has = |w: &str, f: &str| forms_of(w).contains(&f.to_owned());
        assert!(has("says", "said") && has("feels", "felt") && !has("went", "gone") && !has("own", "owned"));
        assert!(!has("drink", "drinking") && !has("drink", "drank") && !has("says", "saying") && !has("eat", "ate"));
        assert!(!has("choice", "choices") && !has("fluids", "fluid") && !has("beans", "beaned"));
        assert!(!has("applied", "application") && !has("resolved", "resolution") && !has("red", "re"));
        assert!(!has("walked", "walking") && !has("ate", "eaten") && !has("passed", "passing"));
    }

    #[test]
    fn regular_verbs_are_regular() {
        assert!(REGULAR.iter().all(|r| !IRREGULAR.iter().any(|v| v[0] == *r)));
        let pasts: Vec<String> = ["check", "change", "try", "play", "empty"].map(regular_past).into();
        assert_eq!(pasts, ["checked", "changed", "tried", "played", "emptied"]);
    }

    #[test]
    fn words_keep_times_and_quotes() {
        let w = words("AM call 7:30, said 'I'll wait' 12.45 1/2 J", false);
        let texts: Vec<&str> = w.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(texts, ["am", "call", "7:30", "said", "i'll", "wait", "12.45", "1/2", "j"]);
        assert!(w[4].quoted && w[5].quoted && !w[6].quoted && w[8].initial);
        assert_eq!(words("at 7:", true).last().map(|w| w.text.as_str()), Some("7:"));
    }
}
