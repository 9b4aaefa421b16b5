-- Root-cause categories of incidents (issue 20). A resolution names one category from core's
-- root_cause::ROOT_CAUSES (checked by the engine before it is stored) and keeps its free text
-- in `cause` beside it, so the monthly review groups by category. Incidents resolved before
-- this (text only) keep a NULL category and show as "uncategorised".
ALTER TABLE incidents ADD COLUMN cause_category TEXT
    CHECK (cause_category IS NULL OR (length(cause_category) BETWEEN 1 AND 32 AND cause_category NOT GLOB '*[^a-z_]*'));
