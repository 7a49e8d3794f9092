//! `tend eval`: measures the checks and the writing tasks on the shared public evaluation data
//! (`../shared/eval`, see its README) and reports the figures as markdown and JSON.

mod metrics;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tend_checks::grounding::{Scope, check_about, check_scope};
use tend_checks::{FindingKind, Location};
use tend_writing::{Language, Task};

pub use metrics::{chrf, gleu, jfleg_tokens};

use crate::{AppError, Assistant, Flow, GenerationParams};

/// Which parts of the evaluation to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EvalSet {
    /// The grounding check on SummEdits (no model needed).
    Grounding,
    /// Check my wording on JFLEG: GLEU and chrF.
    Wording,
    /// Translation on NTREX: chrF++ per language and direction.
    Translation,
    /// Care notes from PriMock57 shorthand: facts kept and facts added.
    Notes,
    /// Faithful care notes: facts kept (all and critical) and added against the care-shorthand fact lists and
    /// PriMock57, evidence links, fallbacks and time per draft; every draft is kept in the report for reading.
    Faithfulness,
}

/// What to evaluate and how much.
#[derive(Debug, Clone)]
pub struct EvalOptions {
    /// The folder with the shared evaluation data.
    pub data_dir: PathBuf,
    /// The parts to run.
    pub sets: Vec<EvalSet>,
    /// Items per model-based part (per language and direction for translation); 0 means all.
    pub limit: usize,
    /// For the faithfulness part: score these drafts instead of writing new ones (JSON lines of `id`, `draft`
    /// and `seconds`, as another version of Tend wrote them), so two pipelines are compared by one scorer.
    pub drafts: Option<PathBuf>,
}

/// Figures of the grounding check on SummEdits.
#[derive(Debug, Clone, Serialize)]
pub struct GroundingEval {
    /// Items scored.
    pub items: usize,
    /// Of the flagged summaries, the share that really were inconsistent.
    pub precision: f64,
    /// Of the inconsistent summaries, the share flagged.
    pub recall: f64,
    /// Of the consistent summaries, the share flagged (lower is better).
    pub false_positive_rate: f64,
    /// Mean of recall and specificity.
    pub balanced_accuracy: f64,
    /// Recall on the inconsistent summaries whose edits change entities, numbers or insert facts.
    pub recall_entities_numbers_inserted: f64,
    /// Recall by edit type: (edit type, inconsistent items with it, recall).
    pub recall_by_edit_type: Vec<(String, usize, f64)>,
    /// By domain, as the SummEdits authors report it: (domain, items, recall, false-positive rate, balanced
    /// accuracy).
    pub by_domain: Vec<(String, usize, f64, f64, f64)>,
    /// Microseconds per item for the check.
    pub micros_per_item: f64,
}

/// Figures of check my wording on JFLEG.
#[derive(Debug, Clone, Serialize)]
pub struct WordingEval {
    /// Sentences scored.
    pub sentences: usize,
    /// GLEU of Tend's corrections against the four references.
    pub gleu: f64,
    /// GLEU of the uncorrected sentences (the baseline to beat).
    pub gleu_source: f64,
    /// chrF of Tend's corrections.
    pub chrf: f64,
}

/// chrF++ of one language and direction on NTREX.
#[derive(Debug, Clone, Serialize)]
pub struct TranslationEval {
    /// ISO 639-3 code of the other language.
    pub language: String,
    /// "eng->xxx" or "xxx->eng".
    pub direction: String,
    /// Lines translated.
    pub lines: usize,
    /// chrF++ against the human translation.
    pub chrf_pp: f64,
}

/// Figures of the care-note task on PriMock57 shorthand.
#[derive(Debug, Clone, Serialize)]
pub struct NotesEval {
    /// Notes drafted.
    pub notes: usize,
    /// Share of the facts of the shorthand that reached the draft.
    pub facts_kept: f64,
    /// Facts in the draft that the shorthand does not support, per draft.
    pub unsupported_per_draft: f64,
}

/// One drafted note of the faithfulness part, kept for reading by hand.
#[derive(Debug, Clone, Serialize)]
pub struct FaithfulDraft {
    /// The note's id (care-shorthand) or file name (PriMock57).
    pub id: String,
    /// The shorthand.
    pub notes: String,
    /// The draft.
    pub draft: String,
    /// Facts of the list the draft keeps, by the automatic proxy (care-shorthand only).
    pub facts_kept: usize,
    /// Facts in the list.
    pub facts: usize,
    /// The listed facts the proxy found missing.
    pub facts_missing: Vec<String>,
    /// Unsupported facts, reversed negations and high-stakes claims the checks find.
    pub added_by_checks: Vec<String>,
    /// Readings shown for the reviewer to check (guessed shorthand, added "he"/"has"...).
    pub readings: Vec<String>,
    /// Sentences that are the notes' own words.
    pub fallback_sentences: usize,
    /// Sentences in the draft (as the pipeline wrote them; 0 for a draft written in one pass).
    pub sentences: usize,
    /// Of those, the ones linked to spans of the notes.
    pub linked_sentences: usize,
    /// Seconds to write it.
    pub seconds: f64,
}

/// Figures of the faithfulness part on one data set.
#[derive(Debug, Clone, Serialize)]
pub struct FaithfulnessEval {
    /// `care-shorthand` or `primock57-notes`.
    pub set: String,
    /// Notes drafted.
    pub notes: usize,
    /// Share of the listed facts kept (care-shorthand: the fact lists, by the proxy; PriMock57: the checks' facts
    /// of the shorthand).
    pub facts_kept: f64,
    /// Share of the critical listed facts kept (care-shorthand only).
    pub critical_kept: Option<f64>,
    /// Unsupported facts, reversed negations and high-stakes claims per draft, by the checks against the notes.
    pub added_per_draft_by_checks: f64,
    /// Facts per draft that neither the fact list nor the notes support (care-shorthand only).
    pub added_per_draft_by_fact_lists: Option<f64>,
    /// Readings shown for the reviewer to check, per draft: what the checks cost a reader who finds them right.
    pub readings_per_draft: f64,
    /// Share of the draft's sentences linked to spans of the notes (0 when drafts have no sentence list).
    pub sentences_with_evidence: f64,
    /// Sentences that fell back to the notes' own words, per draft.
    pub fallbacks_per_draft: f64,
    /// Mean seconds per draft.
    pub seconds_per_draft: f64,
    /// Every draft, for reading against its notes.
    pub drafts: Vec<FaithfulDraft>,
}

/// The evaluation's results.
#[derive(Debug, Clone, Default, Serialize)]
pub struct EvalReport {
    /// The model used for the model-based parts.
    pub model: Option<String>,
    /// Items per model-based part (0: all).
    pub limit: usize,
    /// Grounding check figures.
    pub grounding: Option<GroundingEval>,
    /// Wording figures.
    pub wording: Option<WordingEval>,
    /// Translation figures.
    pub translation: Vec<TranslationEval>,
    /// Where the translation figures were saved for this model, when they were measured.
    pub translation_saved: Option<std::path::PathBuf>,
    /// Care-note figures.
    pub notes: Option<NotesEval>,
    /// Faithful-drafting figures, per data set.
    pub faithfulness: Vec<FaithfulnessEval>,
}

fn read(path: &Path) -> Result<String, AppError> {
    std::fs::read_to_string(path).map_err(|e| AppError::Eval(format!("cannot read {}: {e}", path.display())))
}

fn lines(path: &Path) -> Result<Vec<String>, AppError> {
    Ok(read(path)?.lines().map(str::to_owned).collect())
}

fn take<T>(items: Vec<T>, limit: usize) -> Vec<T> {
    if limit == 0 { items } else { items.into_iter().take(limit).collect() }
}

/// Runs the evaluation. The model-based parts need `assistant`; without one only the grounding check runs.
pub fn run(options: &EvalOptions, mut assistant: Option<&mut Assistant>) -> Result<EvalReport, AppError> {
    let mut report = EvalReport {
        model: assistant.as_ref().map(|a| a.model_info().name.clone()),
        limit: options.limit,
        ..EvalReport::default()
    };
    for set in &options.sets {
        match (set, assistant.as_deref_mut()) {
            (EvalSet::Grounding, _) => report.grounding = Some(grounding(&options.data_dir)?),
            (EvalSet::Wording, Some(a)) => report.wording = Some(wording(&options.data_dir, options.limit, a)?),
            (EvalSet::Translation, Some(a)) => {
                let dir = options.data_dir.join("ntrex-200");
                let sentences = |code: &str| lines(&dir.join(format!("{code}.txt")));
                report.translation = translation(&sentences, options.limit, a, &mut |_, _| Flow::Continue)?;
                report.translation_saved =
                    Some(save_translation_figures(&report.translation, a, "the shared eval data")?);
            }
            (EvalSet::Notes, Some(a)) => report.notes = Some(notes(&options.data_dir, options.limit, a)?),
            (EvalSet::Faithfulness, _) if options.drafts.is_some() => {
                let given = given_drafts(options.drafts.as_deref().unwrap_or(Path::new("")))?;
                let mut draft = |id: &str, notes: &str, person: Option<&str>| {
                    let (text, seconds) = given
                        .get(id)
                        .ok_or_else(|| AppError::Eval(format!("the drafts file has no draft for {id}")))?;
                    let findings = crate::findings_for(Task::CareNote, notes, text, &[], "", person);
                    Ok(Written { text: text.clone(), findings, sentences: Vec::new(), seconds: *seconds })
                };
                report.faithfulness = faithfulness(&options.data_dir, options.limit, &mut draft)?;
            }
            (EvalSet::Faithfulness, Some(a)) => {
                let mut draft = |_: &str, notes: &str, person: Option<&str>| {
                    let params = GenerationParams { max_tokens: 400, ..GenerationParams::default() };
                    let started = std::time::Instant::now();
                    let d = a.draft(Task::CareNote, notes, None, person, &params, &mut |_| Flow::Continue)?;
                    let seconds = started.elapsed().as_secs_f64();
                    Ok(Written { text: d.draft, findings: d.findings, sentences: d.sentences, seconds })
                };
                report.faithfulness = faithfulness(&options.data_dir, options.limit, &mut draft)?;
            }
            (_, None) => return Err(AppError::Eval(format!("the {set:?} evaluation needs a model"))),
        }
    }
    Ok(report)
}

#[derive(Deserialize)]
struct SummEdit {
    doc: String,
    summary: String,
    /// 1 consistent, 0 inconsistent (a number in one file, a string in the other).
    label: serde_json::Value,
    #[serde(default)]
    edit_types: serde_json::Value,
}

/// Whether the grounding check flags `summary` as unsupported by `doc`.
pub fn flags_summary(doc: &str, summary: &str) -> bool {
    check_scope(doc, summary, Scope::SUMMARY).iter().any(|f| {
        f.location == Location::Draft && matches!(f.kind, FindingKind::UnsupportedFact | FindingKind::Negation)
    })
}

fn grounding(dir: &Path) -> Result<GroundingEval, AppError> {
    let mut items: Vec<SummEdit> = Vec::new();
    let mut domains: Vec<(&str, std::ops::Range<usize>)> = Vec::new();
    for (domain, file) in
        [("sales call", "summedits/summedits_sales_call.json"), ("QMSum", "summedits/summedits_qmsumm.json")]
    {
        let text = read(&dir.join(file))?;
        let parsed: Vec<SummEdit> =
            serde_json::from_str(&text).map_err(|e| AppError::Eval(format!("{file} is not SummEdits JSON: {e}")))?;
        domains.push((domain, items.len()..items.len() + parsed.len()));
        items.extend(parsed);
    }
    let started = std::time::Instant::now();
    let flagged: Vec<bool> = items.iter().map(|i| flags_summary(&i.doc, &i.summary)).collect();
    let micros_per_item = started.elapsed().as_secs_f64() * 1e6 / items.len().max(1) as f64;
    let inconsistent: Vec<bool> = items.iter().map(|i| i.label.to_string().trim_matches('"') == "0").collect();
    let count = |f: &dyn Fn(usize) -> bool| (0..items.len()).filter(|&i| f(i)).count() as f64;
    let tp = count(&|i| flagged[i] && inconsistent[i]);
    let fp = count(&|i| flagged[i] && !inconsistent[i]);
    let positives = count(&|i| inconsistent[i]);
    let negatives = count(&|i| !inconsistent[i]);
    let ratio = |a: f64, b: f64| if b == 0.0 { 0.0 } else { a / b };
    let by_domain = domains
        .into_iter()
        .map(|(domain, range)| {
            let within = |f: &dyn Fn(usize) -> bool| count(&|i| range.contains(&i) && f(i));
            let recall = ratio(within(&|i| flagged[i] && inconsistent[i]), within(&|i| inconsistent[i]));
            let fpr = ratio(within(&|i| flagged[i] && !inconsistent[i]), within(&|i| !inconsistent[i]));
            (domain.to_owned(), range.len(), recall, fpr, (recall + 1.0 - fpr) / 2.0)
        })
        .collect();
    let edit_types = |i: usize| -> Vec<String> {
        items[i]
            .edit_types
            .to_string()
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let mut types: Vec<String> = (0..items.len()).flat_map(edit_types).collect();
    types.sort();
    types.dedup();
    let recall_by_edit_type = types
        .into_iter()
        .map(|t| {
            let with: Vec<usize> =
                (0..items.len()).filter(|&i| inconsistent[i] && edit_types(i).contains(&t)).collect();
            let hit = with.iter().filter(|&&i| flagged[i]).count();
            (t, with.len(), ratio(hit as f64, with.len() as f64))
        })
        .collect();
    let targeted = |i: usize| {
        inconsistent[i]
            && edit_types(i).iter().any(|t| t == "entity_modification" || t == "hallucinated_fact_insertion")
    };
    let recall = ratio(tp, positives);
    let false_positive_rate = ratio(fp, negatives);
    Ok(GroundingEval {
        items: items.len(),
        precision: ratio(tp, tp + fp),
        recall,
        false_positive_rate,
        balanced_accuracy: (recall + 1.0 - false_positive_rate) / 2.0,
        recall_entities_numbers_inserted: ratio(count(&|i| targeted(i) && flagged[i]), count(&|i| targeted(i))),
        recall_by_edit_type,
        by_domain,
        micros_per_item,
    })
}

fn generate(a: &mut Assistant, task: Task, input: &str, language: Option<Language>) -> Result<String, AppError> {
    let params = GenerationParams { max_tokens: 300, ..GenerationParams::default() };
    Ok(a.draft(task, input, language, None, &params, &mut |_| Flow::Continue)?.draft)
}

/// The corrected sentence from a check-my-wording answer: its first line, before the list of changes (and after a
/// "Corrected:" label, which answers written by older versions have).
pub fn corrected_text(answer: &str) -> String {
    let body = answer.split("Changes:").next().unwrap_or(answer);
    body.trim().trim_start_matches("Corrected:").trim().lines().next().unwrap_or("").trim().to_owned()
}

fn wording(dir: &Path, limit: usize, a: &mut Assistant) -> Result<WordingEval, AppError> {
    let sources = take(lines(&dir.join("jfleg-dev/dev.src"))?, limit);
    let all_refs: Vec<Vec<String>> =
        (0..4).map(|k| lines(&dir.join(format!("jfleg-dev/dev.ref{k}")))).collect::<Result<_, _>>()?;
    let refs: Vec<Vec<String>> = (0..sources.len()).map(|i| all_refs.iter().map(|r| r[i].clone()).collect()).collect();
    let mut hyps = Vec::new();
    for source in &sources {
        hyps.push(jfleg_tokens(&corrected_text(&generate(a, Task::CheckWording, source, None)?)));
    }
    Ok(WordingEval {
        sentences: sources.len(),
        gleu: gleu(&sources, &hyps, &refs),
        gleu_source: gleu(&sources, &sources, &refs),
        chrf: chrf(&hyps, &refs, 0),
    })
}

/// Keeps the figures beside the model file, where the language picker and the translation task read them for this
/// model from then on ([`crate::models::translation_figures`]); returns where.
fn save_translation_figures(
    measured: &[TranslationEval],
    a: &Assistant,
    from: &str,
) -> Result<std::path::PathBuf, AppError> {
    let (year, month, day) = tend_engine::utc_date();
    let figures = crate::models::TranslationFigures {
        measured: format!("{year:04}-{month:02}-{day:02}"),
        data: format!("NTREX-128 ({from}), first lines, measured by Tend on this computer"),
        lines: measured.iter().map(|t| t.lines).min().unwrap_or(0),
        chrf: measured.iter().map(|t| (t.direction.replace("->", "-"), t.chrf_pp)).collect(),
    };
    crate::models::save_measured(&a.model_info().path, a.model_sha256(), figures)
}

/// The first 20 NTREX-128 sentences of each language, compiled in (`data/ntrex/NOTICE.md`), for measuring a model
/// where the shared evaluation data is not installed.
fn builtin_sentences(code: &str) -> Result<Vec<String>, AppError> {
    let text = match code {
        "eng" => include_str!("../../data/ntrex/eng.txt"),
        "ron" => include_str!("../../data/ntrex/ron.txt"),
        "pol" => include_str!("../../data/ntrex/pol.txt"),
        "fil" => include_str!("../../data/ntrex/fil.txt"),
        "hin" => include_str!("../../data/ntrex/hin.txt"),
        "urd" => include_str!("../../data/ntrex/urd.txt"),
        "por" => include_str!("../../data/ntrex/por.txt"),
        "spa" => include_str!("../../data/ntrex/spa.txt"),
        "pan" => include_str!("../../data/ntrex/pan.txt"),
        "mal" => include_str!("../../data/ntrex/mal.txt"),
        "yor" => include_str!("../../data/ntrex/yor.txt"),
        _ => return Err(AppError::Eval(format!("no built-in sentences for '{code}'"))),
    };
    Ok(text.lines().map(str::to_owned).collect())
}

/// The most sentences per direction [`measure_translation`] takes: the built-in ones.
pub const BUILTIN_SENTENCES: usize = 20;

/// Measures how well the loaded model translates each language both ways on `lines` built-in sentences per
/// direction (at most [`BUILTIN_SENTENCES`]), reporting `(done, total)` translations to `progress` (which may
/// stop it), and saves the figures beside the model file, where the language picker and the translation gate read
/// them from then on. Returns the figures and where they were saved; nothing is saved if it was stopped.
pub fn measure_translation(
    a: &mut Assistant,
    lines: usize,
    progress: &mut dyn FnMut(usize, usize) -> Flow,
) -> Result<Option<(Vec<TranslationEval>, std::path::PathBuf)>, AppError> {
    let lines = lines.clamp(1, BUILTIN_SENTENCES);
    let mut stopped = false;
    let measured = translation(&builtin_sentences, lines, a, &mut |done, total| {
        let flow = progress(done, total);
        stopped |= flow == Flow::Stop;
        flow
    })?;
    if stopped {
        return Ok(None);
    }
    let saved = save_translation_figures(&measured, a, "the sentences built into Tend")?;
    Ok(Some((measured, saved)))
}

/// chrF++ per language and direction on the first `limit` sentence pairs that `sentences` gives for each language
/// (by its ISO 639-3 code), with the translation gate off; `progress` hears `(done, total)` before each translation
/// and may stop the measurement (what was measured so far is returned).
fn translation(
    sentences: &dyn Fn(&str) -> Result<Vec<String>, AppError>,
    limit: usize,
    a: &mut Assistant,
    progress: &mut dyn FnMut(usize, usize) -> Flow,
) -> Result<Vec<TranslationEval>, AppError> {
    let english = sentences("eng")?;
    let languages: Vec<Language> = Language::all().filter(|l| *l != Language::English).collect();
    let per_direction = if limit == 0 { english.len() } else { limit.min(english.len()) };
    let total = languages.len() * 2 * per_direction;
    let mut done = 0;
    let mut out = Vec::new();
    let params = GenerationParams { max_tokens: 300, ..GenerationParams::default() };
    for language in languages {
        let other = sentences(language.code())?;
        let pairs = take(english.iter().cloned().zip(other).collect::<Vec<_>>(), limit);
        for to_english in [false, true] {
            let mut hyps = Vec::new();
            let mut refs = Vec::new();
            for (en, xx) in &pairs {
                if progress(done, total) == Flow::Stop {
                    return Ok(out);
                }
                done += 1;
                let (input, reference, target) =
                    if to_english { (xx, en, Language::English) } else { (en, xx, language) };
                let draft =
                    a.draft_gated(Task::Translate, input, Some(target), None, &params, &mut |_| Flow::Continue, false)?;
                hyps.push(draft.draft);
                refs.push(vec![reference.clone()]);
            }
            let code = language.code();
            out.push(TranslationEval {
                language: code.to_owned(),
                direction: if to_english { format!("{code}->eng") } else { format!("eng->{code}") },
                lines: pairs.len(),
                chrf_pp: chrf(&hyps, &refs, 2),
            });
        }
    }
    Ok(out)
}

#[derive(Deserialize)]
struct PrimockNote {
    note: String,
}

fn notes(dir: &Path, limit: usize, a: &mut Assistant) -> Result<NotesEval, AppError> {
    let files = primock_files(dir)?;
    let (mut kept, mut total, mut unsupported) = (0usize, 0usize, 0usize);
    let files = take(files, limit);
    for file in &files {
        let note: PrimockNote = serde_json::from_str(&read(file)?)
            .map_err(|e| AppError::Eval(format!("{} is not a PriMock57 note: {e}", file.display())))?;
        let draft = generate(a, Task::CareNote, &note.note, None)?;
        let facts = tend_checks::extract_facts(&note.note)
            .into_iter()
            .filter(|f| !matches!(f.kind, tend_checks::FactKind::Negation | tend_checks::FactKind::Detail))
            .count();
        let findings = check_scope(&note.note, &draft, Scope::RECORD);
        let lost = findings
            .iter()
            .filter(|f| f.kind == FindingKind::Omission && f.fact != Some(tend_checks::FactKind::Negation))
            .count();
        unsupported += findings.iter().filter(|f| f.kind == FindingKind::UnsupportedFact).count();
        total += facts;
        kept += facts.saturating_sub(lost);
    }
    Ok(NotesEval {
        notes: files.len(),
        facts_kept: if total == 0 { 0.0 } else { kept as f64 / total as f64 },
        unsupported_per_draft: unsupported as f64 / files.len().max(1) as f64,
    })
}

#[derive(Deserialize)]
struct CareShorthand {
    id: String,
    shorthand: String,
    person: Option<String>,
    facts: Vec<ListedFact>,
}

#[derive(Deserialize)]
struct ListedFact {
    text: String,
    critical: bool,
}

/// The automatic proxy for "the draft states this listed fact": every checkable fact of the sentence (number,
/// time, dose, medicine, name, negation) is in the draft, and at least half its content words are. It misses
/// paraphrases and can pass a fact stated of the wrong thing: the hand count in benches/results is the measure.
pub fn states_fact(draft: &str, fact: &str, person: Option<&str>) -> bool {
    let lost = check_about(fact, draft, Scope::RECORD, person)
        .iter()
        .any(|f| matches!(f.kind, FindingKind::Omission | FindingKind::Negation) && f.location == Location::Source);
    let (shared, of) = tend_checks::grounding::shared_words(fact, draft);
    !lost && shared * 2 >= of
}

/// The findings that count as something added or changed: unsupported facts, reversed negations, high-stakes
/// claims and passages copied from the prompt's example.
fn added(findings: &[tend_checks::Finding]) -> Vec<String> {
    findings
        .iter()
        .filter(|f| {
            f.location == Location::Draft
                && matches!(f.kind, FindingKind::UnsupportedFact | FindingKind::Negation | FindingKind::HighStakes)
        })
        .map(|f| f.text.clone())
        .collect()
}

/// A draft to score: its text, findings and sentences, and the seconds it took.
struct Written {
    text: String,
    findings: Vec<tend_checks::Finding>,
    sentences: Vec<crate::Sentence>,
    seconds: f64,
}

type DraftFn<'a> = dyn FnMut(&str, &str, Option<&str>) -> Result<Written, AppError> + 'a;

/// Drafts from a JSON-lines file, by id: text and seconds.
fn given_drafts(path: &Path) -> Result<std::collections::HashMap<String, (String, f64)>, AppError> {
    #[derive(Deserialize)]
    struct Given {
        id: String,
        draft: String,
        seconds: f64,
    }
    read(path)?
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let g: Given = serde_json::from_str(l)
                .map_err(|e| AppError::Eval(format!("{}: a line is not a draft: {e}", path.display())))?;
            Ok((g.id, (g.draft, g.seconds)))
        })
        .collect()
}

fn faithfulness(dir: &Path, limit: usize, draft: &mut DraftFn<'_>) -> Result<Vec<FaithfulnessEval>, AppError> {
    let mut out = Vec::new();
    // Care shorthand, with its fact lists.
    let notes: Vec<CareShorthand> = take(lines(&dir.join("care-shorthand/dev.jsonl"))?, limit)
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).map_err(|e| AppError::Eval(format!("care-shorthand line: {e}"))))
        .collect::<Result<_, _>>()?;
    let mut drafts = Vec::new();
    let (mut critical, mut critical_kept, mut by_lists) = (0usize, 0usize, 0usize);
    for note in &notes {
        let d = draft(&note.id, &note.shorthand, note.person.as_deref())?;
        let missing: Vec<&ListedFact> =
            note.facts.iter().filter(|f| !states_fact(&d.text, &f.text, note.person.as_deref())).collect();
        critical += note.facts.iter().filter(|f| f.critical).count();
        critical_kept +=
            note.facts.iter().filter(|f| f.critical).count() - missing.iter().filter(|f| f.critical).count();
        let listed = note.facts.iter().map(|f| f.text.as_str()).collect::<Vec<_>>().join("\n");
        let backing = format!("{listed}\n{}\n{}", note.shorthand, tend_checks::items::expand(&note.shorthand));
        by_lists +=
            added(&tend_checks::check_draft_about(&backing, &d.text, Scope::RECORD, note.person.as_deref())).len();
        let missing = missing.iter().map(|f| f.text.clone()).collect();
        drafts.push(faithful_draft(&note.id, &note.shorthand, &d, note.facts.len(), missing));
    }
    if !drafts.is_empty() {
        let mut e = summarise("care-shorthand", drafts);
        e.critical_kept = Some(ratio(critical_kept, critical));
        e.added_per_draft_by_fact_lists = Some(by_lists as f64 / e.notes as f64);
        out.push(e);
    }
    // PriMock57 consultation notes: the checks' facts of the shorthand stand in for a list.
    let mut drafts = Vec::new();
    for file in take(primock_files(dir)?, limit) {
        let note: PrimockNote = serde_json::from_str(&read(&file)?)
            .map_err(|e| AppError::Eval(format!("{} is not a PriMock57 note: {e}", file.display())))?;
        let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let d = draft(&name, &note.note, None)?;
        let facts: Vec<_> = tend_checks::extract_facts(&note.note)
            .into_iter()
            .filter(|f| !matches!(f.kind, tend_checks::FactKind::Negation | tend_checks::FactKind::Detail))
            .collect();
        let missing: Vec<String> = d
            .findings
            .iter()
            .filter(|f| f.kind == FindingKind::Omission && f.fact != Some(tend_checks::FactKind::Negation))
            .map(|f| f.text.clone())
            .collect();
        drafts.push(faithful_draft(&name, &note.note, &d, facts.len(), missing));
    }
    if !drafts.is_empty() {
        out.push(summarise("primock57-notes", drafts));
    }
    Ok(out)
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

fn faithful_draft(id: &str, notes: &str, d: &Written, facts: usize, missing: Vec<String>) -> FaithfulDraft {
    FaithfulDraft {
        id: id.to_owned(),
        notes: notes.to_owned(),
        draft: d.text.clone(),
        facts_kept: facts.saturating_sub(missing.len()),
        facts,
        facts_missing: missing,
        added_by_checks: added(&d.findings),
        readings: d.findings.iter().filter(|f| f.kind == FindingKind::Reading).map(|f| f.text.clone()).collect(),
        fallback_sentences: d.sentences.iter().filter(|s| s.fallback).count(),
        sentences: d.sentences.len(),
        linked_sentences: d.sentences.iter().filter(|s| !s.sources.is_empty()).count(),
        seconds: d.seconds,
    }
}

fn summarise(set: &str, drafts: Vec<FaithfulDraft>) -> FaithfulnessEval {
    let n = drafts.len();
    let sum = |f: &dyn Fn(&FaithfulDraft) -> usize| drafts.iter().map(f).sum::<usize>();
    let sentences = sum(&|d| d.sentences);
    FaithfulnessEval {
        set: set.to_owned(),
        notes: n,
        facts_kept: ratio(sum(&|d| d.facts_kept), sum(&|d| d.facts)),
        critical_kept: None,
        added_per_draft_by_checks: sum(&|d| d.added_by_checks.len()) as f64 / n as f64,
        added_per_draft_by_fact_lists: None,
        readings_per_draft: sum(&|d| d.readings.len()) as f64 / n as f64,
        sentences_with_evidence: ratio(sum(&|d| d.linked_sentences), sentences),
        fallbacks_per_draft: sum(&|d| d.fallback_sentences) as f64 / n as f64,
        seconds_per_draft: drafts.iter().map(|d| d.seconds).sum::<f64>() / n as f64,
        drafts,
    }
}

fn primock_files(dir: &Path) -> Result<Vec<PathBuf>, AppError> {
    let folder = dir.join("primock57-notes");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&folder)
        .map_err(|e| AppError::Eval(format!("cannot read {}: {e}", folder.display())))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    Ok(files)
}

impl EvalReport {
    /// The report as markdown.
    pub fn to_markdown(&self) -> String {
        let mut md = String::from("# Tend evaluation\n\n");
        md.push_str(&format!(
            "Model: {}. Items per model-based part: {}.\n\n",
            self.model.as_deref().unwrap_or("none (checks only)"),
            if self.limit == 0 { "all".to_owned() } else { self.limit.to_string() }
        ));
        if let Some(g) = &self.grounding {
            md.push_str(&format!(
                "## Grounding check on SummEdits ({} items)\n\n| figure | value |\n|---|---|\n\
                 | precision | {:.3} |\n| recall | {:.3} |\n| false-positive rate (consistent flagged) | {:.3} |\n\
                 | balanced accuracy | {:.3} |\n| recall, entity/number/inserted-fact edits | {:.3} |\n\
                 | time per item | {:.0} µs |\n\n| edit type | inconsistent items | recall |\n|---|---|---|\n",
                g.items,
                g.precision,
                g.recall,
                g.false_positive_rate,
                g.balanced_accuracy,
                g.recall_entities_numbers_inserted,
                g.micros_per_item
            ));
            for (t, n, r) in &g.recall_by_edit_type {
                md.push_str(&format!("| {t} | {n} | {r:.3} |\n"));
            }
            md.push_str(
                "\n| domain | items | recall | false-positive rate | balanced accuracy |\n|---|---|---|---|---|\n",
            );
            for (domain, n, recall, fpr, balanced) in &g.by_domain {
                md.push_str(&format!("| {domain} | {n} | {recall:.3} | {fpr:.3} | {balanced:.3} |\n"));
            }
            md.push('\n');
        }
        if let Some(w) = &self.wording {
            md.push_str(&format!(
                "## Check my wording on JFLEG dev ({} sentences)\n\nCorrections are tokenized as the references are \
                 (punctuation and \"n't\" apart) before scoring.\n\n| figure | value |\n|---|---|\n\
                 | GLEU | {:.3} |\n| GLEU of the uncorrected source | {:.3} |\n| chrF | {:.1} |\n\n",
                w.sentences, w.gleu, w.gleu_source, w.chrf
            ));
        }
        if !self.translation.is_empty() {
            md.push_str("## Translation on NTREX (chrF++)\n\n| direction | lines | chrF++ |\n|---|---|---|\n");
            for t in &self.translation {
                md.push_str(&format!("| {} | {} | {:.1} |\n", t.direction, t.lines, t.chrf_pp));
            }
            if let Some(saved) = &self.translation_saved {
                md.push_str(&format!(
                    "\nSaved for this model file in {}: the language picker and the translation task use these \
                     figures for it from now on.\n",
                    saved.display()
                ));
            }
            md.push('\n');
        }
        if let Some(n) = &self.notes {
            md.push_str(&format!(
                "## Care notes from PriMock57 shorthand ({} notes)\n\n| figure | value |\n|---|---|\n\
                 | facts of the shorthand kept in the draft | {:.3} |\n| unsupported facts per draft | {:.2} |\n\n",
                n.notes, n.facts_kept, n.unsupported_per_draft
            ));
        }
        for f in &self.faithfulness {
            md.push_str(&format!(
                "## Faithful care notes: {} ({} notes)\n\n| figure | value |\n|---|---|\n\
                 | facts kept (automatic proxy) | {:.3} |\n| critical facts kept (automatic proxy) | {} |\n\
                 | added or changed per draft, by the checks | {:.2} |\n| added per draft, against the fact lists | {} |\n\
                 | readings shown to check, per draft | {:.2} |\n\
                 | sentences with evidence links | {:.2} |\n| sentences in the notes' own words, per draft | {:.2} |\n\
                 | seconds per draft | {:.2} |\n\n",
                f.set,
                f.notes,
                f.facts_kept,
                f.critical_kept.map_or("-".to_owned(), |v| format!("{v:.3}")),
                f.added_per_draft_by_checks,
                f.added_per_draft_by_fact_lists.map_or("-".to_owned(), |v| format!("{v:.2}")),
                f.readings_per_draft,
                f.sentences_with_evidence,
                f.fallbacks_per_draft,
                f.seconds_per_draft
            ));
        }
        md
    }
}
