-- Back to migration 07's catalogue triggers, and no pack triggers.

DROP TRIGGER hub_items_insert;

CREATE TRIGGER hub_items_insert AFTER INSERT ON items
WHEN EXISTS (SELECT 1 FROM hub_config) AND NOT EXISTS (SELECT 1 FROM hub_applying)
BEGIN
    INSERT INTO hub_master_outbox (kind, key, changed_at) VALUES ('item', NEW.sku, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
    INSERT OR REPLACE INTO hub_master_versions (kind, key, changed_at, workstation)
        VALUES ('item', NEW.sku, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), (SELECT workstation FROM hub_config));
END;

DROP TRIGGER hub_items_update;

CREATE TRIGGER hub_items_update AFTER UPDATE ON items
WHEN EXISTS (SELECT 1 FROM hub_config) AND NOT EXISTS (SELECT 1 FROM hub_applying)
BEGIN
    INSERT INTO hub_master_outbox (kind, key, changed_at) VALUES ('item', NEW.sku, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
    INSERT OR REPLACE INTO hub_master_versions (kind, key, changed_at, workstation)
        VALUES ('item', NEW.sku, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), (SELECT workstation FROM hub_config));
END;

DROP TRIGGER hub_items_delete;

CREATE TRIGGER hub_items_delete AFTER DELETE ON items
WHEN EXISTS (SELECT 1 FROM hub_config) AND NOT EXISTS (SELECT 1 FROM hub_applying)
BEGIN
    INSERT INTO hub_master_outbox (kind, key, changed_at) VALUES ('item', OLD.sku, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
    INSERT OR REPLACE INTO hub_master_versions (kind, key, changed_at, workstation)
        VALUES ('item', OLD.sku, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), (SELECT workstation FROM hub_config));
END;

DROP TRIGGER hub_barcodes_insert;

CREATE TRIGGER hub_barcodes_insert AFTER INSERT ON barcodes
WHEN EXISTS (SELECT 1 FROM hub_config) AND NOT EXISTS (SELECT 1 FROM hub_applying)
BEGIN
    INSERT INTO hub_master_outbox (kind, key, changed_at) VALUES ('barcode', NEW.code, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
    INSERT OR REPLACE INTO hub_master_versions (kind, key, changed_at, workstation)
        VALUES ('barcode', NEW.code, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), (SELECT workstation FROM hub_config));
END;

DROP TRIGGER hub_barcodes_update;

CREATE TRIGGER hub_barcodes_update AFTER UPDATE ON barcodes
WHEN EXISTS (SELECT 1 FROM hub_config) AND NOT EXISTS (SELECT 1 FROM hub_applying)
BEGIN
    INSERT INTO hub_master_outbox (kind, key, changed_at) VALUES ('barcode', NEW.code, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
    INSERT OR REPLACE INTO hub_master_versions (kind, key, changed_at, workstation)
        VALUES ('barcode', NEW.code, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), (SELECT workstation FROM hub_config));
END;

DROP TRIGGER hub_barcodes_delete;

CREATE TRIGGER hub_barcodes_delete AFTER DELETE ON barcodes
WHEN EXISTS (SELECT 1 FROM hub_config) AND NOT EXISTS (SELECT 1 FROM hub_applying)
BEGIN
    INSERT INTO hub_master_outbox (kind, key, changed_at) VALUES ('barcode', OLD.code, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
    INSERT OR REPLACE INTO hub_master_versions (kind, key, changed_at, workstation)
        VALUES ('barcode', OLD.code, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), (SELECT workstation FROM hub_config));
END;

DROP TRIGGER hub_locations_insert;

CREATE TRIGGER hub_locations_insert AFTER INSERT ON locations
WHEN EXISTS (SELECT 1 FROM hub_config) AND NOT EXISTS (SELECT 1 FROM hub_applying)
BEGIN
    INSERT INTO hub_master_outbox (kind, key, changed_at) VALUES ('location', NEW.code, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
    INSERT OR REPLACE INTO hub_master_versions (kind, key, changed_at, workstation)
        VALUES ('location', NEW.code, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), (SELECT workstation FROM hub_config));
END;

DROP TRIGGER hub_locations_update;

CREATE TRIGGER hub_locations_update AFTER UPDATE ON locations
WHEN EXISTS (SELECT 1 FROM hub_config) AND NOT EXISTS (SELECT 1 FROM hub_applying)
BEGIN
    INSERT INTO hub_master_outbox (kind, key, changed_at) VALUES ('location', NEW.code, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
    INSERT OR REPLACE INTO hub_master_versions (kind, key, changed_at, workstation)
        VALUES ('location', NEW.code, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), (SELECT workstation FROM hub_config));
END;

DROP TRIGGER hub_locations_delete;

CREATE TRIGGER hub_locations_delete AFTER DELETE ON locations
WHEN EXISTS (SELECT 1 FROM hub_config) AND NOT EXISTS (SELECT 1 FROM hub_applying)
BEGIN
    INSERT INTO hub_master_outbox (kind, key, changed_at) VALUES ('location', OLD.code, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
    INSERT OR REPLACE INTO hub_master_versions (kind, key, changed_at, workstation)
        VALUES ('location', OLD.code, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), (SELECT workstation FROM hub_config));
END;

DROP TRIGGER hub_packs_insert;

DROP TRIGGER hub_packs_update;

DROP TRIGGER hub_packs_delete;
