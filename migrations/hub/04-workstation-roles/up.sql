-- Trust (issue 17): each workstation connects as its own PostgreSQL role, named as the
-- workstation and a member of shelfsync_workstation (`hub connect`, run once with the hub
-- owner's login, creates it). Row-level security makes every row a workstation writes carry
-- its own name: an event's origin, a master version's workstation, a refusal's and a
-- discrepancy's reporter, its own workstations row, the lease's holder. Workstations read
-- everything, change nothing once written (no UPDATE or DELETE on the log or master data), and
-- create nothing. The hub's owner, who runs these migrations, is not bound by the policies.
DO $$
BEGIN
    CREATE ROLE shelfsync_workstation NOLOGIN;
EXCEPTION WHEN duplicate_object THEN NULL;
END
$$;

GRANT SELECT ON hub_meta, schema_migrations, workstations, events, balances, refusals, discrepancies,
    master, master_current, lease, lease_history TO shelfsync_workstation;
GRANT INSERT ON events, refusals, discrepancies, master, workstations, lease, lease_history
    TO shelfsync_workstation;
GRANT UPDATE (last_push, last_pull) ON workstations TO shelfsync_workstation;
GRANT UPDATE ON lease TO shelfsync_workstation;
-- The hub's balances are recomputed by each push from the log (see replicate.rs).
GRANT INSERT, UPDATE ON balances TO shelfsync_workstation;
GRANT USAGE ON SEQUENCE events_seq_seq, master_seq_seq, refusals_id_seq, discrepancies_id_seq
    TO shelfsync_workstation;

ALTER TABLE events ENABLE ROW LEVEL SECURITY;
CREATE POLICY events_read ON events FOR SELECT TO shelfsync_workstation USING (true);
CREATE POLICY events_own ON events FOR INSERT TO shelfsync_workstation WITH CHECK (origin = current_user);

ALTER TABLE master ENABLE ROW LEVEL SECURITY;
CREATE POLICY master_read ON master FOR SELECT TO shelfsync_workstation USING (true);
CREATE POLICY master_own ON master FOR INSERT TO shelfsync_workstation WITH CHECK (workstation = current_user);

ALTER TABLE refusals ENABLE ROW LEVEL SECURITY;
CREATE POLICY refusals_read ON refusals FOR SELECT TO shelfsync_workstation USING (true);
CREATE POLICY refusals_own ON refusals FOR INSERT TO shelfsync_workstation WITH CHECK (workstation = current_user);

ALTER TABLE discrepancies ENABLE ROW LEVEL SECURITY;
CREATE POLICY discrepancies_read ON discrepancies FOR SELECT TO shelfsync_workstation USING (true);
CREATE POLICY discrepancies_own ON discrepancies FOR INSERT TO shelfsync_workstation
    WITH CHECK (workstation = current_user);

ALTER TABLE workstations ENABLE ROW LEVEL SECURITY;
CREATE POLICY workstations_read ON workstations FOR SELECT TO shelfsync_workstation USING (true);
CREATE POLICY workstations_join ON workstations FOR INSERT TO shelfsync_workstation WITH CHECK (name = current_user);
CREATE POLICY workstations_own ON workstations FOR UPDATE TO shelfsync_workstation
    USING (name = current_user) WITH CHECK (name = current_user);

-- Any workstation may take an expired lease (the WHERE of lease.rs's upsert decides when), but
-- only in its own name.
ALTER TABLE lease ENABLE ROW LEVEL SECURITY;
CREATE POLICY lease_read ON lease FOR SELECT TO shelfsync_workstation USING (true);
CREATE POLICY lease_take ON lease FOR INSERT TO shelfsync_workstation WITH CHECK (holder = current_user);
CREATE POLICY lease_hold ON lease FOR UPDATE TO shelfsync_workstation USING (true) WITH CHECK (holder = current_user);

ALTER TABLE lease_history ENABLE ROW LEVEL SECURITY;
CREATE POLICY lease_history_read ON lease_history FOR SELECT TO shelfsync_workstation USING (true);
CREATE POLICY lease_history_own ON lease_history FOR INSERT TO shelfsync_workstation WITH CHECK (holder = current_user);
