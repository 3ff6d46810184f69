-- The partner registry (domain.md §1), its audit trail, metrics and event receipts.
-- Every row belongs to a workspace (team_id); every query filters on it.

CREATE TABLE partners (
    id            INTEGER PRIMARY KEY,
    team_id       TEXT    NOT NULL,
    name          TEXT    NOT NULL,
    name_key      TEXT    NOT NULL,
    category      TEXT    NOT NULL,
    tier          TEXT    NOT NULL,
    status        TEXT    NOT NULL,
    owner         TEXT    NOT NULL,
    contacts      TEXT    NOT NULL DEFAULT '',
    notes         TEXT    NOT NULL DEFAULT '',
    drop_reason   TEXT    NOT NULL DEFAULT '',
    success_cases INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT    NOT NULL,
    updated_at    TEXT    NOT NULL,
    UNIQUE (team_id, name_key)
);
CREATE INDEX partners_team_status ON partners (team_id, status, name_key);
CREATE INDEX partners_team_owner ON partners (team_id, owner);

CREATE TABLE partner_tags (
    team_id    TEXT    NOT NULL,
    partner_id INTEGER NOT NULL REFERENCES partners (id),
    tag        TEXT    NOT NULL,
    position   INTEGER NOT NULL,
    PRIMARY KEY (partner_id, tag)
);
CREATE INDEX partner_tags_team_tag ON partner_tags (team_id, tag);
CREATE INDEX partner_tags_partner ON partner_tags (team_id, partner_id, position);

CREATE TABLE partner_backups (
    team_id    TEXT    NOT NULL,
    partner_id INTEGER NOT NULL REFERENCES partners (id),
    backup_id  INTEGER NOT NULL REFERENCES partners (id),
    position   INTEGER NOT NULL,
    PRIMARY KEY (partner_id, backup_id)
);
CREATE INDEX partner_backups_team ON partner_backups (team_id, backup_id);
CREATE INDEX partner_backups_partner ON partner_backups (team_id, partner_id, position);

CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY,
    team_id    TEXT    NOT NULL,
    partner_id INTEGER NOT NULL REFERENCES partners (id),
    actor      TEXT    NOT NULL,
    at         TEXT    NOT NULL,
    action     TEXT    NOT NULL,
    field      TEXT    NOT NULL,
    before     TEXT    NOT NULL,
    after      TEXT    NOT NULL
);
CREATE INDEX audit_log_partner ON audit_log (team_id, partner_id, id);

CREATE TABLE metrics (
    team_id      TEXT    NOT NULL,
    partner_id   INTEGER NOT NULL REFERENCES partners (id),
    period       TEXT    NOT NULL,
    period_kind  TEXT    NOT NULL,
    period_start TEXT    NOT NULL,
    period_end   TEXT    NOT NULL,
    metric       TEXT    NOT NULL,
    value        REAL    NOT NULL,
    recorded_by  TEXT    NOT NULL,
    recorded_at  TEXT    NOT NULL,
    PRIMARY KEY (team_id, partner_id, period, metric)
);
CREATE INDEX metrics_team_window ON metrics (team_id, period_start);
CREATE INDEX metrics_partner_window ON metrics (team_id, partner_id, period_start);

CREATE TABLE event_receipts (
    team_id     TEXT NOT NULL,
    event_id    TEXT NOT NULL,
    received_at TEXT NOT NULL,
    PRIMARY KEY (team_id, event_id)
);
