-- Counts by lot per round (issue 21): a recount starts each lot of the item from nothing, as
-- the item's own count does, instead of adding to what the earlier round counted. Earlier
-- rounds' lot counts stay for the record. Rows from before this migration belong to the
-- round their item is in now (what they were added to until then).
CREATE TABLE count_lot_lines_by_round (
    session TEXT NOT NULL,
    sku     TEXT NOT NULL REFERENCES items(sku),
    round   INTEGER NOT NULL CHECK (round BETWEEN 1 AND 1000),
    code    TEXT NOT NULL,
    counted INTEGER NOT NULL CHECK (counted BETWEEN 0 AND 1000000),
    -- The expiry the counter's scan named, for a lot this workstation has not seen yet.
    expiry  TEXT CHECK (expiry IS NULL OR expiry GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    PRIMARY KEY (session, sku, round, code)
) STRICT, WITHOUT ROWID;

INSERT INTO count_lot_lines_by_round (session, sku, round, code, counted, expiry)
SELECT c.session, c.sku,
       1 + (SELECT count(*) FROM count_lines l
            WHERE l.session = c.session AND l.sku = c.sku AND l.state = 'recount'),
       c.code, c.counted, c.expiry
FROM count_lot_lines c;

DROP TABLE count_lot_lines;
ALTER TABLE count_lot_lines_by_round RENAME TO count_lot_lines;
