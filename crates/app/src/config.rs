//! This computer's settings file (`$TEND_CONFIG`, else `~/.config/tend/config.toml`): the model to use and the CPU
//! threads drafting uses, and the window's size. They belong to the device, not to the organisation's records, so they live in a plain
//! file rather than in the record store. Keys Tend does not know are kept when it saves.

use std::path::PathBuf;

use crate::AppError;
use tend_engine::threads::{self, POOL_VARIABLE};

/// The settings file's path: `$TEND_CONFIG`, else `$XDG_CONFIG_HOME/tend/config.toml`, else
/// `~/.config/tend/config.toml`.
pub fn config_file() -> Option<PathBuf> {
    crate::user_file("TEND_CONFIG", "XDG_CONFIG_HOME", ".config", "config.toml")
}

/// The settings in the file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeviceConfig {
    /// `model = "PATH"`: the GGUF file to draft with.
    pub model: Option<PathBuf>,
    /// `threads = N`: CPU threads for drafting, from the next start.
    pub threads: Option<usize>,
    /// `window = { width = W, height = H }`: the app window's size when it was last resized, in logical pixels.
    pub window: Option<(u32, u32)>,
}

fn read_table() -> Result<toml::Table, AppError> {
    let Some(path) = config_file().filter(|p| p.is_file()) else { return Ok(toml::Table::new()) };
    let text =
        std::fs::read_to_string(&path).map_err(|e| AppError::Config(format!("cannot read {}: {e}", path.display())))?;
    toml::from_str(&text).map_err(|e| AppError::Config(format!("{} is not valid TOML: {e}", path.display())))
}

impl DeviceConfig {
    /// Reads the file; a missing file means no settings.
    pub fn load() -> Result<Self, AppError> {
        let table = read_table()?;
        let threads = match table.get("threads") {
            None => None,
            Some(value) => Some(value.as_integer().filter(|&n| n >= 1).map(|n| n as usize).ok_or_else(|| {
                AppError::Config("`threads` in the settings file must be a whole number of at least 1".into())
            })?),
        };
        let model = table.get("model").and_then(|v| v.as_str()).map(PathBuf::from);
        // A size that is missing or not sensible is ignored: the window then opens at its default size.
        let window = table.get("window").and_then(|w| {
            let side = |key: &str| w.get(key)?.as_integer().filter(|n| (MIN_WINDOW..=100_000).contains(n));
            Some((side("width")? as u32, side("height")? as u32))
        });
        Ok(Self { model, threads, window })
    }

    /// Saves `threads` (1 to the number of cores) for the next start, keeping the file's other keys.
    pub fn save_threads(threads: usize) -> Result<(), AppError> {
        let cores = cores();
        if !(1..=cores).contains(&threads) {
            return Err(AppError::Config(format!("choose between 1 and {cores} threads (this computer's cores)")));
        }
        save_key("threads", toml::Value::Integer(threads as i64))
    }

    /// Saves the window's size (logical pixels) for the next start; a size below 200 pixels (a minimised window) is
    /// not saved.
    pub fn save_window(width: u32, height: u32) -> Result<(), AppError> {
        if i64::from(width.min(height)) < MIN_WINDOW {
            return Ok(());
        }
        let mut size = toml::Table::new();
        size.insert("width".into(), toml::Value::Integer(width.into()));
        size.insert("height".into(), toml::Value::Integer(height.into()));
        save_key("window", toml::Value::Table(size))
    }
}

/// The smallest window side saved or restored, in logical pixels.
const MIN_WINDOW: i64 = 200;

/// Sets `key` in the settings file, keeping its other keys; written to a temporary file and renamed into place.
fn save_key(key: &str, value: toml::Value) -> Result<(), AppError> {
    let path = config_file().ok_or_else(|| AppError::Config("there is no home folder to save settings in".into()))?;
    let mut table = read_table()?;
    if table.get(key) == Some(&value) {
        return Ok(());
    }
    table.insert(key.into(), value);
    let text = toml::to_string(&table).map_err(|e| AppError::Config(e.to_string()))?;
    let io = |e: std::io::Error| AppError::Config(format!("cannot save {}: {e}", path.display()));
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let partial = path.with_extension("toml.saving");
    std::fs::write(&partial, text).map_err(io)?;
    std::fs::rename(&partial, &path).map_err(io)
}

/// This computer's CPU cores.
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

/// The variables a program should set at start-up, before it starts any thread: candle's thread count
/// ([`tend_engine::threads::POOL_VARIABLE`]), unless the environment already sets it, from `threads` in the settings
/// file or else candle's own choice (a file that cannot be read counts as no choice, and Settings shows its error),
/// so that candle does not work it out again at every matrix product; and what `TEND_ISA=avx2` needs candle's
/// kernels to see ([`tend_engine::kernels::Isa::environment_to_apply`]). An error says why `TEND_ISA` cannot be
/// read; the variables that can be set are set either way.
pub fn environment_to_apply() -> (Vec<(&'static str, String)>, Option<String>) {
    let mut set = Vec::new();
    if std::env::var_os(POOL_VARIABLE).is_none() {
        let threads = DeviceConfig::load().ok().and_then(|c| c.threads).unwrap_or_else(threads::pool_threads);
        set.push((POOL_VARIABLE, threads.to_string()));
    }
    match tend_engine::kernels::Isa::environment_to_apply() {
        Ok(isa) => {
            set.extend(isa.map(|(name, value)| (name, value.to_owned())));
            (set, None)
        }
        Err(e) => (set, Some(e)),
    }
}
