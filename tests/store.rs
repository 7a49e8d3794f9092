//! The record store on real encrypted database files: encryption at rest (the canary test), passwords, roles,
//! the review gate in Rust and in SQL, append-only finals and the audit chain.

use std::path::{Path, PathBuf};

use tend_store::{Decision, NewDraft, Role, Store, StoreError};

const CANARY: &str = "CANARY-7f3a9c-Mrs-Hollowbrook-declined-her-porridge";

struct Home {
    _dir: tempfile::TempDir,
    db: PathBuf,
}

/// A database with an admin, a manager (Asha) and a care worker (Tom), and one person supported.
fn home() -> (Home, i64) {
    let dir = tempfile::tempdir().expect("temporary folder");
    let db = dir.path().join("tend.db");
    let mut admin = Store::create(&db, "admin", "admin-password").expect("create");
    admin.add_user("asha", Role::Manager, "asha-password").expect("add manager");
    admin.add_user("tom", Role::CareWorker, "tom-password").expect("add worker");
    let person = admin.add_person("Margaret", "NHS-0001").expect("add person");
    admin.assign("tom", person).expect("assign tom");
    (Home { _dir: dir, db }, person)
}

fn findings(n: usize) -> String {
    let items: Vec<String> = (0..n).map(|i| format!("{{\"kind\":\"omission\",\"index\":{i}}}")).collect();
    format!("[{}]", items.join(","))
}

/// Saves a draft of `text` with `n_findings` findings; returns its id.
pub(crate) fn save(store: &mut Store, person: i64, text: &str, n_findings: usize) -> i64 {
    let f = findings(n_findings);
    store
        .save_draft(&NewDraft {
            person_id: person,
            task: "care-note",
            source_text: text,
            ai_text: text,
            findings_json: &f,
            provenance_json: "{\"model\":\"test\"}",
        })
        .expect("save draft")
}

fn files_below(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir).expect("list").filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.is_file()).collect()
}

#[test]
fn nothing_readable_is_left_on_disk() {
    let (home, person) = home();
    {
        let mut tom = Store::open(&home.db, "tom", "tom-password").expect("tom signs in");
        let id = save(&mut tom, person, CANARY, 0);
        tom.submit(id).expect("submit");
        let mut asha = Store::open(&home.db, "asha", "asha-password").expect("asha signs in");
        asha.review(id, Decision::Approve, "").expect("approve");
        // While both connections are open, the WAL holds the latest pages.
        for file in files_below(home.db.parent().expect("folder")) {
            let bytes = std::fs::read(&file).expect("read");
            assert!(!bytes.windows(CANARY.len()).any(|w| w == CANARY.as_bytes()), "canary in {}", file.display());
            assert!(!bytes.starts_with(b"SQLite format 3"), "{} is plain SQLite", file.display());
        }
    }
    for file in files_below(home.db.parent().expect("folder")) {
        let bytes = std::fs::read(&file).expect("read");
        assert!(!bytes.windows(CANARY.len()).any(|w| w == CANARY.as_bytes()), "canary in {}", file.display());
    }
}

#[test]
fn wrong_passwords_unknown_users_and_foreign_files_are_refused() {
    let (home, _) = home();
    assert!(matches!(Store::open(&home.db, "tom", "not-toms-password"), Err(StoreError::WrongPassword)));
    assert!(matches!(Store::open(&home.db, "nobody", "whatever-password"), Err(StoreError::WrongPassword)));
    assert_eq!(StoreError::WrongPassword.to_string(), "the user name or password is wrong");

    let dir = tempfile::tempdir().expect("temporary folder");
    let plain = dir.path().join("plain.db");
    rusqlite_plain(&plain);
    let err = Store::open(&plain, "admin", "admin-password").expect_err("refused");
    assert!(matches!(err, StoreError::NotEncrypted(_)), "{err}");
    assert!(err.to_string().contains("not encrypted"));

    let foreign = dir.path().join("photo.db");
    std::fs::write(&foreign, vec![0x5a; 4096]).expect("write");
    let err = Store::open(&foreign, "admin", "admin-password").expect_err("refused");
    assert!(matches!(err, StoreError::KeyringMissing(_)) && err.to_string().contains("choose the right file"), "{err}");
    assert!(matches!(Store::open(&dir.path().join("none.db"), "a", "b"), Err(StoreError::Missing(_))));
    assert!(matches!(Store::create(&home.db, "admin", "admin-password"), Err(StoreError::AlreadyExists(_))));
}

/// An unencrypted SQLite file, as another program would leave it.
fn rusqlite_plain(path: &Path) {
    let mut bytes = b"SQLite format 3\0".to_vec();
    bytes.resize(4096, 0);
    std::fs::write(path, bytes).expect("write");
}

#[test]
fn roles_limit_who_adds_users_and_who_reviews() {
    let (home, person) = home();
    let mut tom = Store::open(&home.db, "tom", "tom-password").expect("tom");
    assert!(matches!(tom.add_user("eve", Role::Admin, "eve-password"), Err(StoreError::Forbidden(_))));
    let id = save(&mut tom, person, "J ate porridge.", 0);
    tom.submit(id).expect("submit");
    assert!(matches!(tom.review(id, Decision::Approve, ""), Err(StoreError::Forbidden(_))));
    assert!(matches!(tom.review_queue(), Err(StoreError::Forbidden(_))));
    let users = Store::open(&home.db, "admin", "admin-password").expect("admin").users().expect("users");
    assert_eq!(users.len(), 3);
}

#[test]
fn a_draft_becomes_final_only_through_a_managers_review_of_every_finding() {
    let (home, person) = home();
    let mut tom = Store::open(&home.db, "tom", "tom-password").expect("tom");
    let id = save(&mut tom, person, "J ate 1/2 porridge, declined tea.", 2);
    tom.edit_draft(id, "J ate half of her porridge and declined tea.").expect("edit");
    tom.submit(id).expect("submit");
    assert!(matches!(tom.edit_draft(id, "changed after submitting"), Err(StoreError::ReviewGate(_))));

    let mut asha = Store::open(&home.db, "asha", "asha-password").expect("asha");
    assert_eq!(asha.review_queue().expect("queue").len(), 1);
    // Two findings, none acknowledged: approval fails and nothing changes.
    let err = asha.review(id, Decision::Approve, "").expect_err("gate");
    assert!(matches!(err, StoreError::ReviewGate(_)), "{err}");
    assert_eq!(asha.draft(id).expect("draft").status, "submitted");
    // Returned with a comment, fixed by the worker, resubmitted.
    assert!(matches!(asha.review(id, Decision::Return, " "), Err(StoreError::ReviewGate(_))));
    asha.review(id, Decision::Return, "Please say when she had breakfast.").expect("return");
    tom.edit_draft(id, "At breakfast J ate half of her porridge and declined tea.").expect("fix");
    tom.submit(id).expect("resubmit");
    asha.acknowledge(id, 0).expect("ack 0");
    assert!(matches!(asha.acknowledge(id, 5), Err(StoreError::NotFound(_))));
    assert!(asha.review(id, Decision::Approve, "").is_err(), "one finding still unacknowledged");
    asha.acknowledge(id, 1).expect("ack 1");
    let final_id = asha.review(id, Decision::Approve, "").expect("approve").expect("final note");
    let finals = asha.finals(person).expect("finals");
    assert_eq!(finals.len(), 1);
    assert_eq!((finals[0].id, finals[0].reviewer.as_str()), (final_id, "asha"));
    assert_eq!(finals[0].text, "At breakfast J ate half of her porridge and declined tea.");
    assert!(!asha.draft(id).expect("draft").review_required);
    assert!(asha.verify_audit().expect("verify").first_bad_row.is_none());
}

#[test]
fn the_author_cannot_review_their_own_draft() {
    let (home, person) = home();
    let mut admin = Store::open(&home.db, "admin", "admin-password").expect("admin");
    let id = save(&mut admin, person, "Visit at 10:00.", 0);
    admin.submit(id).expect("submit");
    assert!(matches!(admin.review(id, Decision::Approve, ""), Err(StoreError::ReviewGate(_))));
}

/// Raw SQL, as a tool with the key could run it: every way round the gate is refused by the schema.
#[test]
fn the_review_gate_holds_against_raw_sql() {
    let (home, person) = home();
    let mut tom = Store::open(&home.db, "tom", "tom-password").expect("tom");
    let id = save(&mut tom, person, "J ate porridge.", 1);
    let sql = tom.raw_connection();
    let refused = |statement: &str| {
        let err = sql.execute_batch(statement).expect_err(statement).to_string();
        assert!(err.contains("review gate") || err.contains("append-only"), "{statement}: {err}");
    };
    refused(&format!("UPDATE drafts SET status = 'approved' WHERE id = {id}"));
    refused(&format!(
        "INSERT INTO drafts (person_id, author, task, source_text, ai_text, edited_text, findings_json, provenance_json, status, created_at, updated_at)
         VALUES ({person}, 'tom', 'care-note', 'x', 'x', 'x', '[]', '{{}}', 'approved', 'now', 'now')"
    ));
    refused(&format!(
        "INSERT INTO finals (draft_id, person_id, text, reviewer, reviewed_at) VALUES ({id}, {person}, 'x', 'asha', 'now')"
    ));
    sql.execute_batch(&format!("UPDATE drafts SET status = 'submitted' WHERE id = {id}")).expect("submit is allowed");
    refused(&format!(
        "INSERT INTO reviews (draft_id, reviewer, decision, comment, at) VALUES ({id}, 'tom', 'approve', '', 'now')"
    ));
    refused(&format!("UPDATE drafts SET status = 'approved' WHERE id = {id}"));

    // A real approval, then attempts to change or remove the final note.
    let mut asha = Store::open(&home.db, "asha", "asha-password").expect("asha");
    asha.acknowledge(id, 0).expect("ack");
    asha.review(id, Decision::Approve, "").expect("approve");
    let sql = asha.raw_connection();
    let refused = |statement: &str| assert!(sql.execute_batch(statement).is_err(), "{statement} must fail");
    refused("UPDATE finals SET text = 'rewritten'");
    refused("DELETE FROM finals");
    refused(&format!("UPDATE drafts SET edited_text = 'rewritten' WHERE id = {id}"));
    refused(&format!("UPDATE drafts SET status = 'returned' WHERE id = {id}"));
    refused("DELETE FROM audit");
    refused("UPDATE audit SET actor = 'someone else'");
}

#[test]
fn editing_the_audit_trail_is_detected() {
    let (home, person) = home();
    let mut tom = Store::open(&home.db, "tom", "tom-password").expect("tom");
    save(&mut tom, person, "J ate porridge.", 0);
    let check = tom.verify_audit().expect("verify");
    assert!(check.rows >= 5 && check.first_bad_row.is_none(), "{check:?}");
    // Someone with the key drops the protecting trigger and rewrites a row.
    let sql = tom.raw_connection();
    sql.execute_batch("DROP TRIGGER audit_no_update; UPDATE audit SET actor = 'someone else' WHERE seq = 3;")
        .expect("tamper");
    assert_eq!(tom.verify_audit().expect("verify").first_bad_row, Some(3));
}

#[test]
fn wrong_passwords_are_rate_limited_until_an_admin_resets_the_password() {
    let (home, _) = home();
    for _ in 0..5 {
        assert!(matches!(Store::open(&home.db, "tom", "guess-guess-guess"), Err(StoreError::WrongPassword)));
    }
    // Even the right password must now wait.
    let err = Store::open(&home.db, "tom", "tom-password").expect_err("rate limited");
    assert!(matches!(err, StoreError::TooManyAttempts { wait_secs: 1..=30 }), "{err}");
    assert!(err.to_string().contains("wait"), "{err}");
    // Other users are not affected; an admin's reset lifts the wait.
    let mut admin = Store::open(&home.db, "admin", "admin-password").expect("admin");
    admin.set_password("tom", "toms-new-password").expect("reset");
    Store::open(&home.db, "tom", "toms-new-password").expect("tom signs in again");
    assert!(matches!(Store::open(&home.db, "tom", "tom-password"), Err(StoreError::WrongPassword)));
}

#[test]
fn a_care_worker_sees_only_their_people_and_their_own_drafts() {
    let (home, person) = home();
    let mut admin = Store::open(&home.db, "admin", "admin-password").expect("admin");
    admin.add_user("sam", Role::CareWorker, "sam-password").expect("sam");
    let other = admin.add_person("Bill", "NHS-0002").expect("Bill");
    admin.assign("sam", other).expect("assign sam");
    drop(admin);

    let mut tom = Store::open(&home.db, "tom", "tom-password").expect("tom");
    let people: Vec<String> = tom.people().expect("people").into_iter().map(|p| p.preferred_name).collect();
    assert_eq!(people, ["Margaret"]);
    let id = save(&mut tom, person, "J ate porridge.", 0);
    assert!(matches!(save_result(&mut tom, other), Err(StoreError::Forbidden(_))));
    assert!(matches!(tom.finals(other), Err(StoreError::Forbidden(_))));

    let mut sam = Store::open(&home.db, "sam", "sam-password").expect("sam");
    assert!(matches!(sam.draft(id), Err(StoreError::Forbidden(_))));
    assert!(matches!(sam.edit_draft(id, "rewritten by sam"), Err(StoreError::Forbidden(_))));
    assert!(matches!(sam.submit(id), Err(StoreError::Forbidden(_))));
    assert_eq!(tom.my_drafts().expect("mine").len(), 1);
    assert!(sam.my_drafts().expect("sam's").is_empty());
    let asha = Store::open(&home.db, "asha", "asha-password").expect("asha");
    assert_eq!(asha.people().expect("everyone").len(), 2);
}

fn save_result(store: &mut Store, person: i64) -> Result<i64, StoreError> {
    store.save_draft(&NewDraft {
        person_id: person,
        task: "care-note",
        source_text: "x",
        ai_text: "x",
        findings_json: "[]",
        provenance_json: "{}",
    })
}

/// Approves a fresh draft from tom with `text`; returns (draft id, final id).
fn approved(home: &Home, person: i64, text: &str) -> (i64, i64) {
    let mut tom = Store::open(&home.db, "tom", "tom-password").expect("tom");
    let id = save(&mut tom, person, text, 0);
    tom.submit(id).expect("submit");
    let mut asha = Store::open(&home.db, "asha", "asha-password").expect("asha");
    (id, asha.review(id, Decision::Approve, "").expect("approve").expect("final"))
}

#[test]
fn finals_are_corrected_by_amendments_and_exported_with_the_reviewers_footer() {
    let (home, person) = home();
    let (_, final_id) = approved(&home, person, "Margaret had lunch at 12:30.");
    let mut tom = Store::open(&home.db, "tom", "tom-password").expect("tom");
    assert!(matches!(tom.amend(final_id, "x", "y"), Err(StoreError::Forbidden(_))));
    let mut asha = Store::open(&home.db, "asha", "asha-password").expect("asha");
    assert!(matches!(asha.amend(final_id, "Margaret had lunch at 13:30.", " "), Err(StoreError::Invalid(_))));
    let amendment = asha.amend(final_id, "Margaret had lunch at 13:30.", "time was wrong").expect("amend");
    let finals = asha.finals(person).expect("finals");
    assert_eq!(finals.len(), 2);
    assert_eq!(finals[0].text, "Margaret had lunch at 12:30.", "the original is unchanged");
    assert_eq!((finals[1].amends, finals[1].reason.as_str()), (Some(final_id), "time was wrong"));

    let text = asha.export_final(final_id).expect("export");
    let (body, footer) = text.trim_end().rsplit_once("\n\n").expect("footer");
    assert_eq!(body, "Margaret had lunch at 12:30.");
    let (footer, signed) = footer.split_once('\n').expect("a line for the signature");
    let key = finals[0].signature.label();
    assert!(key.starts_with("signed by asha (manager), key "), "{key}");
    assert!(
        signed.starts_with(&format!("Signed with key {}; audit ", key.rsplit("key ").next().expect("key"))),
        "{signed}"
    );
    assert_eq!(asha.verify_anchors(signed).expect("anchors"), vec![(finals[0].anchor.clone().expect("anchor"), true)]);
    let date = footer.strip_prefix("AI-assisted draft, reviewed by asha (manager) on ").expect(footer);
    let date: Vec<&str> = date.split(' ').collect();
    assert!(date.len() == 3 && date[0].parse::<u8>().is_ok() && date[2].len() == 4, "{footer}");
    let amended = asha.export_final(amendment).expect("export amendment");
    assert!(amended.contains(&format!("Amendment to note {final_id} (time was wrong), written by asha (manager)")));
    let exports =
        asha.raw_connection()
            .query_row("SELECT count(*) FROM audit WHERE action = 'export_final'", [], |r| r.get::<_, i64>(0));
    assert_eq!(exports.expect("count"), 2);
}

#[test]
fn ai_errors_are_reported_as_incidents_for_managers() {
    let (home, person) = home();
    let mut tom = Store::open(&home.db, "tom", "tom-password").expect("tom");
    let id = save(&mut tom, person, "Paracetamol given at 8:15.", 0);
    assert!(matches!(tom.report_incident(Some(person), Some(id), "  "), Err(StoreError::Invalid(_))));
    tom.report_incident(Some(person), Some(id), "The draft said 18:15, I wrote 8:15.").expect("report");
    assert!(matches!(tom.incidents(), Err(StoreError::Forbidden(_))));
    let asha = Store::open(&home.db, "asha", "asha-password").expect("asha");
    let incidents = asha.incidents().expect("incidents");
    assert_eq!((incidents.len(), incidents[0].reporter.as_str(), incidents[0].draft_id), (1, "tom", Some(id)));
}

#[test]
fn retention_purges_old_source_notes_and_rejected_drafts_but_keeps_finals() {
    let (home, person) = home();
    let (kept, _) = approved(&home, person, "Approved note.");
    let mut tom = Store::open(&home.db, "tom", "tom-password").expect("tom");
    let rejected = save(&mut tom, person, "Rejected draft.", 1);
    tom.submit(rejected).expect("submit");
    let open = save(&mut tom, person, "Still being written.", 0);
    let mut asha = Store::open(&home.db, "asha", "asha-password").expect("asha");
    asha.review(rejected, Decision::Reject, "Not about Margaret.").expect("reject");
    assert!(matches!(asha.set_retention_days(30), Err(StoreError::Forbidden(_))));
    let mut admin = Store::open(&home.db, "admin", "admin-password").expect("admin");
    admin.set_retention_days(30).expect("30 days");
    assert_eq!(admin.apply_retention().expect("today"), tend_store::RetentionReport::default());
    let report = admin.apply_retention_days_ahead(31).expect("a month later");
    assert_eq!((report.sources_purged, report.rejected_deleted), (1, 1));
    let kept = admin.draft(kept).expect("approved draft kept");
    assert_eq!((kept.source_text.as_str(), kept.edited_text.as_str()), ("", "Approved note."));
    assert!(matches!(admin.draft(rejected), Err(StoreError::NotFound(_))));
    assert_eq!(admin.draft(open).expect("open draft kept").source_text, "Still being written.");
    assert_eq!(admin.finals(person).expect("finals").len(), 1);
    assert!(admin.verify_audit().expect("verify").first_bad_row.is_none());
}

/// A plaintext copy of the live database, made with the key, to look for content that should be gone.
fn plaintext_copy(store: &Store, dir: &Path) -> Vec<u8> {
    let plain = dir.join("plain-copy.db");
    let _ = std::fs::remove_file(&plain);
    let sql = format!(
        "ATTACH DATABASE '{}' AS plain KEY ''; SELECT sqlcipher_export('plain'); DETACH DATABASE plain;",
        plain.display()
    );
    store.raw_connection().execute_batch(&sql).expect("export");
    let bytes = std::fs::read(&plain).expect("read copy");
    std::fs::remove_file(&plain).expect("remove copy");
    bytes
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[test]
fn erasing_a_person_removes_every_trace_of_their_records_and_keeps_others() {
    let (home, person) = home();
    let mut admin = Store::open(&home.db, "admin", "admin-password").expect("admin");
    let other = admin.add_person("Bill", "NHS-0002").expect("Bill");
    admin.assign("tom", other).expect("assign");
    drop(admin);
    let (_, final_id) = approved(&home, person, CANARY);
    approved(&home, other, "Bill enjoyed the garden.");
    let mut asha = Store::open(&home.db, "asha", "asha-password").expect("asha");
    asha.amend(final_id, &format!("{CANARY} (amended)"), "wording").expect("amend");
    let mut tom = Store::open(&home.db, "tom", "tom-password").expect("tom");
    tom.report_incident(Some(person), None, &format!("wrong name in {CANARY}")).expect("incident");
    let scratch = tempfile::tempdir().expect("scratch");
    assert!(contains(&plaintext_copy(&tom, scratch.path()), CANARY), "the check can see live content");
    drop((asha, tom));

    let mut admin = Store::open(&home.db, "admin", "admin-password").expect("admin");
    admin.erase_person(person).expect("erase");
    assert!(matches!(admin.erase_person(person), Err(StoreError::NotFound(_))));
    let copy = plaintext_copy(&admin, scratch.path());
    assert!(!contains(&copy, CANARY) && !contains(&copy, "NHS-0001"), "erased content is still in the database");
    assert!(contains(&copy, "Bill enjoyed the garden."), "other people's records are kept");
    for file in files_below(home.db.parent().expect("folder")) {
        assert!(!contains(&std::fs::read(&file).expect("read"), CANARY), "canary in {}", file.display());
    }
    let wal = std::fs::metadata(home.db.with_extension("db-wal")).map(|m| m.len()).unwrap_or(0);
    assert_eq!(wal, 0, "the write-ahead log was emptied");
    assert!(admin.verify_audit().expect("verify").first_bad_row.is_none());
    assert_eq!(admin.finals(other).expect("Bill's notes").len(), 1);
}

#[test]
fn a_subject_access_export_holds_everything_about_one_person() {
    let (home, person) = home();
    let (draft_id, _) = approved(&home, person, "Margaret walked to the shop.");
    let mut tom = Store::open(&home.db, "tom", "tom-password").expect("tom");
    assert!(matches!(tom.export_person(person), Err(StoreError::Forbidden(_))));
    let mut asha = Store::open(&home.db, "asha", "asha-password").expect("asha");
    let export = asha.export_person(person).expect("export");
    assert_eq!(export.person.preferred_name, "Margaret");
    assert_eq!(export.drafts.len(), 1);
    let (draft, reviews) = &export.drafts[0];
    assert_eq!((draft.id, draft.provenance["model"].as_str()), (draft_id, Some("test")));
    assert_eq!(reviews[0].decision, "approve");
    assert_eq!(export.finals.len(), 1);
    let actions: Vec<&str> = export.audit.iter().map(|a| a.action.as_str()).collect();
    for action in ["add_person", "save_draft", "submit_draft", "review_approve"] {
        assert!(actions.contains(&action), "{action} missing from {actions:?}");
    }
    let approval = export.audit.iter().find(|a| a.action == "review_approve").expect("approval row");
    assert!(approval.detail.contains("\"model\":\"test\""), "the review row names the model: {}", approval.detail);
    let json = serde_json::to_value(&export).expect("json");
    assert_eq!(json["drafts"][0][0]["source_text"], "Margaret walked to the shop.");
    let text = export.to_text();
    for part in ["Records held by Tend about Margaret", "What the worker wrote:", "Audit trail", "How it was made:"] {
        assert!(text.contains(part), "{part} missing from\n{text}");
    }
    let audited = asha.verify_audit().expect("verify").rows;
    assert!(
        asha.raw_connection()
            .query_row("SELECT action FROM audit WHERE seq = ?1", [audited as i64], |r| { r.get::<_, String>(0) })
            .is_ok_and(|a| a == "export_person")
    );
}

#[test]
fn a_database_locked_by_another_program_gets_a_clear_message_and_loses_nothing() {
    let (home, person) = home();
    let mut tom = Store::open(&home.db, "tom", "tom-password").expect("tom");
    let first = save(&mut tom, person, "Saved before the lock.", 0);
    let holder = Store::open(&home.db, "asha", "asha-password").expect("asha");
    holder.raw_connection().execute_batch("BEGIN EXCLUSIVE").expect("lock");
    let err = save_result(&mut tom, person).expect_err("locked");
    assert!(matches!(err, StoreError::Locked), "{err}");
    assert!(err.to_string().contains("in use by another program, so this change was not saved"), "{err}");
    holder.raw_connection().execute_batch("COMMIT").expect("unlock");
    save(&mut tom, person, "Saved after the lock.", 0);
    assert_eq!(tom.draft(first).expect("first").source_text, "Saved before the lock.");
}

#[test]
fn a_damaged_page_is_reported_not_read_as_data() {
    let (home, person) = home();
    let mut tom = Store::open(&home.db, "tom", "tom-password").expect("tom");
    for i in 0..40 {
        save(&mut tom, person, &format!("Note {i}: {}", "Margaret sat in the garden. ".repeat(40)), 0);
    }
    drop(tom);
    let mut bytes = std::fs::read(&home.db).expect("read");
    assert!(bytes.len() > 6 * 4096, "{} bytes", bytes.len());
    bytes[4 * 4096 + 100..4 * 4096 + 200].fill(0x41);
    std::fs::write(&home.db, bytes).expect("damage");
    let err = Store::open(&home.db, "tom", "tom-password").expect_err("damaged");
    assert!(matches!(err, StoreError::Corrupt(_)), "{err}");
    assert!(err.to_string().contains("restore it from a backup"), "{err}");
}

/// The text of save number `i` in the crash test: long enough to span pages, and self-describing so that a
/// half-saved note would show.
fn crash_text(i: u64) -> String {
    format!("crash cycle {i}: {} end {i}", "Margaret had soup and a cup of tea. ".repeat(60))
}

/// Runs one of this binary's helper tests in a child process.
fn helper(name: &str, env: (&str, &Path)) -> std::process::Command {
    let mut cmd = std::process::Command::new(std::env::current_exe().expect("test binary"));
    cmd.args([name, "--exact", "--ignored", "--nocapture", "--test-threads=1"]).env(env.0, env.1);
    cmd
}

/// Helper for `kill_9_during_saves_loses_no_acknowledged_note`: saves and edits notes in a loop, printing each
/// id once its transaction has committed, until it is killed.
#[test]
#[ignore = "run as a child process by kill_9_during_saves_loses_no_acknowledged_note"]
fn crash_writer_child() {
    use std::io::Write;
    let Some(db) = std::env::var_os("TEND_CRASH_DB") else { return };
    let mut tom = Store::open(Path::new(&db), "tom", "tom-password").expect("tom");
    let person = tom.people().expect("people")[0].id;
    let mut out = std::io::stdout().lock();
    writeln!(out, "ready").expect("stdout");
    for i in 0.. {
        let text = crash_text(i);
        let id = save(&mut tom, person, &text, 0);
        tom.edit_draft(id, &format!("{text} (edited)")).expect("edit");
        writeln!(out, "saved {id} {i}").expect("stdout");
        out.flush().expect("flush");
    }
}

/// Kills the writer with SIGKILL at random moments until at least 200 save cycles have been interrupted or
/// completed; afterwards the file passes its integrity checks, every acknowledged save is there, and no note is
/// half-saved.
#[test]
fn kill_9_during_saves_loses_no_acknowledged_note() {
    use std::io::BufRead;
    let (home, _) = home();
    let mut acknowledged: Vec<(i64, u64)> = Vec::new();
    let (mut kills, mut cycles) = (0, 0u64);
    while kills < 25 || cycles < 200 {
        let mut child = helper("store::crash_writer_child", ("TEND_CRASH_DB", &home.db))
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("start writer");
        let mut lines = std::io::BufReader::new(child.stdout.take().expect("stdout")).lines();
        // Wait until it is writing, then let it run for a random 0-40 ms before killing it.
        // (libtest prints "test name ... " before the helper's first line.)
        while lines.next().and_then(Result::ok).is_some_and(|l| !l.ends_with("ready")) {}
        std::thread::sleep(std::time::Duration::from_micros(rand::random_range(0..40_000)));
        child.kill().expect("kill -9");
        child.wait().expect("reap");
        kills += 1;
        for line in lines.map_while(Result::ok).filter(|l| l.starts_with("saved ")) {
            let mut parts = line.split(' ').skip(1).map(|p| p.parse::<i64>().expect("number"));
            if let (Some(id), Some(i)) = (parts.next(), parts.next()) {
                acknowledged.push((id, i as u64));
            }
        }
        cycles = acknowledged.len() as u64 + kills;
    }
    let tom = Store::open(&home.db, "tom", "tom-password").expect("reopen after crashes");
    tom.check_integrity().expect("integrity");
    assert!(tom.verify_audit().expect("audit").first_bad_row.is_none());
    for (id, i) in &acknowledged {
        let d = tom.draft(*id).expect("acknowledged save is present");
        assert_eq!(d.edited_text, format!("{} (edited)", crash_text(*i)), "draft {id}");
    }
    for d in tom.my_drafts().expect("drafts") {
        let i: u64 = d.ai_text.split(' ').nth(2).and_then(|n| n.trim_end_matches(':').parse().ok()).expect("cycle");
        assert_eq!(d.ai_text, crash_text(i), "draft {} is whole", d.id);
        assert!(d.edited_text == d.ai_text || d.edited_text == format!("{} (edited)", d.ai_text), "draft {}", d.id);
    }
    eprintln!("{kills} kills, {} acknowledged saves, {cycles} cycles", acknowledged.len());
}

/// Helper for `a_full_disk_loses_nothing_already_saved`: runs in its own mount namespace on a 2 MiB tmpfs.
#[test]
#[ignore = "run as a child process by a_full_disk_loses_nothing_already_saved"]
fn full_disk_child() {
    let Some(dir) = std::env::var_os("TEND_FULL_DISK_DIR") else { return };
    let dir = PathBuf::from(dir);
    let mounted = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=2m", "tend-full-disk"])
        .arg(&dir)
        .status()
        .expect("mount");
    assert!(mounted.success(), "mount tmpfs");
    let db = dir.join("tend.db");
    let mut admin = Store::create(&db, "admin", "admin-password").expect("create");
    let person = admin.add_person("Margaret", "NHS-0001").expect("person");
    // Fill most of the disk with another file, as a full laptop would be.
    let filler = dir.join("filler");
    let _ = std::fs::write(&filler, vec![0u8; 2 * 1024 * 1024]);
    let mut saved = Vec::new();
    let err = loop {
        let text = crash_text(saved.len() as u64);
        match admin.save_draft(&NewDraft {
            person_id: person,
            task: "care-note",
            source_text: &text,
            ai_text: &text,
            findings_json: "[]",
            provenance_json: "{}",
        }) {
            Ok(id) => saved.push((id, text)),
            Err(e) => break e,
        }
        assert!(saved.len() < 10_000, "the disk never filled");
    };
    assert!(matches!(err, StoreError::DiskFull), "{err:?}");
    assert!(err.to_string().contains("disk is full"), "{err}");
    drop(admin);
    std::fs::remove_file(&filler).expect("free space");
    let mut admin = Store::open(&db, "admin", "admin-password").expect("reopen");
    admin.check_integrity().expect("integrity");
    for (id, text) in &saved {
        assert_eq!(&admin.draft(*id).expect("saved before the disk filled").ai_text, text);
    }
    admin
        .save_draft(&NewDraft {
            person_id: person,
            task: "care-note",
            source_text: "after",
            ai_text: "after",
            findings_json: "[]",
            provenance_json: "{}",
        })
        .expect("saves work again");
    println!("full-disk: ok after {} saves", saved.len());
}

/// A save on a full disk fails with a clear message and everything saved before stays intact. The disk is a
/// real 2 MiB tmpfs, mounted in a private mount namespace (needs root or user namespaces, as on CI).
#[test]
fn a_full_disk_loses_nothing_already_saved() {
    let dir = tempfile::tempdir().expect("mount point");
    crate::support::run_child_in_mount_namespace(
        "store::full_disk_child",
        ("TEND_FULL_DISK_DIR", dir.path()),
        "full-disk: ok",
    );
}

/// Runs `tend` on the record store as `user` with `password` in the environment; a new user `NAME` gets the
/// password `NAME-password`.
fn tend_as(db: &Path, user: &str, password: &str, args: &[&str]) -> std::process::Output {
    let new_password = format!("{}-password", args.get(2).unwrap_or(&"none"));
    std::process::Command::new(env!("CARGO_BIN_EXE_tend"))
        .args(args)
        .env("TEND_DB", db)
        .env("TEND_USER", user)
        .env("TEND_PASSWORD", password)
        .env("TEND_NEW_PASSWORD", new_password)
        .env("TEND_MODEL", crate::support::tiny::task_sized_model())
        .env("TEND_CONFIG", "/nonexistent/tend.toml")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run tend")
}

/// The whole review workflow through the command line, one step per row: who runs what, whether it succeeds,
/// and what it prints. The gate holds here too: the worker cannot review, approval waits for every finding.
#[test]
fn the_command_line_walks_a_draft_through_review_to_an_exported_note() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let db = dir.path().join("tend.db");
    let notes = dir.path().join("notes.txt");
    // "refused" is wording care guidance asks to avoid: a finding even in a draft that keeps the notes' words.
    std::fs::write(&notes, "AM call. Margaret up & dressed w/ support, ate 1/2 porridge, refused tea, mood low")
        .expect("notes");
    let notes = notes.to_str().expect("path");
    let edited = dir.path().join("edited.txt");
    std::fs::write(&edited, "Margaret got up and dressed with support. She ate half her porridge and declined tea.")
        .expect("edited");
    let edited = edited.to_str().expect("path");
    let exported = dir.path().join("exported.txt");
    let exported = exported.to_str().expect("path");
    let steps: &[(&str, &[&str], bool, &str)] = &[
        ("admin", &["init", "--admin", "admin"], true, "Created the encrypted database"),
        ("admin", &["init", "--admin", "admin"], false, "already exists"),
        ("admin", &["user", "list"], true, "admin"),
        ("admin", &["user", "add", "asha", "--role", "manager"], true, "Added asha as a manager"),
        ("admin", &["user", "add", "tom", "--role", "care-worker"], true, "Added tom as a care worker"),
        ("admin", &["user", "add", "eve", "--role", "nurse"], false, "not a role"),
        ("tom", &["user", "add", "eve", "--role", "admin"], false, "may not add users"),
        ("admin", &["person", "add", "--name", "Margaret", "--id", "NHS-0001"], true, "person 1"),
        ("asha", &["person", "assign", "--worker", "tom", "--person", "1"], true, "tom now works with person 1"),
        ("tom", &["person", "list"], true, "Margaret"),
        ("tom", &["user", "list"], false, "may not list the users"),
        ("asha", &["user", "list"], true, "tom"),
        ("tom", &["draft", "--input", notes, "--max-tokens", "8", "--save-for", "1"], true, ""),
        ("tom", &["drafts", "list"], true, "care-note"),
        ("tom", &["drafts", "edit", "1", "--file", edited], true, "Saved your edits"),
        ("tom", &["drafts", "submit", "1"], true, "Submitted draft 1"),
        ("tom", &["review", "approve", "1"], false, "may not review"),
        ("asha", &["review", "list"], true, "submitted"),
        ("asha", &["review", "show", "1"], true, "REVIEW REQUIRED"),
        ("asha", &["review", "return", "1", "--comment", "Say how her mood was later."], true, "Returned draft 1"),
        ("tom", &["drafts", "show", "1"], true, "Say how her mood was later."),
        ("tom", &["drafts", "submit", "1"], true, "Submitted draft 1"),
        ("asha", &["review", "approve", "1"], false, "every finding acknowledged"),
        ("asha", &["review", "ack", "1", "ALL"], true, "acknowledged"),
        ("asha", &["review", "approve", "1"], true, "final note 1"),
        ("asha", &["notes", "list", "--person", "1"], true, "She ate half her porridge"),
        ("asha", &["notes", "list", "--person", "1"], true, "signed by asha (manager), key "),
        ("tom", &["notes", "export", "1"], true, "AI-assisted draft, reviewed by asha (manager) on"),
        ("tom", &["notes", "export", "1"], true, "Signed with key "),
        ("tom", &["report", "--draft", "1", "--text", "It wrote 'cereal'; I wrote porridge."], true, "report 1"),
        ("tom", &["reports"], false, "may not see incident reports"),
        ("asha", &["reports"], true, "by tom on"),
        ("asha", &["reports"], true, "about draft 1, person 1: It wrote 'cereal'; I wrote porridge. [new]"),
        ("asha", &["reports", "--id", "1", "--status", "closed"], false, "say what was done"),
        ("tom", &["reports", "--id", "1", "--status", "looked_into"], false, "may not handle incident reports"),
        ("asha", &["reports", "--id", "1", "--status", "closed", "--outcome", "Prompt fixed"], true, "now closed"),
        ("asha", &["reports"], true, "[closed (Prompt fixed)]"),
        ("asha", &["export", "--person", "1", "--format", "json"], true, "\"provenance\""),
        ("tom", &["erase", "--person", "1", "--yes"], false, "may not erase"),
        ("admin", &["erase", "--person", "1"], false, "--yes"),
        ("admin", &["audit", "verify"], true, "The audit trail is intact"),
        ("admin", &["erase", "--person", "1", "--yes"], true, "Erased every record about person 1"),
        ("admin", &["audit", "verify"], true, "The audit trail is intact"),
        ("admin", &["audit", "verify"], true, "Root key: "),
        ("admin", &["audit", "verify", "--against", exported], true, "matches the trail"),
        ("admin", &["audit", "verify", "--against", notes], false, "holds no audit anchor"),
        // Disabled, tom's password opens nothing and says why; a new password from an admin enables him again.
        ("tom", &["user", "disable", "asha"], false, "may not disable users"),
        ("admin", &["user", "disable", "admin"], false, "cannot disable themselves"),
        ("admin", &["user", "disable", "tom"], true, "Disabled tom"),
        ("tom", &["person", "list"], false, "tom's account is disabled"),
        ("asha", &["user", "list"], true, "care worker (disabled)"),
        ("admin", &["user", "disable", "tom"], false, "already disabled"),
        ("admin", &["user", "password", "tom"], true, "Set a new password for tom"),
        ("tom", &["person", "list", "--json"], true, "[]"),
        ("admin", &["audit", "verify"], true, "The audit trail is intact"),
        ("admin", &["user", "remove", "tom"], true, "Removed tom"),
        ("tom", &["person", "list"], false, "the user name or password is wrong"),
        ("asha", &["user", "list"], true, "asha"),
        ("mallory", &["user", "list"], false, "the user name or password is wrong"),
    ];
    for (i, (user, args, ok, expected)) in steps.iter().enumerate() {
        let mut args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
        if args.last().is_some_and(|a| a == "ALL") {
            // Each finding by number, as a reviewer would after reading them.
            let shown = tend_as(&db, user, &format!("{user}-password"), &["review", "show", "1", "--json"]);
            let draft: serde_json::Value = serde_json::from_slice(&shown.stdout).expect("draft as JSON");
            let count = draft["finding_count"].as_u64().expect("count");
            assert!(count > 0, "the tiny model's draft has findings");
            args.pop();
            args.extend((0..count).map(|n| n.to_string()));
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = tend_as(&db, user, &format!("{user}-password"), &args);
        let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert_eq!(out.status.success(), *ok, "step {i}: {user} {args:?}\n{stdout}\n{stderr}");
        let said = if *ok { &stdout } else { &stderr };
        assert!(said.contains(expected), "step {i}: {user} {args:?} should say {expected:?}\n{stdout}\n{stderr}");
        if args == ["notes", "export", "1"] {
            // The note as pasted into the care record system, kept for checking against the trail later.
            std::fs::write(exported, stdout.as_bytes()).expect("keep the export");
        }
        assert!(!stderr.contains("panicked"), "step {i}: {stderr}");
    }
}

#[test]
fn a_session_locks_after_a_period_without_use_and_unlocks_with_the_password() {
    use tend_app::AppError;
    use tend_app::records::Session;
    let (home, _) = home();
    let mut session = Session::sign_in(&home.db, "tom", "tom-password").expect("sign in");
    assert_eq!(session.records().expect("open").people().expect("people").len(), 1);
    // Use that reads nothing (typing an edit) keeps it open past the limit (each pause well inside it, so a busy
    // machine's late wake-up cannot lock it).
    session.set_idle_limit(std::time::Duration::from_millis(1200));
    for _ in 0..3 {
        std::thread::sleep(std::time::Duration::from_millis(500));
        session.keep_alive();
    }
    assert!(!session.is_locked(), "kept open by use");
    session.set_idle_limit(std::time::Duration::from_millis(50));
    std::thread::sleep(std::time::Duration::from_millis(120));
    assert!(session.is_locked());
    session.keep_alive();
    assert!(session.is_locked(), "use of the lock screen unlocks nothing");
    let err = session.records().expect_err("locked");
    assert!(matches!(err, AppError::SessionLocked), "{err}");
    assert!(err.to_string().contains("enter your password"), "{err}");
    assert_eq!(session.who().0, "tom", "the lock screen can still say who is signed in");
    assert!(matches!(session.unlock("not-toms-password"), Err(AppError::Store(StoreError::WrongPassword))));
    session.set_idle_limit(std::time::Duration::from_secs(60));
    session.unlock("tom-password").expect("unlock");
    assert_eq!(session.records().expect("open again").people().expect("people").len(), 1);
}

/// A manager corrects a person's details: their drafts stay theirs, the audit row names what changed (not the old
/// or new details), and a care worker, an empty field, a taken identifier or an unknown person is refused.
#[test]
fn a_manager_corrects_a_persons_details_and_the_audit_trail_says_so() {
    let (home, person) = home();
    let mut admin = Store::open(&home.db, "admin", "admin-password").expect("admin");
    let other = admin.add_person("Bill", "NHS-0002").expect("Bill");
    drop(admin);
    let mut tom = Store::open(&home.db, "tom", "tom-password").expect("tom");
    let draft = save(&mut tom, person, "J ate porridge.", 0);
    let mut asha = Store::open(&home.db, "asha", "asha-password").expect("asha");
    // (who, person, name, identifier, the refusal's words, or None when it succeeds)
    let cases: &[(&str, i64, &str, &str, Option<&str>)] = &[
        ("tom", person, "Peggy", "NHS-0001", Some("edit people")),
        ("asha", person, " ", "NHS-0001", Some("needs a preferred name")),
        ("asha", person, "Peggy", "NHS-0002", Some("NHS-0002 is already recorded")),
        ("asha", 99, "Peggy", "NHS-0099", Some("no person 99")),
        ("asha", person, " Peggy ", "NHS-0001", None),
        ("asha", other, "Bill", "NHS-0003", None),
    ];
    for &(who, id, name, identifier, refused) in cases {
        let store = if who == "tom" { &mut tom } else { &mut asha };
        match (store.edit_person(id, name, identifier), refused) {
            (Ok(()), None) => {}
            (Err(e), Some(words)) => assert!(e.to_string().contains(words), "{who} {name}: {e}"),
            (got, want) => panic!("{who} {name} {identifier}: {got:?}, expected refusal {want:?}"),
        }
    }
    let people: Vec<(String, String)> =
        asha.people().expect("people").into_iter().map(|p| (p.preferred_name, p.identifier)).collect();
    assert_eq!(people, [("Bill".into(), "NHS-0003".into()), ("Peggy".into(), "NHS-0001".into())]);
    assert_eq!(tom.draft(draft).expect("still Tom's").person_name, "Peggy");
    let rows = asha.recent_audit(10, None, Some("people")).expect("audit");
    let edits: Vec<(String, String)> =
        rows.into_iter().filter(|r| r.action == "edit_person").map(|r| (r.record, r.detail)).collect();
    assert_eq!(
        edits,
        [
            (format!("people/{other}"), "identifier".to_owned()),
            (format!("people/{person}"), "preferred name".to_owned())
        ]
    );
}
