-- Workspace settings (health thresholds, score weights), ROI benchmarks by category, and the
-- audit trail of their changes. A setting with no row has the domain's default.

CREATE TABLE workspace_settings (
    team_id    TEXT NOT NULL,
    scope      TEXT NOT NULL,
    key        TEXT NOT NULL,
    value      REAL NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (team_id, scope, key)
);

CREATE TABLE roi_benchmarks (
    team_id    TEXT NOT NULL,
    category   TEXT NOT NULL,
    roi        REAL NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (team_id, category)
);

CREATE TABLE settings_audit (
    id      INTEGER PRIMARY KEY,
    team_id TEXT NOT NULL,
    actor   TEXT NOT NULL,
    at      TEXT NOT NULL,
    setting TEXT NOT NULL,
    before  TEXT NOT NULL,
    after   TEXT NOT NULL
);
CREATE INDEX settings_audit_team ON settings_audit (team_id, id);
