//! Each user's keys, and the certificates that bind them to a name and a role.
//!
//! A user holds two key pairs, both kept only wrapped by their password in the keyring: an Ed25519 key that signs
//! their accountable acts (reviews, submissions, amendments, settings, users), and an X25519 key to which the
//! database key is sealed, so that an admin can re-key the database for everyone without knowing their passwords.
//!
//! A certificate names a user, their role and their two public keys, and is signed by an admin whose own
//! certificate was current when they signed it; the first admin's certificate signs itself and is the root. The
//! root's public key is pinned in the keyring file and shown (as a fingerprint) for people to write down. Someone
//! who has only the database key can therefore read and write rows, but cannot make a signature or a certificate
//! that verifies.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use x25519_dalek::{PublicKey, StaticSecret};
use zeroize::Zeroizing;

use crate::error::{Result, StoreError};
use crate::{Role, hex, unhex};

/// A signed-in user's private keys.
pub(crate) struct Identity {
    signing: SigningKey,
    sealing: StaticSecret,
}

impl Identity {
    /// Fresh keys from the operating system's random source.
    pub(crate) fn generate() -> Self {
        let mut secrets = Zeroizing::new([0u8; 64]);
        rand::fill(&mut secrets[..]);
        Self::from_secrets(&secrets)
    }

    /// The keys from their 64 secret bytes (signing seed, then sealing secret).
    pub(crate) fn from_secrets(secrets: &[u8; 64]) -> Self {
        let mut seed = Zeroizing::new([0u8; 32]);
        let mut sealing = Zeroizing::new([0u8; 32]);
        seed.copy_from_slice(&secrets[..32]);
        sealing.copy_from_slice(&secrets[32..]);
        Self { signing: SigningKey::from_bytes(&seed), sealing: StaticSecret::from(*sealing) }
    }

    /// The 64 secret bytes, to be wrapped by the password.
    pub(crate) fn secrets(&self) -> Zeroizing<[u8; 64]> {
        let mut out = Zeroizing::new([0u8; 64]);
        out[..32].copy_from_slice(self.signing.as_bytes());
        out[32..].copy_from_slice(self.sealing.as_bytes());
        out
    }

    /// The public half of each key, hex.
    pub(crate) fn public(&self) -> (String, String) {
        (hex(self.signing.verifying_key().as_bytes()), hex(PublicKey::from(&self.sealing).as_bytes()))
    }

    /// Signs `message`; hex.
    pub(crate) fn sign(&self, message: &[u8]) -> String {
        hex(&self.signing.sign(message).to_bytes())
    }

    /// Opens a database key sealed to this identity.
    pub(crate) fn open(&self, sealed: &Sealed, context: &[u8]) -> Option<[u8; 32]> {
        let ephemeral: [u8; 32] = unhex(&sealed.ephemeral)?.try_into().ok()?;
        let ephemeral = PublicKey::from(ephemeral);
        let shared = self.sealing.diffie_hellman(&ephemeral);
        let kek = seal_key(shared.as_bytes(), &ephemeral, &PublicKey::from(&self.sealing));
        let nonce = unhex(&sealed.nonce).filter(|n| n.len() == 24)?;
        let cipher = XChaCha20Poly1305::new(Key::from_slice(&kek[..]));
        let key = cipher
            .decrypt(XNonce::from_slice(&nonce), Payload { msg: &unhex(&sealed.ciphertext)?, aad: context })
            .ok()?;
        key.try_into().ok()
    }
}

/// A database key sealed to one user's X25519 public key (an ephemeral key agreement, then XChaCha20-Poly1305).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Sealed {
    ephemeral: String,
    nonce: String,
    ciphertext: String,
}

fn seal_key(shared: &[u8; 32], ephemeral: &PublicKey, recipient: &PublicKey) -> Zeroizing<[u8; 32]> {
    let mut h = Sha256::new();
    h.update(b"tend seal v1\0");
    h.update(shared);
    h.update(ephemeral.as_bytes());
    h.update(recipient.as_bytes());
    Zeroizing::new(h.finalize().into())
}

/// Seals `key` to the X25519 public key `recipient` (hex), authenticated with `context`.
pub(crate) fn seal(key: &[u8; 32], recipient: &str, context: &[u8]) -> Result<Sealed> {
    let bad = || StoreError::Corrupt("a certificate's sealing key is not a public key".into());
    let recipient: [u8; 32] = unhex(recipient).and_then(|k| k.try_into().ok()).ok_or_else(bad)?;
    let recipient = PublicKey::from(recipient);
    let mut ephemeral_secret = Zeroizing::new([0u8; 32]);
    rand::fill(&mut ephemeral_secret[..]);
    let ephemeral_secret = StaticSecret::from(*ephemeral_secret);
    let ephemeral = PublicKey::from(&ephemeral_secret);
    let kek = seal_key(ephemeral_secret.diffie_hellman(&recipient).as_bytes(), &ephemeral, &recipient);
    let nonce: [u8; 24] = rand::random();
    let cipher = XChaCha20Poly1305::new(Key::from_slice(&kek[..]));
    let ciphertext = cipher
        .encrypt(XNonce::from_slice(&nonce), Payload { msg: key, aad: context })
        .map_err(|e| StoreError::Crypto(e.to_string()))?;
    Ok(Sealed { ephemeral: hex(ephemeral.as_bytes()), nonce: hex(&nonce), ciphertext: hex(&ciphertext) })
}

/// Checks an Ed25519 signature (hex) by the public key `verifying` (hex) over `message`.
pub(crate) fn verifies(verifying: &str, message: &[u8], signature: &str) -> bool {
    let key =
        unhex(verifying).and_then(|k| <[u8; 32]>::try_from(k).ok()).and_then(|k| VerifyingKey::from_bytes(&k).ok());
    let signature = unhex(signature).and_then(|s| <[u8; 64]>::try_from(s).ok()).map(|s| Signature::from_bytes(&s));
    match (key, signature) {
        (Some(key), Some(signature)) => key.verify(message, &signature).is_ok(),
        _ => false,
    }
}

/// A short, readable fingerprint of a public key (hex): the first 16 hex digits of its SHA-256, in groups of four.
pub fn fingerprint(public_key_hex: &str) -> String {
    let digest = hex(&Sha256::digest(public_key_hex.as_bytes()));
    digest.as_bytes()[..16].chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join(" ")
}

/// SHA-256 of `parts`, each length-prefixed, hex.
pub(crate) fn digest(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for part in parts {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    hex(&h.finalize())
}

/// What a user may do according to their certificate; `Disabled` and `Removed` are certificates that withdraw a
/// user's keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CertRole {
    /// A working role.
    Active(Role),
    /// The user was disabled: their keys sign nothing from then on, and an admin may enable them again, in the
    /// role they had, with a new password.
    Disabled(Role),
    /// The user was removed: their keys sign nothing from then on.
    Removed,
}

impl CertRole {
    fn as_str(self) -> &'static str {
        match self {
            CertRole::Active(role) => role.as_str(),
            CertRole::Disabled(Role::CareWorker) => "disabled:care_worker",
            CertRole::Disabled(Role::Manager) => "disabled:manager",
            CertRole::Disabled(Role::Admin) => "disabled:admin",
            CertRole::Removed => "removed",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        match text.strip_prefix("disabled:") {
            _ if text == "removed" => Some(CertRole::Removed),
            Some(role) => Role::parse(role).map(CertRole::Disabled),
            None => Role::parse(text).map(CertRole::Active),
        }
    }
}

/// A certificate as stored, verified or not.
#[derive(Debug, Clone)]
pub(crate) struct Certificate {
    pub(crate) id: i64,
    pub(crate) user: String,
    pub(crate) role: CertRole,
    pub(crate) verifying_key: String,
    pub(crate) sealing_key: String,
    issuer: Option<i64>,
    /// The audit row of the act that issued it; from this row on it replaces its user's earlier certificates.
    pub(crate) seq: i64,
    issued_at: String,
    signature: String,
}

impl Certificate {
    /// What the issuer signs.
    fn statement(&self) -> String {
        let issuer = self.issuer.map_or_else(|| "root".to_owned(), |i| i.to_string());
        digest(&[
            "tend certificate v1",
            &self.user,
            self.role.as_str(),
            &self.verifying_key,
            &self.sealing_key,
            &issuer,
            &self.seq.to_string(),
            &self.issued_at,
        ])
    }
}

fn load(conn: &Connection, id: i64) -> Result<Option<Certificate>> {
    let sql = "SELECT id, user, role, verifying_key, sealing_key, issuer, seq, issued_at, signature FROM certificates
               WHERE id = ?1";
    let cert = conn.query_row(sql, [id], |r| {
        Ok(Certificate {
            id: r.get(0)?,
            user: r.get(1)?,
            // The schema allows only known roles; an unknown one could only be written around it: treat it as
            // removed.
            role: CertRole::parse(&r.get::<_, String>(2)?).unwrap_or(CertRole::Removed),
            verifying_key: r.get(3)?,
            sealing_key: r.get(4)?,
            issuer: r.get(5)?,
            seq: r.get(6)?,
            issued_at: r.get(7)?,
            signature: r.get(8)?,
        })
    });
    Ok(cert.optional()?)
}

/// Why a certificate does not verify, or `Ok` with it.
pub(crate) fn verify_certificate(
    conn: &Connection,
    root: &str,
    id: i64,
) -> Result<std::result::Result<Certificate, String>> {
    let mut chain = Vec::new();
    let mut next = Some(id);
    while let Some(id) = next {
        if chain.len() > 64 || chain.iter().any(|c: &Certificate| c.id == id) {
            return Ok(Err(format!("certificate {id} is part of a loop")));
        }
        let Some(cert) = load(conn, id)? else {
            return Ok(Err(format!("certificate {id} is missing")));
        };
        next = cert.issuer;
        chain.push(cert);
    }
    // From the root down: each issuer was an admin (or the same user keeping their role, when they change their
    // own password) and its user's current certificate when it signed (a later one replaces it).
    for (i, cert) in chain.iter().enumerate().rev() {
        let issuer = chain.get(i + 1);
        let signer = match issuer {
            None if cert.verifying_key == root => &cert.verifying_key,
            None => {
                return Ok(Err(format!(
                    "certificate {} claims to be the root but is not the pinned root key",
                    cert.id
                )));
            }
            Some(issuer) => {
                let rotation = issuer.user == cert.user && issuer.role == cert.role;
                if issuer.role != CertRole::Active(Role::Admin) && !rotation {
                    return Ok(Err(format!(
                        "certificate {} was issued by {}, who was not an admin",
                        cert.id, issuer.user
                    )));
                }
                let superseded: bool = conn.query_row(
                    "SELECT count(*) > 0 FROM certificates WHERE user = ?1 AND id > ?2 AND id < ?3",
                    params![issuer.user, issuer.id, cert.id],
                    |r| r.get(0),
                )?;
                if superseded {
                    return Ok(Err(format!(
                        "certificate {} was issued with a key of {} that had already been replaced",
                        cert.id, issuer.user
                    )));
                }
                &issuer.verifying_key
            }
        };
        if !verifies(signer, cert.statement().as_bytes(), &cert.signature) {
            return Ok(Err(format!("certificate {} ({}) does not carry a valid signature", cert.id, cert.user)));
        }
    }
    Ok(Ok(chain.swap_remove(0)))
}

/// The newest certificate of `user` that verifies.
pub(crate) fn current(conn: &Connection, root: &str, user: &str) -> Result<Option<Certificate>> {
    let ids: Vec<i64> = conn
        .prepare("SELECT id FROM certificates WHERE user = ?1 ORDER BY id DESC")?
        .query_map([user], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for id in ids {
        if let Ok(cert) = verify_certificate(conn, root, id)? {
            return Ok(Some(cert));
        }
    }
    Ok(None)
}

/// Every certificate that does not verify, with why.
pub(crate) fn broken_certificates(conn: &Connection, root: &str) -> Result<Vec<String>> {
    let ids: Vec<i64> = conn
        .prepare("SELECT id FROM certificates ORDER BY id")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut out = Vec::new();
    for id in ids {
        if let Err(why) = verify_certificate(conn, root, id)? {
            out.push(why);
        }
    }
    Ok(out)
}

/// Issues a certificate for `user` with `role` and the public keys `public`, signed by `issuer` (whose current
/// certificate is `issuer_cert`, or none for the root, which signs itself), in the transaction whose next audit
/// row records it. Returns its id and statement.
pub(crate) fn issue(
    tx: &Connection,
    issuer: &Identity,
    issuer_cert: Option<i64>,
    user: &str,
    role: CertRole,
    public: &(String, String),
) -> Result<(i64, String)> {
    let (seq, issued_at): (i64, String) =
        tx.query_row("SELECT coalesce(max(seq), 0) + 1, strftime('%Y-%m-%dT%H:%M:%fZ', 'now') FROM audit", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
    let mut cert = Certificate {
        id: 0,
        user: user.to_owned(),
        role,
        verifying_key: public.0.clone(),
        sealing_key: public.1.clone(),
        issuer: issuer_cert,
        seq,
        issued_at,
        signature: String::new(),
    };
    let statement = cert.statement();
    cert.signature = issuer.sign(statement.as_bytes());
    tx.execute(
        "INSERT INTO certificates (user, role, verifying_key, sealing_key, issuer, seq, issued_at, signature)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            cert.user,
            role.as_str(),
            cert.verifying_key,
            cert.sealing_key,
            cert.issuer,
            cert.seq,
            cert.issued_at,
            cert.signature
        ],
    )?;
    Ok((tx.last_insert_rowid(), statement))
}

/// The root certificate (the one that signs itself with the pinned root key), if the database has one.
pub(crate) fn root_certificate(conn: &Connection, root: &str) -> Result<Option<Certificate>> {
    let id: Option<i64> = conn
        .query_row(
            "SELECT id FROM certificates WHERE issuer IS NULL AND verifying_key = ?1 ORDER BY id LIMIT 1",
            [root],
            |r| r.get(0),
        )
        .optional()?;
    match id {
        Some(id) => Ok(verify_certificate(conn, root, id)?.ok()),
        None => Ok(None),
    }
}
