-- Where an Amazon or eBay channel gets its OAuth tokens, when the user named it
-- (`channel add ... --auth-endpoint URL`: a sandbox, a proxy, a simulator). NULL: the rule in
-- shelfsync_channels::endpoint::token_url (the channel's real auth host for its real API host,
-- otherwise the API endpoint's own token path). Shopify channels leave it NULL.
--
-- Hub replication: the triggers of migration 07 queue a channel by its name on any INSERT or
-- UPDATE of the row (they list no columns), so a change of this column is queued like any
-- other; the record sent is built by crates/hub (local.rs, kind "channel"), which must name
-- the column for it to travel.
ALTER TABLE channels ADD COLUMN auth_endpoint TEXT;
