-- The catalogue's hub triggers (issue 21; migration 07 made the first ones).
--
-- Packs replicate through the hub as catalogue: each change is queued for the hub as the
-- barcodes' are, and not while a hub version is being applied.
--
-- Every catalogue trigger records the local version with an upsert, not INSERT OR REPLACE:
-- inside a trigger, the conflict clause of the statement that fired it overrides the trigger's
-- own, so an item, barcode or location pulled from the hub and then changed here by an import
-- (itself an upsert) failed on the version row's key ("UNIQUE constraint failed:
-- hub_master_versions"), and the import was refused. crates/hub/tests/packs.rs renames a pulled
-- item to show it.

DROP TRIGGER hub_items_insert;

CREATE TRIGGER hub_items_insert AFTER INSERT ON items
WHEN EXISTS (SELECT 1 FROM hub_config) AND NOT EXISTS (SELECT 1 FROM hub_applying)
BEGIN
    INSERT INTO hub_master_outbox (kind, key, changed_at) VALUES ('item', NEW.sku, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
    INSERT INTO hub_master_versions (kind, key, changed_at, workstation)
        VALUES ('item', NEW.sku, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), (SELECT workstation FROM hub_config))
        ON CONFLICT (kind, key) DO UPDATE SET changed_at = excluded.changed_at, workstation = excluded.workstation;
END;

DROP TRIGGER hub_items_update;

CREATE TRIGGER hub_items_update AFTER UPDATE ON items
WHEN EXISTS (SELECT 1 FROM hub_config) AND NOT EXISTS (SELECT 1 FROM hub_applying)
BEGIN
    INSERT INTO hub_master_outbox (kind, key, changed_at) VALUES ('item', NEW.sku, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
    INSERT INTO hub_master_versions (kind, key, changed_at, workstation)
        VALUES ('item', NEW.sku, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), (SELECT workstation FROM hub_config))
        ON CONFLICT (kind, key) DO UPDATE SET changed_at = excluded.changed_at, workstation = excluded.workstation;
END;

DROP TRIGGER hub_items_delete;

CREATE TRIGGER hub_items_delete AFTER DELETE ON items
WHEN EXISTS (SELECT 1 FROM hub_config) AND NOT EXISTS (SELECT 1 FROM hub_applying)
BEGIN
    INSERT INTO hub_master_outbox (kind, key, changed_at) VALUES ('item', OLD.sku, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
    INSERT INTO hub_master_versions (kind, key, changed_at, workstation)
        VALUES ('item', OLD.sku, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), (SELECT workstation FROM hub_config))
        ON CONFLICT (kind, key) DO UPDATE SET changed_at = excluded.changed_at, workstation = excluded.workstation;
END;

DROP TRIGGER hub_barcodes_insert;

CREATE TRIGGER hub_barcodes_insert AFTER INSERT ON barcodes
WHEN EXISTS (SELECT 1 FROM hub_config) AND NOT EXISTS (SELECT 1 FROM hub_applying)
BEGIN
    INSERT INTO hub_master_outbox (kind, key, changed_at) VALUES ('barcode', NEW.code, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
    INSERT INTO hub_master_versions (kind, key, changed_at, workstation)
        VALUES ('barcode', NEW.code, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), (SELECT workstation FROM hub_config))
        ON CONFLICT (kind, key) DO UPDATE SET changed_at = excluded.changed_at, workstation = excluded.workstation;
END;

DROP TRIGGER hub_barcodes_update;

CREATE TRIGGER hub_barcodes_update AFTER UPDATE ON barcodes
WHEN EXISTS (SELECT 1 FROM hub_config) AND NOT EXISTS (SELECT 1 FROM hub_applying)
BEGIN
    INSERT INTO hub_master_outbox (kind, key, changed_at) VALUES ('barcode', NEW.code, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
    INSERT INTO hub_master_versions (kind, key, changed_at, workstation)
        VALUES ('barcode', NEW.code, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), (SELECT workstation FROM hub_config))
        ON CONFLICT (kind, key) DO UPDATE SET changed_at = excluded.changed_at, workstation = excluded.workstation;
END;

DROP TRIGGER hub_barcodes_delete;

CREATE TRIGGER hub_barcodes_delete AFTER DELETE ON barcodes
WHEN EXISTS (SELECT 1 FROM hub_config) AND NOT EXISTS (SELECT 1 FROM hub_applying)
BEGIN
    INSERT INTO hub_master_outbox (kind, key, changed_at) VALUES ('barcode', OLD.code, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
    INSERT INTO hub_master_versions (kind, key, changed_at, workstation)
        VALUES ('barcode', OLD.code, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), (SELECT workstation FROM hub_config))
        ON CONFLICT (kind, key) DO UPDATE SET changed_at = excluded.changed_at, workstation = excluded.workstation;
END;

DROP TRIGGER hub_locations_insert;

CREATE TRIGGER hub_locations_insert AFTER INSERT ON locations
WHEN EXISTS (SELECT 1 FROM hub_config) AND NOT EXISTS (SELECT 1 FROM hub_applying)
BEGIN
    INSERT INTO hub_master_outbox (kind, key, changed_at) VALUES ('location', NEW.code, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
    INSERT INTO hub_master_versions (kind, key, changed_at, workstation)
        VALUES ('location', NEW.code, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), (SELECT workstation FROM hub_config))
        ON CONFLICT (kind, key) DO UPDATE SET changed_at = excluded.changed_at, workstation = excluded.workstation;
END;

DROP TRIGGER hub_locations_update;

CREATE TRIGGER hub_locations_update AFTER UPDATE ON locations
WHEN EXISTS (SELECT 1 FROM hub_config) AND NOT EXISTS (SELECT 1 FROM hub_applying)
BEGIN
    INSERT INTO hub_master_outbox (kind, key, changed_at) VALUES ('location', NEW.code, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
    INSERT INTO hub_master_versions (kind, key, changed_at, workstation)
        VALUES ('location', NEW.code, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), (SELECT workstation FROM hub_config))
        ON CONFLICT (kind, key) DO UPDATE SET changed_at = excluded.changed_at, workstation = excluded.workstation;
END;

DROP TRIGGER hub_locations_delete;

CREATE TRIGGER hub_locations_delete AFTER DELETE ON locations
WHEN EXISTS (SELECT 1 FROM hub_config) AND NOT EXISTS (SELECT 1 FROM hub_applying)
BEGIN
    INSERT INTO hub_master_outbox (kind, key, changed_at) VALUES ('location', OLD.code, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
    INSERT INTO hub_master_versions (kind, key, changed_at, workstation)
        VALUES ('location', OLD.code, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), (SELECT workstation FROM hub_config))
        ON CONFLICT (kind, key) DO UPDATE SET changed_at = excluded.changed_at, workstation = excluded.workstation;
END;

CREATE TRIGGER hub_packs_insert AFTER INSERT ON packs
WHEN EXISTS (SELECT 1 FROM hub_config) AND NOT EXISTS (SELECT 1 FROM hub_applying)
BEGIN
    INSERT INTO hub_master_outbox (kind, key, changed_at) VALUES ('pack', NEW.barcode, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
    INSERT INTO hub_master_versions (kind, key, changed_at, workstation)
        VALUES ('pack', NEW.barcode, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), (SELECT workstation FROM hub_config))
        ON CONFLICT (kind, key) DO UPDATE SET changed_at = excluded.changed_at, workstation = excluded.workstation;
END;

CREATE TRIGGER hub_packs_update AFTER UPDATE ON packs
WHEN EXISTS (SELECT 1 FROM hub_config) AND NOT EXISTS (SELECT 1 FROM hub_applying)
BEGIN
    INSERT INTO hub_master_outbox (kind, key, changed_at) VALUES ('pack', NEW.barcode, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
    INSERT INTO hub_master_versions (kind, key, changed_at, workstation)
        VALUES ('pack', NEW.barcode, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), (SELECT workstation FROM hub_config))
        ON CONFLICT (kind, key) DO UPDATE SET changed_at = excluded.changed_at, workstation = excluded.workstation;
END;

CREATE TRIGGER hub_packs_delete AFTER DELETE ON packs
WHEN EXISTS (SELECT 1 FROM hub_config) AND NOT EXISTS (SELECT 1 FROM hub_applying)
BEGIN
    INSERT INTO hub_master_outbox (kind, key, changed_at) VALUES ('pack', OLD.barcode, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
    INSERT INTO hub_master_versions (kind, key, changed_at, workstation)
        VALUES ('pack', OLD.barcode, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), (SELECT workstation FROM hub_config))
        ON CONFLICT (kind, key) DO UPDATE SET changed_at = excluded.changed_at, workstation = excluded.workstation;
END;
