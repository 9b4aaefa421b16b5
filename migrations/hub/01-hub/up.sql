-- The shared hub (PostgreSQL): the event log of every workstation in one global order, the
-- balances it implies, master data with every version, discrepancies, and the engine lease.
-- Applied by the shelfsync-hub crate, one transaction per migration (schema_migrations).

-- Which hub this is: a workstation remembers it and refuses to be re-pointed elsewhere.
CREATE TABLE hub_meta (
    id         integer PRIMARY KEY CHECK (id = 1),
    hub_id     text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE workstations (
    name      text PRIMARY KEY,
    joined_at timestamptz NOT NULL DEFAULT now(),
    last_push timestamptz,
    last_pull timestamptz
);

-- The global event log. `seq` is the hub's order: pushes are serialised by an advisory lock,
-- so seq order is commit order and a puller reading "seq > watermark" never skips a row.
CREATE TABLE events (
    seq         bigserial PRIMARY KEY,
    id          text NOT NULL UNIQUE,
    body        text NOT NULL,
    body_hash   text NOT NULL,
    origin      text NOT NULL,
    sku         text NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX events_by_sku ON events (sku, seq);

-- The balances the log implies, kept in the push transaction: the one global view the
-- invariants are checked against.
CREATE TABLE balances (
    sku        text NOT NULL,
    location   text NOT NULL,
    on_hand    bigint NOT NULL DEFAULT 0,
    committed  bigint NOT NULL DEFAULT 0,
    reserved   bigint NOT NULL DEFAULT 0,
    damaged    bigint NOT NULL DEFAULT 0,
    in_transit bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (sku, location)
);

-- An event id offered again with a different body: refused, and kept here as the report.
CREATE TABLE refusals (
    id          bigserial PRIMARY KEY,
    event_id    text NOT NULL,
    workstation text NOT NULL,
    offered_hash text NOT NULL,
    kept_hash   text NOT NULL,
    at          timestamptz NOT NULL DEFAULT now(),
    UNIQUE (event_id, workstation, offered_hash)
);

-- A global invariant broken by events that were each fine where they were made (two offline
-- write-offs of the last unit): for a supervisor. Both events stay in the log.
CREATE TABLE discrepancies (
    id             bigserial PRIMARY KEY,
    event_id       text NOT NULL UNIQUE REFERENCES events (id),
    other_event_id text REFERENCES events (id),
    workstation    text NOT NULL,
    sku            text NOT NULL,
    location       text NOT NULL,
    detail         text NOT NULL,
    detected_at    timestamptz NOT NULL DEFAULT now(),
    resolved_at    timestamptz,
    resolved_by    text
);

-- Master data, every version (the history). The current value of a record is its version with
-- the greatest (changed_at, workstation): last writer wins. value NULL: deleted.
CREATE TABLE master (
    seq         bigserial PRIMARY KEY,
    kind        text NOT NULL,
    key         text NOT NULL,
    value       text,
    changed_at  text NOT NULL,
    workstation text NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX master_by_key ON master (kind, key, changed_at DESC, workstation DESC);
CREATE VIEW master_current AS
    SELECT DISTINCT ON (kind, key) kind, key, value, changed_at, workstation, seq
    FROM master ORDER BY kind, key, changed_at DESC, workstation DESC;

-- The sync-engine lease: one row, with an expiry in the server's clock (workstation clocks may
-- disagree). `epoch` goes up at every change of holder: a fencing token.
CREATE TABLE lease (
    id          integer PRIMARY KEY CHECK (id = 1),
    holder      text NOT NULL,
    epoch       bigint NOT NULL,
    acquired_at timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL
);
CREATE TABLE lease_history (
    epoch       bigint PRIMARY KEY,
    holder      text NOT NULL,
    acquired_at timestamptz NOT NULL
);
