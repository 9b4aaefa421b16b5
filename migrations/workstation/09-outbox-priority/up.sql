-- Sales before the bulk (issue #9, scenario 5): an outbox row records why it is dirty, so a
-- sale's update does not wait behind a whole-catalogue re-push queued before it.
--   bulk = 0 (urgent): a ledger event caused it (a sale, an adjustment, a manual override,
--                      a count), or anything that does not say otherwise (the safe default);
--   bulk = 1:          a re-push (a mapping import, a rule change, a replay of every dead letter).
-- The worker takes urgent rows first, then bulk, oldest first within each
-- (crates/sync/src/queue.rs); the index serves that order.
ALTER TABLE outbox ADD COLUMN bulk INTEGER NOT NULL DEFAULT 0 CHECK (bulk IN (0, 1));
CREATE INDEX outbox_by_class ON outbox(channel, bulk, dirty_since, listing_id);

-- Urgent wins when both. The ledger's append inserts the event before it re-queues the SKU's
-- listings, in the same transaction; this turns a queued bulk row of that SKU urgent, and the
-- re-queue then writes the newer quantity into that same row (still one row, one push, carrying
-- the latest value). A row created by the re-queue is urgent by the column's default.
CREATE TRIGGER outbox_urgent_on_event AFTER INSERT ON events
BEGIN
    UPDATE outbox SET bulk = 0
    WHERE bulk = 1 AND listing_id IN (SELECT id FROM listings WHERE sku = NEW.sku);
END;
