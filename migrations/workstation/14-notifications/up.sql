-- Amazon orders as events (issue 16): SP-API ORDER_CHANGE notifications through the seller's
-- SQS queue, and the per-kind order-poll schedule.

-- One row per Amazon channel that receives ORDER_CHANGE: where its queue is, and what
-- `shelfsync channel notifications` found or created on Amazon. The AWS key pair is a channel
-- secret (keychain or the 0600 file), never here.
CREATE TABLE amazon_notifications (
    channel         TEXT PRIMARY KEY NOT NULL REFERENCES channels(name) ON DELETE CASCADE,
    queue_url       TEXT NOT NULL CHECK (length(queue_url) BETWEEN 1 AND 500),
    region          TEXT NOT NULL CHECK (length(region) BETWEEN 1 AND 32),
    destination_id  TEXT NOT NULL,
    subscription_id TEXT NOT NULL,
    configured_at   TEXT NOT NULL
) STRICT;

-- Messages taken off a queue that booked nothing and were deleted: malformed JSON, another
-- notification type, another seller's order, or a message that failed too often. Kept so a
-- dropped message is visible, not silently gone. The body is kept truncated.
CREATE TABLE notification_rejects (
    id          INTEGER PRIMARY KEY,
    channel     TEXT NOT NULL,
    message_id  TEXT NOT NULL,
    reason      TEXT NOT NULL,
    body        TEXT NOT NULL,
    received_at TEXT NOT NULL
) STRICT;
CREATE INDEX notification_rejects_by_channel ON notification_rejects(channel, id);

-- When each channel's orders were last polled: the poll runs per channel kind (Shopify every
-- 15 minutes behind webhooks, Amazon every 2, eBay every 30 s), so a restart keeps the pace.
CREATE TABLE poll_schedule (
    channel        TEXT PRIMARY KEY NOT NULL,
    last_polled_at TEXT NOT NULL
) STRICT;

-- Which orders a notification brought (beside webhook_at and poll_at).
ALTER TABLE captured_orders ADD COLUMN notified_at TEXT;
