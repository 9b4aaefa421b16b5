-- Packs replicate through the hub as catalogue (issue 21): each change is queued for the hub as
-- the barcodes' are (migration 07), and not while a hub version is being applied. The version
-- row is an upsert, not INSERT OR REPLACE: inside a trigger, the conflict clause of the
-- statement that fired it (the packs import's own upsert) overrides OR REPLACE, and a pack
-- pulled from the hub and then changed here would fail on the version row's key.
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
