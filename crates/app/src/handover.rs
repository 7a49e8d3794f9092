//! The handover summary: for one person, the points of their final notes over a span (the last note, 24 hours,
//! 7 days), grouped by care category, newest first, each point written from one sentence of one note through the
//! care note's faithful pipeline (the rewrite rule, the checks, the notes' own words where the model's fail) and
//! linked to that sentence. A point is checked once more against its sentence before it is shown; one that says
//! anything its sentence does not is replaced by the sentence itself, so nothing a note does not say is shown.
//! The summary carries "review required" and is not a record.

use serde::Serialize;
use tend_checks::categories::{categories, categorise};
use tend_checks::grounding::Scope;
use tend_checks::items::read_items;
use tend_checks::rewrite::Rewrite;
use tend_store::{FinalNote, SignatureCheck};

use crate::AppError;

/// The most points shown under one category; older ones are counted, not shown.
pub const MAX_POINTS_PER_CATEGORY: usize = 4;

/// Which notes a summary covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "hours")]
pub enum Within {
    /// The most recent final note only (the last visit).
    LastNote,
    /// Notes approved in the last so many hours.
    Hours(u32),
}

impl Within {
    /// Reads "last", "24h" or "7d" (as the command line and the window name them).
    pub fn parse(text: &str) -> Option<Self> {
        let t = text.trim().to_lowercase();
        if t == "last" || t == "last-visit" {
            return Some(Within::LastNote);
        }
        let (number, unit) = t.split_at(t.find(|c: char| !c.is_ascii_digit())?);
        let n: u32 = number.parse().ok().filter(|n| *n > 0 && *n <= 366)?;
        match unit {
            "h" => Some(Within::Hours(n)),
            "d" => Some(Within::Hours(n * 24)),
            _ => None,
        }
    }

    /// How the span is named in the summary.
    pub fn label(self) -> String {
        match self {
            Within::LastNote => "the last note".into(),
            Within::Hours(h) if h % 24 == 0 && h > 24 => format!("the last {} days", h / 24),
            Within::Hours(h) => format!("the last {h} hours"),
        }
    }
}

/// A handover summary. Not a record: it is shown for reading, with "review required".
#[derive(Debug, Clone, Serialize)]
pub struct Handover {
    /// The person's preferred name.
    pub person: String,
    /// The span it covers, in words.
    pub within: String,
    /// The categories that have points, in the order of `data/care-categories.toml`.
    pub groups: Vec<HandoverGroup>,
    /// The notes it was written from (id and when each was approved), newest first.
    pub notes: Vec<(i64, String)>,
    /// Notes in the span left out because their approval does not hold (see the audit check).
    pub left_out: Vec<i64>,
    /// Always true: a person reads the summary against the notes.
    pub review_required: bool,
    /// True when the person stopped it: the summary is partial.
    pub stopped: bool,
}

impl Handover {
    /// The summary as plain text, as the command line prints it and a saved summary holds it: each category, its
    /// points with the note each came from, and what was left out.
    pub fn text(&self) -> String {
        let mut out =
            format!("Handover summary for {}, from {} ({} notes)\n", self.person, self.within, self.notes.len());
        for group in &self.groups {
            out.push_str(&format!("\n{}\n", group.label));
            for point in &group.points {
                let marker = if point.fallback { " (the note's own words)" } else { "" };
                out.push_str(&format!("  - {}  [note {}, {}]{marker}\n", point.text, point.note_id, point.reviewed_at));
            }
            if group.more > 0 {
                out.push_str(&format!("  ({} more in older notes)\n", group.more));
            }
        }
        if !self.left_out.is_empty() {
            out.push_str(&format!(
                "\nLeft out, because their approval does not hold (see the audit check): notes {:?}\n",
                self.left_out
            ));
        }
        out
    }
}

/// The final notes a summary was written from, as the source a saved summary is reviewed against.
pub fn source_of(notes: &[FinalNote]) -> String {
    notes
        .iter()
        .map(|n| format!("Note {} (approved {}):\n{}\n", n.id, n.reviewed_at, n.text))
        .collect::<Vec<_>>()
        .join("\n")
}

/// One category's points.
#[derive(Debug, Clone, Serialize)]
pub struct HandoverGroup {
    /// The category's short name.
    pub category: String,
    /// How it is shown.
    pub label: String,
    /// Its points, newest note first.
    pub points: Vec<Point>,
    /// Older sentences of this category not shown as points.
    pub more: usize,
}

/// One point and the sentence of the note it came from.
#[derive(Debug, Clone, Serialize)]
pub struct Point {
    /// The point.
    pub text: String,
    /// The final note it came from.
    pub note_id: i64,
    /// When that note was approved.
    pub reviewed_at: String,
    /// The sentence's byte span in the note's text.
    pub start: usize,
    /// Its end.
    pub end: usize,
    /// True when the point is the note's own sentence because the model's version failed its checks.
    pub fallback: bool,
}

/// What a writer made of one sentence: its text, and whether it is the sentence's own words.
pub struct Written {
    /// The point's text.
    pub text: String,
    /// The notes' own words stand in it.
    pub fallback: bool,
}

/// What writes a point: given a sentence, how many points were written before it and how many will be, the point,
/// or `None` to stop.
pub type Writer<'a> = dyn FnMut(&str, usize, usize) -> Result<Option<Written>, AppError> + 'a;

/// The notes a summary over `within` reads from `notes` (oldest first, as the store lists them): an amended note
/// gives way to its amendment, and a note whose approval does not hold is left out (returned second).
pub fn notes_for(mut notes: Vec<FinalNote>, within: Within) -> (Vec<FinalNote>, Vec<i64>) {
    let amended: Vec<i64> = notes.iter().filter_map(|n| n.amends).collect();
    notes.retain(|n| !amended.contains(&n.id));
    let (held, broken): (Vec<FinalNote>, Vec<FinalNote>) =
        notes.into_iter().partition(|n| !matches!(n.signature, SignatureCheck::Invalid { .. }));
    let mut held: Vec<FinalNote> = held.into_iter().rev().collect();
    if within == Within::LastNote {
        held.truncate(1);
    }
    (held, broken.into_iter().map(|n| n.id).collect())
}

/// Summarises `notes` (newest first) about `person`: each sentence of each note goes under its category, the
/// newest [`MAX_POINTS_PER_CATEGORY`] of each are written by `write` (the model, through the faithful pipeline),
/// and every point is checked against its sentence once more. `write` hears each sentence with how many were
/// written before it and how many will be; returning `None` stops the summary.
pub fn summarise(
    person: &str,
    notes: &[FinalNote],
    within: Within,
    left_out: Vec<i64>,
    write: &mut Writer<'_>,
) -> Result<Handover, AppError> {
    let mut groups: Vec<HandoverGroup> = categories()
        .iter()
        .map(|c| HandoverGroup { category: c.id.clone(), label: c.label.clone(), points: Vec::new(), more: 0 })
        .collect();
    // First which sentences become points (the newest few per category), then the writing.
    let mut chosen: Vec<(usize, &FinalNote, usize, usize)> = Vec::new();
    let mut taken = vec![0usize; groups.len()];
    for note in notes {
        for (start, end) in sentences_of(&note.text) {
            let category = categorise(&note.text[start..end]);
            let Some(g) = groups.iter().position(|g| g.category == category.id) else { continue };
            if taken[g] < MAX_POINTS_PER_CATEGORY {
                taken[g] += 1;
                chosen.push((g, note, start, end));
            } else {
                groups[g].more += 1;
            }
        }
    }
    let mut stopped = false;
    for (done, &(g, note, start, end)) in chosen.iter().enumerate() {
        let sentence = &note.text[start..end];
        let Some(written) = write(sentence, done, chosen.len())? else {
            stopped = true;
            break;
        };
        let holds = written.fallback || point_holds(sentence, &written.text, person);
        let (text, fallback) = if holds { (written.text, written.fallback) } else { (sentence.to_owned(), true) };
        let reviewed_at = note.reviewed_at.clone();
        groups[g].points.push(Point { text, note_id: note.id, reviewed_at, start, end, fallback });
    }
    groups.retain(|g| !g.points.is_empty() || g.more > 0);
    Ok(Handover {
        person: person.to_owned(),
        within: within.label(),
        groups,
        notes: notes.iter().map(|n| (n.id, n.reviewed_at.clone())).collect(),
        left_out,
        review_required: true,
        stopped,
    })
}

/// Whether `point` says only what `sentence` says: it is the sentence made grammatical under the rewrite rule and
/// the checks find nothing it adds, changes, loses or reverses, and no high-stakes claim the sentence lacks.
pub fn point_holds(sentence: &str, point: &str, person: &str) -> bool {
    let person = Some(person).filter(|p| !p.trim().is_empty());
    Rewrite::new(sentence, person).check(point).is_ok()
        && tend_checks::check_draft_about(sentence, point, Scope::RECORD, person)
            .iter()
            .all(|f| !matches!(f.kind, tend_checks::FindingKind::UnsupportedFact | tend_checks::FindingKind::Negation))
        && tend_checks::high_stakes::check(sentence, point).is_empty()
}

/// The byte spans of the sentences of a note (the groups its items fall into).
fn sentences_of(text: &str) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = Vec::new();
    let mut last_group = None;
    for item in read_items(text) {
        match out.last_mut() {
            Some(span) if last_group == Some(item.group) => span.1 = item.end,
            _ => out.push((item.start, item.end)),
        }
        last_group = Some(item.group);
    }
    out
}
