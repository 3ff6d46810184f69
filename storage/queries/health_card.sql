-- name: partner_health_inputs_sqlite^
-- What `/health NAME` reads, in one statement (one snapshot, one trip; it was five): the
-- partner, its backups with their status (in order), the workspace's settings of :scope, its
-- ROI benchmarks and the partner's metrics from :since (what partner_window reads, each as
-- [period, metric, value]: the label names the whole period), as JSON. Numbers as 17-digit text: SQLite's JSON writes 15. The metrics come from
-- the covering index of every metric's latest values, metrics_team_metric_latest (a period
-- ends on or after it starts, so period_end >= :since bounds its range): some 90 index
-- entries side by side, not 90 row lookups across the table.
SELECT p.*,
       (SELECT json_group_array(json_object(
                 'position', b.position, 'name', bp.name, 'status', bp.status))
          FROM partner_backups b JOIN partners bp ON bp.id = b.backup_id AND bp.team_id = b.team_id
         WHERE b.team_id = p.team_id AND b.partner_id = p.id) AS backups,
       (SELECT json_group_array(json_object('key', s.key, 'value', printf('%!.17g', s.value)))
          FROM workspace_settings s
         WHERE s.team_id = p.team_id AND s.scope = :scope) AS settings,
       (SELECT json_group_array(json_object(
                 'category', r.category, 'roi', printf('%!.17g', r.roi)))
          FROM roi_benchmarks r WHERE r.team_id = p.team_id) AS benchmarks,
       (SELECT json_group_array(json_array(m.period, m.metric, printf('%!.17g', m.value)))
          FROM metrics m
         WHERE m.team_id = p.team_id AND m.metric IN ('rue', 'roi', 'sentiment', 'gmv', 'traffic')
           AND m.partner_id = p.id AND m.period_end >= :since AND m.period_start >= :since)
       AS points
  FROM partners p
 WHERE p.team_id = :team_id AND p.name_key = :name_key;

-- name: partner_health_inputs_postgresql^
-- partner_health_inputs_sqlite in PostgreSQL's JSON functions.
SELECT p.*,
       (SELECT COALESCE(json_agg(json_build_object(
                 'position', b.position, 'name', bp.name, 'status', bp.status)), '[]')
          FROM partner_backups b JOIN partners bp ON bp.id = b.backup_id AND bp.team_id = b.team_id
         WHERE b.team_id = p.team_id AND b.partner_id = p.id) AS backups,
       (SELECT COALESCE(json_agg(json_build_object('key', s.key, 'value', s.value)), '[]')
          FROM workspace_settings s
         WHERE s.team_id = p.team_id AND s.scope = :scope) AS settings,
       (SELECT COALESCE(json_agg(json_build_object('category', r.category, 'roi', r.roi)), '[]')
          FROM roi_benchmarks r WHERE r.team_id = p.team_id) AS benchmarks,
       (SELECT COALESCE(json_agg(json_build_array(m.period, m.metric, m.value)), '[]')
          FROM metrics m
         WHERE m.team_id = p.team_id AND m.metric IN ('rue', 'roi', 'sentiment', 'gmv', 'traffic')
           AND m.partner_id = p.id AND m.period_end >= :since AND m.period_start >= :since)
       AS points
  FROM partners p
 WHERE p.team_id = :team_id AND p.name_key = :name_key;
