-- Trust in the hub (issue 17). Only the catalogue (locations, items, barcodes) replicates now.
-- Users (their roles and PIN hashes), tolerances, channels (their endpoints and shops) and what
-- hangs off a channel (allocation rules, rule locations, listings) stay on the workstation where
-- an admin set them: a row from the hub could otherwise make someone an admin, or point a
-- channel at a server that then receives the channel's secrets. So their triggers go, and so
-- does whatever of them still waits to go up.

DROP TRIGGER IF EXISTS hub_users_insert;
DROP TRIGGER IF EXISTS hub_users_update;
DROP TRIGGER IF EXISTS hub_users_delete;
DROP TRIGGER IF EXISTS hub_tolerances_insert;
DROP TRIGGER IF EXISTS hub_tolerances_update;
DROP TRIGGER IF EXISTS hub_tolerances_delete;
DROP TRIGGER IF EXISTS hub_channels_insert;
DROP TRIGGER IF EXISTS hub_channels_update;
DROP TRIGGER IF EXISTS hub_channels_delete;
DROP TRIGGER IF EXISTS hub_allocation_rules_insert;
DROP TRIGGER IF EXISTS hub_allocation_rules_update;
DROP TRIGGER IF EXISTS hub_allocation_rules_delete;
DROP TRIGGER IF EXISTS hub_rule_locations_insert;
DROP TRIGGER IF EXISTS hub_rule_locations_update;
DROP TRIGGER IF EXISTS hub_rule_locations_delete;
DROP TRIGGER IF EXISTS hub_listings_insert;
DROP TRIGGER IF EXISTS hub_listings_update;
DROP TRIGGER IF EXISTS hub_listings_delete;

DELETE FROM hub_master_outbox WHERE kind NOT IN ('location', 'item', 'barcode');
DELETE FROM hub_master_versions WHERE kind NOT IN ('location', 'item', 'barcode');

-- Whatever this workstation applies from the hub is audited from now on, and `audit verify`
-- checks that every version applied from another workstation has its entry. Versions applied
-- before this had none: they are forgotten and pulled again (the hub keeps every version), so
-- each is applied once more, now with its entry. The result is the same last writer.
DELETE FROM hub_master_versions
WHERE workstation <> ifnull((SELECT workstation FROM hub_config WHERE id = 1), '');
UPDATE hub_config SET master_watermark = 0;
