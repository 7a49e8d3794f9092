//! The keyring beside the database (`<db>.keyring`): per user, their private keys (see `identity`) wrapped with a
//! key derived from their password by Argon2id, and the database key sealed to their public sealing key. It holds
//! no record data; without a password it opens nothing. It also pins the root key that certifies every user.
//!
//! Because the database key is sealed to public keys, an admin can re-key the database (a password reset, a user
//! removed) and seal the new key to everyone else without knowing their passwords; the old keyring and old
//! passwords then open nothing. A re-key is two-phase: the new key is sealed beside the old one (`sealed_next`)
//! before the database changes, and becomes the only one after, so a crash in between locks no one out.
//!
//! Each wrapped secret is authenticated with its user's name (the AEAD's associated data), so an entry copied under
//! another user's name opens nothing. Every change is made under an exclusive lock on `<db>.keyring.lock` and
//! written through a temporary file of its own, so parallel sign-ins neither lose a wrong-password count nor trip
//! over each other's files. Argon2 costs read from the file are bounded, so an edited entry cannot exhaust memory.

use std::path::{Path, PathBuf};

use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use serde::{Deserialize, Serialize};

use crate::error::{Result, StoreError};
use crate::identity::{self, Identity, Sealed};
use crate::{hex, unhex};

/// Argon2id cost: 64 MiB, 3 passes, 1 lane (OWASP's recommended minimum is 19 MiB, 2 passes).
const MEMORY_KIB: u32 = 64 * 1024;
const PASSES: u32 = 3;
const LANES: u32 = 1;
/// The costs an entry may ask for: from OWASP's minimum to 1 GiB of memory, 1 to 10 passes, 1 to 8 lanes.
const MEMORY_KIB_BOUNDS: std::ops::RangeInclusive<u32> = 19 * 1024..=1024 * 1024;
const PASSES_BOUNDS: std::ops::RangeInclusive<u32> = 1..=10;
const LANES_BOUNDS: std::ops::RangeInclusive<u32> = 1..=8;
/// The keyring format whose password-wrapped database keys are bound to their user's name (from before keys were
/// sealed; such entries still open, but their users hold no signing key).
const BOUND: u32 = 2;
/// The keyring format with each user's private keys wrapped by their password and the database key sealed to them.
const SEALED: u32 = 3;

/// One user's wrapped keys.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Entry {
    user: String,
    /// [`SEALED`]; [`BOUND`] or 1 (no associated data) for entries from before.
    #[serde(default = "unbound")]
    format: u32,
    salt: String,
    memory_kib: u32,
    passes: u32,
    lanes: u32,
    nonce: String,
    /// Formats 1 and 2: the database key wrapped by the password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    wrapped_key: Option<String>,
    /// Format 3: the user's private keys wrapped by the password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    wrapped_secrets: Option<String>,
    /// Format 3: the database key sealed to the user's public sealing key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sealed: Option<Sealed>,
    /// Format 3, during a re-key: the next database key, sealed likewise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sealed_next: Option<Sealed>,
    /// Wrong passwords since the last right one.
    #[serde(default)]
    failures: u32,
    /// Unix time before which this user may not try again.
    #[serde(default)]
    locked_until: u64,
}

/// Wrong passwords allowed before each further try must wait.
const FREE_ATTEMPTS: u32 = 5;
/// The first wait; it doubles with every further wrong password, up to `MAX_WAIT_SECS`.
const FIRST_WAIT_SECS: u64 = 30;
const MAX_WAIT_SECS: u64 = 15 * 60;

fn now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

fn unbound() -> u32 {
    1
}

/// The associated data a [`BOUND`] entry's wrapped key, or a [`SEALED`] entry's wrapped secrets, is authenticated
/// with.
fn binding(format: u32, user: &str) -> Vec<u8> {
    format!("tend keyring v{format}\0user\0{user}").into_bytes()
}

/// The root key that certifies users, pinned outside the database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Root {
    /// Its Ed25519 public key, hex.
    pub(crate) key: String,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct File {
    version: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    root: Option<Root>,
    entries: Vec<Entry>,
    /// Users an admin disabled: they have no entry, and signing in as one says so rather than "wrong password".
    /// Only a message: what keeps them out is that no key is sealed to them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    disabled: Vec<String>,
}

/// What a right password opens: the database key (and, during an unfinished re-key, the next one), and the
/// user's private keys (none for an entry from before keys were sealed).
pub(crate) struct Unlocked {
    /// The keys to try, current first.
    pub(crate) keys: Vec<[u8; 32]>,
    /// The user's private keys.
    pub(crate) identity: Option<Identity>,
}

/// The associated data a database key sealed to `user` is authenticated with.
fn sealing_context(user: &str) -> Vec<u8> {
    format!("tend keyring v{SEALED}\0sealed database key\0{user}").into_bytes()
}

/// The keyring file of the database at `db`.
pub(crate) fn path_for(db: &Path) -> PathBuf {
    crate::sidecar(db, ".keyring")
}

fn derive(password: &str, salt: &[u8], memory_kib: u32, passes: u32, lanes: u32) -> Result<[u8; 32]> {
    let params = Params::new(memory_kib, passes, lanes, Some(32)).map_err(|e| StoreError::Crypto(e.to_string()))?;
    let mut out = [0u8; 32];
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(password.as_bytes(), salt, &mut out)
        .map_err(|e| StoreError::Crypto(e.to_string()))?;
    Ok(out)
}

fn read(path: &Path) -> Result<File> {
    let text = std::fs::read_to_string(path).map_err(|e| StoreError::io(path, e))?;
    serde_json::from_str(&text).map_err(|_| StoreError::NotATendDatabase(path.to_owned()))
}

/// Holds the keyring's lock file exclusively until dropped: one change at a time, across processes.
fn lock(path: &Path) -> Result<std::fs::File> {
    let lock_path = crate::sidecar(path, ".lock");
    let file = private_file(&lock_path, false)?;
    file.lock().map_err(|e| StoreError::io(&lock_path, e))?;
    Ok(file)
}

/// Opens (creating if needed) a file only its owner may read or write.
pub(crate) fn private_file(path: &Path, truncate: bool) -> Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true).write(true).create(true).truncate(truncate);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options.open(path).map_err(|e| StoreError::io(path, e))?;
    // A file that was there before keeps its mode on opening: set it.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o600)).map_err(|e| StoreError::io(path, e))?;
    }
    Ok(file)
}

/// Writes the keyring atomically: a temporary file of this writer's own, flushed to disk, then renamed over the old
/// one. Callers hold [`lock`].
fn write(path: &Path, file: &File) -> Result<()> {
    let tmp = crate::sidecar(path, &format!(".tmp-{}-{:016x}", std::process::id(), rand::random::<u64>()));
    let text = serde_json::to_string_pretty(file).map_err(|e| StoreError::Crypto(e.to_string()))?;
    let written = (|| {
        use std::io::Write;
        let mut f = private_file(&tmp, true)?;
        f.write_all(text.as_bytes()).and_then(|()| f.sync_all()).map_err(|e| StoreError::io(&tmp, e))?;
        std::fs::rename(&tmp, path).map_err(|e| StoreError::io(path, e))
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

/// Creates a keyring for a new database: a random 256-bit key sealed to the first user, whose keys become the
/// pinned root.
pub(crate) fn create(path: &Path, user: &str, password: &str) -> Result<([u8; 32], Identity)> {
    let key: [u8; 32] = rand::random();
    let identity = Identity::generate();
    let (verifying, sealing) = identity.public();
    let file = File {
        version: SEALED,
        root: Some(Root { key: verifying }),
        entries: vec![entry(&identity, &sealing, &key, user, password)?],
        disabled: Vec::new(),
    };
    let _held = lock(path)?;
    write(path, &file)?;
    Ok((key, identity))
}

/// A [`SEALED`] entry: `identity` wrapped by `password`, and `key` sealed to its public sealing key `sealing`.
fn entry(identity: &Identity, sealing: &str, key: &[u8; 32], user: &str, password: &str) -> Result<Entry> {
    let mut entry = wrapped(SEALED, &identity.secrets()[..], user, password)?;
    entry.sealed = Some(identity::seal(key, sealing, &sealing_context(user))?);
    Ok(entry)
}

/// A [`BOUND`] entry: `key` wrapped by `password` (entries from before keys were sealed, rebound at sign-in).
fn bound_entry(key: &[u8; 32], user: &str, password: &str) -> Result<Entry> {
    wrapped(BOUND, key, user, password)
}

/// An entry of `format` holding `secret` wrapped by a key derived from `password`, authenticated with `user`'s
/// name: the database key itself ([`BOUND`]) or the user's private keys ([`SEALED`], which the caller completes
/// with the sealed database key).
fn wrapped(format: u32, secret: &[u8], user: &str, password: &str) -> Result<Entry> {
    let salt: [u8; 16] = rand::random();
    let nonce: [u8; 24] = rand::random();
    let kek = derive(password, &salt, MEMORY_KIB, PASSES, LANES)?;
    let cipher = XChaCha20Poly1305::new(Key::from_slice(&kek));
    let payload = Payload { msg: secret, aad: &binding(format, user) };
    let wrapped =
        hex(&cipher.encrypt(XNonce::from_slice(&nonce), payload).map_err(|e| StoreError::Crypto(e.to_string()))?);
    let (wrapped_key, wrapped_secrets) = if format == SEALED { (None, Some(wrapped)) } else { (Some(wrapped), None) };
    Ok(Entry {
        format,
        failures: 0,
        locked_until: 0,
        user: user.to_owned(),
        salt: hex(&salt),
        memory_kib: MEMORY_KIB,
        passes: PASSES,
        lanes: LANES,
        nonce: hex(&nonce),
        wrapped_key,
        wrapped_secrets,
        sealed: None,
        sealed_next: None,
    })
}

/// Unwraps `user`'s keys with their password and opens the database key. Wrong passwords are counted in the
/// keyring: after `FREE_ATTEMPTS` of them, each further try must wait, twice as long each time. An entry from
/// before keys were bound to names is bound now.
pub(crate) fn unlock(path: &Path, user: &str, password: &str) -> Result<Unlocked> {
    let _held = lock(path)?;
    let mut file = read(path)?;
    let Some(entry) = file.entries.iter_mut().find(|e| e.user == user) else {
        // Spend the same effort as for a real user, so that timing does not tell which names exist.
        derive(password, &[0; 16], MEMORY_KIB, PASSES, LANES)?;
        if file.disabled.iter().any(|d| d == user) {
            return Err(StoreError::Disabled(user.to_owned()));
        }
        return Err(StoreError::WrongPassword);
    };
    let wait = entry.locked_until.saturating_sub(now());
    if wait > 0 {
        return Err(StoreError::TooManyAttempts { wait_secs: wait });
    }
    let bad = || StoreError::NotATendDatabase(path.to_owned());
    let wrapped = if entry.format == SEALED { &entry.wrapped_secrets } else { &entry.wrapped_key };
    let (salt, nonce, wrapped) = (
        unhex(&entry.salt).ok_or_else(bad)?,
        unhex(&entry.nonce).ok_or_else(bad)?,
        wrapped.as_deref().and_then(unhex).ok_or_else(bad)?,
    );
    if nonce.len() != 24 {
        return Err(bad());
    }
    let costs_bounded = MEMORY_KIB_BOUNDS.contains(&entry.memory_kib)
        && PASSES_BOUNDS.contains(&entry.passes)
        && LANES_BOUNDS.contains(&entry.lanes);
    if !costs_bounded {
        return Err(StoreError::Invalid(format!(
            "the keyring entry of {user} asks for key-derivation costs outside Tend's bounds, so it was edited outside \
             Tend; ask an admin to reset this user's password"
        )));
    }
    let kek = derive(password, &salt, entry.memory_kib, entry.passes, entry.lanes)?;
    let cipher = XChaCha20Poly1305::new(Key::from_slice(&kek));
    let aad = if entry.format >= BOUND { binding(entry.format, user) } else { Vec::new() };
    let opened = cipher.decrypt(XNonce::from_slice(&nonce), Payload { msg: &wrapped, aad: &aad });
    match opened {
        Ok(opened) => {
            let opened = zeroize::Zeroizing::new(opened);
            let changed = entry.failures > 0 || entry.locked_until > 0 || entry.format < BOUND;
            (entry.failures, entry.locked_until) = (0, 0);
            let unlocked = if entry.format == SEALED {
                let secrets: &[u8; 64] = opened.as_slice().try_into().map_err(|_| bad())?;
                let identity = Identity::from_secrets(secrets);
                let context = sealing_context(user);
                let keys = [&entry.sealed, &entry.sealed_next]
                    .into_iter()
                    .flatten()
                    .map(|sealed| identity.open(sealed, &context).ok_or_else(bad))
                    .collect::<Result<Vec<_>>>()?;
                Unlocked { keys, identity: Some(identity) }
            } else {
                let key: [u8; 32] = opened.as_slice().try_into().map_err(|_| bad())?;
                if entry.format != BOUND {
                    *entry = bound_entry(&key, user, password)?;
                }
                Unlocked { keys: vec![key], identity: None }
            };
            if changed {
                write(path, &file)?;
            }
            Ok(unlocked)
        }
        Err(_) => {
            entry.failures += 1;
            if entry.failures >= FREE_ATTEMPTS {
                let doublings = (entry.failures - FREE_ATTEMPTS).min(10);
                entry.locked_until = now() + (FIRST_WAIT_SECS << doublings).min(MAX_WAIT_SECS);
            }
            write(path, &file)?;
            Err(StoreError::WrongPassword)
        }
    }
}

/// Adds (or replaces) `user`'s entry: `identity` wrapped by `password`, and `key` sealed to it.
pub(crate) fn add(path: &Path, key: &[u8; 32], user: &str, identity: &Identity, password: &str) -> Result<()> {
    let new = entry(identity, &identity.public().1, key, user, password)?;
    let _held = lock(path)?;
    let mut file = read(path)?;
    file.entries.retain(|e| e.user != user);
    file.entries.push(new);
    write(path, &file)
}

/// Users whose entries are from before keys were sealed: a re-key cannot seal the new key to them.
pub(crate) fn unsealed_users(path: &Path) -> Result<Vec<String>> {
    Ok(read(path)?.entries.into_iter().filter(|e| e.format != SEALED).map(|e| e.user).collect())
}

/// The pinned root key, if this keyring has one (keyrings from before certificates do not).
pub(crate) fn root(path: &Path) -> Result<Option<Root>> {
    Ok(read(path)?.root)
}

/// Pins `root` in a keyring that has none (a database from before certificates, at its first admin's sign-in).
pub(crate) fn pin_root(path: &Path, root: Root) -> Result<()> {
    let _held = lock(path)?;
    let mut file = read(path)?;
    if file.root.is_some() {
        return Err(StoreError::Invalid("this keyring already has a root key".into()));
    }
    file.root = Some(root);
    file.version = SEALED;
    write(path, &file)
}

/// First phase of a re-key: seals `next` to each of `recipients` (user, public sealing key) beside the current
/// key, and removes every other entry (removed and disabled users); `disabled` are the names noted as disabled.
pub(crate) fn seal_next(
    path: &Path,
    next: &[u8; 32],
    recipients: &[(String, String)],
    disabled: Vec<String>,
) -> Result<()> {
    let _held = lock(path)?;
    let mut file = read(path)?;
    file.disabled = disabled;
    file.entries.retain(|e| e.format == SEALED && recipients.iter().any(|(user, _)| *user == e.user));
    for entry in &mut file.entries {
        let (_, sealing) = recipients.iter().find(|(user, _)| *user == entry.user).expect("kept above");
        entry.sealed_next = Some(identity::seal(next, sealing, &sealing_context(&entry.user))?);
    }
    write(path, &file)
}

/// Second phase of a re-key, once the database has the next key: it becomes every entry's only key.
pub(crate) fn commit_next(path: &Path) -> Result<()> {
    let _held = lock(path)?;
    let mut file = read(path)?;
    for entry in &mut file.entries {
        if let Some(next) = entry.sealed_next.take() {
            entry.sealed = Some(next);
        }
    }
    write(path, &file)
}

/// The database key as SQLCipher's raw-key literal.
pub(crate) fn sqlcipher_literal(key: &[u8; 32]) -> String {
    format!("x'{}'", hex(key))
}
