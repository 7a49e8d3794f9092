//! Faithful drafting: a care note, a meeting's record, a letter or a wording check written line by line from the
//! notes' items, each line's sentences generated under a decoding constraint fed by the checks, verified against
//! their items, repaired or replaced by the plain words of the notes when they fail, and linked to the spans of
//! the notes they came from; an activity plan made by rule with the model's suggestions (`plan`).
//!
//! Each line is written under the checks' [`Rewrite`] rule: its words in their order, grammar added where English
//! puts it, nothing else. The engine knows nothing of care: this module adapts the checks' [`Rewrite`] (lines) and
//! [`Allowed`] (a plan's suggestions, a translation) to the engine's [`TokenFilter`].

use std::time::{Duration, Instant};

use serde::Serialize;
use tend_checks::constrain::{Allowed, Rules};
use tend_checks::grounding::{Scope, copied_from_example};
use tend_checks::items::{Item, read_items_about};
use tend_checks::letter;
use tend_checks::rewrite::{Rewrite, is_title};
use tend_checks::{Finding, FindingKind};
use tend_engine::{Flow, GenerationParams, Model, Progress, StopReason, TokenFilter};
use tend_writing::Task;

use crate::AppError;

mod plan;

pub(crate) use plan::draft_plan;

/// A span of the notes, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Span {
    /// Start offset in the notes.
    pub start: usize,
    /// End offset in the notes.
    pub end: usize,
}

/// One sentence (or two) of a draft and the parts of the notes it came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sentence {
    /// The text, as it stands in the draft.
    pub text: String,
    /// Byte offset of the text in the draft.
    pub start: usize,
    /// Byte offset of its end in the draft.
    pub end: usize,
    /// The spans of the notes it was written from (its evidence).
    pub sources: Vec<Span>,
    /// True when the model's sentences failed their checks and the notes' own words, with their shorthand
    /// expanded, stand in their place: faithful, if less fluent.
    pub fallback: bool,
    /// How many times it was generated (1 when the first try passed its checks; 0 when Tend wrote it by rule: a
    /// heading of the notes, a letter's greeting or sign-off).
    pub attempts: u32,
    /// The model's versions that failed their checks, each with what was wrong: shown, never used.
    pub rejected: Vec<Rejected>,
    /// The words the model added to the notes' (grammar, a pronoun), as byte spans in the draft: the only words
    /// that can change what the notes say, so a reviewer reads them first. Empty for the notes' own words.
    pub added: Vec<Span>,
}

/// A version of a sentence that failed its checks.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rejected {
    /// What the model wrote.
    pub text: String,
    /// What the checks found wrong with it.
    pub reasons: Vec<String>,
}

/// The adapter from the checks' fact constraint to the engine's per-token veto.
struct FactFilter<'a>(&'a Allowed);

impl TokenFilter for FactFilter<'_> {
    fn permits(&mut self, reply: &str, piece: &str) -> bool {
        self.0.permits(reply, piece)
    }
}

/// The adapter from the checks' rewrite rule: a line's sentence may not end before it has said the whole line.
/// `dead` are replies that came to a dead end (a word on its way to an allowed one that the model would not finish,
/// "I" for "is"): a restart may not write them again.
struct RewriteFilter<'a> {
    rule: &'a Rewrite,
    dead: &'a [String],
}

impl TokenFilter for RewriteFilter<'_> {
    fn permits(&mut self, reply: &str, piece: &str) -> bool {
        // A reply met at a dead end before is refused (the text is built only when there is one to compare).
        let dead = !self.dead.is_empty() && {
            let next = format!("{reply}{piece}");
            self.dead.iter().any(|d| d.trim() == next.trim())
        };
        !dead && self.rule.permits(reply, piece)
    }

    fn permits_end(&mut self, reply: &str) -> bool {
        self.rule.complete(reply)
    }
}

/// Restarts of a request whose reply came to a dead end, each with that reply refused.
const RESTARTS: usize = 3;

/// Why a reply that came to a dead end was set aside.
const DEAD_END: &str = "came to a dead end (a word the notes do not allow); written again without it";

/// The constraint of a translation, the one task written in one pass: the source, as written and with its shorthand
/// expanded, backs it ([`Rules::TRANSLATION`]: digits and medicines are copied from the source).
pub(crate) fn translation_filter(source: &str) -> Allowed {
    let expanded = tend_checks::items::expand(source);
    Allowed::new(&[source, &expanded], source, None, Rules::TRANSLATION)
}

/// Runs one generation under `allowed`.
pub(crate) fn generate_under(
    model: &mut Model,
    messages: &[tend_engine::ChatMessage],
    params: &GenerationParams,
    allowed: &Allowed,
    on_progress: &mut dyn FnMut(Progress<'_>) -> Flow,
) -> Result<tend_engine::Generation, AppError> {
    Ok(model.generate_filtered(messages, params, &mut FactFilter(allowed), on_progress)?)
}

/// A care note, meeting record or letter drafted line by line, with its totals for the provenance.
pub(crate) struct LineByLine {
    /// The draft.
    pub text: String,
    /// Its sentences with their evidence.
    pub sentences: Vec<Sentence>,
    /// Parts of the notes no sentence covers.
    pub uncovered: Vec<Span>,
    /// Why it ended (cancelled when the caller stopped it).
    pub stop_reason: StopReason,
    /// Totals over every request.
    pub prompt_tokens: usize,
    /// Generated tokens over every request.
    pub generated_tokens: usize,
    /// Candidate tokens the constraint refused.
    pub refused_tokens: usize,
    /// Requests made to the model.
    pub requests: usize,
    /// From the start to the first sentence shown.
    pub time_to_first_token: Duration,
    /// Weighted prefill speed.
    pub prefill_tokens_per_second: f64,
    /// Weighted decode speed.
    pub decode_tokens_per_second: f64,
    /// Seconds of prefill and decode over every request, for the weighted speeds.
    clock: Clock,
}

/// Time spent over a draft's requests.
#[derive(Default)]
struct Clock {
    prefill_seconds: f64,
    prefilled: usize,
    decode_seconds: f64,
}

impl LineByLine {
    /// An empty draft.
    fn new() -> Self {
        LineByLine {
            text: String::new(),
            sentences: Vec::new(),
            uncovered: Vec::new(),
            stop_reason: StopReason::End,
            prompt_tokens: 0,
            generated_tokens: 0,
            refused_tokens: 0,
            requests: 0,
            time_to_first_token: Duration::ZERO,
            prefill_tokens_per_second: 0.0,
            decode_tokens_per_second: 0.0,
            clock: Clock::default(),
        }
    }

    /// Counts one request's tokens and time.
    fn count(&mut self, g: &tend_engine::Generation) {
        self.requests += 1;
        self.prompt_tokens += g.prompt_tokens;
        self.generated_tokens += g.generated_tokens;
        self.refused_tokens += g.refused_tokens;
        let fresh = g.prompt_tokens - g.cached_prompt_tokens;
        if g.prefill_tokens_per_second > 0.0 {
            self.clock.prefill_seconds += fresh as f64 / g.prefill_tokens_per_second;
            self.clock.prefilled += fresh;
        }
        if g.decode_tokens_per_second > 0.0 {
            self.clock.decode_seconds += g.generated_tokens.saturating_sub(1) as f64 / g.decode_tokens_per_second;
        }
    }

    /// Ends the draft: the parts of `items` no sentence points at, and the weighted speeds.
    fn finish(&mut self, items: &[Item]) {
        self.uncovered = items
            .iter()
            .filter(|i| !self.sentences.iter().any(|s| s.sources.iter().any(|sp| sp.start == i.start)))
            .map(|i| Span { start: i.start, end: i.end })
            .collect();
        let c = &self.clock;
        self.prefill_tokens_per_second =
            if c.prefill_seconds > 0.0 { c.prefilled as f64 / c.prefill_seconds } else { 0.0 };
        let decoded = self.generated_tokens.saturating_sub(self.requests);
        self.decode_tokens_per_second = if c.decode_seconds > 0.0 { decoded as f64 / c.decode_seconds } else { 0.0 };
    }
}

/// Writes `task`'s text for `notes` (a care note, a meeting's record, a letter or a wording check: the tasks whose
/// prompt rewrites one line) one group of items (a sentence of the notes) at a time; see the module doc. A care note
/// is one paragraph; a meeting's record has a line for each line of the notes; a letter has Tend's greeting, its
/// points in its voice ([`letter::voice`]) and Tend's sign-off; a wording check ends with Tend's list of its changes
/// ([`tend_checks::diff`]), its spelling corrected as [`Rewrite::correcting_spelling`] allows. Sentences are passed
/// to `on_progress` only once they have passed their checks.
pub(crate) fn draft_lines(
    model: &mut Model,
    task: Task,
    notes: &str,
    person: Option<&str>,
    params: &GenerationParams,
    on_progress: &mut dyn FnMut(Progress<'_>) -> Flow,
) -> Result<LineByLine, AppError> {
    let start = Instant::now();
    fits_context(model, task, notes, person)?;
    let mut items = read_items_about(notes, person);
    let RuleWritten { greeting, by_rule, email } =
        if task == Task::Letter { in_letters_voice(&mut items) } else { RuleWritten::none(items.len()) };
    let groups = items.last().map_or(0, |i| i.group + 1);
    let mut out = LineByLine::new();
    let mut cancelled = false;
    // The gap before the next sentence: a letter's body starts a paragraph after its greeting.
    let mut paragraph = false;
    if task == Task::Letter && greeting.iter().all(Option::is_none) {
        let shown = place(&mut out, ruled("Dear [name],".into(), Vec::new()), "");
        on_progress(Progress::Text(&shown));
        paragraph = true;
    }
    for group in 0..groups {
        let in_group: Vec<usize> = (0..items.len()).filter(|&k| items[k].group == group).collect();
        // The model writes the group's items that are not written by rule.
        let members: Vec<&Item> = in_group.iter().filter(|&&k| !by_rule[k]).map(|&k| &items[k]).collect();
        let opens = in_group.iter().find_map(|&k| greeting[k].clone());
        let mut request = |texts: &[&Item], attempt: u32| -> Result<Attempt, AppError> {
            let line = texts.iter().map(|i| i.expanded.as_str()).collect::<Vec<_>>().join(", ");
            let words = line.split_whitespace().count();
            // The person is named to the model only for lines that speak of them: "office informed" stays the
            // office's act, not theirs.
            let person = person.filter(|p| members.iter().any(|i| speaks_of(i, p)));
            let prompt = task.prompt(&line, None, person)?;
            let rule = match task {
                Task::CheckWording => Rewrite::new(&line, person).correcting_spelling(),
                _ => Rewrite::new(&line, person),
            };
            let mut p = params.clone();
            p.max_tokens = params.max_tokens.min(words * 3 + 16);
            p.stop = vec!["\n\n".to_owned()];
            // A second try of the same prompt samples; a narrower prompt is greedy like the first.
            if attempt > 1 && texts.len() == members.len() {
                resample(&mut p, params.seed, attempt);
            }
            let mut stopped = false;
            let mut inner = |progress: Progress<'_>| match progress {
                Progress::Prefill { .. } => {
                    let flow = on_progress(Progress::Prefill { done: group, total: groups });
                    stopped |= flow == Flow::Stop;
                    flow
                }
                Progress::Text(_) => Flow::Continue,
            };
            // A reply the constraint leaves nowhere to go is written again with that reply refused: a backtrack of
            // the one token that led there, paid with the reply's decode again (the engine keeps the prompt's state).
            let mut dead: Vec<String> = Vec::new();
            let g = loop {
                let mut filter = RewriteFilter { rule: &rule, dead: &dead };
                let g = model.generate_filtered(&prompt.messages, &p, &mut filter, &mut inner)?;
                out.count(&g);
                if g.stop_reason != StopReason::Constrained || g.text.trim().is_empty() || dead.len() == RESTARTS {
                    break g;
                }
                dead.push(g.text);
            };
            let dead_ends = dead.into_iter().map(|text| Rejected { text, reasons: vec![DEAD_END.into()] });
            if stopped || g.stop_reason == StopReason::Cancelled {
                return Ok(Attempt::Stopped);
            }
            let text = one_paragraph(&g.text);
            let mut reasons = verify(texts, &rule, &text, person, &prompt.example);
            if matches!(g.stop_reason, StopReason::Length | StopReason::Constrained) {
                reasons.push("cut off before the sentence ended".into());
            }
            Ok(if reasons.is_empty() {
                let added = rule.added_words(&text).into_iter().map(|(start, end)| Span { start, end }).collect();
                Attempt::Passed(text, added, dead_ends.collect())
            } else {
                Attempt::Failed(dead_ends.chain([Rejected { text, reasons }]).collect())
            })
        };
        // Each sentence with its evidence; its place in the draft is set as it is added.
        let sentence =
            |text: String, added: Vec<Span>, from: &[&Item], fallback: bool, attempts: u32, rejected: Vec<Rejected>| {
                let sources = link(&text, from);
                Sentence { text, start: 0, end: 0, sources, fallback, attempts, rejected, added }
            };
        let mut written: Vec<Sentence> = Vec::new();
        let heading =
            members.len() == 1 && (members[0].text.ends_with(':') || members[0].text.split_whitespace().count() == 1);
        let greets = opens.is_some();
        if let Some(text) = opens {
            let spans = in_group.iter().filter(|&&k| by_rule[k] || greeting[k].is_some());
            written.push(ruled(text, spans.map(|&k| Span { start: items[k].start, end: items[k].end }).collect()));
        }
        if heading {
            // A heading ("Plan:", "Nights.") is written as it stands: there is nothing to rewrite.
            written.push(sentence(plain(members[0], person), Vec::new(), &members, true, 0, Vec::new()));
        } else if !members.is_empty() {
            // First the whole group; then, narrower, each item on its own (for a group of one item, a second
            // sample); what still fails is replaced by the plain words of the notes.
            match request(&members, 1)? {
                Attempt::Passed(text, added, dead) => written.push(sentence(text, added, &members, false, 1, dead)),
                Attempt::Stopped => cancelled = true,
                Attempt::Failed(first) => {
                    for item in &members {
                        let mut rejected = first.clone();
                        match request(&[item], 2)? {
                            Attempt::Passed(text, added, dead) => {
                                rejected.extend(dead);
                                written.push(sentence(text, added, &[item], false, 2, rejected));
                            }
                            Attempt::Stopped => {
                                cancelled = true;
                                break;
                            }
                            Attempt::Failed(second) => {
                                rejected.extend(second);
                                written.push(sentence(plain(item, person), Vec::new(), &[item], true, 2, rejected));
                            }
                        }
                    }
                }
            }
        }
        let count = written.len();
        for (k, s) in written.into_iter().enumerate() {
            let gap = match task {
                _ if paragraph => "\n\n",
                Task::Meeting if k == 0 => "\n",
                _ => " ",
            };
            paragraph = greets && k == 0;
            let shown = place(&mut out, s, gap);
            if out.time_to_first_token.is_zero() {
                out.time_to_first_token = start.elapsed();
            }
            // A stop that comes after the draft's last sentence leaves nothing unwritten: the draft is complete.
            let last = group + 1 == groups && k + 1 == count && !cancelled;
            if on_progress(Progress::Text(&shown)) == Flow::Stop && !last {
                cancelled = true;
                break;
            }
        }
        if cancelled {
            out.stop_reason = StopReason::Cancelled;
            break;
        }
    }
    if task == Task::CheckWording && !cancelled {
        // A wording check lists what it changed, by rule: the model is never asked for its reasons.
        let list = tend_checks::diff::listed(&tend_checks::diff::changes(notes, &out.text));
        let shown = place(&mut out, ruled(list, Vec::new()), "\n\n");
        on_progress(Progress::Text(&shown));
    }
    if task == Task::Letter && !cancelled {
        let sign_off = if email { "Kind regards,\n[your name]" } else { "Yours sincerely,\n[your name]" };
        let shown = place(&mut out, ruled(sign_off.into(), Vec::new()), "\n\n");
        on_progress(Progress::Text(&shown));
    }
    out.finish(&items);
    Ok(out)
}

/// Refuses notes that would not fit the model's context as one prompt, before any compute, as for every task: a
/// shift's notes fit many times over, and a pasted file gets a sentence instead of hours of drafting.
fn fits_context(model: &mut Model, task: Task, notes: &str, person: Option<&str>) -> Result<(), AppError> {
    let whole = model.prompt(&task.prompt(notes, None, person)?.messages)?;
    let (needed, limit) = (whole.tokens.len() + 1, model.context_length());
    if needed > limit {
        return Err(tend_engine::EngineError::ContextOverflow { needed, limit }.into());
    }
    Ok(())
}

/// What of a text Tend writes by rule, item by item: `greeting[k]` is the greeting item k says (who a letter is
/// to); `by_rule[k]`, that the model writes nothing for item k (the greeting's clause, a name after it, a lone
/// label); `email`, that the sign-off is an email's.
struct RuleWritten {
    greeting: Vec<Option<String>>,
    by_rule: Vec<bool>,
    email: bool,
}

impl RuleWritten {
    /// Nothing written by rule (a care note, a meeting's record).
    fn none(items: usize) -> Self {
        RuleWritten { greeting: vec![None; items], by_rule: vec![false; items], email: false }
    }
}

/// Puts a letter's points in its voice ([`letter::voice`]: "ask him to bring" as "Please bring"), in place of
/// each item's expanded words, and says what of it Tend writes by rule.
fn in_letters_voice(items: &mut [Item]) -> RuleWritten {
    let mut out = RuleWritten::none(items.len());
    let clauses: Vec<&str> = items.iter().map(|i| i.expanded.as_str()).collect();
    for (k, voiced) in letter::voice(&clauses).into_iter().enumerate() {
        if let Some(g) = voiced.greeting {
            (out.greeting[k], out.email) = (Some(g.text), g.email);
        }
        match voiced.line {
            Some(line) => items[k].expanded = line,
            None => out.by_rule[k] = true,
        }
    }
    out
}

/// A sentence Tend writes by rule, not the model (a letter's greeting and sign-off), from `sources`.
fn ruled(text: String, sources: Vec<Span>) -> Sentence {
    Sentence { text, start: 0, end: 0, sources, fallback: false, attempts: 0, rejected: Vec::new(), added: Vec::new() }
}

/// Adds `s` to the draft after `gap` (none for the first), its spans moved to its place; returns the text shown.
fn place(out: &mut LineByLine, mut s: Sentence, gap: &str) -> String {
    s.start = if out.text.is_empty() { 0 } else { out.text.len() + gap.len() };
    s.end = s.start + s.text.len();
    for span in &mut s.added {
        (span.start, span.end) = (span.start + s.start, span.end + s.start);
    }
    let shown = if s.start == 0 { s.text.clone() } else { format!("{gap}{}", s.text) };
    out.text.push_str(&shown);
    out.sentences.push(s);
    shown
}

/// The outcome of one request for a line's sentences.
enum Attempt {
    /// The sentences passed their checks, with the words they add to the notes (spans in the text) and the replies
    /// that came to a dead end on the way.
    Passed(String, Vec<Span>, Vec<Rejected>),
    /// They failed (the dead ends, then the reply that failed); try narrower, or fall back.
    Failed(Vec<Rejected>),
    /// The caller stopped the draft.
    Stopped,
}

/// The model's reply as one paragraph: lines joined, spaces single, ending with a full stop; a sentence that
/// starts with a word in small letters ("Heated pie. ate about half") starts with a capital.
fn one_paragraph(text: &str) -> String {
    let mut words: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        let starts = words.last().is_none_or(|w| w.ends_with(['.', '!', '?']));
        let plain = word.len() > 1 && word.trim_end_matches([',', '.']).chars().all(|c| c.is_ascii_lowercase());
        let mut word = word.to_owned();
        if starts && plain {
            word[..1].make_ascii_uppercase();
        }
        words.push(word);
    }
    let mut text = words.join(" ");
    if !text.is_empty() && !text.ends_with(['.', '!', '?']) {
        text.push('.');
    }
    text
}

/// What is wrong with `text` as the sentences for `items`, one reason each: not a rewrite of their line under
/// `rule` (a word added, changed, moved or left out, the line unfinished), facts it adds, changes or loses, a
/// negation reversed, a high-stakes claim, clinical advice, a passage from the prompt's example, or nothing
/// written. Empty when it passes.
pub(crate) fn verify(items: &[&Item], rule: &Rewrite, text: &str, person: Option<&str>, example: &str) -> Vec<String> {
    if text.trim().is_empty() {
        return vec!["nothing was written".into()];
    }
    let mut reasons: Vec<String> = rule.check(text).err().into_iter().collect();
    let source = items.iter().flat_map(|i| [i.text.as_str(), i.expanded.as_str()]).collect::<Vec<_>>().join("\n");
    let found: Vec<Finding> = tend_checks::grounding::check_about(&source, text, Scope::RECORD, person)
        .into_iter()
        // The expanded words repeat the written ones: an omission counts only if the draft lost both forms. The
        // person's name or initial need not be in every sentence ("She" after "Joan"); the whole draft's check
        // still reports a name never written.
        .filter(|f| {
            f.kind != FindingKind::Omission || (!names_the_person(f, person) && lost_in_both(items, f, text, person))
        })
        .collect();
    reasons.extend(with_every_sentences_checks(found, &source, text, example));
    reasons.dedup();
    reasons
}

/// `found` and what every generated sentence is checked for, whatever its task, as one reason each: a high-stakes
/// claim or clinical advice that `source` lacks, and a passage of the prompt's `example`.
fn with_every_sentences_checks(mut found: Vec<Finding>, source: &str, text: &str, example: &str) -> Vec<String> {
    found.extend(tend_checks::high_stakes::check(source, text));
    found.extend(tend_checks::clinical::check_draft_from(source, text));
    found.extend(copied_from_example(example, source, text));
    found.into_iter().map(|f| format!("{} ({:?})", f.message, f.text)).collect()
}

/// `p` for try `attempt` (after the first) of a request: sampled, with a seed of its own from `seed`.
fn resample(p: &mut GenerationParams, seed: u64, attempt: u32) {
    p.temperature = 0.7;
    p.seed = seed.wrapping_add(u64::from(attempt));
}

/// Whether `item` speaks of the person called `person`: by a word of their name, or by an initial of it.
fn speaks_of(item: &Item, person: &str) -> bool {
    let initials: Vec<String> = untitled(person).into_iter().map(initial_of).collect();
    let names: Vec<String> = person.split_whitespace().map(str::to_lowercase).collect();
    item.text
        .split(|c: char| !c.is_alphanumeric())
        .any(|w| initials.iter().any(|i| i == w) || names.contains(&w.to_lowercase()))
}

/// The words of a person's name that are not a title ("Moore" of "Mrs Moore").
fn untitled(person: &str) -> Vec<&str> {
    person.split_whitespace().filter(|w| !is_title(w)).collect()
}

/// A word's first letter as a capital: the initial notes write for it.
fn initial_of(word: &str) -> String {
    word.chars().next().map(|c| c.to_uppercase().to_string()).unwrap_or_default()
}

/// Whether a finding is about the person's name or the notes' initial for them.
fn names_the_person(finding: &Finding, person: Option<&str>) -> bool {
    finding.fact == Some(tend_checks::FactKind::Name)
        && (finding.text.chars().count() == 1
            || person.is_some_and(|p| p.split_whitespace().any(|w| w.eq_ignore_ascii_case(&finding.text))))
}

/// Whether an omission found against the written and expanded forms together is an omission of each form alone.
fn lost_in_both(items: &[&Item], finding: &Finding, text: &str, person: Option<&str>) -> bool {
    let lost = |form: &dyn Fn(&Item) -> &str| {
        let source = items.iter().map(|i| form(i)).collect::<Vec<_>>().join("\n");
        tend_checks::grounding::check_about(&source, text, Scope::RECORD, person)
            .iter()
            .any(|f| f.kind == FindingKind::Omission && f.fact == finding.fact)
    };
    lost(&|i| i.text.as_str()) && lost(&|i| i.expanded.as_str())
}

/// Whether `text` speaks of `item`: it says a content word of the item as written or expanded (an item of
/// grammar words only is taken as mentioned).
fn mentions(text: &str, item: &Item) -> bool {
    let (shared, of) = tend_checks::grounding::shared_words(&format!("{} {}", item.text, item.expanded), text);
    of == 0 || shared > 0
}

/// The spans of `from` that `text` speaks of; all of them when it shares no word with any.
fn link(text: &str, from: &[&Item]) -> Vec<Span> {
    let spans: Vec<Span> =
        from.iter().filter(|i| mentions(text, i)).map(|i| Span { start: i.start, end: i.end }).collect();
    if spans.is_empty() { from.iter().map(|i| Span { start: i.start, end: i.end }).collect() } else { spans }
}

/// The item's own words, its shorthand expanded, as a sentence: the notes' initial for the person becomes their
/// preferred name ("J" becomes "Joan"; after a title, the name it stands for: "Mrs M" becomes "Mrs Moore", never
/// "Mrs Mrs Moore", set BC read blind), and their name is spelt as the preferred name is ("Mr Nowak" for "mr nowak").
pub(crate) fn plain(item: &Item, person: Option<&str>) -> String {
    let mut text = item.expanded.trim().trim_end_matches([',', ';', '-']).trim().to_owned();
    if let Some(name) = person.map(str::trim).filter(|p| !p.is_empty()) {
        let names = untitled(name);
        let words: Vec<&str> = text.split(' ').collect();
        text = words
            .iter()
            .enumerate()
            .map(|(i, w)| {
                let bare = w.trim_end_matches([',', '.', ':']);
                let rest = &w[bare.len()..];
                let after_title = i.checked_sub(1).is_some_and(|p| is_title(words[p]));
                let spelt = name.split_whitespace().find(|n| n.eq_ignore_ascii_case(bare));
                match (names.first(), names.last()) {
                    (_, Some(last)) if after_title && bare == initial_of(last) => format!("{last}{rest}"),
                    (Some(first), _) if !after_title && bare == initial_of(first) => format!("{name}{rest}"),
                    _ => spelt.map_or_else(|| (*w).to_owned(), |n| format!("{n}{rest}")),
                }
            })
            .collect::<Vec<_>>()
            .join(" ");
    }
    let mut chars = text.chars();
    let mut sentence: String = chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default();
    if !sentence.ends_with(['.', '!', '?', ':']) {
        sentence.push('.');
    }
    sentence
}
