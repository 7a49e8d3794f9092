//! Grounding: every fact in a draft must be supported by the worker's text, and every fact in the worker's text
//! should reach the draft. Also the polarity of events: "declined tea" in the notes against "had tea" in the draft.

use std::collections::{HashMap, HashSet};

use crate::facts::{Fact, FactKind, Word, affirmed_words, counted, extract_facts, words};
use crate::{Finding, FindingKind, Location};

/// Which grounding findings a task wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scope {
    /// Kinds of fact in the draft that must be backed by the source.
    pub kinds: &'static [FactKind],
    /// Whether facts of the source missing from the draft are reported.
    pub omissions: bool,
    /// Whether reversed negations are reported.
    pub negations: bool,
}

const ALL_KINDS: &[FactKind] = &[
    FactKind::Name,
    FactKind::Number,
    FactKind::Time,
    FactKind::Date,
    FactKind::Duration,
    FactKind::Quantity,
    FactKind::Medicine,
    FactKind::Dose,
    FactKind::Detail,
];

impl Scope {
    /// Everything: a record of what happened (care note, corrected wording).
    pub const RECORD: Scope = Scope { kinds: ALL_KINDS, omissions: true, negations: true };
    /// No invented facts, but a summary may leave things out (a letter).
    pub const SUMMARY: Scope = Scope { kinds: ALL_KINDS, omissions: false, negations: true };
    /// A plan adds days and times of its own; people, medicines and doses must still come from the notes.
    pub const PLAN: Scope =
        Scope { kinds: &[FactKind::Name, FactKind::Medicine, FactKind::Dose], omissions: false, negations: false };
}

/// Grounding findings for a draft written from `source`: everything ([`Scope::RECORD`]).
pub fn check(source: &str, draft: &str) -> Vec<Finding> {
    check_scope(source, draft, Scope::RECORD)
}

/// Grounding findings within `scope`.
pub fn check_scope(source: &str, draft: &str, scope: Scope) -> Vec<Finding> {
    check_about(source, draft, scope, None)
}

/// Grounding findings within `scope` for a draft about the person whose preferred name is `person`: that name
/// backs the draft's use of it, and it stands for the notes' initial or part of it ("Joan" for "J").
pub fn check_about(source: &str, draft: &str, scope: Scope, person: Option<&str>) -> Vec<Finding> {
    let person = person.map(str::trim).filter(|p| !p.is_empty());
    let is_person = |fact: &Fact| fact.kind == FactKind::Name && person.is_some_and(|p| spelled_in(&fact.text, p));
    // Where the draft calls the person by name, the notes' initial or part of that name is not lost.
    let named_in_draft = person.filter(|p| p.split_whitespace().any(|w| spelled_in(w, draft)));
    let person_lost =
        |fact: &Fact| fact.kind == FactKind::Name && named_in_draft.is_some_and(|p| names_person(fact, p));
    let source_facts = extract_facts(source);
    let draft_facts = extract_facts(draft);
    let (source_backing, draft_backing) = (Backing::new(&source_facts), Backing::new(&draft_facts));
    let source_details = details_by_set(&source_facts);
    let source_counts = counts(source, &source_facts);
    let mut findings = Vec::new();
    let mut swapped = HashSet::new();
    for fact in draft_facts.iter().filter(|f| scope.kinds.contains(&f.kind)) {
        if fact.kind == FactKind::Detail {
            // Once for each swapped meaning: "he" and "his" for "she" are one finding.
            let swap =
                swapped_detail(fact, &source_details).filter(|_| !another_person(fact, &source_facts, &draft_facts));
            if let Some(message) = swap.filter(|_| swapped.insert(&fact.key)) {
                findings.push(finding(FindingKind::UnsupportedFact, fact, Location::Draft, message));
            }
        } else if !backed(fact, &source_backing, source) && !is_person(fact) {
            findings.push(finding(FindingKind::UnsupportedFact, fact, Location::Draft, unsupported_message(fact)));
        } else if let Some(message) = miscounted(fact, draft, source, &source_counts) {
            findings.push(finding(FindingKind::UnsupportedFact, fact, Location::Draft, message));
        } else if let Some(theirs) = other_title(fact, &source_facts) {
            let message = format!(
                "The draft calls this person \"{} {}\", but the notes say \"{} {}\". Check how they are addressed.",
                title_before(draft, fact),
                fact.text,
                title_before(source, theirs),
                theirs.text
            );
            findings.push(finding(FindingKind::UnsupportedFact, fact, Location::Draft, message));
        }
    }
    if scope.kinds.contains(&FactKind::Name) {
        // A relation swapped within its kind ("husband" for "son") is already a swapped detail.
        for f in role_swapped(source, draft) {
            if !findings.iter().any(|g| g.location == Location::Draft && g.start < f.end && f.start < g.end) {
                findings.push(f);
            }
        }
        findings.extend(suspected_as_fact(source, draft));
    }
    if scope.kinds.contains(&FactKind::Quantity) {
        findings.extend(whole_for_part(source, &source_facts, draft));
        findings.extend(article_turned_amount(source, draft));
    }
    if scope.kinds.contains(&FactKind::Detail) {
        findings.extend(dish_made_an_act(source, draft));
    }
    findings.extend(approximate_made_exact(source, &source_facts, draft, &draft_facts, scope));
    if scope.omissions {
        // A detail the draft leaves out is no omission: "she" need not be repeated, nor "lounge" named.
        for fact in source_facts.iter().filter(|f| scope.kinds.contains(&f.kind) && f.kind != FactKind::Detail) {
            if !backed(fact, &draft_backing, draft) && !is_part_of_day(fact) && !person_lost(fact) {
                let message =
                    format!("The notes mention {} \"{}\", but the draft does not.", noun(fact.kind), fact.text);
                findings.push(finding(FindingKind::Omission, fact, Location::Source, message));
            }
        }
    }
    if scope.negations {
        let mut reversed = polarity(source, &source_facts, draft, &draft_facts);
        reversed.retain(|f| scope.omissions || f.kind != FindingKind::Omission);
        findings.extend(reversed);
    }
    findings
}

/// How many words in a row the draft must share with an example, and not with the notes, to count as copied.
const COPIED_RUN: usize = 5;

/// Passages of the draft copied from `example` (the worked answer shown to the model with the instructions)
/// rather than written from `source`: runs of `COPIED_RUN` (five) or more words that the example has and the notes do
/// not. A small model sometimes repeats the example ("she had two biscuits and squash") as if it were this
/// person's record.
pub fn copied_from_example(example: &str, source: &str, draft: &str) -> Vec<Finding> {
    let lower = |text: &str| -> Vec<String> { words(text).iter().map(|w| w.text.to_lowercase()).collect() };
    let runs = |words: &[String]| -> HashSet<Vec<String>> { words.windows(COPIED_RUN).map(<[_]>::to_vec).collect() };
    let (from_example, from_source) = (runs(&lower(example)), runs(&lower(source)));
    let draft_words = words(draft);
    let mut copied = vec![false; draft_words.len()];
    for (i, run) in lower(draft).windows(COPIED_RUN).enumerate() {
        if from_example.contains(run) && !from_source.contains(run) {
            copied[i..i + COPIED_RUN].fill(true);
        }
    }
    // One finding per stretch of copied words.
    let mut findings = Vec::new();
    let mut i = 0;
    while i < copied.len() {
        let first = i;
        while i < copied.len() && copied[i] {
            i += 1;
        }
        if i == first {
            i += 1;
            continue;
        }
        let (start, end) = (draft_words[first].start, draft_words[i - 1].end);
        findings.push(Finding {
            kind: FindingKind::UnsupportedFact,
            fact: None,
            text: draft[start..end].to_owned(),
            start,
            end,
            location: Location::Draft,
            message: "This comes from the example in Tend's instructions, not from your notes: remove it.".to_owned(),
            suggestion: None,
        });
    }
    findings
}

fn finding(kind: FindingKind, fact: &Fact, location: Location, message: String) -> Finding {
    Finding {
        kind,
        fact: Some(fact.kind),
        text: fact.text.clone(),
        start: fact.start,
        end: fact.end,
        location,
        message,
        suggestion: None,
    }
}

/// Whether the name `fact` is the person's, or their initial: "Joan" or "J" for "Joan Smith".
fn names_person(fact: &Fact, person: &str) -> bool {
    let initial = |w: &str| w.chars().next().map(|c| c.to_lowercase().to_string());
    spelled_in(&fact.text, person)
        || (fact.text.chars().count() == 1 && person.split_whitespace().any(|w| initial(w) == initial(&fact.text)))
}

/// A bare number of the notes that counts something ([`counted`]): "twenty-five machines".
struct Count<'a> {
    number: &'a Fact,
    /// Where the counted word ends.
    end: usize,
}

/// The counts among `facts` of `text`, by what they count.
fn counts<'a>(text: &str, facts: &'a [Fact]) -> HashMap<String, Vec<Count<'a>>> {
    let mut out: HashMap<String, Vec<Count<'a>>> = HashMap::new();
    for number in facts.iter().filter(|f| f.kind == FactKind::Number) {
        if let Some((thing, end)) = counted(text, number) {
            out.entry(thing).or_default().push(Count { number, end });
        }
    }
    out
}

/// For a bare number of the draft that counts something the notes count too, but never with that number, the
/// message naming the notes' counts: "10 machines" where the notes say "twenty-five machines" (and "ten" only of
/// something else).
fn miscounted(
    fact: &Fact,
    draft: &str,
    source: &str,
    source_counts: &HashMap<String, Vec<Count<'_>>>,
) -> Option<String> {
    let (thing, end) = counted(draft, fact).filter(|_| fact.kind == FactKind::Number)?;
    let counts = source_counts.get(&thing)?;
    if counts.iter().any(|c| c.number.value == fact.value) {
        return None;
    }
    let mut theirs: Vec<String> = counts.iter().map(|c| format!("\"{}\"", &source[c.number.start..c.end])).collect();
    theirs.sort();
    theirs.dedup();
    Some(format!(
        "The draft counts \"{}\", but the notes count {}. Check the number.",
        &draft[fact.start..end],
        theirs.join(" and ")
    ))
}

/// A mention in the notes of the name `fact` with a gendered title, where every such mention's title differs from
/// `fact`'s: "Mrs Patel" in the draft where the notes only ever say "Mr Patel".
fn other_title<'a>(fact: &Fact, source: &'a [Fact]) -> Option<&'a Fact> {
    let title = fact.value.filter(|_| fact.kind == FactKind::Name)?;
    let mut titled = source.iter().filter(|o| o.kind == FactKind::Name && o.key == fact.key && o.value.is_some());
    let first = titled.next()?;
    (first.value != Some(title) && titled.all(|o| o.value != Some(title))).then_some(first)
}

/// The title written before a name.
fn title_before<'a>(text: &'a str, name: &Fact) -> &'a str {
    text[..name.start].split_whitespace().next_back().unwrap_or("")
}

fn is_part_of_day(fact: &Fact) -> bool {
    fact.key.starts_with("part:")
}

/// For a detail of the draft that no detail of the notes backs while the notes have others of its kind, the
/// message naming them: "garden" where the notes only say "lounge".
fn swapped_detail(fact: &Fact, source_details: &HashMap<&str, Vec<&Fact>>) -> Option<String> {
    let (set, _) = detail_parts(fact);
    let same_kind = source_details.get(set)?;
    if same_kind.iter().any(|o| supports(o, fact)) {
        return None;
    }
    let mut theirs: Vec<String> = same_kind.iter().map(|o| format!("\"{}\"", o.text.to_lowercase())).collect();
    theirs.sort();
    theirs.dedup();
    Some(format!(
        "The draft says \"{}\", but the notes say {} ({set}). Check which is right.",
        fact.text,
        theirs.join(" and ")
    ))
}

/// The notes' details by their set ("pronoun", "relation"), each distinct detail once: what [`swapped_detail`]
/// compares a draft's detail with.
fn details_by_set(facts: &[Fact]) -> HashMap<&str, Vec<&Fact>> {
    let mut seen = HashSet::new();
    let mut out: HashMap<&str, Vec<&Fact>> = HashMap::new();
    for f in facts.iter().filter(|f| f.kind == FactKind::Detail) {
        if seen.insert((f.key.as_str(), f.text.to_lowercase())) {
            out.entry(detail_parts(f).0).or_default().push(f);
        }
    }
    out
}

/// Whether a pronoun of the draft that the notes' pronouns do not back can still be right: the notes give that
/// gender by a title ("Mrs Patel" backs "her"), or the draft also uses the notes' pronoun, so it speaks of two
/// people ("she" for the resident beside "he" for a son the notes call "he").
fn another_person(fact: &Fact, source: &[Fact], draft: &[Fact]) -> bool {
    let is_pronoun = |f: &Fact| f.kind == FactKind::Detail && detail_parts(f).0 == "pronoun";
    if !is_pronoun(fact) {
        return false;
    }
    let mut by_title = source.iter().filter(|o| o.kind == FactKind::Name).filter_map(|o| match o.value {
        Some(1.0) => Some("he"),
        Some(2.0) => Some("she"),
        _ => None,
    });
    by_title.any(|pronoun| extract_facts(pronoun).iter().any(|t| supports(t, fact)))
        || draft.iter().any(|d| is_pronoun(d) && supported(d, source))
}

/// A detail's set and the groups of words of that set it means.
fn detail_parts(fact: &Fact) -> (&str, impl Iterator<Item = &str>) {
    let rest = fact.key.strip_prefix("detail:").unwrap_or(&fact.key);
    let (set, groups) = rest.rsplit_once(':').unwrap_or((rest, ""));
    (set, groups.split(','))
}

/// The facts of one text, arranged so that asking whether they back a fact reads only those that could: the
/// same key for amounts, dates, medicines and names, the same value for numbers, and each distinct time and detail
/// once. It answers as `supported(fact, facts)` does, in time that does not grow with the text.
struct Backing<'f> {
    keys: HashSet<(FactKind, &'f str)>,
    numbers: HashSet<u64>,
    /// Distinct times and details (few, however long the text).
    distinct: Vec<&'f Fact>,
}

impl<'f> Backing<'f> {
    fn new(facts: &'f [Fact]) -> Self {
        use FactKind::*;
        let (mut keys, mut numbers, mut seen, mut distinct) =
            (HashSet::new(), HashSet::new(), HashSet::new(), Vec::new());
        for f in facts {
            match f.kind {
                Number => numbers.extend(f.value.map(f64::to_bits)),
                Dose | Quantity | Duration => {
                    keys.insert((f.kind, f.key.as_str()));
                    numbers.extend(number_in(&f.text).map(f64::to_bits));
                }
                Date | Medicine | Name => {
                    keys.insert((f.kind, f.key.as_str()));
                }
                Time | Detail => {
                    if seen.insert((f.kind, f.key.as_str(), f.value.map(f64::to_bits))) {
                        distinct.push(f);
                    }
                }
                Negation => {}
            }
        }
        Self { keys, numbers, distinct }
    }

    /// Whether one of the facts backs `fact`, as [`supports`] decides.
    fn backs(&self, fact: &Fact) -> bool {
        use FactKind::*;
        match fact.kind {
            Number => fact.value.is_some_and(|v| self.numbers.contains(&v.to_bits())),
            Dose | Quantity | Duration | Date | Medicine | Name => self.keys.contains(&(fact.kind, fact.key.as_str())),
            Time | Detail => self.distinct.iter().any(|o| supports(o, fact)),
            Negation => false,
        }
    }
}

/// Whether `fact` is backed by one of the facts of `text` (arranged in `backing`), or, for a name, by the same
/// words in `text` however they are joined or capitalised ("P-make" by "P - make", "Mary-Jane" by "Mary Jane",
/// "Patel" by "mrs patel").
fn backed(fact: &Fact, backing: &Backing<'_>, text: &str) -> bool {
    backing.backs(fact)
        || (fact.kind == FactKind::Name && spelled_in(&fact.text, text))
        || (fact.kind == FactKind::Number && count_in_words(fact, text))
}

/// Whether `text` says the count of a shorthand "x1" or "x2" in words: "one" or "once" ("with one carer", "bowels
/// opened once"), "two" or "twice" ("twice" is a number the facts read; "one" is too common a word to be one).
fn count_in_words(fact: &Fact, text: &str) -> bool {
    let said = |words: &[&str]| {
        text.split(|c: char| !c.is_alphanumeric()).any(|w| words.iter().any(|x| w.eq_ignore_ascii_case(x)))
    };
    fact.text.to_lowercase().starts_with('x')
        && match fact.value {
            Some(1.0) => said(&["one", "once", "single"]),
            Some(2.0) => said(&["two", "twice", "both"]),
            _ => false,
        }
}

fn spelled_in(name: &str, text: &str) -> bool {
    let lower = |s: &str| -> Vec<String> {
        s.split(|ch: char| !ch.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect()
    };
    let (name, text) = (lower(name), lower(text));
    !name.is_empty() && text.windows(name.len()).any(|w| w == name.as_slice())
}

/// Whether `fact` is backed by one of `others`.
fn supported(fact: &Fact, others: &[Fact]) -> bool {
    others.iter().any(|o| supports(o, fact))
}

fn supports(other: &Fact, fact: &Fact) -> bool {
    use FactKind::*;
    match fact.kind {
        // A bare number is backed by the same value written anywhere: "two biscuits" by "2 biscuits", or by an
        // amount or duration with that number.
        Number => match other.kind {
            Number => other.value == fact.value,
            Dose | Quantity | Duration => number_in(&other.text) == fact.value,
            _ => false,
        },
        Time => match (&fact.key, other.kind) {
            (key, Time) if key.starts_with("part:") => part_matches(key, other),
            (_, Time) => time_matches(fact, other),
            _ => false,
        },
        Dose | Quantity | Duration | Date | Medicine | Name => other.kind == fact.kind && other.key == fact.key,
        Detail => {
            let ((set, groups), (other_set, mut other_groups)) = (detail_parts(fact), detail_parts(other));
            other.kind == Detail && set == other_set && {
                let groups: Vec<&str> = groups.collect();
                other_groups.any(|g| groups.contains(&g))
            }
        }
        Negation => false,
    }
}

/// The first number written in an amount ("500mg" -> 500, "two tablets" -> 2).
fn number_in(text: &str) -> Option<f64> {
    extract_facts(text).into_iter().find(|f| f.kind == FactKind::Number).and_then(|f| f.value)
}

fn time_matches(fact: &Fact, other: &Fact) -> bool {
    let (Some(a), Some(b)) = (fact.value, other.value) else {
        return false;
    };
    let absolute = |f: &Fact| f.key.starts_with("t:");
    if absolute(fact) && absolute(other) { a == b } else { (a as u32) % 720 == (b as u32) % 720 }
}

/// "morning" in a draft is backed by "AM", "morning" or a morning clock time in the notes.
fn part_matches(part: &str, other: &Fact) -> bool {
    let wanted = &part["part:".len()..];
    if let Some(other_part) = other.key.strip_prefix("part:") {
        return other_part == wanted
            || (other_part == "pm" && (wanted == "afternoon" || wanted == "evening"))
            || (wanted == "pm" && (other_part == "afternoon" || other_part == "evening"));
    }
    let Some(minutes) = other.value.map(|v| v as u32) else {
        return false;
    };
    let candidates: Vec<&str> = if other.key.starts_with("t:") {
        vec![part_of(minutes)]
    } else {
        vec![part_of(minutes % 720), part_of(minutes % 720 + 720)]
    };
    candidates.iter().any(|p| *p == wanted || (wanted == "pm" && (*p == "afternoon" || *p == "evening")))
}

fn part_of(minutes: u32) -> &'static str {
    match minutes / 60 {
        5..=11 => "morning",
        12..=16 => "afternoon",
        17..=21 => "evening",
        _ => "night",
    }
}

fn noun(kind: FactKind) -> &'static str {
    match kind {
        FactKind::Name => "the name",
        FactKind::Number => "the number",
        FactKind::Time => "the time",
        FactKind::Date => "the day or date",
        FactKind::Duration => "the length of time",
        FactKind::Quantity => "the amount",
        FactKind::Medicine => "the medicine",
        FactKind::Dose => "the dose",
        FactKind::Negation => "that this did not happen:",
        FactKind::Detail => "the detail",
    }
}

fn unsupported_message(fact: &Fact) -> String {
    let what = match fact.kind {
        FactKind::Medicine | FactKind::Dose => "Check against the medication record: ",
        FactKind::Name => "Check who this is: ",
        _ => "Check: ",
    };
    format!("{what}the draft has {} \"{}\", which is not in the notes.", noun(fact.kind), fact.text)
}

/// The lemma a negation fact denies.
fn negated_word(fact: &Fact) -> &str {
    &fact.key["neg:".len()..]
}

/// Events negated on one side and affirmed on the other: the draft says "had tea" where the notes say "declined
/// tea", or the reverse. A negated event the draft leaves out entirely is an omission.
fn polarity(source: &str, source_facts: &[Fact], draft: &str, draft_facts: &[Fact]) -> Vec<Finding> {
    let negated = |facts: &[Fact]| -> HashSet<String> {
        facts.iter().filter(|f| f.kind == FactKind::Negation).map(|f| negated_word(f).to_owned()).collect()
    };
    let (source_negated, draft_negated) = (negated(source_facts), negated(draft_facts));
    // What each negated word of the notes was denied with: "did not use the hoist" denies using the hoist, so
    // neither "used the stairs" nor "the hoist was charged" reverses it. `None` where a negation of the word stood
    // alone ("did not eat"), so that any use of it does.
    let mut partners: HashMap<&str, Option<HashSet<&str>>> = HashMap::new();
    let negations: Vec<&Fact> = source_facts.iter().filter(|f| f.kind == FactKind::Negation).collect();
    for (i, fact) in negations.iter().enumerate() {
        // A word right after a negator is the event, and its partner the object after it; an object's is its event.
        let partner = match fact.value {
            Some(0.0) => negations.get(i + 1).filter(|next| next.value == Some(1.0)),
            _ => i.checked_sub(1).and_then(|p| negations.get(p)),
        };
        let entry = partners.entry(negated_word(fact)).or_insert_with(|| Some(HashSet::new()));
        match (partner, entry.as_mut()) {
            (Some(partner), Some(set)) => {
                set.insert(negated_word(partner));
            }
            _ => *entry = None,
        }
    }
    let source_affirmed: HashSet<String> =
        affirmed_words(source, source_facts).into_iter().map(|(l, _, _)| l).collect();
    let draft_affirmed = affirmed_words(draft, draft_facts);
    let draft_affirmed_set: HashSet<&str> = draft_affirmed.iter().map(|(l, _, _)| l.as_str()).collect();
    let mut findings = Vec::new();
    let mut reported = HashSet::new();
    for (i, (lemma, start, end)) in draft_affirmed.iter().enumerate() {
        // The partner it was denied with must be within three words either side: "took the bus", "lunch was eaten".
        let same_pairing = || match partners.get(lemma.as_str()) {
            Some(Some(denied)) => draft_affirmed[i.saturating_sub(3)..draft_affirmed.len().min(i + 4)]
                .iter()
                .any(|(near, _, _)| denied.contains(near.as_str())),
            _ => true,
        };
        if source_negated.contains(lemma)
            && !source_affirmed.contains(lemma)
            && same_pairing()
            && !draft_negated.contains(lemma)
            && reported.insert(lemma.clone())
        {
            let text = draft[*start..*end].to_owned();
            findings.push(Finding {
                kind: FindingKind::Negation,
                fact: Some(FactKind::Negation),
                message: format!("The notes say \"{text}\" did not happen or was declined; the draft says it did."),
                text,
                start: *start,
                end: *end,
                location: Location::Draft,
                suggestion: None,
            });
        }
    }
    // A draft that denies an event the notes record: only the word right after the negator is taken as the event,
    // so "not within his price range" does not deny "price".
    for fact in draft_facts.iter().filter(|f| f.kind == FactKind::Negation && f.value == Some(0.0)) {
        let lemma = negated_word(fact);
        if source_affirmed.contains(lemma) && !source_negated.contains(lemma) && reported.insert(lemma.to_owned()) {
            findings.push(finding(
                FindingKind::Negation,
                fact,
                Location::Draft,
                format!("The draft says \"{}\" did not happen; the notes say it did.", fact.text),
            ));
        }
    }
    for fact in source_facts.iter().filter(|f| f.kind == FactKind::Negation) {
        let lemma = negated_word(fact);
        if !draft_negated.contains(lemma) && !draft_affirmed_set.contains(lemma) && reported.insert(lemma.to_owned()) {
            findings.push(finding(
                FindingKind::Omission,
                fact,
                Location::Source,
                format!(
                    "The notes say \"{}\" did not happen or was declined; the draft does not mention it.",
                    fact.text
                ),
            ));
        }
    }
    findings
}

/// Words of grammar and plain care writing ("a cup of"): not content words.
const PLAIN_WORDS: &[&str] = &[
    "a",
    "an",
    "the",
    "to",
    "of",
    "and",
    "or",
    "but",
    "with",
    "for",
    "in",
    "on",
    "at",
    "by",
    "from",
    "into",
    "onto",
    "as",
    "so",
    "than",
    "then",
    "that",
    "this",
    "these",
    "those",
    "which",
    "who",
    "whom",
    "whose",
    "what",
    "when",
    "where",
    "after",
    "before",
    "during",
    "until",
    "about",
    "over",
    "under",
    "up",
    "out",
    "off",
    "back",
    "there",
    "here",
    "it",
    "its",
    "she",
    "he",
    "they",
    "her",
    "his",
    "him",
    "them",
    "their",
    "theirs",
    "hers",
    "herself",
    "himself",
    "themselves",
    "i",
    "me",
    "my",
    "we",
    "our",
    "us",
    "you",
    "your",
    "was",
    "were",
    "is",
    "are",
    "be",
    "been",
    "being",
    "am",
    "had",
    "has",
    "have",
    "having",
    "did",
    "do",
    "does",
    "done",
    "also",
    "too",
    "very",
    "some",
    "any",
    "all",
    "both",
    "each",
    "own",
    "just",
    "still",
    "again",
    "more",
    "most",
    "other",
    "such",
    "only",
    "same",
    "can",
    "could",
    "will",
    "would",
    "should",
    "may",
    "might",
    "must",
    "one",
    "ones",
    "no",
    "not",
    "none",
    "neither",
    "nor",
    "cup",
    "plate",
    "bit",
    "around",
    "across",
    "through",
    "between",
    "near",
    "within",
    "without",
    "because",
];

/// A word's stem and its first five letters, lower case: "dressed" and "dressing" meet, as do "medicines" and
/// "medication".
fn word_stems(word: &str) -> [String; 2] {
    let lemma = crate::facts::lemma(word);
    let prefix: String = word.to_lowercase().chars().take(5).collect();
    [lemma, prefix]
}

/// The content words of `text`, in order: each word that is not plain grammar, and each run of digits, as its
/// stems.
fn content_words(text: &str) -> Vec<[String; 2]> {
    let mut out = Vec::new();
    for w in words(text) {
        if w.text.chars().any(|c| c.is_ascii_digit()) {
            let mut run = String::new();
            for c in w.text.chars().chain(std::iter::once(' ')) {
                if c.is_ascii_digit() {
                    run.push(c);
                } else if !run.is_empty() {
                    let digits = run.trim_start_matches('0').to_owned();
                    out.push([digits.clone(), digits]);
                    run.clear();
                }
            }
            continue;
        }
        let lower = w.text.to_lowercase().replace('’', "'");
        if !PLAIN_WORDS.contains(&lower.trim_end_matches("'s")) {
            out.push(word_stems(&lower));
        }
    }
    out
}

/// How many of the content words of `source` `draft` says (by stem).
pub fn shared_words(source: &str, draft: &str) -> (usize, usize) {
    let said = content_words(draft);
    let words = content_words(source);
    let shared = words.iter().filter(|w| said.iter().any(|s| s.iter().any(|x| w.contains(x)))).count();
    (shared, words.len())
}

/// Words that say the whole of something was had.
const WHOLE_AMOUNTS: &[&str] = &["all", "whole", "entire", "everything", "finished"];

/// A whole amount ("ate all of it") where the notes give a part ("ate 1/2") and never a whole one.
fn whole_for_part(source: &str, source_facts: &[Fact], draft: &str) -> Vec<Finding> {
    let part = source_facts.iter().find(|f| f.value.is_some_and(|v| v > 0.0 && v < 1.0));
    let Some(part) = part else { return Vec::new() };
    let said = |w: &crate::facts::Word<'_>| WHOLE_AMOUNTS.contains(&w.text.to_lowercase().as_str());
    if words(source).iter().any(said) {
        return Vec::new();
    }
    words(draft)
        .into_iter()
        .filter(said)
        .map(|w| Finding {
            kind: FindingKind::UnsupportedFact,
            fact: Some(FactKind::Quantity),
            text: w.text.to_owned(),
            start: w.start,
            end: w.end,
            location: Location::Draft,
            message: format!("The draft says \"{}\", but the notes give a part: \"{}\".", w.text, part.text),
            suggestion: None,
        })
        .collect()
}

/// Amounts that an "a" before them turns round: "little" and "few" are hardly any, "a little" and "a few" some.
const TURNED_BY_A: &[&str] = &["little", "few"];

/// The uses of each of [`TURNED_BY_A`] in `text`, as (word, after "a", span of the words), lower case; "little
/// bit" is left out (it is "a little bit" either way).
fn amounts_with_article(text: &str) -> Vec<(String, bool, usize, usize)> {
    let words = words(text);
    words
        .iter()
        .enumerate()
        .filter_map(|(k, w)| {
            let lower = w.text.to_lowercase();
            let bit = words.get(k + 1).is_some_and(|n| n.text.eq_ignore_ascii_case("bit"));
            if !TURNED_BY_A.contains(&lower.as_str()) || bit {
                return None;
            }
            let a = k.checked_sub(1).map(|p| &words[p]).filter(|p| p.text.eq_ignore_ascii_case("a"));
            Some((lower, a.is_some(), a.map_or(w.start, |p| p.start), w.end))
        })
        .collect()
}

/// "A little" or "a few" where the notes only say "little" or "few" (hardly any), or the reverse: the draft
/// differs from the notes by one word and says the opposite amount (sets BH and BW, read blind: "Ate a little
/// at tea" for "Ate little at tea").
fn article_turned_amount(source: &str, draft: &str) -> Vec<Finding> {
    let said = amounts_with_article(source);
    amounts_with_article(draft)
        .into_iter()
        .filter(|(word, a, ..)| {
            said.iter().any(|(w, ..)| w == word) && !said.iter().any(|(w, b, ..)| w == word && b == a)
        })
        .map(|(word, a, start, end)| {
            let (theirs, meaning) = if a { (word.clone(), "hardly any") } else { (format!("a {word}"), "some") };
            let message = format!(
                "The draft says \"{}\", but the notes say \"{theirs}\" ({meaning}). Check the amount.",
                &draft[start..end]
            );
            Finding {
                fact: Some(FactKind::Quantity),
                ..Finding::in_draft(FindingKind::UnsupportedFact, draft, start, end, message)
            }
        })
        .collect()
}

/// Words that say how food was made ("boiled egg", "mashed potato"): an article after one makes the dish someone's
/// act ("boiled an egg").
pub(crate) const PREPARED: &[&str] = &[
    "boiled",
    "scrambled",
    "poached",
    "fried",
    "mashed",
    "baked",
    "grilled",
    "roasted",
    "stewed",
    "steamed",
    "toasted",
    "buttered",
    "sliced",
    "grated",
    "tinned",
    "minced",
    "pureed",
    "chopped",
    "diced",
    "smoked",
];

/// "Boiled an egg" where the notes say "boiled egg": one added article makes what the person ate someone's act
/// (set CI, read blind, both models). Marks the three words. Only "a" or "an": "boiled the kettle" for "boiled
/// kettle" is the writer's own act said in full.
fn dish_made_an_act(source: &str, draft: &str) -> Vec<Finding> {
    let said = words(source);
    let same = |a: &Word, b: &Word| a.text.eq_ignore_ascii_case(b.text);
    words(draft)
        .windows(3)
        .filter(|w| {
            PREPARED.contains(&w[0].text.to_lowercase().as_str())
                && ["a", "an"].iter().any(|a| w[1].text.eq_ignore_ascii_case(a))
                && said.windows(2).any(|p| same(&p[0], &w[0]) && same(&p[1], &w[2]))
        })
        .map(|w| {
            let (start, end) = (w[0].start, w[2].end);
            let message = format!(
                "The draft says \"{}\", but the notes say \"{} {}\": the food as it was made, not something done.",
                &draft[start..end],
                w[0].text,
                w[2].text
            );
            Finding {
                fact: Some(FactKind::Detail),
                ..Finding::in_draft(FindingKind::UnsupportedFact, draft, start, end, message)
            }
        })
        .collect()
}

/// A person's family, by their relation to them ("son Bilal", "asking for wife"): role words before a name here,
/// and in the readings the relatives an added "a" would make someone else's.
pub(crate) const FAMILY: &[&str] = &[
    "son",
    "daughter",
    "wife",
    "husband",
    "partner",
    "mum",
    "mother",
    "dad",
    "father",
    "sister",
    "brother",
    "nephew",
    "niece",
    "granddaughter",
    "grandson",
    "grandmother",
    "grandfather",
    "aunt",
    "uncle",
    "cousin",
];

/// People who work with the person: the one who did something in a note ("Staff prompted"), or somewhere as the
/// person may be ("Lunch: staff in lounge").
pub(crate) const WORKERS: &[&str] = &["staff", "carer", "carers", "nurse", "nurses", "gp", "doctor", "manager", "team"];

/// Words for a person's role or relation that stand before their name ("nurse Grace", "son Bilal"): the
/// [`FAMILY`] and these.
const OTHER_ROLES: &[&str] = &["nurse", "friend", "neighbour", "carer", "manager", "gp", "dr", "doctor", "leader"];

/// A name that follows a role word: the role and name in lower case, the name as written, and the span of both.
struct RoleName<'a> {
    role: String,
    name: String,
    written: &'a str,
    start: usize,
    end: usize,
}

fn roles_of_names(text: &str) -> Vec<RoleName<'_>> {
    let ws = words(text);
    ws.windows(2)
        .filter(|w| {
            let role = w[0].text.to_lowercase();
            (FAMILY.contains(&role.as_str()) || OTHER_ROLES.contains(&role.as_str()))
                && w[1].text.starts_with(char::is_uppercase)
        })
        .map(|w| RoleName {
            role: w[0].text.to_lowercase(),
            name: w[1].text.to_lowercase(),
            written: w[1].text,
            start: w[0].start,
            end: w[1].end,
        })
        .collect()
}

/// A name given a role the notes give someone else ("Nurse Bilal" where the notes say "son Bilal" and
/// "nurse Grace"): a fact put onto the wrong person.
fn role_swapped(source: &str, draft: &str) -> Vec<Finding> {
    let mut roles: HashMap<String, Vec<String>> = HashMap::new();
    for theirs in roles_of_names(source) {
        let known = roles.entry(theirs.name).or_default();
        if !known.contains(&theirs.role) {
            known.push(theirs.role);
        }
    }
    roles_of_names(draft)
        .into_iter()
        .filter_map(|ours| {
            let of_name = roles.get(&ours.name)?;
            (!of_name.contains(&ours.role)).then(|| Finding {
                kind: FindingKind::UnsupportedFact,
                fact: Some(FactKind::Name),
                text: draft[ours.start..ours.end].to_owned(),
                start: ours.start,
                end: ours.end,
                location: Location::Draft,
                message: format!(
                    "The draft calls {} \"{}\", but the notes call them \"{}\".",
                    ours.written, ours.role, of_name[0]
                ),
                suggestion: None,
            })
        })
        .collect()
}

/// Words before a number or time that say it is not exact ("about 4pm", "~4pm", "approx 200ml").
const APPROXIMATE: &[&str] =
    &["about", "around", "approx", "approximately", "roughly", "circa", "nearly", "almost", "~"];

/// Whether the fact at `start..end` of `text` is given as approximate: after a word of [`APPROXIMATE`] or "~",
/// or followed by "ish" or "or so".
fn approximate(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].trim_end();
    let last = before.rsplit(|c: char| c.is_whitespace()).next().unwrap_or("").trim_end_matches('.');
    let after = text[end..].trim_start_matches('-').to_lowercase();
    before.ends_with('~')
        || APPROXIMATE.contains(&last.to_lowercase().as_str())
        || after.starts_with("ish")
        || after.trim_start().starts_with("or so")
}

/// A number or time the notes give only as approximate ("~4pm", "about 200ml") that the draft states exactly
/// ("at 4pm"): a changed fact, and one that matters in a record (when a fall happened).
fn approximate_made_exact(
    source: &str,
    source_facts: &[Fact],
    draft: &str,
    draft_facts: &[Fact],
    scope: Scope,
) -> Vec<Finding> {
    const KINDS: &[FactKind] =
        &[FactKind::Number, FactKind::Time, FactKind::Duration, FactKind::Quantity, FactKind::Dose];
    let (mut loose, mut exact) = (HashSet::new(), HashSet::new());
    for fact in source_facts.iter().filter(|f| KINDS.contains(&f.kind)) {
        if approximate(source, fact.start, fact.end) { &mut loose } else { &mut exact }.insert(fact.key.as_str());
    }
    draft_facts
        .iter()
        .filter(|f| scope.kinds.contains(&f.kind) && KINDS.contains(&f.kind))
        .filter(|f| loose.contains(f.key.as_str()) && !exact.contains(f.key.as_str()))
        .filter(|f| !approximate(draft, f.start, f.end))
        .map(|f| {
            let mut finding = finding(
                FindingKind::UnsupportedFact,
                f,
                Location::Draft,
                format!("The notes give \"{}\" as approximate; the draft states it exactly.", f.text),
            );
            finding.suggestion = Some(format!("about {}", f.text));
            finding
        })
        .collect()
}

/// Words that keep a suspected condition suspected.
const HEDGES: &[&str] = &["possible", "possibly", "suspected", "query", "queried", "may", "might", "could", "likely"];

/// A condition the notes only suspect ("?UTI") that the draft states as fact ("had a UTI"), or echoes as
/// unexplained shorthand ("?UTI").
fn suspected_as_fact(source: &str, draft: &str) -> Vec<Finding> {
    let mut suspected: Vec<String> = source
        .split_whitespace()
        .filter_map(|t| t.strip_prefix('?'))
        .map(|c| c.trim_end_matches(|ch: char| !ch.is_alphanumeric()).to_owned())
        .filter(|c| c.len() >= 2 && c.chars().all(|ch| ch.is_alphanumeric()))
        .collect();
    // Each condition once, in the order the notes first give it.
    let mut seen = HashSet::new();
    suspected.retain(|c| seen.insert(c.to_ascii_lowercase()));
    // A condition the notes also name without a question mark ("review if worsening (fever, SOB)") may stand
    // unhedged in the draft.
    let plain: HashSet<String> = words(source)
        .iter()
        .filter(|w| w.start == 0 || !source[..w.start].ends_with('?'))
        .map(|w| w.text.to_ascii_lowercase())
        .collect();
    let mut out = Vec::new();
    let ws = words(draft);
    for (i, w) in ws.iter().enumerate() {
        let Some(condition) = suspected.iter().find(|c| c.eq_ignore_ascii_case(w.text)) else { continue };
        let echoed = w.start > 0 && draft[..w.start].ends_with('?');
        let hedged = ws[i.saturating_sub(3)..i].iter().any(|h| HEDGES.contains(&h.text.to_lowercase().as_str()));
        let (start, message) = if echoed {
            (
                w.start - 1,
                format!(
                    "\"?{condition}\" is shorthand for a suspected condition: write \"possible {condition}\" and who suspects it."
                ),
            )
        } else if !hedged && !plain.contains(&condition.to_ascii_lowercase()) {
            (w.start, format!("The notes only suspect {condition} (\"?{condition}\"); the draft states it as fact."))
        } else {
            continue;
        };
        out.push(Finding {
            kind: FindingKind::UnsupportedFact,
            fact: None,
            text: draft[start..w.end].to_owned(),
            start,
            end: w.end,
            location: Location::Draft,
            message,
            suggestion: Some(format!("possible {condition}")),
        });
    }
    out
}
