-- Guards for the tables that had none. They stop mistakes made with SQL; what stops a forger is the signatures
-- (see 0003) and the schema check Tend runs on every open, which refuses to write when these are missing.

-- Users are never deleted (their names stay on their records) and never changed: roles live in certificates.
CREATE TRIGGER users_no_update BEFORE UPDATE ON users
BEGIN
    SELECT RAISE(ABORT, 'users are changed through certificates, not rows');
END;

CREATE TRIGGER users_no_delete BEFORE DELETE ON users
BEGIN
    SELECT RAISE(ABORT, 'users are removed through certificates, not rows');
END;

-- Settings: the known keys only, changed in place.
CREATE TRIGGER settings_no_insert BEFORE INSERT ON settings
BEGIN
    SELECT RAISE(ABORT, 'settings are fixed: change a value instead');
END;

CREATE TRIGGER settings_no_delete BEFORE DELETE ON settings
BEGIN
    SELECT RAISE(ABORT, 'settings are fixed: change a value instead');
END;

-- An acknowledgement names a finding the draft has, once, and stays.
CREATE TRIGGER finding_acks_in_range BEFORE INSERT ON finding_acks
WHEN NEW.finding_index < 0
  OR NEW.finding_index >= (SELECT json_array_length(findings_json) FROM drafts WHERE id = NEW.draft_id)
BEGIN
    SELECT RAISE(ABORT, 'review gate: an acknowledgement must name one of the draft''s findings');
END;

CREATE TRIGGER finding_acks_no_update BEFORE UPDATE ON finding_acks
BEGIN
    SELECT RAISE(ABORT, 'review gate: acknowledgements are append-only');
END;

-- Reviews, acknowledgements, incidents and drafts are deleted only by retention (rejected drafts) or erasure.
CREATE TRIGGER reviews_no_update BEFORE UPDATE ON reviews
BEGIN
    SELECT RAISE(ABORT, 'review gate: reviews are append-only');
END;

CREATE TRIGGER reviews_delete_only_closed BEFORE DELETE ON reviews
WHEN NOT EXISTS (SELECT 1 FROM drafts d WHERE d.id = OLD.draft_id
                 AND (d.status = 'rejected' OR d.person_id IN (SELECT person_id FROM erasures)))
BEGIN
    SELECT RAISE(ABORT, 'review gate: reviews are append-only');
END;

CREATE TRIGGER finding_acks_delete_only_closed BEFORE DELETE ON finding_acks
WHEN NOT EXISTS (SELECT 1 FROM drafts d WHERE d.id = OLD.draft_id
                 AND (d.status = 'rejected' OR d.person_id IN (SELECT person_id FROM erasures)))
BEGIN
    SELECT RAISE(ABORT, 'review gate: acknowledgements are append-only');
END;

CREATE TRIGGER drafts_delete_only_closed BEFORE DELETE ON drafts
WHEN OLD.status <> 'rejected' AND OLD.person_id NOT IN (SELECT person_id FROM erasures)
BEGIN
    SELECT RAISE(ABORT, 'review gate: only rejected drafts and erased records are deleted');
END;

CREATE TRIGGER incidents_no_update BEFORE UPDATE ON incidents
WHEN NEW.description IS NOT OLD.description OR NEW.reporter IS NOT OLD.reporter OR NEW.at IS NOT OLD.at
BEGIN
    SELECT RAISE(ABORT, 'reports of AI errors are kept as written');
END;

CREATE TRIGGER incidents_delete_only_erased BEFORE DELETE ON incidents
WHEN coalesce(OLD.person_id, (SELECT person_id FROM drafts WHERE id = OLD.draft_id), -1) NOT IN
     (SELECT person_id FROM erasures)
BEGIN
    SELECT RAISE(ABORT, 'reports of AI errors are kept until the person''s records are erased');
END;

-- An erasure is recorded once and stays.
CREATE TRIGGER erasures_no_update BEFORE UPDATE ON erasures
BEGIN
    SELECT RAISE(ABORT, 'erasures are append-only');
END;

CREATE TRIGGER erasures_no_delete BEFORE DELETE ON erasures
BEGIN
    SELECT RAISE(ABORT, 'erasures are append-only');
END;
