//! A letter's points put in the letter's own voice, by rule, before the model writes a word: "To Mrs Grey's son"
//! becomes the greeting, "tell him about her fall" becomes "I am writing to let you know about her fall", "ask him
//! to bring her shoes" becomes "Please bring her shoes". Each voiced point is then written under the rewrite rule
//! like a line of a care note, so the model adds grammar only: it cannot move a fall from the mother to the son or
//! turn a visit to come into one that took place (Qwen 0.5B and 1.5B did both in one pass, read blind).
//!
//! The recipient is whoever the first instruction is to ("tell him", "invite them"); a later point that says what
//! they can do ("Say they can join by phone if they cannot come") is said to them ("You can join by phone if you
//! cannot come"). No other pronoun is changed: "her" in "bring her walking shoes" is the person the letter is about.

/// What one clause of a letter's points becomes. A clause with neither is part of the greeting before it (the
/// name in "To the GP, Dr Obi") or a label on its own ("Purpose:").
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Voiced {
    /// The greeting, for the clause that says who the letter is to.
    pub greeting: Option<Greeting>,
    /// The point, said to the recipient.
    pub line: Option<String>,
}

/// How a letter opens and closes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Greeting {
    /// "Dear Sue,", or "Dear \[name\]," when the points name nobody.
    pub text: String,
    /// The points say it is an email: it ends "Kind regards", a letter "Yours sincerely".
    pub email: bool,
}

/// Words that open the clause saying who the letter is to.
const TO: &[&str] = &["to", "dear", "letter to", "email to", "e-mail to", "note to", "message to", "write to"];

/// Words after which the rest of that clause is what the letter is about ("email to pharmacy re Mrs Young", with
/// "re" expanded).
const ABOUT: &[&str] = &["about", "regarding"];

/// Words before a name that make it not the recipient's ("To the family of Mrs Carr").
const NOT_RECIPIENT: &[&str] = &["of", "for", "about", "regarding"];

/// Labels before a point ("Purpose: ..."): left out of the letter.
const LABELS: &[&str] = &["purpose", "points", "point", "reason", "also", "then"];

/// The pronouns an instruction may be to, with the subject form that stands for the recipient later.
const RECIPIENTS: &[(&str, &str)] = &[("him", "he"), ("her", "she"), ("them", "they")];

/// The verbs of the instructions [`voice`] puts in the letter's voice.
const INSTRUCTIONS: &[&str] = &[
    "tell",
    "inform",
    "let",
    "ask",
    "thank",
    "invite",
    "remind",
    "say",
    "explain",
    "mention",
    "apologise",
    "apologize",
    "request",
    "report",
    "confirm",
];

/// Words after which a subject pronoun starts a clause: "if they cannot come".
const CLAUSE_OPENERS: &[&str] = &["if", "when", "whether", "that", "because", "so"];

/// Reads each clause of a letter's points (in order, shorthand expanded) into its place in the letter. Only the
/// first clause can say who the letter is to; a clause of a name right after it completes the greeting.
pub fn voice(clauses: &[&str]) -> Vec<Voiced> {
    let mut recipient: Option<&str> = None;
    let mut out: Vec<Voiced> = Vec::with_capacity(clauses.len());
    for (k, clause) in clauses.iter().enumerate() {
        if k == 0
            && let Some((greeting, about)) = greeting(clause)
        {
            out.push(Voiced { greeting: Some(greeting), line: about.map(|a| format!("I am writing about {a}")) });
            continue;
        }
        // "To the GP, Dr Obi": the name after the greeting's clause is who it greets.
        if k == 1
            && out[0].line.is_none()
            && let (Some(greeting), Some(name)) = (out[0].greeting.as_mut(), name_alone(clause))
        {
            greeting.text = format!("Dear {name},");
            out.push(Voiced::default());
            continue;
        }
        // A label on its own ("Purpose:") says nothing to the reader.
        let (line, to) = in_voice(clause, recipient);
        recipient = recipient.or(to);
        out.push(Voiced { greeting: None, line: Some(line).filter(|l| !l.is_empty()) });
    }
    out
}

/// The letter's points about the person called `person` as Tend puts them in its voice, greeting and lines one per
/// line: with the points themselves, what backs a letter drafted from them ("I am writing to let you know" is
/// Tend's rule, not a passage of the prompt's example or a fact the points lack).
pub fn voiced_text(points: &str, person: Option<&str>) -> String {
    let items = crate::items::read_items_about(points, person);
    let clauses: Vec<&str> = items.iter().map(|i| i.expanded.as_str()).collect();
    voice(&clauses)
        .into_iter()
        .flat_map(|v| v.greeting.map(|g| g.text).into_iter().chain(v.line))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The greeting for a clause that says who the letter is to, and what the letter is about when the clause says
/// ("email to pharmacy about Mrs Young"); `None` for any other clause.
fn greeting(clause: &str) -> Option<(Greeting, Option<String>)> {
    let clause = clause.trim().trim_end_matches(['.', ',', ':']);
    let lower = clause.to_lowercase();
    let opener = TO.iter().filter(|t| lower.starts_with(&format!("{t} "))).max_by_key(|t| t.len())?;
    let mut who: Vec<&str> = clause[opener.len()..].split_whitespace().collect();
    let about_at = who.iter().position(|w| ABOUT.contains(&w.to_lowercase().as_str()));
    let about = about_at.map(|k| who.split_off(k)[1..].join(" ")).filter(|a| !a.is_empty());
    let who = who.join(" ");
    // "the day centre manager, Sue": the name after the last comma; "Mrs Grey", "daughter Nisha": the capitals at
    // its end, unless they name someone else ("the family of Mrs Carr").
    let name = match who.rsplit_once(", ") {
        Some((_, after)) => name_alone(after),
        None => {
            let words: Vec<&str> = who.split_whitespace().collect();
            let run = words.iter().rev().take_while(|w| capital_word(w)).count();
            let before = words.len() - run;
            let other = before > 0 && NOT_RECIPIENT.contains(&words[before - 1].to_lowercase().as_str());
            (run > 0 && run <= 3 && !other).then(|| words[before..].join(" "))
        }
    };
    let email = opener.starts_with("email") || opener.starts_with("e-mail");
    let text = format!("Dear {},", name.as_deref().unwrap_or("[name]"));
    Some((Greeting { text, email }, about))
}

/// A word of a name: starts with a capital, letters (a hyphen, a full stop) only: not a possessive ("Grey's") or a
/// label ("Purpose:").
fn capital_word(word: &str) -> bool {
    word.starts_with(char::is_uppercase) && word.chars().all(|c| c.is_alphabetic() || c == '-' || c == '.')
}

/// `clause` when it is a name and nothing else: one to three words, each with a capital.
fn name_alone(clause: &str) -> Option<String> {
    let words: Vec<&str> = clause.split_whitespace().collect();
    (!words.is_empty() && words.len() <= 3 && words.iter().all(|w| capital_word(w))).then(|| words.join(" "))
}

/// `clause` said to the recipient, and the recipient's subject pronoun when the clause is an instruction to one.
fn in_voice<'a>(clause: &str, recipient: Option<&'a str>) -> (String, Option<&'a str>) {
    let mut words: Vec<&str> = clause.split_whitespace().collect();
    // "Purpose: tell him ...": the label is for Tend, not the reader.
    if words
        .first()
        .is_some_and(|w| w.ends_with(':') && LABELS.contains(&w.trim_end_matches(':').to_lowercase().as_str()))
    {
        words.remove(0);
    }
    // "Please ask if ..." (with "pls" expanded) is the same instruction as "ask if ...".
    if words.len() > 1
        && words[0].eq_ignore_ascii_case("please")
        && INSTRUCTIONS.contains(&words[1].to_lowercase().as_str())
    {
        words.remove(0);
    }
    let lower: Vec<String> = words.iter().map(|w| w.to_lowercase()).collect();
    let at = |k: usize| lower.get(k).map_or("", String::as_str);
    let rest = |k: usize| words.get(k..).map_or_else(String::new, |w| w.join(" "));
    // The recipient is who an instruction is to ("tell him"), never the object of a note ("Helped her dress").
    let pronoun = RECIPIENTS
        .iter()
        .find(|(object, _)| INSTRUCTIONS.contains(&at(0)) && *object == at(1))
        .map(|&(_, subject)| subject);
    let said = |k: usize| to_recipient(&rest(k), pronoun.or(recipient));
    let line = match (at(0), pronoun.is_some()) {
        ("tell" | "inform", true) => format!("I am writing to let you know {}", rest(2)),
        ("let", true) if at(2) == "know" => format!("I am writing to let you know {}", rest(3)),
        ("ask", true) if at(2) == "to" => format!("Please {}", said(3)),
        ("ask", true) if ["if", "whether"].contains(&at(2)) => format!("Please let me know if {}", said(3)),
        ("ask", true) if ["about", "for"].contains(&at(2)) => format!("I would like to ask you {}", rest(2)),
        ("ask", false) if ["if", "whether"].contains(&at(1)) => format!("Please let me know if {}", said(2)),
        ("ask", false) if ["about", "for"].contains(&at(1)) => format!("I am writing to ask {}", rest(1)),
        ("thank", true) if at(2) == "for" => format!("Thank you {}", rest(2)),
        ("thank", true) if words.len() == 2 => "Thank you".to_owned(),
        ("thank", false) if at(1) == "for" => format!("Thank you {}", rest(1)),
        ("invite", true) if at(2) == "to" => format!("I would like to invite you {}", rest(2)),
        ("remind", true) => format!("Please remember {}", rest(2)),
        ("say" | "explain" | "mention", _) => said(if at(1) == "that" { 2 } else { 1 }),
        ("apologise" | "apologize", _) if ["for", "about", "that"].contains(&at(1)) => {
            format!("I am sorry {}", rest(1))
        }
        ("request" | "report" | "confirm", _) => format!("I am writing to {} {}", at(0), rest(1)),
        _ => words.join(" "),
    };
    (line, pronoun)
}

/// `text` with the recipient's subject pronoun ("they", for a letter "invite them" opened) said as "you" where it
/// opens the text or a clause ("they can join by phone if they cannot come").
fn to_recipient(text: &str, recipient: Option<&str>) -> String {
    let Some(subject) = recipient else { return text.to_owned() };
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut out: Vec<&str> = Vec::with_capacity(words.len());
    for (k, word) in words.iter().enumerate() {
        let opens = k == 0 || CLAUSE_OPENERS.contains(&words[k - 1].to_lowercase().as_str());
        out.push(if opens && word.eq_ignore_ascii_case(subject) { "you" } else { word });
    }
    out.join(" ")
}
