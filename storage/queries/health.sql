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


-- name: summary_version$
-- A partner's summary version, read before its metrics: the summary is written over it.
SELECT version FROM health_summary WHERE team_id = :team_id AND partner_id = :partner_id;

-- name: partner_rule_points
-- Every rue, roi and sentiment value of one partner, which its summary is made of.
SELECT partner_id, period, period_kind, period_start, period_end, metric, value
  FROM metrics
 WHERE team_id = :team_id AND partner_id = :partner_id
   AND metric IN ('rue', 'roi', 'sentiment');

-- name: insert_summary^
-- A partner's first summary; nothing back when another transaction wrote one first.
INSERT INTO health_summary (team_id, partner_id, version, stale, inputs)
VALUES (:team_id, :partner_id, 1, :stale, :inputs)
ON CONFLICT (team_id, partner_id) DO NOTHING
RETURNING version;

-- name: replace_summary^
-- Versioned: nothing back when another transaction rewrote it since the version was read.
UPDATE health_summary SET version = version + 1, stale = :stale, inputs = :inputs
 WHERE team_id = :team_id AND partner_id = :partner_id AND version = :old
RETURNING version;

-- name: stale_summaries
-- Summaries to rebuild from the metrics (recorded before summaries were kept).
SELECT team_id, partner_id FROM health_summary WHERE stale = :stale ORDER BY team_id, partner_id
 LIMIT :limit;

-- name: pool_summaries
-- The summary of every partner with one, except archived partners.
SELECT s.partner_id, s.inputs
  FROM health_summary s JOIN partners p ON p.id = s.partner_id AND p.team_id = s.team_id
 WHERE s.team_id = :team_id AND p.status <> 'archived';

-- name: window_sums
-- GMV and traffic per partner over a window of whole weeks, from weekly values, summed in
-- the database from metrics_window_values alone.
SELECT partner_id, metric, SUM(value)
  FROM metrics
 WHERE team_id = :team_id AND metric IN ('gmv', 'traffic') AND period_kind = 'week'
   AND period_start >= :first AND period_end <= :last
 GROUP BY partner_id, metric;

-- name: window_days
-- Daily GMV and traffic in the window, and the weekly values of partners that have days:
-- a day counts only in a week with no weekly value.
SELECT partner_id, period, period_kind, period_start, period_end, metric, value
  FROM metrics
 WHERE team_id = :team_id AND metric IN ('gmv', 'traffic') AND period_kind IN ('day', 'week')
   AND period_start >= :first AND period_end <= :last
   AND partner_id IN (SELECT partner_id FROM metrics
                       WHERE team_id = :team_id AND metric IN ('gmv', 'traffic')
                         AND period_kind = 'day'
                         AND period_start >= :first AND period_end <= :last);

-- name: reported_in_week
-- The partners with a metric for a period overlapping a week (starting on :since or later):
-- its weeks and days start in it, a month up to 30 days before it.
SELECT partner_id FROM metrics
 WHERE team_id = :team_id AND metric IN ('rue', 'roi', 'sentiment', 'gmv', 'traffic')
   AND period_kind IN ('week', 'day')
   AND period_start >= :first AND period_start <= :last
UNION
SELECT partner_id FROM metrics
 WHERE team_id = :team_id AND metric IN ('rue', 'roi', 'sentiment', 'gmv', 'traffic')
   AND period_kind NOT IN ('week', 'day')
   AND period_start >= :month_floor AND period_start <= :last AND period_end >= :week_start;
