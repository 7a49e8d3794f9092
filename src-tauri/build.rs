//! Lists the app's own commands so that each gets a permission, granted in capabilities/default.json.

fn main() {
    let manifest = tauri_build::AppManifest::new().commands(COMMANDS);
    if let Err(e) = tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest)) {
        eprintln!("{e:#}");
        std::process::exit(1);
    }
}

/// Every command in src/commands.rs.
const COMMANDS: &[&str] = &[
    "model_status",
    "needs_setup",
    "create_admin",
    "sign_in",
    "sign_out",
    "me",
    "in_use",
    "unlock",
    "people",
    "audit",
    "export_person",
    "erase_person",
    "set_allow_self_review",
    "reports",
    "set_report_status",
    "team",
    "add_user",
    "reset_password",
    "disable_user",
    "remove_user",
    "add_person",
    "edit_person",
    "assign",
    "draft",
    "stop_draft",
    "draft_record",
    "my_drafts",
    "edit_draft",
    "acknowledge",
    "submit",
    "review_queue",
    "review",
    "notes",
    "handover",
    "save_handover",
    "amend_note",
    "check_exported",
    "export_note",
    "report_error",
    "settings",
    "set_retention_days",
    "set_threads",
    "catalog",
    "use_model",
    "import_model",
    "change_password",
    "measure_translation",
    "import_model_file",
    "save_person_export",
    "download_model",
    "cancel_download",
];
