//! Tend's record store: the only crate that touches SQLite. The database is encrypted with SQLCipher under a
//! random 256-bit key that is kept only wrapped by each user's password (see `keyring`). Drafts become final notes
//! only through the review gate, which the schema's triggers enforce against any SQL; every write appends a
//! hash-chained audit row in the same transaction.
//!
//! Architecture invariant: this crate knows nothing of models, tasks, checks or the user interface; findings and
//! provenance arrive as JSON text.

mod audit;
mod duties;
mod error;
mod keyring;
mod records;

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};

pub use audit::{AuditCheck, AuditRow};
pub use duties::{PersonExport, RetentionReport};
pub use error::{Result, StoreError};
pub use records::{Decision, DraftRecord, FinalNote, Incident, NewDraft, Person, ReviewRecord};

/// Numbered schema migrations, applied in order; `PRAGMA user_version` records how many ran.
const MIGRATIONS: &[&str] =
    &[include_str!("../migrations/0001_initial.sql"), include_str!("../migrations/0002_duties.sql")];

/// The start of every unencrypted SQLite file.
const PLAIN_SQLITE_HEADER: &[u8] = b"SQLite format 3\0";

/// The shortest password Tend accepts.
pub const MIN_PASSWORD_CHARS: usize = 10;

/// What a user may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Drafts notes for the people they are assigned to.
    CareWorker,
    /// Reviews drafts; approves, returns or rejects them; amends and exports notes.
    Manager,
    /// Manages users, settings and erasure; may also review.
    Admin,
}

impl Role {
    /// The role's name as stored and shown: `care_worker`, `manager` or `admin`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::CareWorker => "care_worker",
            Role::Manager => "manager",
            Role::Admin => "admin",
        }
    }

    /// The role's name for people: "care worker", "manager", "admin".
    pub fn label(self) -> &'static str {
        match self {
            Role::CareWorker => "care worker",
            Role::Manager => "manager",
            Role::Admin => "admin",
        }
    }

    /// Parses `care_worker`/`care-worker`, `manager` or `admin`.
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().replace('-', "_").as_str() {
            "care_worker" => Some(Role::CareWorker),
            "manager" => Some(Role::Manager),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }

    fn from_db(text: &str) -> Result<Self> {
        Self::parse(text).ok_or_else(|| StoreError::Corrupt(format!("unknown role '{text}'")))
    }

    fn reviews(self) -> bool {
        matches!(self, Role::Manager | Role::Admin)
    }
}

/// An open, unlocked store and the user who signed in. Dropping it signs out.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    key: [u8; 32],
    user: String,
    role: Role,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).field("user", &self.user).field("role", &self.role).finish()
    }
}

impl Store {
    /// Creates a new encrypted database at `path` with its first user, an admin.
    pub fn create(path: &Path, admin: &str, password: &str) -> Result<Self> {
        check_new_user(admin, password)?;
        let keyring = keyring::path_for(path);
        for existing in [path, keyring.as_path()] {
            if existing.exists() {
                return Err(StoreError::AlreadyExists(existing.to_owned()));
            }
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| StoreError::io(dir, e))?;
        }
        let key = keyring::create(&keyring, admin, password)?;
        let made = (|| {
            // The database file exists, empty, before SQLite writes a page: readable by its owner alone, as the
            // journals SQLite makes beside it will be.
            drop(keyring::private_file(path, false)?);
            let conn = connect(path, &key)?;
            let mut store = Self { conn, path: path.to_owned(), key, user: admin.to_owned(), role: Role::Admin };
            store.migrate()?;
            let tx = store.conn.transaction()?;
            tx.execute("INSERT INTO users (name, role, created_at) VALUES (?1, 'admin', datetime('now'))", [admin])?;
            audit::append(&tx, admin, "create_database", &format!("users/{admin}"), "")?;
            tx.commit()?;
            Ok(store)
        })();
        if made.is_err() {
            // Leave nothing half-made behind.
            for file in [path.to_owned(), keyring, sidecar(path, "-wal"), sidecar(path, "-shm")] {
                let _ = std::fs::remove_file(file);
            }
        }
        made
    }

    /// Signs in to the database at `path` as `user`: unwraps the key, checks the file, applies migrations and
    /// the retention policy, and records the sign-in.
    pub fn open(path: &Path, user: &str, password: &str) -> Result<Self> {
        let header = std::fs::File::open(path).and_then(|f| {
            use std::io::Read;
            let mut h = Vec::with_capacity(16);
            f.take(16).read_to_end(&mut h)?;
            Ok(h)
        });
        match header {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(StoreError::Missing(path.to_owned())),
            Err(e) => return Err(StoreError::io(path, e)),
            Ok(h) if h == PLAIN_SQLITE_HEADER => return Err(StoreError::NotEncrypted(path.to_owned())),
            Ok(_) => {}
        }
        let keyring = keyring::path_for(path);
        if !keyring.exists() {
            return Err(StoreError::KeyringMissing(keyring));
        }
        let key = keyring::unlock(&keyring, user, password)?;
        let conn = connect(path, &key).map_err(|e| match e {
            StoreError::Locked => e,
            _ => StoreError::KeyringMismatch(keyring.clone()),
        })?;
        let quick: String = conn.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
        if quick != "ok" {
            return Err(StoreError::Corrupt(quick));
        }
        let role: Option<String> =
            conn.query_row("SELECT role FROM users WHERE name = ?1", [user], |r| r.get(0)).optional()?;
        let role = Role::from_db(&role.ok_or(StoreError::WrongPassword)?)?;
        let mut store = Self { conn, path: path.to_owned(), key, user: user.to_owned(), role };
        store.migrate()?;
        store.apply_retention()?;
        store.write(|tx, me| audit::append(tx, me, "sign_in", &format!("users/{me}"), ""))?;
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

    /// Runs `f` in one transaction with the signed-in user's name; commits only if it succeeds.
    fn write<T>(&mut self, f: impl FnOnce(&Transaction<'_>, &str) -> Result<T>) -> Result<T> {
        let tx = self.conn.transaction()?;
        let out = f(&tx, &self.user)?;
        tx.commit()?;
        Ok(out)
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
            Err(StoreError::Forbidden(format!("{} is a {} and may not {what}", self.user, self.role.label())))
        }
    }

    /// Adds a user with a password (admins only). The password wraps a copy of the database key.
    pub fn add_user(&mut self, name: &str, role: Role, password: &str) -> Result<()> {
        self.require(&[Role::Admin], "add users")?;
        check_new_user(name, password)?;
        let (path, key) = (keyring::path_for(&self.path), self.key);
        self.write(|tx, me| {
            let taken: Option<String> = tx
                .query_row("SELECT name FROM users WHERE lower(name) = lower(?1)", [name], |r| r.get(0))
                .optional()?;
            if let Some(existing) = taken {
                return Err(StoreError::Invalid(format!(
                    "{name:?} differs from the user {existing:?} only in capitals; choose a name no one could mistake"
                )));
            }
            tx.execute(
                "INSERT INTO users (name, role, created_at) VALUES (?1, ?2, datetime('now'))",
                [name, role.as_str()],
            )
            .map_err(|e| match StoreError::from(e) {
                StoreError::Sqlite(m) if m.contains("UNIQUE") => StoreError::AlreadyExists(PathBuf::from(name)),
                other => other,
            })?;
            audit::append(tx, me, "add_user", &format!("users/{name}"), role.as_str())?;
            // Last, so that a failed keyring write rolls the user back.
            keyring::add(&path, &key, name, password)
        })
    }

    /// Sets a new password: for oneself, or for anyone by an admin.
    pub fn set_password(&mut self, name: &str, password: &str) -> Result<()> {
        if name != self.user {
            self.require(&[Role::Admin], "change another user's password")?;
        }
        check_new_user(name, password)?;
        let (path, key) = (keyring::path_for(&self.path), self.key);
        self.write(|tx, me| {
            let known: bool = tx.query_row("SELECT count(*) > 0 FROM users WHERE name = ?1", [name], |r| r.get(0))?;
            if !known {
                return Err(StoreError::NotFound(format!("user {name}")));
            }
            audit::append(tx, me, "set_password", &format!("users/{name}"), "")?;
            keyring::add(&path, &key, name, password)
        })
    }

    /// Every user and their role (managers and admins: a care worker has no need to know who else signs in).
    pub fn users(&self) -> Result<Vec<(String, Role)>> {
        self.require(&[Role::Manager, Role::Admin], "list the users")?;
        let mut stmt = self.conn.prepare("SELECT name, role FROM users ORDER BY name")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        rows.map(|r| {
            let (name, role) = r?;
            Ok((name, Role::from_db(&role)?))
        })
        .collect()
    }

    /// Allows a manager or an admin to review their own drafts (off by default; admins only).
    pub fn set_allow_self_review(&mut self, allow: bool) -> Result<()> {
        self.require(&[Role::Admin], "change settings")?;
        self.set_setting("allow_self_review", if allow { "1" } else { "0" })
    }

    /// Whether a manager or an admin may review their own drafts.
    pub fn allow_self_review(&self) -> Result<bool> {
        Ok(self.setting("allow_self_review")? == "1")
    }

    fn set_setting(&mut self, key: &str, value: &str) -> Result<()> {
        self.write(|tx, me| {
            tx.execute("UPDATE settings SET value = ?2 WHERE key = ?1", [key, value])?;
            audit::append(tx, me, "set_setting", &format!("settings/{key}"), value)
        })
    }

    fn setting(&self, key: &str) -> Result<String> {
        Ok(self.conn.query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| r.get(0))?)
    }

    /// Checks every page's authentication code and the database's structure.
    pub fn check_integrity(&self) -> Result<()> {
        let mut stmt = self.conn.prepare("PRAGMA cipher_integrity_check")?;
        let problems: Vec<String> = stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        if !problems.is_empty() {
            return Err(StoreError::Corrupt(problems.join("; ")));
        }
        let check: String = self.conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
        if check != "ok" {
            return Err(StoreError::Corrupt(check));
        }
        Ok(())
    }

    /// Recomputes the audit chain and reports the first row that was changed or whose predecessor was removed.
    pub fn verify_audit(&self) -> Result<AuditCheck> {
        audit::verify(&self.conn)
    }

    /// The raw connection, for tests that try to get past the review gate with SQL.
    #[doc(hidden)]
    pub fn raw_connection(&self) -> &Connection {
        &self.conn
    }
}

fn check_new_user(name: &str, password: &str) -> Result<()> {
    let name_ok = !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || "._-".contains(c));
    if !name_ok {
        return Err(StoreError::Invalid("a user name is letters, digits, '.', '_' or '-', with no spaces".into()));
    }
    let mut alphabets: Vec<&str> = name.chars().filter(|c| c.is_alphabetic()).map(alphabet).collect();
    alphabets.dedup();
    alphabets.sort_unstable();
    alphabets.dedup();
    if alphabets.len() > 1 {
        return Err(StoreError::Invalid(format!(
            "a user name is written in one alphabet; {name:?} mixes {}, whose look-alike letters could pass it off \
             as another user's name",
            alphabets.join(" and ")
        )));
    }
    if password.trim().chars().count() < MIN_PASSWORD_CHARS || password.trim() != password {
        return Err(StoreError::Invalid(format!(
            "a password needs at least {MIN_PASSWORD_CHARS} characters besides spaces, and no space at its start or end"
        )));
    }
    Ok(())
}

/// The alphabet a letter belongs to, for telling look-alike names apart ("asha" in Latin, "аsha" with a Cyrillic
/// "а").
fn alphabet(c: char) -> &'static str {
    match c {
        'a'..='z' | 'A'..='Z' | '\u{00C0}'..='\u{024F}' | '\u{1E00}'..='\u{1EFF}' => "Latin",
        '\u{0370}'..='\u{03FF}' | '\u{1F00}'..='\u{1FFF}' => "Greek",
        '\u{0400}'..='\u{052F}' => "Cyrillic",
        '\u{0530}'..='\u{058F}' => "Armenian",
        '\u{0590}'..='\u{05FF}' => "Hebrew",
        '\u{0600}'..='\u{06FF}' | '\u{0750}'..='\u{077F}' => "Arabic",
        '\u{0900}'..='\u{097F}' => "Devanagari",
        '\u{0980}'..='\u{09FF}' => "Bengali",
        '\u{0A00}'..='\u{0A7F}' => "Gurmukhi",
        '\u{0B80}'..='\u{0BFF}' => "Tamil",
        '\u{0D00}'..='\u{0D7F}' => "Malayalam",
        '\u{4E00}'..='\u{9FFF}' | '\u{3040}'..='\u{30FF}' | '\u{AC00}'..='\u{D7AF}' => "CJK",
        _ => "another alphabet",
    }
}

/// Writes `bytes` (an export of records) to `path`, readable and writable by its owner alone, replacing what was
/// there.
pub fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let mut file = keyring::private_file(path, true)?;
    file.write_all(bytes).and_then(|()| file.sync_all()).map_err(|e| StoreError::io(path, e))
}

/// Lower-case hex of `bytes`.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The file beside the database whose name is the database's with `suffix` appended (`-wal`, `.keyring`).
fn sidecar(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Opens and keys a SQLCipher connection, and checks the key fits.
fn connect(path: &Path, key: &[u8; 32]) -> Result<Connection> {
    let conn = Connection::open(path)?;
    // SQLCipher's own log goes to standard error; Tend reports problems through its errors instead.
    conn.pragma_update(None, "cipher_log_level", "NONE")?;
    conn.pragma_update(None, "key", keyring::sqlcipher_literal(key))?;
    let cipher: Option<String> = conn.query_row("PRAGMA cipher_version", [], |r| r.get(0)).optional()?;
    if cipher.is_none_or(|v| v.is_empty()) {
        return Err(StoreError::NotEncrypted(path.to_owned()));
    }
    conn.busy_timeout(std::time::Duration::from_secs(2))?;
    // Reading the schema fails here when the key does not fit the file.
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0))?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // Deleted content is overwritten, and temporary tables and sorts stay in memory, never in plain files.
    conn.pragma_update(None, "secure_delete", "ON")?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    Ok(conn)
}
