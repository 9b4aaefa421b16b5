-- Alert delivery by e-mail (SMTP) beside outgoing webhooks, and escalation contacts per
-- business-hours window: a contact receives alerts on its days ('all', 'weekdays', 'weekend')
-- within its UTC hours [from_hour, to_hour). SQLite cannot widen a CHECK in place, so the
-- table is rebuilt with its rows.
CREATE TABLE alert_targets_v2 (
    id        INTEGER PRIMARY KEY,
    kind      TEXT NOT NULL CHECK (kind IN ('webhook', 'email')),
    target    TEXT NOT NULL,
    from_hour INTEGER NOT NULL DEFAULT 0 CHECK (from_hour BETWEEN 0 AND 23),
    to_hour   INTEGER NOT NULL DEFAULT 24 CHECK (to_hour BETWEEN 1 AND 24 AND to_hour > from_hour),
    days      TEXT NOT NULL DEFAULT 'all' CHECK (days IN ('all', 'weekdays', 'weekend')),
    added_at  TEXT NOT NULL
) STRICT;
INSERT INTO alert_targets_v2 (id, kind, target, from_hour, to_hour, days, added_at)
    SELECT id, kind, target, from_hour, to_hour, 'all', added_at FROM alert_targets;
DROP TABLE alert_targets;
ALTER TABLE alert_targets_v2 RENAME TO alert_targets;

-- The SMTP relay e-mail alerts go through (one row). The password, when the relay wants one,
-- comes from the environment (SHELFSYNC_SMTP_PASSWORD), never from this file.
CREATE TABLE smtp_settings (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    host       TEXT NOT NULL,
    port       INTEGER NOT NULL CHECK (port BETWEEN 1 AND 65535),
    security   TEXT NOT NULL CHECK (security IN ('none', 'starttls', 'tls')),
    from_addr  TEXT NOT NULL,
    username   TEXT,
    updated_at TEXT NOT NULL
) STRICT;
