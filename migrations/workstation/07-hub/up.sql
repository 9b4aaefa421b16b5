-- Replication through the shared PostgreSQL hub (issue 11). Present on every workstation and
-- empty (the triggers below stay quiet) until `shelfsync hub connect`.

-- This workstation's link to the hub, and how far each direction has got.
CREATE TABLE hub_config (
    id               INTEGER PRIMARY KEY CHECK (id = 1),
    workstation      TEXT NOT NULL,
    -- The hub's own id: a database is never silently re-pointed at a different hub.
    hub_id           TEXT NOT NULL,
    connected_at     TEXT NOT NULL,
    -- Local events.seq shipped up to (events pulled from the hub are skipped, see hub_inbound).
    push_watermark   INTEGER NOT NULL DEFAULT 0,
    -- Hub sequence numbers applied up to: events, master-data versions, discrepancies.
    pull_watermark   INTEGER NOT NULL DEFAULT 0,
    master_watermark INTEGER NOT NULL DEFAULT 0,
    discrepancy_watermark INTEGER NOT NULL DEFAULT 0,
    last_push        TEXT,
    last_pull        TEXT,
    last_error       TEXT,
    -- The hub head seen at the last pull: lag_events when the hub cannot be reached now.
    hub_head         INTEGER NOT NULL DEFAULT 0
) STRICT;

-- Local events that came down from the hub: never shipped back up.
CREATE TABLE hub_inbound (
    seq INTEGER PRIMARY KEY NOT NULL REFERENCES events(seq)
) STRICT;

-- The same event id with a different body, refused in either direction: reported, never merged.
CREATE TABLE hub_refused (
    event_id    TEXT NOT NULL,
    direction   TEXT NOT NULL CHECK (direction IN ('up', 'down')),
    reason      TEXT NOT NULL,
    at          TEXT NOT NULL,
    PRIMARY KEY (event_id, direction)
) STRICT, WITHOUT ROWID;

-- Master-data changes made here and not yet shipped; written by the triggers below.
CREATE TABLE hub_master_outbox (
    id         INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL,
    key        TEXT NOT NULL,
    changed_at TEXT NOT NULL
) STRICT;

-- The version of each master record this replica holds: last writer wins on (changed_at,
-- workstation); the hub keeps every version.
CREATE TABLE hub_master_versions (
    kind        TEXT NOT NULL,
    key         TEXT NOT NULL,
    changed_at  TEXT NOT NULL,
    workstation TEXT NOT NULL,
    PRIMARY KEY (kind, key)
) STRICT, WITHOUT ROWID;

-- Holds a row only inside the transaction that applies pulled master data, so the triggers
-- do not echo it back up. Other connections never see the row (it is never committed).
CREATE TABLE hub_applying (
    id INTEGER PRIMARY KEY CHECK (id = 1)
) STRICT;

-- Global-invariant conflicts the hub found (e.g. two offline write-offs of the last unit),
-- mirrored here for a supervisor. Both events stay in the ledger.
CREATE TABLE hub_discrepancies (
    id             INTEGER PRIMARY KEY NOT NULL,
    event_id       TEXT NOT NULL,
    other_event_id TEXT,
    workstation    TEXT NOT NULL,
    sku            TEXT NOT NULL,
    location       TEXT NOT NULL,
    detail         TEXT NOT NULL,
    detected_at    TEXT NOT NULL
) STRICT;


-- One trigger per master table and operation. Only replicated columns fire (a user's failed
-- sign-ins and a listing's push state are this workstation's own). The version row is written
-- here too, so a pulled older version never overwrites a local change still waiting to ship.

CREATE TRIGGER hub_items_insert AFTER INSERT ON items
WHEN EXISTS (SELECT 1 FROM hub_config) AND NOT EXISTS (SELECT 1 FROM hub_applying)
BEGIN
    INSERT INTO hub_master_outbox (kind, key, changed_at) VALUES ('item', NEW.sku, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
    INSERT OR REPLACE INTO hub_master_versions (kind, key, changed_at, workstation)
        VALUES ('item', NEW.sku, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), (SELECT workstation FROM hub_config));
END;

CREATE TRIGGER hub_items_update AFTER UPDATE ON items
WHEN EXISTS (SELECT 1 FROM hub_config) AND NOT EXISTS (SELECT 1 FROM hub_applying)
BEGIN
    INSERT INTO hub_master_outbox (kind, key, changed_at) VALUES ('item', NEW.sku, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
    INSERT OR REPLACE INTO hub_master_versions (kind, key, changed_at, workstation)
        VALUES ('item', NEW.sku, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), (SELECT workstation FROM hub_config));
END;

CREATE TRIGGER hub_items_delete AFTER DELETE ON items
WHEN EXISTS (SELECT 1 FROM hub_config) AND NOT EXISTS (SELECT 1 FROM hub_applying)
BEGIN
    INSERT INTO hub_master_outbox (kind, key, changed_at) VALUES ('item', OLD.sku, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
    INSERT OR REPLACE INTO hub_master_versions (kind, key, changed_at, workstation)
        VALUES ('item', OLD.sku, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), (SELECT workstation FROM hub_config));
END;

CREATE TRIGGER hub_barcodes_insert AFTER INSERT ON barcodes
WHEN EXISTS (SELECT 1 FROM hub_config) AND NOT EXISTS (SELECT 1 FROM hub_applying)
BEGIN
    INSERT INTO hub_master_outbox (kind, key, changed_at) VALUES ('barcode', NEW.code, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
    INSERT OR REPLACE INTO hub_master_versions (kind, key, changed_at, workstation)
        VALUES ('barcode', NEW.code, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), (SELECT workstation FROM hub_config));
END;

CREATE TRIGGER hub_barcodes_update AFTER UPDATE ON barcodes
WHEN EXISTS (SELECT 1 FROM hub_config) AND NOT EXISTS (SELECT 1 FROM hub_applying)
BEGIN
    INSERT INTO hub_master_outbox (kind, key, changed_at) VALUES ('barcode', NEW.code, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
    INSERT OR REPLACE INTO hub_master_versions (kind, key, changed_at, workstation)
        VALUES ('barcode', NEW.code, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), (SELECT workstation FROM hub_config));
END;

CREATE TRIGGER hub_barcodes_delete AFTER DELETE ON barcodes
WHEN EXISTS (SELECT 1 FROM hub_config) AND NOT EXISTS (SELECT 1 FROM hub_applying)
BEGIN
    INSERT INTO hub_master_outbox (kind, key, changed_at) VALUES ('barcode', OLD.code, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
    INSERT OR REPLACE INTO hub_master_versions (kind, key, changed_at, workstation)
        VALUES ('barcode', OLD.code, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), (SELECT workstation FROM hub_config));
END;

CREATE TRIGGER hub_locations_insert AFTER INSERT ON locations
WHEN EXISTS (SELECT 1 FROM hub_config) AND NOT EXISTS (SELECT 1 FROM hub_applying)
BEGIN
    INSERT INTO hub_master_outbox (kind, key, changed_at) VALUES ('location', NEW.code, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
    INSERT OR REPLACE INTO hub_master_versions (kind, key, changed_at, workstation)
        VALUES ('location', NEW.code, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), (SELECT workstation FROM hub_config));
END;

CREATE TRIGGER hub_locations_update AFTER UPDATE ON locations
WHEN EXISTS (SELECT 1 FROM hub_config) AND NOT EXISTS (SELECT 1 FROM hub_applying)
BEGIN
    INSERT INTO hub_master_outbox (kind, key, changed_at) VALUES ('location', NEW.code, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
    INSERT OR REPLACE INTO hub_master_versions (kind, key, changed_at, workstation)
        VALUES ('location', NEW.code, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), (SELECT workstation FROM hub_config));
END;

CREATE TRIGGER hub_locations_delete AFTER DELETE ON locations
WHEN EXISTS (SELECT 1 FROM hub_config) AND NOT EXISTS (SELECT 1 FROM hub_applying)
BEGIN
    INSERT INTO hub_master_outbox (kind, key, changed_at) VALUES ('location', OLD.code, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
    INSERT OR REPLACE INTO hub_master_versions (kind, key, changed_at, workstation)
        VALUES ('location', OLD.code, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), (SELECT workstation FROM hub_config));
END;

CREATE TRIGGER hub_users_insert AFTER INSERT ON users
WHEN EXISTS (SELECT 1 FROM hub_config) AND NOT EXISTS (SELECT 1 FROM hub_applying)
BEGIN
    INSERT INTO hub_master_outbox (kind, key, changed_at) VALUES ('user', NEW.name, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
    INSERT OR REPLACE INTO hub_master_versions (kind, key, changed_at, workstation)
        VALUES ('user', NEW.name, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), (SELECT workstation FROM hub_config));
END;

CREATE TRIGGER hub_users_update AFTER UPDATE OF role, pin_hash, active ON users
WHEN EXISTS (SELECT 1 FROM hub_config) AND NOT EXISTS (SELECT 1 FROM hub_applying)
BEGIN
    INSERT INTO hub_master_outbox (kind, key, changed_at) VALUES ('user', NEW.name, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
    INSERT OR REPLACE INTO hub_master_versions (kind, key, changed_at, workstation)
        VALUES ('user', NEW.name, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), (SELECT workstation FROM hub_config));
END;

CREATE TRIGGER hub_users_delete AFTER DELETE ON users
WHEN EXISTS (SELECT 1 FROM hub_config) AND NOT EXISTS (SELECT 1 FROM hub_applying)
BEGIN
    INSERT INTO hub_master_outbox (kind, key, changed_at) VALUES ('user', OLD.name, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
    INSERT OR REPLACE INTO hub_master_versions (kind, key, changed_at, workstation)
        VALUES ('user', OLD.name, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), (SELECT workstation FROM hub_config));
END;

CREATE TRIGGER hub_tolerances_insert AFTER INSERT ON tolerances
WHEN EXISTS (SELECT 1 FROM hub_config) AND NOT EXISTS (SELECT 1 FROM hub_applying)
BEGIN
    INSERT INTO hub_master_outbox (kind, key, changed_at) VALUES ('tolerance', NEW.category, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
    INSERT OR REPLACE INTO hub_master_versions (kind, key, changed_at, workstation)
        VALUES ('tolerance', NEW.category, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), (SELECT workstation FROM hub_config));
END;

CREATE TRIGGER hub_tolerances_update AFTER UPDATE ON tolerances
WHEN EXISTS (SELECT 1 FROM hub_config) AND NOT EXISTS (SELECT 1 FROM hub_applying)
BEGIN
    INSERT INTO hub_master_outbox (kind, key, changed_at) VALUES ('tolerance', NEW.category, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
    INSERT OR REPLACE INTO hub_master_versions (kind, key, changed_at, workstation)
        VALUES ('tolerance', NEW.category, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), (SELECT workstation FROM hub_config));
END;

CREATE TRIGGER hub_tolerances_delete AFTER DELETE ON tolerances
WHEN EXISTS (SELECT 1 FROM hub_config) AND NOT EXISTS (SELECT 1 FROM hub_applying)
BEGIN
    INSERT INTO hub_master_outbox (kind, key, changed_at) VALUES ('tolerance', OLD.category, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
    INSERT OR REPLACE INTO hub_master_versions (kind, key, changed_at, workstation)
        VALUES ('tolerance', OLD.category, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), (SELECT workstation FROM hub_config));
END;

CREATE TRIGGER hub_channels_insert AFTER INSERT ON channels
WHEN EXISTS (SELECT 1 FROM hub_config) AND NOT EXISTS (SELECT 1 FROM hub_applying)
BEGIN
    INSERT INTO hub_master_outbox (kind, key, changed_at) VALUES ('channel', NEW.name, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
    INSERT OR REPLACE INTO hub_master_versions (kind, key, changed_at, workstation)
        VALUES ('channel', NEW.name, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), (SELECT workstation FROM hub_config));
END;

CREATE TRIGGER hub_channels_update AFTER UPDATE ON channels
WHEN EXISTS (SELECT 1 FROM hub_config) AND NOT EXISTS (SELECT 1 FROM hub_applying)
BEGIN
    INSERT INTO hub_master_outbox (kind, key, changed_at) VALUES ('channel', NEW.name, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
    INSERT OR REPLACE INTO hub_master_versions (kind, key, changed_at, workstation)
        VALUES ('channel', NEW.name, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), (SELECT workstation FROM hub_config));
END;

CREATE TRIGGER hub_channels_delete AFTER DELETE ON channels
WHEN EXISTS (SELECT 1 FROM hub_config) AND NOT EXISTS (SELECT 1 FROM hub_applying)
BEGIN
    INSERT INTO hub_master_outbox (kind, key, changed_at) VALUES ('channel', OLD.name, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
    INSERT OR REPLACE INTO hub_master_versions (kind, key, changed_at, workstation)
        VALUES ('channel', OLD.name, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), (SELECT workstation FROM hub_config));
END;

CREATE TRIGGER hub_allocation_rules_insert AFTER INSERT ON allocation_rules
WHEN EXISTS (SELECT 1 FROM hub_config) AND NOT EXISTS (SELECT 1 FROM hub_applying)
BEGIN
    INSERT INTO hub_master_outbox (kind, key, changed_at) VALUES ('allocation_rule', NEW.channel, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
    INSERT OR REPLACE INTO hub_master_versions (kind, key, changed_at, workstation)
        VALUES ('allocation_rule', NEW.channel, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), (SELECT workstation FROM hub_config));
END;

CREATE TRIGGER hub_allocation_rules_update AFTER UPDATE ON allocation_rules
WHEN EXISTS (SELECT 1 FROM hub_config) AND NOT EXISTS (SELECT 1 FROM hub_applying)
BEGIN
    INSERT INTO hub_master_outbox (kind, key, changed_at) VALUES ('allocation_rule', NEW.channel, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
    INSERT OR REPLACE INTO hub_master_versions (kind, key, changed_at, workstation)
        VALUES ('allocation_rule', NEW.channel, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), (SELECT workstation FROM hub_config));
END;

CREATE TRIGGER hub_allocation_rules_delete AFTER DELETE ON allocation_rules
WHEN EXISTS (SELECT 1 FROM hub_config) AND NOT EXISTS (SELECT 1 FROM hub_applying)
BEGIN
    INSERT INTO hub_master_outbox (kind, key, changed_at) VALUES ('allocation_rule', OLD.channel, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
    INSERT OR REPLACE INTO hub_master_versions (kind, key, changed_at, workstation)
        VALUES ('allocation_rule', OLD.channel, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), (SELECT workstation FROM hub_config));
END;

CREATE TRIGGER hub_rule_locations_insert AFTER INSERT ON rule_locations
WHEN EXISTS (SELECT 1 FROM hub_config) AND NOT EXISTS (SELECT 1 FROM hub_applying)
BEGIN
    INSERT INTO hub_master_outbox (kind, key, changed_at) VALUES ('rule_location', json_array(NEW.channel, NEW.location), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
    INSERT OR REPLACE INTO hub_master_versions (kind, key, changed_at, workstation)
        VALUES ('rule_location', json_array(NEW.channel, NEW.location), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), (SELECT workstation FROM hub_config));
END;

CREATE TRIGGER hub_rule_locations_update AFTER UPDATE ON rule_locations
WHEN EXISTS (SELECT 1 FROM hub_config) AND NOT EXISTS (SELECT 1 FROM hub_applying)
BEGIN
    INSERT INTO hub_master_outbox (kind, key, changed_at) VALUES ('rule_location', json_array(NEW.channel, NEW.location), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
    INSERT OR REPLACE INTO hub_master_versions (kind, key, changed_at, workstation)
        VALUES ('rule_location', json_array(NEW.channel, NEW.location), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), (SELECT workstation FROM hub_config));
END;

CREATE TRIGGER hub_rule_locations_delete AFTER DELETE ON rule_locations
WHEN EXISTS (SELECT 1 FROM hub_config) AND NOT EXISTS (SELECT 1 FROM hub_applying)
BEGIN
    INSERT INTO hub_master_outbox (kind, key, changed_at) VALUES ('rule_location', json_array(OLD.channel, OLD.location), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
    INSERT OR REPLACE INTO hub_master_versions (kind, key, changed_at, workstation)
        VALUES ('rule_location', json_array(OLD.channel, OLD.location), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), (SELECT workstation FROM hub_config));
END;

CREATE TRIGGER hub_listings_insert AFTER INSERT ON listings
WHEN EXISTS (SELECT 1 FROM hub_config) AND NOT EXISTS (SELECT 1 FROM hub_applying)
BEGIN
    INSERT INTO hub_master_outbox (kind, key, changed_at) VALUES ('listing', json_array(NEW.channel, NEW.sku, ifnull(NEW.location, '')), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
    INSERT OR REPLACE INTO hub_master_versions (kind, key, changed_at, workstation)
        VALUES ('listing', json_array(NEW.channel, NEW.sku, ifnull(NEW.location, '')), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), (SELECT workstation FROM hub_config));
END;

CREATE TRIGGER hub_listings_update AFTER UPDATE OF remote_item, remote_location ON listings
WHEN EXISTS (SELECT 1 FROM hub_config) AND NOT EXISTS (SELECT 1 FROM hub_applying)
BEGIN
    INSERT INTO hub_master_outbox (kind, key, changed_at) VALUES ('listing', json_array(NEW.channel, NEW.sku, ifnull(NEW.location, '')), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
    INSERT OR REPLACE INTO hub_master_versions (kind, key, changed_at, workstation)
        VALUES ('listing', json_array(NEW.channel, NEW.sku, ifnull(NEW.location, '')), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), (SELECT workstation FROM hub_config));
END;

CREATE TRIGGER hub_listings_delete AFTER DELETE ON listings
WHEN EXISTS (SELECT 1 FROM hub_config) AND NOT EXISTS (SELECT 1 FROM hub_applying)
BEGIN
    INSERT INTO hub_master_outbox (kind, key, changed_at) VALUES ('listing', json_array(OLD.channel, OLD.sku, ifnull(OLD.location, '')), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
    INSERT OR REPLACE INTO hub_master_versions (kind, key, changed_at, workstation)
        VALUES ('listing', json_array(OLD.channel, OLD.sku, ifnull(OLD.location, '')), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), (SELECT workstation FROM hub_config));
END;
