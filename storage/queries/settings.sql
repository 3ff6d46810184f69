-- name: settings
-- A workspace's settings of one scope ("health" thresholds, "score" weights).
SELECT key, value FROM workspace_settings WHERE team_id = :team_id AND scope = :scope;

-- name: upsert_setting!
INSERT INTO workspace_settings (team_id, scope, key, value, updated_by, updated_at)
VALUES (:team_id, :scope, :key, :value, :actor, :at)
ON CONFLICT (team_id, scope, key)
DO UPDATE SET value = excluded.value, updated_by = excluded.updated_by,
              updated_at = excluded.updated_at;

-- name: insert_settings_audit!
INSERT INTO settings_audit (team_id, actor, at, setting, before, after)
VALUES (:team_id, :actor, :at, :setting, :before, :after);

-- name: settings_history
SELECT actor, at, setting, before, after FROM settings_audit
 WHERE team_id = :team_id ORDER BY id DESC LIMIT :limit;
