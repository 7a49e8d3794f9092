//! Tend's only network code: fetching one model file from a Hugging Face hub with hf-hub, when a person asks for
//! it. Nothing else in Tend opens a connection (the offline test shows it).
//!
//! A fetch asks the hub for the file's size and SHA-256 first, checks there is room on the disk, downloads with
//! hf-hub into its cache (a partial file is kept under a temporary name, so an interrupted download resumes where
//! it stopped), reports progress, can be cancelled, and verifies the SHA-256 of what arrived before anyone can
//! install it. [`Fetched::install`] then moves the file into place with an atomic rename.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use hf_hub::api::sync::{Api, ApiBuilder, ApiError};
use hf_hub::{Repo, RepoType};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Room left free on the disk after a download, for the record store and the system.
const DISK_MARGIN: u64 = 64 << 20;

/// Why a fetch failed. Every message says what to do next; a partial download is kept unless it is damaged.
#[derive(Debug, thiserror::Error)]
pub enum HubError {
    /// The repository, revision or file does not exist on the hub.
    #[error(
        "{file} was not found in {repo} (revision {revision}) on the model hub; the catalogue entry may be out of date"
    )]
    NotFound {
        /// The repository.
        repo: String,
        /// The revision.
        revision: String,
        /// The file.
        file: String,
    },
    /// The hub could not be reached or the connection dropped.
    #[error(
        "cannot reach the model hub ({0}); check the internet connection and try again: what was already fetched is kept and the download resumes"
    )]
    Unreachable(String),
    /// The hub refused the request.
    #[error("the model hub refused the request with HTTP status {status} ({url}); if the model is gated, set HF_TOKEN")]
    Refused {
        /// The HTTP status.
        status: u16,
        /// The address asked.
        url: String,
    },
    /// Neither the catalogue nor the hub gives a SHA-256 for the file.
    #[error(
        "the model hub gives no SHA-256 for {0} and the catalogue has none, so the download could not be verified; Tend installs only verified models"
    )]
    NoHash(String),
    /// The catalogue and the hub disagree about the file's SHA-256.
    #[error(
        "the catalogue's SHA-256 for {file} ({catalogue}) differs from the hub's ({hub}): the repository has changed since the catalogue was written, so nothing was downloaded"
    )]
    HashesDisagree {
        /// The file.
        file: String,
        /// The catalogue's hash.
        catalogue: String,
        /// The hub's hash.
        hub: String,
    },
    /// What arrived is not the file that was asked for.
    #[error(
        "the downloaded {file} is damaged (its SHA-256 is {actual}, not {expected}); it was deleted, please try again"
    )]
    Corrupted {
        /// The file.
        file: String,
        /// The hash it should have.
        expected: String,
        /// The hash it had.
        actual: String,
    },
    /// The disk has too little free space for the download.
    #[error(
        "not enough free disk space for {file}: it needs {needed_mb} MB more in {dir} and only {available_mb} MB are free; free some space and try again"
    )]
    DiskSpace {
        /// The file.
        file: String,
        /// Where it goes.
        dir: PathBuf,
        /// What the rest of the download needs, with a margin.
        needed_mb: u64,
        /// What is free.
        available_mb: u64,
    },
    /// The person cancelled the download.
    #[error("the download was cancelled; what was already fetched is kept and the download resumes next time")]
    Cancelled,
    /// Another download of the same file is running.
    #[error("this model is already being downloaded by another Tend window or command; wait for it to finish")]
    Busy,
    /// Reading or writing a file failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The error.
        source: std::io::Error,
    },
    /// The hub answered in a way that was not understood.
    #[error("the model hub's answer was not understood ({0}); check the hub address")]
    Protocol(String),
}

/// Where and how to reach the hub.
#[derive(Debug, Clone, Default)]
pub struct HubConfig {
    /// The hub's address; `None` means hf-hub's default, the public hub.
    pub endpoint: Option<String>,
    /// An access token, for gated repositories.
    pub token: Option<String>,
    /// How many times one download resumes a dropped connection by itself before giving up.
    pub retries: usize,
}

impl HubConfig {
    /// The configuration other hub tools read from the environment (`HF_ENDPOINT`, `HF_TOKEN`), with 3 retries.
    pub fn from_env() -> Self {
        let var = |name| std::env::var(name).ok().filter(|v: &String| !v.trim().is_empty());
        Self { endpoint: var("HF_ENDPOINT"), token: var("HF_TOKEN"), retries: 3 }
    }
}

/// One file to fetch.
#[derive(Debug, Clone, Copy)]
pub struct FileRequest<'a> {
    /// The repository, `owner/name`.
    pub repo: &'a str,
    /// The branch, tag or commit.
    pub revision: &'a str,
    /// The file's path in the repository.
    pub file: &'a str,
    /// The SHA-256 the catalogue gives, if any (lower-case hex).
    pub sha256: Option<&'a str>,
}

/// What the hub says about a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteFile {
    /// Its size in bytes.
    pub size: u64,
    /// Its SHA-256 (the hub's LFS hash), when the hub stores it with Git LFS.
    pub sha256: Option<String>,
}

/// How far a download has come, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Progress {
    /// Bytes on disk so far, including those from an earlier, interrupted attempt.
    pub done: u64,
    /// The file's size.
    pub total: u64,
}

/// A downloaded file whose SHA-256 was verified, still in the hub cache until it is installed.
#[derive(Debug)]
#[must_use = "a fetched file stays in the cache until it is installed or discarded"]
pub struct Fetched {
    /// The file.
    pub path: PathBuf,
    /// Its verified SHA-256.
    pub sha256: String,
    /// Its size in bytes.
    pub size: u64,
    pointer: PathBuf,
}

impl Fetched {
    /// Moves the file to `target` with one rename (the cache must be on the same file system, as it is under the
    /// models folder), so `target` is never a partial file, and makes the rename durable.
    pub fn install(self, target: &Path) -> Result<PathBuf, HubError> {
        let io = |source| HubError::Io { context: format!("cannot install {}", target.display()), source };
        std::fs::rename(&self.path, target).map_err(io)?;
        if let Some(dir) = target.parent() {
            std::fs::File::open(dir).and_then(|d| d.sync_all()).map_err(io)?;
        }
        let _ = std::fs::remove_file(&self.pointer);
        Ok(target.to_owned())
    }

    /// Deletes the file: it was verified but is not wanted (for example, not a model Tend can use).
    pub fn discard(self) {
        let _ = std::fs::remove_file(&self.path);
        let _ = std::fs::remove_file(&self.pointer);
    }
}

/// A hub client whose cache (partial and verified downloads) lives in one folder.
pub struct Hub {
    api: Api,
    cache: PathBuf,
}

/// The part of the hub's repository listing Tend reads (`?blobs=true` adds sizes and LFS hashes).
#[derive(Deserialize)]
struct Listing {
    siblings: Vec<Sibling>,
}

#[derive(Deserialize)]
struct Sibling {
    rfilename: String,
    size: Option<u64>,
    lfs: Option<Lfs>,
}

#[derive(Deserialize)]
struct Lfs {
    sha256: String,
    size: u64,
}

/// Unwinds out of hf-hub's download loop when the person cancels (its progress callback cannot return an error).
struct CancelRequested;

/// Passes hf-hub's progress on, about every half per cent, and stops the download when asked.
struct Reporter<'a> {
    progress: Progress,
    reported: u64,
    on_progress: &'a mut dyn FnMut(Progress),
    cancel: &'a AtomicBool,
}

impl hf_hub::api::Progress for Reporter<'_> {
    fn init(&mut self, size: usize, _filename: &str) {
        self.progress = Progress { done: 0, total: size as u64 };
        self.reported = 0;
    }

    fn update(&mut self, size: usize) {
        if self.cancel.load(Ordering::Relaxed) {
            // `resume_unwind` does not run the panic hook: nothing is printed. hf-hub's file handles and lock are
            // dropped on the way out, and the partial file stays for the next attempt.
            std::panic::resume_unwind(Box::new(CancelRequested));
        }
        self.progress.done += size as u64;
        let step = self.progress.total / 200 + 1;
        if self.progress.done - self.reported >= step || self.progress.done == self.progress.total {
            self.reported = self.progress.done;
            (self.on_progress)(self.progress);
        }
    }

    fn finish(&mut self) {}
}

impl Hub {
    /// A client for the hub `config` names, keeping its cache in `cache` (created if missing).
    pub fn new(cache: &Path, config: &HubConfig) -> Result<Self, HubError> {
        std::fs::create_dir_all(cache)
            .map_err(|source| HubError::Io { context: format!("cannot create {}", cache.display()), source })?;
        // `from_cache`, not `new`: `new` looks for a home folder first and panics when there is none.
        let mut builder = ApiBuilder::from_cache(hf_hub::Cache::new(cache.to_owned()))
            .with_progress(false)
            .with_retries(config.retries)
            .with_token(config.token.clone())
            .with_user_agent("tend", env!("CARGO_PKG_VERSION"));
        if let Some(endpoint) = &config.endpoint {
            builder = builder.with_endpoint(endpoint.trim_end_matches('/').to_owned());
        }
        let api = builder.build().map_err(|e| map_error(e, None))?;
        Ok(Self { api, cache: cache.to_owned() })
    }

    /// Asks the hub for `file`'s size and SHA-256.
    pub fn remote_file(&self, request: &FileRequest) -> Result<RemoteFile, HubError> {
        let repo = self.repo(request);
        let response =
            repo.info_request().query("blobs", "true").call().map_err(|e| map_error(Box::new(e).into(), Some(request)));
        let listing: Listing = response?
            .into_json()
            .map_err(|e| HubError::Protocol(format!("the repository listing is not valid: {e}")))?;
        let sibling =
            listing.siblings.into_iter().find(|s| s.rfilename == request.file).ok_or_else(|| not_found(request))?;
        let size = sibling.lfs.as_ref().map(|l| l.size).or(sibling.size);
        let size = size.ok_or_else(|| HubError::Protocol(format!("the hub gives no size for {}", request.file)))?;
        Ok(RemoteFile { size, sha256: sibling.lfs.map(|l| l.sha256.to_ascii_lowercase()) })
    }

    /// Downloads `request`'s file, resuming a partial download if there is one, and verifies its SHA-256 against
    /// the catalogue's or else the hub's. `on_progress` hears how far it has come; setting `cancel` stops it.
    pub fn fetch(
        &self,
        request: &FileRequest,
        on_progress: &mut dyn FnMut(Progress),
        cancel: &AtomicBool,
    ) -> Result<Fetched, HubError> {
        let remote = self.remote_file(request)?;
        let expected = match (request.sha256.map(str::to_ascii_lowercase), remote.sha256) {
            (Some(catalogue), Some(hub)) if catalogue != hub => {
                return Err(HubError::HashesDisagree { file: request.file.to_owned(), catalogue, hub });
            }
            (Some(sha), _) | (None, Some(sha)) => sha,
            (None, None) => return Err(HubError::NoHash(request.file.to_owned())),
        };
        self.check_disk_space(request, &expected, remote.size)?;

        let reporter =
            Reporter { progress: Progress { done: 0, total: remote.size }, reported: 0, on_progress, cancel };
        let repo = self.repo(request);
        let download = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            repo.download_with_progress(request.file, reporter)
        }));
        let pointer = match download {
            Ok(result) => result.map_err(|e| map_error(e, Some(request)))?,
            Err(payload) if payload.is::<CancelRequested>() => return Err(HubError::Cancelled),
            Err(payload) => std::panic::resume_unwind(payload),
        };

        let io = |source| HubError::Io { context: format!("cannot read the download of {}", request.file), source };
        let path = std::fs::canonicalize(&pointer).map_err(io)?;
        let (sha256, size) = sha256_file(&path).map_err(io)?;
        let fetched = Fetched { path, sha256, size, pointer };
        if fetched.sha256 != expected {
            let actual = fetched.sha256.clone();
            fetched.discard();
            return Err(HubError::Corrupted { file: request.file.to_owned(), expected, actual });
        }
        Ok(fetched)
    }

    fn repo(&self, request: &FileRequest) -> hf_hub::api::sync::ApiRepo {
        self.api.repo(Repo::with_revision(request.repo.to_owned(), RepoType::Model, request.revision.to_owned()))
    }

    /// Refuses to start when the rest of the download (what an earlier attempt left is counted) and a margin do
    /// not fit on the disk. hf-hub keeps a partial file as `blobs/<etag>.part`; the hub's etag for an LFS file is
    /// its SHA-256.
    fn check_disk_space(&self, request: &FileRequest, sha256: &str, size: u64) -> Result<(), HubError> {
        let repo = Repo::with_revision(request.repo.to_owned(), RepoType::Model, request.revision.to_owned());
        let partial = self.cache.join(repo.folder_name()).join("blobs").join(format!("{sha256}.part"));
        let already = std::fs::metadata(&partial).map(|m| m.len()).unwrap_or(0);
        let stat = rustix::fs::statvfs(&self.cache).map_err(|e| HubError::Io {
            context: format!("cannot see the free space in {}", self.cache.display()),
            source: e.into(),
        })?;
        let available = stat.f_bavail.saturating_mul(stat.f_frsize);
        let needed = size.saturating_sub(already) + DISK_MARGIN;
        if needed > available {
            return Err(HubError::DiskSpace {
                file: request.file.to_owned(),
                dir: self.cache.clone(),
                needed_mb: needed.div_ceil(1 << 20),
                available_mb: available >> 20,
            });
        }
        Ok(())
    }
}

fn not_found(request: &FileRequest) -> HubError {
    HubError::NotFound {
        repo: request.repo.to_owned(),
        revision: request.revision.to_owned(),
        file: request.file.to_owned(),
    }
}

/// Translates hf-hub's errors into ones a person can act on.
fn map_error(error: ApiError, request: Option<&FileRequest>) -> HubError {
    match error {
        ApiError::RequestError(e) => match (*e, request) {
            (ureq::Error::Status(404, _), Some(request)) => not_found(request),
            (ureq::Error::Status(status, response), _) => {
                HubError::Refused { status, url: response.get_url().to_owned() }
            }
            (ureq::Error::Transport(t), _) => HubError::Unreachable(t.to_string()),
        },
        ApiError::TooManyRetries(inner) => map_error(*inner, request),
        ApiError::IoError(e) if e.kind() == std::io::ErrorKind::StorageFull => HubError::Io {
            context: "the disk filled up during the download; free some space and try again".into(),
            source: e,
        },
        ApiError::IoError(e) => HubError::Unreachable(format!("the connection dropped: {e}")),
        ApiError::LockAcquisition(_) => HubError::Busy,
        other => HubError::Protocol(other.to_string()),
    }
}

/// The lower-case hex SHA-256 and the size of a file.
fn sha256_file(path: &Path) -> std::io::Result<(String, u64)> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut size = 0u64;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        size += n as u64;
        hasher.update(&buf[..n]);
    }
    Ok((hasher.finalize().iter().map(|b| format!("{b:02x}")).collect(), size))
}
