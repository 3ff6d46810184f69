-- name: insert_rating^
INSERT INTO ratings (team_id, partner_id, actor, at, brand, users, channel, audience, traffic,
                     tone, cases, weights)
VALUES (:team_id, :partner_id, :actor, :at, :brand, :users, :channel, :audience, :traffic,
        :tone, :cases, :weights)
RETURNING id;

-- name: recent_ratings
-- A partner's latest ratings, newest first.
SELECT * FROM ratings
 WHERE team_id = :team_id AND partner_id = :partner_id
 ORDER BY id DESC
 LIMIT :limit;

-- name: latest_ratings
-- Every partner's latest rating, in one query.
SELECT r.* FROM ratings r
  JOIN (SELECT partner_id, MAX(id) AS id FROM ratings WHERE team_id = :team_id
         GROUP BY partner_id) latest ON latest.id = r.id
 WHERE r.team_id = :team_id;

-- name: latest_roi
-- Every partner's latest ROI value (by period), in one query.
SELECT partner_id, period, value FROM (
    SELECT partner_id, period, value,
           ROW_NUMBER() OVER (PARTITION BY partner_id
                              ORDER BY period_end DESC, period_start DESC) AS n
      FROM metrics
     WHERE team_id = :team_id AND metric = 'roi'
) ranked
 WHERE n = 1;

-- name: partner_latest_roi^
SELECT period, value FROM metrics
 WHERE team_id = :team_id AND partner_id = :partner_id AND metric = 'roi'
 ORDER BY period_end DESC, period_start DESC
 LIMIT 1;

-- name: roi_since
-- Every ROI value recorded for periods starting in a date range, for the yearly review.
SELECT partner_id, period, period_kind, period_start, period_end, value FROM metrics
 WHERE team_id = :team_id AND metric = 'roi'
   AND period_start >= :since AND period_start <= :until;

-- name: roi_monthly_sqlite
-- The year's ROI summed per partner and calendar month, for the yearly review: a week goes
-- with its Thursday's month (its end's when the end is past the 3rd, else its start's), as
-- `month_of` places it; SQLite's dates are 'YYYY-MM-DD' text.
SELECT partner_id, month, SUM(value), COUNT(*) FROM (
    SELECT partner_id, value,
           CASE WHEN period_kind = 'week' AND CAST(substr(period_end, 9, 2) AS INTEGER) >= 4
                THEN substr(period_end, 1, 7)
                ELSE substr(period_start, 1, 7)
           END AS month
      FROM metrics
     WHERE team_id = :team_id AND metric = 'roi'
       AND period_start >= :since AND period_start <= :until
) placed
 GROUP BY partner_id, month;

-- name: roi_monthly_postgresql
-- roi_monthly_sqlite from PostgreSQL's dates, not their text (which the DateStyle sets).
SELECT partner_id, month, SUM(value), COUNT(*) FROM (
    SELECT partner_id, value,
           CASE WHEN period_kind = 'week' AND EXTRACT(DAY FROM period_end) >= 4
                THEN to_char(period_end, 'YYYY-MM')
                ELSE to_char(period_start, 'YYYY-MM')
           END AS month
      FROM metrics
     WHERE team_id = :team_id AND metric = 'roi'
       AND period_start >= :since AND period_start <= :until
) placed
 GROUP BY partner_id, month;

-- name: rating_count$
SELECT COUNT(*) FROM ratings WHERE team_id = :team_id AND partner_id = :partner_id;

-- name: advance_rating^
-- The Rate form's versioned write: the partner's latest rating moves to the new one only over
-- the rating and the change that were read; nothing back means another landed in between.
UPDATE partners SET rating_id = :new_id
 WHERE team_id = :team_id AND id = :partner_id
   AND rating_id = :rating_id AND updated_at = :changed_at
RETURNING id;

-- name: ranking_inputs
-- What `/score top` ranks by, one row per rated current partner: the latest rating's values
-- (the highest id, through ratings_partner) and the latest ROI, each found by one seek of
-- 0014's covering index in its order (not a window over every ROI row of the pool).
SELECT p.id, p.name, p.category, p.success_cases,
       r.brand, r.users, r.channel, r.audience, r.traffic, r.tone,
       (SELECT m.period FROM metrics m
         WHERE m.team_id = p.team_id AND m.metric = 'roi' AND m.partner_id = p.id
         ORDER BY m.period_end DESC, m.period_start DESC, m.period LIMIT 1) AS roi_period,
       (SELECT m.value FROM metrics m
         WHERE m.team_id = p.team_id AND m.metric = 'roi' AND m.partner_id = p.id
         ORDER BY m.period_end DESC, m.period_start DESC, m.period LIMIT 1) AS roi_value
  FROM partners p
  JOIN ratings r ON r.id = (SELECT MAX(x.id) FROM ratings x
                             WHERE x.team_id = p.team_id AND x.partner_id = p.id)
 WHERE p.team_id = :team_id AND p.status IN ('prospect', 'active', 'paused');
