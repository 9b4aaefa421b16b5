-- Back to one lot count per session and item: each lot keeps its latest round's count.
CREATE TABLE count_lot_lines_flat (
    session TEXT NOT NULL,
    sku     TEXT NOT NULL REFERENCES items(sku),
    code    TEXT NOT NULL,
    counted INTEGER NOT NULL CHECK (counted BETWEEN 0 AND 1000000),
    expiry  TEXT CHECK (expiry IS NULL OR expiry GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    PRIMARY KEY (session, sku, code)
) STRICT, WITHOUT ROWID;

INSERT INTO count_lot_lines_flat (session, sku, code, counted, expiry)
SELECT c.session, c.sku, c.code, c.counted, c.expiry
FROM count_lot_lines c
WHERE c.round = (SELECT max(d.round) FROM count_lot_lines d
                 WHERE d.session = c.session AND d.sku = c.sku AND d.code = c.code);

DROP TABLE count_lot_lines;
ALTER TABLE count_lot_lines_flat RENAME TO count_lot_lines;
