-- Failover drills (domain.md §4): a drill, its steps with owners and deadlines, and its
-- timeline. version grows with every transition, each a write guarded by the version read.
-- A partner has at most one open drill: the partial unique index refuses a second.

CREATE TABLE failover_drills (
    id           INTEGER PRIMARY KEY,
    team_id      TEXT    NOT NULL,
    partner_id   INTEGER NOT NULL REFERENCES partners (id),
    channel_id   TEXT    NOT NULL,
    reason       TEXT    NOT NULL DEFAULT '',
    starter      TEXT    NOT NULL,
    started_at   TEXT NOT NULL,
    status       TEXT    NOT NULL DEFAULT 'open',
    closed_at    TEXT,
    version      INTEGER NOT NULL DEFAULT 1,
    root_ts      TEXT,
    checklist_ts TEXT
);
CREATE UNIQUE INDEX failover_one_open ON failover_drills (team_id, partner_id)
    WHERE status = 'open';
CREATE INDEX failover_drills_team ON failover_drills (team_id, started_at);

-- Steps carry their team and deadline so reminders can ask what is overdue in one query.
CREATE TABLE failover_steps (
    drill_id  INTEGER NOT NULL REFERENCES failover_drills (id) ON DELETE CASCADE,
    team_id   TEXT    NOT NULL,
    step      TEXT    NOT NULL,
    position  INTEGER NOT NULL,
    owner     TEXT    NOT NULL,
    deadline  TEXT NOT NULL,
    state     TEXT    NOT NULL DEFAULT 'todo',
    reason    TEXT,
    done_by   TEXT,
    done_at   TEXT,
    PRIMARY KEY (drill_id, step)
);
CREATE INDEX failover_steps_due ON failover_steps (state, deadline);

CREATE TABLE failover_timeline (
    id       INTEGER PRIMARY KEY,
    drill_id INTEGER NOT NULL REFERENCES failover_drills (id) ON DELETE CASCADE,
    team_id  TEXT    NOT NULL,
    version  INTEGER NOT NULL,
    at       TEXT NOT NULL,
    actor    TEXT    NOT NULL,
    kind     TEXT    NOT NULL,
    step     TEXT,
    detail   TEXT
);
CREATE INDEX failover_timeline_drill ON failover_timeline (drill_id, id);
