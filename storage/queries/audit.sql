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

-- name: status_before_retirement^
-- The status a partner last had before it was dropped or archived, for `restore`.
SELECT before FROM audit_log
 WHERE team_id = :team_id AND partner_id = :partner_id AND field = 'status'
   AND before NOT IN ('', 'dropped', 'archived')
 ORDER BY id DESC
 LIMIT 1;
