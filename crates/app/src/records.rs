//! Signed-in sessions on the encrypted record store: saving AI drafts with their findings and provenance, and
//! locking after a period without use. The store's operations are reached through [`Session::records`], which
//! refuses once the session has locked.

use std::path::Path;
use std::time::{Duration, Instant};

pub use tend_store::{
    AuditCheck, AuditRow, Decision, DraftRecord, FinalNote, Incident, MIN_PASSWORD_CHARS, Person, PersonExport,
    RetentionReport, ReviewRecord, Role, SignatureCheck, Store, StoreError, write_private,
};

use crate::{AppError, Draft};

/// How long a session stays open without use before it locks.
pub const DEFAULT_IDLE_LIMIT: Duration = Duration::from_secs(5 * 60);

/// A signed-in user's session. Dropping it signs out.
#[derive(Debug)]
pub struct Session {
    store: Store,
    idle_limit: Duration,
    last_used: Instant,
}

impl Session {
    /// Creates a new encrypted database with its first user, an admin, and signs them in.
    pub fn create(path: &Path, admin: &str, password: &str) -> Result<Self, AppError> {
        Ok(Self::new(Store::create(path, admin, password)?))
    }

    /// Signs in to the database at `path`.
    pub fn sign_in(path: &Path, user: &str, password: &str) -> Result<Self, AppError> {
        Ok(Self::new(Store::open(path, user, password)?))
    }

    fn new(store: Store) -> Self {
        Self { store, idle_limit: DEFAULT_IDLE_LIMIT, last_used: Instant::now() }
    }

    /// Sets how long the session may sit unused before it locks.
    pub fn set_idle_limit(&mut self, limit: Duration) {
        self.idle_limit = limit;
    }

    /// True once the session has sat unused for longer than its idle limit.
    pub fn is_locked(&self) -> bool {
        self.last_used.elapsed() > self.idle_limit
    }

    /// Counts as use (the person typing or clicking, or a draft being written in front of them): keeps an open
    /// session open; a locked one stays locked.
    pub fn keep_alive(&mut self) {
        if !self.is_locked() {
            self.last_used = Instant::now();
        }
    }

    /// Unlocks a locked session with the signed-in user's password.
    pub fn unlock(&mut self, password: &str) -> Result<(), AppError> {
        let store = Store::open(self.store.path(), self.store.user(), password)?;
        self.store = store;
        self.last_used = Instant::now();
        Ok(())
    }

    /// Changes the signed-in user's own password after checking the current one (a wrong one counts as a failed
    /// sign-in): they get new keys and the database a new key, so the old password opens nothing.
    pub fn change_password(&mut self, current: &str, new: &str) -> Result<(), AppError> {
        self.unlock(current)?;
        let me = self.store.user().to_owned();
        Ok(self.records()?.set_password(&me, new)?)
    }

    /// The signed-in user and role; available while locked, for the lock screen.
    pub fn who(&self) -> (&str, Role) {
        (self.store.user(), self.store.role())
    }

    /// The record store, for any read or write; fails once the session has locked, and counts as use.
    pub fn records(&mut self) -> Result<&mut Store, AppError> {
        if self.is_locked() {
            return Err(AppError::SessionLocked);
        }
        self.last_used = Instant::now();
        Ok(&mut self.store)
    }

    /// The preferred name of a person the signed-in user works with; anyone else is refused.
    pub fn preferred_name(&mut self, person_id: i64) -> Result<String, AppError> {
        let people = self.records()?.people()?;
        let person = people.into_iter().find(|p| p.id == person_id);
        person.map(|p| p.preferred_name).ok_or_else(|| {
            AppError::Store(tend_store::StoreError::Forbidden("choose one of the people you work with".into()))
        })
    }

    /// The notes a handover summary of a person over `within` is written from, newest first, with the person's
    /// preferred name and the notes left out because their approval does not hold.
    pub fn handover_notes(
        &mut self,
        person_id: i64,
        within: crate::handover::Within,
    ) -> Result<(String, Vec<FinalNote>, Vec<i64>), AppError> {
        let name = self.preferred_name(person_id)?;
        let store = self.records()?;
        let notes = match within {
            crate::handover::Within::LastNote => store.finals(person_id)?,
            crate::handover::Within::Hours(hours) => store.finals_within(person_id, hours)?,
        };
        let (notes, left_out) = crate::handover::notes_for(notes, within);
        Ok((name, notes, left_out))
    }

    /// Saves a handover summary as a draft (managers and administrators only): it is then submitted and reviewed
    /// like any draft, against `source` (the final notes it was written from, [`crate::handover::source_of`]),
    /// and becomes a record only when another manager approves it. Returns the draft's id.
    pub fn save_handover(
        &mut self,
        person_id: i64,
        summary: &crate::handover::Handover,
        source: &str,
        model: &str,
    ) -> Result<i64, AppError> {
        let store = self.records()?;
        if store.role() == tend_store::Role::CareWorker {
            return Err(AppError::Invalid(
                "only a manager or an administrator saves a handover summary as a record; it is shown for reading"
                    .into(),
            ));
        }
        let provenance = serde_json::json!({
            "task": "handover",
            "model": model,
            "within": summary.within,
            "notes": summary.notes.iter().map(|(id, _)| id).collect::<Vec<_>>(),
            "left_out": summary.left_out,
            "stopped": summary.stopped,
            "checks": format!("tend-checks {}", env!("CARGO_PKG_VERSION")),
        });
        Ok(store.save_draft(&tend_store::NewDraft {
            person_id,
            task: "handover",
            source_text: source,
            ai_text: &summary.text(),
            findings_json: "[]",
            provenance_json: &provenance.to_string(),
        })?)
    }

    /// Saves an AI draft about a person, with the notes it came from, its findings and provenance; it awaits
    /// the worker's edits and a manager's review. Returns the draft's id.
    pub fn save_draft(&mut self, person_id: i64, source: &str, draft: &Draft) -> Result<i64, AppError> {
        self.records()?;
        self.save_draft_after_generation(person_id, source, draft)
    }

    /// Saves a draft whose generation the user started while the session was open, even if the session locked
    /// while the model was writing: the work is the user's, and losing it would be worse than saving it.
    pub fn save_draft_after_generation(
        &mut self,
        person_id: i64,
        source: &str,
        draft: &Draft,
    ) -> Result<i64, AppError> {
        self.last_used = Instant::now();
        let findings = serde_json::to_value(&draft.findings).unwrap_or_default().to_string();
        let mut provenance = serde_json::to_value(&draft.provenance).unwrap_or_default();
        provenance["stop_reason"] = serde_json::to_value(&draft.stop_reason).unwrap_or_default();
        provenance["declined"] = draft.declined.into();
        // The evidence: each sentence's spans of the notes, and the parts of the notes no sentence covers.
        provenance["evidence"] = serde_json::json!({ "sentences": draft.sentences, "uncovered": draft.uncovered });
        provenance["checks"] = format!("tend-checks {}", env!("CARGO_PKG_VERSION")).into();
        if let Some(back) = &draft.back_translation {
            provenance["back_translation"] = back.as_str().into();
        }
        if let Some(translation) = &draft.translation {
            provenance["translation"] = translation.sentence().into();
        }
        let task = draft.task.name();
        let store = self.records()?;
        Ok(store.save_draft(&tend_store::NewDraft {
            person_id,
            task,
            source_text: source,
            ai_text: &draft.draft,
            findings_json: &findings,
            provenance_json: &provenance.to_string(),
        })?)
    }
}
