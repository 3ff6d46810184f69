-- Digest schedules: the database is the source of truth, so a schedule made through one
-- process fires in another. next_slot is the next run to handle; a failed post waits in
-- retry_slot until retry_at. Snapshots keep what each channel's previous digest showed.

CREATE TABLE digest_schedules (
    id            INTEGER PRIMARY KEY,
    team_id       TEXT    NOT NULL,
    channel_id    TEXT    NOT NULL,
    rule          TEXT    NOT NULL,
    timezone      TEXT    NOT NULL,
    quiet         INTEGER NOT NULL DEFAULT 0,
    scope         TEXT    NOT NULL DEFAULT '',
    creator       TEXT    NOT NULL,
    created_at    TEXT    NOT NULL,
    paused        INTEGER NOT NULL DEFAULT 0,
    paused_reason TEXT,
    next_slot     TEXT,
    retry_slot    TEXT,
    retry_at      TEXT,
    attempts      INTEGER NOT NULL DEFAULT 0,
    last_slot     TEXT,
    last_outcome  TEXT,
    last_error    TEXT
);
CREATE INDEX digest_schedules_team ON digest_schedules (team_id, id);
CREATE INDEX digest_schedules_due ON digest_schedules (next_slot);

CREATE TABLE digest_snapshots (
    team_id    TEXT NOT NULL,
    channel_id TEXT NOT NULL,
    taken_at   TEXT NOT NULL,
    body       TEXT NOT NULL,
    PRIMARY KEY (team_id, channel_id)
);
