//! The store's error type: each variant says what happened and what to do, and none loses saved data.

use std::path::{Path, PathBuf};

/// Everything that can go wrong with the record store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The user name or password is wrong (the two are not told apart).
    #[error("the user name or password is wrong")]
    WrongPassword,
    /// The user was disabled by an admin.
    #[error("{0}'s account is disabled; an admin can enable it again by setting a new password for {0}")]
    Disabled(String),
    /// Too many wrong passwords in a row for this user.
    #[error("too many wrong passwords; wait {wait_secs} seconds and try again, or ask an admin to reset the password")]
    TooManyAttempts {
        /// Seconds until the next try is allowed.
        wait_secs: u64,
    },
    /// A file exists but is not an encrypted Tend database.
    #[error("{0} is not a Tend database (it may be from another program, or damaged); nothing was changed")]
    NotATendDatabase(PathBuf),
    /// The keyring beside the database is missing.
    #[error(
        "there is no keyring beside this database ({0}): if it is a Tend database, restore its keyring from the backup \
         made with it (no password opens the records without it); if not, choose the right file (nothing was changed)"
    )]
    KeyringMissing(PathBuf),
    /// The keyring opened with the password, but its key does not open this database.
    #[error(
        "the keyring {0} belongs to another database: its key does not open this one; put back this database's own \
         keyring (nothing was changed)"
    )]
    KeyringMismatch(PathBuf),
    /// A database file is stored unencrypted.
    #[error("{0} is not encrypted; Tend keeps care records only in encrypted databases and will not open it")]
    NotEncrypted(PathBuf),
    /// A database or keyring already exists where a new one was asked for.
    #[error("{0} already exists; open it instead of creating a new database")]
    AlreadyExists(PathBuf),
    /// There is no database at the path.
    #[error("there is no Tend database at {0}; create one first")]
    Missing(PathBuf),
    /// Another program holds the database.
    #[error(
        "the database is in use by another program, so this change was not saved (everything saved before is intact); \
         close the other program and try again"
    )]
    Locked,
    /// The disk is full.
    #[error(
        "the disk is full, so this change was not saved (everything saved before is intact); free some space and try again"
    )]
    DiskFull,
    /// The database failed its integrity check.
    #[error("the database is damaged ({0}); restore it from a backup")]
    Corrupt(String),
    /// The user's role does not allow the action.
    #[error("{0}")]
    Forbidden(String),
    /// A name, password or text was not acceptable.
    #[error("{0}")]
    Invalid(String),
    /// The database's schema differs from what Tend made: someone changed it outside Tend.
    #[error(
        "Tend will not write to this database: its schema was changed outside Tend ({0}). Nothing was saved. An admin \
         should run tend audit verify and restore the database from a backup"
    )]
    Tampered(String),
    /// The review gate refused a change.
    #[error("{0}")]
    ReviewGate(String),
    /// A record that was asked for does not exist.
    #[error("there is no {0}")]
    NotFound(String),
    /// A file could not be read or written.
    #[error("cannot use {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's reason.
        #[source]
        source: std::io::Error,
    },
    /// Key derivation or key wrapping failed.
    #[error("encryption failed: {0}")]
    Crypto(String),
    /// Any other database failure.
    #[error("database error: {0}")]
    Sqlite(String),
}

impl StoreError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        StoreError::Io { path: path.to_owned(), source }
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode;
        match &e {
            rusqlite::Error::SqliteFailure(f, message) => match f.code {
                ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => StoreError::Locked,
                ErrorCode::DiskFull => StoreError::DiskFull,
                ErrorCode::NotADatabase => StoreError::Corrupt("a page failed its authentication check".into()),
                ErrorCode::DatabaseCorrupt => StoreError::Corrupt(e.to_string()),
                ErrorCode::ConstraintViolation => {
                    let text = message.clone().unwrap_or_else(|| e.to_string());
                    if text.contains("review gate") || text.contains("append-only") {
                        StoreError::ReviewGate(text)
                    } else {
                        StoreError::Sqlite(text)
                    }
                }
                _ => StoreError::Sqlite(e.to_string()),
            },
            rusqlite::Error::QueryReturnedNoRows => StoreError::NotFound("such record".into()),
            _ => StoreError::Sqlite(e.to_string()),
        }
    }
}

/// The store's result type.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;
