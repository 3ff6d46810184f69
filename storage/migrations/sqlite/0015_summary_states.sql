-- The rule states of the portfolio decided in SQL (issue 12): the numbers each rule compares,
-- kept beside a partner's summary in the same write. `filled` = 1 once a row has them: rows
-- written before this migration are marked stale, rebuilt when the bot opens the database,
-- and meanwhile decided from their JSON as before.

ALTER TABLE health_summary ADD COLUMN filled INTEGER NOT NULL DEFAULT 0;
ALTER TABLE health_summary ADD COLUMN rue_start INTEGER;
ALTER TABLE health_summary ADD COLUMN rue_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE health_summary ADD COLUMN rue_run INTEGER NOT NULL DEFAULT 0;
ALTER TABLE health_summary ADD COLUMN rue_max_1 REAL;
ALTER TABLE health_summary ADD COLUMN rue_max_2 REAL;
ALTER TABLE health_summary ADD COLUMN rue_max_3 REAL;
ALTER TABLE health_summary ADD COLUMN rue_max_4 REAL;
ALTER TABLE health_summary ADD COLUMN rue_max_5 REAL;
ALTER TABLE health_summary ADD COLUMN rue_max_6 REAL;
ALTER TABLE health_summary ADD COLUMN rue_max_7 REAL;
ALTER TABLE health_summary ADD COLUMN rue_max_8 REAL;
ALTER TABLE health_summary ADD COLUMN rue_max_9 REAL;
ALTER TABLE health_summary ADD COLUMN rue_max_10 REAL;
ALTER TABLE health_summary ADD COLUMN rue_max_11 REAL;
ALTER TABLE health_summary ADD COLUMN rue_max_12 REAL;
ALTER TABLE health_summary ADD COLUMN roi_month INTEGER;
ALTER TABLE health_summary ADD COLUMN roi_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE health_summary ADD COLUMN roi_run INTEGER NOT NULL DEFAULT 0;
ALTER TABLE health_summary ADD COLUMN roi_max_1 REAL;
ALTER TABLE health_summary ADD COLUMN roi_max_2 REAL;
ALTER TABLE health_summary ADD COLUMN roi_max_3 REAL;
ALTER TABLE health_summary ADD COLUMN roi_max_4 REAL;
ALTER TABLE health_summary ADD COLUMN roi_max_5 REAL;
ALTER TABLE health_summary ADD COLUMN roi_max_6 REAL;
ALTER TABLE health_summary ADD COLUMN roi_max_7 REAL;
ALTER TABLE health_summary ADD COLUMN roi_max_8 REAL;
ALTER TABLE health_summary ADD COLUMN roi_max_9 REAL;
ALTER TABLE health_summary ADD COLUMN roi_max_10 REAL;
ALTER TABLE health_summary ADD COLUMN roi_max_11 REAL;
ALTER TABLE health_summary ADD COLUMN roi_max_12 REAL;
ALTER TABLE health_summary ADD COLUMN sent_start INTEGER;
ALTER TABLE health_summary ADD COLUMN sent_prev INTEGER;
ALTER TABLE health_summary ADD COLUMN sent_flat INTEGER NOT NULL DEFAULT 0;
ALTER TABLE health_summary ADD COLUMN sent_drop REAL;

-- The backfill: every existing summary is rebuilt, with its columns, at the next start.
UPDATE health_summary SET stale = 1;
