-- name: claim_event^
-- Records an Events API delivery; a retry of the same event inserts, and returns, nothing.
INSERT INTO event_receipts (team_id, event_id, received_at)
VALUES (:team_id, :event_id, :at)
ON CONFLICT (team_id, event_id) DO NOTHING
RETURNING event_id;

-- name: ping$
-- Reads the schema, so a missing or unreadable database fails the health check.
SELECT COUNT(*) FROM schema_migrations;
