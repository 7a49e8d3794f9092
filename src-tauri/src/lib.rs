//! Tend's desktop shell: a Tauri window around the `tend-app` façade. The only crate that touches tauri; it holds
//! no logic of its own beyond starting up (where the database and model are) and the command list.

mod commands;

use std::path::PathBuf;
use std::sync::Arc;

use tauri::Manager;
use tend_app::GenerationParams;
use tend_app::records::DEFAULT_IDLE_LIMIT;
use tend_app::workspace::Workspace;

/// The model: $TEND_MODEL, else the catalogue's default for this computer in the models folder.
fn model() -> Option<PathBuf> {
    if let Some(model) = std::env::var_os("TEND_MODEL") {
        return Some(PathBuf::from(model));
    }
    tend_app::models::default_model(&tend_app::models_dir(), tend_app::available_memory())
}

/// Starts the app: the window opens at once and the model loads on a background thread. `TEND_MAX_TOKENS` and
/// `TEND_IDLE_SECONDS` override the draft length (400 tokens) and the idle lock (5 minutes).
pub fn run() {
    let number = |name: &str| std::env::var(name).ok().and_then(|v| v.parse::<u64>().ok());
    let max_tokens = number("TEND_MAX_TOKENS").map_or(400, |n| n as usize);
    let idle = number("TEND_IDLE_SECONDS").map_or(DEFAULT_IDLE_LIMIT, std::time::Duration::from_secs);
    let params = GenerationParams { max_tokens, ..GenerationParams::default() };
    let database = tend_app::default_database().unwrap_or_else(|| PathBuf::from("tend.db"));
    let workspace = Workspace::new(database, tend_app::models_dir(), params, idle);
    let loader = Arc::clone(&workspace);
    std::thread::spawn(move || loader.load_model(model().as_deref()));
    let app = tauri::Builder::default()
        .manage(workspace)
        .plugin(tauri_plugin_dialog::init())
        .setup(|app| {
            // The window opens at the size it was last given on this computer.
            if let (Some(window), Some((width, height))) =
                (app.get_webview_window("main"), tend_app::config::DeviceConfig::load().ok().and_then(|c| c.window))
            {
                window.set_size(tauri::LogicalSize::new(width, height))?;
            }
            Ok(())
        })
        .on_window_event(|window, event| {
            if let tauri::WindowEvent::Resized(size) = event {
                let size = size.to_logical::<u32>(window.scale_factor().unwrap_or(1.0));
                // A settings file that cannot be written costs only the size at the next start.
                let _ = tend_app::config::DeviceConfig::save_window(size.width, size.height);
            }
        })
        .invoke_handler(tauri::generate_handler![
            commands::model_status,
            commands::needs_setup,
            commands::create_admin,
            commands::sign_in,
            commands::sign_out,
            commands::me,
            commands::in_use,
            commands::unlock,
            commands::people,
            commands::audit,
            commands::export_person,
            commands::erase_person,
            commands::set_allow_self_review,
            commands::reports,
            commands::set_report_status,
            commands::team,
            commands::add_user,
            commands::reset_password,
            commands::disable_user,
            commands::remove_user,
            commands::add_person,
            commands::edit_person,
            commands::assign,
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
            commands::handover,
            commands::save_handover,
            commands::amend_note,
            commands::check_exported,
            commands::export_note,
            commands::report_error,
            commands::settings,
            commands::set_retention_days,
            commands::set_threads,
            commands::catalog,
            commands::use_model,
            commands::import_model,
            commands::change_password,
            commands::measure_translation,
            commands::import_model_file,
            commands::save_person_export,
            commands::download_model,
            commands::cancel_download,
        ])
        .run(tauri::generate_context!());
    if let Err(e) = app {
        eprintln!("tend-desktop could not start its window: {e}");
        std::process::exit(1);
    }
}
