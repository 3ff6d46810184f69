-- Claims: one row per (team, kind, key, slot) says that slot was taken by one process.
-- Events are kind 'event' with the event id as key and an empty slot. done_at and error
-- record how the work ended.

CREATE TABLE claims (
    team_id    TEXT        NOT NULL,
    kind       TEXT        NOT NULL,
    key        TEXT        NOT NULL,
    slot       TEXT        NOT NULL,
    claimed_at TIMESTAMPTZ NOT NULL,
    done_at    TIMESTAMPTZ,
    error      TEXT,
    PRIMARY KEY (team_id, kind, key, slot)
);
CREATE INDEX claims_claimed_at ON claims (claimed_at);
