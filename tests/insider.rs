//! A colleague with a password of their own and the files on a shared laptop: what the keyring and the files on
//! disk now stop (issue 23's first slice). An entry copied under another user's name opens nothing; parallel
//! wrong passwords are all counted; crafted key-derivation costs are refused with a sentence; the database, its
//! keyring and exports are readable by their owner alone; look-alike names and blank-padded passwords are refused;
//! a missing or swapped keyring is named as such.
//! What an insider who knows the database key can still do is listed in SECURITY.md.

use std::path::{Path, PathBuf};

use tend_store::{Decision, Role, SignatureCheck, Store, StoreError};

/// The database key, derived from a keyring entry and its password as anyone who knows the format could.
fn insider_key(db: &Path, user: &str, password: &str) -> [u8; 32] {
    use argon2::{Algorithm, Argon2, Params, Version};
    use chacha20poly1305::aead::{Aead, KeyInit, Payload};
    use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
    use sha2::{Digest, Sha256};
    let mut ring = keyring(db);
    let e = entry(&mut ring, user).clone();
    let unhex = |v: &serde_json::Value| -> Vec<u8> {
        let s = v.as_str().expect("hex");
        (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex")).collect()
    };
    let cost = |k: &str| u32::try_from(e[k].as_u64().expect("cost")).expect("cost");
    let params = Params::new(cost("memory_kib"), cost("passes"), cost("lanes"), Some(32)).expect("params");
    let mut kek = [0u8; 32];
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(password.as_bytes(), &unhex(&e["salt"]), &mut kek)
        .expect("derive");
    let aad = format!("tend keyring v3\0user\0{user}");
    let secrets = XChaCha20Poly1305::new(Key::from_slice(&kek))
        .decrypt(
            XNonce::from_slice(&unhex(&e["nonce"])),
            Payload { msg: &unhex(&e["wrapped_secrets"]), aad: aad.as_bytes() },
        )
        .expect("the password unwraps the entry's secrets");
    let sealing: [u8; 32] = secrets[32..].try_into().expect("64 bytes");
    let sealing = x25519_dalek::StaticSecret::from(sealing);
    let ephemeral: [u8; 32] = unhex(&e["sealed"]["ephemeral"]).try_into().expect("32 bytes");
    let ephemeral = x25519_dalek::PublicKey::from(ephemeral);
    let mut h = Sha256::new();
    h.update(b"tend seal v1\0");
    h.update(sealing.diffie_hellman(&ephemeral).as_bytes());
    h.update(ephemeral.as_bytes());
    h.update(x25519_dalek::PublicKey::from(&sealing).as_bytes());
    let kek2: [u8; 32] = h.finalize().into();
    let aad = format!("tend keyring v3\0sealed database key\0{user}");
    let key = XChaCha20Poly1305::new(Key::from_slice(&kek2))
        .decrypt(
            XNonce::from_slice(&unhex(&e["sealed"]["nonce"])),
            Payload { msg: &unhex(&e["sealed"]["ciphertext"]), aad: aad.as_bytes() },
        )
        .expect("the sealed key opens");
    key.try_into().expect("32 bytes")
}

/// A SQLCipher connection to the database with `user`'s password, as an insider with any SQLCipher tool has.
fn sqlcipher(db: &Path, user: &str, password: &str) -> rusqlite::Connection {
    let key = insider_key(db, user, password);
    let conn = rusqlite::Connection::open(db).expect("open");
    let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
    conn.pragma_update(None, "key", format!("x'{hex}'")).expect("key");
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0))
        .expect("the key opens the database");
    conn
}

fn draft(store: &mut Store, person: i64, text: &str) -> i64 {
    crate::store::save(store, person, text, 0)
}

/// `home()` with a person tom is assigned to, and one note tom wrote and asha approved: (dir, db, person, final).
fn home_with_a_note() -> (tempfile::TempDir, PathBuf, i64, i64) {
    let (dir, db) = home();
    let mut admin = Store::open(&db, "admin", "admin-password").expect("admin");
    let person = admin.add_person("Margaret", "NHS-0001").expect("person");
    admin.assign("tom", person).expect("assign");
    let mut tom = Store::open(&db, "tom", "tom-password").expect("tom");
    let id = draft(&mut tom, person, "Margaret had porridge at 8:30.");
    tom.submit(id).expect("submit");
    let mut asha = Store::open(&db, "asha", "asha-password").expect("asha");
    let final_id = asha.review(id, Decision::Approve, "").expect("approve").expect("final");
    (dir, db, person, final_id)
}

/// Runs `sql` with the trigger `name` dropped, then puts it back exactly as it was, as a careful insider would so
/// that the schema check on the next sign-in finds nothing.
fn around_trigger(conn: &rusqlite::Connection, name: &str, sql: &str) {
    let original: String = conn
        .query_row("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?1", [name], |r| r.get(0))
        .expect("the trigger");
    conn.execute_batch(&format!("DROP TRIGGER {name}; {sql}; {original};")).expect("done around the trigger");
}

/// Asserts that the audit check reports a problem containing `needle`.
fn reported(store: &Store, needle: &str) {
    let check = store.verify_audit().expect("verify");
    assert!(!check.intact(), "the check must fail: {check:?}");
    assert!(check.problems.iter().any(|p| p.contains(needle)), "no problem says {needle:?}: {:?}", check.problems);
}

/// A database with an admin, a manager (asha) and a care worker (tom).
fn home() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temporary folder");
    let db = dir.path().join("tend.db");
    let mut admin = Store::create(&db, "admin", "admin-password").expect("create");
    admin.add_user("asha", Role::Manager, "asha-password").expect("add manager");
    admin.add_user("tom", Role::CareWorker, "tom-password").expect("add worker");
    (dir, db)
}

fn keyring_path(db: &Path) -> PathBuf {
    PathBuf::from(format!("{}.keyring", db.display()))
}

fn keyring(db: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(keyring_path(db)).expect("keyring")).expect("JSON")
}

fn entry<'a>(keyring: &'a mut serde_json::Value, user: &str) -> &'a mut serde_json::Value {
    keyring["entries"].as_array_mut().expect("entries").iter_mut().find(|e| e["user"] == user).expect("entry")
}

fn save_keyring(db: &Path, keyring: &serde_json::Value) {
    std::fs::write(keyring_path(db), serde_json::to_string_pretty(keyring).expect("JSON")).expect("write keyring");
}

#[test]
fn a_keyring_entry_copied_under_another_users_name_opens_nothing() {
    let (_dir, db) = home();
    let mut ring = keyring(&db);
    let toms = entry(&mut ring, "tom").clone();
    let mut forged = toms.clone();
    forged["user"] = "asha".into();
    *entry(&mut ring, "asha") = forged;
    save_keyring(&db, &ring);
    // Tom's password under the manager's name: refused, as any wrong password is.
    assert!(matches!(Store::open(&db, "asha", "tom-password"), Err(StoreError::WrongPassword)));
    Store::open(&db, "tom", "tom-password").expect("tom still signs in as himself");
}

#[test]
fn an_entry_from_before_names_were_bound_still_opens_and_is_bound_at_sign_in() {
    use argon2::{Algorithm, Argon2, Params, Version};
    use chacha20poly1305::aead::{Aead, KeyInit};
    use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
    let (_dir, db) = home();
    // The database key, as an insider with the admin's password derives it; wrapped again as the first keyring
    // format did (no associated data), at the lowest costs the bounds allow.
    let key = insider_key(&db, "admin", "admin-password");
    let (salt, nonce) = ([7u8; 16], [9u8; 24]);
    let params = Params::new(19 * 1024, 1, 1, Some(32)).expect("params");
    let mut kek = [0u8; 32];
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(b"toms-old-format-password", &salt, &mut kek)
        .expect("derive");
    let wrapped = XChaCha20Poly1305::new(Key::from_slice(&kek))
        .encrypt(XNonce::from_slice(&nonce), key.as_slice())
        .expect("wrap");
    let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
    let mut ring = keyring(&db);
    *entry(&mut ring, "tom") = serde_json::json!({
        "user": "tom", "salt": hex(&salt), "memory_kib": 19 * 1024, "passes": 1, "lanes": 1,
        "nonce": hex(&nonce), "wrapped_key": hex(&wrapped),
    });
    save_keyring(&db, &ring);
    Store::open(&db, "tom", "toms-old-format-password").expect("an old entry opens");
    let mut ring = keyring(&db);
    let bound = entry(&mut ring, "tom");
    assert_eq!(bound["format"], 2, "bound to tom's name at sign-in: {bound}");
    assert_eq!(bound["memory_kib"], 64 * 1024, "and at today's costs: {bound}");
    let mut tom = Store::open(&db, "tom", "toms-old-format-password").expect("and opens again");
    // An entry from before keys were sealed holds no signing key: tom may draft, but signs nothing until an admin
    // resets his password, which gives him keys and a certificate.
    let person =
        Store::open(&db, "admin", "admin-password").expect("admin").add_person("Margaret", "N-1").expect("person");
    let mut admin = Store::open(&db, "admin", "admin-password").expect("admin");
    admin.assign("tom", person).expect("assign");
    let id = draft(&mut tom, person, "Margaret ate porridge.");
    let err = tom.submit(id).expect_err("no signing key");
    assert!(err.to_string().contains("ask an admin to reset tom's password"), "{err}");
    admin.set_password("tom", "toms-new-password").expect("reset");
    let mut tom = Store::open(&db, "tom", "toms-new-password").expect("tom");
    tom.submit(id).expect("signed now");
}

#[test]
fn wrong_passwords_tried_at_once_are_all_counted() {
    let (_dir, db) = home();
    let results: Vec<Result<Store, StoreError>> = std::thread::scope(|s| {
        let tries: Vec<_> = (0..8).map(|_| s.spawn(|| Store::open(&db, "tom", "not-toms-password"))).collect();
        tries.into_iter().map(|t| t.join().expect("no panic")).collect()
    });
    for r in &results {
        assert!(
            matches!(r, Err(StoreError::WrongPassword | StoreError::TooManyAttempts { .. })),
            "every try is refused as a wrong password, none trips over another's file: {:?}",
            r.as_ref().err()
        );
    }
    let mut ring = keyring(&db);
    let failures = entry(&mut ring, "tom")["failures"].as_u64().expect("failures");
    let waited = results.iter().filter(|r| matches!(r, Err(StoreError::TooManyAttempts { .. }))).count() as u64;
    assert_eq!(failures + waited, 8, "each try was counted or had to wait: {failures} counted, {waited} waited");
    assert!(failures >= 5, "{failures}");
}

#[test]
fn crafted_key_derivation_costs_are_refused_with_a_sentence() {
    let (_dir, db) = home();
    let mut ring = keyring(&db);
    entry(&mut ring, "tom")["memory_kib"] = 4_000_000_000u64.into();
    save_keyring(&db, &ring);
    let err = Store::open(&db, "tom", "tom-password").expect_err("refused");
    assert!(err.to_string().contains("outside Tend's bounds") && err.to_string().contains("reset"), "{err}");
    Store::open(&db, "asha", "asha-password").expect("other users are not affected");
}

#[cfg(unix)]
#[test]
fn the_database_its_keyring_and_exports_are_readable_by_their_owner_alone() {
    use std::os::unix::fs::PermissionsExt;
    let (dir, db) = home();
    let export = dir.path().join("export.json");
    std::fs::write(&export, "an older, world-readable file").expect("write");
    tend_store::write_private(&export, b"{}").expect("export");
    let mut admin = Store::open(&db, "admin", "admin-password").expect("admin");
    admin.set_password("tom", "toms-new-password").expect("a keyring rewrite");
    drop(admin);
    for file in [db.clone(), keyring_path(&db), export] {
        let mode = std::fs::metadata(&file).expect("file").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{}: {mode:o}", file.display());
    }
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .expect("folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "no temporary keyring left behind: {leftovers:?}");
}

#[test]
fn look_alike_names_and_blank_padded_passwords_are_refused() {
    let (_dir, db) = home();
    let mut admin = Store::open(&db, "admin", "admin-password").expect("admin");
    // "аsha" with a Cyrillic "а".
    let err = admin.add_user("\u{0430}sha", Role::Manager, "another-password").expect_err("refused");
    assert!(err.to_string().contains("mixes Cyrillic and Latin"), "{err}");
    let err = admin.add_user("Asha", Role::Manager, "another-password").expect_err("refused");
    assert!(err.to_string().contains("only in capitals"), "{err}");
    for password in ["          ", "  padded-password  ", "short    "] {
        let err = admin.add_user("ben", Role::CareWorker, password).expect_err("refused");
        assert!(err.to_string().contains("besides spaces"), "{password:?}: {err}");
    }
    admin
        .add_user("zoë", Role::CareWorker, "a good password")
        .expect("one alphabet, accents and spaces inside are fine");
}

#[test]
fn a_missing_or_swapped_keyring_is_named_as_such() {
    let (_dir, db) = home();
    let (_other_dir, other) = home();
    // Another database's keyring, where the users and passwords are the same: it opens, but its key does not fit.
    std::fs::copy(keyring_path(&other), keyring_path(&db)).expect("swap");
    let err = Store::open(&db, "tom", "tom-password").expect_err("refused");
    assert!(
        matches!(err, StoreError::KeyringMismatch(_)) && err.to_string().contains("belongs to another database"),
        "{err}"
    );
    std::fs::remove_file(keyring_path(&db)).expect("remove");
    let err = Store::open(&db, "tom", "tom-password").expect_err("refused");
    assert!(matches!(err, StoreError::KeyringMissing(_)) && err.to_string().contains("restore its keyring"), "{err}");
}

#[test]
fn with_the_triggers_dropped_the_review_gate_still_holds_in_tend() {
    let (_dir, db) = home();
    let mut admin = Store::open(&db, "admin", "admin-password").expect("admin");
    let person = admin.add_person("Margaret", "NHS-0001").expect("person");
    admin.assign("asha", person).expect("assign");
    drop(admin);
    let mut asha = Store::open(&db, "asha", "asha-password").expect("asha");
    let draft = tend_store::NewDraft {
        person_id: person,
        task: "care-note",
        source_text: "J ate porridge.",
        ai_text: "J ate porridge.",
        findings_json: "[{\"kind\":\"omission\"},{\"kind\":\"wording\"}]",
        provenance_json: "{\"model\":\"test\"}",
    };
    let id = asha.save_draft(&draft).expect("save");
    asha.submit(id).expect("submit");
    // Someone with the database key (any user's password gives it) drops the gate's triggers.
    asha.raw_connection()
        .execute_batch("DROP TRIGGER reviews_by_managers; DROP TRIGGER drafts_approval_needs_review;")
        .expect("drop the triggers");
    let err = asha.review(id, tend_store::Decision::Approve, "").expect_err("her own draft");
    assert!(matches!(err, StoreError::ReviewGate(_)) && err.to_string().contains("not the author"), "{err}");
    // In the same session another manager's review is refused too without every finding acknowledged, and an
    // acknowledgement of a finding the draft does not have does not count.
    asha.raw_connection()
        .execute_batch(&format!(
            "DROP TRIGGER finding_acks_in_range;
             INSERT INTO finding_acks (draft_id, finding_index, user, at) VALUES ({id}, 7, 'admin', 'now')"
        ))
        .expect("an acknowledgement of no finding");
    drop(asha);
    // Anyone who signs in from now on may read and check, but Tend writes nothing: the schema is not Tend's.
    let mut admin = Store::open(&db, "admin", "admin-password").expect("admin signs in to look");
    let err = admin.review(id, tend_store::Decision::Approve, "").expect_err("no writes");
    assert!(matches!(err, StoreError::Tampered(_)), "{err}");
    assert!(
        err.to_string().contains("the trigger reviews_by_managers is missing)")
            && err.to_string().contains("Nothing was saved"),
        "{err}"
    );
    let check = admin.verify_audit().expect("verify");
    for trigger in ["reviews_by_managers", "drafts_approval_needs_review", "finding_acks_in_range"] {
        assert!(check.problems.iter().any(|p| p.contains(trigger)), "{trigger}: {:?}", check.problems);
    }
}

#[test]
fn the_rust_gate_counts_only_acknowledgements_of_findings_the_draft_has() {
    let (_dir, db) = home();
    let mut admin = Store::open(&db, "admin", "admin-password").expect("admin");
    let person = admin.add_person("Margaret", "NHS-0001").expect("person");
    admin.assign("tom", person).expect("assign");
    let mut tom = Store::open(&db, "tom", "tom-password").expect("tom");
    let id = tom
        .save_draft(&tend_store::NewDraft {
            person_id: person,
            task: "care-note",
            source_text: "J ate porridge.",
            ai_text: "J ate porridge.",
            findings_json: "[{\"kind\":\"omission\"},{\"kind\":\"wording\"}]",
            provenance_json: "{\"model\":\"test\"}",
        })
        .expect("save");
    tom.submit(id).expect("submit");
    let mut asha = Store::open(&db, "asha", "asha-password").expect("asha");
    asha.acknowledge(id, 0).expect("ack the first");
    let err = asha
        .raw_connection()
        .execute_batch(&format!(
            "INSERT INTO finding_acks (draft_id, finding_index, user, at) VALUES ({id}, 7, 'asha', 'now')"
        ))
        .expect_err("the schema refuses an acknowledgement of no finding");
    assert!(err.to_string().contains("must name one of the draft's findings"), "{err}");
    let err = asha.review(id, tend_store::Decision::Approve, "").expect_err("one finding unacknowledged");
    assert!(err.to_string().contains("every finding acknowledged (1 of 2)"), "{err}");
    asha.acknowledge(id, 1).expect("ack the second");
    asha.review(id, tend_store::Decision::Approve, "").expect("approved by another manager");
}

#[test]
fn an_approval_forged_with_sql_naming_a_real_manager_is_shown_as_not_holding_and_not_exported() {
    let (_dir, db, person, _) = home_with_a_note();
    let mut tom = Store::open(&db, "tom", "tom-password").expect("tom");
    let id = draft(&mut tom, person, "Margaret declined her tablets.");
    tom.submit(id).expect("submit");
    drop(tom);
    // Tom, with the key his own password gives, writes asha's approval and the final note: triggers intact.
    let conn = sqlcipher(&db, "tom", "tom-password");
    conn.execute_batch(&format!(
        "INSERT INTO reviews (draft_id, reviewer, decision, comment, at) VALUES ({id}, 'asha', 'approve', '', datetime('now'));
         UPDATE drafts SET status = 'approved' WHERE id = {id};
         INSERT INTO finals (draft_id, person_id, text, reviewer, reviewed_at)
             VALUES ({id}, {person}, 'Margaret took her tablets.', 'asha', datetime('now'));"
    ))
    .expect("the rows go in: SQL alone cannot tell");
    drop(conn);
    let mut asha = Store::open(&db, "asha", "asha-password").expect("asha");
    let forged = asha.finals(person).expect("finals").pop().expect("the forged note");
    assert!(
        matches!(&forged.signature, SignatureCheck::Invalid { reason } if reason.contains("no approval in the audit trail")),
        "{:?}",
        forged.signature
    );
    let err = asha.export_final(forged.id).expect_err("not exported");
    assert!(err.to_string().contains("is not exported") && err.to_string().contains("tend audit verify"), "{err}");
    reported(&asha, "no approval in the audit trail");
}

#[test]
fn an_approval_moved_to_another_draft_holds_for_neither() {
    let (_dir, db, person, final_id) = home_with_a_note();
    // Tom copies the audit row and signature of asha's real approval onto another draft: the signature covers the
    // row's hash and the approved text, so it holds for neither.
    let mut tom = Store::open(&db, "tom", "tom-password").expect("tom");
    let id = draft(&mut tom, person, "Margaret had a fall.");
    tom.submit(id).expect("submit");
    drop(tom);
    let conn = sqlcipher(&db, "tom", "tom-password");
    conn.execute_batch(&format!(
        "DROP TRIGGER audit_no_update;
         INSERT INTO reviews (draft_id, reviewer, decision, comment, at) VALUES ({id}, 'asha', 'approve', '', datetime('now'));
         UPDATE drafts SET status = 'approved' WHERE id = {id};
         INSERT INTO finals (draft_id, person_id, text, reviewer, reviewed_at)
             VALUES ({id}, {person}, 'Margaret had a fall.', 'asha', datetime('now'));
         UPDATE audit SET record = 'drafts/{id}' WHERE action = 'review_approve';"
    ))
    .expect("moved");
    drop(conn);
    let asha = Store::open(&db, "asha", "asha-password").expect("asha");
    for note in asha.finals(person).expect("finals") {
        assert!(!note.signature.holds(), "note {} (the real one was {final_id}): {:?}", note.id, note.signature);
    }
}

#[test]
fn roles_and_settings_written_with_sql_change_nothing_and_are_reported() {
    let (_dir, db, person, _) = home_with_a_note();
    let conn = sqlcipher(&db, "tom", "tom-password");
    around_trigger(&conn, "users_no_update", "UPDATE users SET role = 'admin' WHERE name = 'tom'");
    conn.execute("UPDATE settings SET value = '1' WHERE key = 'allow_self_review'", []).expect("the row changes");
    drop(conn);
    let mut tom = Store::open(&db, "tom", "tom-password").expect("tom");
    assert_eq!(tom.role(), Role::CareWorker, "the certificate, not the users table, says what tom may do");
    assert!(matches!(tom.add_user("mallory", Role::Admin, "mallory-password"), Err(StoreError::Forbidden(_))));
    drop(tom);
    let mut asha = Store::open(&db, "asha", "asha-password").expect("asha");
    assert!(!asha.allow_self_review().expect("setting"), "no admin signed that setting");
    let id = draft(&mut asha, person, "Margaret walked to the garden.");
    asha.submit(id).expect("submit");
    let err = asha.review(id, Decision::Approve, "").expect_err("her own draft");
    assert!(err.to_string().contains("not the author"), "{err}");
    reported(&asha, "tom is listed as admin but certified as a care worker");
    reported(&asha, "the setting allow_self_review reads");
    // An admin's signed act does change it.
    let mut admin = Store::open(&db, "admin", "admin-password").expect("admin");
    admin.set_allow_self_review(true).expect("set");
    assert!(admin.allow_self_review().expect("setting"));
}

#[test]
fn a_certificate_made_with_sql_gives_no_role() {
    use ed25519_dalek::Signer;
    let (_dir, db, _, _) = home_with_a_note();
    // Tom makes a key pair and an admin certificate for himself, signed with that same key, and a keyring entry
    // is not even needed: Tend checks the chain down to the pinned root.
    let key = ed25519_dalek::SigningKey::from_bytes(&[42; 32]);
    let public: String = key.verifying_key().as_bytes().iter().map(|b| format!("{b:02x}")).collect();
    let signature: String = key.sign(b"anything").to_bytes().iter().map(|b| format!("{b:02x}")).collect();
    let conn = sqlcipher(&db, "tom", "tom-password");
    conn.execute(
        "INSERT INTO certificates (user, role, verifying_key, sealing_key, issuer, seq, issued_at, signature)
         VALUES ('tom', 'admin', ?1, ?1, NULL, 999, 'now', ?2)",
        [&public, &signature],
    )
    .expect("inserted");
    drop(conn);
    let tom = Store::open(&db, "tom", "tom-password").expect("tom");
    assert_eq!(tom.role(), Role::CareWorker);
    drop(tom);
    let admin = Store::open(&db, "admin", "admin-password").expect("admin");
    reported(&admin, "is not the pinned root key");
}

#[test]
fn a_final_note_rewritten_through_an_erasure_row_is_detected() {
    let (_dir, db, person, final_id) = home_with_a_note();
    let conn = sqlcipher(&db, "tom", "tom-password");
    conn.execute_batch(&format!(
        "INSERT INTO erasures (person_id, by, at) VALUES ({person}, 'admin', 'now');
         CREATE TEMP TABLE keep AS SELECT * FROM finals WHERE id = {final_id};
         DELETE FROM finals WHERE id = {final_id};
         UPDATE keep SET text = 'Margaret refused breakfast.';
         INSERT INTO finals SELECT * FROM keep;"
    ))
    .expect("rewritten with every trigger in place");
    // The erasure row cannot be taken back while its guard stands; a careful insider drops and restores it.
    around_trigger(&conn, "erasures_no_delete", &format!("DELETE FROM erasures WHERE person_id = {person}"));
    drop(conn);
    let mut asha = Store::open(&db, "asha", "asha-password").expect("asha");
    let note = asha.finals(person).expect("finals").pop().expect("note");
    assert_eq!(note.text, "Margaret refused breakfast.");
    assert!(
        matches!(&note.signature, SignatureCheck::Invalid { reason } if reason.contains("was changed after asha signed it")),
        "{:?}",
        note.signature
    );
    assert!(asha.export_final(final_id).is_err());
    reported(&asha, "was changed after asha signed it");
}

#[test]
fn history_rewritten_with_the_chain_recomputed_is_detected_by_signatures_and_by_exported_notes() {
    use sha2::{Digest, Sha256};
    let (_dir, db, _, final_id) = home_with_a_note();
    let mut asha = Store::open(&db, "asha", "asha-password").expect("asha");
    let exported = asha.export_final(final_id).expect("export");
    assert!(asha.verify_anchors(&exported).expect("anchors").iter().all(|(_, holds)| *holds));
    drop(asha);
    // Drop the guard, change an early row, recompute every hash with the public formula, put the guard back.
    let conn = sqlcipher(&db, "tom", "tom-password");
    conn.execute_batch("DROP TRIGGER audit_no_update; UPDATE audit SET actor = 'asha' WHERE seq = 2;").expect("edit");
    let rows: Vec<(i64, [String; 5])> = conn
        .prepare("SELECT seq, at, actor, action, record, detail FROM audit ORDER BY seq")
        .expect("rows")
        .query_map([], |r| Ok((r.get(0)?, [r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?])))
        .expect("rows")
        .collect::<rusqlite::Result<_>>()
        .expect("rows");
    let mut prev = String::new();
    for (seq, fields) in rows {
        let mut h = Sha256::new();
        h.update(prev.as_bytes());
        h.update(seq.to_le_bytes());
        for f in &fields {
            h.update((f.len() as u64).to_le_bytes());
            h.update(f.as_bytes());
        }
        let hash: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
        conn.execute("UPDATE audit SET prev_hash = ?2, hash = ?3 WHERE seq = ?1", rusqlite::params![seq, prev, hash])
            .expect("rechain");
        prev = hash;
    }
    conn.execute_batch(
        "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;",
    )
    .expect("guard back");
    drop(conn);
    let asha = Store::open(&db, "asha", "asha-password").expect("asha");
    let check = asha.verify_audit().expect("verify");
    assert_eq!(check.first_bad_row, None, "the chain itself was recomputed");
    reported(&asha, "does not verify");
    let anchors = asha.verify_anchors(&exported).expect("anchors");
    assert!(
        !anchors.is_empty() && anchors.iter().all(|(_, holds)| !holds),
        "the exported note no longer matches: {anchors:?}"
    );
}

#[test]
fn a_submitted_draft_edited_with_sql_shows_its_signature_broken_in_the_queue() {
    let (_dir, db, person, _) = home_with_a_note();
    let mut tom = Store::open(&db, "tom", "tom-password").expect("tom");
    let id = draft(&mut tom, person, "Margaret had two biscuits.");
    tom.submit(id).expect("submit");
    drop(tom);
    let conn = sqlcipher(&db, "tom", "tom-password");
    conn.execute_batch(&format!(
        "UPDATE drafts SET status = 'returned' WHERE id = {id};
         UPDATE drafts SET edited_text = 'Margaret had four biscuits.' WHERE id = {id};
         UPDATE drafts SET status = 'submitted' WHERE id = {id};"
    ))
    .expect("the triggers allow each step");
    drop(conn);
    let asha = Store::open(&db, "asha", "asha-password").expect("asha");
    let queued = asha.review_queue().expect("queue").into_iter().find(|d| d.id == id).expect("queued");
    assert!(
        matches!(&queued.submission, Some(SignatureCheck::Invalid { reason }) if reason.contains("changed after tom signed it")),
        "{:?}",
        queued.submission
    );
}

#[test]
fn after_a_password_reset_or_a_removal_old_keyrings_and_old_passwords_open_nothing() {
    let (dir, db, person, _) = home_with_a_note();
    let old_ring = dir.path().join("old.keyring");
    std::fs::copy(keyring_path(&db), &old_ring).expect("tom keeps a copy");
    let mut admin = Store::open(&db, "admin", "admin-password").expect("admin");
    admin.set_password("tom", "toms-new-password").expect("reset");
    drop(admin);
    // The copy opens nothing: the database has a new key.
    let current = dir.path().join("current.keyring");
    std::fs::copy(keyring_path(&db), &current).expect("save");
    std::fs::copy(&old_ring, keyring_path(&db)).expect("replay");
    let err = Store::open(&db, "tom", "tom-password").expect_err("old password, old keyring");
    assert!(matches!(err, StoreError::KeyringMismatch(_)), "{err}");
    std::fs::copy(&current, keyring_path(&db)).expect("restore");
    assert!(matches!(Store::open(&db, "tom", "tom-password"), Err(StoreError::WrongPassword)));
    // Everyone else still signs in, and the records are all there and still hold.
    let asha = Store::open(&db, "asha", "asha-password").expect("asha, without her password changing");
    assert!(asha.finals(person).expect("finals").iter().all(|n| n.signature.holds()));
    assert!(asha.verify_audit().expect("verify").intact(), "{:?}", asha.verify_audit());
    drop(asha);
    let mut tom = Store::open(&db, "tom", "toms-new-password").expect("tom's new password");
    let id = draft(&mut tom, person, "Margaret slept well.");
    tom.submit(id).expect("tom signs with his new key");
    drop(tom);

    std::fs::copy(keyring_path(&db), &old_ring).expect("tom keeps a copy again");
    let mut admin = Store::open(&db, "admin", "admin-password").expect("admin");
    admin.remove_user("tom").expect("remove");
    assert!(admin.users().expect("users").iter().all(|(name, _)| name != "tom"));
    drop(admin);
    assert!(matches!(Store::open(&db, "tom", "toms-new-password"), Err(StoreError::WrongPassword)));
    std::fs::copy(&old_ring, keyring_path(&db)).expect("replay");
    assert!(matches!(Store::open(&db, "tom", "toms-new-password"), Err(StoreError::KeyringMismatch(_))));
}

#[test]
fn a_disabled_user_opens_nothing_even_with_an_old_keyring_and_an_admin_enables_them_with_a_new_password() {
    let (dir, db, person, _) = home_with_a_note();
    let old_ring = dir.path().join("old.keyring");
    std::fs::copy(keyring_path(&db), &old_ring).expect("tom keeps a copy");
    let mut admin = Store::open(&db, "admin", "admin-password").expect("admin");
    admin.disable_user("tom").expect("disable");
    assert!(admin.users().expect("users").iter().all(|(name, _)| name != "tom"));
    assert_eq!(admin.disabled_users().expect("disabled"), vec![("tom".to_owned(), Role::CareWorker)]);
    drop(admin);
    // Signing in says why; the old keyring's copy of the key no longer opens the database.
    let err = Store::open(&db, "tom", "tom-password").expect_err("disabled");
    assert!(matches!(&err, StoreError::Disabled(user) if user == "tom"), "{err}");
    assert!(err.to_string().contains("an admin can enable it again"), "{err}");
    std::fs::copy(keyring_path(&db), dir.path().join("current.keyring")).expect("save");
    std::fs::copy(&old_ring, keyring_path(&db)).expect("replay");
    assert!(matches!(Store::open(&db, "tom", "tom-password"), Err(StoreError::KeyringMismatch(_))));
    std::fs::copy(dir.path().join("current.keyring"), keyring_path(&db)).expect("restore");
    // What tom signed before still holds; a new password from an admin enables him in his role.
    let mut admin = Store::open(&db, "admin", "admin-password").expect("admin");
    assert!(admin.verify_audit().expect("verify").intact(), "{:?}", admin.verify_audit());
    admin.set_password("tom", "toms-new-password").expect("enable");
    assert!(admin.disabled_users().expect("disabled").is_empty());
    drop(admin);
    assert!(matches!(Store::open(&db, "tom", "tom-password"), Err(StoreError::WrongPassword)));
    let mut tom = Store::open(&db, "tom", "toms-new-password").expect("enabled");
    assert_eq!(tom.role(), Role::CareWorker);
    let id = draft(&mut tom, person, "Margaret had soup.");
    tom.submit(id).expect("tom signs again");
}

#[test]
fn a_database_made_before_users_could_be_disabled_is_migrated_with_its_certificates_and_signatures() {
    let (_dir, db, person, _) = home_with_a_note();
    // Back to schema 5 as an earlier Tend left it: the certificates table with its earlier CHECK, rows kept.
    let conn = sqlcipher(&db, "admin", "admin-password");
    let v3 = include_str!("../crates/store/migrations/0003_signatures.sql");
    let table = v3
        [v3.find("CREATE TABLE certificates").expect("table")..v3.find("CREATE TABLE signatures").expect("next")]
        .replacen("CREATE TABLE certificates", "CREATE TABLE certificates_v5", 1);
    let triggers = &v3[v3.find("CREATE TRIGGER certificates_no_update").expect("trigger")
        ..v3.find("CREATE TRIGGER signatures_no_update").expect("next")];
    conn.execute_batch(&format!(
        "PRAGMA foreign_keys = OFF; BEGIN;
         DROP TRIGGER certificates_no_update; DROP TRIGGER certificates_no_delete;
         {table}
         INSERT INTO certificates_v5 SELECT * FROM certificates; DROP TABLE certificates;
         ALTER TABLE certificates_v5 RENAME TO certificates;
         {triggers}
         PRAGMA user_version = 5; COMMIT;"
    ))
    .expect("schema 5");
    let before: i64 = conn.query_row("SELECT count(*) FROM certificates", [], |r| r.get(0)).expect("count");
    drop(conn);
    // Opened by this Tend: migrated, nothing reported, every certificate and signature still holds.
    let mut admin = Store::open(&db, "admin", "admin-password").expect("migrated");
    let check = admin.verify_audit().expect("verify");
    assert!(check.intact(), "{check:?}");
    assert!(admin.finals(person).expect("finals").iter().all(|n| n.signature.holds()));
    admin.disable_user("tom").expect("disable after the migration");
    drop(admin);
    let conn = sqlcipher(&db, "admin", "admin-password");
    let after: i64 = conn.query_row("SELECT count(*) FROM certificates", [], |r| r.get(0)).expect("count");
    assert_eq!(after, before + 1, "every certificate kept, and the one that disables tom");
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).expect("version");
    assert_eq!(version, 6);
}

#[test]
fn an_ai_error_report_on_a_draft_that_retention_deletes_stays_with_the_person() {
    let (_dir, db, person, _) = home_with_a_note();
    let mut tom = Store::open(&db, "tom", "tom-password").expect("tom");
    let id = draft(&mut tom, person, "Margaret had soup.");
    let report = tom.report_incident(None, Some(id), "the draft said 'chicken soup'").expect("report");
    assert!(tom.report_incident(Some(person + 1), Some(id), "x").is_err(), "a draft and another person");
    tom.submit(id).expect("submit");
    drop(tom);
    let mut asha = Store::open(&db, "asha", "asha-password").expect("asha");
    asha.review(id, Decision::Reject, "").expect("reject");
    assert_eq!(
        asha.incidents().expect("reports").iter().find(|i| i.id == report).expect("listed").person_id,
        Some(person)
    );
    let retention = asha.apply_retention_days_ahead(365).expect("retention");
    assert_eq!(retention.rejected_deleted, 1);
    let export = asha.export_person(person).expect("export");
    assert!(
        export.incidents.iter().any(|i| i.description.contains("chicken soup") && i.person_id == Some(person)),
        "{:?}",
        export.incidents
    );
    drop(asha);
    let mut admin = Store::open(&db, "admin", "admin-password").expect("admin");
    admin.erase_person(person).expect("erase");
    assert!(admin.incidents().expect("reports").is_empty(), "erasure removes the person's reports");
}

/// A keyring entry as Tend wrote them before keys were sealed (format 2): the database key wrapped by the password.
fn format_2_entry(key: &[u8; 32], user: &str, password: &str) -> serde_json::Value {
    use argon2::{Algorithm, Argon2, Params, Version};
    use chacha20poly1305::aead::{Aead, KeyInit, Payload};
    use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
    let (salt, nonce) = ([3u8; 16], [5u8; 24]);
    let mut kek = [0u8; 32];
    Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(19 * 1024, 1, 1, Some(32)).expect("params"))
        .hash_password_into(password.as_bytes(), &salt, &mut kek)
        .expect("derive");
    let aad = format!("tend keyring v2\0user\0{user}");
    let wrapped = XChaCha20Poly1305::new(Key::from_slice(&kek))
        .encrypt(XNonce::from_slice(&nonce), Payload { msg: key, aad: aad.as_bytes() })
        .expect("wrap");
    let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
    serde_json::json!({
        "user": user, "format": 2, "salt": hex(&salt), "memory_kib": 19 * 1024, "passes": 1, "lanes": 1,
        "nonce": hex(&nonce), "wrapped_key": hex(&wrapped),
    })
}

#[test]
fn a_database_from_before_certificates_is_upgraded_when_its_admin_signs_in() {
    let (_dir, db, person, final_id) = home_with_a_note();
    // Make it as the previous Tend left it: schema 2 (none of migrations 3 to 5), a keyring of format 2.
    let key = insider_key(&db, "admin", "admin-password");
    let conn = sqlcipher(&db, "admin", "admin-password");
    let newer: Vec<String> = conn
        .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name IN ('users_no_update', 'users_no_delete',
            'settings_no_insert', 'settings_no_delete', 'finding_acks_in_range', 'finding_acks_no_update',
            'reviews_no_update', 'reviews_delete_only_closed', 'finding_acks_delete_only_closed',
            'drafts_delete_only_closed', 'incidents_no_update', 'incidents_delete_only_erased', 'erasures_no_update',
            'erasures_no_delete')",
        )
        .expect("names")
        .query_map([], |r| r.get(0))
        .expect("names")
        .collect::<rusqlite::Result<_>>()
        .expect("names");
    assert_eq!(newer.len(), 14, "every guard of migration 4");
    for name in newer {
        conn.execute_batch(&format!("DROP TRIGGER {name}")).expect("drop");
    }
    conn.execute_batch(
        "DROP TABLE signatures; DROP TABLE certificates;
         ALTER TABLE incidents DROP COLUMN status; ALTER TABLE incidents DROP COLUMN outcome;
         PRAGMA user_version = 2;",
    )
    .expect("downgrade");
    drop(conn);
    let entries: Vec<_> = [("admin", "admin-password"), ("asha", "asha-password"), ("tom", "tom-password")]
        .iter()
        .map(|(user, password)| format_2_entry(&key, user, password))
        .collect();
    save_keyring(&db, &serde_json::json!({ "version": 2, "entries": entries }));

    // Before an admin signs in, roles come from the users table, records are from before signing, and no one
    // can sign.
    let mut asha = Store::open(&db, "asha", "asha-password").expect("asha");
    assert_eq!(asha.role(), Role::Manager);
    assert_eq!(asha.finals(person).expect("finals")[0].signature, SignatureCheck::BeforeSigning);
    assert!(asha.export_final(final_id).expect("export").contains("Approved before Tend signed reviews"));
    drop(asha);

    // The first admin to sign in becomes the root; the keyring pins their key.
    let mut admin = Store::open(&db, "admin", "admin-password").expect("admin");
    assert_eq!(admin.role(), Role::Admin);
    assert!(admin.root_key().is_some());
    assert!(keyring(&db)["root"]["key"].is_string());
    assert!(admin.verify_audit().expect("verify").intact(), "{:?}", admin.verify_audit());
    // Re-keying waits while accounts from before hold only the old key, so no one is locked out.
    admin.set_password("asha", "ashas-new-password").expect("reset asha");
    Store::open(&db, "tom", "tom-password").expect("tom, from before, still signs in");
    let asha = Store::open(&db, "asha", "ashas-new-password").expect("asha with her keys");
    assert_eq!(asha.role(), Role::Manager, "certified when her password was reset");
    assert!(asha.finals(person).expect("finals").iter().all(|n| n.signature == SignatureCheck::BeforeSigning));
    drop(asha);
    admin.set_password("tom", "toms-new-password").expect("reset tom: now everyone holds sealed keys");
    let mut tom = Store::open(&db, "tom", "toms-new-password").expect("tom");
    let id = draft(&mut tom, person, "Margaret read the paper.");
    tom.submit(id).expect("signed");
    // Everyone is on sealed keys, so the last reset re-keyed the database: format-2 entries open nothing now.
    let mut ring = keyring(&db);
    *entry(&mut ring, "asha") = format_2_entry(&key, "asha", "asha-password");
    save_keyring(&db, &ring);
    assert!(matches!(Store::open(&db, "asha", "asha-password"), Err(StoreError::KeyringMismatch(_))));
}

#[test]
fn reviews_rewritten_or_deleted_an_approved_draft_deleted_or_an_erasure_row_written_are_each_detected() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "a review's comment rewritten",
            "UPDATE reviews SET comment = 'fine' WHERE decision = 'approve'",
            "was changed after asha signed it",
        ),
        (
            "the approving review deleted",
            "DELETE FROM reviews WHERE decision = 'approve'",
            "the approving review of note",
        ),
        (
            "the approved draft deleted",
            "PRAGMA foreign_keys = OFF; DELETE FROM finding_acks; DELETE FROM reviews; DELETE FROM drafts WHERE status = 'approved'",
            "the approved draft of note",
        ),
        (
            "an erasure row written with SQL",
            "INSERT INTO erasures (person_id, by, at) VALUES (99, 'admin', 'now')",
            "an erasure of person 99 is recorded that no admin signed",
        ),
    ];
    for (what, sql, reported_as) in cases {
        let (_dir, db, _, _) = home_with_a_note();
        let conn = sqlcipher(&db, "tom", "tom-password");
        // A careful insider: every guard dropped for the change and put back exactly as it was.
        let guards: Vec<(String, String)> = conn
            .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
            .expect("triggers")
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .expect("triggers")
            .collect::<rusqlite::Result<_>>()
            .expect("triggers");
        for (name, _) in &guards {
            conn.execute_batch(&format!("DROP TRIGGER {name}")).expect("drop");
        }
        conn.execute_batch(sql).unwrap_or_else(|e| panic!("{what}: {e}"));
        for (_, sql) in &guards {
            conn.execute_batch(sql).expect("put back");
        }
        drop(conn);
        let asha = Store::open(&db, "asha", "asha-password").expect("asha");
        let check = asha.verify_audit().expect("verify");
        assert!(check.problems.iter().any(|p| p.contains(reported_as)), "{what}: {:?}", check.problems);
    }
}
