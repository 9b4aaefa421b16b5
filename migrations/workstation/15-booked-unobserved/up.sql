-- Units of this listing's own channel sales that the ledger has booked (from a webhook or a
-- poll) but the engine has not yet seen leave the channel's count (issue 16). Shopify lowers its
-- own count when an order is placed; when the order is booked first, the next compare-and-set
-- meets that lower count, and this many units of the drop are the booked sales, not unseen
-- ones. Consumed by that observation, and zeroed whenever the channel acknowledges a push (it
-- then holds exactly what we set).
ALTER TABLE listings ADD COLUMN booked_unobserved INTEGER NOT NULL DEFAULT 0 CHECK (booked_unobserved >= 0);
