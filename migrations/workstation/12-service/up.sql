-- The live service (`shelfsync serve`, and the desktop app in-process; issue 15). Its scheduled
-- jobs, the drift audits' history and Amazon's FBA stock live here, so a workstation closed at
-- the end of a shift neither forgets them nor repeats a 4-hourly job at every start.

-- One row per scheduled job: when it last started and ended, and how. A job is due when its
-- period has passed since `last_started_at` (a job that failed is not retried sooner: the
-- alert rules and the health check report the failure, and the next period tries again).
CREATE TABLE service_jobs (
    job              TEXT PRIMARY KEY NOT NULL,
    last_started_at  TEXT NOT NULL,
    last_finished_at TEXT,
    -- 1 ok, 0 failed, NULL still running (or the process died during it).
    last_ok          INTEGER CHECK (last_ok IN (0, 1)),
    -- The failure in words, for the Sync screen and `shelfsync serve --status`.
    last_error       TEXT,
    -- Who ran it (the service's lease holder): which workstation spent the API quota.
    holder           TEXT NOT NULL,
    runs             INTEGER NOT NULL DEFAULT 0 CHECK (runs >= 0)
) STRICT;

-- Drift audits with their history: the daily top-N runs keep every row; the weekly
-- whole-catalogue runs keep their flagged rows only (100,000 SKUs on three channels would be
-- 300,000 rows a week, nearly all of them agreeing).
CREATE TABLE drift_runs (
    id          INTEGER PRIMARY KEY,
    scope       TEXT NOT NULL CHECK (scope IN ('top', 'full', 'manual')),
    top         INTEGER NOT NULL CHECK (top > 0),
    started_at  TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    checked     INTEGER NOT NULL CHECK (checked >= 0),
    flagged     INTEGER NOT NULL CHECK (flagged >= 0),
    -- 'all' or 'flagged': which rows were kept in drift_rows.
    rows_kept   TEXT NOT NULL CHECK (rows_kept IN ('all', 'flagged')),
    actor       TEXT NOT NULL
) STRICT;
CREATE INDEX drift_runs_by_time ON drift_runs(started_at);

CREATE TABLE drift_rows (
    run_id       INTEGER NOT NULL REFERENCES drift_runs(id) ON DELETE CASCADE,
    sku          TEXT NOT NULL,
    channel      TEXT NOT NULL,
    location     TEXT,
    velocity_30d INTEGER NOT NULL,
    expected     INTEGER NOT NULL,
    channel_qty  INTEGER,
    variance     INTEGER,
    flagged      INTEGER NOT NULL CHECK (flagged IN (0, 1))
) STRICT;
CREATE INDEX drift_rows_by_run ON drift_rows(run_id);

-- Amazon FBA stock per seller SKU, as `getInventorySummaries` last reported it (every 2-4 h).
-- Amazon-fulfilled units are Amazon's to sell; this is what reconciliation and the drill-down
-- compare against, not a bucket of our ledger.
CREATE TABLE fba_levels (
    channel     TEXT NOT NULL REFERENCES channels(name) ON DELETE CASCADE,
    seller_sku  TEXT NOT NULL,
    total       INTEGER NOT NULL,
    fulfillable INTEGER,
    read_at     TEXT NOT NULL,
    PRIMARY KEY (channel, seller_sku)
) STRICT, WITHOUT ROWID;
