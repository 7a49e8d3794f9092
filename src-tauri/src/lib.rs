//! Tend's desktop shell: a Tauri window around the `tend-app` façade. The only crate that touches tauri; it holds
//! no logic of its own beyond starting up (where the database and model are) and the command list.

mod commands;

use std::path::PathBuf;
use std::sync::Arc;

use tend_app::GenerationParams;
use tend_app::records::DEFAULT_IDLE_LIMIT;
use tend_app::workspace::Workspace;

/// The database: $TEND_DB, else the user's data folder.
fn database() -> PathBuf {
    if let Some(db) = std::env::var_os("TEND_DB") {
        return PathBuf::from(db);
    }
    let base = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .unwrap_or_else(|| PathBuf::from("."));
    base.join("tend").join("tend.db")
}

/// The models folder: $TEND_MODELS_DIR, else models/.
fn models_dir() -> PathBuf {
    std::env::var_os("TEND_MODELS_DIR").map_or_else(|| PathBuf::from("models"), PathBuf::from)
}

/// The model: $TEND_MODEL, else the catalogue's default for this computer in the models folder.
fn model() -> Option<PathBuf> {
    if let Some(model) = std::env::var_os("TEND_MODEL") {
        return Some(PathBuf::from(model));
    }
    tend_app::models::default_model(&models_dir(), tend_app::available_memory())
}

/// Starts the app: the window opens at once and the model loads on a background thread. `TEND_MAX_TOKENS` and
/// `TEND_IDLE_SECONDS` override the draft length (400 tokens) and the idle lock (5 minutes).
pub fn run() {
    let number = |name: &str| std::env::var(name).ok().and_then(|v| v.parse::<u64>().ok());
    let max_tokens = number("TEND_MAX_TOKENS").map_or(400, |n| n as usize);
    let idle = number("TEND_IDLE_SECONDS").map_or(DEFAULT_IDLE_LIMIT, std::time::Duration::from_secs);
    let params = GenerationParams { max_tokens, ..GenerationParams::default() };
    let workspace = Workspace::new(database(), models_dir(), params, idle);
    let loader = Arc::clone(&workspace);
    std::thread::spawn(move || loader.load_model(model().as_deref()));
    let app = tauri::Builder::default()
        .manage(workspace)
        .invoke_handler(tauri::generate_handler![
            commands::model_status,
            commands::needs_setup,
            commands::create_admin,
            commands::sign_in,
            commands::sign_out,
            commands::me,
            commands::unlock,
            commands::people,
            commands::draft,
            commands::stop_draft,
            commands::draft_record,
            commands::my_drafts,
            commands::edit_draft,
            commands::acknowledge,
            commands::submit,
            commands::review_queue,
            commands::review,
            commands::notes,
            commands::export_note,
            commands::report_error,
            commands::settings,
            commands::set_retention_days,
            commands::catalog,
            commands::use_model,
            commands::import_model,
        ])
        .run(tauri::generate_context!());
    if let Err(e) = app {
        eprintln!("tend-desktop could not start its window: {e}");
        std::process::exit(1);
    }
}
