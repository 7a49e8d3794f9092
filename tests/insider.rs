//! A colleague with a password of their own and the files on a shared laptop: what the keyring and the files on
//! disk now stop (issue 23's first slice). An entry copied under another user's name opens nothing; parallel
//! wrong passwords are all counted; crafted key-derivation costs are refused with a sentence; the database, its
//! keyring and exports are readable by their owner alone; look-alike names and blank-padded passwords are refused;
//! a missing or swapped keyring is named as such.
//! What an insider who knows the database key can still do is listed in SECURITY.md.

use std::path::{Path, PathBuf};

use tend_store::{Role, Store, StoreError};

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
    // The database key, as the admin's entry unwraps it; wrapped again as the first keyring format did (no
    // associated data), at the lowest costs the bounds allow.
    let key = {
        let mut ring = keyring(&db);
        let admin = entry(&mut ring, "admin").clone();
        let unhex = |v: &serde_json::Value| -> Vec<u8> {
            let s = v.as_str().expect("hex");
            (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex")).collect()
        };
        let params = Params::new(64 * 1024, 3, 1, Some(32)).expect("params");
        let mut kek = [0u8; 32];
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password_into(b"admin-password", &unhex(&admin["salt"]), &mut kek)
            .expect("derive");
        let aad = b"tend keyring v2\0user\0admin";
        let payload = chacha20poly1305::aead::Payload { msg: &unhex(&admin["wrapped_key"]), aad };
        XChaCha20Poly1305::new(Key::from_slice(&kek))
            .decrypt(XNonce::from_slice(&unhex(&admin["nonce"])), payload)
            .expect("the admin's entry unwraps with its name as associated data")
    };
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
    Store::open(&db, "tom", "toms-old-format-password").expect("and opens again");
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
    // Another manager may review it, but not approve it with a finding unacknowledged, nor count an
    // acknowledgement of a finding the draft does not have.
    let mut admin = Store::open(&db, "admin", "admin-password").expect("admin");
    admin.acknowledge(id, 0).expect("ack the first");
    admin
        .raw_connection()
        .execute_batch(&format!(
            "INSERT INTO finding_acks (draft_id, finding_index, user, at) VALUES ({id}, 7, 'admin', 'now')"
        ))
        .expect("an acknowledgement of no finding");
    let err = admin.review(id, tend_store::Decision::Approve, "").expect_err("one finding unacknowledged");
    assert!(err.to_string().contains("every finding acknowledged (1 of 2)"), "{err}");
    admin.acknowledge(id, 1).expect("ack the second");
    admin.review(id, tend_store::Decision::Approve, "").expect("approved by another manager");
}
