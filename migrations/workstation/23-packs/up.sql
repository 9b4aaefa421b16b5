-- Packs (issue 21): a barcode that stands for `qty` units of one item (a case, an inner, a
-- 3-pack). Receiving, counting or writing off by a pack's barcode books `qty` units per scan
-- (crates/store/src/packs.rs resolves it). The store checks every rule below first and names
-- the offending CSV line; the CHECKs and triggers keep the file right whoever writes to it.
--
-- barcode: normalised as an item barcode is (a GTIN of any length becomes its GTIN-14, anything
--   else is an internal code), so a scan resolves the same way whichever table holds it.
-- qty: units of the item in one pack, 1 to 100,000. 100,000 is also the largest command label
--   QTY the station accepts and is past any case or pallet of the sellers this tool serves, so
--   a larger figure is a typo (a GTIN pasted into the qty column); a scan's units (line qty x
--   pack qty) are still checked against one event's limit (core's MAX_QTY) when booked.
CREATE TABLE packs (
    barcode TEXT PRIMARY KEY NOT NULL,
    sku     TEXT NOT NULL REFERENCES items(sku),
    qty     INTEGER NOT NULL CHECK (qty BETWEEN 1 AND 100000)
) STRICT, WITHOUT ROWID;
-- pack list by SKU, and the kit rule below.
CREATE INDEX packs_by_sku ON packs(sku);

-- One code, one meaning: a pack barcode is never an item barcode nor a SKU, and the reverse.
CREATE TRIGGER packs_not_an_item_code BEFORE INSERT ON packs
WHEN EXISTS (SELECT 1 FROM barcodes WHERE code = NEW.barcode)
  OR EXISTS (SELECT 1 FROM items WHERE sku = NEW.barcode)
BEGIN
    SELECT RAISE(ABORT, 'a pack barcode must not be an item barcode or a SKU');
END;
CREATE TRIGGER barcodes_not_a_pack BEFORE INSERT ON barcodes
WHEN EXISTS (SELECT 1 FROM packs WHERE barcode = NEW.code)
BEGIN
    SELECT RAISE(ABORT, 'an item barcode must not be a pack barcode');
END;
CREATE TRIGGER items_not_a_pack BEFORE INSERT ON items
WHEN EXISTS (SELECT 1 FROM packs WHERE barcode = NEW.sku)
BEGIN
    SELECT RAISE(ABORT, 'a SKU must not be a pack barcode');
END;

-- A kit holds no stock of its own, so it has no packs: count or receive its components.
CREATE TRIGGER packs_not_of_a_kit BEFORE INSERT ON packs
WHEN EXISTS (SELECT 1 FROM kit_components WHERE kit = NEW.sku)
BEGIN
    SELECT RAISE(ABORT, 'a kit has no packs: give its components packs');
END;
CREATE TRIGGER packs_not_of_a_kit_update BEFORE UPDATE OF sku ON packs
WHEN EXISTS (SELECT 1 FROM kit_components WHERE kit = NEW.sku)
BEGIN
    SELECT RAISE(ABORT, 'a kit has no packs: give its components packs');
END;
CREATE TRIGGER kits_have_no_packs BEFORE INSERT ON kit_components
WHEN EXISTS (SELECT 1 FROM packs WHERE sku = NEW.kit)
BEGIN
    SELECT RAISE(ABORT, 'an item with packs cannot be a kit: remove its packs first');
END;
