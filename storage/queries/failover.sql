-- name: insert_failover_drill^
-- A new open drill; nothing back when the partner has one open already (the partial index).
INSERT INTO failover_drills
       (team_id, partner_id, channel_id, reason, starter, started_at, language)
VALUES (:team_id, :partner_id, :channel_id, :reason, :starter, :started_at, :language)
ON CONFLICT (team_id, partner_id) WHERE status = 'open' DO NOTHING
RETURNING id;

-- name: insert_failover_step!
INSERT INTO failover_steps (drill_id, team_id, step, position, owner, deadline)
VALUES (:drill_id, :team_id, :step, :position, :owner, :deadline);

-- name: failover_drill^
SELECT d.*, p.name AS partner_name, b.name AS backup_name
  FROM failover_drills d JOIN partners p ON p.id = d.partner_id
  LEFT JOIN partners b ON b.id = d.backup_id
 WHERE d.team_id = :team_id AND d.id = :id;

-- name: open_failover_drill^
SELECT d.*, p.name AS partner_name, b.name AS backup_name
  FROM failover_drills d JOIN partners p ON p.id = d.partner_id
  LEFT JOIN partners b ON b.id = d.backup_id
 WHERE d.team_id = :team_id AND d.partner_id = :partner_id AND d.status = 'open';

-- name: open_failover_drills
SELECT d.*, p.name AS partner_name, b.name AS backup_name
  FROM failover_drills d JOIN partners p ON p.id = d.partner_id
  LEFT JOIN partners b ON b.id = d.backup_id
 WHERE d.team_id = :team_id AND d.status = 'open'
 ORDER BY d.started_at, d.id;

-- name: recent_failover_drills
-- A workspace's drills, newest first.
SELECT d.*, p.name AS partner_name, b.name AS backup_name
  FROM failover_drills d JOIN partners p ON p.id = d.partner_id
  LEFT JOIN partners b ON b.id = d.backup_id
 WHERE d.team_id = :team_id
 ORDER BY d.started_at DESC, d.id DESC
 LIMIT :limit;

-- name: partner_failover_drills
SELECT d.*, p.name AS partner_name, b.name AS backup_name
  FROM failover_drills d JOIN partners p ON p.id = d.partner_id
  LEFT JOIN partners b ON b.id = d.backup_id
 WHERE d.team_id = :team_id AND d.partner_id = :partner_id
 ORDER BY d.started_at DESC, d.id DESC
 LIMIT :limit;

-- name: failover_steps_of
SELECT drill_id, step, owner, deadline, state, reason, done_by, done_at FROM failover_steps
 WHERE team_id = :team_id AND drill_id = :drill_id ORDER BY position;

-- name: advance_failover_drill^
-- The transition's versioned write of the drill's own fields: nothing back means another
-- landed since the read.
UPDATE failover_drills
   SET version = version + 1, status = :status, closed_at = :closed_at,
       backup_id = :backup_id, engaged_by = :engaged_by, engaged_at = :engaged_at,
       gmv_before = :gmv_before, gmv_after = :gmv_after, gmv_impact = :gmv_impact,
       gmv_source = :gmv_source, gmv_note = :gmv_note
 WHERE team_id = :team_id AND id = :id AND version = :version
RETURNING version;

-- name: write_failover_step!
UPDATE failover_steps SET owner = :owner, state = :state, reason = :reason,
       done_by = :done_by, done_at = :done_at, deadline = :deadline
 WHERE team_id = :team_id AND drill_id = :drill_id AND step = :step;

-- name: set_failover_messages!
UPDATE failover_drills SET root_ts = :root_ts, checklist_ts = :checklist_ts
 WHERE team_id = :team_id AND id = :id;

-- name: delete_failover_drill!
DELETE FROM failover_drills WHERE team_id = :team_id AND id = :id;

-- name: add_failover_event!
INSERT INTO failover_timeline (drill_id, team_id, version, at, actor, kind, step, detail)
VALUES (:drill_id, :team_id, :version, :at, :actor, :kind, :step, :detail);

-- name: failover_timeline
SELECT version, at, actor, kind, step, detail FROM failover_timeline
 WHERE team_id = :team_id AND drill_id = :drill_id ORDER BY id;

-- name: due_failover_steps
-- Every workspace's open drills' steps still to do whose deadline has come (the
-- failover_steps_due index), each with its reminder's and escalation's claims (a row per
-- claim slot; the caller keeps the claims of the step's deadline).
SELECT s.team_id, s.drill_id, s.step, s.owner, s.deadline, d.started_at,
       r.slot AS reminder_slot, r.claimed_at AS reminder_at, r.done_at AS reminder_done,
       r.error AS reminder_error, COALESCE(r.taken_at, r.claimed_at) AS reminder_taken,
       e.slot AS escalation_slot, e.claimed_at AS escalation_at, e.done_at AS escalation_done,
       e.error AS escalation_error, COALESCE(e.taken_at, e.claimed_at) AS escalation_taken
  FROM failover_steps s
  JOIN failover_drills d ON d.id = s.drill_id AND d.team_id = s.team_id
  LEFT JOIN claims r ON r.team_id = s.team_id AND r.kind = 'failover.reminder'
        AND r.key = CAST(s.drill_id AS TEXT) || ':' || s.step
  LEFT JOIN claims e ON e.team_id = s.team_id AND e.kind = 'failover.escalation'
        AND e.key = CAST(s.drill_id AS TEXT) || ':' || s.step
 WHERE s.state = 'todo' AND s.deadline <= :now AND s.deadline > :since
   AND d.status = 'open' AND d.root_ts IS NOT NULL
 ORDER BY s.deadline, s.drill_id, s.position;

-- name: unrendered_failover_drills
-- Every workspace's drills (closed ones too: their final render) whose stored version is
-- ahead of the one drawn in Slack, with the claim on drawing that version, unless that
-- claim is over (drawn, or given up).
SELECT d.team_id, d.id, d.version,
       c.claimed_at AS redraw_at, c.done_at AS redraw_done, c.error AS redraw_error,
       COALESCE(c.taken_at, c.claimed_at) AS redraw_taken
  FROM failover_drills d
  LEFT JOIN claims c ON c.team_id = d.team_id AND c.kind = 'failover.redraw'
        AND c.key = CAST(d.id AS TEXT) AND c.slot = CAST(d.version AS TEXT)
 WHERE d.rendered_version < d.version AND d.root_ts IS NOT NULL AND c.done_at IS NULL
 ORDER BY d.id;

-- name: mark_failover_rendered!
-- The version drawn in Slack only ever moves forward.
UPDATE failover_drills SET rendered_version = :version
 WHERE team_id = :team_id AND id = :id AND rendered_version < :version;

-- name: partner_failover_record^
-- A partner's cards: how many drills it had, with the latest one's own fields (no row: none).
SELECT d.*, p.name AS partner_name, b.name AS backup_name,
       (SELECT COUNT(*) FROM failover_drills c
         WHERE c.team_id = :team_id AND c.partner_id = :partner_id) AS drills
  FROM failover_drills d JOIN partners p ON p.id = d.partner_id
  LEFT JOIN partners b ON b.id = d.backup_id
 WHERE d.team_id = :team_id AND d.partner_id = :partner_id
 ORDER BY d.started_at DESC, d.id DESC
 LIMIT 1;

-- name: failover_drills_between
-- The drills opened or closed in (since, until]: a channel's digest since its previous one.
SELECT d.*, p.name AS partner_name, b.name AS backup_name
  FROM failover_drills d JOIN partners p ON p.id = d.partner_id
  LEFT JOIN partners b ON b.id = d.backup_id
 WHERE d.team_id = :team_id
   AND ((d.started_at > :since AND d.started_at <= :until)
        OR (d.closed_at > :since AND d.closed_at <= :until))
 ORDER BY d.started_at, d.id;

-- name: owned_failover_steps
-- The steps still to do that one person owns in open drills: every such step of the :drills
-- drills whose soonest step is due first (in that order, then by deadline), each row with
-- how many open drills in all hold a step of theirs.
WITH mine AS (
    SELECT s.drill_id, MIN(s.deadline) AS soonest
      FROM failover_steps s
      JOIN failover_drills d ON d.id = s.drill_id AND d.team_id = s.team_id
     WHERE s.team_id = :team_id AND s.owner = :owner AND s.state = 'todo'
       AND d.status = 'open'
     GROUP BY s.drill_id
), shown AS (
    SELECT drill_id, soonest FROM mine ORDER BY soonest, drill_id LIMIT :drills
)
SELECT d.*, p.name AS partner_name, b.name AS backup_name,
       s.step AS step_key, s.owner AS step_owner, s.deadline AS step_deadline,
       (SELECT COUNT(*) FROM mine) AS drills_total
  FROM shown
  JOIN failover_steps s ON s.team_id = :team_id AND s.drill_id = shown.drill_id
   AND s.owner = :owner AND s.state = 'todo'
  JOIN failover_drills d ON d.id = s.drill_id AND d.team_id = s.team_id
  JOIN partners p ON p.id = d.partner_id
  LEFT JOIN partners b ON b.id = d.backup_id
 ORDER BY shown.soonest, shown.drill_id, s.deadline, s.position;

-- name: open_failover_drills_whole_sqlite
-- Every open drill of a workspace with its steps, candidates, measures and sendings as JSON,
-- in one statement: one snapshot, so a drill closed meanwhile shows whole or not at all.
-- Scores travel as 17-digit text (SQLite's JSON writes 15 digits, which may not round-trip).
SELECT d.*, p.name AS partner_name, b.name AS backup_name,
       (SELECT json_group_array(json_object(
                 'position', s.position, 'step', s.step, 'owner', s.owner,
                 'deadline', s.deadline, 'state', s.state, 'reason', s.reason,
                 'done_by', s.done_by, 'done_at', s.done_at))
          FROM failover_steps s WHERE s.team_id = d.team_id AND s.drill_id = d.id) AS steps,
       (SELECT json_group_array(json_object(
                 'position', c.position, 'partner_id', c.partner_id, 'name', cp.name,
                 'status', cp.status, 'health', c.health, 'owner', cp.owner,
                 'registered', c.registered,
                 'score', CASE WHEN c.score IS NULL THEN NULL ELSE printf('%!.17g', c.score) END))
          FROM failover_candidates c JOIN partners cp ON cp.id = c.partner_id
         WHERE c.team_id = d.team_id AND c.drill_id = d.id) AS candidates,
       (SELECT json_group_array(json_object(
                 'measure', m.measure, 'note', m.note, 'ticked_by', m.ticked_by,
                 'ticked_at', m.ticked_at))
          FROM failover_measures m WHERE m.team_id = d.team_id AND m.drill_id = d.id) AS measures,
       (SELECT json_group_array(json_object(
                 'id', t.id, 'actor', t.actor, 'at', t.at, 'detail', t.detail))
          FROM failover_timeline t
         WHERE t.team_id = d.team_id AND t.drill_id = d.id AND t.kind = 'sent') AS sendings
  FROM failover_drills d JOIN partners p ON p.id = d.partner_id
  LEFT JOIN partners b ON b.id = d.backup_id
 WHERE d.team_id = :team_id AND d.status = 'open'
 ORDER BY d.started_at, d.id;

-- name: open_failover_drills_whole_postgresql
-- open_failover_drills_whole_sqlite in PostgreSQL's JSON functions (times as ISO text).
SELECT d.*, p.name AS partner_name, b.name AS backup_name,
       (SELECT COALESCE(json_agg(json_build_object(
                 'position', s.position, 'step', s.step, 'owner', s.owner,
                 'deadline', s.deadline, 'state', s.state, 'reason', s.reason,
                 'done_by', s.done_by, 'done_at', s.done_at)), '[]')
          FROM failover_steps s WHERE s.team_id = d.team_id AND s.drill_id = d.id) AS steps,
       (SELECT COALESCE(json_agg(json_build_object(
                 'position', c.position, 'partner_id', c.partner_id, 'name', cp.name,
                 'status', cp.status, 'health', c.health, 'owner', cp.owner,
                 'registered', c.registered, 'score', c.score)), '[]')
          FROM failover_candidates c JOIN partners cp ON cp.id = c.partner_id
         WHERE c.team_id = d.team_id AND c.drill_id = d.id) AS candidates,
       (SELECT COALESCE(json_agg(json_build_object(
                 'measure', m.measure, 'note', m.note, 'ticked_by', m.ticked_by,
                 'ticked_at', m.ticked_at)), '[]')
          FROM failover_measures m WHERE m.team_id = d.team_id AND m.drill_id = d.id) AS measures,
       (SELECT COALESCE(json_agg(json_build_object(
                 'id', t.id, 'actor', t.actor, 'at', t.at, 'detail', t.detail)), '[]')
          FROM failover_timeline t
         WHERE t.team_id = d.team_id AND t.drill_id = d.id AND t.kind = 'sent') AS sendings
  FROM failover_drills d JOIN partners p ON p.id = d.partner_id
  LEFT JOIN partners b ON b.id = d.backup_id
 WHERE d.team_id = :team_id AND d.status = 'open'
 ORDER BY d.started_at, d.id;
