//! Model management: the catalogue (`models/catalog.toml`, compiled in), what is installed and what fits this
//! computer, downloading a catalogue model from the Hugging Face hub (the only network use in Tend), and
//! importing a GGUF file from disk (a USB stick, a shared drive), each after checking the file is usable.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use serde::{Deserialize, Serialize};

use crate::{AppError, Language, ModelInfo};
pub use tend_hub::{HubConfig, Progress as DownloadProgress};

/// One model in the catalogue.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CatalogEntry {
    /// A readable name with the quantisation.
    pub name: String,
    /// The GGUF file name.
    pub file: String,
    /// `package` (scripts/fetch-model) or `hub` (a Hugging Face repository).
    pub source: String,
    /// The registry package(s), for `package` models.
    pub package: Option<String>,
    /// The repository, for `hub` models.
    pub repo: Option<String>,
    /// The revision, for `hub` models.
    pub revision: Option<String>,
    /// Approximate file size in MB.
    pub size_mb: u64,
    /// The file's SHA-256, when known.
    pub sha256: Option<String>,
    /// Licence identifier.
    pub license: String,
    /// Languages the model is known to handle.
    pub languages: Vec<String>,
    /// Trained context length in tokens.
    pub context: usize,
    /// Estimated memory needed to draft, in MB.
    pub memory_mb: u64,
    /// What it is good for.
    pub note: String,
    /// Its translation quality as measured, for the catalogue models this project could run.
    #[serde(default)]
    pub translation: Option<TranslationFigures>,
}

/// A model's translation quality as measured: chrF++ per direction ("eng-pol" for English into Polish).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TranslationFigures {
    /// When it was measured.
    pub measured: String,
    /// On what.
    pub data: String,
    /// Sentences per direction.
    pub lines: usize,
    /// chrF++ by direction.
    pub chrf: std::collections::BTreeMap<String, f64>,
}

/// How far a model's translation into a language can be trusted, from its measured chrF++ ([`GOOD_CHRF`],
/// [`ROUGH_CHRF`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reliability {
    /// A usable first draft.
    Good,
    /// Rough: a speaker of the language should check it.
    Rough,
    /// Too poor to use: Tend declines and points to an interpreter or translator.
    NotAvailable,
    /// Not measured for this model (an imported or hub model): shown as rough.
    NotMeasured,
}

/// chrF++ from which a translation is labelled a good first draft.
pub const GOOD_CHRF: f64 = 40.0;
/// chrF++ below which a translation is not offered.
pub const ROUGH_CHRF: f64 = 20.0;

impl Reliability {
    /// The label the language picker and the command line show.
    pub fn label(self) -> &'static str {
        match self {
            Reliability::Good => "good first draft",
            Reliability::Rough => "rough: have a speaker check it",
            Reliability::NotAvailable => "not available with this model",
            Reliability::NotMeasured => "not measured for this model: have a speaker check it",
        }
    }
}

impl CatalogEntry {
    /// How reliable this model's translation from English into `language` is, with its measured chrF++.
    pub fn translation_into(&self, language: Language) -> (Reliability, Option<f64>) {
        reliability(self.translation.as_ref(), language)
    }
}

/// How reliable a translation from English into `language` is by `figures`, with the measured chrF++.
pub fn reliability(figures: Option<&TranslationFigures>, language: Language) -> (Reliability, Option<f64>) {
    reliability_between(figures, Language::English, language)
}

/// How reliable a translation from `from` into `to` is by `figures`, with the measured chrF++.
pub fn reliability_between(
    figures: Option<&TranslationFigures>,
    from: Language,
    to: Language,
) -> (Reliability, Option<f64>) {
    let direction = format!("{}-{}", from.code(), to.code());
    match figures.and_then(|t| t.chrf.get(&direction).copied()) {
        Some(chrf) if chrf >= GOOD_CHRF => (Reliability::Good, Some(chrf)),
        Some(chrf) if chrf >= ROUGH_CHRF => (Reliability::Rough, Some(chrf)),
        Some(chrf) => (Reliability::NotAvailable, Some(chrf)),
        None => (Reliability::NotMeasured, None),
    }
}

/// Translation figures measured on this computer, kept beside the model file they were measured with.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Measured {
    /// The model file's SHA-256: figures for another file under the same name are not used.
    sha256: String,
    figures: TranslationFigures,
}

/// Where figures measured with the model file at `model` are kept: `<model>.translation.json`.
fn measured_path(model: &Path) -> PathBuf {
    let mut name = model.as_os_str().to_owned();
    name.push(".translation.json");
    PathBuf::from(name)
}

/// The translation figures of the model file at `model` (SHA-256 `sha256`): those measured on this computer by
/// `tend eval --sets translation`, when there are any for this very file, or else the catalogue's.
pub fn translation_figures(model: &Path, sha256: &str) -> Option<TranslationFigures> {
    let measured = std::fs::read_to_string(measured_path(model))
        .ok()
        .and_then(|text| serde_json::from_str::<Measured>(&text).ok())
        .filter(|m| m.sha256.eq_ignore_ascii_case(sha256))
        .map(|m| m.figures);
    measured.or_else(|| catalog_entry_for(sha256).and_then(|e| e.translation))
}

/// Saves translation figures measured on this computer beside the model file at `model`; returns where.
pub fn save_measured(model: &Path, sha256: &str, figures: TranslationFigures) -> Result<PathBuf, AppError> {
    let path = measured_path(model);
    let text = serde_json::to_string_pretty(&Measured { sha256: sha256.to_owned(), figures })
        .map_err(|e| AppError::Eval(e.to_string()))?;
    std::fs::write(&path, text).map_err(|e| AppError::Eval(format!("cannot save {}: {e}", path.display())))?;
    Ok(path)
}

/// The catalogue entry of the model file whose SHA-256 is `sha256`, if it is one.
pub fn catalog_entry_for(sha256: &str) -> Option<CatalogEntry> {
    catalog().into_iter().find(|e| e.sha256.as_deref().is_some_and(|s| s.eq_ignore_ascii_case(sha256)))
}

/// The catalogue model that translates English into `language` best, if any measured one does better than
/// [`ROUGH_CHRF`].
pub fn best_translator(from: Language, to: Language) -> Option<(CatalogEntry, f64)> {
    catalog()
        .into_iter()
        .filter_map(|e| match reliability_between(e.translation.as_ref(), from, to) {
            (Reliability::Good | Reliability::Rough, Some(chrf)) => Some((e, chrf)),
            _ => None,
        })
        .max_by(|a, b| a.1.total_cmp(&b.1))
}

#[derive(Deserialize)]
struct Catalog {
    model: Vec<CatalogEntry>,
}

/// The catalogue compiled into Tend.
pub fn catalog() -> Vec<CatalogEntry> {
    // The file is part of the build, parsed once (each translation looks its model up); the tests parse it, so a
    // malformed catalogue fails them.
    static PARSED: std::sync::OnceLock<Vec<CatalogEntry>> = std::sync::OnceLock::new();
    PARSED
        .get_or_init(|| {
            toml::from_str::<Catalog>(include_str!("../../../models/catalog.toml")).map(|c| c.model).unwrap_or_default()
        })
        .clone()
}

/// A catalogue model as `tend models list` and Settings show it.
#[derive(Debug, Clone, Serialize)]
pub struct CatalogStatus {
    /// The entry.
    #[serde(flatten)]
    pub entry: CatalogEntry,
    /// Where it is installed, if it is.
    pub installed: Option<PathBuf>,
    /// Whether its memory need fits the memory free now (true when unknown).
    pub fits: bool,
}

/// Every catalogue model, with whether it is installed in `models_dir` and fits `available` bytes.
pub fn catalog_status(models_dir: &Path, available: Option<u64>) -> Vec<CatalogStatus> {
    catalog()
        .into_iter()
        .map(|entry| CatalogStatus {
            installed: Some(models_dir.join(&entry.file)).filter(|p| p.is_file()),
            fits: available.is_none_or(|a| entry.memory_mb << 20 <= a),
            entry,
        })
        .collect()
}

/// The default model: of the catalogue models installed in `models_dir` that fit the free memory, the one
/// that needs the most (the larger models write better drafts).
pub fn default_model(models_dir: &Path, available: Option<u64>) -> Option<PathBuf> {
    let fitting = catalog_status(models_dir, available).into_iter().filter(|s| s.fits);
    fitting.filter(|s| s.installed.is_some()).max_by_key(|s| s.entry.memory_mb).and_then(|s| s.installed)
}

/// What an import installed.
#[derive(Debug, Clone, Serialize)]
pub struct Imported {
    /// The installed file.
    pub path: PathBuf,
    /// What it is.
    pub info: ModelInfo,
    /// Its SHA-256.
    pub sha256: String,
    /// The catalogue entry whose SHA-256 it matches, if any.
    pub catalog_name: Option<String>,
}

/// Imports the GGUF at `source` into `models_dir`: checks it as loading would (without reading the weights),
/// hashes it, copies it under a temporary name, checks the copy's hash and renames it into place. A file of the
/// same name with other content is never overwritten.
pub fn import(source: &Path, models_dir: &Path) -> Result<Imported, AppError> {
    let info = tend_engine::Model::check(source)?;
    let sha256 = tend_engine::sha256_file(source)?;
    let name = source.file_name().ok_or_else(|| AppError::Import(format!("{} is not a file", source.display())))?;
    let target = models_dir.join(name);
    let catalog_name = catalog().into_iter().find(|e| e.sha256.as_deref() == Some(sha256.as_str())).map(|e| e.name);
    if target.exists() {
        if tend_engine::sha256_file(&target)? == sha256 {
            return Ok(Imported { path: target, info, sha256, catalog_name });
        }
        return Err(AppError::Import(format!(
            "a different model file named {} is already installed; rename one of them first",
            target.display()
        )));
    }
    let io = |e: std::io::Error| AppError::Import(format!("cannot copy into {}: {e}", models_dir.display()));
    std::fs::create_dir_all(models_dir).map_err(io)?;
    let partial = models_dir.join(format!(".{}.importing", name.to_string_lossy()));
    let copied = (|| {
        let mut from = std::fs::File::open(source)?;
        let mut to = std::fs::File::create(&partial)?;
        std::io::copy(&mut from, &mut to)?;
        to.flush()?;
        to.sync_all()
    })();
    if let Err(e) = copied {
        let _ = std::fs::remove_file(&partial);
        return Err(io(e));
    }
    if tend_engine::sha256_file(&partial)? != sha256 {
        let _ = std::fs::remove_file(&partial);
        return Err(AppError::Import(
            "the copy differs from the original (a faulty disk or stick?); nothing was installed".into(),
        ));
    }
    std::fs::rename(&partial, &target).map_err(io)?;
    Ok(Imported { path: target, info, sha256, catalog_name })
}

/// The catalogue entry named `name` (its name or its file name).
pub fn find(name: &str) -> Result<CatalogEntry, AppError> {
    catalog().into_iter().find(|e| e.name == name || e.file == name).ok_or_else(|| {
        AppError::Import(format!("{name} is not in Tend's catalogue; `tend models list` shows the models it has"))
    })
}

/// Downloads the catalogue model `entry` from the hub into `models_dir`, as [`tend_hub::Hub::fetch`] describes
/// (free-disk check, resumable, cancellable, SHA-256 verified against the catalogue or the hub), then checks the
/// file as loading would and renames it into place. The hub's cache is `models_dir/.hub`, on the same disk, so
/// the rename is atomic. A model already installed with the right SHA-256 (the catalogue's, else the hub's) is
/// not downloaded again, and a different file of the same name is never replaced.
pub fn download(
    entry: &CatalogEntry,
    models_dir: &Path,
    hub: &HubConfig,
    on_progress: &mut dyn FnMut(DownloadProgress),
    cancel: &AtomicBool,
) -> Result<Imported, AppError> {
    let (Some(repo), Some(revision)) = (entry.repo.as_deref(), entry.revision.as_deref()) else {
        return Err(AppError::Import(format!(
            "{} is not on the hub: it comes from the package {}, fetched by scripts/fetch-model",
            entry.name,
            entry.package.as_deref().unwrap_or("named in the catalogue")
        )));
    };
    let request = tend_hub::FileRequest { repo, revision, file: &entry.file, sha256: entry.sha256.as_deref() };
    let hub = tend_hub::Hub::new(&models_dir.join(".hub"), hub)?;
    let target = models_dir.join(&entry.file);
    if target.exists() {
        let want = match &entry.sha256 {
            Some(sha256) => Some(sha256.clone()),
            None => hub.remote_file(&request)?.sha256,
        };
        let sha256 = tend_engine::sha256_file(&target)?;
        if want.as_deref() == Some(sha256.as_str()) {
            let info = tend_engine::Model::check(&target)?;
            return Ok(Imported { path: target, info, sha256, catalog_name: Some(entry.name.clone()) });
        }
        return Err(AppError::Import(format!(
            "a file named {} is already installed but is not this model (its SHA-256 differs); remove or rename \
             it first",
            target.display()
        )));
    }
    let fetched = hub.fetch(&request, on_progress, cancel)?;
    let info = match tend_engine::Model::check(&fetched.path) {
        Ok(info) => info,
        Err(e) => {
            fetched.discard();
            return Err(AppError::Import(format!(
                "the downloaded {} is not a model Tend can use ({e}); it was deleted",
                entry.file
            )));
        }
    };
    let sha256 = fetched.sha256.clone();
    let path = fetched.install(&target)?;
    Ok(Imported { path, info, sha256, catalog_name: Some(entry.name.clone()) })
}
