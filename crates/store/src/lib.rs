//! Tend's record store: the only crate that touches SQLite. The database is encrypted with SQLCipher under a
//! random 256-bit key that is kept only wrapped by each user's password (see `keyring`). Drafts become final notes
//! only through the review gate, which the schema's triggers enforce against any SQL; every write appends a
//! hash-chained audit row in the same transaction.
//!
//! Architecture invariant: this crate knows nothing of models, tasks, checks or the user interface; findings and
//! provenance arrive as JSON text.

mod acts;
mod audit;
mod duties;
mod error;
mod identity;
mod keyring;
mod records;

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};

use acts::{Signer, Trust};
use identity::{CertRole, Identity};

pub use acts::SignatureCheck;
pub use audit::{Anchor, AuditCheck, AuditRow};
pub use duties::{PersonExport, RetentionReport};
pub use error::{Result, StoreError};
pub use identity::fingerprint;
pub use records::{Decision, DraftRecord, FinalNote, Incident, NewDraft, Person, ReviewRecord};

/// Numbered schema migrations, applied in order; `PRAGMA user_version` records how many ran.
const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_initial.sql"),
    include_str!("../migrations/0002_duties.sql"),
    include_str!("../migrations/0003_signatures.sql"),
    include_str!("../migrations/0004_guards.sql"),
    include_str!("../migrations/0005_report_status.sql"),
    include_str!("../migrations/0006_disabled_users.sql"),
];

/// Settings and the values they have until an admin's signed act changes them.
const SETTING_DEFAULTS: &[(&str, &str)] = &[("allow_self_review", "0"), ("retention_days", "90")];

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
    /// The role the user's certificate gives them.
    role: Role,
    /// The user's private keys (none for an account from before keys were sealed).
    identity: Option<Identity>,
    /// The user's current certificate, if it verifies and holds their key.
    cert: Option<i64>,
    /// The pinned root and the row from which acts are signed (none in a database from before certificates until
    /// an admin signs in).
    trust: Option<Trust>,
    /// How the schema differs from what Tend's migrations make (dropped or changed triggers); Tend writes nothing
    /// while it does.
    schema_changes: Vec<String>,
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
        let (key, identity) = keyring::create(&keyring, admin, password)?;
        let made = (|| {
            // The database file exists, empty, before SQLite writes a page: readable by its owner alone, as the
            // journals SQLite makes beside it will be.
            drop(keyring::private_file(path, false)?);
            let conn = connect(path, &key)?;
            let mut store = Self {
                conn,
                path: path.to_owned(),
                key,
                user: admin.to_owned(),
                role: Role::Admin,
                identity: Some(identity),
                cert: None,
                trust: None,
                schema_changes: Vec::new(),
            };
            store.migrate()?;
            store.certify_root()?;
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
        let unlocked = keyring::unlock(&keyring, user, password)?;
        // The current key, or the next one when a re-key stopped after the database changed.
        let mut opened = None;
        for (i, key) in unlocked.keys.iter().enumerate() {
            match connect(path, key) {
                Ok(conn) => {
                    opened = Some((conn, *key, i > 0));
                    break;
                }
                Err(StoreError::Locked) => return Err(StoreError::Locked),
                Err(_) => {}
            }
        }
        let (conn, key, rekey_unfinished) = opened.ok_or_else(|| StoreError::KeyringMismatch(keyring.clone()))?;
        if rekey_unfinished {
            keyring::commit_next(&keyring)?;
        }
        let quick: String = conn.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
        if quick != "ok" {
            return Err(StoreError::Corrupt(quick));
        }
        let listed: Option<String> =
            conn.query_row("SELECT role FROM users WHERE name = ?1", [user], |r| r.get(0)).optional()?;
        let listed = Role::from_db(&listed.ok_or(StoreError::WrongPassword)?)?;
        let mut store = Self {
            conn,
            path: path.to_owned(),
            key,
            user: user.to_owned(),
            role: listed,
            identity: unlocked.identity,
            cert: None,
            trust: None,
            schema_changes: Vec::new(),
        };
        store.migrate()?;
        store.schema_changes = schema_changes(&store.conn)?;
        store.establish_trust(listed, password)?;
        if !store.schema_changes.is_empty() {
            // Signed in to read and to check, not to write: the guards the records rely on are not in place.
            return Ok(store);
        }
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
        if done == MIGRATIONS.len() {
            return Ok(());
        }
        // A migration may rebuild a table others refer to: foreign keys are checked once it is done, not row by row
        // (the pragma cannot change inside a transaction).
        self.conn.pragma_update(None, "foreign_keys", "OFF")?;
        let migrated = (|| {
            for (i, sql) in MIGRATIONS.iter().enumerate().skip(done) {
                let tx = self.conn.transaction()?;
                tx.execute_batch(sql)?;
                let broken: Option<String> = tx.query_row("PRAGMA foreign_key_check", [], |r| r.get(0)).optional()?;
                if let Some(table) = broken {
                    return Err(StoreError::Corrupt(format!("a row of {table} refers to one that is not there")));
                }
                tx.pragma_update(None, "user_version", i + 1)?;
                tx.commit()?;
            }
            Ok(())
        })();
        self.conn.pragma_update(None, "foreign_keys", "ON")?;
        migrated
    }

    /// Issues the root certificate to the signed-in admin, whose keys the keyring pins, and records it as the
    /// database's creation.
    fn certify_root(&mut self) -> Result<()> {
        let identity = self.identity.as_ref().ok_or_else(|| acts::no_key(&self.user))?;
        let public = identity.public();
        let admin = self.user.clone();
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT OR IGNORE INTO users (name, role, created_at) VALUES (?1, 'admin', datetime('now'))",
            [&admin],
        )?;
        let (cert, statement) = identity::issue(&tx, identity, None, &admin, CertRole::Active(Role::Admin), &public)?;
        let seq = acts::record(
            &tx,
            &Signer { identity, cert },
            &admin,
            "create_database",
            &format!("users/{admin}"),
            "",
            &certificate_content(cert, &statement),
        )?;
        tx.commit()?;
        self.cert = Some(cert);
        self.trust = Some(Trust { root: public.0, from_seq: seq });
        Ok(())
    }

    /// Finds the signed-in user's certificate under the pinned root and takes their role from it. In a database
    /// from before certificates, the first admin to sign in becomes the root (their keys are made now and the
    /// keyring pins them); until then roles come from the users table. A user with no certificate that holds
    /// their key may draft, as a care worker, and sign nothing.
    fn establish_trust(&mut self, listed: Role, password: &str) -> Result<()> {
        let keyring = keyring::path_for(&self.path);
        let Some(root) = keyring::root(&keyring)? else {
            if listed == Role::Admin {
                self.check_schema()?;
                // The admin's new keys go into the keyring first: should the rest fail, they still sign in, and
                // the next sign-in tries again.
                let identity = Identity::generate();
                let root_key = identity.public().0;
                keyring::add(&keyring, &self.key, &self.user, &identity, password)?;
                self.identity = Some(identity);
                self.certify_root()?;
                keyring::pin_root(&keyring, keyring::Root { key: root_key })?;
            }
            return Ok(());
        };
        let root_cert = identity::root_certificate(&self.conn, &root.key)?.ok_or_else(|| {
            StoreError::Corrupt(
                "the root certificate that the keyring pins is missing from the database or does not verify".into(),
            )
        })?;
        self.trust = Some(Trust { root: root.key.clone(), from_seq: root_cert.seq });
        let mine = self.identity.as_ref().map(|i| i.public().0);
        let cert =
            identity::current(&self.conn, &root.key, &self.user)?.filter(|c| Some(&c.verifying_key) == mine.as_ref());
        match cert {
            Some(cert) => match cert.role {
                CertRole::Active(role) => (self.role, self.cert) = (role, Some(cert.id)),
                CertRole::Removed => {
                    return Err(StoreError::Forbidden(format!("{} was removed from this database", self.user)));
                }
                CertRole::Disabled(_) => return Err(StoreError::Disabled(self.user.clone())),
            },
            None => self.role = Role::CareWorker,
        }
        Ok(())
    }

    /// Refuses every write while the schema differs from what Tend made.
    fn check_schema(&self) -> Result<()> {
        if self.schema_changes.is_empty() { Ok(()) } else { Err(StoreError::Tampered(self.schema_changes.join("; "))) }
    }

    /// Runs `f` in one transaction with the signed-in user's name; commits only if it succeeds.
    fn write<T>(&mut self, f: impl FnOnce(&Transaction<'_>, &str) -> Result<T>) -> Result<T> {
        self.check_schema()?;
        let tx = self.conn.transaction()?;
        let out = f(&tx, &self.user)?;
        tx.commit()?;
        Ok(out)
    }

    /// Runs `f` in one transaction with the signed-in user's signing key and name; commits only if it succeeds.
    /// Refused for a user who holds no certified key.
    fn write_signed<T>(&mut self, f: impl FnOnce(&Transaction<'_>, &Signer<'_>, &str) -> Result<T>) -> Result<T> {
        self.check_schema()?;
        let (Some(identity), Some(cert)) = (self.identity.as_ref(), self.cert) else {
            return Err(acts::no_key(&self.user));
        };
        let tx = self.conn.transaction()?;
        let out = f(&tx, &Signer { identity, cert }, &self.user)?;
        tx.commit()?;
        Ok(out)
    }

    /// The role `name`'s current certificate gives them; from the users table for an account from before
    /// certificates.
    fn certified_role(&self, name: &str) -> Result<Option<CertRole>> {
        if let Some(trust) = &self.trust
            && let Some(cert) = identity::current(&self.conn, &trust.root, name)?
        {
            return Ok(Some(cert.role));
        }
        let listed: Option<String> =
            self.conn.query_row("SELECT role FROM users WHERE name = ?1", [name], |r| r.get(0)).optional()?;
        listed.map(|r| Role::from_db(&r).map(CertRole::Active)).transpose()
    }

    /// Re-keys the database: a new random key, sealed to every user whose certificate is current (after the
    /// change just made), so that old keyrings and old passwords open nothing. While accounts from an earlier
    /// Tend still hold only the password-wrapped key, the re-key waits (so that no one is locked out), and the
    /// audit trail says so.
    fn rekey(&mut self) -> Result<()> {
        let Some(trust) = self.trust.clone() else { return Ok(()) };
        let keyring = keyring::path_for(&self.path);
        let waiting = keyring::unsealed_users(&keyring)?;
        if !waiting.is_empty() {
            let detail = format!("waits for new passwords for {}", waiting.join(", "));
            return self.write(|tx, me| audit::append(tx, me, "rekey_deferred", "database", &detail));
        }
        let names: Vec<String> = self
            .conn
            .prepare("SELECT name FROM users")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let (mut recipients, mut disabled) = (Vec::new(), Vec::new());
        for name in names {
            match identity::current(&self.conn, &trust.root, &name)? {
                Some(cert) if matches!(cert.role, CertRole::Active(_)) => recipients.push((name, cert.sealing_key)),
                Some(cert) if matches!(cert.role, CertRole::Disabled(_)) => disabled.push(name),
                _ => {}
            }
        }
        let next: [u8; 32] = rand::random();
        keyring::seal_next(&keyring, &next, &recipients, disabled)?;
        // SQLCipher re-encrypts every page under the new key; the write-ahead log is emptied first.
        self.conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        self.conn.pragma_update(None, "rekey", keyring::sqlcipher_literal(&next))?;
        self.key = next;
        keyring::commit_next(&keyring)
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
        let identity = Identity::generate();
        self.write_signed(|tx, signer, me| {
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
            certify(tx, signer, me, "add_user", name, CertRole::Active(role), &identity.public(), role.as_str())?;
            // Last, so that a failed keyring write rolls the user back.
            keyring::add(&path, &key, name, &identity, password)
        })
    }

    /// Sets a new password: for oneself, or for anyone by an admin. The user gets new keys and a new
    /// certificate with the same role, and the database is re-keyed, so the old password (with any copy of the
    /// old keyring) opens nothing. A disabled user is enabled again this way, in the role they had.
    pub fn set_password(&mut self, name: &str, password: &str) -> Result<()> {
        if name != self.user {
            self.require(&[Role::Admin], "change another user's password")?;
        }
        check_new_user(name, password)?;
        let role = match self.certified_role(name)? {
            Some(CertRole::Active(role) | CertRole::Disabled(role)) => role,
            Some(CertRole::Removed) | None => return Err(StoreError::NotFound(format!("user {name}"))),
        };
        let (path, key) = (keyring::path_for(&self.path), self.key);
        let identity = Identity::generate();
        let cert = self.write_signed(|tx, signer, me| {
            let cert = certify(tx, signer, me, "set_password", name, CertRole::Active(role), &identity.public(), "")?;
            keyring::add(&path, &key, name, &identity, password)?;
            Ok(cert)
        })?;
        if name == self.user {
            (self.identity, self.cert) = (Some(identity), Some(cert));
        }
        self.rekey()
    }

    /// Removes a user (admins; not oneself): a certificate withdraws their keys, their keyring entry goes, and
    /// the database is re-keyed, so their password and any copy of the keyring open nothing. Their name stays on
    /// the records they made.
    pub fn remove_user(&mut self, name: &str) -> Result<()> {
        self.require(&[Role::Admin], "remove users")?;
        if name == self.user {
            return Err(StoreError::Invalid("an admin cannot remove themselves; ask another admin".into()));
        }
        let Some(trust) = self.trust.clone() else { return Err(acts::no_key(&self.user)) };
        let Some(cert) = identity::current(&self.conn, &trust.root, name)?.filter(|c| c.role != CertRole::Removed)
        else {
            return Err(StoreError::NotFound(format!("user {name} with a certificate (reset their password first)")));
        };
        self.write_signed(|tx, signer, me| {
            let public = (cert.verifying_key, cert.sealing_key);
            certify(tx, signer, me, "remove_user", name, CertRole::Removed, &public, "").map(drop)
        })?;
        self.rekey()
    }

    /// Disables a user (admins; not oneself): as removal, a certificate withdraws their keys and the database is
    /// re-keyed, so their password and any copy of the keyring open nothing; unlike removal, they stay listed as
    /// disabled, and setting a new password for them ([`Store::set_password`]) enables them again.
    pub fn disable_user(&mut self, name: &str) -> Result<()> {
        self.require(&[Role::Admin], "disable users")?;
        if name == self.user {
            return Err(StoreError::Invalid("an admin cannot disable themselves; ask another admin".into()));
        }
        let Some(trust) = self.trust.clone() else { return Err(acts::no_key(&self.user)) };
        let Some(cert) = identity::current(&self.conn, &trust.root, name)? else {
            return Err(StoreError::NotFound(format!("user {name} with a certificate (reset their password first)")));
        };
        let CertRole::Active(role) = cert.role else {
            return Err(StoreError::Invalid(format!("{name} is already disabled or removed")));
        };
        self.write_signed(|tx, signer, me| {
            let public = (cert.verifying_key, cert.sealing_key);
            certify(tx, signer, me, "disable_user", name, CertRole::Disabled(role), &public, role.as_str()).map(drop)
        })?;
        self.rekey()
    }

    /// Every current user and their certified role (managers and admins: a care worker has no need to know who
    /// else signs in).
    pub fn users(&self) -> Result<Vec<(String, Role)>> {
        self.users_certified(|c| match c {
            CertRole::Active(role) => Some(role),
            _ => None,
        })
    }

    /// Every disabled user and the role they would have again (managers and admins).
    pub fn disabled_users(&self) -> Result<Vec<(String, Role)>> {
        self.users_certified(|c| match c {
            CertRole::Disabled(role) => Some(role),
            _ => None,
        })
    }

    fn users_certified(&self, pick: impl Fn(CertRole) -> Option<Role>) -> Result<Vec<(String, Role)>> {
        self.require(&[Role::Manager, Role::Admin], "list the users")?;
        let names: Vec<String> = self
            .conn
            .prepare("SELECT name FROM users ORDER BY name")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let mut out = Vec::new();
        for name in names {
            if let Some(role) = self.certified_role(&name)?.and_then(&pick) {
                out.push((name, role));
            }
        }
        Ok(out)
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
        self.write_signed(|tx, signer, me| {
            tx.execute("UPDATE settings SET value = ?2 WHERE key = ?1", [key, value])?;
            let content = identity::digest(&["setting", key, value]);
            acts::record(tx, signer, me, "set_setting", &format!("settings/{key}"), value, &content).map(drop)
        })
    }

    /// A setting's value: what the newest admin's act that holds set it to, or its default. The settings table
    /// only mirrors it, so a value written there with SQL changes nothing (`verify_audit` reports it).
    fn setting(&self, key: &str) -> Result<String> {
        let default = SETTING_DEFAULTS.iter().find(|(k, _)| *k == key).map(|(_, v)| (*v).to_owned());
        let mut stmt = self
            .conn
            .prepare("SELECT seq, detail FROM audit WHERE action = 'set_setting' AND record = ?1 ORDER BY seq DESC")?;
        let acts: Vec<(i64, String)> = stmt
            .query_map([format!("settings/{key}")], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for (seq, value) in acts {
            let content = identity::digest(&["setting", key, &value]);
            if acts::check(&self.conn, self.trust.as_ref(), seq, Some(&content))?.holds() {
                return Ok(value);
            }
        }
        default.ok_or_else(|| StoreError::NotFound(format!("setting {key}")))
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

    /// Checks the audit chain, every signed act and certificate, and that final notes, submitted drafts,
    /// settings and roles are what was signed; reports the head to compare with exported notes.
    pub fn verify_audit(&self) -> Result<AuditCheck> {
        let (rows, first_bad_row) = audit::verify_chain(&self.conn)?;
        let mut problems = self.schema_changes.clone();
        if let Some(trust) = &self.trust {
            problems.extend(identity::broken_certificates(&self.conn, &trust.root)?);
            problems.extend(acts::broken(&self.conn, trust)?);
        }
        problems.extend(self.records_not_as_signed()?);
        for (key, _) in SETTING_DEFAULTS {
            let mirrored: Option<String> =
                self.conn.query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| r.get(0)).optional()?;
            let effective = self.setting(key)?;
            if mirrored.as_ref() != Some(&effective) {
                problems.push(format!(
                    "the setting {key} reads {mirrored:?} in the database but an admin's signed act set it to                      {effective:?}; Tend uses {effective:?}"
                ));
            }
        }
        let names: Vec<(String, String)> = self
            .conn
            .prepare("SELECT name, role FROM users ORDER BY name")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        if let Some(trust) = &self.trust {
            for (name, listed) in names {
                if let Some(CertRole::Active(role)) = identity::current(&self.conn, &trust.root, &name)?.map(|c| c.role)
                    && role.as_str() != listed
                {
                    problems.push(format!(
                        "{name} is listed as {listed} but certified as a {}; Tend uses the certificate",
                        role.label()
                    ));
                }
            }
        }
        Ok(AuditCheck { rows, first_bad_row, problems, head: self.audit_head()?, root_key: self.root_key() })
    }

    /// The newest `limit` audit rows, newest first: who did what to which record and when, by `actor` and about
    /// `record` (e.g. `people/3`, or `drafts` for every draft) when given (managers and admins).
    pub fn recent_audit(&self, limit: usize, actor: Option<&str>, record: Option<&str>) -> Result<Vec<AuditRow>> {
        self.require(&[Role::Manager, Role::Admin], "read the audit trail")?;
        audit::recent(&self.conn, limit, actor, record)
    }

    /// The newest audit row as an anchor, to write down or keep elsewhere.
    pub fn audit_head(&self) -> Result<Option<Anchor>> {
        let seq: Option<i64> = self.conn.query_row("SELECT max(seq) FROM audit", [], |r| r.get(0))?;
        Ok(seq.map(|seq| audit::anchor(&self.conn, seq)).transpose()?.flatten())
    }

    /// The fingerprint of the root key that certifies every user (none in a database from before certificates
    /// until an admin signs in).
    pub fn root_key(&self) -> Option<String> {
        self.trust.as_ref().map(|t| fingerprint(&t.root))
    }

    /// For each anchor written in `text` (exported notes), whether this database's audit trail still holds that
    /// row with that hash. A rewrite of history at or before an anchored row shows as `false`.
    pub fn verify_anchors(&self, text: &str) -> Result<Vec<(Anchor, bool)>> {
        Anchor::find_all(text).into_iter().map(|a| Ok((a.clone(), audit::holds(&self.conn, &a)?))).collect()
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

/// The bytes of lower-case or upper-case hex `text`.
fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok()).collect()
}

/// How the database's tables and triggers differ from those Tend's migrations make, each in a sentence.
fn schema_changes(conn: &Connection) -> Result<Vec<String>> {
    fn objects(conn: &Connection) -> Result<std::collections::BTreeMap<(String, String), String>> {
        let mut stmt = conn.prepare(
            "SELECT type, name, sql FROM sqlite_master WHERE type IN ('table', 'trigger', 'index', 'view')
             AND sql IS NOT NULL",
        )?;
        let rows = stmt.query_map([], |r| {
            let sql: String = r.get(2)?;
            Ok(((r.get(0)?, r.get(1)?), sql.split_whitespace().collect::<Vec<_>>().join(" ")))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
    let reference = Connection::open_in_memory()?;
    for sql in MIGRATIONS {
        reference.execute_batch(sql)?;
    }
    let (expected, actual) = (objects(&reference)?, objects(conn)?);
    let mut out = Vec::new();
    for ((kind, name), sql) in &expected {
        match actual.get(&(kind.clone(), name.clone())) {
            None => out.push(format!("the {kind} {name} is missing")),
            Some(found) if found != sql => out.push(format!("the {kind} {name} was changed")),
            Some(_) => {}
        }
    }
    for (kind, name) in actual.keys().filter(|k| !expected.contains_key(*k)) {
        out.push(format!("the {kind} {name} was added"));
    }
    Ok(out)
}

/// Issues `name` a certificate for `role` and the public keys `public`, signed by `signer`, and records `action`
/// on `users/NAME` signed over it; returns the certificate's id.
#[allow(clippy::too_many_arguments)]
fn certify(
    tx: &Connection,
    signer: &Signer<'_>,
    me: &str,
    action: &str,
    name: &str,
    role: CertRole,
    public: &(String, String),
    detail: &str,
) -> Result<i64> {
    let (cert, statement) = identity::issue(tx, signer.identity, Some(signer.cert), name, role, public)?;
    acts::record(tx, signer, me, action, &format!("users/{name}"), detail, &certificate_content(cert, &statement))?;
    Ok(cert)
}

/// What an act that issues a certificate signs.
fn certificate_content(id: i64, statement: &str) -> String {
    identity::digest(&["certificate", &id.to_string(), statement])
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
