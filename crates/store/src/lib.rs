//! Tend's record store: the only crate that touches SQLite. The database is encrypted with SQLCipher under a
//! random 256-bit key that is kept only wrapped by each user's password (see `keyring`). Drafts become final notes
//! only through the review gate, which the schema's triggers enforce against any SQL; every write appends a
//! hash-chained audit row in the same transaction.
//!
//! Architecture invariant: this crate knows nothing of models, tasks, checks or the user interface; findings and
//! provenance arrive as JSON text.

mod error;
mod keyring;

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub use error::{Result, StoreError};

/// Numbered schema migrations, applied in order; `PRAGMA user_version` records how many ran.
const MIGRATIONS: &[&str] = &[include_str!("../migrations/0001_initial.sql")];

/// The start of every unencrypted SQLite file.
const PLAIN_SQLITE_HEADER: &[u8] = b"SQLite format 3\0";

/// What a user may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Drafts notes for the people they support.
    CareWorker,
    /// Reviews drafts; approves, returns or rejects them.
    Manager,
    /// Manages users; may also review.
    Admin,
}

impl Role {
    fn as_str(self) -> &'static str {
        match self {
            Role::CareWorker => "care_worker",
            Role::Manager => "manager",
            Role::Admin => "admin",
        }
    }

    fn parse(text: &str) -> Result<Self> {
        match text {
            "care_worker" => Ok(Role::CareWorker),
            "manager" => Ok(Role::Manager),
            "admin" => Ok(Role::Admin),
            other => Err(StoreError::Corrupt(format!("unknown role '{other}'"))),
        }
    }
}

/// A manager's decision on a submitted draft.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// The draft becomes a final note.
    Approve,
    /// Back to the author with a comment.
    Return,
    /// Closed without a note.
    Reject,
}

/// A draft as the worker saves it.
#[derive(Debug, Clone)]
pub struct NewDraft<'a> {
    /// Whom the note is about.
    pub person_id: i64,
    /// The task's name (e.g. `care-note`).
    pub task: &'a str,
    /// What the worker wrote.
    pub source_text: &'a str,
    /// What the model drafted.
    pub ai_text: &'a str,
    /// The checks' findings, a JSON array.
    pub findings_json: &'a str,
    /// Model, template, settings and timings, JSON.
    pub provenance_json: &'a str,
}

/// A stored draft.
#[derive(Debug, Clone, Serialize)]
pub struct DraftRecord {
    /// Its id.
    pub id: i64,
    /// Whom it is about.
    pub person_id: i64,
    /// Who wrote it.
    pub author: String,
    /// The task.
    pub task: String,
    /// The worker's text.
    pub source_text: String,
    /// The model's draft.
    pub ai_text: String,
    /// The worker's edited text.
    pub edited_text: String,
    /// The findings, JSON.
    pub findings_json: String,
    /// `draft`, `submitted`, `approved`, `returned` or `rejected`.
    pub status: String,
    /// Findings acknowledged so far.
    pub acknowledged: usize,
    /// True until a manager approves it.
    pub review_required: bool,
}

/// A final note: reviewed, append-only.
#[derive(Debug, Clone, Serialize)]
pub struct FinalNote {
    /// Its id.
    pub id: i64,
    /// The draft it came from (none for an amendment).
    pub draft_id: Option<i64>,
    /// The note.
    pub text: String,
    /// Who reviewed it.
    pub reviewer: String,
    /// When.
    pub reviewed_at: String,
    /// The note this one corrects.
    pub amends: Option<i64>,
}

/// The outcome of checking the audit chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditCheck {
    /// Rows checked.
    pub rows: usize,
    /// The first row whose hash does not match, if any.
    pub first_bad_row: Option<i64>,
}

/// An open, unlocked store and the user who unlocked it.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    key: [u8; 32],
    user: String,
    role: Role,
}

impl Store {
    /// Creates a new encrypted database at `path` with its first user, an admin.
    pub fn create(path: &Path, admin: &str, password: &str) -> Result<Self> {
        let keyring = keyring::path_for(path);
        for existing in [path, keyring.as_path()] {
            if existing.exists() {
                return Err(StoreError::AlreadyExists(existing.to_owned()));
            }
        }
        let key = keyring::create(&keyring, admin, password)?;
        let conn = connect(path, &key)?;
        let mut store = Self { conn, path: path.to_owned(), key, user: admin.to_owned(), role: Role::Admin };
        store.migrate()?;
        let tx = store.conn.transaction()?;
        tx.execute("INSERT INTO users (name, role, created_at) VALUES (?1, 'admin', datetime('now'))", [admin])?;
        audit(&tx, admin, "create_database", "users", admin)?;
        tx.commit()?;
        Ok(store)
    }

    /// Opens the database at `path` as `user`.
    pub fn open(path: &Path, user: &str, password: &str) -> Result<Self> {
        let header = std::fs::read(path).map(|b| b.into_iter().take(16).collect::<Vec<u8>>());
        match header {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(StoreError::Missing(path.to_owned())),
            Err(e) => return Err(StoreError::io(path, e)),
            Ok(h) if h == PLAIN_SQLITE_HEADER => return Err(StoreError::NotEncrypted(path.to_owned())),
            Ok(_) => {}
        }
        let keyring = keyring::path_for(path);
        if !keyring.exists() {
            return Err(StoreError::NotATendDatabase(path.to_owned()));
        }
        let key = keyring::unlock(&keyring, user, password)?;
        let conn = connect(path, &key).map_err(|_| StoreError::NotATendDatabase(path.to_owned()))?;
        let role: Option<String> =
            conn.query_row("SELECT role FROM users WHERE name = ?1", [user], |r| r.get(0)).optional()?;
        let role = Role::parse(&role.ok_or(StoreError::WrongPassword)?)?;
        let mut store = Self { conn, path: path.to_owned(), key, user: user.to_owned(), role };
        store.migrate()?;
        Ok(store)
    }

    fn migrate(&mut self) -> Result<()> {
        let done: usize = self.conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if done > MIGRATIONS.len() {
            return Err(StoreError::Corrupt(format!(
                "the database has schema version {done}, newer than this Tend ({}); update Tend",
                MIGRATIONS.len()
            )));
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(done) {
            let tx = self.conn.transaction()?;
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", i + 1)?;
            tx.commit()?;
        }
        Ok(())
    }

    /// The signed-in user.
    pub fn user(&self) -> &str {
        &self.user
    }

    /// The signed-in user's role.
    pub fn role(&self) -> Role {
        self.role
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn require(&self, allowed: &[Role], what: &str) -> Result<()> {
        if allowed.contains(&self.role) {
            Ok(())
        } else {
            Err(StoreError::Forbidden(format!("{} ({}) may not {what}", self.user, self.role.as_str())))
        }
    }

    /// Adds a user with a password (admins only). The password wraps a copy of the database key.
    pub fn add_user(&mut self, name: &str, role: Role, password: &str) -> Result<()> {
        self.require(&[Role::Admin], "add users")?;
        if name.trim().is_empty() || password.chars().count() < 8 {
            return Err(StoreError::Forbidden("a user needs a name and a password of at least 8 characters".into()));
        }
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO users (name, role, created_at) VALUES (?1, ?2, datetime('now'))",
            [name, role.as_str()],
        )?;
        audit(&tx, &self.user, "add_user", "users", &format!("{name} as {}", role.as_str()))?;
        keyring::add(&keyring::path_for(&self.path), &self.key, name, password)?;
        tx.commit()?;
        Ok(())
    }

    /// Every user and their role.
    pub fn users(&self) -> Result<Vec<(String, Role)>> {
        let mut stmt = self.conn.prepare("SELECT name, role FROM users ORDER BY name")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        rows.map(|r| {
            let (name, role) = r?;
            Ok((name, Role::parse(&role)?))
        })
        .collect()
    }

    /// Adds a person supported; returns their id.
    pub fn add_person(&mut self, preferred_name: &str, identifier: &str) -> Result<i64> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO people (preferred_name, identifier, created_at) VALUES (?1, ?2, datetime('now'))",
            [preferred_name, identifier],
        )?;
        let id = tx.last_insert_rowid();
        audit(&tx, &self.user, "add_person", &format!("people/{id}"), "")?;
        tx.commit()?;
        Ok(id)
    }

    /// Saves an AI draft for review; the worker's edited text starts as the AI text.
    pub fn save_draft(&mut self, draft: &NewDraft<'_>) -> Result<i64> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO drafts (person_id, author, task, source_text, ai_text, edited_text, findings_json,
                                 provenance_json, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6, ?7, datetime('now'), datetime('now'))",
            params![
                draft.person_id,
                self.user,
                draft.task,
                draft.source_text,
                draft.ai_text,
                draft.findings_json,
                draft.provenance_json
            ],
        )?;
        let id = tx.last_insert_rowid();
        audit(&tx, &self.user, "save_draft", &format!("drafts/{id}"), draft.provenance_json)?;
        tx.commit()?;
        Ok(id)
    }

    /// Replaces the worker's edited text of their own open draft.
    pub fn edit_draft(&mut self, id: i64, text: &str) -> Result<()> {
        let tx = self.conn.transaction()?;
        own_draft(&tx, &self.user, id)?;
        tx.execute(
            "UPDATE drafts SET edited_text = ?2, updated_at = datetime('now') WHERE id = ?1",
            params![id, text],
        )?;
        audit(&tx, &self.user, "edit_draft", &format!("drafts/{id}"), "")?;
        tx.commit()?;
        Ok(())
    }

    /// Records that the signed-in user has read and acknowledged finding number `index` of a draft.
    pub fn acknowledge(&mut self, draft_id: i64, index: usize) -> Result<()> {
        let tx = self.conn.transaction()?;
        let count: Option<usize> = tx
            .query_row("SELECT json_array_length(findings_json) FROM drafts WHERE id = ?1", [draft_id], |r| r.get(0))
            .optional()?;
        let count = count.ok_or_else(|| StoreError::NotFound(format!("draft {draft_id}")))?;
        if index >= count {
            return Err(StoreError::NotFound(format!("finding {index} in draft {draft_id} (it has {count})")));
        }
        tx.execute(
            "INSERT OR IGNORE INTO finding_acks (draft_id, finding_index, user, at) VALUES (?1, ?2, ?3, datetime('now'))",
            params![draft_id, index, self.user],
        )?;
        audit(&tx, &self.user, "acknowledge_finding", &format!("drafts/{draft_id}"), &index.to_string())?;
        tx.commit()?;
        Ok(())
    }

    /// Submits the worker's own draft for review.
    pub fn submit(&mut self, id: i64) -> Result<()> {
        let tx = self.conn.transaction()?;
        own_draft(&tx, &self.user, id)?;
        tx.execute("UPDATE drafts SET status = 'submitted', updated_at = datetime('now') WHERE id = ?1", [id])?;
        audit(&tx, &self.user, "submit_draft", &format!("drafts/{id}"), "")?;
        tx.commit()?;
        Ok(())
    }

    /// A manager's review. Approval writes the final note, in the same transaction; returns its id.
    pub fn review(&mut self, id: i64, decision: Decision, comment: &str) -> Result<Option<i64>> {
        self.require(&[Role::Manager, Role::Admin], "review drafts")?;
        let (word, status) = match decision {
            Decision::Approve => ("approve", "approved"),
            Decision::Return => ("return", "returned"),
            Decision::Reject => ("reject", "rejected"),
        };
        if decision == Decision::Return && comment.trim().is_empty() {
            return Err(StoreError::ReviewGate("say what to change when returning a draft".into()));
        }
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO reviews (draft_id, reviewer, decision, comment, at) VALUES (?1, ?2, ?3, ?4, datetime('now'))",
            params![id, self.user, word, comment],
        )?;
        tx.execute("UPDATE drafts SET status = ?2, updated_at = datetime('now') WHERE id = ?1", params![id, status])?;
        let final_id = if decision == Decision::Approve {
            tx.execute(
                "INSERT INTO finals (draft_id, person_id, text, reviewer, reviewed_at)
                 SELECT id, person_id, edited_text, ?2, datetime('now') FROM drafts WHERE id = ?1",
                params![id, self.user],
            )?;
            Some(tx.last_insert_rowid())
        } else {
            None
        };
        audit(&tx, &self.user, &format!("review_{word}"), &format!("drafts/{id}"), comment)?;
        tx.commit()?;
        Ok(final_id)
    }

    /// A draft by id.
    pub fn draft(&self, id: i64) -> Result<DraftRecord> {
        self.conn
            .query_row(&format!("{DRAFT_SELECT} WHERE d.id = ?1"), [id], draft_row)
            .optional()?
            .ok_or_else(|| StoreError::NotFound(format!("draft {id}")))
    }

    /// Drafts waiting for review, oldest first (managers and admins).
    pub fn review_queue(&self) -> Result<Vec<DraftRecord>> {
        self.require(&[Role::Manager, Role::Admin], "see the review queue")?;
        let mut stmt = self.conn.prepare(&format!("{DRAFT_SELECT} WHERE d.status = 'submitted' ORDER BY d.id"))?;
        let rows = stmt.query_map([], draft_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The final notes and amendments about a person, oldest first.
    pub fn finals(&self, person_id: i64) -> Result<Vec<FinalNote>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, draft_id, text, reviewer, reviewed_at, amends FROM finals WHERE person_id = ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map([person_id], |r| {
            Ok(FinalNote {
                id: r.get(0)?,
                draft_id: r.get(1)?,
                text: r.get(2)?,
                reviewer: r.get(3)?,
                reviewed_at: r.get(4)?,
                amends: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Recomputes the audit chain and reports the first row that was changed or whose predecessor was removed.
    pub fn verify_audit(&self) -> Result<AuditCheck> {
        let mut stmt = self
            .conn
            .prepare("SELECT seq, at, actor, action, record, detail, prev_hash, hash FROM audit ORDER BY seq")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                [r.get::<_, String>(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?],
                r.get::<_, String>(6)?,
                r.get::<_, String>(7)?,
            ))
        })?;
        let mut prev = String::new();
        let mut count = 0;
        for row in rows {
            let (seq, fields, prev_hash, hash) = row?;
            count += 1;
            if prev_hash != prev || hash != chain_hash(&prev, seq, &fields) {
                return Ok(AuditCheck { rows: count, first_bad_row: Some(seq) });
            }
            prev = hash;
        }
        Ok(AuditCheck { rows: count, first_bad_row: None })
    }

    /// The raw connection, for tests that try to get past the review gate with SQL.
    #[doc(hidden)]
    pub fn raw_connection(&self) -> &Connection {
        &self.conn
    }
}

const DRAFT_SELECT: &str = "SELECT d.id, d.person_id, d.author, d.task, d.source_text, d.ai_text, d.edited_text,
    d.findings_json, d.status, (SELECT count(*) FROM finding_acks a WHERE a.draft_id = d.id) FROM drafts d";

fn draft_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<DraftRecord> {
    let status: String = r.get(8)?;
    Ok(DraftRecord {
        id: r.get(0)?,
        person_id: r.get(1)?,
        author: r.get(2)?,
        task: r.get(3)?,
        source_text: r.get(4)?,
        ai_text: r.get(5)?,
        edited_text: r.get(6)?,
        findings_json: r.get(7)?,
        review_required: status != "approved",
        status,
        acknowledged: r.get(9)?,
    })
}

/// Opens and keys a SQLCipher connection, and checks the key fits.
fn connect(path: &Path, key: &[u8; 32]) -> Result<Connection> {
    let conn = Connection::open(path)?;
    conn.pragma_update(None, "key", keyring::sqlcipher_literal(key))?;
    let cipher: Option<String> = conn.query_row("PRAGMA cipher_version", [], |r| r.get(0)).optional()?;
    if cipher.is_none_or(|v| v.is_empty()) {
        return Err(StoreError::NotEncrypted(path.to_owned()));
    }
    // Reading the schema fails here when the key does not fit the file.
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0))?;
    conn.busy_timeout(std::time::Duration::from_secs(2))?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "secure_delete", "ON")?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    Ok(conn)
}

fn chain_hash(prev: &str, seq: i64, fields: &[String; 5]) -> String {
    let mut h = Sha256::new();
    h.update(prev.as_bytes());
    h.update(seq.to_le_bytes());
    for f in fields {
        h.update((f.len() as u64).to_le_bytes());
        h.update(f.as_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Fails unless draft `id` exists and `user` wrote it.
fn own_draft(tx: &Transaction<'_>, user: &str, id: i64) -> Result<()> {
    let author: Option<String> =
        tx.query_row("SELECT author FROM drafts WHERE id = ?1", [id], |r| r.get(0)).optional()?;
    match author {
        None => Err(StoreError::NotFound(format!("draft {id}"))),
        Some(a) if a == user => Ok(()),
        Some(_) => Err(StoreError::Forbidden(format!("draft {id} belongs to another worker"))),
    }
}

/// Appends an audit row to the transaction's writes, chained to the previous row.
fn audit(tx: &Transaction<'_>, actor: &str, action: &str, record: &str, detail: &str) -> Result<()> {
    let (seq, prev): (i64, String) = tx.query_row(
        "SELECT coalesce(max(seq), 0) + 1, coalesce((SELECT hash FROM audit ORDER BY seq DESC LIMIT 1), '') FROM audit",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let at: String = tx.query_row("SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now')", [], |r| r.get(0))?;
    let fields = [at, actor.to_owned(), action.to_owned(), record.to_owned(), detail.to_owned()];
    let hash = chain_hash(&prev, seq, &fields);
    tx.execute(
        "INSERT INTO audit (seq, at, actor, action, record, detail, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![seq, fields[0], fields[1], fields[2], fields[3], fields[4], prev, hash],
    )?;
    Ok(())
}
