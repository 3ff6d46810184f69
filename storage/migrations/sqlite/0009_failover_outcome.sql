-- What a drill records beyond its steps: the backup engaged (who, when), the GMV impact of
-- the migration (how it was found: from metrics or entered), and the version last drawn in
-- Slack, so a checklist or root whose chat.update failed is drawn again from stored state.

ALTER TABLE failover_drills ADD COLUMN rendered_version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE failover_drills ADD COLUMN backup_id INTEGER REFERENCES partners (id);
ALTER TABLE failover_drills ADD COLUMN engaged_by TEXT;
ALTER TABLE failover_drills ADD COLUMN engaged_at TEXT;
ALTER TABLE failover_drills ADD COLUMN gmv_before REAL;
ALTER TABLE failover_drills ADD COLUMN gmv_after REAL;
ALTER TABLE failover_drills ADD COLUMN gmv_impact REAL;
ALTER TABLE failover_drills ADD COLUMN gmv_source TEXT;
ALTER TABLE failover_drills ADD COLUMN gmv_note TEXT;

UPDATE failover_drills SET rendered_version = version;
