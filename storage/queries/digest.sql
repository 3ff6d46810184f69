-- name: insert_digest_schedule^
INSERT INTO digest_schedules
       (team_id, channel_id, rule, timezone, quiet, scope, creator, created_at, next_slot)
VALUES (:team_id, :channel_id, :rule, :timezone, :quiet, :scope, :creator, :at, :next_slot)
RETURNING id;

-- name: digest_schedules
SELECT * FROM digest_schedules WHERE team_id = :team_id ORDER BY id;

-- name: digest_schedule^
SELECT * FROM digest_schedules WHERE team_id = :team_id AND id = :id;

-- name: delete_digest_schedule!
DELETE FROM digest_schedules WHERE team_id = :team_id AND id = :id;

-- name: set_digest_paused!
UPDATE digest_schedules
   SET paused = :paused, paused_reason = :reason, next_slot = :next_slot,
       retry_slot = NULL, retry_at = NULL, attempts = 0
 WHERE team_id = :team_id AND id = :id;

-- name: pause_digest_for^
-- Only the first process to see the channel gone pauses it, so its creator is told once.
UPDATE digest_schedules SET paused = 1, paused_reason = :reason,
       retry_slot = NULL, retry_at = NULL, attempts = 0
 WHERE team_id = :team_id AND id = :id AND paused = 0
RETURNING creator;

-- name: due_digest_schedules
-- Every workspace's due work: a slot that has come, or a failed post whose retry has.
SELECT * FROM digest_schedules
 WHERE paused = 0 AND (next_slot <= :now OR retry_at <= :now)
 ORDER BY id;

-- name: advance_digest_schedule!
UPDATE digest_schedules SET next_slot = :next_slot
 WHERE team_id = :team_id AND id = :id AND next_slot = :old_slot;

-- name: record_digest_outcome!
UPDATE digest_schedules
   SET last_slot = :slot, last_outcome = :outcome, last_error = :error
 WHERE team_id = :team_id AND id = :id;

-- name: set_digest_retry!
UPDATE digest_schedules SET retry_slot = :slot, retry_at = :retry_at, attempts = :attempts
 WHERE team_id = :team_id AND id = :id;

-- name: take_digest_retry^
-- A retry is taken by one process: the first to clear retry_at for this attempt.
UPDATE digest_schedules SET retry_at = NULL
 WHERE team_id = :team_id AND id = :id AND attempts = :attempts AND retry_at IS NOT NULL
RETURNING id;

-- name: digest_snapshot^
SELECT taken_at, body FROM digest_snapshots WHERE team_id = :team_id AND channel_id = :channel_id;

-- name: upsert_digest_snapshot!
INSERT INTO digest_snapshots (team_id, channel_id, taken_at, body)
VALUES (:team_id, :channel_id, :at, :body)
ON CONFLICT (team_id, channel_id)
DO UPDATE SET taken_at = excluded.taken_at, body = excluded.body;

-- name: abandoned_digest_slots
-- Slots whose post was taken and never finished, by a process that died: digest claims in
-- flight (no done_at, no error) last taken before :abandoned_before and first taken since
-- :since, of schedules that run and have no retry waiting; each with its schedule.
SELECT s.*, c.slot AS claim_slot
  FROM claims c
  JOIN digest_schedules s ON s.team_id = c.team_id AND CAST(s.id AS TEXT) = c.key
 WHERE c.kind = 'digest' AND c.done_at IS NULL AND c.error IS NULL
   AND COALESCE(c.taken_at, c.claimed_at) < :abandoned_before
   AND c.claimed_at >= :since
   AND s.paused = 0 AND s.retry_at IS NULL
 ORDER BY s.id, c.slot;
