-- name: report_version$
-- The workspace's report version (no row: none of its reports' inputs written yet).
SELECT version FROM report_versions WHERE team_id = :team_id;

-- name: bump_report_version!
-- One bump a workspace a write transaction, just before its commit (storage/tx/versions.py).
INSERT INTO report_versions (team_id, version) VALUES (:team_id, 1)
ON CONFLICT (team_id) DO UPDATE SET version = report_versions.version + 1;
