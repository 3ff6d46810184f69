-- Claims generalise event receipts: one row per (team, kind, key, slot) says that slot was
-- taken by one process. Events are kind 'event' with the event id as key and an empty slot;
-- digests and reminders come next. done_at and error record how the work ended.

CREATE TABLE claims (
    team_id    TEXT NOT NULL,
    kind       TEXT NOT NULL,
    key        TEXT NOT NULL,
    slot       TEXT NOT NULL,
    claimed_at TEXT NOT NULL,
    done_at    TEXT,
    error      TEXT,
    PRIMARY KEY (team_id, kind, key, slot)
);
CREATE INDEX claims_claimed_at ON claims (claimed_at);

INSERT INTO claims (team_id, kind, key, slot, claimed_at, done_at)
SELECT team_id, 'event', event_id, '', received_at, received_at FROM event_receipts;

DROP TABLE event_receipts;
