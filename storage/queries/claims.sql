-- name: claim^
-- Claims a slot (an event, a digest run, a reminder); a second claim of the same slot
-- inserts, and returns, nothing: whoever inserted first does the work.
INSERT INTO claims (team_id, kind, key, slot, claimed_at, taken_at)
VALUES (:team_id, :kind, :key, :slot, :at, :at)
ON CONFLICT (team_id, kind, key, slot) DO NOTHING
RETURNING key;

-- name: claim_post^
-- A claim (as claim) that keeps what it is to post (claims.body), for a retake to post.
INSERT INTO claims (team_id, kind, key, slot, claimed_at, taken_at, body)
VALUES (:team_id, :kind, :key, :slot, :at, :at, :body)
ON CONFLICT (team_id, kind, key, slot) DO NOTHING
RETURNING key;

-- name: set_claim_body!
-- What unfinished claimed work still has to post, once part of it went out.
UPDATE claims SET body = :body
 WHERE team_id = :team_id AND kind = :kind AND key = :key AND slot = :slot
   AND done_at IS NULL;

-- name: unfinished_posts
-- Every workspace's claims of a kind that hold a post and are deferred or abandoned (in
-- flight since before :abandoned_before): what the job retakes (the partial index
-- claims_unfinished keeps this to the unfinished claims).
SELECT team_id, key, slot, claimed_at, body FROM claims
 WHERE kind = :kind AND done_at IS NULL AND body IS NOT NULL
   AND (error IS NOT NULL OR COALESCE(taken_at, claimed_at) < :abandoned_before)
 ORDER BY claimed_at;

-- name: finish_claim!
UPDATE claims SET done_at = :at, error = :error
 WHERE team_id = :team_id AND kind = :kind AND key = :key AND slot = :slot;

-- name: defer_claim!
-- Claimed work refused for a passing reason: left unfinished, with the error, for a retry.
UPDATE claims SET error = :error
 WHERE team_id = :team_id AND kind = :kind AND key = :key AND slot = :slot
   AND done_at IS NULL;

-- name: retake_claim^
-- Unfinished work is taken again by one process, the first to update the row: a deferred
-- claim (its error cleared), or one in flight whose taker has held it since before
-- :abandoned_before (it died before finishing). Either way the take is stamped :at.
UPDATE claims SET error = NULL, taken_at = :at
 WHERE team_id = :team_id AND kind = :kind AND key = :key AND slot = :slot
   AND done_at IS NULL
   AND (error IS NOT NULL OR COALESCE(taken_at, claimed_at) < :abandoned_before)
RETURNING key;

-- name: claim_state^
SELECT done_at, error FROM claims
 WHERE team_id = :team_id AND kind = :kind AND key = :key AND slot = :slot;

-- name: prune_claims!
-- Claims older than every slot that could still come due are only history.
DELETE FROM claims WHERE claimed_at < :before;

-- name: ping$
-- Reads the schema, so a missing or unreadable database fails the health check.
SELECT COUNT(*) FROM schema_migrations;
