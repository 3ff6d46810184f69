-- Bulk imports: a chunk of a CSV file is staged in a temporary table of the writer's
-- connection (executemany, one trip), then applied in a few set-based statements that
-- compare and set like the per-row ones (a row that changed in between is not returned).

-- name: create_metric_stage_sqlite!
CREATE TEMP TABLE IF NOT EXISTS import_metric_stage (
    idx INTEGER PRIMARY KEY, team_id TEXT NOT NULL, partner_id INTEGER NOT NULL,
    period TEXT NOT NULL, period_kind TEXT NOT NULL, period_start TEXT NOT NULL,
    period_end TEXT NOT NULL, metric TEXT NOT NULL, value REAL NOT NULL, old REAL,
    moved INTEGER
);

-- name: create_metric_stage_postgresql!
-- ON COMMIT DELETE ROWS (here and for the other stages): emptied by a truncate at each commit.
-- Autovacuum never visits temporary tables, so rows deleted on a pooled connection stayed dead
-- in it, and each import's stage work grew (1.69 -> 2.64 s over four imports).
CREATE TEMP TABLE IF NOT EXISTS import_metric_stage (
    idx INTEGER PRIMARY KEY, team_id TEXT NOT NULL, partner_id BIGINT NOT NULL,
    period TEXT NOT NULL, period_kind TEXT NOT NULL, period_start DATE NOT NULL,
    period_end DATE NOT NULL, metric TEXT NOT NULL, value DOUBLE PRECISION NOT NULL,
    old DOUBLE PRECISION, moved BOOLEAN
) ON COMMIT DELETE ROWS;

-- name: analyze_metric_stage!
-- PostgreSQL only: without statistics the planner joins the stage to metrics by a merge of
-- every staged partner's rows (300,000 for 5,000 values) rather than by primary key.
ANALYZE import_metric_stage;

-- name: clear_metric_stage!
DELETE FROM import_metric_stage;

-- name: stage_metric_rows_sqlite*!
-- A chunk's values by position (PostgreSQL copies the same records).
INSERT INTO import_metric_stage (idx, team_id, partner_id, period, period_kind, period_start,
                                 period_end, metric, value)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?);

-- name: staged_metric_olds
-- Each staged value's current value, as note_metric_olds noted it (none yet: not returned).
SELECT idx, old FROM import_metric_stage WHERE old IS NOT NULL;

-- name: note_metric_olds!
-- Each staged value's current value, and whether its row is stored with another period under
-- its label (moved: replace_staged_moved_metrics then looks up only those), in one lookup;
-- a value not recorded yet gets NULL for both.
UPDATE import_metric_stage
   SET (old, moved) = (SELECT m.value,
                              NOT (m.period_kind = import_metric_stage.period_kind
                                   AND m.period_start = import_metric_stage.period_start
                                   AND m.period_end = import_metric_stage.period_end)
                         FROM metrics m
                        WHERE m.team_id = import_metric_stage.team_id
                          AND m.partner_id = import_metric_stage.partner_id
                          AND m.period = import_metric_stage.period
                          AND m.metric = import_metric_stage.metric);

-- name: staged_partner_statuses
-- The staged partners' status now, so one archived since the file was checked is refused.
SELECT p.id, p.name, p.status FROM partners p
 WHERE p.id IN (SELECT partner_id FROM import_metric_stage)
   AND p.team_id = :team_id;

-- name: insert_staged_metrics
-- First values; a row another transaction inserted first is not returned (read it again).
INSERT INTO metrics (team_id, partner_id, period, period_kind, period_start, period_end, metric,
                     value, recorded_by, recorded_at)
SELECT team_id, partner_id, period, period_kind, period_start, period_end, metric, value,
       :actor, :at
  FROM import_metric_stage
 WHERE old IS NULL
 ORDER BY idx
ON CONFLICT (team_id, partner_id, period, metric) DO NOTHING
RETURNING partner_id, period, metric;

-- name: replace_staged_metrics_sqlite
-- Versioned by the value read: a row whose value changed in between is not returned. Rows
-- whose period is the one stored set only the value: SQLite then rewrites only the indexes
-- that hold the value (two of four), not those on the period's dates. (The unary + keeps
-- SQLite on the primary key: the other terms would send it to 0014's index, which it updates.)
UPDATE metrics
   SET value = s.value, recorded_by = :actor, recorded_at = :at
  FROM import_metric_stage s
 WHERE metrics.team_id = s.team_id AND metrics.partner_id = s.partner_id
   AND metrics.period = s.period AND metrics.metric = s.metric
   AND s.old IS NOT NULL AND s.value <> s.old AND +metrics.value = s.old
   AND +metrics.period_kind = s.period_kind AND +metrics.period_start = s.period_start
   AND +metrics.period_end = s.period_end
RETURNING metrics.partner_id, metrics.period, metrics.metric;

-- name: replace_staged_metrics_postgresql
-- On PostgreSQL a row's new version is indexed alike whichever columns are set: one
-- statement sets every column, moved periods with the rest.
UPDATE metrics
   SET value = s.value, period_kind = s.period_kind, period_start = s.period_start,
       period_end = s.period_end, recorded_by = :actor, recorded_at = :at
  FROM import_metric_stage s
 WHERE metrics.team_id = s.team_id AND metrics.partner_id = s.partner_id
   AND metrics.period = s.period AND metrics.metric = s.metric
   AND s.old IS NOT NULL AND s.value <> s.old AND metrics.value = s.old
RETURNING metrics.partner_id, metrics.period, metrics.metric;

-- name: replace_staged_moved_metrics
-- SQLite: the same for rows stored with another period under the label, every column set
-- (s.moved, noted in this transaction: rows of no other staged value are looked up).
UPDATE metrics
   SET value = s.value, period_kind = s.period_kind, period_start = s.period_start,
       period_end = s.period_end, recorded_by = :actor, recorded_at = :at
  FROM import_metric_stage s
 WHERE s.moved AND metrics.team_id = s.team_id AND metrics.partner_id = s.partner_id
   AND metrics.period = s.period AND metrics.metric = s.metric
   AND s.old IS NOT NULL AND s.value <> s.old AND metrics.value = s.old
   AND NOT (metrics.period_kind = s.period_kind AND metrics.period_start = s.period_start
            AND metrics.period_end = s.period_end)
RETURNING metrics.partner_id, metrics.period, metrics.metric;

-- name: insert_audit_each*!
INSERT INTO audit_log (team_id, partner_id, actor, at, action, field, before, after)
VALUES (:team_id, :partner_id, :actor, :at, :action, :field, :before, :after);

-- name: insert_audit_rows_sqlite*!
-- insert_audit_each with positional parameters: tuples bind in a third less time than dicts.
INSERT INTO audit_log (team_id, partner_id, actor, at, action, field, before, after)
VALUES (?, ?, ?, ?, ?, ?, ?, ?);

-- name: create_id_stage_sqlite!
CREATE TEMP TABLE IF NOT EXISTS import_id_stage (partner_id INTEGER PRIMARY KEY);

-- name: create_id_stage_postgresql!
CREATE TEMP TABLE IF NOT EXISTS import_id_stage (partner_id BIGINT PRIMARY KEY)
ON COMMIT DELETE ROWS;

-- name: clear_id_stage!
DELETE FROM import_id_stage;

-- name: stage_id_rows_sqlite*!
INSERT INTO import_id_stage (partner_id) VALUES (?);

-- name: hold_staged_summaries
-- Every staged partner gets a summary row (a stale placeholder until rewritten below) and
-- each is locked by a no-op update: no other writer rewrites one before this commits.
INSERT INTO health_summary (team_id, partner_id, version, stale)
SELECT :team_id, partner_id, 0, 1 FROM import_id_stage WHERE true
ON CONFLICT (team_id, partner_id) DO NOTHING
RETURNING partner_id;

-- name: lock_staged_summaries
UPDATE health_summary SET version = version
 WHERE team_id = :team_id AND partner_id IN (SELECT partner_id FROM import_id_stage)
RETURNING partner_id, version;

-- name: rule_points_of_sqlite
-- Every rue, roi and sentiment value of the partners (partner_rule_points for many).
SELECT partner_id, period, period_kind, period_start, period_end, metric, value
  FROM metrics
 WHERE team_id = :team_id AND partner_id IN (SELECT value FROM json_each(:ids))
   AND metric IN ('rue', 'roi', 'sentiment');

-- name: rule_points_of_postgresql
SELECT partner_id, period, period_kind, period_start, period_end, metric, value
  FROM metrics
 WHERE team_id = :team_id AND partner_id = ANY(CAST(:ids AS BIGINT[]))
   AND metric IN ('rue', 'roi', 'sentiment');

-- name: summary_points_of_sqlite
-- Of partner_rule_points, only what `summarise` keeps (bot/health/summary.py): the latest
-- :weeks weekly rue values, the latest :kinds sentiments of each kind of period, every ROI
-- value of the latest :months months with ROI (a week in its Thursday's month, month_of).
-- A partner's periods of one kind never share a start or an end (one label a period, one
-- row a label), so the latest by the 0014 index's order with LIMIT are exact; DENSE_RANK
-- keeps every value of a month at the edge.
SELECT m.partner_id, m.period, m.period_kind, m.period_start, m.period_end, m.metric, m.value
  FROM json_each(:ids) j
  JOIN metrics m ON m.rowid IN (
       SELECT rowid FROM metrics
        WHERE team_id = :team_id AND metric = 'rue' AND partner_id = j.value
          AND period_kind = 'week'
        ORDER BY period_end DESC, period_start DESC LIMIT :weeks)
UNION ALL
SELECT m.partner_id, m.period, m.period_kind, m.period_start, m.period_end, m.metric, m.value
  FROM json_each(:ids) j
 CROSS JOIN json_each(:period_kinds) k
  JOIN metrics m ON m.rowid IN (
       SELECT rowid FROM metrics
        WHERE team_id = :team_id AND metric = 'sentiment' AND partner_id = j.value
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
         WHERE team_id = :team_id AND partner_id IN (SELECT value FROM json_each(:ids))
           AND metric = 'roi') roi
 WHERE n <= :months;

-- name: summary_points_of_postgresql
SELECT m.partner_id, m.period, m.period_kind, m.period_start, m.period_end, m.metric, m.value
  FROM unnest(CAST(:ids AS BIGINT[])) AS j(id)
 CROSS JOIN LATERAL (
       SELECT partner_id, period, period_kind, period_start, period_end, metric, value
         FROM metrics
        WHERE team_id = :team_id AND metric = 'rue' AND partner_id = j.id
          AND period_kind = 'week'
        ORDER BY period_end DESC, period_start DESC LIMIT :weeks) m
UNION ALL
SELECT m.partner_id, m.period, m.period_kind, m.period_start, m.period_end, m.metric, m.value
  FROM unnest(CAST(:ids AS BIGINT[])) AS j(id)
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
         WHERE team_id = :team_id AND partner_id = ANY(CAST(:ids AS BIGINT[]))
           AND metric = 'roi') roi
 WHERE n <= :months;

-- name: replace_summary_each*!
-- Over the version locked above: replace_summary (health.sql) for many, every column with it.
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
 WHERE team_id = :team_id AND partner_id = :partner_id AND version = :old;

-- name: create_partner_stage_sqlite!
CREATE TEMP TABLE IF NOT EXISTS import_partner_stage (
    idx INTEGER PRIMARY KEY, id INTEGER, team_id TEXT NOT NULL, name TEXT NOT NULL,
    name_key TEXT NOT NULL, category TEXT NOT NULL, tier TEXT NOT NULL, status TEXT NOT NULL,
    owner TEXT NOT NULL, contacts TEXT NOT NULL, notes TEXT NOT NULL, drop_reason TEXT NOT NULL,
    success_cases INTEGER NOT NULL, at TEXT NOT NULL, version TEXT
);

-- name: create_partner_stage_postgresql!
CREATE TEMP TABLE IF NOT EXISTS import_partner_stage (
    idx INTEGER PRIMARY KEY, id BIGINT, team_id TEXT NOT NULL, name TEXT NOT NULL,
    name_key TEXT NOT NULL, category TEXT NOT NULL, tier TEXT NOT NULL, status TEXT NOT NULL,
    owner TEXT NOT NULL, contacts TEXT NOT NULL, notes TEXT NOT NULL, drop_reason TEXT NOT NULL,
    success_cases INTEGER NOT NULL, at TIMESTAMPTZ NOT NULL, version TIMESTAMPTZ
) ON COMMIT DELETE ROWS;

-- name: clear_partner_stage!
DELETE FROM import_partner_stage;

-- name: stage_partner_rows_sqlite*!
INSERT INTO import_partner_stage (idx, id, team_id, name, name_key, category, tier, status,
                                  owner, contacts, notes, drop_reason, success_cases, at, version)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?);

-- name: insert_staged_partners
-- New partners, in file order; a name registered meanwhile is not returned (the unique key).
INSERT INTO partners (team_id, name, name_key, category, tier, status, owner, contacts, notes,
                      drop_reason, success_cases, created_at, updated_at)
SELECT team_id, name, name_key, category, tier, status, owner, contacts, notes, drop_reason,
       success_cases, at, at
  FROM import_partner_stage
 WHERE id IS NULL
 ORDER BY idx
ON CONFLICT (team_id, name_key) DO NOTHING
RETURNING id, name_key;

-- name: update_staged_partners
-- Versioned as update_partner: a partner changed since it was read is not returned.
UPDATE partners
   SET name = s.name, name_key = s.name_key, category = s.category, tier = s.tier,
       status = s.status, owner = s.owner, contacts = s.contacts, notes = s.notes,
       drop_reason = s.drop_reason, success_cases = s.success_cases, updated_at = s.at
  FROM import_partner_stage s
 WHERE partners.id = s.id AND partners.team_id = s.team_id AND partners.updated_at = s.version
RETURNING partners.id;

-- name: delete_tags_each*!
DELETE FROM partner_tags WHERE team_id = :team_id AND partner_id = :partner_id;

-- name: insert_tag_rows_sqlite*!
INSERT INTO partner_tags (team_id, partner_id, tag, position) VALUES (?, ?, ?, ?);

-- name: delete_backups_each*!
DELETE FROM partner_backups WHERE team_id = :team_id AND partner_id = :partner_id;

-- name: insert_backup_each*!
INSERT INTO partner_backups (team_id, partner_id, backup_id, position)
VALUES (:team_id, :partner_id, :backup_id, :position);

-- name: partner_ids
SELECT name_key, id FROM partners WHERE team_id = :team_id;

-- name: summary_inputs_of_sqlite
-- The partners' summaries as stored, with their versions, for drafts brought up to date.
SELECT partner_id, version, stale, inputs FROM health_summary
 WHERE team_id = :team_id AND partner_id IN (SELECT value FROM json_each(:ids));

-- name: summary_inputs_of_postgresql
SELECT partner_id, version, stale, inputs FROM health_summary
 WHERE team_id = :team_id AND partner_id = ANY(CAST(:ids AS BIGINT[]));

-- name: metric_values_at_sqlite
-- The rue, roi and sentiment values recorded for the given periods of the given partners
-- (:keys a JSON array of [partner id, period]), each found by the primary key.
SELECT m.partner_id, m.period, m.period_kind, m.period_start, m.period_end, m.metric, m.value
  FROM json_each(:keys) k
  JOIN metrics m ON m.team_id = :team_id AND m.partner_id = json_extract(k.value, '$[0]')
                AND m.period = json_extract(k.value, '$[1]')
                AND m.metric IN ('rue', 'roi', 'sentiment');

-- name: metric_values_at_postgresql
SELECT m.partner_id, m.period, m.period_kind, m.period_start, m.period_end, m.metric, m.value
  FROM unnest(CAST(:ids AS BIGINT[]), CAST(:periods AS TEXT[])) AS k(partner_id, period)
  JOIN metrics m ON m.team_id = :team_id AND m.partner_id = k.partner_id
                AND m.period = k.period AND m.metric IN ('rue', 'roi', 'sentiment');

-- name: roi_values_between_sqlite
-- Every ROI value of each partner whose period starts in its span (:spans a JSON array of
-- [partner id, first day, last day]), by the 0014 index (team, metric, partner, end): a
-- period ends on or after its start and at most 30 days after (a month), so the range on
-- period_end keeps every such row and lets the index alone answer (no row visited; by
-- metrics_partner_window and a row each: 0.010-0.013 s for 500 partners, now 0.0065 s).
SELECT m.partner_id, m.period, m.period_kind, m.period_start, m.period_end, m.metric, m.value
  FROM json_each(:spans) s
  JOIN metrics m ON m.team_id = :team_id AND m.metric = 'roi'
                AND m.partner_id = json_extract(s.value, '$[0]')
                AND m.period_start BETWEEN json_extract(s.value, '$[1]')
                                       AND json_extract(s.value, '$[2]')
                AND m.period_end BETWEEN json_extract(s.value, '$[1]')
                                     AND date(json_extract(s.value, '$[2]'), '+31 days');

-- name: roi_values_between_postgresql
SELECT m.partner_id, m.period, m.period_kind, m.period_start, m.period_end, m.metric, m.value
  FROM unnest(CAST(:ids AS BIGINT[]), CAST(:firsts AS DATE[]), CAST(:lasts AS DATE[]))
       AS s(partner_id, first, last)
  JOIN metrics m ON m.team_id = :team_id AND m.metric = 'roi' AND m.partner_id = s.partner_id
                AND m.period_start BETWEEN s.first AND s.last;

-- name: partners_named_sqlite
-- The partners of the given name keys (:keys a JSON array), each by the unique key; their
-- tags and backups below, as all_partners, team_tags and team_backups give every partner's.
SELECT * FROM partners
 WHERE team_id = :team_id AND name_key IN (SELECT value FROM json_each(:keys))
 ORDER BY name_key;

-- name: partners_named_postgresql
SELECT * FROM partners
 WHERE team_id = :team_id AND name_key = ANY(CAST(:keys AS TEXT[]))
 ORDER BY name_key;

-- name: tags_of_named_sqlite
SELECT t.partner_id, t.tag FROM partners p
  JOIN partner_tags t ON t.team_id = p.team_id AND t.partner_id = p.id
 WHERE p.team_id = :team_id AND p.name_key IN (SELECT value FROM json_each(:keys))
 ORDER BY t.partner_id, t.position;

-- name: tags_of_named_postgresql
SELECT t.partner_id, t.tag FROM partners p
  JOIN partner_tags t ON t.team_id = p.team_id AND t.partner_id = p.id
 WHERE p.team_id = :team_id AND p.name_key = ANY(CAST(:keys AS TEXT[]))
 ORDER BY t.partner_id, t.position;

-- name: backups_of_named_sqlite
SELECT b.partner_id, bp.name FROM partners p
  JOIN partner_backups b ON b.team_id = p.team_id AND b.partner_id = p.id
  JOIN partners bp ON bp.id = b.backup_id AND bp.team_id = b.team_id
 WHERE p.team_id = :team_id AND p.name_key IN (SELECT value FROM json_each(:keys))
 ORDER BY b.partner_id, b.position;

-- name: backups_of_named_postgresql
SELECT b.partner_id, bp.name FROM partners p
  JOIN partner_backups b ON b.team_id = p.team_id AND b.partner_id = p.id
  JOIN partners bp ON bp.id = b.backup_id AND bp.team_id = b.team_id
 WHERE p.team_id = :team_id AND p.name_key = ANY(CAST(:keys AS TEXT[]))
 ORDER BY b.partner_id, b.position;
