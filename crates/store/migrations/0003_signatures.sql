-- Certificates and signatures: who may do what is decided by keys, not by rows anyone with the database key could
-- write. A certificate binds a user's name and role to their public keys and is signed by an admin; each
-- accountable act (its audit row and a digest of what it changed) is signed by its actor. Both tables are
-- append-only; Tend verifies every row it relies on, so a row written with SQL alone fails verification.

CREATE TABLE certificates (
    id            INTEGER PRIMARY KEY,
    user          TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('care_worker', 'manager', 'admin', 'removed')),
    verifying_key TEXT NOT NULL,
    sealing_key   TEXT NOT NULL,
    issuer        INTEGER REFERENCES certificates (id),
    seq           INTEGER NOT NULL,
    issued_at     TEXT NOT NULL,
    signature     TEXT NOT NULL
);

CREATE TABLE signatures (
    seq         INTEGER PRIMARY KEY REFERENCES audit (seq),
    certificate INTEGER NOT NULL REFERENCES certificates (id),
    content     TEXT NOT NULL,
    signature   TEXT NOT NULL
);

CREATE TRIGGER certificates_no_update BEFORE UPDATE ON certificates
BEGIN
    SELECT RAISE(ABORT, 'certificates are append-only');
END;

CREATE TRIGGER certificates_no_delete BEFORE DELETE ON certificates
BEGIN
    SELECT RAISE(ABORT, 'certificates are append-only');
END;

CREATE TRIGGER signatures_no_update BEFORE UPDATE ON signatures
BEGIN
    SELECT RAISE(ABORT, 'signatures are append-only');
END;

CREATE TRIGGER signatures_no_delete BEFORE DELETE ON signatures
BEGIN
    SELECT RAISE(ABORT, 'signatures are append-only');
END;
