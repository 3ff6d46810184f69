-- Every partner's latest value of one metric (`/score top`'s ROI), read in index order: one
-- entry per partner and period, newest first, with the value, so no row is visited.

CREATE INDEX metrics_team_metric_latest
    ON metrics (team_id, metric, partner_id, period_end DESC, period_start DESC, period, value);
