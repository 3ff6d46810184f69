-- name: alert_channels
-- A workspace's channels that ever had alerts, on or off.
SELECT channel_id, enabled, enabled_by, changed_by, changed_at FROM alert_channels
 WHERE team_id = :team_id ORDER BY channel_id;

-- name: alert_channel^
SELECT channel_id, enabled, enabled_by, changed_by, changed_at FROM alert_channels
 WHERE team_id = :team_id AND channel_id = :channel_id;

-- name: upsert_alert_channel!
INSERT INTO alert_channels (team_id, channel_id, enabled, enabled_by, changed_by, changed_at)
VALUES (:team_id, :channel_id, :enabled, :enabled_by, :changed_by, :changed_at)
ON CONFLICT (team_id, channel_id)
DO UPDATE SET enabled = excluded.enabled, enabled_by = excluded.enabled_by,
              changed_by = excluded.changed_by, changed_at = excluded.changed_at;
