-- Business hours in the warehouse's own time zone, and its peak days (issue 20). Before this,
-- business hours were the whole UTC hours of the business_start_hour/business_end_hour alert
-- thresholds, the same every day; with no business_calendar row they still are.

-- The zone (an IANA name, checked by the engine before it is stored); one row or none.
CREATE TABLE business_calendar (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    zone       TEXT NOT NULL CHECK (length(zone) BETWEEN 1 AND 64),
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL
) STRICT;

-- Each weekday's hours in local time (0 = Monday), in minutes after midnight; a close at or
-- before the open is on the next day (the hours cross midnight), 1440 is 24:00. A weekday
-- without a row is closed.
CREATE TABLE business_hours (
    weekday      INTEGER PRIMARY KEY CHECK (weekday BETWEEN 0 AND 6),
    open_minute  INTEGER NOT NULL CHECK (open_minute BETWEEN 0 AND 1439),
    close_minute INTEGER NOT NULL CHECK (close_minute BETWEEN 0 AND 1440),
    CHECK (open_minute <> close_minute AND NOT (open_minute = 0 AND close_minute = 0))
) STRICT;

-- Peak days (a flash sale, Black Friday) by local date: the alert thresholds tighten on them.
-- At most 366 (a year of planned events; every alert pass reads them all).
CREATE TABLE peak_days (
    day      TEXT PRIMARY KEY CHECK (day GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    note     TEXT NOT NULL DEFAULT '' CHECK (length(note) <= 200),
    added_at TEXT NOT NULL,
    added_by TEXT NOT NULL
) STRICT;

CREATE TRIGGER peak_days_bounded BEFORE INSERT ON peak_days
WHEN (SELECT count(*) FROM peak_days) >= 366
BEGIN
    SELECT RAISE(ABORT, 'at most 366 peak days');
END;
