-- Issue 17: a replayed signed webhook books nothing twice.
--
-- X-Shopify-Event-Id is outside the HMAC, so the (channel, event_id) key alone lets anyone who
-- captured one signed body store it again under fresh ids. The inbox also keys each delivery on
-- the SHA-256 of its raw body: the same signed body for the same channel is one delivery,
-- whatever event id it comes with. Rows stored before this migration have no hash (NULL, which
-- the unique index does not compare); the receiver fills them in when it starts.
ALTER TABLE webhook_inbox ADD COLUMN body_sha256 TEXT;
CREATE UNIQUE INDEX webhook_inbox_by_body ON webhook_inbox(channel, body_sha256);
-- (The prune of rows processed before the dedupe window ranges over webhook_inbox_pending.)

-- The newest inventory_levels/update applied per listing (its `updated_at`, UTC, to the
-- millisecond). A level no newer than this is stale, out of order or a replay, and changes
-- nothing: this keeps a replayed level inert after its inbox row has been pruned.
CREATE TABLE webhook_level_marks (
    listing_id INTEGER PRIMARY KEY NOT NULL REFERENCES listings(id) ON DELETE CASCADE,
    updated_at TEXT NOT NULL
) STRICT;
