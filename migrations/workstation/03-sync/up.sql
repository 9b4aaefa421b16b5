-- The sync engine: channels, their listings (mappings), allocation rules, the outbox, dead
-- letters, push history, metrics and the engine lease. Secrets are NOT here: they live in the
-- OS keychain (or a 0600 file beside the database).

CREATE TABLE channels (
    name           TEXT PRIMARY KEY NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('shopify', 'amazon', 'ebay')),
    endpoint       TEXT NOT NULL,
    -- Shopify: the shop domain. Amazon: seller id and marketplace id.
    shop           TEXT,
    seller_id      TEXT,
    marketplace_id TEXT,
    created_at     TEXT NOT NULL
) STRICT;

-- How much of ATP a channel may sell. Order of application: pool of ATP over the feeding
-- locations, minus the item's safety stock, times percent, minus buffer, capped, floored at 0.
CREATE TABLE allocation_rules (
    channel  TEXT PRIMARY KEY NOT NULL REFERENCES channels(name),
    percent  INTEGER NOT NULL DEFAULT 100 CHECK (percent BETWEEN 0 AND 100),
    buffer   INTEGER NOT NULL DEFAULT 0 CHECK (buffer >= 0),
    cap      INTEGER CHECK (cap IS NULL OR cap >= 0),
    conflict TEXT NOT NULL DEFAULT 'central' CHECK (conflict IN ('central', 'channel', 'flag'))
) STRICT;

-- The locations that feed a channel (a warehouse includes its bins). None: every location.
CREATE TABLE rule_locations (
    channel  TEXT NOT NULL REFERENCES channels(name),
    location TEXT NOT NULL REFERENCES locations(code),
    PRIMARY KEY (channel, location)
) STRICT, WITHOUT ROWID;

-- A listing: our SKU (at a location, for channels with per-location stock) joined to the
-- channel's ids. Shopify: remote_item = InventoryItem GID, remote_location = Location GID.
CREATE TABLE listings (
    id              INTEGER PRIMARY KEY,
    channel         TEXT NOT NULL REFERENCES channels(name),
    sku             TEXT NOT NULL REFERENCES items(sku),
    location        TEXT REFERENCES locations(code),
    remote_item     TEXT NOT NULL,
    remote_location TEXT,
    -- Last version handed out; outbox rows take version + 1. Never decreases.
    version         INTEGER NOT NULL DEFAULT 0,
    -- What the channel acknowledged last: the engine's belief of the channel's quantity,
    -- used as changeFromQuantity. NULL: unknown (never pushed, or an unresolved write).
    acked_qty       INTEGER,
    acked_version   INTEGER NOT NULL DEFAULT 0,
    acked_at        TEXT
) STRICT;
CREATE UNIQUE INDEX listings_by_key ON listings(channel, sku, ifnull(location, ''));
CREATE UNIQUE INDEX listings_by_remote ON listings(channel, remote_item, ifnull(remote_location, ''));
CREATE INDEX listings_by_sku ON listings(sku);

-- One row per dirty listing: the newest desired quantity. Deleted when that version is acked.
CREATE TABLE outbox (
    listing_id      INTEGER PRIMARY KEY NOT NULL REFERENCES listings(id),
    channel         TEXT NOT NULL REFERENCES channels(name),
    desired_qty     INTEGER NOT NULL CHECK (desired_qty >= 0),
    version         INTEGER NOT NULL,
    derivation      TEXT NOT NULL,
    -- recorded_at of the oldest change not yet on the channel: FIFO order and push latency.
    dirty_since     TEXT NOT NULL,
    -- When desired_qty last changed; becomes dirty_since when an older version is acked.
    updated_at      TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error      TEXT,
    -- The attempt group in flight: its idempotency key and the exact values sent with it, so a
    -- retry resends the same variables under the same key until the outcome is known.
    group_key       TEXT,
    group_qty       INTEGER,
    group_from      INTEGER,
    group_version   INTEGER
) STRICT;
CREATE INDEX outbox_by_due ON outbox(channel, dirty_since, listing_id);
CREATE INDEX outbox_by_group ON outbox(group_key);

CREATE TABLE dead_letters (
    id          INTEGER PRIMARY KEY,
    listing_id  INTEGER NOT NULL REFERENCES listings(id),
    channel     TEXT NOT NULL REFERENCES channels(name),
    desired_qty INTEGER NOT NULL,
    version     INTEGER NOT NULL,
    derivation  TEXT NOT NULL,
    dirty_since TEXT NOT NULL,
    attempts    INTEGER NOT NULL,
    last_error  TEXT NOT NULL,
    -- The key of a write whose outcome stayed unknown, if any: a checker can match it.
    group_key   TEXT,
    dead_at     TEXT NOT NULL,
    -- Set when replayed ('retried') or when a newer version reached the channel ('superseded').
    resolved_at TEXT,
    resolution  TEXT
) STRICT;
CREATE INDEX dead_letters_open ON dead_letters(channel, resolved_at);

-- Every acknowledged push with its derivation: the history `sync explain` and latency read.
CREATE TABLE pushes (
    id          INTEGER PRIMARY KEY,
    listing_id  INTEGER NOT NULL REFERENCES listings(id),
    channel     TEXT NOT NULL,
    version     INTEGER NOT NULL,
    qty         INTEGER NOT NULL,
    change_from INTEGER,
    group_key   TEXT NOT NULL,
    derivation  TEXT NOT NULL,
    dirty_since TEXT NOT NULL,
    acked_at    TEXT NOT NULL,
    latency_ms  INTEGER NOT NULL
) STRICT;
CREATE INDEX pushes_by_listing ON pushes(listing_id, id);
CREATE INDEX pushes_by_channel ON pushes(channel, acked_at);

-- Differences found on the channel (a stale compare-and-set read): handed to capture, which
-- resolves them once the matching orders are in the ledger. Until then, unresolved deltas are
-- kept out of what we push, so a sale we have not ingested is never overwritten.
CREATE TABLE channel_changes (
    id          INTEGER PRIMARY KEY,
    listing_id  INTEGER NOT NULL REFERENCES listings(id),
    channel     TEXT NOT NULL,
    expected    INTEGER NOT NULL,
    observed    INTEGER NOT NULL,
    delta       INTEGER NOT NULL,
    detected_at TEXT NOT NULL,
    resolved_at TEXT
) STRICT;
CREATE INDEX channel_changes_open ON channel_changes(listing_id, resolved_at);

CREATE TABLE channel_metrics (
    channel         TEXT PRIMARY KEY NOT NULL REFERENCES channels(name),
    attempts        INTEGER NOT NULL DEFAULT 0,
    failures        INTEGER NOT NULL DEFAULT 0,
    throttles       INTEGER NOT NULL DEFAULT 0,
    dead_letters    INTEGER NOT NULL DEFAULT 0,
    pushed          INTEGER NOT NULL DEFAULT 0,
    last_success_at TEXT,
    last_error      TEXT,
    offline_since   TEXT
) STRICT;

-- Failures with their time, for "errors in the last hour"; pruned after a day.
CREATE TABLE sync_failures (
    id      INTEGER PRIMARY KEY,
    channel TEXT NOT NULL,
    at      TEXT NOT NULL,
    kind    TEXT NOT NULL,
    message TEXT NOT NULL
) STRICT;
CREATE INDEX sync_failures_by_time ON sync_failures(channel, at);

-- One sync engine per database: the holder renews before expiry; another takes over after.
CREATE TABLE sync_lease (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    holder     TEXT NOT NULL,
    expires_at TEXT NOT NULL
) STRICT;
