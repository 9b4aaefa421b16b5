-- Flash-sale mode (issue 16): the items whose listings carry a flash-sale share right now.
-- The outbox's re-queue keeps it (a row while a share applies, none after), and the service's
-- minute job recomputes these items, so a share is lifted once the sale is over even when no
-- event of the item follows, and reconciliation knows which listings carry one.
CREATE TABLE flash_items (
    sku   TEXT PRIMARY KEY NOT NULL REFERENCES items(sku),
    since TEXT NOT NULL
) STRICT;
