-- People who act on the ledger, and how they prove it.
CREATE TABLE users (
    name            TEXT PRIMARY KEY NOT NULL,
    role            TEXT NOT NULL CHECK (role IN ('staff', 'supervisor', 'admin')),
    -- Argon2id PHC string: algorithm, parameters, salt and hash in one.
    pin_hash        TEXT NOT NULL,
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    -- How many times this user has been locked out; each lockout doubles the next one.
    lockouts        INTEGER NOT NULL DEFAULT 0,
    locked_until    TEXT,
    created_at      TEXT NOT NULL,
    active          INTEGER NOT NULL DEFAULT 1
) STRICT;
