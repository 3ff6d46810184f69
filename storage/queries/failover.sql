-- name: insert_failover_drill^
-- A new open drill; nothing back when the partner has one open already (the partial index).
INSERT INTO failover_drills (team_id, partner_id, channel_id, reason, starter, started_at)
VALUES (:team_id, :partner_id, :channel_id, :reason, :starter, :started_at)
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
       done_by = :done_by, done_at = :done_at
 WHERE drill_id = :drill_id AND step = :step;

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
-- The steps still to do that one person owns in open drills, soonest deadline first.
SELECT d.*, p.name AS partner_name, b.name AS backup_name,
       s.step AS step_key, s.owner AS step_owner, s.deadline AS step_deadline
  FROM failover_steps s JOIN failover_drills d ON d.id = s.drill_id
  JOIN partners p ON p.id = d.partner_id
  LEFT JOIN partners b ON b.id = d.backup_id
 WHERE s.team_id = :team_id AND s.owner = :owner AND s.state = 'todo' AND d.status = 'open'
 ORDER BY s.deadline, d.id, s.position
 LIMIT :limit;
