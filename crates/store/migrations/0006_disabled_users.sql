-- Disabled users: a certificate may withdraw a user's keys and keep the role a new password gives back to them
-- ('disabled:<role>'). SQLite cannot change a CHECK constraint in place, so the append-only table is rebuilt with
-- its rows, as SQLite's documentation describes (Tend turns foreign-key enforcement off while it migrates and
-- checks every key before the migration commits).

DROP TRIGGER certificates_no_update;
DROP TRIGGER certificates_no_delete;

CREATE TABLE certificates_v6 (
    id            INTEGER PRIMARY KEY,
    user          TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('care_worker', 'manager', 'admin', 'removed',
                                                'disabled:care_worker', 'disabled:manager', 'disabled:admin')),
    verifying_key TEXT NOT NULL,
    sealing_key   TEXT NOT NULL,
    issuer        INTEGER REFERENCES certificates (id),
    seq           INTEGER NOT NULL,
    issued_at     TEXT NOT NULL,
    signature     TEXT NOT NULL
);

INSERT INTO certificates_v6 (id, user, role, verifying_key, sealing_key, issuer, seq, issued_at, signature)
    SELECT id, user, role, verifying_key, sealing_key, issuer, seq, issued_at, signature FROM certificates;
DROP TABLE certificates;
ALTER TABLE certificates_v6 RENAME TO certificates;

CREATE TRIGGER certificates_no_update BEFORE UPDATE ON certificates
BEGIN
    SELECT RAISE(ABORT, 'certificates are append-only');
END;

CREATE TRIGGER certificates_no_delete BEFORE DELETE ON certificates
BEGIN
    SELECT RAISE(ABORT, 'certificates are append-only');
END;
