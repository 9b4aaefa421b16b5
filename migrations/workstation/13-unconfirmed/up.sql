-- Accepted-but-unconfirmed pushes (issue 16). Amazon answers a patch ACCEPTED and applies it
-- later, or silently never; the engine reads each one back after `confirm_after`. Kept here, not
-- in the engine's memory, so an engine stopped before the read-back (a workstation closed at
-- the end of a shift) leaves the read-back to the next engine instead of to the next
-- reconciliation, hours later.
CREATE TABLE unconfirmed_pushes (
    listing_id  INTEGER PRIMARY KEY NOT NULL REFERENCES listings(id) ON DELETE CASCADE,
    channel     TEXT NOT NULL,
    -- The accepted version and quantity: what the read-back must find.
    version     INTEGER NOT NULL,
    qty         INTEGER NOT NULL,
    -- When to read back; NULL while a re-send of a missing value waits to be accepted again.
    due_at      TEXT,
    -- Read-backs in a row that found the accepted value missing (dead-lettered at the limit).
    gaps        INTEGER NOT NULL DEFAULT 0 CHECK (gaps >= 0),
    updated_at  TEXT NOT NULL
) STRICT;
CREATE INDEX unconfirmed_pushes_due ON unconfirmed_pushes(channel, due_at) WHERE due_at IS NOT NULL;
