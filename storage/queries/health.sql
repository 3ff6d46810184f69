-- name: benchmarks
SELECT category, roi FROM roi_benchmarks WHERE team_id = :team_id ORDER BY category;


-- name: benchmark$
-- One category's benchmark; nothing when it has none.
SELECT roi FROM roi_benchmarks WHERE team_id = :team_id AND category = :category;

-- name: insert_benchmark^
-- A category's first benchmark; nothing back when another transaction set it first.
INSERT INTO roi_benchmarks (team_id, category, roi, updated_by, updated_at)
VALUES (:team_id, :category, :roi, :actor, :at)
ON CONFLICT (team_id, category) DO NOTHING
RETURNING category;

-- name: replace_benchmark^
-- Versioned by the value that was read: nothing back when it changed in between.
UPDATE roi_benchmarks SET roi = :roi, updated_by = :actor, updated_at = :at
 WHERE team_id = :team_id AND category = :category AND roi = :old
RETURNING category;

-- name: pool_window
-- Every recent metric the warning rules read for the whole pool except archived partners:
-- one query, the rules run in memory.
SELECT m.partner_id, m.period, m.period_kind, m.period_start, m.period_end, m.metric, m.value
  FROM metrics m JOIN partners p ON p.id = m.partner_id AND p.team_id = m.team_id
 WHERE m.team_id = :team_id
   AND m.period_start >= :since
   AND m.metric IN ('rue', 'roi', 'sentiment', 'gmv', 'traffic')
   AND p.status <> 'archived';

-- name: partner_window
-- The same for one partner, through the primary key's (team_id, partner_id) prefix.
SELECT partner_id, period, period_kind, period_start, period_end, metric, value
  FROM metrics
 WHERE team_id = :team_id AND partner_id = :partner_id
   AND period_start >= :since
   AND metric IN ('rue', 'roi', 'sentiment', 'gmv', 'traffic');
