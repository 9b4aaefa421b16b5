DROP TABLE flash_items;
