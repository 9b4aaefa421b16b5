DROP TRIGGER hub_packs_delete;
DROP TRIGGER hub_packs_update;
DROP TRIGGER hub_packs_insert;
