-- The scan station's uncommitted work (issue 19), so a crash, a power cut, a reload or a sign-out
-- loses no scan. One draft per user and workstation: a worker who is locked out and another who
-- signs in keep separate drafts. The draft is the station's own document (mode, location, lines
-- with the event id each will be committed under); `line_count` is kept beside it so listings
-- need not parse it. Limits: 500 lines of at most ~300 bytes each fit well inside 256 KiB.
CREATE TABLE station_drafts (
    user_name   TEXT NOT NULL CHECK (length(user_name) BETWEEN 1 AND 200),
    workstation TEXT NOT NULL CHECK (length(workstation) BETWEEN 1 AND 200),
    draft       TEXT NOT NULL CHECK (length(draft) <= 262144),
    line_count  INTEGER NOT NULL CHECK (line_count BETWEEN 0 AND 500),
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (user_name, workstation)
) STRICT;

-- A count scan committed from a draft carries the draft line's id, so committing the same draft
-- twice (a retry after a crash between the commit and the draft's removal) adds nothing twice.
ALTER TABLE count_entries ADD COLUMN line_id TEXT;
CREATE UNIQUE INDEX count_entries_line_id ON count_entries(line_id) WHERE line_id IS NOT NULL;
