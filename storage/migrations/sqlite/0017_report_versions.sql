-- A version per workspace of what the slow reports show (the ranking, the portfolio, digests):
-- bumped once in every write transaction that changes their inputs (storage/tx/versions.py),
-- so each replica keys its in-process cache of those reports on it.

CREATE TABLE report_versions (
    team_id TEXT PRIMARY KEY,
    version INTEGER NOT NULL
);
