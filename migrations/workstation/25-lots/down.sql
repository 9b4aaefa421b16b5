DROP TABLE count_lot_lines;
DROP INDEX lot_balances_by_code;
DROP TABLE lot_balances;
DROP INDEX lots_by_expiry;
DROP TABLE lots;
ALTER TABLE items DROP COLUMN tracking;
