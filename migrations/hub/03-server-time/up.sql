-- Trust (issue 17): the server, not the workstation, says when master data changed. A
-- workstation used to send its own `changed_at`, so one row dated 2099 won every last-writer
-- comparison on every workstation. Now the hub stamps each version with now() (its own clock,
-- in the same text form the workstations compare: UTC, milliseconds). The one time it keeps is
-- the join snapshot's 1970 epoch: it can only lose, which is its purpose (a joining catalogue
-- fills gaps and overwrites nothing).
CREATE FUNCTION master_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.changed_at IS DISTINCT FROM '1970-01-01T00:00:00.000Z' THEN
        NEW.changed_at := to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"');
    END IF;
    NEW.received_at := now();
    RETURN NEW;
END
$$;
CREATE TRIGGER master_stamp BEFORE INSERT ON master FOR EACH ROW EXECUTE FUNCTION master_stamp();

-- Nothing rewrites a version once stamped.
CREATE FUNCTION master_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'master data versions are never changed';
END
$$;
CREATE TRIGGER master_immutable BEFORE UPDATE ON master FOR EACH ROW EXECUTE FUNCTION master_immutable();

-- Versions already here carry the time their workstation claimed; the time the hub received
-- them is the one to believe.
ALTER TABLE master DISABLE TRIGGER master_immutable;
UPDATE master SET changed_at = to_char(received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
WHERE changed_at <> '1970-01-01T00:00:00.000Z';
ALTER TABLE master ENABLE TRIGGER master_immutable;

-- Ties on (changed_at, workstation) go to the later arrival.
CREATE OR REPLACE VIEW master_current AS
    SELECT DISTINCT ON (kind, key) kind, key, value, changed_at, workstation, seq
    FROM master ORDER BY kind, key, changed_at DESC, workstation DESC, seq DESC;
