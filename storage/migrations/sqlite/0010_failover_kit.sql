-- What a drill's first three steps hold: the backup candidates ranked once when it started
-- (a snapshot, so the checklist is redrawn the same each time), the stop-gap measures ticked
-- off (one row per measure: ticking one again replaces its note), and when the ranking was
-- taken and in which language the users' message is drafted. Sendings are timeline rows.

ALTER TABLE failover_drills ADD COLUMN ranked_at TEXT;
ALTER TABLE failover_drills ADD COLUMN language TEXT NOT NULL DEFAULT 'en';

CREATE TABLE failover_candidates (
    drill_id   INTEGER NOT NULL REFERENCES failover_drills (id) ON DELETE CASCADE,
    team_id    TEXT    NOT NULL,
    position   INTEGER NOT NULL,
    partner_id INTEGER NOT NULL REFERENCES partners (id),
    score      REAL,
    health     TEXT    NOT NULL,
    owner      TEXT    NOT NULL,
    registered INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (drill_id, position),
    UNIQUE (drill_id, partner_id)
);

CREATE TABLE failover_measures (
    drill_id  INTEGER NOT NULL REFERENCES failover_drills (id) ON DELETE CASCADE,
    team_id   TEXT    NOT NULL,
    measure   TEXT    NOT NULL,
    note      TEXT    NOT NULL DEFAULT '',
    ticked_by TEXT    NOT NULL,
    ticked_at TEXT    NOT NULL,
    PRIMARY KEY (drill_id, measure)
);
