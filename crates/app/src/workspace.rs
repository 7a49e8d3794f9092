//! The desktop app's state behind one thread-safe object: the model (loaded in the background), the signed-in
//! session and the stop switch for the draft being written. Each Tauri command is one call to a method here;
//! errors leave as [`UiError`], a kind and one sentence for a care worker.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::handover::{Handover, Within, source_of};
use crate::models::{CatalogStatus, DownloadProgress, HubConfig, Imported};
use crate::records::{
    AuditCheck, AuditRow, Decision, DraftRecord, FinalNote, Incident, Person, Role, Session, StoreError,
};
use crate::{AppError, Assistant, Flow, GenerationParams, Language, Progress, Task};

/// An error as the page shows it: a stable kind for the code and a sentence for the person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UiError {
    /// e.g. `wrong_password`, `session_locked`, `review_gate`, `input_too_long`, `model_not_ready`.
    pub kind: &'static str,
    /// What happened and what to do, in plain words.
    pub message: String,
}

impl From<AppError> for UiError {
    fn from(e: AppError) -> Self {
        use tend_engine::EngineError as E;
        use tend_writing::WritingError as W;
        let kind = match &e {
            AppError::SessionLocked => "session_locked",
            AppError::NotSignedIn => "not_signed_in",
            AppError::ModelNotReady(_) => "model_not_ready",
            AppError::Store(s) => match s {
                StoreError::WrongPassword => "wrong_password",
                StoreError::TooManyAttempts { .. } => "too_many_attempts",
                StoreError::Forbidden(_) => "forbidden",
                StoreError::ReviewGate(_) => "review_gate",
                StoreError::NotFound(_) => "not_found",
                StoreError::Invalid(_) => "invalid",
                StoreError::Locked => "database_busy",
                StoreError::DiskFull => "disk_full",
                _ => "store",
            },
            AppError::Writing(W::EmptyInput) => "empty_input",
            AppError::Writing(W::InputTooLong(_)) | AppError::Engine(E::ContextOverflow { .. }) => "input_too_long",
            AppError::Writing(_) | AppError::Invalid(_) => "invalid",
            AppError::Engine(_) => "model",
            AppError::DoesNotFit { .. } => "model_too_big",
            AppError::Import(_) => "import",
            AppError::Hub(tend_hub::HubError::Cancelled) => "cancelled",
            AppError::Hub(tend_hub::HubError::DiskSpace { .. }) => "disk_full",
            AppError::Hub(_) => "download",
            AppError::Eval(_) | AppError::Internal { .. } => "internal",
            AppError::Config(_) => "settings",
        };
        UiError { kind, message: capitalise(&e.to_string()) }
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// The signed-in user, as the page shows them.
#[derive(Debug, Clone, Serialize)]
pub struct Me {
    /// User name.
    pub user: String,
    /// Role.
    pub role: Role,
    /// True when the session locked after a period without use.
    pub locked: bool,
}

/// Where the model stands.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ModelStatus {
    /// Reading the weights.
    Loading {
        /// Bytes read.
        bytes_read: u64,
        /// Bytes in all.
        total_bytes: u64,
    },
    /// Ready to draft.
    Ready {
        /// What the model is.
        info: ModelSummary,
    },
    /// Loading failed, or there is no model.
    Failed {
        /// Why, in plain words.
        message: String,
    },
}

/// The model's facts for the Settings and About screens.
#[derive(Debug, Clone, Serialize)]
pub struct ModelSummary {
    /// Its name.
    pub name: String,
    /// The file.
    pub path: String,
    /// Architecture.
    pub architecture: String,
    /// Parameters, in millions.
    pub parameters_millions: f64,
    /// Quantisation.
    pub quantization: String,
    /// File size in MB.
    pub size_mb: f64,
    /// Licence, as the file states it.
    pub license: Option<String>,
    /// SHA-256 of the file.
    pub sha256: String,
    /// How well it translates from English into each language, as measured (empty for a model the catalogue
    /// has no figures for).
    pub translation: Vec<LanguageLabel>,
}

/// One language's label for the Draft screen's language picker.
#[derive(Debug, Clone, Serialize)]
pub struct LanguageLabel {
    /// The picker's value for it ("polish").
    pub value: String,
    /// The label: "good first draft", "rough: have a speaker check it" or "not available with this model".
    pub label: String,
    /// Whether it may be chosen (a language the model translates too poorly is declined anyway).
    pub available: bool,
}

/// The picker's labels for the catalogue model whose SHA-256 is `sha256`.
fn language_labels(model: &Path, sha256: &str) -> Vec<LanguageLabel> {
    let Some(figures) = crate::models::translation_figures(model, sha256) else {
        return Vec::new();
    };
    crate::Language::all()
        .filter(|&l| l != crate::Language::English)
        .map(|l| {
            let (reliability, _) = crate::models::reliability(Some(&figures), l);
            LanguageLabel {
                value: l.name().split_whitespace().next().unwrap_or("").to_lowercase(),
                label: reliability.label().to_owned(),
                available: reliability != crate::models::Reliability::NotAvailable,
            }
        })
        .collect()
}

/// The care team as the Team screen shows it to managers and admins.
#[derive(Debug, Clone, Serialize)]
pub struct TeamView {
    /// Current users and their certified roles.
    pub users: Vec<TeamUser>,
    /// Disabled users and the roles a new password gives them back.
    pub disabled: Vec<TeamUser>,
    /// People supported, each with the care workers assigned to them.
    pub people: Vec<TeamPerson>,
}

/// A user on the Team screen.
#[derive(Debug, Clone, Serialize)]
pub struct TeamUser {
    /// Their user name.
    pub name: String,
    /// Their role.
    pub role: Role,
}

/// A person supported on the Team screen.
#[derive(Debug, Clone, Serialize)]
pub struct TeamPerson {
    /// The person.
    pub person: Person,
    /// The care workers who work with them.
    pub workers: Vec<String>,
}

/// The audit trail as the Records screen shows it: the check and the newest events.
#[derive(Debug, Clone, Serialize)]
pub struct AuditView {
    /// The chain, signatures, certificates and records checked, with the head and root key.
    pub check: AuditCheck,
    /// True when nothing failed.
    pub intact: bool,
    /// The newest events, newest first.
    pub recent: Vec<AuditRow>,
}

/// What the worker asks for on the Draft screen.
#[derive(Debug, Clone, Deserialize)]
pub struct DraftRequest {
    /// The task.
    pub task: Task,
    /// Whom it is about.
    pub person_id: i64,
    /// The shorthand or text.
    pub input: String,
    /// For translation: the language to translate into.
    pub language: Option<Language>,
}

/// What streams to the page while a draft is written.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "event", content = "data", rename_all = "snake_case")]
pub enum DraftEvent {
    /// Reading the notes: tokens done of total.
    Reading {
        /// Done.
        done: usize,
        /// Total.
        total: usize,
    },
    /// A piece of the draft.
    Text(String),
}

/// The Settings screen's facts.
#[derive(Debug, Clone, Serialize)]
pub struct SettingsView {
    /// The model.
    pub model: ModelStatus,
    /// Days source notes and rejected drafts are kept.
    pub retention_days: u32,
    /// The database file.
    pub database: String,
    /// CPU threads drafting uses now.
    pub threads: usize,
    /// Threads saved for the next start, when they differ from now.
    pub threads_next_start: Option<usize>,
    /// This computer's cores.
    pub cores: usize,
    /// The newest audit row and the start of its hash ("audit 57 8c1d2e3f4a5b6c7d"), to write down.
    pub audit_head: Option<String>,
    /// The fingerprint of the admin key that certifies every user, to write down.
    pub root_key: Option<String>,
    /// Whether managers and admins may review their own drafts.
    pub allow_self_review: bool,
}

/// The desktop app's state.
pub struct Workspace {
    db: PathBuf,
    models_dir: PathBuf,
    session: Mutex<Option<Session>>,
    assistant: Mutex<Option<Assistant>>,
    status: Mutex<ModelStatus>,
    stop: AtomicBool,
    cancel_download: AtomicBool,
    hub: HubConfig,
    params: GenerationParams,
    idle_limit: Duration,
    /// The last handover summary written, for a manager to save: who asked, about whom, the summary, the notes it
    /// was written from and the model's name.
    last_handover: Mutex<Option<LastHandover>>,
}

/// Whether an audit anchor of an exported note is still in the trail.
#[derive(Debug, Clone, Serialize)]
pub struct AnchorCheck {
    /// The anchor as exported ("audit 57 8c1d2e3f4a5b6c7d").
    pub anchor: String,
    /// True when this database's trail holds that row with that hash.
    pub holds: bool,
}

/// A handover summary as written, kept until it is saved or another is written.
struct LastHandover {
    user: String,
    person_id: i64,
    summary: Handover,
    source: String,
    model: String,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Workspace {
    /// A workspace on the database at `db` with models in `models_dir`, drafting with `params`, whose sessions
    /// lock after `idle_limit` without use; the model loads when [`Workspace::load_model`] runs. Models are
    /// downloaded from the hub named by the environment ([`HubConfig::from_env`]) when a manager asks.
    pub fn new(db: PathBuf, models_dir: PathBuf, params: GenerationParams, idle_limit: Duration) -> Arc<Self> {
        Arc::new(Self {
            db,
            models_dir,
            session: Mutex::new(None),
            assistant: Mutex::new(None),
            status: Mutex::new(ModelStatus::Loading { bytes_read: 0, total_bytes: 0 }),
            stop: AtomicBool::new(false),
            cancel_download: AtomicBool::new(false),
            last_handover: Mutex::new(None),
            hub: HubConfig::from_env(),
            params,
            idle_limit,
        })
    }

    /// Loads the model at `path` (on the caller's thread: run it on a background thread), updating the status.
    pub fn load_model(&self, path: Option<&Path>) {
        let Some(path) = path else {
            *lock(&self.status) = ModelStatus::Failed {
                message: "No model is installed. Run scripts/fetch-model, or choose a model file in Settings.".into(),
            };
            return;
        };
        let loaded = crate::contain("loading the model", || {
            Assistant::open(path, &mut |p| {
                *lock(&self.status) = ModelStatus::Loading { bytes_read: p.bytes_read, total_bytes: p.total_bytes };
            })
        });
        let status = match loaded {
            Ok(assistant) => {
                let i = assistant.model_info();
                let info = ModelSummary {
                    name: i.name.clone(),
                    path: i.path.display().to_string(),
                    architecture: i.architecture.clone(),
                    parameters_millions: (i.parameters as f64 / 1e5).round() / 10.0,
                    quantization: i.quantization.clone(),
                    size_mb: (i.file_size as f64 / 1e5).round() / 10.0,
                    license: i.license.clone(),
                    sha256: assistant.model_sha256().to_owned(),
                    translation: language_labels(&i.path, assistant.model_sha256()),
                };
                *lock(&self.assistant) = Some(assistant);
                ModelStatus::Ready { info }
            }
            Err(e) => ModelStatus::Failed { message: UiError::from(e).message },
        };
        *lock(&self.status) = status;
    }

    /// The catalogue, with what is installed and what fits this computer now.
    pub fn catalog(&self) -> Vec<CatalogStatus> {
        crate::models::catalog_status(&self.models_dir, crate::available_memory())
    }

    /// Switches to the installed model file `file` (a name in the models folder; admins and managers): it loads
    /// in the background and replaces the current model when ready; drafting goes on with the old one meanwhile.
    pub fn use_model(self: &Arc<Self>, file: &str) -> Result<ModelStatus, AppError> {
        self.require_manager()?;
        let name = Path::new(file).file_name().ok_or_else(|| AppError::Import(format!("{file} is not a file name")))?;
        let path = self.models_dir.join(name);
        if !path.is_file() {
            return Err(AppError::Import(format!("{} is not installed in {}", file, self.models_dir.display())));
        }
        tend_engine::Model::check(&path)?;
        *lock(&self.status) = ModelStatus::Loading { bytes_read: 0, total_bytes: 0 };
        let this = Arc::clone(self);
        std::thread::spawn(move || this.load_model(Some(&path)));
        Ok(self.model_status())
    }

    /// Imports the GGUF file at `source` (a USB stick, a shared drive) into the models folder after checking it,
    /// and switches to it (admins and managers).
    pub fn import_model(self: &Arc<Self>, source: &str) -> Result<Imported, AppError> {
        self.require_manager()?;
        let imported = crate::models::import(Path::new(source.trim()), &self.models_dir)?;
        let file = imported.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        self.use_model(&file)?;
        Ok(imported)
    }

    /// Downloads the catalogue model `name` from the hub (admins and managers; the only network use in Tend),
    /// reporting progress through `on_progress`, and switches to it. [`Workspace::cancel_download`] stops it; a
    /// stopped or interrupted download resumes next time.
    pub fn download_model(
        self: &Arc<Self>,
        name: &str,
        on_progress: &mut dyn FnMut(DownloadProgress),
    ) -> Result<Imported, AppError> {
        self.require_manager()?;
        let entry = crate::models::find(name)?;
        self.cancel_download.store(false, Ordering::SeqCst);
        let downloaded =
            crate::models::download(&entry, &self.models_dir, &self.hub, on_progress, &self.cancel_download)?;
        self.use_model(&entry.file)?;
        Ok(downloaded)
    }

    /// Stops the download in progress, keeping what was fetched.
    pub fn cancel_download(&self) {
        self.cancel_download.store(true, Ordering::SeqCst);
    }

    /// The person is using the app: typing, clicking, or watching the model work (a draft, a summary, a
    /// measurement). That keeps an open session open; a locked one stays locked.
    pub fn in_use(&self) {
        if let Some(session) = lock(&self.session).as_mut() {
            session.keep_alive();
        }
    }

    fn require_manager(&self) -> Result<(), AppError> {
        match self.me() {
            Some(me) if me.locked => Err(AppError::SessionLocked),
            Some(me) if me.role != Role::CareWorker => Ok(()),
            Some(_) => Err(AppError::Store(StoreError::Forbidden(
                "only a manager or an admin can change the model or this computer's settings".into(),
            ))),
            None => Err(AppError::NotSignedIn),
        }
    }

    /// Where the model stands.
    pub fn model_status(&self) -> ModelStatus {
        lock(&self.status).clone()
    }

    /// True when there is no database yet, so the first admin must be created.
    pub fn needs_setup(&self) -> bool {
        !self.db.exists()
    }

    /// Creates the database with its first admin and signs them in.
    pub fn create(&self, admin: &str, password: &str) -> Result<Me, AppError> {
        let session = Session::create(&self.db, admin, password)?;
        Ok(self.start(session))
    }

    /// Signs in.
    pub fn sign_in(&self, user: &str, password: &str) -> Result<Me, AppError> {
        let session = Session::sign_in(&self.db, user, password)?;
        Ok(self.start(session))
    }

    fn start(&self, mut session: Session) -> Me {
        session.set_idle_limit(self.idle_limit);
        let (user, role) = session.who();
        let me = Me { user: user.to_owned(), role, locked: false };
        *lock(&self.session) = Some(session);
        me
    }

    /// Signs out.
    pub fn sign_out(&self) {
        *lock(&self.session) = None;
    }

    /// Who is signed in, if anyone, and whether the session has locked.
    pub fn me(&self) -> Option<Me> {
        lock(&self.session).as_ref().map(|s| {
            let (user, role) = s.who();
            Me { user: user.to_owned(), role, locked: s.is_locked() }
        })
    }

    /// Unlocks a locked session with the password.
    pub fn unlock(&self, password: &str) -> Result<Me, AppError> {
        self.with_session(|s| s.unlock(password))?;
        self.me().ok_or(AppError::NotSignedIn)
    }

    /// Runs `f` on the signed-in session (whose `records()` refuses once it has locked).
    fn with_session<T>(&self, f: impl FnOnce(&mut Session) -> Result<T, AppError>) -> Result<T, AppError> {
        let mut guard = lock(&self.session);
        f(guard.as_mut().ok_or(AppError::NotSignedIn)?)
    }

    /// The team: users and people with their assigned workers (managers and admins).
    pub fn team(&self) -> Result<TeamView, AppError> {
        self.with_session(|s| {
            let store = s.records()?;
            let listed = |users: Vec<(String, Role)>| users.into_iter().map(|(name, role)| TeamUser { name, role });
            let (users, disabled) = (listed(store.users()?).collect(), listed(store.disabled_users()?).collect());
            let people = store
                .people()?
                .into_iter()
                .map(|person| Ok(TeamPerson { workers: store.assigned_workers(person.id)?, person }))
                .collect::<Result<_, AppError>>()?;
            Ok(TeamView { users, disabled, people })
        })
    }

    /// Adds a user with a first password (admins); returns the team as it is now.
    pub fn add_user(&self, name: &str, role: Role, password: &str) -> Result<TeamView, AppError> {
        self.with_session(|s| Ok(s.records()?.add_user(name.trim(), role, password)?))?;
        self.team()
    }

    /// Sets a new password for a user (admins), which gives them new keys and the database a new key, and enables a
    /// disabled user again.
    pub fn reset_password(&self, name: &str, password: &str) -> Result<TeamView, AppError> {
        self.with_session(|s| Ok(s.records()?.set_password(name, password)?))?;
        self.team()
    }

    /// Measures how well the loaded model translates each language, both ways, on `lines` of the sentences built into
    /// Tend per direction (managers and admins; drafting waits meanwhile), reporting progress as
    /// [`DraftEvent::Reading`]; [`Workspace::stop_draft`] stops it and nothing is saved. The figures are saved beside
    /// the model file and the language picker's labels follow them. Returns the new labels, or `None` if stopped.
    pub fn measure_translation(
        &self,
        lines: usize,
        on_event: &mut dyn FnMut(DraftEvent),
    ) -> Result<Option<Vec<LanguageLabel>>, AppError> {
        self.require_manager()?;
        self.stop.store(false, Ordering::SeqCst);
        let mut guard = lock(&self.assistant);
        let assistant = guard.as_mut().ok_or_else(|| AppError::ModelNotReady(self.not_ready_reason()))?;
        let measured = crate::contain("measuring translation", || {
            crate::eval::measure_translation(assistant, lines, &mut |done, total| {
                on_event(DraftEvent::Reading { done, total });
                self.in_use();
                if self.stop.load(Ordering::SeqCst) { Flow::Stop } else { Flow::Continue }
            })
        })?;
        if measured.is_none() {
            return Ok(None);
        }
        let labels = language_labels(&assistant.model_info().path, assistant.model_sha256());
        if let ModelStatus::Ready { info } = &mut *lock(&self.status) {
            info.translation = labels.clone();
        }
        Ok(Some(labels))
    }

    /// Changes the signed-in user's own password: `current` must be right and `new` typed the same twice.
    pub fn change_password(&self, current: &str, new: &str, again: &str) -> Result<(), AppError> {
        if new != again {
            return Err(AppError::Invalid("the two new passwords differ; nothing was changed".into()));
        }
        self.with_session(|s| s.change_password(current, new))
    }

    /// Removes a user (admins); `confirm` must repeat their name.
    pub fn remove_user(&self, name: &str, confirm: &str) -> Result<TeamView, AppError> {
        confirmed(confirm, name, "a removed user's password opens nothing from then on")?;
        self.with_session(|s| Ok(s.records()?.remove_user(name)?))?;
        self.team()
    }

    /// Disables a user (admins); `confirm` must repeat their name. A new password enables them again.
    pub fn disable_user(&self, name: &str, confirm: &str) -> Result<TeamView, AppError> {
        confirmed(confirm, name, "a disabled user's password opens nothing until an admin sets a new one")?;
        self.with_session(|s| Ok(s.records()?.disable_user(name)?))?;
        self.team()
    }

    /// Adds a person supported (managers and admins).
    pub fn add_person(&self, preferred_name: &str, identifier: &str) -> Result<TeamView, AppError> {
        self.with_session(|s| Ok(s.records()?.add_person(preferred_name, identifier).map(drop)?))?;
        self.team()
    }

    /// Corrects a person's preferred name and identifier (managers and admins).
    pub fn edit_person(&self, person_id: i64, preferred_name: &str, identifier: &str) -> Result<TeamView, AppError> {
        self.with_session(|s| Ok(s.records()?.edit_person(person_id, preferred_name, identifier)?))?;
        self.team()
    }

    /// Assigns a care worker to a person, or takes the assignment away (managers and admins).
    pub fn assign(&self, user: &str, person_id: i64, assigned: bool) -> Result<TeamView, AppError> {
        self.with_session(|s| {
            let store = s.records()?;
            let changed = if assigned { store.assign(user, person_id) } else { store.unassign(user, person_id) };
            Ok(changed?)
        })?;
        self.team()
    }

    /// The people the signed-in user works with.
    pub fn people(&self) -> Result<Vec<Person>, AppError> {
        self.with_session(|s| Ok(s.records()?.people()?))
    }

    /// Writes a draft, streaming it through `on_event`, and saves it (partial if stopped) for review.
    pub fn draft(&self, request: &DraftRequest, on_event: &mut dyn FnMut(DraftEvent)) -> Result<DraftRecord, AppError> {
        // Refuse early, before any compute, if the session has locked or the person is not the worker's.
        let person = self.with_session(|s| s.preferred_name(request.person_id))?;
        self.stop.store(false, Ordering::SeqCst);
        let draft = {
            let mut guard = lock(&self.assistant);
            let assistant = guard.as_mut().ok_or_else(|| AppError::ModelNotReady(self.not_ready_reason()))?;
            let mut on_progress = |p: Progress<'_>| {
                on_event(match p {
                    Progress::Prefill { done, total } => DraftEvent::Reading { done, total },
                    Progress::Text(piece) => DraftEvent::Text(piece.to_owned()),
                });
                self.in_use();
                if self.stop.load(Ordering::SeqCst) { Flow::Stop } else { Flow::Continue }
            };
            let drafted = crate::contain("drafting", || {
                assistant.draft(
                    request.task,
                    &request.input,
                    request.language,
                    Some(&person),
                    &self.params,
                    &mut on_progress,
                )
            });
            if let Err(AppError::Internal { .. }) = &drafted {
                // The model's state after a defect is unknown: unload it, and say why until it is loaded again.
                *guard = None;
                *lock(&self.status) = ModelStatus::Failed {
                    message: "Drafting stopped because of an internal error; choose the model again in Settings to \
                              reload it."
                        .into(),
                };
            }
            drafted?
        };
        // Saving is a use of the session: allow it even if the draft took longer than the idle limit.
        self.with_session(|s| {
            let id = s.save_draft_after_generation(request.person_id, &request.input, &draft)?;
            Ok(s.records()?.draft(id)?)
        })
    }

    fn not_ready_reason(&self) -> String {
        match self.model_status() {
            ModelStatus::Loading { .. } => "The model is still loading; try again in a moment.".into(),
            ModelStatus::Failed { message } => message,
            ModelStatus::Ready { .. } => "The model is busy.".into(),
        }
    }

    /// Stops the draft being written; the part written so far is kept.
    pub fn stop_draft(&self) {
        self.stop.store(true, Ordering::SeqCst);
    }

    /// A draft by id.
    pub fn draft_record(&self, id: i64) -> Result<DraftRecord, AppError> {
        self.with_session(|s| Ok(s.records()?.draft(id)?))
    }

    /// The signed-in worker's open drafts.
    pub fn my_drafts(&self) -> Result<Vec<DraftRecord>, AppError> {
        self.with_session(|s| Ok(s.records()?.my_drafts()?))
    }

    /// Saves the worker's edited text.
    pub fn edit(&self, id: i64, text: &str) -> Result<DraftRecord, AppError> {
        self.with_session(|s| {
            s.records()?.edit_draft(id, text)?;
            Ok(s.records()?.draft(id)?)
        })
    }

    /// Acknowledges one finding.
    pub fn acknowledge(&self, id: i64, finding: usize) -> Result<DraftRecord, AppError> {
        self.with_session(|s| {
            s.records()?.acknowledge(id, finding)?;
            Ok(s.records()?.draft(id)?)
        })
    }

    /// Submits a draft for review.
    pub fn submit(&self, id: i64) -> Result<DraftRecord, AppError> {
        self.with_session(|s| {
            s.records()?.submit(id)?;
            Ok(s.records()?.draft(id)?)
        })
    }

    /// Drafts waiting for review.
    pub fn review_queue(&self) -> Result<Vec<DraftRecord>, AppError> {
        self.with_session(|s| Ok(s.records()?.review_queue()?))
    }

    /// A manager's decision; returns the final note's id on approval.
    pub fn review(&self, id: i64, decision: Decision, comment: &str) -> Result<Option<i64>, AppError> {
        self.with_session(|s| Ok(s.records()?.review(id, decision, comment)?))
    }

    /// Final notes about a person.
    pub fn notes(&self, person_id: i64) -> Result<Vec<FinalNote>, AppError> {
        self.with_session(|s| Ok(s.records()?.finals(person_id)?))
    }

    /// A handover summary of a person's final notes over `within` ("last", "24h", "7d"), written by the loaded
    /// model; progress comes as [`DraftEvent::Reading`], and [`Workspace::stop_draft`] stops it. Not saved.
    pub fn handover(
        &self,
        person_id: i64,
        within: &str,
        on_event: &mut dyn FnMut(DraftEvent),
    ) -> Result<Handover, AppError> {
        let within = Within::parse(within).ok_or_else(|| {
            AppError::Invalid(format!("'{within}' is not a span: choose the last note, 24 hours or 7 days"))
        })?;
        let (name, notes, left_out) = self.with_session(|s| s.handover_notes(person_id, within))?;
        if notes.is_empty() {
            return Err(AppError::Invalid(format!(
                "{name} has no final notes from {}: nothing to summarise",
                within.label()
            )));
        }
        self.stop.store(false, Ordering::SeqCst);
        let mut guard = lock(&self.assistant);
        let assistant = guard.as_mut().ok_or_else(|| AppError::ModelNotReady(self.not_ready_reason()))?;
        let summary = crate::contain("writing the handover summary", || {
            assistant.handover(&name, &notes, within, left_out, &self.params, &mut |p| {
                if let Progress::Prefill { done, total } = p {
                    on_event(DraftEvent::Reading { done, total });
                }
                self.in_use();
                if self.stop.load(Ordering::SeqCst) { Flow::Stop } else { Flow::Continue }
            })
        })?;
        let model = assistant.model_info().name.clone();
        drop(guard);
        let user = self.with_session(|s| Ok(s.records()?.user().to_owned()))?;
        *lock(&self.last_handover) =
            Some(LastHandover { user, person_id, summary: summary.clone(), source: source_of(&notes), model });
        Ok(summary)
    }

    /// Saves the handover summary just written as a draft (managers and administrators), to be submitted and
    /// reviewed like any draft; only the user who asked for it can save it.
    pub fn save_handover(&self) -> Result<DraftRecord, AppError> {
        let id = self.with_session(|s| {
            let last = lock(&self.last_handover);
            let last = last
                .as_ref()
                .filter(|l| l.user == s.records().map(|r| r.user().to_owned()).unwrap_or_default())
                .ok_or_else(|| AppError::Invalid("write a handover summary first, then save it".into()))?;
            s.save_handover(last.person_id, &last.summary, &last.source, &last.model)
        })?;
        *lock(&self.last_handover) = None;
        self.draft_record(id)
    }

    /// A final note with its "AI-assisted, reviewed by" footer, for copying.
    pub fn export_note(&self, id: i64) -> Result<String, AppError> {
        self.with_session(|s| Ok(s.records()?.export_final(id)?))
    }

    /// Files a report of an AI error.
    pub fn report_error(&self, draft_id: Option<i64>, person_id: Option<i64>, text: &str) -> Result<i64, AppError> {
        self.with_session(|s| Ok(s.records()?.report_incident(person_id, draft_id, text)?))
    }

    /// Checks the audit trail and lists its newest 30 events, by `actor` and about `record` when given (managers
    /// and admins).
    pub fn audit(&self, actor: Option<&str>, record: Option<&str>) -> Result<AuditView, AppError> {
        self.with_session(|s| {
            let store = s.records()?;
            let check = store.verify_audit()?;
            let recent = store.recent_audit(30, actor.filter(|a| !a.is_empty()), record.filter(|r| !r.is_empty()))?;
            Ok(AuditView { intact: check.intact(), check, recent })
        })
    }

    /// For each audit anchor in `exported` (notes copied out of Tend), whether this database's audit trail still
    /// holds it: a history rewritten at or before an anchored row shows as not holding. An error when the text has
    /// no anchor.
    pub fn check_exported(&self, exported: &str) -> Result<Vec<AnchorCheck>, AppError> {
        let anchors = self.with_session(|s| Ok(s.records()?.verify_anchors(exported)?))?;
        if anchors.is_empty() {
            return Err(AppError::Invalid(
                "the text holds no audit anchor (a line such as \"audit 57 8c1d2e3f4a5b6c7d\"): paste a whole \
                 exported note, footer included"
                    .into(),
            ));
        }
        Ok(anchors.into_iter().map(|(anchor, holds)| AnchorCheck { anchor: anchor.to_string(), holds }).collect())
    }

    /// Corrects a final note of a person's with a linked amendment (managers and admins); the note itself never
    /// changes. Returns the person's notes, the amendment first.
    pub fn amend_note(
        &self,
        person_id: i64,
        final_id: i64,
        text: &str,
        reason: &str,
    ) -> Result<Vec<FinalNote>, AppError> {
        self.with_session(|s| {
            let store = s.records()?;
            if !store.finals(person_id)?.iter().any(|n| n.id == final_id) {
                return Err(AppError::Invalid(format!("note {final_id} is not one of this person's final notes")));
            }
            store.amend(final_id, text, reason)?;
            Ok(store.finals(person_id)?)
        })
    }

    /// Everything Tend holds about a person, as readable text, for a subject access request (managers and admins).
    pub fn export_person(&self, person_id: i64) -> Result<String, AppError> {
        self.with_session(|s| Ok(s.records()?.export_person(person_id)?.to_text()))
    }

    /// Saves a person's subject access export to `path`, readable only by this computer's user (managers and
    /// admins); returns where.
    pub fn save_person_export(&self, person_id: i64, path: &Path) -> Result<PathBuf, AppError> {
        let text = self.export_person(person_id)?;
        crate::records::write_private(path, text.as_bytes())?;
        Ok(path.to_owned())
    }

    /// Erases every record about a person (admins); `confirm` must repeat their identifier.
    pub fn erase_person(&self, person_id: i64, confirm: &str) -> Result<TeamView, AppError> {
        self.with_session(|s| {
            let store = s.records()?;
            let person = store
                .people()?
                .into_iter()
                .find(|p| p.id == person_id)
                .ok_or_else(|| AppError::Store(StoreError::NotFound(format!("person {person_id}"))))?;
            let why = format!("erasing {}'s records cannot be undone", person.preferred_name);
            confirmed(confirm, &person.identifier, &why)?;
            Ok(store.erase_person(person_id)?)
        })?;
        self.team()
    }

    /// Allows or forbids managers and admins to review their own drafts (admins).
    pub fn set_allow_self_review(&self, allow: bool) -> Result<SettingsView, AppError> {
        self.with_session(|s| Ok(s.records()?.set_allow_self_review(allow)?))?;
        self.settings()
    }

    /// The reports of AI errors, newest first (managers and admins).
    pub fn reports(&self) -> Result<Vec<Incident>, AppError> {
        self.with_session(|s| Ok(s.records()?.incidents()?))
    }

    /// Records what was done about a report; returns the reports as they are now (managers and admins).
    pub fn set_report_status(&self, id: i64, status: &str, outcome: &str) -> Result<Vec<Incident>, AppError> {
        self.with_session(|s| Ok(s.records()?.set_incident_status(id, status, outcome)?))?;
        self.reports()
    }

    /// The Settings screen's facts.
    pub fn settings(&self) -> Result<SettingsView, AppError> {
        let (retention_days, audit_head, root_key, allow_self_review) = self.with_session(|s| {
            let store = s.records()?;
            let head = store.audit_head()?.map(|a| a.to_string());
            Ok((store.retention_days()?, head, store.root_key(), store.allow_self_review()?))
        })?;
        // candle's thread count, which its pool read once at its first use (set at start-up: `environment_to_apply`).
        let threads = tend_engine::threads::pool_threads();
        Ok(SettingsView {
            model: self.model_status(),
            retention_days,
            database: self.db.display().to_string(),
            threads,
            threads_next_start: crate::config::DeviceConfig::load()?.threads.filter(|&n| n != threads),
            cores: crate::config::cores(),
            audit_head,
            root_key,
            allow_self_review,
        })
    }

    /// Saves the CPU threads drafting uses, from the next start (managers and admins): candle's thread pool is
    /// sized once per run.
    pub fn set_threads(&self, threads: usize) -> Result<SettingsView, AppError> {
        self.require_manager()?;
        crate::config::DeviceConfig::save_threads(threads)?;
        self.settings()
    }

    /// Changes how long source notes and rejected drafts are kept (admins).
    pub fn set_retention_days(&self, days: u32) -> Result<SettingsView, AppError> {
        self.with_session(|s| Ok(s.records()?.set_retention_days(days)?))?;
        self.settings()
    }
}

/// A typed confirmation for an act that cannot be taken back: `typed` must be `expected`, or the refusal says
/// what to type and `why`.
fn confirmed(typed: &str, expected: &str, why: &str) -> Result<(), AppError> {
    if typed.trim() == expected {
        Ok(())
    } else {
        Err(AppError::Store(StoreError::Invalid(format!("type {expected} to confirm: {why}"))))
    }
}
