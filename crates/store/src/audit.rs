//! The audit trail: one row per write or export, appended in the same transaction as the change and chained by
//! SHA-256 so that editing, inserting or deleting a row is detected. Rows name records by id, never by content,
//! so erasing a person's records leaves the trail intact and free of their data.

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::Result;

/// One row of the audit trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditRow {
    /// Position in the chain, from 1.
    pub seq: i64,
    /// When (UTC, ISO 8601).
    pub at: String,
    /// Who.
    pub actor: String,
    /// What, e.g. `save_draft`, `review_approve`, `export_final`.
    pub action: String,
    /// Which record, e.g. `drafts/12`.
    pub record: String,
    /// Model and template versions for AI drafts; otherwise a short note with no personal content.
    pub detail: String,
}

/// The outcome of checking the audit chain, its signatures and the records they cover.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditCheck {
    /// Rows checked.
    pub rows: usize,
    /// The first row whose hash does not match its content or its predecessor, if any.
    pub first_bad_row: Option<i64>,
    /// Signatures, certificates and records that do not hold, each in a sentence.
    pub problems: Vec<String>,
    /// The newest row and the start of its hash: the head to write down or compare with an exported note.
    pub head: Option<Anchor>,
    /// The fingerprint of the root key that certifies every user (none for a database from before certificates
    /// until an admin signs in).
    pub root_key: Option<String>,
}

impl AuditCheck {
    /// True when the chain is unbroken and nothing else failed.
    pub fn intact(&self) -> bool {
        self.first_bad_row.is_none() && self.problems.is_empty()
    }
}

/// A point in the audit chain as exported notes carry it: "audit 57 8c1d2e3f4a5b6c7d".
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Anchor {
    /// The row.
    pub seq: i64,
    /// The first 16 hex digits of its hash.
    pub hash: String,
}

impl std::fmt::Display for Anchor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "audit {} {}", self.seq, self.hash)
    }
}

impl Anchor {
    /// Every anchor written in `text` (an exported note or a file of them).
    pub fn find_all(text: &str) -> Vec<Anchor> {
        let words: Vec<&str> = text.split_whitespace().collect();
        words
            .windows(3)
            .filter(|w| w[0] == "audit")
            .filter_map(|w| {
                let hash = w[2].trim_end_matches(['.', ',', ';', ')']);
                let hex = hash.len() == ANCHOR_HEX && hash.bytes().all(|b| b.is_ascii_hexdigit());
                Some(Anchor { seq: w[1].parse().ok()?, hash: hash.to_ascii_lowercase() }).filter(|_| hex)
            })
            .collect()
    }
}

/// Hex digits of a row's hash that an anchor carries: 64 bits, enough that no rewrite of history matches by chance.
const ANCHOR_HEX: usize = 16;

/// A stored row, its hash, and whether the hash matches its content and predecessor's hash.
pub(crate) struct StoredRow {
    pub(crate) row: AuditRow,
    pub(crate) hash: String,
    pub(crate) intact: bool,
}

/// An [`AuditRow`] from a query whose first columns are `seq, at, actor, action, record, detail`.
fn audit_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AuditRow> {
    Ok(AuditRow {
        seq: r.get(0)?,
        at: r.get(1)?,
        actor: r.get(2)?,
        action: r.get(3)?,
        record: r.get(4)?,
        detail: r.get(5)?,
    })
}

/// The row numbered `seq`.
pub(crate) fn row(conn: &Connection, seq: i64) -> Result<Option<StoredRow>> {
    let found = conn
        .query_row(
            "SELECT seq, at, actor, action, record, detail, prev_hash, hash FROM audit WHERE seq = ?1",
            [seq],
            |r| Ok((audit_row(r)?, r.get::<_, String>(6)?, r.get::<_, String>(7)?)),
        )
        .optional()?;
    Ok(found.map(|(row, prev, hash)| {
        let intact = hash == chain_hash(&prev, row.seq, [&row.at, &row.actor, &row.action, &row.record, &row.detail]);
        StoredRow { row, hash, intact }
    }))
}

/// The anchor of row `seq`.
pub(crate) fn anchor(conn: &Connection, seq: i64) -> Result<Option<Anchor>> {
    Ok(row(conn, seq)?.map(|r| Anchor { seq, hash: r.hash[..ANCHOR_HEX.min(r.hash.len())].to_owned() }))
}

/// Whether the chain holds the row an anchor names, with the same hash.
pub(crate) fn holds(conn: &Connection, anchor: &Anchor) -> Result<bool> {
    Ok(row(conn, anchor.seq)?.is_some_and(|r| r.hash.starts_with(&anchor.hash)))
}

fn chain_hash(prev: &str, seq: i64, fields: [&str; 5]) -> String {
    let mut h = Sha256::new();
    h.update(prev.as_bytes());
    h.update(seq.to_le_bytes());
    for f in fields {
        h.update((f.len() as u64).to_le_bytes());
        h.update(f.as_bytes());
    }
    crate::hex(&h.finalize())
}

/// Appends an audit row to the transaction's writes, chained to the previous row.
pub(crate) fn append(tx: &Connection, actor: &str, action: &str, record: &str, detail: &str) -> Result<()> {
    append_row(tx, actor, action, record, detail).map(drop)
}

/// [`append`], returning the row's number and hash.
pub(crate) fn append_row(
    tx: &Connection,
    actor: &str,
    action: &str,
    record: &str,
    detail: &str,
) -> Result<(i64, String)> {
    let (seq, prev, at): (i64, String, String) = tx.query_row(
        "SELECT coalesce(max(seq), 0) + 1, coalesce((SELECT hash FROM audit ORDER BY seq DESC LIMIT 1), ''),
                strftime('%Y-%m-%dT%H:%M:%fZ', 'now') FROM audit",
        [],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let hash = chain_hash(&prev, seq, [&at, actor, action, record, detail]);
    tx.execute(
        "INSERT INTO audit (seq, at, actor, action, record, detail, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![seq, at, actor, action, record, detail, prev, hash],
    )?;
    Ok((seq, hash))
}

/// The newest `limit` audit rows, newest first, by `actor` and about records starting with `record` when given.
pub(crate) fn recent(
    conn: &Connection,
    limit: usize,
    actor: Option<&str>,
    record: Option<&str>,
) -> Result<Vec<AuditRow>> {
    let mut stmt = conn.prepare(
        "SELECT seq, at, actor, action, record, detail FROM audit
         WHERE (?1 IS NULL OR actor = ?1) AND (?2 IS NULL OR record = ?2 OR record LIKE ?2 || '/%')
         ORDER BY seq DESC LIMIT ?3",
    )?;
    let rows = stmt.query_map(params![actor, record, limit as i64], audit_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Audit rows whose record is one of `records`, oldest first.
pub(crate) fn rows_for(conn: &Connection, records: &[String]) -> Result<Vec<AuditRow>> {
    let mut stmt = conn.prepare("SELECT seq, at, actor, action, record, detail FROM audit WHERE record = ?1")?;
    let mut out = Vec::new();
    for record in records {
        let rows = stmt.query_map([record], audit_row)?;
        out.extend(rows.collect::<rusqlite::Result<Vec<_>>>()?);
    }
    out.sort_by_key(|r| r.seq);
    Ok(out)
}

/// Recomputes the chain: the rows read and the first row that was changed, inserted or whose predecessor was
/// removed.
pub(crate) fn verify_chain(conn: &Connection) -> Result<(usize, Option<i64>)> {
    let mut stmt =
        conn.prepare("SELECT seq, at, actor, action, record, detail, prev_hash, hash FROM audit ORDER BY seq")?;
    let mut rows = stmt.query([])?;
    let (mut prev, mut count, mut expected_seq) = (String::new(), 0, 1);
    while let Some(r) = rows.next()? {
        let seq: i64 = r.get(0)?;
        let fields: [String; 5] = [r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?];
        let (prev_hash, hash): (String, String) = (r.get(6)?, r.get(7)?);
        count += 1;
        let fields = [fields[0].as_str(), &fields[1], &fields[2], &fields[3], &fields[4]];
        if seq != expected_seq || prev_hash != prev || hash != chain_hash(&prev, seq, fields) {
            return Ok((count, Some(seq)));
        }
        prev = hash;
        expected_seq += 1;
    }
    Ok((count, None))
}
