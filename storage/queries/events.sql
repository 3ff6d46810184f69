-- name: claim_event!
-- Records an Events API delivery; a retry of the same event inserts nothing.
INSERT INTO event_receipts (team_id, event_id, received_at)
VALUES (:team_id, :event_id, :at)
ON CONFLICT (team_id, event_id) DO NOTHING;

-- name: ping$
SELECT 1;
