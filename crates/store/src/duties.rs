//! Data protection duties: retention of source shorthand and rejected drafts, erasure of a person's records,
//! and subject access export.

use rusqlite::params;
use serde::Serialize;

use crate::acts;
use crate::audit::{self, AuditRow};
use crate::error::{Result, StoreError};
use crate::identity::digest;
use crate::records::{DRAFT_SELECT, INCIDENT_COLUMNS, draft_row, incident_row};
use crate::{DraftRecord, FinalNote, Incident, Person, ReviewRecord, Role, Store};

/// What one run of the retention policy removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct RetentionReport {
    /// Approved drafts whose source shorthand was blanked.
    pub sources_purged: usize,
    /// Rejected drafts deleted.
    pub rejected_deleted: usize,
}

/// Everything Tend holds about one person, for a subject access request.
#[derive(Debug, Clone, Serialize)]
pub struct PersonExport {
    /// The person.
    pub person: Person,
    /// Every draft about them, with its reviews.
    pub drafts: Vec<(DraftRecord, Vec<ReviewRecord>)>,
    /// Final notes and amendments.
    pub finals: Vec<FinalNote>,
    /// AI-error reports about them or their drafts.
    pub incidents: Vec<Incident>,
    /// The audit rows about these records.
    pub audit: Vec<AuditRow>,
}

impl PersonExport {
    /// The export as readable text.
    pub fn to_text(&self) -> String {
        use std::fmt::Write;
        let mut out = String::new();
        let p = &self.person;
        let _ = writeln!(out, "Records held by Tend about {} (identifier {})\n", p.preferred_name, p.identifier);
        let _ = writeln!(out, "== Final notes ({}) ==", self.finals.len());
        for f in &self.finals {
            let what = f.amends.map_or_else(String::new, |a| format!(", amends note {a}: {}", f.reason));
            let _ = writeln!(out, "\n-- Note {} ({} {}{what}) --\n{}", f.id, f.reviewer, f.reviewed_at, f.text.trim());
        }
        let _ = writeln!(out, "\n== Drafts ({}) ==", self.drafts.len());
        for (d, reviews) in &self.drafts {
            let _ = writeln!(
                out,
                "\n-- Draft {} ({}, by {}, {}, status {}) --",
                d.id, d.task, d.author, d.created_at, d.status
            );
            let _ = writeln!(out, "What the worker wrote:\n{}\n", d.source_text.trim());
            let _ = writeln!(out, "What the AI drafted:\n{}\n", d.ai_text.trim());
            let _ = writeln!(out, "The edited text:\n{}\n", d.edited_text.trim());
            let _ = writeln!(out, "Checks' findings: {}", d.findings);
            let _ = writeln!(out, "How it was made: {}", d.provenance);
            for r in reviews {
                let _ = writeln!(out, "Review: {} by {} at {}: {}", r.decision, r.reviewer, r.at, r.comment);
            }
        }
        let _ = writeln!(out, "\n== Reports of AI errors ({}) ==", self.incidents.len());
        for i in &self.incidents {
            let _ = writeln!(out, "{} by {}: {} [{}] {}", i.at, i.reporter, i.description, i.status, i.outcome);
        }
        let _ = writeln!(out, "\n== Audit trail ({} rows) ==", self.audit.len());
        for a in &self.audit {
            let _ = writeln!(out, "{} {} {} {} {}", a.at, a.actor, a.action, a.record, a.detail);
        }
        out
    }
}

impl Store {
    /// Days that source shorthand and rejected drafts are kept.
    pub fn retention_days(&self) -> Result<u32> {
        self.setting("retention_days")?
            .parse()
            .map_err(|_| StoreError::Corrupt("retention_days is not a number".into()))
    }

    /// Sets how many days source shorthand and rejected drafts are kept (admins only; at least 1).
    pub fn set_retention_days(&mut self, days: u32) -> Result<()> {
        self.require(&[Role::Admin], "change settings")?;
        if days == 0 {
            return Err(StoreError::Invalid("keep source notes for at least 1 day".into()));
        }
        self.set_setting("retention_days", &days.to_string())
    }

    /// Applies the retention policy: deletes rejected drafts and blanks the source shorthand of approved ones
    /// once they are older than the retention period. Final notes are kept. Runs at sign-in.
    pub fn apply_retention(&mut self) -> Result<RetentionReport> {
        self.apply_retention_days_ahead(0)
    }

    /// Applies the retention policy as it will stand `days` from now (for tests of the policy).
    #[doc(hidden)]
    pub fn apply_retention_days_ahead(&mut self, days: u32) -> Result<RetentionReport> {
        let cutoff = format!("{} days", i64::from(days) - i64::from(self.retention_days()?));
        let report = self.write(|tx, me| {
            let rejected = "SELECT id FROM drafts WHERE status = 'rejected' AND updated_at < datetime('now', ?1)";
            tx.execute(&format!("DELETE FROM finding_acks WHERE draft_id IN ({rejected})"), [&cutoff])?;
            tx.execute(&format!("DELETE FROM reviews WHERE draft_id IN ({rejected})"), [&cutoff])?;
            // A report about a deleted draft keeps the person it concerned, so it stays in their records.
            tx.execute(
                &format!(
                    "UPDATE incidents SET person_id = coalesce(person_id,
                        (SELECT person_id FROM drafts WHERE id = incidents.draft_id)), draft_id = NULL
                     WHERE draft_id IN ({rejected})"
                ),
                [&cutoff],
            )?;
            let rejected_deleted = tx.execute(&format!("DELETE FROM drafts WHERE id IN ({rejected})"), [&cutoff])?;
            let sources_purged = tx.execute(
                "UPDATE drafts SET source_text = '' WHERE source_text <> '' AND status = 'approved'
                 AND updated_at < datetime('now', ?1)",
                [&cutoff],
            )?;
            let report = RetentionReport { sources_purged, rejected_deleted };
            if report != RetentionReport::default() {
                let detail = format!("{sources_purged} sources purged, {rejected_deleted} rejected drafts deleted");
                audit::append(tx, me, "retention", "drafts", &detail)?;
            }
            Ok(report)
        })?;
        if report != RetentionReport::default() {
            self.checkpoint()?;
        }
        Ok(report)
    }

    /// Erases everything about a person on their request (admins only): drafts, reviews, final notes,
    /// amendments, incidents and the person. Deleted pages are overwritten and the write-ahead log is emptied.
    /// The audit trail keeps its rows, which name records only by number.
    pub fn erase_person(&mut self, person_id: i64) -> Result<()> {
        self.require(&[Role::Admin], "erase records")?;
        self.write_signed(|tx, signer, me| {
            let exists: bool =
                tx.query_row("SELECT count(*) > 0 FROM people WHERE id = ?1", [person_id], |r| r.get(0))?;
            if !exists {
                return Err(StoreError::NotFound(format!("person {person_id}")));
            }
            tx.execute(
                "INSERT INTO erasures (person_id, by, at) VALUES (?1, ?2, datetime('now'))",
                params![person_id, me],
            )?;
            let drafts = "SELECT id FROM drafts WHERE person_id = ?1";
            tx.execute(&format!("DELETE FROM finding_acks WHERE draft_id IN ({drafts})"), [person_id])?;
            tx.execute(&format!("DELETE FROM reviews WHERE draft_id IN ({drafts})"), [person_id])?;
            tx.execute(&format!("DELETE FROM incidents WHERE person_id = ?1 OR draft_id IN ({drafts})"), [person_id])?;
            // Amendments first: they point at the notes they correct.
            tx.execute("DELETE FROM finals WHERE person_id = ?1 AND amends IS NOT NULL", [person_id])?;
            tx.execute("DELETE FROM finals WHERE person_id = ?1", [person_id])?;
            tx.execute("DELETE FROM drafts WHERE person_id = ?1", [person_id])?;
            tx.execute("DELETE FROM assignments WHERE person_id = ?1", [person_id])?;
            tx.execute("DELETE FROM people WHERE id = ?1", [person_id])?;
            let content = digest(&["erase", &person_id.to_string()]);
            acts::record(tx, signer, me, "erase_person", &format!("people/{person_id}"), "", &content).map(drop)
        })?;
        self.checkpoint()
    }

    /// Copies the write-ahead log into the database and empties it, so no old page lingers beside the file.
    fn checkpoint(&self) -> Result<()> {
        self.conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }

    /// Everything about one person, drafts and provenance included, for a subject access request (managers and
    /// admins). The export is audited.
    pub fn export_person(&mut self, person_id: i64) -> Result<PersonExport> {
        self.require(&[Role::Manager, Role::Admin], "export a person's records")?;
        let person = self
            .people()?
            .into_iter()
            .find(|p| p.id == person_id)
            .ok_or_else(|| StoreError::NotFound(format!("person {person_id}")))?;
        let export = self.gather(person)?;
        self.write(|tx, me| audit::append(tx, me, "export_person", &format!("people/{person_id}"), ""))?;
        Ok(export)
    }

    fn gather(&self, person: Person) -> Result<PersonExport> {
        let person_id = person.id;
        let mut stmt = self.conn.prepare(&format!("{DRAFT_SELECT} WHERE d.person_id = ?1 ORDER BY d.id"))?;
        let records: Vec<DraftRecord> = stmt.query_map([person_id], draft_row)?.collect::<rusqlite::Result<_>>()?;
        let mut drafts = Vec::with_capacity(records.len());
        for d in records {
            let reviews = self.reviews(d.id)?;
            drafts.push((d, reviews));
        }
        let finals: Vec<FinalNote> = self.finals_where("f.person_id = ?1", person_id)?;
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {INCIDENT_COLUMNS} FROM incidents
             WHERE person_id = ?1 OR draft_id IN (SELECT id FROM drafts WHERE person_id = ?1) ORDER BY id"
        ))?;
        let incidents: Vec<Incident> = stmt.query_map([person_id], incident_row)?.collect::<rusqlite::Result<_>>()?;
        let records: Vec<String> = std::iter::once(format!("people/{person_id}"))
            .chain(drafts.iter().map(|(d, _)| format!("drafts/{}", d.id)))
            .chain(finals.iter().map(|f| format!("finals/{}", f.id)))
            .chain(incidents.iter().map(|i| format!("incidents/{}", i.id)))
            .collect();
        let audit = audit::rows_for(&self.conn, &records)?;
        Ok(PersonExport { person, drafts, finals, incidents, audit })
    }
}
