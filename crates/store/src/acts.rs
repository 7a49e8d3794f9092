//! Accountable acts, signed: each approval, return, rejection, submission, amendment, erasure, user and setting
//! change is an audit row signed by its actor's key over the row's chained hash and a digest of what the act
//! wrote. Checking an act verifies the signature, the signer's certificate (down to the pinned root), that the
//! certificate names the actor and was their current one, that their role allows the act, and, where the
//! record is still there, that it is what was signed.

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use crate::Role;
use crate::audit;
use crate::error::{Result, StoreError};
use crate::identity::{self, CertRole, Identity};

/// The key a signed-in user signs with, and their current certificate.
pub(crate) struct Signer<'a> {
    pub(crate) identity: &'a Identity,
    pub(crate) cert: i64,
}

/// What checking a signed act found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum SignatureCheck {
    /// Signed by the named user's current key, certified for a role that may do it, over what the record holds.
    Verified {
        /// Who signed.
        signer: String,
        /// Their certified role.
        role: Role,
        /// Their key's fingerprint.
        key: String,
    },
    /// Made before this database signed acts (it was created by an earlier Tend).
    BeforeSigning,
    /// The signature, its certificate or the record does not hold: written outside Tend, or changed since.
    Invalid {
        /// What does not hold.
        reason: String,
    },
}

impl SignatureCheck {
    /// True unless something does not hold.
    pub fn holds(&self) -> bool {
        !matches!(self, SignatureCheck::Invalid { .. })
    }

    /// One line for people: "signed by asha (manager), key 3f9a 12bc 88de 01aa".
    pub fn label(&self) -> String {
        match self {
            SignatureCheck::Verified { signer, role, key } => {
                format!("signed by {signer} ({}), key {key}", role.label())
            }
            SignatureCheck::BeforeSigning => "made before Tend signed reviews".into(),
            SignatureCheck::Invalid { reason } => format!("SIGNATURE DOES NOT HOLD: {reason}"),
        }
    }
}

/// The acts that are signed, with the roles that may sign each. `set_password` is also allowed to its own user.
const SIGNED: &[(&str, &[Role])] = &[
    ("create_database", &[Role::Admin]),
    ("add_user", &[Role::Admin]),
    ("remove_user", &[Role::Admin]),
    ("disable_user", &[Role::Admin]),
    ("set_password", &[Role::Admin]),
    ("set_setting", &[Role::Admin]),
    ("erase_person", &[Role::Admin]),
    ("submit_draft", &[Role::CareWorker, Role::Manager, Role::Admin]),
    ("review_approve", &[Role::Manager, Role::Admin]),
    ("review_return", &[Role::Manager, Role::Admin]),
    ("review_reject", &[Role::Manager, Role::Admin]),
    ("amend_final", &[Role::Manager, Role::Admin]),
];

fn permitted(action: &str, role: Role, actor: &str, record: &str) -> bool {
    let own_password = action == "set_password" && record == format!("users/{actor}");
    own_password || SIGNED.iter().any(|(a, roles)| *a == action && roles.contains(&role))
}

/// What a signature covers: the act's chained audit hash and the digest of its content.
fn statement(audit_hash: &str, content: &str) -> String {
    identity::digest(&["tend act v1", audit_hash, content])
}

/// Appends the act's audit row and its signature; returns the row's number.
pub(crate) fn record(
    tx: &Connection,
    signer: &Signer<'_>,
    actor: &str,
    action: &str,
    record: &str,
    detail: &str,
    content: &str,
) -> Result<i64> {
    debug_assert!(SIGNED.iter().any(|(a, _)| *a == action), "{action} is not a signed act");
    let (seq, hash) = audit::append_row(tx, actor, action, record, detail)?;
    tx.execute(
        "INSERT INTO signatures (seq, certificate, content, signature) VALUES (?1, ?2, ?3, ?4)",
        params![seq, signer.cert, content, signer.identity.sign(statement(&hash, content).as_bytes())],
    )?;
    Ok(seq)
}

/// The newest audit row of `action` on `record`.
pub(crate) fn latest(conn: &Connection, action: &str, record: &str) -> Result<Option<i64>> {
    Ok(conn
        .query_row("SELECT max(seq) FROM audit WHERE action = ?1 AND record = ?2", params![action, record], |r| {
            r.get::<_, Option<i64>>(0)
        })
        .optional()?
        .flatten())
}

/// The pinned root key and the audit row from which acts are signed.
#[derive(Debug, Clone)]
pub(crate) struct Trust {
    pub(crate) root: String,
    pub(crate) from_seq: i64,
}

/// Checks the act at audit row `seq`; `content`, when the record is still there, is the digest of what it holds
/// now.
pub(crate) fn check(
    conn: &Connection,
    trust: Option<&Trust>,
    seq: i64,
    content: Option<&str>,
) -> Result<SignatureCheck> {
    let invalid = |reason: String| Ok(SignatureCheck::Invalid { reason });
    let Some(trust) = trust.filter(|t| seq >= t.from_seq) else {
        return Ok(SignatureCheck::BeforeSigning);
    };
    let Some(row) = audit::row(conn, seq)? else {
        return invalid(format!("audit row {seq} is missing"));
    };
    if !row.intact {
        return invalid(format!("audit row {seq} was changed after it was written"));
    }
    let signed: Option<(i64, String, String)> = conn
        .query_row("SELECT certificate, content, signature FROM signatures WHERE seq = ?1", [seq], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()?;
    let Some((cert_id, signed_content, signature)) = signed else {
        return invalid(format!("{} on {} (audit row {seq}) carries no signature", row.row.action, row.row.record));
    };
    let cert = match identity::verify_certificate(conn, &trust.root, cert_id)? {
        Ok(cert) => cert,
        Err(why) => return invalid(why),
    };
    if cert.user != row.row.actor {
        return invalid(format!("audit row {seq} names {} but is signed with {}'s key", row.row.actor, cert.user));
    }
    let replaced: bool = conn.query_row(
        "SELECT count(*) > 0 FROM certificates WHERE user = ?1 AND id > ?2 AND seq < ?3",
        params![cert.user, cert.id, seq],
        |r| r.get(0),
    )?;
    if replaced {
        return invalid(format!("audit row {seq} is signed with a key {} no longer held", cert.user));
    }
    let CertRole::Active(role) = cert.role else {
        return invalid(format!("audit row {seq} is signed by {}, who had been removed or disabled", cert.user));
    };
    if !permitted(&row.row.action, role, &row.row.actor, &row.row.record) {
        return invalid(format!("{} is certified as a {}, who may not {}", cert.user, role.label(), row.row.action));
    }
    if !identity::verifies(&cert.verifying_key, statement(&row.hash, &signed_content).as_bytes(), &signature) {
        return invalid(format!("the signature on audit row {seq} does not verify"));
    }
    if content.is_some_and(|c| c != signed_content) {
        return invalid(format!("{} was changed after {} signed it (audit row {seq})", row.row.record, cert.user));
    }
    Ok(SignatureCheck::Verified { signer: cert.user, role, key: identity::fingerprint(&cert.verifying_key) })
}

/// Every signed act from `trust.from_seq` on that does not hold, with why.
pub(crate) fn broken(conn: &Connection, trust: &Trust) -> Result<Vec<String>> {
    let names: Vec<String> = SIGNED.iter().map(|(a, _)| format!("'{a}'")).collect();
    let seqs: Vec<i64> = conn
        .prepare(&format!("SELECT seq FROM audit WHERE seq >= ?1 AND action IN ({}) ORDER BY seq", names.join(", ")))?
        .query_map([trust.from_seq], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut out = Vec::new();
    for seq in seqs {
        if let SignatureCheck::Invalid { reason } = check(conn, Some(trust), seq, None)? {
            out.push(reason);
        }
    }
    let unsigned_rows: Vec<i64> = conn
        .prepare("SELECT s.seq FROM signatures s LEFT JOIN audit a ON a.seq = s.seq WHERE a.seq IS NULL")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    out.extend(unsigned_rows.into_iter().map(|seq| format!("a signature names audit row {seq}, which is missing")));
    Ok(out)
}

/// The refusal for a user who holds no signing key.
pub(crate) fn no_key(user: &str) -> StoreError {
    StoreError::Forbidden(format!(
        "{user} has no signing key yet (the account was made by an earlier Tend, or its certificate does not \
         verify): ask an admin to reset {user}'s password"
    ))
}
