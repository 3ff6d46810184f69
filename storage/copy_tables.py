"""What copy-db copies: every table of a workspace's data, its columns with their kinds, in
an order that keeps ids and positions and puts a table after those it points at."""

from __future__ import annotations

from dataclasses import dataclass

TEXT, INT, REAL, STAMP, DAY = "text", "int", "real", "stamp", "day"


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[tuple[str, str], ...]  # (column, kind)
    order: str  # the rows' order, so ids and positions arrive as they were
    identity: bool = False  # an id the destination's sequence must continue after


def _of(kind: str, *names: str) -> tuple[tuple[str, str], ...]:
    """Columns of one kind, in any order: reads and writes name every column."""
    return tuple((name, kind) for name in names)


_AUDIT_COLUMNS = (
    ("actor", TEXT),
    ("at", STAMP),
    ("action", TEXT),
    ("field", TEXT),
    ("before", TEXT),
    ("after", TEXT),
)
TABLES: tuple[Table, ...] = (
    Table(
        "partners",
        (
            ("id", INT),
            ("team_id", TEXT),
            ("name", TEXT),
            ("name_key", TEXT),
            ("category", TEXT),
            ("tier", TEXT),
            ("status", TEXT),
            ("owner", TEXT),
            ("contacts", TEXT),
            ("notes", TEXT),
            ("drop_reason", TEXT),
            ("success_cases", INT),
            ("created_at", STAMP),
            ("updated_at", STAMP),
            ("rating_id", INT),
        ),
        "id",
        identity=True,
    ),
    Table(
        "partner_tags",
        (("team_id", TEXT), ("partner_id", INT), ("tag", TEXT), ("position", INT)),
        "partner_id, position",
    ),
    Table(
        "partner_backups",
        (("team_id", TEXT), ("partner_id", INT), ("backup_id", INT), ("position", INT)),
        "partner_id, position",
    ),
    Table(
        "audit_log",
        (("id", INT), ("team_id", TEXT), ("partner_id", INT), *_AUDIT_COLUMNS),
        "id",
        identity=True,
    ),
    Table(
        "metrics",
        (
            ("team_id", TEXT),
            ("partner_id", INT),
            ("period", TEXT),
            ("period_kind", TEXT),
            ("period_start", DAY),
            ("period_end", DAY),
            ("metric", TEXT),
            ("value", REAL),
            ("recorded_by", TEXT),
            ("recorded_at", STAMP),
        ),
        "partner_id, period, metric",
    ),
    Table(  # derived from metrics, copied as it is (ids are kept) in the same snapshot
        "health_summary",
        (
            ("team_id", TEXT),
            ("partner_id", INT),
            ("version", INT),
            ("stale", INT),
            ("inputs", TEXT),
            *_of(INT, "filled", "rue_start", "rue_count", "rue_run", "roi_month", "roi_count"),
            *_of(INT, "roi_run", "sent_start", "sent_prev", "sent_flat"),
            *_of(REAL, *(f"rue_max_{k}" for k in range(1, 13)), "sent_drop"),
            *_of(REAL, *(f"roi_max_{k}" for k in range(1, 13))),
        ),
        "partner_id",
    ),
    Table(
        "workspace_settings",
        (
            ("team_id", TEXT),
            ("scope", TEXT),
            ("key", TEXT),
            ("value", REAL),
            ("updated_by", TEXT),
            ("updated_at", STAMP),
        ),
        "scope, key",
    ),
    Table(
        "roi_benchmarks",
        (
            ("team_id", TEXT),
            ("category", TEXT),
            ("roi", REAL),
            ("updated_by", TEXT),
            ("updated_at", STAMP),
        ),
        "category",
    ),
    Table(
        "settings_audit",
        (
            ("id", INT),
            ("team_id", TEXT),
            ("actor", TEXT),
            ("at", STAMP),
            ("setting", TEXT),
            ("before", TEXT),
            ("after", TEXT),
        ),
        "id",
        identity=True,
    ),
    Table(
        "ratings",
        (
            ("id", INT),
            ("team_id", TEXT),
            ("partner_id", INT),
            ("actor", TEXT),
            ("at", STAMP),
            *((dimension, REAL) for dimension in ("brand", "users", "channel")),
            *((dimension, REAL) for dimension in ("audience", "traffic", "tone")),
            ("cases", INT),
            ("weights", TEXT),
        ),
        "id",
        identity=True,
    ),
    Table(
        "claims",
        (
            ("team_id", TEXT),
            ("kind", TEXT),
            ("key", TEXT),
            ("slot", TEXT),
            ("claimed_at", STAMP),
            ("taken_at", STAMP),
            ("done_at", STAMP),
            ("error", TEXT),
            ("body", TEXT),
        ),
        "kind, key, slot",
    ),
    Table(
        "alert_channels",
        (
            ("team_id", TEXT),
            ("channel_id", TEXT),
            ("enabled", INT),
            ("enabled_by", TEXT),
            ("changed_by", TEXT),
            ("changed_at", STAMP),
        ),
        "channel_id",
    ),
    Table(
        "digest_schedules",
        (
            *_of(INT, "id", "quiet", "paused", "attempts"),
            *_of(TEXT, "team_id", "channel_id", "rule", "timezone", "scope", "creator"),
            *_of(TEXT, "paused_reason", "last_outcome", "last_error"),
            *_of(STAMP, "created_at", "next_slot", "retry_slot", "retry_at", "last_slot"),
        ),
        "id",
        identity=True,
    ),
    Table(
        "digest_snapshots",
        (("team_id", TEXT), ("channel_id", TEXT), ("taken_at", STAMP), ("body", TEXT)),
        "channel_id",
    ),
    Table(  # after partners, which its drills point at
        "failover_drills",
        (
            *_of(INT, "id", "partner_id", "version", "rendered_version", "backup_id"),
            *_of(TEXT, "team_id", "channel_id", "reason", "starter", "status"),
            *_of(TEXT, "root_ts", "checklist_ts", "engaged_by", "gmv_source", "gmv_note"),
            *_of(REAL, "gmv_before", "gmv_after", "gmv_impact"),
            *_of(STAMP, "started_at", "closed_at", "engaged_at"),
            ("ranked_at", STAMP),
            ("language", TEXT),
        ),
        "id",
        identity=True,
    ),
    Table(
        "failover_steps",
        (
            *_of(INT, "drill_id", "position"),
            *_of(TEXT, "team_id", "step", "owner", "state", "reason", "done_by"),
            *_of(STAMP, "deadline", "done_at"),
        ),
        "drill_id, position",
    ),
    Table(
        "failover_timeline",
        (
            *_of(INT, "id", "drill_id", "version"),
            *_of(TEXT, "team_id", "actor", "kind", "step", "detail"),
            ("at", STAMP),
        ),
        "id",
        identity=True,
    ),
    Table(
        "failover_candidates",
        (
            *_of(INT, "drill_id", "position", "partner_id", "registered"),
            *_of(TEXT, "team_id", "health", "owner"),
            ("score", REAL),
        ),
        "drill_id, position",
    ),
    Table(
        "failover_measures",
        (
            ("drill_id", INT),
            *_of(TEXT, "team_id", "measure", "note", "ticked_by"),
            ("ticked_at", STAMP),
        ),
        "drill_id, measure",
    ),
)
