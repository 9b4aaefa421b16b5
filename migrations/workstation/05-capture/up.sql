-- Sales capture, reconciliation, drift, alerts and incidents (issue 6). Stock still changes
-- only through the ledger's append; these tables hold what capture saw and decided.

-- The durable webhook inbox: a delivery is stored (HMAC checked) before it is answered, and
-- processed afterwards. One row per (channel, X-Shopify-Event-Id): duplicates are dropped here.
CREATE TABLE webhook_inbox (
    id           INTEGER PRIMARY KEY,
    channel      TEXT NOT NULL REFERENCES channels(name),
    event_id     TEXT NOT NULL,
    topic        TEXT NOT NULL,
    body         TEXT NOT NULL,
    received_at  TEXT NOT NULL,
    processed_at TEXT,
    -- 'ok', 'echo', 'unmapped', or the error that stopped processing.
    outcome      TEXT
) STRICT;
CREATE UNIQUE INDEX webhook_inbox_by_event ON webhook_inbox(channel, event_id);
CREATE INDEX webhook_inbox_pending ON webhook_inbox(processed_at, id);

-- Every order capture has seen, with how it was seen: the capture rate is the share of a
-- day's orders (by the channel's created_at) that came by webhook.
CREATE TABLE captured_orders (
    channel      TEXT NOT NULL REFERENCES channels(name),
    order_id     TEXT NOT NULL,
    created_day  TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    webhook_at   TEXT,
    poll_at      TEXT,
    PRIMARY KEY (channel, order_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX captured_orders_by_day ON captured_orders(channel, created_day);

-- The capture rate per channel and day, as of the last poll that covered that day.
CREATE TABLE capture_rates (
    channel         TEXT NOT NULL REFERENCES channels(name),
    day             TEXT NOT NULL,
    webhook_orders  INTEGER NOT NULL,
    channel_orders  INTEGER NOT NULL,
    computed_at     TEXT NOT NULL,
    PRIMARY KEY (channel, day)
) STRICT, WITHOUT ROWID;

-- Where the polling fallback resumes: the newest updated_at it has ingested.
CREATE TABLE poll_cursors (
    channel    TEXT PRIMARY KEY NOT NULL REFERENCES channels(name),
    cursor     TEXT NOT NULL,
    polled_at  TEXT NOT NULL
) STRICT;

-- Order lines naming a listing we have no mapping for: nothing was booked for them.
CREATE TABLE unmapped_lines (
    channel     TEXT NOT NULL REFERENCES channels(name),
    order_id    TEXT NOT NULL,
    line_id     TEXT NOT NULL,
    remote_item TEXT NOT NULL,
    remote_location TEXT,
    quantity    INTEGER NOT NULL,
    seen_at     TEXT NOT NULL,
    PRIMARY KEY (channel, order_id, line_id)
) STRICT, WITHOUT ROWID;

-- Each reconciliation run, stored as a report.
CREATE TABLE reconcile_runs (
    id         INTEGER PRIMARY KEY,
    channel    TEXT NOT NULL REFERENCES channels(name),
    at         TEXT NOT NULL,
    checked    INTEGER NOT NULL,
    gaps       INTEGER NOT NULL,
    report     TEXT NOT NULL
) STRICT;
CREATE INDEX reconcile_runs_by_channel ON reconcile_runs(channel, id);

-- The last quantity reconciliation read per listing: a raise needs two reads in a row that agree.
CREATE TABLE reconcile_reads (
    listing_id INTEGER PRIMARY KEY NOT NULL REFERENCES listings(id),
    qty        INTEGER,
    read_at    TEXT NOT NULL
) STRICT;

-- Alerts: at most one open alert per (rule, subject); evaluation resolves it when it clears.
CREATE TABLE alerts (
    id          INTEGER PRIMARY KEY,
    rule        TEXT NOT NULL,
    subject     TEXT NOT NULL,
    message     TEXT NOT NULL,
    value       REAL,
    threshold   REAL,
    opened_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    acked_at    TEXT,
    acked_by    TEXT,
    resolved_at TEXT,
    -- Delivery to the escalation targets: set once every target in its window took it.
    delivered_at   TEXT,
    delivery_error TEXT
) STRICT;
CREATE UNIQUE INDEX alerts_open ON alerts(rule, subject) WHERE resolved_at IS NULL;

-- Where alerts go (escalation contacts), each for a window of UTC hours [from_hour, to_hour):
-- an outgoing webhook with a JSON body (chat tools accept these).
CREATE TABLE alert_targets (
    id        INTEGER PRIMARY KEY,
    kind      TEXT NOT NULL CHECK (kind IN ('webhook')),
    target    TEXT NOT NULL,
    from_hour INTEGER NOT NULL DEFAULT 0 CHECK (from_hour BETWEEN 0 AND 23),
    to_hour   INTEGER NOT NULL DEFAULT 24 CHECK (to_hour BETWEEN 1 AND 24 AND to_hour > from_hour),
    added_at  TEXT NOT NULL
) STRICT;

-- Alert thresholds that differ from the guide's defaults.
CREATE TABLE alert_thresholds (
    rule  TEXT PRIMARY KEY NOT NULL,
    value REAL NOT NULL
) STRICT;

-- Oversell incidents with the context at the moment they opened.
CREATE TABLE incidents (
    id             INTEGER PRIMARY KEY,
    kind           TEXT NOT NULL,
    channel        TEXT NOT NULL,
    sku            TEXT NOT NULL,
    location       TEXT,
    order_id       TEXT,
    oversold_units INTEGER NOT NULL,
    context        TEXT NOT NULL,
    opened_at      TEXT NOT NULL,
    due_at         TEXT NOT NULL,
    cause          TEXT,
    resolved_at    TEXT,
    resolved_by    TEXT
) STRICT;
CREATE UNIQUE INDEX incidents_by_order ON incidents(channel, order_id, sku, ifnull(location, ''));
