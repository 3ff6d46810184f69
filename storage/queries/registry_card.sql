-- name: partner_card_sqlite^
-- What `/partner show` shows, in one statement (one snapshot, one trip): the partner, its
-- tags and backups, its latest metrics (those of its :periods latest period starts, at most
-- :limit rows, n their order) and its drills (how many, the latest one's fields), as JSON:
-- tags, backups and metrics as arrays of [order, values...] (arrays, not objects: a third
-- cheaper to write and to read). Numbers as 17-digit text: SQLite's JSON writes 15.
-- The metrics' floor (the :periods-th latest start) comes from the index alone: without it
-- the window read and numbered every metric row of the partner (260 in the bench, a table
-- row each) before the limit.
SELECT p.*,
       (SELECT json_group_array(json_array(t.position, t.tag))
          FROM partner_tags t WHERE t.team_id = p.team_id AND t.partner_id = p.id) AS tags,
       (SELECT json_group_array(json_array(b.position, bp.name))
          FROM partner_backups b JOIN partners bp ON bp.id = b.backup_id AND bp.team_id = b.team_id
         WHERE b.team_id = p.team_id AND b.partner_id = p.id) AS backups,
       (SELECT json_group_array(json_array(m.n, m.period, m.metric, printf('%!.17g', m.value)))
          FROM (SELECT row_number() OVER (ORDER BY period_start DESC, period_kind, metric) AS n,
                       period, metric, value
                  FROM metrics
                 WHERE team_id = p.team_id AND partner_id = p.id
                   AND period_start >= COALESCE(
                         (SELECT s.period_start FROM metrics s
                           WHERE s.team_id = p.team_id AND s.partner_id = p.id
                           GROUP BY s.period_start ORDER BY s.period_start DESC
                           LIMIT 1 OFFSET :periods - 1), '')
                 ORDER BY period_start DESC, period_kind, metric
                 LIMIT :limit) m) AS metrics,
       (SELECT COUNT(*) FROM failover_drills c
         WHERE c.team_id = p.team_id AND c.partner_id = p.id) AS drills,
       (SELECT json_object(
                 'id', d.id, 'partner_id', d.partner_id, 'channel_id', d.channel_id,
                 'root_ts', d.root_ts, 'starter', d.starter, 'started_at', d.started_at,
                 'status', d.status, 'closed_at', d.closed_at, 'backup_id', d.backup_id,
                 'backup_name', db.name, 'engaged_by', d.engaged_by, 'engaged_at', d.engaged_at,
                 'gmv_impact', CASE WHEN d.gmv_impact IS NULL THEN NULL
                                    ELSE printf('%!.17g', d.gmv_impact) END,
                 'gmv_source', d.gmv_source,
                 'gmv_before', CASE WHEN d.gmv_before IS NULL THEN NULL
                                    ELSE printf('%!.17g', d.gmv_before) END,
                 'gmv_after', CASE WHEN d.gmv_after IS NULL THEN NULL
                                   ELSE printf('%!.17g', d.gmv_after) END,
                 'gmv_note', d.gmv_note)
          FROM failover_drills d LEFT JOIN partners db ON db.id = d.backup_id
         WHERE d.team_id = p.team_id AND d.partner_id = p.id
         ORDER BY d.started_at DESC, d.id DESC
         LIMIT 1) AS latest_drill
  FROM partners p
 WHERE p.team_id = :team_id AND p.name_key = :name_key;

-- name: partner_card_postgresql^
-- partner_card_sqlite in PostgreSQL's JSON functions (times as ISO text).
SELECT p.*,
       (SELECT COALESCE(json_agg(json_build_array(t.position, t.tag)), '[]')
          FROM partner_tags t WHERE t.team_id = p.team_id AND t.partner_id = p.id) AS tags,
       (SELECT COALESCE(json_agg(json_build_array(b.position, bp.name)), '[]')
          FROM partner_backups b JOIN partners bp ON bp.id = b.backup_id AND bp.team_id = b.team_id
         WHERE b.team_id = p.team_id AND b.partner_id = p.id) AS backups,
       (SELECT COALESCE(json_agg(json_build_array(m.n, m.period, m.metric, m.value)), '[]')
          FROM (SELECT row_number() OVER (ORDER BY period_start DESC, period_kind, metric) AS n,
                       period, metric, value
                  FROM metrics
                 WHERE team_id = p.team_id AND partner_id = p.id
                   AND period_start >= COALESCE(
                         (SELECT s.period_start FROM metrics s
                           WHERE s.team_id = p.team_id AND s.partner_id = p.id
                           GROUP BY s.period_start ORDER BY s.period_start DESC
                           LIMIT 1 OFFSET :periods - 1), DATE '-infinity')
                 ORDER BY period_start DESC, period_kind, metric
                 LIMIT :limit) m) AS metrics,
       (SELECT COUNT(*) FROM failover_drills c
         WHERE c.team_id = p.team_id AND c.partner_id = p.id) AS drills,
       (SELECT json_build_object(
                 'id', d.id, 'partner_id', d.partner_id, 'channel_id', d.channel_id,
                 'root_ts', d.root_ts, 'starter', d.starter, 'started_at', d.started_at,
                 'status', d.status, 'closed_at', d.closed_at, 'backup_id', d.backup_id,
                 'backup_name', db.name, 'engaged_by', d.engaged_by, 'engaged_at', d.engaged_at,
                 'gmv_impact', d.gmv_impact, 'gmv_source', d.gmv_source,
                 'gmv_before', d.gmv_before, 'gmv_after', d.gmv_after, 'gmv_note', d.gmv_note)
          FROM failover_drills d LEFT JOIN partners db ON db.id = d.backup_id
         WHERE d.team_id = p.team_id AND d.partner_id = p.id
         ORDER BY d.started_at DESC, d.id DESC
         LIMIT 1) AS latest_drill
  FROM partners p
 WHERE p.team_id = :team_id AND p.name_key = :name_key;
