//! The keyring beside the database (`<db>.keyring`): the database key, wrapped once per user with a key derived
//! from that user's password by Argon2id. It holds no record data; without a password it opens nothing.
//!
//! Each wrapped key is authenticated with its user's name (the AEAD's associated data), so an entry copied under
//! another user's name opens nothing. Every change is made under an exclusive lock on `<db>.keyring.lock` and
//! written through a temporary file of its own, so parallel sign-ins neither lose a wrong-password count nor trip
//! over each other's files. Argon2 costs read from the file are bounded, so an edited entry cannot exhaust memory.

use std::path::{Path, PathBuf};

use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use serde::{Deserialize, Serialize};

use crate::error::{Result, StoreError};
use crate::hex;

/// Argon2id cost: 64 MiB, 3 passes, 1 lane (OWASP's recommended minimum is 19 MiB, 2 passes).
const MEMORY_KIB: u32 = 64 * 1024;
const PASSES: u32 = 3;
const LANES: u32 = 1;
/// The costs an entry may ask for: from OWASP's minimum to 1 GiB of memory, 1 to 10 passes, 1 to 8 lanes.
const MEMORY_KIB_BOUNDS: std::ops::RangeInclusive<u32> = 19 * 1024..=1024 * 1024;
const PASSES_BOUNDS: std::ops::RangeInclusive<u32> = 1..=10;
const LANES_BOUNDS: std::ops::RangeInclusive<u32> = 1..=8;
/// The keyring format whose wrapped keys are bound to their user's name.
const BOUND: u32 = 2;

/// One user's wrapped copy of the database key.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Entry {
    user: String,
    /// [`BOUND`] when the wrapped key is authenticated with the user's name; 1 (files before it) when not.
    #[serde(default = "unbound")]
    format: u32,
    salt: String,
    memory_kib: u32,
    passes: u32,
    lanes: u32,
    nonce: String,
    wrapped_key: String,
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

/// The associated data a [`BOUND`] entry's wrapped key is authenticated with.
fn binding(user: &str) -> Vec<u8> {
    format!("tend keyring v{BOUND}\0user\0{user}").into_bytes()
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct File {
    version: u32,
    entries: Vec<Entry>,
}

/// The keyring file of the database at `db`.
pub(crate) fn path_for(db: &Path) -> PathBuf {
    crate::sidecar(db, ".keyring")
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok()).collect()
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

/// Creates a keyring for a new database: a random 256-bit key wrapped for the first user.
pub(crate) fn create(path: &Path, user: &str, password: &str) -> Result<[u8; 32]> {
    let key: [u8; 32] = rand::random();
    let file = File { version: BOUND, entries: vec![wrap(&key, user, password)?] };
    let _held = lock(path)?;
    write(path, &file)?;
    Ok(key)
}

fn wrap(key: &[u8; 32], user: &str, password: &str) -> Result<Entry> {
    let salt: [u8; 16] = rand::random();
    let nonce: [u8; 24] = rand::random();
    let kek = derive(password, &salt, MEMORY_KIB, PASSES, LANES)?;
    let cipher = XChaCha20Poly1305::new(Key::from_slice(&kek));
    let payload = Payload { msg: key.as_slice(), aad: &binding(user) };
    let wrapped = cipher.encrypt(XNonce::from_slice(&nonce), payload).map_err(|e| StoreError::Crypto(e.to_string()))?;
    Ok(Entry {
        format: BOUND,
        failures: 0,
        locked_until: 0,
        user: user.to_owned(),
        salt: hex(&salt),
        memory_kib: MEMORY_KIB,
        passes: PASSES,
        lanes: LANES,
        nonce: hex(&nonce),
        wrapped_key: hex(&wrapped),
    })
}

/// Unwraps the database key with `user`'s password. Wrong passwords are counted in the keyring: after
/// `FREE_ATTEMPTS` of them, each further try must wait, twice as long each time. An entry from before keys were
/// bound to names is bound now.
pub(crate) fn unlock(path: &Path, user: &str, password: &str) -> Result<[u8; 32]> {
    let _held = lock(path)?;
    let mut file = read(path)?;
    let Some(entry) = file.entries.iter_mut().find(|e| e.user == user) else {
        // Spend the same effort as for a real user, so that timing does not tell which names exist.
        derive(password, &[0; 16], MEMORY_KIB, PASSES, LANES)?;
        return Err(StoreError::WrongPassword);
    };
    let wait = entry.locked_until.saturating_sub(now());
    if wait > 0 {
        return Err(StoreError::TooManyAttempts { wait_secs: wait });
    }
    let bad = || StoreError::NotATendDatabase(path.to_owned());
    let (salt, nonce, wrapped) = (
        unhex(&entry.salt).ok_or_else(bad)?,
        unhex(&entry.nonce).ok_or_else(bad)?,
        unhex(&entry.wrapped_key).ok_or_else(bad)?,
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
    let aad = if entry.format == BOUND { binding(user) } else { Vec::new() };
    let key = cipher.decrypt(XNonce::from_slice(&nonce), Payload { msg: &wrapped, aad: &aad });
    match key {
        Ok(key) => {
            let key: [u8; 32] = key.try_into().map_err(|_| bad())?;
            if entry.format != BOUND {
                *entry = wrap(&key, user, password)?;
                write(path, &file)?;
            } else if entry.failures > 0 || entry.locked_until > 0 {
                (entry.failures, entry.locked_until) = (0, 0);
                write(path, &file)?;
            }
            Ok(key)
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

/// Adds (or replaces) `user`'s wrapped copy of `key`.
pub(crate) fn add(path: &Path, key: &[u8; 32], user: &str, password: &str) -> Result<()> {
    let _held = lock(path)?;
    let mut file = read(path)?;
    file.entries.retain(|e| e.user != user);
    file.entries.push(wrap(key, user, password)?);
    write(path, &file)
}

/// The database key as SQLCipher's raw-key literal.
pub(crate) fn sqlcipher_literal(key: &[u8; 32]) -> String {
    format!("x'{}'", hex(key))
}
