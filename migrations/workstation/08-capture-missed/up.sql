-- Orders that reached us only by polling (their webhook was lost): each oversell incident counts
-- them for its context, so during an oversell storm that count must not scan every order of
-- the day. The partial index holds the missed ones alone.
CREATE INDEX captured_orders_missed ON captured_orders(channel, created_day) WHERE webhook_at IS NULL;
