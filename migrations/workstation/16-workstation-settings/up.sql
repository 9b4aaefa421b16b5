-- Settings of one workstation (issue 15): scanners, baud rate, idle lock, demo channels, webhook
-- address, keyboard-wedge timing. Keyed by workstation so several machines can share a database
-- (a hub) and each keep its own devices. The app validates every value before writing it (see
-- src-tauri/src/workstation_settings.rs); an environment variable still overrides a saved value.
-- No secret belongs here: this table goes into "Save diagnostics".
CREATE TABLE workstation_settings (
    workstation TEXT NOT NULL CHECK (length(workstation) BETWEEN 1 AND 200),
    key         TEXT NOT NULL CHECK (length(key) BETWEEN 1 AND 64),
    value       TEXT NOT NULL CHECK (length(value) <= 1000),
    updated_at  TEXT NOT NULL,
    updated_by  TEXT NOT NULL,
    PRIMARY KEY (workstation, key)
) STRICT;
