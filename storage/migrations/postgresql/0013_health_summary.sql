-- One row per partner holding what the health rules read (issue 12): the latest weekly rue
-- values, the latest sentiment values of each kind of period, the ROI totals of the latest
-- months. Written in the transaction of every metric write, versioned for compare and set.
-- Rows of partners whose metrics were recorded before this migration start stale: the bot
-- rebuilds them when it opens the database.

CREATE TABLE health_summary (
    team_id    TEXT    NOT NULL,
    partner_id BIGINT  NOT NULL REFERENCES partners (id),
    version    INTEGER NOT NULL DEFAULT 0,
    stale      INTEGER NOT NULL DEFAULT 0,
    inputs     TEXT    NOT NULL DEFAULT '{}',
    PRIMARY KEY (team_id, partner_id)
);
CREATE INDEX health_summary_stale ON health_summary (stale) WHERE stale = 1;
INSERT INTO health_summary (team_id, partner_id, stale)
SELECT DISTINCT team_id, partner_id, 1 FROM metrics;

-- The concentration's GMV and traffic of a window, summed from the index alone.
CREATE INDEX metrics_window_values
    ON metrics (team_id, metric, period_kind, period_start, period_end, partner_id, value);
