-- name: score_card_sqlite^
-- What `/score NAME` reads, in one statement (one snapshot, one trip; it was five): the
-- partner, the workspace's weights (:scope), its two latest ratings (newest first, n their
-- order), its latest ROI and its drills (how many, the latest one's fields), as JSON.
-- Numbers as 17-digit text: SQLite's JSON writes 15.
SELECT p.*,
       (SELECT json_group_array(json_object('key', s.key, 'value', printf('%!.17g', s.value)))
          FROM workspace_settings s
         WHERE s.team_id = p.team_id AND s.scope = :scope) AS weights,
       (SELECT json_group_array(json_object(
                 'n', r.n, 'id', r.id, 'actor', r.actor, 'at', r.at, 'cases', r.cases,
                 'weights', r.weights,
                 'brand', CASE WHEN r.brand IS NULL THEN NULL ELSE printf('%!.17g', r.brand) END,
                 'users', CASE WHEN r.users IS NULL THEN NULL ELSE printf('%!.17g', r.users) END,
                 'channel', CASE WHEN r.channel IS NULL THEN NULL
                                 ELSE printf('%!.17g', r.channel) END,
                 'audience', CASE WHEN r.audience IS NULL THEN NULL
                                  ELSE printf('%!.17g', r.audience) END,
                 'traffic', CASE WHEN r.traffic IS NULL THEN NULL
                                 ELSE printf('%!.17g', r.traffic) END,
                 'tone', CASE WHEN r.tone IS NULL THEN NULL ELSE printf('%!.17g', r.tone) END))
          FROM (SELECT row_number() OVER (ORDER BY id DESC) AS n, *
                  FROM ratings WHERE team_id = p.team_id AND partner_id = p.id
                 ORDER BY id DESC LIMIT 2) r) AS ratings,
       (SELECT json_object('period', m.period, 'value', printf('%!.17g', m.value))
          FROM metrics m
         WHERE m.team_id = p.team_id AND m.partner_id = p.id AND m.metric = 'roi'
         ORDER BY m.period_end DESC, m.period_start DESC
         LIMIT 1) AS roi,
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

-- name: score_card_postgresql^
-- score_card_sqlite in PostgreSQL's JSON functions (times as ISO text).
SELECT p.*,
       (SELECT COALESCE(json_agg(json_build_object('key', s.key, 'value', s.value)), '[]')
          FROM workspace_settings s
         WHERE s.team_id = p.team_id AND s.scope = :scope) AS weights,
       (SELECT COALESCE(json_agg(json_build_object(
                 'n', r.n, 'id', r.id, 'actor', r.actor, 'at', r.at, 'cases', r.cases,
                 'weights', r.weights, 'brand', r.brand, 'users', r.users, 'channel', r.channel,
                 'audience', r.audience, 'traffic', r.traffic, 'tone', r.tone)), '[]')
          FROM (SELECT row_number() OVER (ORDER BY id DESC) AS n, *
                  FROM ratings WHERE team_id = p.team_id AND partner_id = p.id
                 ORDER BY id DESC LIMIT 2) r) AS ratings,
       (SELECT json_build_object('period', m.period, 'value', m.value)
          FROM metrics m
         WHERE m.team_id = p.team_id AND m.partner_id = p.id AND m.metric = 'roi'
         ORDER BY m.period_end DESC, m.period_start DESC
         LIMIT 1) AS roi,
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
