ALTER TABLE incidents DROP COLUMN cause_category;
