-- Proactive alerts: the channels of a workspace that asked for them (`/digest alerts`).
-- A row stays when alerts are turned off (enabled 0), so who turned them on and who off,
-- and when, are kept; every change is also a settings_audit row.

CREATE TABLE alert_channels (
    team_id    TEXT    NOT NULL,
    channel_id TEXT    NOT NULL,
    enabled    INTEGER NOT NULL,
    enabled_by TEXT    NOT NULL,
    changed_by TEXT    NOT NULL,
    changed_at TEXT    NOT NULL,
    PRIMARY KEY (team_id, channel_id)
);
