DROP TRIGGER kits_have_no_packs;
DROP TRIGGER packs_not_of_a_kit_update;
DROP TRIGGER packs_not_of_a_kit;
DROP TRIGGER items_not_a_pack;
DROP TRIGGER barcodes_not_a_pack;
DROP TRIGGER packs_not_an_item_code;
DROP INDEX packs_by_sku;
DROP TABLE packs;
