-- Tend's first schema. The review gate lives here, in triggers, so that no code path and no raw SQL can turn an
-- AI draft into a final note without a recorded review by a manager.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
INSERT INTO settings (key, value) VALUES ('allow_self_review', '0');

CREATE TABLE users (
    name       TEXT PRIMARY KEY,
    role       TEXT NOT NULL CHECK (role IN ('care_worker', 'manager', 'admin')),
    created_at TEXT NOT NULL
);

CREATE TABLE people (
    id             INTEGER PRIMARY KEY,
    preferred_name TEXT NOT NULL,
    identifier     TEXT NOT NULL UNIQUE,
    created_at     TEXT NOT NULL
);

CREATE TABLE drafts (
    id              INTEGER PRIMARY KEY,
    person_id       INTEGER NOT NULL REFERENCES people (id),
    author          TEXT NOT NULL REFERENCES users (name),
    task            TEXT NOT NULL,
    source_text     TEXT NOT NULL,
    ai_text         TEXT NOT NULL,
    edited_text     TEXT NOT NULL,
    findings_json   TEXT NOT NULL CHECK (json_valid(findings_json) AND json_type(findings_json) = 'array'),
    provenance_json TEXT NOT NULL CHECK (json_valid(provenance_json)),
    status          TEXT NOT NULL DEFAULT 'draft'
                    CHECK (status IN ('draft', 'submitted', 'approved', 'returned', 'rejected')),
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);

-- A new draft is always a draft.
CREATE TRIGGER drafts_start_as_draft BEFORE INSERT ON drafts WHEN NEW.status <> 'draft'
BEGIN
    SELECT RAISE(ABORT, 'review gate: a new draft must start with status draft');
END;

-- Approved and rejected drafts are closed.
CREATE TRIGGER drafts_closed BEFORE UPDATE ON drafts WHEN OLD.status IN ('approved', 'rejected')
BEGIN
    SELECT RAISE(ABORT, 'review gate: an approved or rejected draft cannot change');
END;

-- Only these moves: draft/returned -> submitted (or back to draft while editing); submitted -> approved,
-- returned or rejected.
CREATE TRIGGER drafts_transitions BEFORE UPDATE OF status ON drafts
WHEN NEW.status <> OLD.status AND NOT (
       (OLD.status IN ('draft', 'returned') AND NEW.status = 'submitted')
    OR (OLD.status = 'returned' AND NEW.status = 'draft')
    OR (OLD.status = 'submitted' AND NEW.status IN ('approved', 'returned', 'rejected')))
BEGIN
    SELECT RAISE(ABORT, 'review gate: this change of status is not allowed');
END;

-- The worker's text can change only while the draft is theirs to edit.
CREATE TRIGGER drafts_edit_only_open BEFORE UPDATE OF edited_text, ai_text, source_text, findings_json ON drafts
WHEN OLD.status NOT IN ('draft', 'returned')
BEGIN
    SELECT RAISE(ABORT, 'review gate: a submitted draft cannot be edited');
END;

CREATE TABLE finding_acks (
    draft_id      INTEGER NOT NULL REFERENCES drafts (id),
    finding_index INTEGER NOT NULL,
    user          TEXT NOT NULL REFERENCES users (name),
    at            TEXT NOT NULL,
    PRIMARY KEY (draft_id, finding_index)
);

CREATE TABLE reviews (
    id       INTEGER PRIMARY KEY,
    draft_id INTEGER NOT NULL REFERENCES drafts (id),
    reviewer TEXT NOT NULL REFERENCES users (name),
    decision TEXT NOT NULL CHECK (decision IN ('approve', 'return', 'reject')),
    comment  TEXT NOT NULL,
    at       TEXT NOT NULL
);

-- A review is by a manager or admin, of a submitted draft, and not by its author unless the setting allows it.
CREATE TRIGGER reviews_by_managers BEFORE INSERT ON reviews
WHEN NOT EXISTS (SELECT 1 FROM users WHERE name = NEW.reviewer AND role IN ('manager', 'admin'))
  OR NOT EXISTS (SELECT 1 FROM drafts WHERE id = NEW.draft_id AND status = 'submitted')
  OR (NEW.reviewer = (SELECT author FROM drafts WHERE id = NEW.draft_id)
      AND (SELECT value FROM settings WHERE key = 'allow_self_review') <> '1')
BEGIN
    SELECT RAISE(ABORT, 'review gate: only a manager who is not the author may review a submitted draft');
END;

-- Approval needs an approving review and every finding acknowledged, one by one.
CREATE TRIGGER drafts_approval_needs_review BEFORE UPDATE OF status ON drafts
WHEN NEW.status = 'approved' AND (
       NOT EXISTS (SELECT 1 FROM reviews WHERE draft_id = NEW.id AND decision = 'approve')
    OR (SELECT count(*) FROM finding_acks WHERE draft_id = NEW.id) < json_array_length(NEW.findings_json))
BEGIN
    SELECT RAISE(ABORT, 'review gate: approval needs a manager''s review and every finding acknowledged');
END;

-- Final notes: only from an approved draft, and append-only. A correction is a new note that amends the old one.
CREATE TABLE finals (
    id          INTEGER PRIMARY KEY,
    draft_id    INTEGER REFERENCES drafts (id),
    person_id   INTEGER NOT NULL REFERENCES people (id),
    text        TEXT NOT NULL,
    reviewer    TEXT NOT NULL REFERENCES users (name),
    reviewed_at TEXT NOT NULL,
    amends      INTEGER REFERENCES finals (id),
    CHECK ((draft_id IS NULL) = (amends IS NOT NULL))
);

CREATE TRIGGER finals_need_approval BEFORE INSERT ON finals
WHEN NEW.draft_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM drafts WHERE id = NEW.draft_id AND status = 'approved')
BEGIN
    SELECT RAISE(ABORT, 'review gate: a final note needs an approved draft');
END;

CREATE TRIGGER finals_no_update BEFORE UPDATE ON finals
BEGIN
    SELECT RAISE(ABORT, 'final notes are append-only: add an amendment instead');
END;

CREATE TRIGGER finals_no_delete BEFORE DELETE ON finals
BEGIN
    SELECT RAISE(ABORT, 'final notes are append-only: add an amendment instead');
END;

-- The audit trail: one row per write, hash-chained; rows are never changed.
CREATE TABLE audit (
    seq       INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    record    TEXT NOT NULL,
    detail    TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);

CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only');
END;

CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only');
END;
