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
    (Home { _dir: dir, db }, person)
}

fn findings(n: usize) -> String {
    let items: Vec<String> = (0..n).map(|i| format!("{{\"kind\":\"omission\",\"index\":{i}}}")).collect();
    format!("[{}]", items.join(","))
}

fn save(store: &mut Store, person: i64, text: &str, n_findings: usize) -> i64 {
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
    let err = Store::open(&plain, "admin", "admin-password").err().expect("refused");
    assert!(matches!(err, StoreError::NotEncrypted(_)), "{err}");
    assert!(err.to_string().contains("not encrypted"));

    let foreign = dir.path().join("photo.db");
    std::fs::write(&foreign, vec![0x5a; 4096]).expect("write");
    assert!(matches!(Store::open(&foreign, "admin", "admin-password"), Err(StoreError::NotATendDatabase(_))));
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
