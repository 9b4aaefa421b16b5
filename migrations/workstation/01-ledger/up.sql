-- The ledger: master data, the immutable event log, its balance projection and the audit chain.

CREATE TABLE locations (
    code   TEXT PRIMARY KEY NOT NULL,
    name   TEXT NOT NULL,
    -- A bin names its warehouse; a warehouse has no parent.
    parent TEXT REFERENCES locations(code)
) STRICT;

CREATE TABLE items (
    sku             TEXT PRIMARY KEY NOT NULL,
    name            TEXT NOT NULL,
    unit_cost_cents INTEGER NOT NULL CHECK (unit_cost_cents >= 0),
    category        TEXT NOT NULL,
    safety_stock    INTEGER NOT NULL CHECK (safety_stock >= 0)
) STRICT;

CREATE TABLE barcodes (
    code TEXT PRIMARY KEY NOT NULL,
    sku  TEXT NOT NULL REFERENCES items(sku),
    kind TEXT NOT NULL CHECK (kind IN ('gtin', 'internal'))
) STRICT;
CREATE INDEX barcodes_by_sku ON barcodes(sku);

-- Append-only. `seq` is local arrival order; `id` is the UUIDv7 made where the change happened.
CREATE TABLE events (
    seq         INTEGER PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL,
    sku         TEXT NOT NULL REFERENCES items(sku),
    body        TEXT NOT NULL,
    body_hash   TEXT NOT NULL,
    occurred_at TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    -- The event this one closes: the shipment a transfer receipt receives, or the event a
    -- reversal undoes. The unique index makes a second receipt or reversal impossible.
    closes      TEXT
) STRICT;
-- Partial: few events close another, so the rest add nothing to this index.
CREATE UNIQUE INDEX events_by_closes ON events(closes) WHERE closes IS NOT NULL;
CREATE INDEX events_by_sku ON events(sku, seq);
CREATE INDEX events_by_occurred ON events(occurred_at);

-- A projection of `events`, updated in the same transaction; `shelfsync check` rebuilds it.
CREATE TABLE balances (
    sku        TEXT NOT NULL REFERENCES items(sku),
    location   TEXT NOT NULL REFERENCES locations(code),
    on_hand    INTEGER NOT NULL DEFAULT 0,
    committed  INTEGER NOT NULL DEFAULT 0,
    reserved   INTEGER NOT NULL DEFAULT 0,
    damaged    INTEGER NOT NULL DEFAULT 0,
    in_transit INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (sku, location)
) STRICT, WITHOUT ROWID;

-- Hash-chained: hash = sha256(prev_hash || canonical entry). Verify names the first break.
CREATE TABLE audit (
    seq         INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    workstation TEXT NOT NULL,
    action      TEXT NOT NULL,
    subject     TEXT NOT NULL,
    detail      TEXT NOT NULL,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
) STRICT;
