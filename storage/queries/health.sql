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

-- name: summary_points_sqlite
-- summary_points_of_sqlite (imports.sql) for one partner: what its summary keeps.
SELECT m.partner_id, m.period, m.period_kind, m.period_start, m.period_end, m.metric, m.value
  FROM (SELECT :partner_id AS id) j
  JOIN metrics m ON m.rowid IN (
       SELECT rowid FROM metrics
        WHERE team_id = :team_id AND metric = 'rue' AND partner_id = j.id
          AND period_kind = 'week'
        ORDER BY period_end DESC, period_start DESC LIMIT :weeks)
UNION ALL
SELECT m.partner_id, m.period, m.period_kind, m.period_start, m.period_end, m.metric, m.value
  FROM (SELECT :partner_id AS id) j
 CROSS JOIN json_each(:period_kinds) k
  JOIN metrics m ON m.rowid IN (
       SELECT rowid FROM metrics
        WHERE team_id = :team_id AND metric = 'sentiment' AND partner_id = j.id
          AND period_kind = k.value
        ORDER BY period_end DESC, period_start DESC LIMIT :kinds)
UNION ALL
SELECT partner_id, period, period_kind, period_start, period_end, metric, value
  FROM (SELECT partner_id, period, period_kind, period_start, period_end, metric, value,
               DENSE_RANK() OVER (PARTITION BY partner_id
                                  ORDER BY substr(CASE WHEN period_kind = 'week'
                                                   THEN date(period_start, '+3 days')
                                                   ELSE period_start END, 1, 7) DESC) AS n
          FROM metrics
         WHERE team_id = :team_id AND partner_id = :partner_id AND metric = 'roi') roi
 WHERE n <= :months;

-- name: summary_points_postgresql
SELECT m.partner_id, m.period, m.period_kind, m.period_start, m.period_end, m.metric, m.value
  FROM (SELECT CAST(:partner_id AS BIGINT) AS id) j
 CROSS JOIN LATERAL (
       SELECT partner_id, period, period_kind, period_start, period_end, metric, value
         FROM metrics
        WHERE team_id = :team_id AND metric = 'rue' AND partner_id = j.id
          AND period_kind = 'week'
        ORDER BY period_end DESC, period_start DESC LIMIT :weeks) m
UNION ALL
SELECT m.partner_id, m.period, m.period_kind, m.period_start, m.period_end, m.metric, m.value
  FROM (SELECT CAST(:partner_id AS BIGINT) AS id) j
 CROSS JOIN unnest(CAST(:period_kinds AS TEXT[])) AS k(value)
 CROSS JOIN LATERAL (
       SELECT partner_id, period, period_kind, period_start, period_end, metric, value
         FROM metrics
        WHERE team_id = :team_id AND metric = 'sentiment' AND partner_id = j.id
          AND period_kind = k.value
        ORDER BY period_end DESC, period_start DESC LIMIT :kinds) m
UNION ALL
SELECT partner_id, period, period_kind, period_start, period_end, metric, value
  FROM (SELECT partner_id, period, period_kind, period_start, period_end, metric, value,
               DENSE_RANK() OVER (PARTITION BY partner_id
                                  ORDER BY date_trunc('month', CASE WHEN period_kind = 'week'
                                                                THEN period_start + 3
                                                                ELSE period_start END) DESC) AS n
          FROM metrics
         WHERE team_id = :team_id AND partner_id = :partner_id AND metric = 'roi') roi
 WHERE n <= :months;

-- name: insert_summary^
-- A partner's first summary, with the columns pool_states decides from; nothing back when
-- another transaction wrote one first.
INSERT INTO health_summary (team_id, partner_id, version, stale, inputs,
    filled, rue_start, rue_count, rue_run, rue_max_1, rue_max_2, rue_max_3, rue_max_4,
    rue_max_5, rue_max_6, rue_max_7, rue_max_8, rue_max_9, rue_max_10, rue_max_11, rue_max_12,
    roi_month, roi_count, roi_run, roi_max_1, roi_max_2, roi_max_3, roi_max_4, roi_max_5,
    roi_max_6, roi_max_7, roi_max_8, roi_max_9, roi_max_10, roi_max_11, roi_max_12,
    sent_start, sent_prev, sent_flat, sent_drop)
VALUES (:team_id, :partner_id, 1, :stale, :inputs,
        :filled, :rue_start, :rue_count, :rue_run, :rue_max_1, :rue_max_2, :rue_max_3,
        :rue_max_4, :rue_max_5, :rue_max_6, :rue_max_7, :rue_max_8, :rue_max_9, :rue_max_10,
        :rue_max_11, :rue_max_12, :roi_month, :roi_count, :roi_run, :roi_max_1, :roi_max_2,
        :roi_max_3, :roi_max_4, :roi_max_5, :roi_max_6, :roi_max_7, :roi_max_8, :roi_max_9,
        :roi_max_10, :roi_max_11, :roi_max_12, :sent_start, :sent_prev, :sent_flat,
        :sent_drop)
ON CONFLICT (team_id, partner_id) DO NOTHING
RETURNING version;

-- name: replace_summary^
-- Versioned: nothing back when another transaction rewrote it since the version was read.
UPDATE health_summary SET version = version + 1, stale = :stale, inputs = :inputs,
       filled = :filled, rue_start = :rue_start, rue_count = :rue_count, rue_run = :rue_run,
       rue_max_1 = :rue_max_1, rue_max_2 = :rue_max_2, rue_max_3 = :rue_max_3,
       rue_max_4 = :rue_max_4, rue_max_5 = :rue_max_5, rue_max_6 = :rue_max_6,
       rue_max_7 = :rue_max_7, rue_max_8 = :rue_max_8, rue_max_9 = :rue_max_9,
       rue_max_10 = :rue_max_10, rue_max_11 = :rue_max_11, rue_max_12 = :rue_max_12,
       roi_month = :roi_month, roi_count = :roi_count, roi_run = :roi_run,
       roi_max_1 = :roi_max_1, roi_max_2 = :roi_max_2, roi_max_3 = :roi_max_3,
       roi_max_4 = :roi_max_4, roi_max_5 = :roi_max_5, roi_max_6 = :roi_max_6,
       roi_max_7 = :roi_max_7, roi_max_8 = :roi_max_8, roi_max_9 = :roi_max_9,
       roi_max_10 = :roi_max_10, roi_max_11 = :roi_max_11, roi_max_12 = :roi_max_12,
       sent_start = :sent_start, sent_prev = :sent_prev, sent_flat = :sent_flat,
       sent_drop = :sent_drop
 WHERE team_id = :team_id AND partner_id = :partner_id AND version = :old
RETURNING version;

-- name: summary_inputs$
-- One partner's summary as stored; nothing when it has none.
SELECT inputs FROM health_summary WHERE team_id = :team_id AND partner_id = :partner_id;

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
-- the database from metrics_window_values alone. `+partner_id`: grouped on the column itself,
-- SQLite walked 0014's index (already in partner order) over every week, 4x slower. One
-- grouping a metric: grouped on (partner, metric) at once took 1.5x as long on SQLite (48
-- against 32 ms at 10,000 partners) and 1.3x on PostgreSQL.
SELECT +partner_id, 'gmv' AS metric, SUM(value)
  FROM metrics
 WHERE team_id = :team_id AND metric = 'gmv' AND period_kind = 'week'
   AND period_start >= :first AND period_end <= :last
 GROUP BY +partner_id
UNION ALL
SELECT +partner_id, 'traffic' AS metric, SUM(value)
  FROM metrics
 WHERE team_id = :team_id AND metric = 'traffic' AND period_kind = 'week'
   AND period_start >= :first AND period_end <= :last
 GROUP BY +partner_id;

-- name: window_day_partners
-- The partners with daily GMV or traffic in the window, from metrics_window_values alone
-- (`+partner_id`: on the column itself SQLite walked metrics_partner_window for the order
-- DISTINCT wants, every row of the team: 250 ms at 10,000 partners for none).
SELECT DISTINCT +partner_id FROM metrics
 WHERE team_id = :team_id AND metric IN ('gmv', 'traffic') AND period_kind = 'day'
   AND period_start >= :first AND period_end <= :last;

-- name: window_days_sqlite
-- Daily GMV and traffic in the window, and the weekly values of partners that have days
-- (the partners of window_day_partners, as a JSON array on SQLite, an array on PostgreSQL):
-- a day counts only in a week with no weekly value. Asked only when some partner has days:
-- as one statement with that subquery, SQLite without statistics (before the first PRAGMA
-- optimize) read every row of the window through metrics_team_window, 1.9 s at 100,000.
SELECT m.partner_id, m.period, m.period_kind, m.period_start, m.period_end, m.metric, m.value
  FROM json_each(:partners) j
  JOIN metrics m ON m.team_id = :team_id AND m.partner_id = j.value
 WHERE m.metric IN ('gmv', 'traffic') AND m.period_kind IN ('day', 'week')
   AND m.period_start >= :first AND m.period_end <= :last;

-- name: window_days_postgresql
SELECT m.partner_id, m.period, m.period_kind, m.period_start, m.period_end, m.metric, m.value
  FROM unnest(CAST(:partners AS BIGINT[])) AS j(value)
  JOIN metrics m ON m.team_id = :team_id AND m.partner_id = j.value
 WHERE m.metric IN ('gmv', 'traffic') AND m.period_kind IN ('day', 'week')
   AND m.period_start >= :first AND m.period_end <= :last;

-- name: reported_in_week
-- The partners with a metric for a period overlapping a week (starting on :since or later):
-- its weeks and days start in it, a month up to 30 days before it. Periods are weeks, days
-- or months (`parse_period`): `= 'month'` reads metrics_window_values, not every row since.
SELECT partner_id FROM metrics
 WHERE team_id = :team_id AND metric IN ('rue', 'roi', 'sentiment', 'gmv', 'traffic')
   AND period_kind IN ('week', 'day')
   AND period_start >= :first AND period_start <= :last
UNION
SELECT partner_id FROM metrics
 WHERE team_id = :team_id AND metric IN ('rue', 'roi', 'sentiment', 'gmv', 'traffic')
   AND period_kind = 'month'
   AND period_start >= :month_floor AND period_start <= :last AND period_end >= :week_start;


-- name: pool_states
-- Every PORTFOLIO partner's four rule states (0 unknown, 1 ok, 2 fired, 3 not applicable;
-- NULL: not decided here, Python decides from the summary's JSON, `member_inputs`) and
-- the partner's own columns (a Partner is made of them only for the few a report shows), in
-- name order: the report's order within each status, which Python sorts then in one pass.
-- The status is Python's (`status_of_codes`). One pass over the partners in name order
-- (partners_listed, so SQLite sorts nothing), each state computed once a row: with the
-- status and the flagged partners' JSON in the statement, three materialized steps and a
-- sort carrying 6,400 JSON texts took 62-74 ms at 10,000 on SQLite (38-40 now), and spilled
-- its sort to disk on PostgreSQL (work_mem 4 MB).
WITH q AS (
    SELECT CAST(:rue_weeks AS INTEGER) AS rue_weeks,
           CAST(:roi_months AS INTEGER) AS roi_months,
           CAST(:since_day AS INTEGER) AS since_day,
           CAST(:since_month AS INTEGER) AS since_month,
           CAST(:rue AS DOUBLE PRECISION) AS rue,
           CAST(:roi_ratio AS DOUBLE PRECISION) AS roi_ratio,
           CAST(:edge AS DOUBLE PRECISION) AS edge,
           CAST(:sentiment_drop AS DOUBLE PRECISION) AS sentiment_drop,
           CAST(:sentiment_margin AS DOUBLE PRECISION) AS sentiment_margin
), kept AS (
    SELECT p.id AS partner_id, p.name_key, p.tier, h.filled, h.rue_start, h.rue_count,
           h.rue_run, h.roi_month, h.roi_count, h.roi_run, h.sent_start, h.sent_prev,
           h.sent_flat, h.sent_drop, q.roi_ratio * b.roi AS floor,
           CASE q.rue_weeks
                WHEN 1 THEN h.rue_max_1
                WHEN 2 THEN h.rue_max_2
                WHEN 3 THEN h.rue_max_3
                WHEN 4 THEN h.rue_max_4
                WHEN 5 THEN h.rue_max_5
                WHEN 6 THEN h.rue_max_6
                WHEN 7 THEN h.rue_max_7
                WHEN 8 THEN h.rue_max_8
                WHEN 9 THEN h.rue_max_9
                WHEN 10 THEN h.rue_max_10
                WHEN 11 THEN h.rue_max_11
                WHEN 12 THEN h.rue_max_12
           END AS rue_max,
           CASE q.roi_months
                WHEN 1 THEN h.roi_max_1
                WHEN 2 THEN h.roi_max_2
                WHEN 3 THEN h.roi_max_3
                WHEN 4 THEN h.roi_max_4
                WHEN 5 THEN h.roi_max_5
                WHEN 6 THEN h.roi_max_6
                WHEN 7 THEN h.roi_max_7
                WHEN 8 THEN h.roi_max_8
                WHEN 9 THEN h.roi_max_9
                WHEN 10 THEN h.roi_max_10
                WHEN 11 THEN h.roi_max_11
                WHEN 12 THEN h.roi_max_12
           END AS roi_max,
           p.name, p.category, p.status, p.owner, p.contacts, p.notes, p.drop_reason,
           p.success_cases, p.created_at, p.updated_at
      FROM partners p CROSS JOIN q
      LEFT JOIN health_summary h ON h.team_id = p.team_id AND h.partner_id = p.id
      LEFT JOIN roi_benchmarks b ON b.team_id = p.team_id AND b.category = p.category
     WHERE p.team_id = :team_id AND p.status <> 'archived' AND p.status IN ('active', 'paused')
)
SELECT k.partner_id,
       CASE WHEN k.filled IS NULL OR k.filled = 0 THEN NULL
            WHEN k.rue_count < q.rue_weeks OR k.rue_start < q.since_day THEN 0
            WHEN k.rue_run >= q.rue_weeks
                 AND k.rue_start - 7 * (q.rue_weeks - 1) >= q.since_day
                 THEN CASE WHEN k.rue_max < q.rue THEN 2 ELSE 1 END
       END AS utilisation,
       CASE WHEN k.filled IS NULL OR k.filled = 0 THEN NULL
            WHEN k.floor IS NULL THEN 0
            WHEN k.roi_count < q.roi_months OR k.roi_month < q.since_month THEN 0
            WHEN k.roi_run >= q.roi_months
                 AND k.roi_month - (q.roi_months - 1) > q.since_month
                 THEN CASE WHEN k.floor - k.roi_max
                                > q.edge * CASE WHEN k.floor > 1.0 THEN k.floor ELSE 1.0 END
                           THEN 2
                           WHEN k.roi_max - k.floor
                                > q.edge * CASE WHEN k.floor > 1.0 THEN k.floor ELSE 1.0 END
                           THEN 1 END
       END AS roi,
       CASE WHEN k.filled IS NULL OR k.filled = 0 THEN NULL
            WHEN k.sent_start IS NULL OR k.sent_start < q.since_day
                 OR k.sent_prev IS NULL OR k.sent_prev < q.since_day THEN 0
            WHEN k.sent_flat = 1 THEN 1
            WHEN k.sent_drop - q.sentiment_drop > q.sentiment_margin THEN 2
            WHEN q.sentiment_drop - k.sent_drop > q.sentiment_margin THEN 1
       END AS sentiment,
       CASE WHEN k.tier NOT IN ('strategic', 'core') THEN 3
            WHEN EXISTS (SELECT 1 FROM partner_backups pb
                           JOIN partners bp ON bp.id = pb.backup_id AND bp.team_id = pb.team_id
                          WHERE pb.team_id = :team_id AND pb.partner_id = k.partner_id
                            AND bp.status NOT IN ('dropped', 'archived')) THEN 1
            ELSE 2
       END AS backup,
       k.name, k.category, k.tier, k.status AS partner_status, k.owner, k.contacts, k.notes,
       k.drop_reason, k.success_cases, k.created_at, k.updated_at
  FROM kept k CROSS JOIN q
 ORDER BY k.name_key;

-- name: member_inputs_sqlite
-- The summaries' JSON of some partners (a JSON array of ids on SQLite, an array on
-- PostgreSQL): pool_states' flagged and undecided members.
SELECT h.partner_id, h.inputs
  FROM json_each(:partners) j
  JOIN health_summary h ON h.team_id = :team_id AND h.partner_id = j.value;

-- name: member_inputs_postgresql
SELECT h.partner_id, h.inputs
  FROM health_summary h
 WHERE h.team_id = :team_id AND h.partner_id = ANY(CAST(:partners AS BIGINT[]));

-- name: retired_names
-- The names of a team's dropped and archived partners: a backup among them is no backup.
SELECT name FROM partners WHERE team_id = :team_id AND status IN ('dropped', 'archived');
