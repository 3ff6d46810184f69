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

-- name: last_status_change^
-- The most recent change of status, for restoring a partner to what it was.
SELECT before, after FROM audit_log
 WHERE team_id = :team_id AND partner_id = :partner_id AND field = 'status'
 ORDER BY id DESC
 LIMIT 1;
