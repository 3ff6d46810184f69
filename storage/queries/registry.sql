-- name: partner_by_key^
SELECT * FROM partners WHERE team_id = :team_id AND name_key = :name_key;

-- name: partner_by_id^
SELECT * FROM partners WHERE team_id = :team_id AND id = :id;

-- name: partner_names
SELECT name FROM partners WHERE team_id = :team_id ORDER BY name_key;

-- name: insert_partner^
INSERT INTO partners (team_id, name, name_key, category, tier, status, owner, contacts, notes,
                      drop_reason, success_cases, created_at, updated_at)
VALUES (:team_id, :name, :name_key, :category, :tier, :status, :owner, :contacts, :notes,
        :drop_reason, :success_cases, :at, :at)
RETURNING id;

-- name: update_partner^
-- Versioned: writes only over the version that was read (its updated_at), so a change that
-- landed in between is never overwritten; no row back means it did.
UPDATE partners
   SET name = :name, name_key = :name_key, category = :category, tier = :tier,
       status = :status, owner = :owner, contacts = :contacts, notes = :notes,
       drop_reason = :drop_reason, success_cases = :success_cases, updated_at = :at
 WHERE team_id = :team_id AND id = :id AND updated_at = :version
RETURNING id;

-- name: partner_tags
SELECT tag FROM partner_tags WHERE team_id = :team_id AND partner_id = :partner_id
 ORDER BY position;

-- name: team_tags
SELECT partner_id, tag FROM partner_tags WHERE team_id = :team_id ORDER BY partner_id, position;

-- name: delete_tags!
DELETE FROM partner_tags WHERE team_id = :team_id AND partner_id = :partner_id;

-- name: insert_tag!
INSERT INTO partner_tags (team_id, partner_id, tag, position)
VALUES (:team_id, :partner_id, :tag, :position);

-- name: partner_backups
SELECT p.name FROM partner_backups b
  JOIN partners p ON p.id = b.backup_id AND p.team_id = b.team_id
 WHERE b.team_id = :team_id AND b.partner_id = :partner_id
 ORDER BY b.position;

-- name: partner_extras
-- A partner's tags and its backups' names, each in its order, in one statement.
SELECT 'tag' AS kind, t.tag AS value, t.position FROM partner_tags t
 WHERE t.team_id = :team_id AND t.partner_id = :partner_id
UNION ALL
SELECT 'backup' AS kind, p.name AS value, b.position FROM partner_backups b
  JOIN partners p ON p.id = b.backup_id AND p.team_id = b.team_id
 WHERE b.team_id = :team_id AND b.partner_id = :partner_id
 ORDER BY kind, position;

-- name: backup_statuses
-- A partner's backups with their status, so a backup that has left is no backup.
SELECT p.name, p.status FROM partner_backups b
  JOIN partners p ON p.id = b.backup_id AND p.team_id = b.team_id
 WHERE b.team_id = :team_id AND b.partner_id = :partner_id
 ORDER BY b.position;

-- name: team_backups
SELECT b.partner_id, p.name FROM partner_backups b
  JOIN partners p ON p.id = b.backup_id AND p.team_id = b.team_id
 WHERE b.team_id = :team_id ORDER BY b.partner_id, b.position;

-- name: delete_backups!
DELETE FROM partner_backups WHERE team_id = :team_id AND partner_id = :partner_id;

-- name: insert_backup!
INSERT INTO partner_backups (team_id, partner_id, backup_id, position)
VALUES (:team_id, :partner_id, :backup_id, :position);

-- name: all_partners
SELECT * FROM partners WHERE team_id = :team_id ORDER BY name_key;

-- name: status_counts
SELECT status, COUNT(*) AS n FROM partners WHERE team_id = :team_id GROUP BY status;

-- name: count_owned$
SELECT COUNT(*) FROM partners WHERE team_id = :team_id AND owner = :owner
   AND status <> 'archived';

-- name: teams
SELECT DISTINCT team_id FROM partners ORDER BY team_id;

-- name: insert_audit!
INSERT INTO audit_log (team_id, partner_id, actor, at, action, field, before, after)
VALUES (:team_id, :partner_id, :actor, :at, :action, :field, :before, :after);

-- name: history
-- A partner's audit trail, newest first.
SELECT actor, at, action, field, before, after FROM audit_log
 WHERE team_id = :team_id AND partner_id = :partner_id
 ORDER BY id DESC
 LIMIT :limit OFFSET :offset;

-- name: count_history$
SELECT COUNT(*) FROM audit_log WHERE team_id = :team_id AND partner_id = :partner_id;

-- name: changes_at
-- What one change did to a partner (its audit rows at that moment under that action), for undo.
SELECT field, before, after FROM audit_log
 WHERE team_id = :team_id AND partner_id = :partner_id AND at = :at AND action = :action
 ORDER BY id;

-- name: status_before_retirement^
-- The status a partner last had before it was dropped or archived, for `restore`.
SELECT before FROM audit_log
 WHERE team_id = :team_id AND partner_id = :partner_id AND field = 'status'
   AND before NOT IN ('', 'dropped', 'archived')
 ORDER BY id DESC
 LIMIT 1;

-- name: metric_value$
SELECT value FROM metrics
 WHERE team_id = :team_id AND partner_id = :partner_id AND period = :period AND metric = :metric;

-- name: insert_metric^
-- A metric's first value for a period; nothing back when another transaction recorded it
-- first (the primary key decides).
INSERT INTO metrics (team_id, partner_id, period, period_kind, period_start, period_end, metric,
                     value, recorded_by, recorded_at)
VALUES (:team_id, :partner_id, :period, :period_kind, :period_start, :period_end, :metric,
        :value, :actor, :at)
ON CONFLICT (team_id, partner_id, period, metric) DO NOTHING
RETURNING metric;

-- name: replace_metric^
-- Versioned by the value that was read: nothing back when it changed in between.
UPDATE metrics
   SET value = :value, period_kind = :period_kind, period_start = :period_start,
       period_end = :period_end, recorded_by = :actor, recorded_at = :at
 WHERE team_id = :team_id AND partner_id = :partner_id AND period = :period
   AND metric = :metric AND value = :old
RETURNING metric;

-- name: partner_metrics
-- A partner's metrics, latest period first.
SELECT period, period_kind, period_start, metric, value FROM metrics
 WHERE team_id = :team_id AND partner_id = :partner_id
 ORDER BY period_start DESC, period_kind, metric
 LIMIT :limit;

-- name: team_metrics
-- Every metric of a workspace for the export, by partner then period: the periods that
-- end on or after :since (the earliest date for all of them).
SELECT p.name, m.period, m.period_kind, m.period_start, m.period_end, m.metric, m.value
  FROM metrics m JOIN partners p ON p.id = m.partner_id AND p.team_id = m.team_id
 WHERE m.team_id = :team_id
   AND m.period_end >= :since
 ORDER BY p.name_key, m.period_start, m.period_end, m.metric;
