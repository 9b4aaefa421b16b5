-- The worker looks for a formed group whose retry is due before every step. Without this it
-- scanned every row of the channel (100,000 during a re-push) to find the few in groups; a
-- partial, covering index holds only the rows in groups, in key order, with what the query
-- reads. Rows of a bulk submission in flight are in it too (up to 25,000), still index-only.
CREATE INDEX outbox_in_groups ON outbox(channel, group_key, next_attempt_at, bulk, dirty_since)
    WHERE group_key IS NOT NULL;
