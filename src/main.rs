//! `tend`: the command line of Tend, a private writing assistant for adult social care. It calls only the
//! `tend-app` façade.

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use tend_app::eval::{EvalOptions, EvalSet};
use tend_app::{Assistant, Finding, Flow, GenerationParams, Language, Location, Progress, StopReason, Task};

mod records;

#[derive(Parser)]
#[command(name = "tend", version, about = "Tend: private, local drafting help for adult social care")]
struct Cli {
    /// Print machine-readable JSON instead of text.
    #[arg(long, global = true)]
    json: bool,
    #[command(flatten)]
    store: records::StoreArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Draft a care note from shorthand, streaming it to standard output. Every draft needs a person's review.
    Draft {
        /// The shorthand: a file, or - for standard input.
        #[arg(long, short, default_value = "-")]
        input: String,
        /// The writing task.
        #[arg(long, value_enum, default_value = "care-note")]
        task: TaskArg,
        /// For --task translate: the language to translate into (english, romanian, polish, filipino, hindi,
        /// urdu, portuguese, spanish, punjabi, malayalam, yoruba).
        #[arg(long)]
        to: Option<String>,
        /// The GGUF model file (default: $TEND_MODEL, the config file, then models/).
        #[arg(long, short, env = "TEND_MODEL")]
        model: Option<PathBuf>,
        /// The most tokens to generate.
        #[arg(long, default_value_t = 400)]
        max_tokens: usize,
        /// Sampling temperature; 0 is greedy and repeatable.
        #[arg(long, default_value_t = 0.0)]
        temperature: f64,
        /// Sampling seed.
        #[arg(long, default_value_t = 299_792_458)]
        seed: u64,
        /// Save the draft for review in the record store, about this person (their number in `tend person list`);
        /// the draft calls them by the preferred name the store holds.
        #[arg(long, value_name = "PERSON")]
        save_for: Option<i64>,
        /// The preferred name of the person the notes are about, for a draft that is not saved.
        #[arg(long, value_name = "NAME", conflicts_with = "save_for")]
        name: Option<String>,
    },
    /// Create the encrypted record store and its first admin.
    Init {
        /// The admin's user name.
        #[arg(long)]
        admin: String,
    },
    /// Add or list users, or set a password.
    #[command(subcommand)]
    User(records::UserCommand),
    /// Add, list or assign the people supported.
    #[command(subcommand)]
    Person(records::PersonCommand),
    /// Your drafts: list, show, edit, acknowledge findings, submit for review.
    #[command(subcommand)]
    Drafts(records::DraftsCommand),
    /// The review queue (managers): list, show, acknowledge, approve, return, reject.
    #[command(subcommand)]
    Review(records::ReviewCommand),
    /// Final notes: list, export with the reviewer's footer, amend.
    #[command(subcommand)]
    Notes(records::NotesCommand),
    /// Check the audit trail.
    #[command(subcommand)]
    Audit(records::AuditCommand),
    /// Erase every record about a person, on their request (admins).
    Erase {
        /// The person's number.
        #[arg(long)]
        person: i64,
        /// Confirm: this cannot be undone.
        #[arg(long)]
        yes: bool,
    },
    /// Export everything about a person, for a subject access request (managers).
    Export {
        /// The person's number.
        #[arg(long)]
        person: i64,
        /// JSON or readable text.
        #[arg(long, value_enum, default_value = "text")]
        format: records::ExportFormat,
        /// Write to this file instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// A handover summary of a person's final notes, grouped by care category, every point linked to the note it
    /// came from. Not a record: read it against the notes (a manager may save it as a draft for review).
    Handover {
        /// The person's number.
        #[arg(long)]
        person: i64,
        /// Which notes: last (the last note), 24h, 7d, or any number of hours (h) or days (d).
        #[arg(long, default_value = "24h", value_parser = parse_within)]
        within: tend_app::handover::Within,
        /// The GGUF model file (default: $TEND_MODEL, the config file, then models/).
        #[arg(long, short, env = "TEND_MODEL")]
        model: Option<PathBuf>,
        /// Save it as a draft (managers and administrators): submitted and approved by another manager, it becomes
        /// a record.
        #[arg(long)]
        save: bool,
    },
    /// Report an AI error in a draft, for your manager.
    Report {
        /// The draft's number.
        #[arg(long)]
        draft: Option<i64>,
        /// The person's number.
        #[arg(long)]
        person: Option<i64>,
        /// What went wrong.
        #[arg(long)]
        text: String,
    },
    /// List the AI-error reports workers have filed, newest first, or record what was done about one (managers and
    /// admins).
    Reports {
        /// The report to update.
        #[arg(long, requires = "status")]
        id: Option<i64>,
        /// Its new status: new, looked_into or closed.
        #[arg(long, requires = "id")]
        status: Option<String>,
        /// What was done (needed to close a report).
        #[arg(long, default_value = "")]
        outcome: String,
    },
    /// Show or change how long source notes are kept, and whether managers may review their own drafts (admins).
    Settings {
        /// Days to keep source notes and rejected drafts.
        #[arg(long)]
        retention_days: Option<u32>,
        /// Allow a manager to review their own drafts.
        #[arg(long)]
        allow_self_review: Option<bool>,
    },
    /// Check a draft against the notes it was written from, without a model: unsupported or lost facts,
    /// reversed negations, wording, clinical advice.
    Check {
        /// The worker's notes (the source of the facts).
        #[arg(long)]
        source: String,
        /// The draft to check.
        #[arg(long)]
        draft: String,
    },
    /// Measure the checks and the tasks on the shared evaluation data; writes eval.md and eval.json.
    Eval {
        /// What to measure: grounding (no model), wording, translation, notes, faithfulness.
        #[arg(long, value_delimiter = ',', default_value = "grounding")]
        sets: Vec<EvalSetArg>,
        /// Items per model-based part (per language and direction for translation); 0 for all.
        #[arg(long, default_value_t = 10)]
        limit: usize,
        /// The evaluation data folder.
        #[arg(long, default_value = "../shared/eval")]
        data: PathBuf,
        /// Where to write eval.md and eval.json.
        #[arg(long, default_value = "benches/results")]
        out: PathBuf,
        /// The GGUF model file for the model-based parts.
        #[arg(long, short, env = "TEND_MODEL")]
        model: Option<PathBuf>,
        /// Faithfulness only: score the drafts in this JSON-lines file ({"id", "draft", "seconds"}, written by
        /// another version of Tend) instead of drafting.
        #[arg(long)]
        drafts: Option<PathBuf>,
    },
    /// The model catalogue (what is installed, what fits this computer), or import a GGUF file from disk.
    #[command(subcommand)]
    Models(ModelsCommand),
    /// Describe a model file: architecture, size, quantisation, context, chat template and SHA-256.
    Info {
        /// The GGUF model file.
        model: PathBuf,
        /// Fail unless the file has this SHA-256 (hex), e.g. the one its publisher lists.
        #[arg(long)]
        sha256: Option<String>,
    },
}

#[derive(Subcommand)]
enum ModelsCommand {
    /// The catalogue: size, memory needed, licence, whether installed and whether it fits.
    List,
    /// Check a GGUF file (from a USB stick or a shared drive) and install it into the models folder.
    Import {
        /// The GGUF file.
        file: PathBuf,
    },
    /// Download a catalogue model from the Hugging Face hub (HF_ENDPOINT and HF_TOKEN are honoured). The only
    /// command that goes online. An interrupted download resumes when run again; the file is installed only
    /// after its SHA-256 is verified.
    Download {
        /// The model's name or file name, as `tend models list` shows it.
        name: String,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum EvalSetArg {
    Grounding,
    Wording,
    Translation,
    Notes,
    Faithfulness,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum TaskArg {
    /// Shorthand from a visit into a daily care note.
    CareNote,
    /// A person's interests and needs into a week of activities.
    ActivityPlan,
    /// Meeting notes into a record of the meeting, line by line.
    Meeting,
    /// A purpose and points into a short letter or email.
    Letter,
    /// Translate to or from English (with --to).
    Translate,
    /// Minimal corrections of grammar and clarity, with reasons.
    Check,
}

impl From<TaskArg> for Task {
    fn from(t: TaskArg) -> Self {
        match t {
            TaskArg::CareNote => Task::CareNote,
            TaskArg::ActivityPlan => Task::ActivityPlan,
            TaskArg::Meeting => Task::Meeting,
            TaskArg::Letter => Task::Letter,
            TaskArg::Translate => Task::Translate,
            TaskArg::Check => Task::CheckWording,
        }
    }
}

fn main() -> ExitCode {
    if let Some(error) = apply_environment() {
        eprintln!("tend: {error}");
        return ExitCode::FAILURE;
    }
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let _ = std::io::stdout().flush();
            eprintln!("tend: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Gives candle the thread count from the settings file and the instruction set of `TEND_ISA`, which it reads once;
/// returns why `TEND_ISA` cannot be used, if it cannot.
#[allow(unsafe_code)]
fn apply_environment() -> Option<String> {
    let (set, error) = tend_app::config::environment_to_apply();
    for (name, value) in set {
        // SAFETY: called first thing in main, while this process has one thread.
        unsafe { std::env::set_var(name, value) };
    }
    error
}

fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Check { source, draft } => check(&source, &draft, cli.json),
        Command::Eval { sets, limit, data, out, model, drafts } => evaluate(sets, limit, data, &out, model, drafts),
        Command::Models(c) => models(c, cli.json),
        Command::Info { model, sha256 } => info(&model, sha256.as_deref(), cli.json),
        Command::Draft { input, task, to, model, max_tokens, temperature, seed, save_for, name } => {
            let params = GenerationParams { max_tokens, temperature, seed, ..GenerationParams::default() };
            let language = to.as_deref().map(Language::parse).transpose()?;
            // Sign in before the model loads, so a wrong password costs no time and no draft is lost.
            let session = save_for.map(|_| records::sign_in(&cli.store)).transpose()?;
            let mut save = session.zip(save_for);
            let name = match &mut save {
                Some((session, id)) => {
                    Some(session.preferred_name(*id).with_context(|| format!("person {id}: see `tend person list`"))?)
                }
                None => name,
            };
            draft(&input, task.into(), language, name.as_deref(), model, &params, cli.json, save)
        }
        Command::Init { admin } => records::init(&cli.store, &admin),
        Command::User(c) => records::user(&cli.store, c, cli.json),
        Command::Person(c) => records::person(&cli.store, c, cli.json),
        Command::Drafts(c) => records::drafts(&cli.store, c, cli.json),
        Command::Review(c) => records::review(&cli.store, c, cli.json),
        Command::Notes(c) => records::notes(&cli.store, c, cli.json),
        Command::Audit(c) => records::audit(&cli.store, c, cli.json),
        Command::Erase { person, yes } => records::erase(&cli.store, person, yes),
        Command::Export { person, format, out } => records::export(&cli.store, person, format, out.as_deref()),
        Command::Handover { person, within, model, save } => {
            handover(&cli.store, person, within, model, save, cli.json)
        }
        Command::Report { draft, person, text } => records::report(&cli.store, draft, person, &text),
        Command::Reports { id, status, outcome } => {
            records::reports(&cli.store, id.zip(status).as_ref().map(|(id, s)| (*id, s.as_str(), outcome.as_str())))
        }
        Command::Settings { retention_days, allow_self_review } => {
            records::settings(&cli.store, retention_days, allow_self_review)
        }
    }
}

fn parse_within(text: &str) -> Result<tend_app::handover::Within, String> {
    tend_app::handover::Within::parse(text)
        .ok_or_else(|| format!("'{text}' is not a span: write last, 24h, 7d, or a number of hours (h) or days (d)"))
}

/// Prints a handover summary of a person's final notes.
fn handover(
    store: &records::StoreArgs,
    person: i64,
    within: tend_app::handover::Within,
    model: Option<PathBuf>,
    save: bool,
    json: bool,
) -> Result<()> {
    let mut session = records::sign_in(store)?;
    let (name, notes, left_out) = session.handover_notes(person, within)?;
    if notes.is_empty() {
        bail!("{name} has no final notes in {}: nothing to summarise.", within.label());
    }
    let mut assistant = load(&resolve_model(model)?)?;
    let summary = assistant.handover(&name, &notes, within, left_out, &GenerationParams::default(), &mut |p| {
        if let Progress::Prefill { done, total } = p {
            eprint!("\rWriting the summary: {done} of {total} parts of the notes");
        }
        Flow::Continue
    })?;
    eprintln!();
    if json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        print!("{}", summary.text());
    }
    if save {
        let model = assistant.model_info().name.clone();
        let id = session.save_handover(person, &summary, &tend_app::handover::source_of(&notes), &model)?;
        eprintln!("Saved as draft {id}: submit it with `tend drafts submit {id}`; another manager reviews it.");
    } else {
        eprintln!("--- Review required: an AI summary, not a record. Read each point against its note. ---");
    }
    Ok(())
}

fn models(command: ModelsCommand, json: bool) -> Result<()> {
    let dir = tend_app::models_dir();
    match command {
        ModelsCommand::List => {
            let available = tend_app::available_memory();
            let list = tend_app::models::catalog_status(&dir, available);
            if json {
                println!("{}", serde_json::to_string_pretty(&list)?);
                return Ok(());
            }
            let default = tend_app::models::default_model(&dir, available);
            if let Some(free) = available {
                println!("This computer has {} MB of memory free.\n", free >> 20);
            }
            for m in list {
                let e = &m.entry;
                let state = match (&m.installed, m.fits) {
                    (Some(p), _) if Some(p) == default.as_ref() => "installed, the default",
                    (Some(_), true) => "installed",
                    (Some(_), false) => "installed, does not fit now",
                    (None, true) => "fits",
                    (None, false) => "too big for this computer",
                };
                println!(
                    "{:<40} {:>5} MB file, needs {:>5} MB, {:<13} [{state}]",
                    e.name, e.size_mb, e.memory_mb, e.license
                );
                println!("    {} ({})", e.note, e.repo.as_deref().or(e.package.as_deref()).unwrap_or(&e.source));
            }
        }
        ModelsCommand::Import { file } => {
            let imported = tend_app::models::import(&file, &dir)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&imported)?);
                return Ok(());
            }
            let known = imported.catalog_name.map_or_else(
                || "It is not in Tend's catalogue: check its licence and where it came from.".to_owned(),
                |name| format!("It is {name} from Tend's catalogue (SHA-256 matches)."),
            );
            println!(
                "Installed {} ({}, {}). {known}",
                imported.path.display(),
                imported.info.architecture,
                imported.info.quantization
            );
            println!("SHA-256: {}", imported.sha256);
        }
        ModelsCommand::Download { name } => {
            let bar = if std::io::stderr().is_terminal() { ProgressBar::new(0) } else { ProgressBar::hidden() };
            bar.set_style(
                ProgressStyle::with_template("downloading {bar:30} {bytes}/{total_bytes} {bytes_per_sec} {eta}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            let hub = tend_app::models::HubConfig::from_env();
            let never = std::sync::atomic::AtomicBool::new(false);
            let entry = tend_app::models::find(&name)?;
            let downloaded = tend_app::models::download(
                &entry,
                &dir,
                &hub,
                &mut |p| {
                    bar.set_length(p.total);
                    bar.set_position(p.done);
                },
                &never,
            );
            bar.finish_and_clear();
            let downloaded = downloaded?;
            if json {
                println!("{}", serde_json::to_string_pretty(&downloaded)?);
                return Ok(());
            }
            println!(
                "Installed {} ({}, {}); SHA-256 {} verified.",
                downloaded.path.display(),
                downloaded.info.architecture,
                downloaded.info.quantization,
                downloaded.sha256
            );
        }
    }
    Ok(())
}

fn info(model: &Path, expected: Option<&str>, json: bool) -> Result<()> {
    let (info, sha256) = tend_app::inspect_model(model)?;
    if let Some(expected) = expected.filter(|e| !e.eq_ignore_ascii_case(&sha256)) {
        bail!(
            "the SHA-256 of {} is {sha256}, which does not match the expected {expected}: the file is damaged or a \
             different file; download or copy it again",
            model.display()
        );
    }
    if json {
        let mut value = serde_json::to_value(&info)?;
        value["sha256"] = sha256.into();
        println!("{}", serde_json::to_string_pretty(&value)?);
        return Ok(());
    }
    println!("name:           {}", info.name);
    println!("file:           {}", info.path.display());
    println!("architecture:   {}", info.architecture);
    println!("parameters:     {:.1} M", info.parameters as f64 / 1e6);
    println!("quantisation:   {}", info.quantization);
    println!("context length: {}", info.context_length);
    println!("chat template:  {}", if info.has_chat_template { "present" } else { "absent" });
    println!("licence:        {}", info.license.as_deref().unwrap_or("not stated in the file"));
    println!("size:           {:.1} MB", info.file_size as f64 / 1e6);
    let context = if info.context_length > 0 { info.context_length.min(tend_app::WORKING_CONTEXT) } else { 4096 };
    let free = tend_app::available_memory().map_or_else(String::new, |b| format!(" (free now: {} MB)", b >> 20));
    println!("memory:         about {} MB to draft{free}", info.memory_needed(context) >> 20);
    println!("sha256:         {sha256}");
    Ok(())
}

#[allow(clippy::too_many_arguments)] // the command's options, passed on as they were parsed
fn draft(
    input: &str,
    task: Task,
    language: Option<Language>,
    person: Option<&str>,
    model: Option<PathBuf>,
    params: &GenerationParams,
    json: bool,
    save: Option<(tend_app::records::Session, i64)>,
) -> Result<()> {
    // Read before the model loads, and bounded: a file far longer than any model's working context is refused at
    // once, not after the load (and `/dev/zero` is not read until memory runs out).
    let text = read_input(input, tend_app::MAX_INPUT_BYTES)?;
    if text.trim().is_empty() {
        bail!("there is nothing to draft from: the input is empty. Give the shorthand in a file or on standard input.");
    }
    let model = resolve_model(model)?;
    let mut assistant = load(&model)?;
    let mut stdout = std::io::stdout().lock();
    let mut on_progress = |p: Progress<'_>| {
        if let (Progress::Text(piece), false) = (p, json) {
            let _ = write!(stdout, "{piece}").and_then(|()| stdout.flush());
        }
        Flow::Continue
    };
    let draft = assistant.draft(task, &text, language, person, params, &mut on_progress)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&draft)?);
    } else {
        if draft.declined {
            print!("{}", draft.draft);
        }
        println!();
        if let Some(back) = &draft.back_translation {
            println!("\nRead back into English by the same model (to check the meaning):\n{back}");
        }
        print_evidence(&draft, &text);
        print_findings(&draft.findings, &text, &draft.draft, draft.back_translation.as_deref().unwrap_or(""));
        eprintln!("--- Review required: this is an AI draft. Check every fact before it goes on the record. ---");
    }
    if let Some((mut session, person)) = save {
        session.set_idle_limit(std::time::Duration::MAX);
        let id = session
            .save_draft(person, &text, &draft)
            .context("the draft above was not saved: copy it now if you need it")?;
        eprintln!(
            "Saved as draft {id} for person {person}: edit it, acknowledge its findings and submit it for review."
        );
    }
    let p = &draft.provenance;
    if draft.declined {
        return Ok(());
    }
    eprintln!(
        "[{} prompt tokens at {:.1} tok/s, first token after {:.2} s; {} tokens at {:.1} tok/s; stopped: {:?}; \
         kernels {}]",
        p.prompt_tokens,
        p.prefill_tokens_per_second,
        p.time_to_first_token.as_secs_f64(),
        p.generated_tokens,
        p.decode_tokens_per_second,
        draft.stop_reason,
        tend_app::kernels_in_use()
    );
    if let Some(translation) = &draft.translation {
        eprintln!("{}", translation.sentence());
    }
    if task == Task::Translate && draft.stop_reason == StopReason::Length {
        eprintln!(
            "The translation ran on longer than its source could need and was cut at {} tokens: check that nothing \
             is missing or repeated.",
            p.generated_tokens
        );
    }
    Ok(())
}

/// For a care note: the sentences that are the notes' own words (their model version failed the checks) and the
/// parts of the notes no sentence covers. Every sentence's sources are in `--json`.
fn print_evidence(draft: &tend_app::Draft, notes: &str) {
    for (n, sentence) in draft.sentences.iter().enumerate().filter(|(_, s)| s.fallback) {
        println!(
            "Sentence {}, \"{}\", is your notes' own words: the model's version did not pass the checks.",
            n + 1,
            sentence.text
        );
    }
    for span in &draft.uncovered {
        println!("Not in the draft: \"{}\"", notes.get(span.start..span.end).unwrap_or_default());
    }
}

fn evaluate(
    sets: Vec<EvalSetArg>,
    limit: usize,
    data: PathBuf,
    out: &Path,
    model: Option<PathBuf>,
    drafts: Option<PathBuf>,
) -> Result<()> {
    let sets: Vec<EvalSet> = sets
        .into_iter()
        .map(|s| match s {
            EvalSetArg::Grounding => EvalSet::Grounding,
            EvalSetArg::Wording => EvalSet::Wording,
            EvalSetArg::Translation => EvalSet::Translation,
            EvalSetArg::Notes => EvalSet::Notes,
            EvalSetArg::Faithfulness => EvalSet::Faithfulness,
        })
        .collect();
    let needs_model = |s: &EvalSet| *s != EvalSet::Grounding && !(*s == EvalSet::Faithfulness && drafts.is_some());
    let mut assistant = if sets.iter().any(needs_model) { Some(load(&resolve_model(model)?)?) } else { None };
    let report = tend_app::eval::run(&EvalOptions { data_dir: data, sets, limit, drafts }, assistant.as_mut())?;
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let markdown = report.to_markdown();
    std::fs::write(out.join("eval.md"), &markdown).with_context(|| format!("cannot write {}", out.display()))?;
    std::fs::write(out.join("eval.json"), serde_json::to_string_pretty(&report)?)?;
    println!("{markdown}");
    eprintln!("wrote {} and {}", out.join("eval.md").display(), out.join("eval.json").display());
    Ok(())
}

fn check(source: &str, draft: &str, json: bool) -> Result<()> {
    let limit = tend_app::MAX_INPUT_BYTES;
    let (source_text, draft_text) = (read_input(source, limit)?, read_input(draft, limit)?);
    let report = tend_app::check(&source_text, &draft_text);
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else if report.findings.is_empty() {
        println!("No findings. Review required all the same: read the draft against the notes.");
    } else {
        print_findings(&report.findings, &source_text, &draft_text, "");
    }
    Ok(())
}

/// Prints findings under a draft, one line each, with the line of the text they point into (the notes, the draft,
/// or the translation read `back`).
fn print_findings(findings: &[Finding], source: &str, draft: &str, back: &str) {
    if findings.is_empty() {
        return;
    }
    println!("\nFindings ({}):", findings.len());
    for f in findings {
        let (text, place) = match f.location {
            Location::Draft => (draft, "draft"),
            Location::Source => (source, "notes"),
            Location::BackTranslation => (back, "read back"),
        };
        let line = text[..f.start.min(text.len())].matches('\n').count() + 1;
        let kind = serde_json::to_value(f.kind).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
        println!("  [{kind}] {place} line {line}: \"{}\" - {}", f.text, f.message);
    }
}

/// Reads `input` (a file, or standard input for "-") as UTF-8 text of at most `limit` bytes.
fn read_input(input: &str, limit: usize) -> Result<String> {
    let mut bytes = Vec::new();
    let bound = limit as u64 + 1;
    if input == "-" {
        std::io::stdin().take(bound).read_to_end(&mut bytes).context("cannot read standard input")?;
    } else {
        let file = std::fs::File::open(input).with_context(|| format!("cannot read the input file {input}"))?;
        file.take(bound).read_to_end(&mut bytes).with_context(|| format!("cannot read the input file {input}"))?;
    }
    if bytes.len() > limit {
        bail!(
            "the input is longer than {} KB, far more than Tend drafts or checks at once: give it the notes of one \
             visit, shift or meeting at a time",
            limit / 1024
        );
    }
    String::from_utf8(bytes).map_err(|e| {
        anyhow::anyhow!(
            "the input is not UTF-8 text (invalid bytes at position {}). Save it as UTF-8 text and try again.",
            e.utf8_error().valid_up_to()
        )
    })
}

/// The model to use: the flag or TEND_MODEL, then `model = "..."` in the config file, then the models folder.
fn resolve_model(flag: Option<PathBuf>) -> Result<PathBuf> {
    if let Some(path) = flag {
        return Ok(path);
    }
    if let Some(model) = tend_app::config::DeviceConfig::load()?.model {
        return Ok(model);
    }
    let dir = tend_app::models_dir();
    tend_app::models::default_model(&dir, tend_app::available_memory()).with_context(|| {
        format!(
            "no model found: no catalogue model that fits this computer's free memory is in {}. Run \
             scripts/fetch-model, import one with `tend models import FILE`, or name a GGUF file with --model.",
            dir.display()
        )
    })
}

fn load(model: &Path) -> Result<Assistant> {
    let bar = if std::io::stderr().is_terminal() { ProgressBar::new(0) } else { ProgressBar::hidden() };
    bar.set_style(
        ProgressStyle::with_template("loading {msg} {bar:30} {bytes}/{total_bytes}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message(model.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default());
    let assistant = Assistant::open(model, &mut |p| {
        bar.set_length(p.total_bytes);
        bar.set_position(p.bytes_read);
    });
    bar.finish_and_clear();
    Ok(assistant?)
}
