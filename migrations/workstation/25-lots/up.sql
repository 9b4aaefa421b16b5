-- Lots, serials and expiry (issue 21). An item is tracked by lot, by serial or not at all; a
-- tracked item's warehouse events carry the lot or serial in their body (the ledger's event
-- table is unchanged), and these tables are their projection, kept in the append's
-- transaction like `balances` (crates/store/src/lots.rs). The rules are core's
-- (crates/core/src/lot.rs); the store checks them before it writes here.

-- none (default), lot or serial. Changed only while the item holds no stock (lots.rs).
ALTER TABLE items ADD COLUMN tracking TEXT NOT NULL DEFAULT 'none'
    CHECK (tracking IN ('none', 'lot', 'serial'));

-- One row per lot or serial of an item, with its expiry (YYYY-MM-DD) when known. code: 1 to 20
-- characters, what GS1 AIs (10) and (21) hold.
CREATE TABLE lots (
    sku    TEXT NOT NULL REFERENCES items(sku),
    code   TEXT NOT NULL CHECK (length(code) BETWEEN 1 AND 20),
    kind   TEXT NOT NULL CHECK (kind IN ('lot', 'serial')),
    expiry TEXT CHECK (expiry IS NULL OR expiry GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    PRIMARY KEY (sku, code)
) STRICT, WITHOUT ROWID;
-- `expiring --within DAYS`, the alert rule and the expiry job read lots by date.
CREATE INDEX lots_by_expiry ON lots(expiry) WHERE expiry IS NOT NULL;

-- A lot's physical buckets at one location. Committed and reserved stay on the item: a sale
-- promises units of the item, and the lot is chosen at pick.
CREATE TABLE lot_balances (
    sku        TEXT NOT NULL,
    location   TEXT NOT NULL REFERENCES locations(code),
    code       TEXT NOT NULL,
    on_hand    INTEGER NOT NULL DEFAULT 0,
    damaged    INTEGER NOT NULL DEFAULT 0,
    in_transit INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (sku, location, code),
    FOREIGN KEY (sku, code) REFERENCES lots(sku, code)
) STRICT, WITHOUT ROWID;
-- A serial's every location, for "on hand at most once".
CREATE INDEX lot_balances_by_code ON lot_balances(sku, code);

-- Counts by lot: what a counter counted of each lot of a tracked item in a count session.
-- The session's line keeps the item's total; these rows split it by lot, and posting the line
-- posts a variance per lot (lots.rs).
CREATE TABLE count_lot_lines (
    session TEXT NOT NULL,
    sku     TEXT NOT NULL REFERENCES items(sku),
    code    TEXT NOT NULL,
    counted INTEGER NOT NULL CHECK (counted BETWEEN 0 AND 1000000),
    -- The expiry the counter's scan named, for a lot this workstation has not seen yet.
    expiry  TEXT CHECK (expiry IS NULL OR expiry GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    PRIMARY KEY (session, sku, code)
) STRICT, WITHOUT ROWID;
