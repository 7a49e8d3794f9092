-- Assignments, AI-error incidents, amendments' reasons, retention and erasure.

-- Which people a care worker works with; a worker sees only these people and only their own drafts.
CREATE TABLE assignments (
    user      TEXT NOT NULL REFERENCES users (name),
    person_id INTEGER NOT NULL REFERENCES people (id),
    PRIMARY KEY (user, person_id)
);

-- "Report an AI error": what went wrong with which draft or note, and who said so.
CREATE TABLE incidents (
    id          INTEGER PRIMARY KEY,
    person_id   INTEGER REFERENCES people (id),
    draft_id    INTEGER REFERENCES drafts (id),
    reporter    TEXT NOT NULL REFERENCES users (name),
    description TEXT NOT NULL CHECK (length(trim(description)) > 0),
    at          TEXT NOT NULL
);

-- Why an amendment corrects its note.
ALTER TABLE finals ADD COLUMN reason TEXT NOT NULL DEFAULT '';

-- Source shorthand is kept for a number of days, then purged; finals are kept.
INSERT INTO settings (key, value) VALUES ('retention_days', '90');

-- A person's erasure request, recorded before their records are deleted. Only people with a row here may have
-- final notes deleted; the row holds no personal data.
CREATE TABLE erasures (
    person_id INTEGER PRIMARY KEY,
    by        TEXT NOT NULL,
    at        TEXT NOT NULL
);

DROP TRIGGER finals_no_delete;
CREATE TRIGGER finals_no_delete BEFORE DELETE ON finals
WHEN NOT EXISTS (SELECT 1 FROM erasures WHERE person_id = OLD.person_id)
BEGIN
    SELECT RAISE(ABORT, 'final notes are append-only: add an amendment instead');
END;

-- Closed drafts stay as they are, except that retention may blank their source shorthand.
DROP TRIGGER drafts_closed;
CREATE TRIGGER drafts_closed BEFORE UPDATE ON drafts WHEN OLD.status IN ('approved', 'rejected') AND NOT (
        NEW.source_text = '' AND NEW.status = OLD.status AND NEW.ai_text IS OLD.ai_text
    AND NEW.edited_text IS OLD.edited_text AND NEW.findings_json IS OLD.findings_json
    AND NEW.provenance_json IS OLD.provenance_json AND NEW.person_id IS OLD.person_id AND NEW.author IS OLD.author)
BEGIN
    SELECT RAISE(ABORT, 'review gate: an approved or rejected draft cannot change');
END;

DROP TRIGGER drafts_edit_only_open;
CREATE TRIGGER drafts_edit_only_open BEFORE UPDATE OF edited_text, ai_text, source_text, findings_json ON drafts
WHEN OLD.status NOT IN ('draft', 'returned') AND NOT (
        OLD.status IN ('approved', 'rejected') AND NEW.source_text = '' AND NEW.ai_text IS OLD.ai_text
    AND NEW.edited_text IS OLD.edited_text AND NEW.findings_json IS OLD.findings_json)
BEGIN
    SELECT RAISE(ABORT, 'review gate: a submitted draft cannot be edited');
END;
