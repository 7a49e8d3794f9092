//! People supported, drafts, reviews, final notes, amendments and AI-error incidents: the writes that the review
//! gate watches, each with its audit row in the same transaction.

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};

use crate::acts::{self, SignatureCheck};
use crate::error::{Result, StoreError};
use crate::identity::digest;
use crate::{Anchor, Role, Store, audit};

/// A person supported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Person {
    /// Their id in this database.
    pub id: i64,
    /// The name they like to be called.
    pub preferred_name: String,
    /// The care record system's identifier for them.
    pub identifier: String,
}

/// A manager's decision on a submitted draft.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// The draft becomes a final note.
    Approve,
    /// Back to the author with a comment saying what to change.
    Return,
    /// Closed without a note.
    Reject,
}

/// A draft as the worker saves it.
#[derive(Debug, Clone)]
pub struct NewDraft<'a> {
    /// Whom the note is about.
    pub person_id: i64,
    /// The task's name (e.g. `care-note`).
    pub task: &'a str,
    /// What the worker wrote.
    pub source_text: &'a str,
    /// What the model drafted.
    pub ai_text: &'a str,
    /// The checks' findings, a JSON array.
    pub findings_json: &'a str,
    /// Model, template, settings and timings, JSON.
    pub provenance_json: &'a str,
}

/// A stored draft.
#[derive(Debug, Clone, Serialize)]
pub struct DraftRecord {
    /// Its id.
    pub id: i64,
    /// Whom it is about.
    pub person_id: i64,
    /// Their preferred name.
    pub person_name: String,
    /// Who wrote it.
    pub author: String,
    /// The task.
    pub task: String,
    /// The worker's text (empty once the retention period has passed).
    pub source_text: String,
    /// The model's draft.
    pub ai_text: String,
    /// The worker's edited text.
    pub edited_text: String,
    /// The checks' findings, as saved (a JSON array).
    pub findings: serde_json::Value,
    /// Model, template, settings and timings, as saved.
    pub provenance: serde_json::Value,
    /// `draft`, `submitted`, `approved`, `returned` or `rejected`.
    pub status: String,
    /// Which findings have been acknowledged, by index.
    pub acknowledged_findings: Vec<usize>,
    /// How many findings there are.
    pub finding_count: usize,
    /// True until a manager approves it.
    pub review_required: bool,
    /// The latest reviewer's comment, e.g. what to change in a returned draft.
    pub review_comment: Option<String>,
    /// For a submitted draft, whether its author's signature holds over the text as it is now.
    pub submission: Option<SignatureCheck>,
    /// When it was saved (UTC).
    pub created_at: String,
    /// When it last changed (UTC).
    pub updated_at: String,
}

/// One review of a draft.
#[derive(Debug, Clone, Serialize)]
pub struct ReviewRecord {
    /// The reviewer.
    pub reviewer: String,
    /// `approve`, `return` or `reject`.
    pub decision: String,
    /// What they said.
    pub comment: String,
    /// When (UTC).
    pub at: String,
}

/// A final note: reviewed and append-only. An amendment is a final note that corrects an earlier one.
#[derive(Debug, Clone, Serialize)]
pub struct FinalNote {
    /// Its id.
    pub id: i64,
    /// Whom it is about.
    pub person_id: i64,
    /// The draft it came from (none for an amendment).
    pub draft_id: Option<i64>,
    /// The note.
    pub text: String,
    /// Who reviewed it (for an amendment, who wrote it).
    pub reviewer: String,
    /// Whether the approval (or amendment) is signed by the reviewer's certified key over this text.
    pub signature: SignatureCheck,
    /// The audit row of the approval (or amendment), as exported notes carry it.
    pub anchor: Option<Anchor>,
    /// When (UTC).
    pub reviewed_at: String,
    /// The note this one corrects.
    pub amends: Option<i64>,
    /// Why, for an amendment.
    pub reason: String,
}

/// A report of an AI error.
#[derive(Debug, Clone, Serialize)]
pub struct Incident {
    /// Its id.
    pub id: i64,
    /// The person, if it concerns one.
    pub person_id: Option<i64>,
    /// The draft, if it concerns one.
    pub draft_id: Option<i64>,
    /// Who reported it.
    pub reporter: String,
    /// What went wrong.
    pub description: String,
    /// When (UTC).
    pub at: String,
    /// `new`, `looked_into` or `closed`.
    pub status: String,
    /// What the manager did about it.
    pub outcome: String,
}

pub(crate) const DRAFT_SELECT: &str = "SELECT d.id, d.person_id, p.preferred_name, d.author, d.task, d.source_text,
    d.ai_text, d.edited_text, d.findings_json, d.provenance_json, d.status,
    (SELECT json_group_array(finding_index) FROM (SELECT finding_index FROM finding_acks a
        WHERE a.draft_id = d.id ORDER BY finding_index)), json_array_length(d.findings_json),
    (SELECT comment FROM reviews r WHERE r.draft_id = d.id ORDER BY r.id DESC LIMIT 1), d.created_at, d.updated_at
    FROM drafts d JOIN people p ON p.id = d.person_id";

fn json_column(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<serde_json::Value> {
    let text: String = r.get(i)?;
    serde_json::from_str(&text)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e)))
}

pub(crate) fn draft_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<DraftRecord> {
    let status: String = r.get(10)?;
    let acknowledged_findings: Vec<usize> = serde_json::from_value(json_column(r, 11)?)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(11, rusqlite::types::Type::Text, Box::new(e)))?;
    Ok(DraftRecord {
        id: r.get(0)?,
        person_id: r.get(1)?,
        person_name: r.get(2)?,
        author: r.get(3)?,
        task: r.get(4)?,
        source_text: r.get(5)?,
        ai_text: r.get(6)?,
        edited_text: r.get(7)?,
        findings: json_column(r, 8)?,
        provenance: json_column(r, 9)?,
        review_required: status != "approved",
        status,
        acknowledged_findings,
        finding_count: r.get(12)?,
        review_comment: r.get::<_, Option<String>>(13)?.filter(|c| !c.is_empty()),
        submission: None,
        created_at: r.get(14)?,
        updated_at: r.get(15)?,
    })
}

const FINAL_SELECT: &str =
    "SELECT f.id, f.person_id, f.draft_id, f.text, f.reviewer, f.reviewed_at, f.amends, f.reason FROM finals f";

/// What a reviewer's signature on a review covers: the draft, the decision, the comment, the text as it was
/// approved and the findings acknowledged.
fn review_content(id: i64, decision: &str, comment: &str, text: &str, acknowledged: &str) -> String {
    digest(&["review", &id.to_string(), decision, comment, text, acknowledged])
}

/// What an amendment's signature covers.
fn amendment_content(amends: i64, text: &str, reason: &str) -> String {
    digest(&["amend", &amends.to_string(), text, reason])
}

/// What an author's signature on a submission covers.
fn submission_content(id: i64, text: &str, findings_json: &str) -> String {
    digest(&["submit", &id.to_string(), text, findings_json])
}

/// The findings of draft `id` acknowledged so far, as the review signs them.
fn acknowledged_json(conn: &Connection, id: i64) -> Result<String> {
    Ok(conn.query_row(
        "SELECT coalesce(json_group_array(finding_index), '[]') FROM
         (SELECT finding_index FROM finding_acks WHERE draft_id = ?1 ORDER BY finding_index)",
        [id],
        |r| r.get(0),
    )?)
}

impl Store {
    /// Final notes matching `condition` (SQL on `f`, with `?1`), each with its signature checked.
    pub(crate) fn finals_where(&self, condition: &str, param: i64) -> Result<Vec<FinalNote>> {
        let mut stmt = self.conn.prepare(&format!("{FINAL_SELECT} WHERE {condition} ORDER BY f.id"))?;
        let mut notes: Vec<FinalNote> = stmt
            .query_map([param], |r| {
                Ok(FinalNote {
                    id: r.get(0)?,
                    person_id: r.get(1)?,
                    draft_id: r.get(2)?,
                    text: r.get(3)?,
                    reviewer: r.get(4)?,
                    reviewed_at: r.get(5)?,
                    amends: r.get(6)?,
                    reason: r.get(7)?,
                    // Checked below.
                    signature: SignatureCheck::Invalid { reason: "not checked".into() },
                    anchor: None,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        for note in &mut notes {
            (note.signature, note.anchor) = self.final_signature(note)?;
        }
        Ok(notes)
    }

    /// Checks the signed act that made a final note: the approval of its draft, or the amendment.
    fn final_signature(&self, note: &FinalNote) -> Result<(SignatureCheck, Option<Anchor>)> {
        let id = note.id;
        let (seq, content) = match (note.draft_id, note.amends) {
            (Some(draft), _) => {
                let (draft_kept, approved): (bool, bool) = self.conn.query_row(
                    "SELECT EXISTS (SELECT 1 FROM drafts WHERE id = ?1 AND status = 'approved'),
                            EXISTS (SELECT 1 FROM reviews WHERE draft_id = ?1 AND decision = 'approve')",
                    [draft],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )?;
                if !draft_kept || !approved {
                    let gone = if draft_kept { "approving review" } else { "approved draft" };
                    let reason = format!("the {gone} of note {id} (draft {draft}) was deleted or changed");
                    return Ok((SignatureCheck::Invalid { reason }, None));
                }
                let comment: Option<String> = self
                    .conn
                    .query_row(
                        "SELECT comment FROM reviews WHERE draft_id = ?1 AND decision = 'approve' ORDER BY id DESC",
                        [draft],
                        |r| r.get(0),
                    )
                    .optional()?;
                let content = review_content(
                    draft,
                    "approve",
                    comment.as_deref().unwrap_or(""),
                    &note.text,
                    &acknowledged_json(&self.conn, draft)?,
                );
                (acts::latest(&self.conn, "review_approve", &format!("drafts/{draft}"))?, content)
            }
            (None, Some(original)) => (
                acts::latest(&self.conn, "amend_final", &format!("finals/{id}"))?,
                amendment_content(original, &note.text, &note.reason),
            ),
            (None, None) => (None, String::new()),
        };
        let Some(seq) = seq else {
            let check = match &self.trust {
                None => SignatureCheck::BeforeSigning,
                Some(_) => SignatureCheck::Invalid { reason: format!("note {id} has no approval in the audit trail") },
            };
            return Ok((check, None));
        };
        let mut check = acts::check(&self.conn, self.trust.as_ref(), seq, Some(&content))?;
        if let SignatureCheck::Verified { signer, .. } = &check
            && *signer != note.reviewer
        {
            check = SignatureCheck::Invalid {
                reason: format!("note {id} names {} as its reviewer, but {signer} signed it", note.reviewer),
            };
        }
        Ok((check, audit::anchor(&self.conn, seq)?))
    }

    /// Whether a submitted draft's author signed the text it holds now.
    fn submission_signature(&self, id: i64) -> Result<SignatureCheck> {
        let (text, findings): (String, String) =
            self.conn.query_row("SELECT edited_text, findings_json FROM drafts WHERE id = ?1", [id], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?;
        match acts::latest(&self.conn, "submit_draft", &format!("drafts/{id}"))? {
            Some(seq) => {
                acts::check(&self.conn, self.trust.as_ref(), seq, Some(&submission_content(id, &text, &findings)))
            }
            None if self.trust.is_none() => Ok(SignatureCheck::BeforeSigning),
            None => Ok(SignatureCheck::Invalid { reason: format!("draft {id} was never submitted in Tend") }),
        }
    }

    /// Final notes and submitted drafts that are not what their signer signed, each in a sentence.
    pub(crate) fn records_not_as_signed(&self) -> Result<Vec<String>> {
        let mut out = Vec::new();
        for note in self.finals_where("1 = ?1", 1)? {
            if let SignatureCheck::Invalid { reason } = note.signature {
                out.push(reason);
            }
        }
        let submitted: Vec<i64> = self
            .conn
            .prepare("SELECT id FROM drafts WHERE status = 'submitted' ORDER BY id")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        for id in submitted {
            if let SignatureCheck::Invalid { reason } = self.submission_signature(id)? {
                out.push(reason);
            }
        }
        // An erasure row lets final notes be deleted: each must come from an admin's signed erasure.
        let erased: Vec<i64> = self
            .conn
            .prepare("SELECT person_id FROM erasures ORDER BY person_id")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        for person in erased {
            let content = digest(&["erase", &person.to_string()]);
            let check = match acts::latest(&self.conn, "erase_person", &format!("people/{person}"))? {
                Some(seq) => acts::check(&self.conn, self.trust.as_ref(), seq, Some(&content))?,
                None => SignatureCheck::Invalid { reason: "no erasure in the audit trail".into() },
            };
            if let SignatureCheck::Invalid { reason } = check {
                out.push(format!("an erasure of person {person} is recorded that no admin signed ({reason})"));
            }
        }
        Ok(out)
    }

    /// A draft record with its submission's signature checked, when it is submitted.
    fn with_submission(&self, mut record: DraftRecord) -> Result<DraftRecord> {
        if record.status == "submitted" {
            record.submission = Some(self.submission_signature(record.id)?);
        }
        Ok(record)
    }
}

/// Fails unless `user` may work with the person: managers and admins with everyone, care workers with the people
/// assigned to them.
fn check_person(conn: &Connection, user: &str, role: Role, person_id: i64) -> Result<()> {
    let exists: bool = conn.query_row("SELECT count(*) > 0 FROM people WHERE id = ?1", [person_id], |r| r.get(0))?;
    if !exists {
        return Err(StoreError::NotFound(format!("person {person_id}")));
    }
    if role.reviews() {
        return Ok(());
    }
    let assigned: bool = conn.query_row(
        "SELECT count(*) > 0 FROM assignments WHERE user = ?1 AND person_id = ?2",
        params![user, person_id],
        |r| r.get(0),
    )?;
    if assigned { Ok(()) } else { Err(StoreError::Forbidden(format!("{user} is not assigned to person {person_id}"))) }
}

/// Fails unless draft `id` exists and `user` wrote it.
fn own_draft(tx: &Transaction<'_>, user: &str, id: i64) -> Result<()> {
    let author: Option<String> =
        tx.query_row("SELECT author FROM drafts WHERE id = ?1", [id], |r| r.get(0)).optional()?;
    match author {
        None => Err(StoreError::NotFound(format!("draft {id}"))),
        Some(a) if a == user => Ok(()),
        Some(_) => Err(StoreError::Forbidden(format!("draft {id} belongs to another worker"))),
    }
}

impl DraftRecord {
    /// How many findings have been acknowledged.
    pub fn acknowledged(&self) -> usize {
        self.acknowledged_findings.len()
    }
}

impl Store {
    /// Adds a person supported (managers and admins); returns their id.
    pub fn add_person(&mut self, preferred_name: &str, identifier: &str) -> Result<i64> {
        self.require(&[Role::Manager, Role::Admin], "add people")?;
        if preferred_name.trim().is_empty() || identifier.trim().is_empty() {
            return Err(StoreError::Invalid("a person needs a preferred name and an identifier".into()));
        }
        self.write(|tx, me| {
            // A number no one has had, not even someone erased, so audit rows and erasures name one person only.
            tx.execute(
                "INSERT INTO people (id, preferred_name, identifier, created_at)
                 VALUES (max(coalesce((SELECT max(id) FROM people), 0), coalesce((SELECT max(person_id) FROM erasures), 0)) + 1,
                         ?1, ?2, datetime('now'))",
                [preferred_name.trim(), identifier.trim()],
            )
            .map_err(|e| match StoreError::from(e) {
                StoreError::Sqlite(m) if m.contains("UNIQUE") => {
                    StoreError::Invalid(format!("someone with identifier {identifier} is already recorded"))
                }
                other => other,
            })?;
            let id = tx.last_insert_rowid();
            audit::append(tx, me, "add_person", &format!("people/{id}"), "")?;
            Ok(id)
        })
    }

    /// Corrects a person's preferred name and identifier (managers and admins). Their drafts and notes keep their
    /// id; the audit row names what changed, not the old or new details.
    pub fn edit_person(&mut self, person_id: i64, preferred_name: &str, identifier: &str) -> Result<()> {
        self.require(&[Role::Manager, Role::Admin], "edit people")?;
        if preferred_name.trim().is_empty() || identifier.trim().is_empty() {
            return Err(StoreError::Invalid("a person needs a preferred name and an identifier".into()));
        }
        self.write(|tx, me| {
            let before: Option<(String, String)> = tx
                .query_row("SELECT preferred_name, identifier FROM people WHERE id = ?1", [person_id], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
                .optional()?;
            let Some((name, id_before)) = before else {
                return Err(StoreError::Invalid(format!("there is no person {person_id}")));
            };
            let changed: Vec<&str> = [
                (name != preferred_name.trim()).then_some("preferred name"),
                (id_before != identifier.trim()).then_some("identifier"),
            ]
            .into_iter()
            .flatten()
            .collect();
            if changed.is_empty() {
                return Ok(());
            }
            tx.execute(
                "UPDATE people SET preferred_name = ?1, identifier = ?2 WHERE id = ?3",
                params![preferred_name.trim(), identifier.trim(), person_id],
            )
            .map_err(|e| match StoreError::from(e) {
                StoreError::Sqlite(m) if m.contains("UNIQUE") => {
                    StoreError::Invalid(format!("someone with identifier {} is already recorded", identifier.trim()))
                }
                other => other,
            })?;
            audit::append(tx, me, "edit_person", &format!("people/{person_id}"), &changed.join(", "))
        })
    }

    /// Assigns a care worker to a person (managers and admins).
    pub fn assign(&mut self, user: &str, person_id: i64) -> Result<()> {
        self.require(&[Role::Manager, Role::Admin], "assign workers")?;
        self.write(|tx, me| {
            tx.execute(
                "INSERT OR IGNORE INTO assignments (user, person_id) VALUES (?1, ?2)",
                params![user, person_id],
            )?;
            audit::append(tx, me, "assign", &format!("people/{person_id}"), user)
        })
    }

    /// Stops a care worker working with a person (managers and admins).
    pub fn unassign(&mut self, user: &str, person_id: i64) -> Result<()> {
        self.require(&[Role::Manager, Role::Admin], "assign workers")?;
        self.write(|tx, me| {
            tx.execute("DELETE FROM assignments WHERE user = ?1 AND person_id = ?2", params![user, person_id])?;
            audit::append(tx, me, "unassign", &format!("people/{person_id}"), user)
        })
    }

    /// The care workers assigned to a person, by name (managers and admins).
    pub fn assigned_workers(&self, person_id: i64) -> Result<Vec<String>> {
        self.require(&[Role::Manager, Role::Admin], "see assignments")?;
        let mut stmt = self.conn.prepare("SELECT user FROM assignments WHERE person_id = ?1 ORDER BY user")?;
        let rows = stmt.query_map([person_id], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The people the signed-in user works with, by preferred name.
    pub fn people(&self) -> Result<Vec<Person>> {
        let sql = if self.role.reviews() {
            "SELECT id, preferred_name, identifier FROM people WHERE ?1 IS NOT NULL ORDER BY preferred_name, id"
        } else {
            "SELECT p.id, p.preferred_name, p.identifier FROM people p JOIN assignments a ON a.person_id = p.id
             WHERE a.user = ?1 ORDER BY p.preferred_name, p.id"
        };
        let mut stmt = self.conn.prepare(sql)?;
        let rows = stmt.query_map([&self.user], |r| {
            Ok(Person { id: r.get(0)?, preferred_name: r.get(1)?, identifier: r.get(2)? })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Saves an AI draft for review; the worker's edited text starts as the AI text.
    pub fn save_draft(&mut self, draft: &NewDraft<'_>) -> Result<i64> {
        check_person(&self.conn, &self.user, self.role, draft.person_id)?;
        self.write(|tx, me| {
            tx.execute(
                "INSERT INTO drafts (person_id, author, task, source_text, ai_text, edited_text, findings_json,
                                     provenance_json, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6, ?7, datetime('now'), datetime('now'))",
                params![
                    draft.person_id,
                    me,
                    draft.task,
                    draft.source_text,
                    draft.ai_text,
                    draft.findings_json,
                    draft.provenance_json
                ],
            )?;
            let id = tx.last_insert_rowid();
            audit::append(tx, me, "save_draft", &format!("drafts/{id}"), draft.provenance_json)?;
            Ok(id)
        })
    }

    /// Replaces the worker's edited text of their own open draft.
    pub fn edit_draft(&mut self, id: i64, text: &str) -> Result<()> {
        self.write(|tx, me| {
            own_draft(tx, me, id)?;
            tx.execute(
                "UPDATE drafts SET edited_text = ?2, updated_at = datetime('now') WHERE id = ?1",
                params![id, text],
            )?;
            audit::append(tx, me, "edit_draft", &format!("drafts/{id}"), "")
        })
    }

    /// Records that the signed-in user (the author or a reviewer) has read and acknowledged finding number `index`.
    pub fn acknowledge(&mut self, draft_id: i64, index: usize) -> Result<()> {
        let record = self.draft(draft_id)?;
        if index >= record.finding_count {
            return Err(StoreError::NotFound(format!(
                "finding {index} in draft {draft_id} (it has {}, counted from 0)",
                record.finding_count
            )));
        }
        self.write(|tx, me| {
            tx.execute(
                "INSERT OR IGNORE INTO finding_acks (draft_id, finding_index, user, at)
                 VALUES (?1, ?2, ?3, datetime('now'))",
                params![draft_id, index, me],
            )?;
            audit::append(tx, me, "acknowledge_finding", &format!("drafts/{draft_id}"), &index.to_string())
        })
    }

    /// Submits the worker's own draft for review, signed over its text and findings.
    pub fn submit(&mut self, id: i64) -> Result<()> {
        self.write_signed(|tx, signer, me| {
            own_draft(tx, me, id)?;
            tx.execute("UPDATE drafts SET status = 'submitted', updated_at = datetime('now') WHERE id = ?1", [id])?;
            let (text, findings): (String, String) =
                tx.query_row("SELECT edited_text, findings_json FROM drafts WHERE id = ?1", [id], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })?;
            let content = submission_content(id, &text, &findings);
            acts::record(tx, signer, me, "submit_draft", &format!("drafts/{id}"), "", &content).map(drop)
        })
    }

    /// A manager's review, signed over the decision, the comment, the text and the acknowledgements. Approval
    /// writes the final note in the same transaction and returns its id.
    pub fn review(&mut self, id: i64, decision: Decision, comment: &str) -> Result<Option<i64>> {
        self.require(&[Role::Manager, Role::Admin], "review drafts")?;
        let self_review = self.allow_self_review()?;
        let (word, status) = match decision {
            Decision::Approve => ("approve", "approved"),
            Decision::Return => ("return", "returned"),
            Decision::Reject => ("reject", "rejected"),
        };
        if decision == Decision::Return && comment.trim().is_empty() {
            return Err(StoreError::ReviewGate("say what to change when returning a draft".into()));
        }
        self.write_signed(|tx, signer, me| {
            // The gate in Rust too, so that it holds where someone with the database key dropped the triggers.
            let (current, author, findings, acknowledged): (String, String, i64, i64) = tx
                .query_row(
                    "SELECT status, author, json_array_length(findings_json),
                            (SELECT count(DISTINCT a.finding_index) FROM finding_acks a
                             WHERE a.draft_id = d.id AND a.finding_index >= 0
                               AND a.finding_index < json_array_length(d.findings_json))
                     FROM drafts d WHERE id = ?1",
                    [id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )
                .optional()?
                .ok_or_else(|| StoreError::NotFound(format!("draft {id}")))?;
            if current != "submitted" || (author == me && !self_review) {
                return Err(StoreError::ReviewGate(
                    "review gate: only a manager who is not the author may review a submitted draft".into(),
                ));
            }
            if decision == Decision::Approve && acknowledged < findings {
                return Err(StoreError::ReviewGate(format!(
                    "review gate: approval needs a manager's review and every finding acknowledged ({acknowledged} of \
                     {findings})"
                )));
            }
            tx.execute(
                "INSERT INTO reviews (draft_id, reviewer, decision, comment, at) VALUES (?1, ?2, ?3, ?4, datetime('now'))",
                params![id, me, word, comment.trim()],
            )?;
            tx.execute("UPDATE drafts SET status = ?2, updated_at = datetime('now') WHERE id = ?1", params![id, status])?;
            let final_id = if decision == Decision::Approve {
                tx.execute(
                    "INSERT INTO finals (draft_id, person_id, text, reviewer, reviewed_at)
                     SELECT id, person_id, edited_text, ?2, datetime('now') FROM drafts WHERE id = ?1",
                    params![id, me],
                )?;
                Some(tx.last_insert_rowid())
            } else {
                None
            };
            // The model and template that made the draft; the comment stays in the reviews table, which erasure
            // clears, so the trail holds no free text.
            let made_by: String = tx.query_row(
                "SELECT json_object('model', json_extract(provenance_json, '$.model'),
                                    'model_sha256', json_extract(provenance_json, '$.model_sha256'),
                                    'template', json_extract(provenance_json, '$.template'))
                 FROM drafts WHERE id = ?1",
                [id],
                |r| r.get(0),
            )?;
            let text: String = tx.query_row("SELECT edited_text FROM drafts WHERE id = ?1", [id], |r| r.get(0))?;
            let content = review_content(id, word, comment.trim(), &text, &acknowledged_json(tx, id)?);
            acts::record(tx, signer, me, &format!("review_{word}"), &format!("drafts/{id}"), &made_by, &content)?;
            Ok(final_id)
        })
    }

    /// A draft by id: a care worker sees their own, a manager any. A submitted draft comes with its author's
    /// signature checked.
    pub fn draft(&self, id: i64) -> Result<DraftRecord> {
        let record = self
            .conn
            .query_row(&format!("{DRAFT_SELECT} WHERE d.id = ?1"), [id], draft_row)
            .optional()?
            .ok_or_else(|| StoreError::NotFound(format!("draft {id}")))?;
        if !self.role.reviews() && record.author != self.user {
            return Err(StoreError::Forbidden(format!("draft {id} belongs to another worker")));
        }
        self.with_submission(record)
    }

    /// The signed-in user's own drafts that are not yet closed, newest first.
    pub fn my_drafts(&self) -> Result<Vec<DraftRecord>> {
        let mut stmt = self.conn.prepare(&format!(
            "{DRAFT_SELECT} WHERE d.author = ?1 AND d.status IN ('draft', 'submitted', 'returned') ORDER BY d.id DESC"
        ))?;
        let rows = stmt.query_map([&self.user], draft_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Drafts waiting for review, oldest first, each with its author's signature checked (managers and admins).
    pub fn review_queue(&self) -> Result<Vec<DraftRecord>> {
        self.require(&[Role::Manager, Role::Admin], "see the review queue")?;
        let mut stmt = self.conn.prepare(&format!("{DRAFT_SELECT} WHERE d.status = 'submitted' ORDER BY d.id"))?;
        let rows: Vec<DraftRecord> = stmt.query_map([], draft_row)?.collect::<rusqlite::Result<_>>()?;
        rows.into_iter().map(|r| self.with_submission(r)).collect()
    }

    /// A draft's reviews, oldest first.
    pub fn reviews(&self, draft_id: i64) -> Result<Vec<ReviewRecord>> {
        self.draft(draft_id)?;
        let mut stmt =
            self.conn.prepare("SELECT reviewer, decision, comment, at FROM reviews WHERE draft_id = ?1 ORDER BY id")?;
        let rows = stmt.query_map([draft_id], |r| {
            Ok(ReviewRecord { reviewer: r.get(0)?, decision: r.get(1)?, comment: r.get(2)?, at: r.get(3)? })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The final notes and amendments about a person, oldest first.
    pub fn finals(&self, person_id: i64) -> Result<Vec<FinalNote>> {
        check_person(&self.conn, &self.user, self.role, person_id)?;
        self.finals_where("f.person_id = ?1", person_id)
    }

    /// The final notes and amendments about a person approved in the last `hours` hours, oldest first.
    pub fn finals_within(&self, person_id: i64, hours: u32) -> Result<Vec<FinalNote>> {
        check_person(&self.conn, &self.user, self.role, person_id)?;
        // `hours` is a number, so formatting it into the statement cannot change its meaning.
        self.finals_where(
            &format!("f.person_id = ?1 AND f.reviewed_at >= datetime('now', '-{hours} hours')"),
            person_id,
        )
    }

    fn final_note(&self, id: i64) -> Result<FinalNote> {
        let note = self
            .finals_where("f.id = ?1", id)?
            .pop()
            .ok_or_else(|| StoreError::NotFound(format!("final note {id}")))?;
        check_person(&self.conn, &self.user, self.role, note.person_id)?;
        Ok(note)
    }

    /// Corrects a final note with a new, linked one (managers and admins); the original stays as it was.
    pub fn amend(&mut self, final_id: i64, text: &str, reason: &str) -> Result<i64> {
        self.require(&[Role::Manager, Role::Admin], "amend final notes")?;
        if text.trim().is_empty() || reason.trim().is_empty() {
            return Err(StoreError::Invalid("an amendment needs the corrected text and a reason".into()));
        }
        let original = self.final_note(final_id)?;
        let (text, reason) = (text.trim(), reason.trim());
        self.write_signed(|tx, signer, me| {
            tx.execute(
                "INSERT INTO finals (person_id, text, reviewer, reviewed_at, amends, reason)
                 VALUES (?1, ?2, ?3, datetime('now'), ?4, ?5)",
                params![original.person_id, text, me, final_id, reason],
            )?;
            let id = tx.last_insert_rowid();
            let content = amendment_content(final_id, text, reason);
            let detail = format!("amends finals/{final_id}");
            acts::record(tx, signer, me, "amend_final", &format!("finals/{id}"), &detail, &content)?;
            Ok(id)
        })
    }

    /// A final note as text for pasting into the care record system, ending with who reviewed it, their key and
    /// the audit row of the approval (an anchor `tend audit verify --against` checks later); the export is
    /// audited. Refused when the approval's signature does not hold.
    pub fn export_final(&mut self, final_id: i64) -> Result<String> {
        let note = self.final_note(final_id)?;
        let date = long_date(&note.reviewed_at);
        let (role, signed) = match &note.signature {
            SignatureCheck::Verified { role, key, .. } => (role.label(), format!("Signed with key {key}")),
            SignatureCheck::BeforeSigning => ("reviewer", "Approved before Tend signed reviews".to_owned()),
            SignatureCheck::Invalid { reason } => {
                return Err(StoreError::ReviewGate(format!(
                    "note {final_id} is not exported: its approval does not hold ({reason}). It may have been                      written outside Tend; tell an admin, who can run tend audit verify"
                )));
            }
        };
        let footer = match note.amends {
            None => format!("AI-assisted draft, reviewed by {} ({role}) on {date}", note.reviewer),
            Some(original) => format!(
                "Amendment to note {original} ({}), written by {} ({role}) on {date}",
                note.reason, note.reviewer
            ),
        };
        let anchor = note.anchor.as_ref().map_or_else(String::new, |a| format!("; {a}"));
        self.write(|tx, me| audit::append(tx, me, "export_final", &format!("finals/{final_id}"), ""))?;
        Ok(format!("{}\n\n{footer}\n{signed}{anchor}\n", note.text.trim_end()))
    }

    /// Files a report of an AI error about a draft and/or a person; returns its id.
    pub fn report_incident(&mut self, person_id: Option<i64>, draft_id: Option<i64>, description: &str) -> Result<i64> {
        if description.trim().is_empty() {
            return Err(StoreError::Invalid("say what the AI got wrong".into()));
        }
        // A report about a draft is about its person too, so it stays in their records when the draft goes.
        let person_id = match draft_id {
            Some(id) => {
                let draft = self.draft(id)?;
                if person_id.is_some_and(|p| p != draft.person_id) {
                    return Err(StoreError::Invalid(format!("draft {id} is about another person")));
                }
                Some(draft.person_id)
            }
            None => person_id,
        };
        if let Some(id) = person_id {
            check_person(&self.conn, &self.user, self.role, id)?;
        }
        self.write(|tx, me| {
            tx.execute(
                "INSERT INTO incidents (person_id, draft_id, reporter, description, at)
                 VALUES (?1, ?2, ?3, ?4, datetime('now'))",
                params![person_id, draft_id, me, description.trim()],
            )?;
            let id = tx.last_insert_rowid();
            audit::append(tx, me, "report_incident", &format!("incidents/{id}"), "")?;
            Ok(id)
        })
    }

    /// Every AI-error report, newest first (managers and admins).
    pub fn incidents(&self) -> Result<Vec<Incident>> {
        self.require(&[Role::Manager, Role::Admin], "see incident reports")?;
        let mut stmt = self.conn.prepare(&format!("SELECT {INCIDENT_COLUMNS} FROM incidents ORDER BY id DESC"))?;
        let rows = stmt.query_map([], incident_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Records what a manager did about a report: its status (`new`, `looked_into` or `closed`) and a note
    /// (managers and admins). Closing needs the note.
    pub fn set_incident_status(&mut self, id: i64, status: &str, outcome: &str) -> Result<()> {
        self.require(&[Role::Manager, Role::Admin], "handle incident reports")?;
        if !["new", "looked_into", "closed"].contains(&status) {
            return Err(StoreError::Invalid(format!("'{status}' is not a report status: new, looked_into or closed")));
        }
        if status == "closed" && outcome.trim().is_empty() {
            return Err(StoreError::Invalid("say what was done before closing a report".into()));
        }
        self.write(|tx, me| {
            let changed = tx.execute(
                "UPDATE incidents SET status = ?2, outcome = ?3 WHERE id = ?1",
                params![id, status, outcome.trim()],
            )?;
            if changed == 0 {
                return Err(StoreError::NotFound(format!("report {id}")));
            }
            audit::append(tx, me, "report_status", &format!("incidents/{id}"), status)
        })
    }
}

pub(crate) fn incident_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Incident> {
    Ok(Incident {
        id: r.get(0)?,
        person_id: r.get(1)?,
        draft_id: r.get(2)?,
        reporter: r.get(3)?,
        description: r.get(4)?,
        at: r.get(5)?,
        status: r.get(6)?,
        outcome: r.get(7)?,
    })
}

/// The columns [`incident_row`] reads.
pub(crate) const INCIDENT_COLUMNS: &str = "id, person_id, draft_id, reporter, description, at, status, outcome";

/// "2026-11-22 09:15:00" as "22 November 2026".
fn long_date(timestamp: &str) -> String {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let mut parts = timestamp.get(..10).unwrap_or(timestamp).split('-').map(|p| p.parse::<usize>().ok());
    match (parts.next().flatten(), parts.next().flatten(), parts.next().flatten()) {
        (Some(y), Some(m @ 1..=12), Some(d)) => format!("{d} {} {y}", MONTHS[m - 1]),
        _ => timestamp.to_owned(),
    }
}
