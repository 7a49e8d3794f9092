//! The audit trail: one row per write or export, appended in the same transaction as the change and chained by
//! SHA-256 so that editing, inserting or deleting a row is detected. Rows name records by id, never by content,
//! so erasing a person's records leaves the trail intact and free of their data.

use rusqlite::{Connection, Transaction, params};
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

/// The outcome of checking the audit chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditCheck {
    /// Rows checked.
    pub rows: usize,
    /// The first row whose hash does not match its content or its predecessor, if any.
    pub first_bad_row: Option<i64>,
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
pub(crate) fn append(tx: &Transaction<'_>, actor: &str, action: &str, record: &str, detail: &str) -> Result<()> {
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
    Ok(())
}

/// Audit rows whose record is one of `records`, oldest first.
pub(crate) fn rows_for(conn: &Connection, records: &[String]) -> Result<Vec<AuditRow>> {
    let mut stmt = conn.prepare("SELECT seq, at, actor, action, record, detail FROM audit WHERE record = ?1")?;
    let mut out = Vec::new();
    for record in records {
        let rows = stmt.query_map([record], |r| {
            Ok(AuditRow {
                seq: r.get(0)?,
                at: r.get(1)?,
                actor: r.get(2)?,
                action: r.get(3)?,
                record: r.get(4)?,
                detail: r.get(5)?,
            })
        })?;
        out.extend(rows.collect::<rusqlite::Result<Vec<_>>>()?);
    }
    out.sort_by_key(|r| r.seq);
    Ok(out)
}

/// Recomputes the chain and reports the first row that was changed, inserted or whose predecessor was removed.
pub(crate) fn verify(conn: &Connection) -> Result<AuditCheck> {
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
            return Ok(AuditCheck { rows: count, first_bad_row: Some(seq) });
        }
        prev = hash;
        expected_seq += 1;
    }
    Ok(AuditCheck { rows: count, first_bad_row: None })
}
