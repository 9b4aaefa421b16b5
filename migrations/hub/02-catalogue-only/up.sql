-- Trust (issue 17): only the catalogue replicates. Users (roles, PIN hashes), tolerances,
-- channels (endpoints, shops) and what hangs off a channel stay on each workstation, so the hub
-- forgets every version of them it holds (the PIN hashes among them) and refuses new ones.
DELETE FROM master WHERE kind NOT IN ('location', 'item', 'barcode');
ALTER TABLE master ADD CONSTRAINT master_catalogue_only CHECK (kind IN ('location', 'item', 'barcode'));
