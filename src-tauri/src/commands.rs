//! The commands the page may call: each is one call into `tend_app::workspace::Workspace`, and each is listed in
//! build.rs and granted in capabilities/default.json. Errors reach the page as `{kind, message}`.

use std::path::PathBuf;
use std::sync::Arc;

use tauri::ipc::Channel;
use tauri::{AppHandle, State};
use tauri_plugin_dialog::DialogExt;
use tend_app::handover::Handover;
use tend_app::models::{CatalogStatus, DownloadProgress, Imported};
use tend_app::records::{Decision, DraftRecord, FinalNote, Incident, Person, Role};
use tend_app::workspace::{
    AnchorCheck, AuditView, DraftEvent, DraftRequest, LanguageLabel, Me, ModelStatus, SettingsView, TeamView, UiError,
    Workspace,
};

type Ws<'a> = State<'a, Arc<Workspace>>;
type Answer<T> = Result<T, UiError>;

#[tauri::command]
pub fn model_status(ws: Ws<'_>) -> ModelStatus {
    ws.model_status()
}

#[tauri::command]
pub fn needs_setup(ws: Ws<'_>) -> bool {
    ws.needs_setup()
}

#[tauri::command(async)]
pub fn create_admin(ws: Ws<'_>, user: String, password: String) -> Answer<Me> {
    Ok(ws.create(&user, &password)?)
}

#[tauri::command(async)]
pub fn sign_in(ws: Ws<'_>, user: String, password: String) -> Answer<Me> {
    Ok(ws.sign_in(&user, &password)?)
}

#[tauri::command]
pub fn sign_out(ws: Ws<'_>) {
    ws.sign_out();
}

#[tauri::command]
pub fn me(ws: Ws<'_>) -> Option<Me> {
    ws.me()
}

/// The person typed or clicked since the last call: the idle lock counts from their last input.
#[tauri::command]
pub fn in_use(ws: Ws<'_>) {
    ws.in_use();
}

#[tauri::command(async)]
pub fn unlock(ws: Ws<'_>, password: String) -> Answer<Me> {
    Ok(ws.unlock(&password)?)
}

#[tauri::command]
pub fn people(ws: Ws<'_>) -> Answer<Vec<Person>> {
    Ok(ws.people()?)
}

#[tauri::command(async)]
pub fn audit(ws: Ws<'_>, actor: Option<String>, record: Option<String>) -> Answer<AuditView> {
    Ok(ws.audit(actor.as_deref(), record.as_deref())?)
}

#[tauri::command]
pub fn export_person(ws: Ws<'_>, person: i64) -> Answer<String> {
    Ok(ws.export_person(person)?)
}

#[tauri::command]
pub fn erase_person(ws: Ws<'_>, person: i64, confirm: String) -> Answer<TeamView> {
    Ok(ws.erase_person(person, &confirm)?)
}

#[tauri::command]
pub fn set_allow_self_review(ws: Ws<'_>, allow: bool) -> Answer<SettingsView> {
    Ok(ws.set_allow_self_review(allow)?)
}

#[tauri::command]
pub fn reports(ws: Ws<'_>) -> Answer<Vec<Incident>> {
    Ok(ws.reports()?)
}

#[tauri::command]
pub fn set_report_status(ws: Ws<'_>, id: i64, status: String, outcome: String) -> Answer<Vec<Incident>> {
    Ok(ws.set_report_status(id, &status, &outcome)?)
}

#[tauri::command]
pub fn team(ws: Ws<'_>) -> Answer<TeamView> {
    Ok(ws.team()?)
}

#[tauri::command(async)]
pub fn add_user(ws: Ws<'_>, name: String, role: Role, password: String) -> Answer<TeamView> {
    Ok(ws.add_user(&name, role, &password)?)
}

#[tauri::command(async)]
pub fn reset_password(ws: Ws<'_>, name: String, password: String) -> Answer<TeamView> {
    Ok(ws.reset_password(&name, &password)?)
}

#[tauri::command(async)]
pub fn disable_user(ws: Ws<'_>, name: String, confirm: String) -> Answer<TeamView> {
    Ok(ws.disable_user(&name, &confirm)?)
}

#[tauri::command(async)]
pub fn remove_user(ws: Ws<'_>, name: String, confirm: String) -> Answer<TeamView> {
    Ok(ws.remove_user(&name, &confirm)?)
}

#[tauri::command]
pub fn add_person(ws: Ws<'_>, name: String, identifier: String) -> Answer<TeamView> {
    Ok(ws.add_person(&name, &identifier)?)
}

#[tauri::command]
pub fn edit_person(ws: Ws<'_>, person: i64, name: String, identifier: String) -> Answer<TeamView> {
    Ok(ws.edit_person(person, &name, &identifier)?)
}

#[tauri::command]
pub fn assign(ws: Ws<'_>, user: String, person: i64, assigned: bool) -> Answer<TeamView> {
    Ok(ws.assign(&user, person, assigned)?)
}

#[tauri::command(async)]
pub fn draft(ws: Ws<'_>, request: DraftRequest, events: Channel<DraftEvent>) -> Answer<DraftRecord> {
    Ok(ws.draft(&request, &mut |e| drop(events.send(e)))?)
}

#[tauri::command]
pub fn stop_draft(ws: Ws<'_>) {
    ws.stop_draft();
}

#[tauri::command]
pub fn draft_record(ws: Ws<'_>, id: i64) -> Answer<DraftRecord> {
    Ok(ws.draft_record(id)?)
}

#[tauri::command]
pub fn my_drafts(ws: Ws<'_>) -> Answer<Vec<DraftRecord>> {
    Ok(ws.my_drafts()?)
}

#[tauri::command]
pub fn edit_draft(ws: Ws<'_>, id: i64, text: String) -> Answer<DraftRecord> {
    Ok(ws.edit(id, &text)?)
}

#[tauri::command]
pub fn acknowledge(ws: Ws<'_>, id: i64, finding: usize) -> Answer<DraftRecord> {
    Ok(ws.acknowledge(id, finding)?)
}

#[tauri::command]
pub fn submit(ws: Ws<'_>, id: i64) -> Answer<DraftRecord> {
    Ok(ws.submit(id)?)
}

#[tauri::command]
pub fn review_queue(ws: Ws<'_>) -> Answer<Vec<DraftRecord>> {
    Ok(ws.review_queue()?)
}

#[tauri::command]
pub fn review(ws: Ws<'_>, id: i64, decision: Decision, comment: String) -> Answer<Option<i64>> {
    Ok(ws.review(id, decision, &comment)?)
}

#[tauri::command]
pub fn notes(ws: Ws<'_>, person: i64) -> Answer<Vec<FinalNote>> {
    Ok(ws.notes(person)?)
}

#[tauri::command(async)]
pub fn handover(ws: Ws<'_>, person: i64, within: String, events: Channel<DraftEvent>) -> Answer<Handover> {
    Ok(ws.handover(person, &within, &mut |e| drop(events.send(e)))?)
}

#[tauri::command]
pub fn amend_note(ws: Ws<'_>, person: i64, id: i64, text: String, reason: String) -> Answer<Vec<FinalNote>> {
    Ok(ws.amend_note(person, id, &text, &reason)?)
}

#[tauri::command]
pub fn check_exported(ws: Ws<'_>, text: String) -> Answer<Vec<AnchorCheck>> {
    Ok(ws.check_exported(&text)?)
}

#[tauri::command]
pub fn save_handover(ws: Ws<'_>) -> Answer<DraftRecord> {
    Ok(ws.save_handover()?)
}

#[tauri::command]
pub fn export_note(ws: Ws<'_>, id: i64) -> Answer<String> {
    Ok(ws.export_note(id)?)
}

#[tauri::command]
pub fn report_error(ws: Ws<'_>, draft: Option<i64>, person: Option<i64>, text: String) -> Answer<i64> {
    Ok(ws.report_error(draft, person, &text)?)
}

#[tauri::command]
pub fn settings(ws: Ws<'_>) -> Answer<SettingsView> {
    Ok(ws.settings()?)
}

#[tauri::command]
pub fn set_threads(ws: Ws<'_>, threads: usize) -> Answer<SettingsView> {
    Ok(ws.set_threads(threads)?)
}

#[tauri::command]
pub fn set_retention_days(ws: Ws<'_>, days: u32) -> Answer<SettingsView> {
    Ok(ws.set_retention_days(days)?)
}

#[tauri::command]
pub fn catalog(ws: Ws<'_>) -> Vec<CatalogStatus> {
    ws.catalog()
}

#[tauri::command]
pub fn use_model(ws: Ws<'_>, file: String) -> Answer<ModelStatus> {
    Ok(ws.use_model(&file)?)
}

#[tauri::command(async)]
pub fn measure_translation(
    ws: Ws<'_>,
    lines: usize,
    events: Channel<DraftEvent>,
) -> Answer<Option<Vec<LanguageLabel>>> {
    Ok(ws.measure_translation(lines, &mut |e| drop(events.send(e)))?)
}

#[tauri::command(async)]
pub fn change_password(ws: Ws<'_>, current: String, new: String, again: String) -> Answer<()> {
    Ok(ws.change_password(&current, &new, &again)?)
}

#[tauri::command(async)]
pub fn import_model(ws: Ws<'_>, path: String) -> Answer<Imported> {
    Ok(ws.import_model(&path)?)
}

/// A file chosen in the system's own Open or Save dialog (`save` with a suggested `name`), or `None` if the person
/// cancelled. `TEND_DIALOG_ANSWER` answers instead of the dialog: the window tests' hook, since WebDriver cannot
/// reach a native dialog.
fn choose_file(app: &AppHandle, save: Option<&str>, filter: Option<(&str, &[&str])>) -> Option<PathBuf> {
    if let Some(answer) = std::env::var_os("TEND_DIALOG_ANSWER") {
        return Some(PathBuf::from(answer));
    }
    let mut dialog = app.dialog().file();
    if let Some((name, extensions)) = filter {
        dialog = dialog.add_filter(name, extensions);
    }
    let chosen = match save {
        Some(name) => dialog.set_file_name(name).blocking_save_file(),
        None => dialog.blocking_pick_file(),
    };
    chosen.and_then(|file| file.into_path().ok())
}

#[tauri::command(async)]
pub fn import_model_file(app: AppHandle, ws: Ws<'_>) -> Answer<Option<Imported>> {
    let Some(path) = choose_file(&app, None, Some(("GGUF model", &["gguf"]))) else { return Ok(None) };
    Ok(Some(ws.import_model(&path.to_string_lossy())?))
}

#[tauri::command(async)]
pub fn save_person_export(app: AppHandle, ws: Ws<'_>, person: i64) -> Answer<Option<String>> {
    let Some(path) = choose_file(&app, Some(&format!("tend-records-person-{person}.txt")), None) else {
        return Ok(None);
    };
    Ok(Some(ws.save_person_export(person, &path)?.display().to_string()))
}

#[tauri::command(async)]
pub fn download_model(ws: Ws<'_>, name: String, progress: Channel<DownloadProgress>) -> Answer<Imported> {
    Ok(ws.download_model(&name, &mut |p| drop(progress.send(p)))?)
}

#[tauri::command]
pub fn cancel_download(ws: Ws<'_>) {
    ws.cancel_download();
}
