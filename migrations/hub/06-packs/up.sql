-- Packs (issue 21) are catalogue too: a case's barcode and how many units it holds travel with
-- the items and barcodes, so a case received at one workstation scans the same at the others.
ALTER TABLE master DROP CONSTRAINT master_catalogue_only;
ALTER TABLE master ADD CONSTRAINT master_catalogue_only CHECK (kind IN ('location', 'item', 'barcode', 'pack'));
