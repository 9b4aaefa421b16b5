-- Counting and approvals.

-- Per category; the row with category '' is the default for categories without their own.
CREATE TABLE tolerances (
    category    TEXT PRIMARY KEY NOT NULL,
    units       INTEGER,
    percent_bp  INTEGER,
    value_cents INTEGER,
    auto_post   INTEGER NOT NULL DEFAULT 1
) STRICT;

CREATE TABLE count_sessions (
    id           TEXT PRIMARY KEY NOT NULL,
    location     TEXT NOT NULL REFERENCES locations(code),
    -- The SKUs in scope, as a JSON array, fixed when the session starts.
    scope        TEXT NOT NULL,
    scope_label  TEXT NOT NULL,
    blind        INTEGER NOT NULL,
    full_count   INTEGER NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('open', 'paused', 'submitted')),
    created_by   TEXT NOT NULL,
    workstation  TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    -- The ledger position when the session started.
    snapshot_seq INTEGER NOT NULL,
    plan         TEXT
) STRICT;

-- Every scan into a session; several counters may scan the same SKU.
CREATE TABLE count_entries (
    seq          INTEGER PRIMARY KEY,
    session      TEXT NOT NULL REFERENCES count_sessions(id),
    sku          TEXT NOT NULL REFERENCES items(sku),
    round        INTEGER NOT NULL,
    qty          INTEGER NOT NULL CHECK (qty >= 0),
    replace      INTEGER NOT NULL,
    -- on_hand at the moment of the scan: snapshot plus every movement since.
    expected     INTEGER NOT NULL,
    counter      TEXT NOT NULL,
    workstation  TEXT NOT NULL,
    at           TEXT NOT NULL
) STRICT;
CREATE INDEX count_entries_by_session ON count_entries(session, sku, round);

-- The submitted result per SKU and round; a recount adds a round and keeps the old line.
CREATE TABLE count_lines (
    id            TEXT PRIMARY KEY NOT NULL,
    session       TEXT NOT NULL REFERENCES count_sessions(id),
    sku           TEXT NOT NULL REFERENCES items(sku),
    round         INTEGER NOT NULL,
    counted       INTEGER NOT NULL,
    expected      INTEGER NOT NULL,
    variance      INTEGER NOT NULL,
    value_cents   INTEGER NOT NULL,
    state         TEXT NOT NULL CHECK (state IN ('posted', 'pending', 'rejected', 'recount')),
    -- The posting event's id, made with the line, so posting twice is a ledger no-op.
    event_id      TEXT NOT NULL UNIQUE,
    counters      TEXT NOT NULL,
    decided_by    TEXT,
    decided_at    TEXT,
    reason        TEXT,
    UNIQUE (session, sku, round)
) STRICT;
CREATE INDEX count_lines_pending ON count_lines(state) WHERE state = 'pending';

-- Damage and write-offs above the approval value wait here until a supervisor decides.
CREATE TABLE pending_movements (
    id           TEXT PRIMARY KEY NOT NULL,
    -- The complete event, id included, appended as-is when approved.
    event        TEXT NOT NULL,
    kind         TEXT NOT NULL,
    sku          TEXT NOT NULL REFERENCES items(sku),
    location     TEXT NOT NULL,
    qty          INTEGER NOT NULL,
    value_cents  INTEGER NOT NULL,
    requested_by TEXT NOT NULL,
    requested_at TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('pending', 'posted', 'rejected')),
    decided_by   TEXT,
    decided_at   TEXT,
    reason       TEXT
) STRICT;

-- Workstation-wide settings an admin or supervisor may change; every change is audited.
CREATE TABLE settings (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
) STRICT;
