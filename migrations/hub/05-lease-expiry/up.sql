-- A workstation may change the lease row only while it holds it or once it has expired: a
-- workstation's login cannot take a live lease from another by force (lease.rs's upsert already
-- asks only for that; now the server holds every login to it).
DROP POLICY lease_hold ON lease;
CREATE POLICY lease_hold ON lease FOR UPDATE TO shelfsync_workstation
    USING (holder = current_user OR expires_at < now()) WITH CHECK (holder = current_user);
