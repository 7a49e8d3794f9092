//! An activity plan, drafted faithfully: its frame by rule from the notes ([`tend_checks::plan`]: the week's set
//! days, the interests in turn on the others, who is there, what to keep in mind, in the notes' own words), and
//! the model's suggestion for each activity written under the decoding constraint, verified, tried again, and
//! else replaced by the activity's own words.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use std::time::Instant;

use tend_checks::constrain::{Allowed, Rules};
use tend_checks::grounding::Scope;
use tend_checks::items::{Item, read_items_about};
use tend_checks::plan::{self, Part, Slot};
use tend_engine::{Flow, GenerationParams, Model, Progress, StopReason};
use tend_writing::Task;

use super::{
    FactFilter, LineByLine, Rejected, Sentence, Span, fits_context, one_paragraph, place, plain, resample, ruled,
    with_every_sentences_checks,
};
use crate::AppError;

/// How many times the model is asked for one activity's suggestion (greedy first, then sampled).
const TRIES: u32 = 3;

/// The longest suggestion, in tokens.
const MAX_SUGGESTION_TOKENS: usize = 48;

/// Drafts an activity plan for `notes` about the person called `person`; see the module doc. Each line is passed
/// to `on_progress` once it is written.
pub(crate) fn draft_plan(
    model: &mut Model,
    notes: &str,
    person: Option<&str>,
    params: &GenerationParams,
    on_progress: &mut dyn FnMut(Progress<'_>) -> Flow,
) -> Result<LineByLine, AppError> {
    let start = Instant::now();
    fits_context(model, Task::ActivityPlan, notes, person)?;
    let items = read_items_about(notes, person);
    let person = person.map(str::trim).filter(|p| !p.is_empty());
    // The notes' statements (their sentences), each as one item: the words as written and expanded.
    let statements: Vec<Item> = (0..items.last().map_or(0, |i| i.group + 1))
        .filter_map(|g| {
            let of: Vec<&Item> = items.iter().filter(|i| i.group == g).collect();
            let (first, last) = (of.first()?, of.last()?);
            let expanded = of.iter().map(|i| i.expanded.trim()).collect::<Vec<_>>().join(", ");
            Some(Item {
                start: first.start,
                end: last.end,
                text: notes[first.start..last.end].into(),
                expanded,
                group: g,
            })
        })
        .collect();
    let parts: Vec<Part> = statements.iter().map(|s| plan::read(&s.expanded, person)).collect();
    let (week, spare) = plan::week(&parts);
    // A statement's evidence: the spans of its items, so each counts as covered.
    let spans = |k: usize| -> Vec<Span> {
        items.iter().filter(|i| i.group == statements[k].group).map(|i| Span { start: i.start, end: i.end }).collect()
    };
    let notes_to_keep: Vec<usize> = (0..parts.len()).filter(|&k| parts[k] == Part::Note).collect();
    let keep_in_mind = notes_to_keep.iter().map(|&k| plain(&statements[k], person)).collect::<Vec<_>>().join(" ");

    let mut out = LineByLine::new();
    let name = person.unwrap_or("the person");
    let title = match person {
        Some(p) => {
            format!("Activity plan for {p}: suggestions to talk through with {p}, who can say no to any of them.")
        }
        None => "Activity plan: suggestions to talk through with the person, who can say no to any of them.".into(),
    };
    let mut lines = vec![(ruled(title, Vec::new()), "")];
    if !keep_in_mind.is_empty() {
        let sources = notes_to_keep.iter().flat_map(|&k| spans(k)).collect();
        lines.push((ruled(format!("Keep in mind: {keep_in_mind}"), sources), "\n\n"));
    }
    for (shown, (sentence, gap)) in lines.into_iter().enumerate() {
        let text = place(&mut out, sentence, gap);
        if shown == 0 {
            out.time_to_first_token = start.elapsed();
        }
        on_progress(Progress::Text(&text));
    }

    // One suggestion per activity the week holds, asked for in the order the days need them.
    let total = week
        .iter()
        .filter_map(|d| match d.slot {
            Slot::Interest(k, a) => Some((k, a)),
            _ => None,
        })
        .collect::<HashSet<_>>()
        .len();
    let mut ideas: HashMap<(usize, usize), Sentence> = HashMap::new();
    let mut cancelled = false;
    for (day_number, day) in week.iter().enumerate() {
        let asked = ideas.len();
        let (mut text, mut sources, idea) = match day.slot {
            Slot::Fixed(k) => {
                let Part::Fixed { what, .. } = &parts[k] else { unreachable!("a fixed slot holds a fixed part") };
                let what = Item { expanded: what.clone(), ..statements[k].clone() };
                (plain(&what, person), spans(k), None)
            }
            Slot::Open => (format!("Free for {name} to choose."), Vec::new(), None),
            Slot::Interest(k, a) => {
                let idea = match ideas.entry((k, a)) {
                    // A suggestion met again is the same one: its rejected versions are shown once.
                    Entry::Occupied(first) => Sentence { rejected: Vec::new(), ..first.get().clone() },
                    Entry::Vacant(slot) => {
                        let Part::Interest(activities) = &parts[k] else { unreachable!("an interest slot holds one") };
                        let ask = Ask { activity: &activities[a], person, progress: (asked, total) };
                        match suggest(model, &mut out, &ask, params, on_progress)? {
                            Some(s) => slot.insert(s).clone(),
                            None => {
                                cancelled = true;
                                break;
                            }
                        }
                    }
                };
                (idea.text.clone(), spans(k), Some(idea))
            }
        };
        for &c in &day.company {
            text.push_str(&format!(" ({})", plain(&statements[c], person)));
            sources.extend(spans(c));
        }
        let line = format!("{}: {text}", day.name);
        let sentence = match idea {
            Some(idea) => Sentence { text: line, sources, ..idea },
            None => ruled(line, sources),
        };
        let shown = place(&mut out, sentence, if day_number == 0 { "\n\n" } else { "\n" });
        if on_progress(Progress::Text(&shown)) == Flow::Stop && day_number + 1 < week.len() {
            cancelled = true;
            break;
        }
    }
    if !cancelled && !spare.is_empty() {
        let names: Vec<&str> = spare
            .iter()
            .filter_map(|&(k, a)| match &parts[k] {
                Part::Interest(activities) => Some(activities[a].as_str()),
                _ => None,
            })
            .collect();
        let sources = spare.iter().flat_map(|&(k, _)| spans(k)).collect();
        let shown =
            place(&mut out, ruled(format!("Other activities in the notes: {}.", names.join(", ")), sources), "\n\n");
        on_progress(Progress::Text(&shown));
    }
    if cancelled {
        out.stop_reason = StopReason::Cancelled;
    }
    out.finish(&items);
    Ok(out)
}

/// What the model is asked to suggest for.
struct Ask<'a> {
    /// The activity, as the notes name it ("crosswords").
    activity: &'a str,
    /// The person's preferred name.
    person: Option<&'a str>,
    /// Which suggestion of how many.
    progress: (usize, usize),
}

/// Asks for a suggestion for `ask.activity` until one passes its checks (at most [`TRIES`]); the activity's own
/// words stand in when none does. `None` when the caller stopped the draft.
fn suggest(
    model: &mut Model,
    out: &mut LineByLine,
    ask: &Ask<'_>,
    params: &GenerationParams,
    on_progress: &mut dyn FnMut(Progress<'_>) -> Flow,
) -> Result<Option<Sentence>, AppError> {
    let input = format!("Activity: {}", ask.activity);
    let prompt = Task::ActivityPlan.prompt(&input, None, ask.person)?;
    let source = input.as_str();
    let allowed = Allowed::new(&[source], source, ask.person, Rules::PLAN);
    let mut rejected: Vec<Rejected> = Vec::new();
    for attempt in 1..=TRIES {
        let mut p = params.clone();
        p.max_tokens = params.max_tokens.min(MAX_SUGGESTION_TOKENS);
        p.stop = vec!["\n".to_owned()];
        if attempt > 1 {
            resample(&mut p, params.seed, attempt);
        }
        let mut stopped = false;
        let mut inner = |progress: Progress<'_>| match progress {
            Progress::Prefill { .. } => {
                let (done, total) = ask.progress;
                let flow = on_progress(Progress::Prefill { done, total });
                stopped |= flow == Flow::Stop;
                flow
            }
            Progress::Text(_) => Flow::Continue,
        };
        let g = model.generate_filtered(&prompt.messages, &p, &mut FactFilter(&allowed), &mut inner)?;
        out.count(&g);
        if stopped || g.stop_reason == StopReason::Cancelled {
            return Ok(None);
        }
        let text = one_paragraph(&g.text);
        let mut reasons = verify_suggestion(&text, ask, source, &prompt.example);
        if matches!(g.stop_reason, StopReason::Length | StopReason::Constrained) {
            reasons.push("cut off before the sentence ended".into());
        }
        if reasons.is_empty() {
            // Its place and evidence are set when its day's line is written.
            return Ok(Some(Sentence { attempts: attempt, rejected, ..ruled(text, Vec::new()) }));
        }
        rejected.push(Rejected { text, reasons });
    }
    let mut chars = ask.activity.chars();
    let activity: String = chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default();
    let who = ask.person.unwrap_or("they");
    let text = format!("{activity}, if {who} would like to.");
    Ok(Some(Sentence { fallback: true, attempts: TRIES, rejected, ..ruled(text, Vec::new()) }))
}

/// What is wrong with a suggestion written from `source` (the request: the activity): what
/// [`plan::idea_problems`] refuses, facts the source lacks, a high-stakes claim, clinical advice, a passage of the
/// prompt's example, or nothing written. Empty when it passes.
fn verify_suggestion(text: &str, ask: &Ask<'_>, source: &str, example: &str) -> Vec<String> {
    if text.trim().is_empty() {
        return vec!["nothing was written".into()];
    }
    let mut reasons = plan::idea_problems(text, ask.activity, ask.person);
    let found = tend_checks::grounding::check_about(source, text, Scope::SUMMARY, ask.person);
    reasons.extend(with_every_sentences_checks(found, source, text, example));
    reasons.dedup();
    reasons
}
