-- name: metric_value$
SELECT value FROM metrics
 WHERE team_id = :team_id AND partner_id = :partner_id AND period = :period AND metric = :metric;

-- name: upsert_metric!
INSERT INTO metrics (team_id, partner_id, period, period_kind, period_start, period_end, metric,
                     value, recorded_by, recorded_at)
VALUES (:team_id, :partner_id, :period, :period_kind, :period_start, :period_end, :metric,
        :value, :actor, :at)
ON CONFLICT (team_id, partner_id, period, metric)
DO UPDATE SET value = excluded.value, recorded_by = excluded.recorded_by,
              recorded_at = excluded.recorded_at;

-- name: partner_metrics
-- A partner's metrics, latest period first.
SELECT period, period_kind, period_start, metric, value FROM metrics
 WHERE team_id = :team_id AND partner_id = :partner_id
 ORDER BY period_start DESC, period_kind, metric
 LIMIT :limit;
