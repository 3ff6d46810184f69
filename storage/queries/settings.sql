-- name: settings
-- A workspace's settings of one scope ("health" thresholds, "score" weights).
SELECT key, value FROM workspace_settings WHERE team_id = :team_id AND scope = :scope;


-- name: setting$
-- One setting's stored value; nothing when it has none (the default holds).
SELECT value FROM workspace_settings WHERE team_id = :team_id AND scope = :scope AND key = :key;

-- name: insert_setting^
-- A setting's first value; nothing back when another transaction stored it first.
INSERT INTO workspace_settings (team_id, scope, key, value, updated_by, updated_at)
VALUES (:team_id, :scope, :key, :value, :actor, :at)
ON CONFLICT (team_id, scope, key) DO NOTHING
RETURNING key;

-- name: replace_setting^
-- Versioned by the value that was read: nothing back when it changed in between.
UPDATE workspace_settings SET value = :value, updated_by = :actor, updated_at = :at
 WHERE team_id = :team_id AND scope = :scope AND key = :key AND value = :old
RETURNING key;

-- name: insert_settings_audit!
INSERT INTO settings_audit (team_id, actor, at, setting, before, after)
VALUES (:team_id, :actor, :at, :setting, :before, :after);

-- name: settings_history
SELECT actor, at, setting, before, after FROM settings_audit
 WHERE team_id = :team_id ORDER BY id DESC LIMIT :limit;
