//! The record commands: users, people, drafts, reviews, notes, the audit trail, erasure and export. Each signs
//! in to the encrypted store through the app's [`Session`].

use std::io::{BufRead, IsTerminal};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use tend_app::records::{Decision, DraftRecord, Role, Session};

/// Where the store is and who is signing in.
#[derive(Args, Clone)]
pub struct StoreArgs {
    /// The encrypted database (default: $TEND_DB, then ~/.local/share/tend/tend.db).
    #[arg(long, global = true, env = "TEND_DB")]
    pub db: Option<PathBuf>,
    /// Who is signing in (default: $TEND_USER). The password comes from $TEND_PASSWORD or a prompt.
    #[arg(long, global = true, env = "TEND_USER")]
    pub user: Option<String>,
}

/// `tend user ...`
#[derive(Subcommand)]
pub enum UserCommand {
    /// Add a user (admins). Their password comes from $TEND_NEW_PASSWORD or a prompt.
    Add {
        /// Their user name.
        name: String,
        /// care-worker, manager or admin.
        #[arg(long, value_parser = parse_role)]
        role: Role,
    },
    /// List users and their roles.
    List,
    /// Set a new password: your own, or anyone's as an admin ($TEND_NEW_PASSWORD or a prompt). The user gets new
    /// keys and the database a new key, so old passwords and old keyrings open nothing.
    Password {
        /// Whose password (default: yours).
        name: Option<String>,
    },
    /// Disable a user (admins): their keys are withdrawn and the database re-keyed, as for removal, but they stay
    /// listed; `tend user password NAME` enables them again with a new password.
    Disable {
        /// Their user name.
        name: String,
    },
    /// Remove a user (admins): their keys are withdrawn and the database re-keyed; their name stays on their
    /// records.
    Remove {
        /// Their user name.
        name: String,
    },
}

/// `tend person ...`
#[derive(Subcommand)]
pub enum PersonCommand {
    /// Add a person supported (managers and admins).
    Add {
        /// The name they like to be called.
        #[arg(long)]
        name: String,
        /// Their identifier in the care record system.
        #[arg(long)]
        id: String,
    },
    /// Correct a person's preferred name and identifier (managers and admins).
    Edit {
        /// The person's number (from `tend person list`).
        #[arg(long)]
        person: i64,
        /// The name they like to be called.
        #[arg(long)]
        name: String,
        /// Their identifier in the care record system.
        #[arg(long)]
        id: String,
    },
    /// List the people you work with.
    List,
    /// Assign a care worker to a person (managers and admins).
    Assign {
        /// The care worker.
        #[arg(long)]
        worker: String,
        /// The person's number (from `tend person list`).
        #[arg(long)]
        person: i64,
    },
    /// Stop a care worker working with a person (managers and admins).
    Unassign {
        /// The care worker.
        #[arg(long)]
        worker: String,
        /// The person's number (from `tend person list`).
        #[arg(long)]
        person: i64,
    },
}

/// `tend drafts ...` (a care worker's own drafts)
#[derive(Subcommand)]
pub enum DraftsCommand {
    /// Your drafts that are not yet approved or rejected.
    List,
    /// One draft, with its findings and any reviewer's comment.
    Show {
        /// The draft's number.
        id: i64,
    },
    /// Replace your edited text with the contents of a file (- for standard input).
    Edit {
        /// The draft's number.
        id: i64,
        /// The file with the new text.
        #[arg(long)]
        file: String,
    },
    /// Acknowledge findings by number, after reading each one.
    Ack {
        /// The draft's number.
        id: i64,
        /// The findings' numbers, as `show` lists them.
        #[arg(required = true)]
        findings: Vec<usize>,
    },
    /// Submit your draft for a manager's review.
    Submit {
        /// The draft's number.
        id: i64,
    },
}

/// `tend review ...` (managers)
#[derive(Subcommand)]
pub enum ReviewCommand {
    /// Drafts waiting for review, oldest first.
    List,
    /// A submitted draft: the notes, the AI draft, the worker's edits and the findings.
    Show {
        /// The draft's number.
        id: i64,
    },
    /// Acknowledge findings by number, after reading each one.
    Ack {
        /// The draft's number.
        id: i64,
        /// The findings' numbers.
        #[arg(required = true)]
        findings: Vec<usize>,
    },
    /// Approve: the worker's text becomes a final note. Every finding must be acknowledged first.
    Approve {
        /// The draft's number.
        id: i64,
        /// An optional comment.
        #[arg(long, default_value = "")]
        comment: String,
    },
    /// Return the draft to its author, saying what to change.
    Return {
        /// The draft's number.
        id: i64,
        /// What to change.
        #[arg(long)]
        comment: String,
    },
    /// Reject the draft: it will not become a note.
    Reject {
        /// The draft's number.
        id: i64,
        /// Why.
        #[arg(long)]
        comment: String,
    },
}

/// `tend notes ...`
#[derive(Subcommand)]
pub enum NotesCommand {
    /// Final notes and amendments about a person.
    List {
        /// The person's number.
        #[arg(long)]
        person: i64,
    },
    /// A final note as text for the care record system, with the "AI-assisted, reviewed by" footer.
    Export {
        /// The note's number.
        id: i64,
    },
    /// Correct a final note with a linked amendment (managers); the original is kept.
    Amend {
        /// The note's number.
        id: i64,
        /// The file with the corrected text (- for standard input).
        #[arg(long)]
        file: String,
        /// Why it needed correcting.
        #[arg(long)]
        reason: String,
    },
}

/// `tend audit ...`
#[derive(Subcommand)]
pub enum AuditCommand {
    /// Check that no audit row was changed, inserted or removed, that every signed act and certificate holds, and
    /// that final notes, submitted drafts, settings and roles are what was signed.
    Verify {
        /// Also check the audit anchors in exported notes (a file of one or more): each must still be in the
        /// trail with the same hash.
        #[arg(long)]
        against: Option<String>,
    },
}

/// The format of a subject access export.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum ExportFormat {
    /// Machine-readable JSON.
    Json,
    /// Readable text.
    Text,
}

fn parse_role(text: &str) -> Result<Role, String> {
    Role::parse(text).ok_or_else(|| format!("'{text}' is not a role; use care-worker, manager or admin"))
}

/// The database path: the flag or $TEND_DB, then the user's data folder.
pub fn db_path(args: &StoreArgs) -> Result<PathBuf> {
    args.db
        .clone()
        .or_else(tend_app::default_database)
        .context("cannot tell where to keep the database: set --db or TEND_DB")
}

/// A password from `var`, or typed at a prompt without echo, or the first line of standard input.
fn password(var: &str, prompt: &str) -> Result<String> {
    if let Ok(p) = std::env::var(var) {
        return Ok(p);
    }
    if std::io::stdin().is_terminal() {
        return rpassword::prompt_password(prompt).context("cannot read the password");
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).context("cannot read the password from standard input")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

/// A new password, typed twice at a prompt, or from `var`.
fn new_password(var: &str) -> Result<String> {
    let first = password(var, "New password: ")?;
    if std::env::var(var).is_err() && std::io::stdin().is_terminal() {
        let again = rpassword::prompt_password("The same password again: ").context("cannot read the password")?;
        if again != first {
            bail!("the two passwords differ; nothing was changed");
        }
    }
    Ok(first)
}

/// Signs in as the user named by the flags or environment.
pub fn sign_in(args: &StoreArgs) -> Result<Session> {
    let db = db_path(args)?;
    let user = args.user.clone().context("say who you are with --user NAME or TEND_USER")?;
    let pass = password("TEND_PASSWORD", &format!("Password for {user}: "))?;
    Ok(Session::sign_in(&db, &user, &pass)?)
}

/// `tend init`: creates the encrypted database and its first admin.
pub fn init(args: &StoreArgs, admin: &str) -> Result<()> {
    let db = db_path(args)?;
    let pass = new_password("TEND_PASSWORD")?;
    Session::create(&db, admin, &pass)?;
    println!("Created the encrypted database {} with {admin} as its admin.", db.display());
    println!(
        "Its key is kept only sealed to each user's keys, which their password unwraps, in {}.keyring.",
        db.display()
    );
    Ok(())
}

/// `tend user ...`
pub fn user(args: &StoreArgs, command: UserCommand, json: bool) -> Result<()> {
    let mut session = sign_in(args)?;
    match command {
        UserCommand::Add { name, role } => {
            let pass = new_password("TEND_NEW_PASSWORD")?;
            session.records()?.add_user(&name, role, &pass)?;
            println!("Added {name} as a {}.", role.label());
        }
        UserCommand::List => {
            let store = session.records()?;
            let (users, disabled) = (store.users()?, store.disabled_users()?);
            if json {
                println!("{}", serde_json::json!({ "users": users, "disabled": disabled }));
            }
            for (name, role) in disabled.iter().filter(|_| !json) {
                println!("{name:<20} {} (disabled)", role.label());
            }
            for (name, role) in users.iter().filter(|_| !json) {
                println!("{name:<20} {}", role.label());
            }
        }
        UserCommand::Password { name } => {
            let name = name.unwrap_or_else(|| session.who().0.to_owned());
            let pass = new_password("TEND_NEW_PASSWORD")?;
            session.records()?.set_password(&name, &pass)?;
            println!("Set a new password for {name}; the database has a new key, so the old password opens nothing.");
        }
        UserCommand::Disable { name } => {
            session.records()?.disable_user(&name)?;
            println!(
                "Disabled {name}: their password opens nothing now. `tend user password {name}` enables them again."
            );
        }
        UserCommand::Remove { name } => {
            session.records()?.remove_user(&name)?;
            println!("Removed {name}: their password opens nothing now. Their name stays on the records they made.");
        }
    }
    Ok(())
}

/// `tend person ...`
pub fn person(args: &StoreArgs, command: PersonCommand, json: bool) -> Result<()> {
    let mut session = sign_in(args)?;
    match command {
        PersonCommand::Add { name, id } => {
            let number = session.records()?.add_person(&name, &id)?;
            println!("Added {name} as person {number}.");
        }
        PersonCommand::List => {
            let people = session.records()?.people()?;
            if json {
                println!("{}", serde_json::to_string_pretty(&people)?);
                return Ok(());
            }
            for p in people {
                println!("{:>4}  {:<24} {}", p.id, p.preferred_name, p.identifier);
            }
        }
        PersonCommand::Edit { person, name, id } => {
            session.records()?.edit_person(person, &name, &id)?;
            println!("Person {person} is now {name} ({id}).");
        }
        PersonCommand::Assign { worker, person } => {
            session.records()?.assign(&worker, person)?;
            println!("{worker} now works with person {person}.");
        }
        PersonCommand::Unassign { worker, person } => {
            session.records()?.unassign(&worker, person)?;
            println!("{worker} no longer works with person {person}.");
        }
    }
    Ok(())
}

fn print_list(drafts: &[DraftRecord], json: bool) -> Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(drafts)?);
        return Ok(());
    }
    if drafts.is_empty() {
        println!("No drafts.");
    }
    for d in drafts {
        println!(
            "{:>4}  {:<10} {:<14} {:<16} by {:<12} {} findings ({} acknowledged)  {}",
            d.id,
            d.status,
            d.task,
            d.person_name,
            d.author,
            d.finding_count,
            d.acknowledged(),
            d.updated_at
        );
        if let Some(check) = d.submission.as_ref().filter(|c| !c.holds()) {
            println!("      {}", check.label());
        }
    }
    Ok(())
}

fn print_draft(session: &mut Session, d: &DraftRecord, json: bool) -> Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(d)?);
        return Ok(());
    }
    let badge = if d.review_required { "REVIEW REQUIRED" } else { "reviewed" };
    println!("Draft {} [{badge}] - {} for {} by {}, status {}", d.id, d.task, d.person_name, d.author, d.status);
    if let Some(comment) = &d.review_comment {
        println!("Reviewer's comment: {comment}");
    }
    println!("\n--- What the worker wrote ---\n{}\n", d.source_text.trim());
    println!("--- What the AI drafted ---\n{}\n", d.ai_text.trim());
    if d.edited_text != d.ai_text {
        println!("--- The worker's edited text ---\n{}\n", d.edited_text.trim());
    }
    let findings = d.findings.as_array().map(Vec::as_slice).unwrap_or_default();
    println!("--- Findings: {} of {} acknowledged ---", d.acknowledged(), findings.len());
    for (i, f) in findings.iter().enumerate() {
        let text = |k: &str| f[k].as_str().unwrap_or_default().to_owned();
        println!("  {i}. [{}] \"{}\" - {}", text("kind"), text("text"), text("message"));
    }
    for r in session.records()?.reviews(d.id)? {
        println!("Review: {} by {} at {}: {}", r.decision, r.reviewer, r.at, r.comment);
    }
    Ok(())
}

fn read_text(file: &str) -> Result<String> {
    if file == "-" {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut text).context("cannot read standard input")?;
        return Ok(text);
    }
    std::fs::read_to_string(file).with_context(|| format!("cannot read {file}"))
}

fn acknowledge(session: &mut Session, id: i64, findings: &[usize]) -> Result<()> {
    for &n in findings {
        session.records()?.acknowledge(id, n)?;
    }
    let d = session.records()?.draft(id)?;
    println!("Acknowledged; {} of {} findings in draft {id} are acknowledged.", d.acknowledged(), d.finding_count);
    Ok(())
}

/// `tend drafts ...`
pub fn drafts(args: &StoreArgs, command: DraftsCommand, json: bool) -> Result<()> {
    let mut session = sign_in(args)?;
    match command {
        DraftsCommand::List => print_list(&session.records()?.my_drafts()?, json)?,
        DraftsCommand::Show { id } => {
            let d = session.records()?.draft(id)?;
            print_draft(&mut session, &d, json)?;
        }
        DraftsCommand::Edit { id, file } => {
            let text = read_text(&file)?;
            session.records()?.edit_draft(id, &text)?;
            println!("Saved your edits to draft {id}.");
        }
        DraftsCommand::Ack { id, findings } => acknowledge(&mut session, id, &findings)?,
        DraftsCommand::Submit { id } => {
            session.records()?.submit(id)?;
            println!("Submitted draft {id} for review.");
        }
    }
    Ok(())
}

/// `tend review ...`
pub fn review(args: &StoreArgs, command: ReviewCommand, json: bool) -> Result<()> {
    let mut session = sign_in(args)?;
    let (id, decision, comment) = match command {
        ReviewCommand::List => return print_list(&session.records()?.review_queue()?, json),
        ReviewCommand::Show { id } => {
            let d = session.records()?.draft(id)?;
            return print_draft(&mut session, &d, json);
        }
        ReviewCommand::Ack { id, findings } => return acknowledge(&mut session, id, &findings),
        ReviewCommand::Approve { id, comment } => (id, Decision::Approve, comment),
        ReviewCommand::Return { id, comment } => (id, Decision::Return, comment),
        ReviewCommand::Reject { id, comment } => (id, Decision::Reject, comment),
    };
    match session.records()?.review(id, decision, &comment)? {
        Some(note) => println!("Approved draft {id}: it is now final note {note}."),
        None if decision == Decision::Return => println!("Returned draft {id} to its author."),
        None => println!("Rejected draft {id}."),
    }
    Ok(())
}

/// `tend notes ...`
pub fn notes(args: &StoreArgs, command: NotesCommand, json: bool) -> Result<()> {
    let mut session = sign_in(args)?;
    match command {
        NotesCommand::List { person } => {
            let finals = session.records()?.finals(person)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&finals)?);
                return Ok(());
            }
            if finals.is_empty() {
                println!("No final notes for person {person}.");
            }
            for f in finals {
                let amends = f.amends.map_or_else(String::new, |a| format!(" (amends note {a}: {})", f.reason));
                println!(
                    "--- Note {} by {} on {}{amends}; {} ---\n{}\n",
                    f.id,
                    f.reviewer,
                    f.reviewed_at,
                    f.signature.label(),
                    f.text.trim()
                );
            }
        }
        NotesCommand::Export { id } => print!("{}", session.records()?.export_final(id)?),
        NotesCommand::Amend { id, file, reason } => {
            let text = read_text(&file)?;
            let new = session.records()?.amend(id, &text, &reason)?;
            println!("Added note {new}, amending note {id}; note {id} is kept as it was.");
        }
    }
    Ok(())
}

/// `tend audit verify`
pub fn audit(args: &StoreArgs, command: AuditCommand, json: bool) -> Result<()> {
    let AuditCommand::Verify { against } = command;
    let exported = against.as_deref().map(read_text).transpose()?;
    let mut session = sign_in(args)?;
    let check = session.records()?.verify_audit()?;
    session.records()?.check_integrity()?;
    let anchors = match &exported {
        Some(text) => session.records()?.verify_anchors(text)?,
        None => Vec::new(),
    };
    if json {
        let anchors: Vec<_> =
            anchors.iter().map(|(a, holds)| serde_json::json!({"anchor": a, "holds": holds})).collect();
        println!("{}", serde_json::to_string_pretty(&serde_json::json!({"check": check, "anchors": anchors}))?);
    } else {
        println!("{} rows in the audit trail.", check.rows);
        if let Some(head) = &check.head {
            println!("Head: {head} (write it down, or compare it with a copy kept elsewhere).");
        }
        if let Some(root) = &check.root_key {
            println!("Root key: {root} (the admin key that certifies every user).");
        }
        for (anchor, holds) in &anchors {
            let verdict = if *holds { "matches the trail" } else { "DOES NOT MATCH: the trail was rewritten" };
            println!("Exported {anchor}: {verdict}");
        }
        for problem in &check.problems {
            println!("Problem: {problem}");
        }
    }
    if let Some(row) = check.first_bad_row {
        bail!("the audit trail was altered at row {row}: a row was changed, inserted or removed");
    }
    if let Some(file) = against.filter(|_| anchors.is_empty()) {
        bail!("{file} holds no audit anchor (a line such as \"audit 57 8c1d2e3f4a5b6c7d\")");
    }
    let mismatched = anchors.iter().filter(|(_, holds)| !holds).count();
    if !check.problems.is_empty() || mismatched > 0 {
        bail!(
            "the records do not hold: {} problems, {mismatched} exported anchors not in the trail; someone may have \
             changed the database outside Tend",
            check.problems.len()
        );
    }
    if !json {
        println!("The audit trail is intact: every row chained, every signature and certificate holds.");
    }
    Ok(())
}

/// `tend erase --person N`
pub fn erase(args: &StoreArgs, person: i64, yes: bool) -> Result<()> {
    if !yes {
        bail!("erasing person {person}'s records cannot be undone; run again with --yes to confirm");
    }
    let mut session = sign_in(args)?;
    session.records()?.erase_person(person)?;
    println!("Erased every record about person {person}. The audit trail notes the erasure, with no personal data.");
    Ok(())
}

/// `tend export --person N`
pub fn export(args: &StoreArgs, person: i64, format: ExportFormat, out: Option<&Path>) -> Result<()> {
    let mut session = sign_in(args)?;
    let export = session.records()?.export_person(person)?;
    let text = match format {
        ExportFormat::Json => serde_json::to_string_pretty(&export)?,
        ExportFormat::Text => export.to_text(),
    };
    match out {
        Some(path) => {
            // Readable by its owner alone: it holds everything about a person.
            tend_app::records::write_private(path, text.as_bytes())
                .with_context(|| format!("cannot write {}", path.display()))?;
            eprintln!("Wrote everything about person {person} to {}.", path.display());
        }
        None => print!("{text}"),
    }
    Ok(())
}

/// `tend report`: files a report of an AI error.
pub fn report(args: &StoreArgs, draft: Option<i64>, person: Option<i64>, text: &str) -> Result<()> {
    let mut session = sign_in(args)?;
    let id = session.records()?.report_incident(person, draft, text)?;
    println!("Thank you: AI error report {id} is filed for your manager.");
    Ok(())
}

/// `tend reports`: every AI-error report, newest first, with the draft and person it concerns (managers and admins).
pub fn reports(args: &StoreArgs, update: Option<(i64, &str, &str)>) -> Result<()> {
    let mut session = sign_in(args)?;
    if let Some((id, status, outcome)) = update {
        session.records()?.set_incident_status(id, status, outcome)?;
        println!("Report {id} is now {}.", status.replace('_', " "));
        return Ok(());
    }
    let reports = session.records()?.incidents()?;
    if reports.is_empty() {
        println!("No AI errors have been reported.");
    }
    for r in reports {
        let about: Vec<String> = [r.draft_id.map(|d| format!("draft {d}")), r.person_id.map(|p| format!("person {p}"))]
            .into_iter()
            .flatten()
            .collect();
        let about = if about.is_empty() { String::new() } else { format!(" about {}", about.join(", ")) };
        let outcome = if r.outcome.is_empty() { String::new() } else { format!(" ({})", r.outcome) };
        println!(
            "Report {} by {} on {}{about}: {} [{}{outcome}]",
            r.id,
            r.reporter,
            r.at,
            r.description,
            r.status.replace('_', " ")
        );
    }
    Ok(())
}

/// `tend settings`: shows or changes the retention period and self-review (admins change them).
pub fn settings(args: &StoreArgs, retention_days: Option<u32>, allow_self_review: Option<bool>) -> Result<()> {
    let mut session = sign_in(args)?;
    if let Some(days) = retention_days {
        session.records()?.set_retention_days(days)?;
    }
    if let Some(allow) = allow_self_review {
        session.records()?.set_allow_self_review(allow)?;
    }
    let store = session.records()?;
    println!("Source notes and rejected drafts are kept for {} days.", store.retention_days()?);
    let who = if store.allow_self_review()? { "may" } else { "may not" };
    println!("Managers {who} review their own drafts.");
    Ok(())
}
