-- name: failover_candidates_of
-- A drill's ranked candidates, with each partner's name, status and owner as they are now.
SELECT c.partner_id, p.name, p.status, c.score, c.health, p.owner, c.registered
  FROM failover_candidates c JOIN partners p ON p.id = c.partner_id
 WHERE c.team_id = :team_id AND c.drill_id = :drill_id
 ORDER BY c.position;

-- name: insert_failover_candidate!
INSERT INTO failover_candidates
       (drill_id, team_id, position, partner_id, score, health, owner, registered)
VALUES (:drill_id, :team_id, :position, :partner_id, :score, :health, :owner, :registered);

-- name: set_failover_ranking^
-- Once per drill: nothing back when it was ranked already. A ranking that changes a
-- checklist already posted moves the version, so a redraw Slack refuses is drawn again.
UPDATE failover_drills
   SET ranked_at = :ranked_at,
       version = version + CASE WHEN checklist_ts IS NULL THEN 0 ELSE 1 END
 WHERE team_id = :team_id AND id = :id AND ranked_at IS NULL
RETURNING id;

-- name: failover_measures_of
SELECT measure, note, ticked_by, ticked_at FROM failover_measures
 WHERE team_id = :team_id AND drill_id = :drill_id;

-- name: write_failover_measure!
-- One row per measure: a second tick replaces the note (the drill's versioned write decides
-- whether it may).
INSERT INTO failover_measures (drill_id, team_id, measure, note, ticked_by, ticked_at)
VALUES (:drill_id, :team_id, :measure, :note, :ticked_by, :ticked_at)
ON CONFLICT (drill_id, measure) DO UPDATE
   SET note = excluded.note, ticked_by = excluded.ticked_by, ticked_at = excluded.ticked_at;

-- name: failover_sendings_of
SELECT actor, at, detail FROM failover_timeline
 WHERE team_id = :team_id AND drill_id = :drill_id AND kind = 'sent'
 ORDER BY id;

-- name: unranked_failover_drills
-- Open drills whose ranking never ran (the process stopped before it, or the drill is older
-- than the ranking), in every workspace, oldest first.
SELECT team_id, id FROM failover_drills
 WHERE status = 'open' AND ranked_at IS NULL AND started_at <= :before
 ORDER BY started_at, id
 LIMIT :limit;

-- name: rerank_failover_drill^
-- Ranked again from the checklist while its list is still empty (a later ranking found by
-- another process is kept); the version moves, as for any change to a posted checklist.
UPDATE failover_drills SET ranked_at = :ranked_at, version = version + 1
 WHERE team_id = :team_id AND id = :id AND ranked_at IS NOT NULL AND status = 'open'
   AND NOT EXISTS (SELECT 1 FROM failover_candidates c
                    WHERE c.team_id = :team_id AND c.drill_id = :id)
RETURNING id;

-- name: delete_failover_candidates!
DELETE FROM failover_candidates WHERE team_id = :team_id AND drill_id = :drill_id;
