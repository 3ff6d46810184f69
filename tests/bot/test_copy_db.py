"""`partnerbot copy-db`: SQLite → PostgreSQL → SQLite keeps every row equal, Chinese names and
boundary values included; a non-empty destination is refused unless told; --team selects."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot import claims
from bot.access import Actor
from bot.alerts import service as alerts
from bot.cli import main
from bot.digest import service as digests
from bot.digest.command import ScheduleRequest, Scope
from bot.digest.rules import Rule
from bot.failover import kit
from bot.failover import service as failover
from bot.failover.content import Language, Measure
from bot.failover.rules import DrillStatus, EventKind, StepKey
from bot.health.service import set_benchmark, set_thresholds
from bot.metrics import parse_period
from bot.registry.rules import Category, PartnerFields, Tier
from bot.registry.service import add_partner, change_partner, record_metrics
from bot.scoring import service as scoring
from storage.copy import TABLES
from storage.store import SQLiteStore
from tests.support.databases import fresh_schema, scalar, store_for, table_rows

pytestmark = pytest.mark.postgres

AT = datetime(2026, 11, 22, 9, 30, 15, 123456, tzinfo=UTC)
OWNER = Actor("U0OWNER")
ADMIN = Actor("U0ADMIN", is_admin=True)
# 70+70+70+60+79.7+70 = 419.7: a composite of exactly 69.95, which rounds half up to 70.0 only
# when every value is kept to double precision; audience exactly 60 fails its gate (above 60).
BOUNDARY = {"brand": 70, "users": 70, "channel": 70, "audience": 60, "traffic": 79.7, "tone": 70}
SLOT = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # the first run of a daily 09:00 made at AT
DAILY = ScheduleRequest(None, Rule("daily 09:00"), None, False, Scope())


async def fill_digests(store: SQLiteStore, team: str) -> None:
    """A schedule whose first post failed and waits to retry, and a channel's snapshot."""
    utc = ZoneInfo("UTC")
    made, _ = await digests.create_schedule(store, AT, team, OWNER, DAILY, "C0DIGEST", utc)
    firings = await digests.due_firings(store, SLOT, timedelta(hours=1))
    (firing,) = [f for f in firings if f.schedule.id == made.id]
    assert await digests.record_failure(store, SLOT, firing, "ratelimited & <retry>")
    digest = await digests.compose_digest(store, SLOT, utc, team, "C0DIGEST", Scope())
    await digests.save_snapshot(store, SLOT, team, "C0DIGEST", digest)


async def fill_drills(store: SQLiteStore, team: str, name: str) -> None:
    """A drill taken through every step to closed, and a second one open with a step done."""
    words = (name, "停播", "&", "<演练>")
    opened = await failover.start_drill(store, AT, team, OWNER, words, "C0DRILL", Language.ZH)
    first = opened.drill.id
    ranked = await kit.rank_candidates(store, AT, ZoneInfo("UTC"), team, first)
    await failover.attach_messages(store, team, first, "1763803815.000100", "1763803815.000200")
    assert ranked is not None and ranked.candidates  # the registered backups
    backup = ranked.candidates[-1].partner_id
    await kit.engage_backup(store, AT, team, OWNER, first, backup, None)
    await kit.tick_measure(store, AT, team, OWNER, first, Measure.OTHER, "直播矩阵 & <x>", None)
    await failover.skip_step(store, AT, team, OWNER, first, StepKey.TAKEOVER, "不需要 & <x>")
    await failover.assign_step(store, AT, team, OWNER, first, StepKey.COMMS, "U0OTHER")
    for step in (StepKey.COMMS, StepKey.VERIFY, StepKey.CLOSE):
        await failover.complete_step(store, AT, team, OWNER, first, step)
    second = (await failover.start_drill(store, AT, team, OWNER, (name,), "C0DRILL")).drill.id
    await failover.complete_step(store, AT, team, OWNER, second, StepKey.BACKUP)


async def fill(path: Path, team: str, names: tuple[str, ...]) -> None:
    store = SQLiteStore(str(path))
    await store.open(AT)
    try:
        for name in names:
            fields = PartnerFields(name=name, category=Category.KOL, tier=Tier.CORE, tags=("直播",))
            await add_partner(store, AT, team, OWNER, fields)
        first = names[0]
        await change_partner(
            store, AT, team, OWNER, first, PartnerFields(backups=names[1:], notes="合作 & <ok>")
        )
        await record_metrics(
            store,
            AT,
            team,
            OWNER,
            first,
            {"roi": 3.0, "rue": 69.95, "sentiment": 60.0},
            parse_period("2026-W47"),
        )
        await record_metrics(store, AT, team, OWNER, first, {"roi": 2.5}, parse_period("2026-10"))
        await scoring.rate(store, AT, team, OWNER, BOUNDARY, 3, name=first)
        await scoring.rate(store, AT, team, OWNER, {"tone": 70.0}, None, name=first)
        await set_benchmark(store, AT, team, ADMIN, Category.KOL, 3.0)
        await set_thresholds(store, AT, team, ADMIN, {"rue": 69.95})
        await scoring.set_weights(store, AT, team, ADMIN, {"threshold": 69.95})
        await claims.claim(store, AT, team, "digest", "7", "2026-11-23T09:00")
        await claims.finish(store, AT, team, "digest", "7", "2026-11-23T09:00", "channel_not_found")
        await claims.claim(store, AT, team, claims.EVENT, "Ev1", "")
        held = claims.HeldPost({"text": "Acme turned red"}, ("C0ALERTS",))
        await claims.claim(store, AT, team, "alert", "1", "2026-W47", held)
        await alerts.set_alerts(store, AT, team, OWNER, "C0ALERTS", True)
        await fill_digests(store, team)
        await fill_drills(store, team, first)
    finally:
        await store.close()


async def cli(*argv: str) -> int:
    """The command line, run as a user would, off this test's event loop."""
    return await asyncio.to_thread(main, list(argv))


def all_rows(path: Path) -> dict[str, list[tuple[object, ...]]]:
    with sqlite3.connect(path) as conn:
        return {
            t.name: conn.execute(f"SELECT * FROM {t.name} ORDER BY 1, 2, 3, 4").fetchall()
            for t in TABLES
        }


@pytest.fixture
async def pg_url() -> AsyncIterator[str]:
    async with fresh_schema() as url:
        yield url


@pytest.fixture
def source(tmp_path: Path) -> Path:
    return tmp_path / "source.db"


async def test_a_round_trip_through_postgres_keeps_every_row(
    source: Path, tmp_path: Path, pg_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    await fill(source, "T1", ("星河传媒", "小红书", "Acme Media"))
    back = tmp_path / "back.db"
    assert await cli("copy-db", f"sqlite:///{source}", pg_url) == 0
    # Every table of the schema is copied: none is left empty on PostgreSQL.
    on_pg = await table_rows(store_for(pg_url), leave_out=("schema_migrations",))
    assert sorted(t for t, rows in on_pg.items() if not rows) == []
    assert await cli("copy-db", pg_url, f"sqlite:///{back}") == 0
    out = capsys.readouterr().out
    assert "partnerbot: copied partners 3, partner_tags 3, partner_backups 2, audit_log" in out
    assert (
        "digest_schedules 1, digest_snapshots 1, failover_drills 2, failover_steps 10, "
        "failover_timeline 10, failover_candidates 2, failover_measures 1" in out
    )
    original, returned = all_rows(source), all_rows(back)
    assert all(original[t.name] for t in TABLES), "every table has rows to compare"
    assert returned == original

    # On PostgreSQL the boundaries hold as on SQLite: 69.95 rounds to 70.0, the ROI gate
    # passes at exactly 3, the audience gate fails at exactly 60.
    pg, sqlite = store_for(pg_url), SQLiteStore(str(source))
    await pg.open(AT)
    await sqlite.open(AT)
    try:
        on_pg = await scoring.score_card(pg, "T1", "星河传媒")
        on_sqlite = await scoring.score_card(sqlite, "T1", "星河传媒")
        assert on_pg.score == on_sqlite.score and on_pg.version == on_sqlite.version
        assert on_pg.score.composite == 70.0
        gates = {g.key: g.passed for g in on_pg.score.gates}
        assert (gates["roi"], gates["audience"]) == (True, False)
        # Schedules and drills read back on PostgreSQL as on SQLite, times to the microsecond.
        assert await digests.list_schedules(pg, "T1") == await digests.list_schedules(sqlite, "T1")
        assert await failover.history(pg, "T1", None) == await failover.history(sqlite, "T1", None)
        # The copied ids are the sequences' past: new rows get new ids.
        added = await add_partner(pg, AT, "T1", OWNER, PartnerFields(name="新伙伴"))
        assert added.partner.id == 4
        utc = ZoneInfo("UTC")
        schedule, _ = await digests.create_schedule(pg, AT, "T1", OWNER, DAILY, "C0NEW", utc)
        assert schedule.id == 2
        started = await failover.start_drill(pg, AT, "T1", OWNER, ("小红书",), "C0DRILL")
        assert started.created and started.drill.id == 3
        assert started.drill.status is DrillStatus.OPEN
        assert [e.kind for e in await failover.timeline(pg, "T1", 3)] == [EventKind.STARTED]
    finally:
        await pg.close()
        await sqlite.close()


async def test_a_destination_with_data_is_refused_unless_replace_is_given(
    source: Path, pg_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    await fill(source, "T1", ("星河传媒", "Acme"))
    assert await cli("copy-db", f"sqlite:///{source}", pg_url) == 0
    partners_before = await scalar(store_for(pg_url), "SELECT COUNT(*) FROM partners")
    capsys.readouterr()
    assert await cli("copy-db", f"sqlite:///{source}", pg_url) == 2
    err = capsys.readouterr().err
    assert err.startswith("partnerbot: the destination is not empty") and "--replace" in err
    assert await scalar(store_for(pg_url), "SELECT COUNT(*) FROM partners") == partners_before
    assert await cli("copy-db", f"sqlite:///{source}", pg_url, "--replace") == 0
    assert await scalar(store_for(pg_url), "SELECT COUNT(*) FROM partners") == partners_before


async def test_team_selects_the_workspaces_copied(
    source: Path, tmp_path: Path, pg_url: str
) -> None:
    await fill(source, "T1", ("星河传媒", "Acme"))
    await fill(source, "T2", ("Beta", "Gamma", "Delta"))
    assert await cli("copy-db", f"sqlite:///{source}", pg_url, "--team", "T2") == 0
    assert (
        await scalar(store_for(pg_url), "SELECT string_agg(DISTINCT team_id, ',') FROM partners")
        == "T2"
    )
    both = tmp_path / "both.db"
    assert (
        await cli("copy-db", f"sqlite:///{source}", f"sqlite:///{both}", "--team", "T1", "T2") == 0
    )
    assert all_rows(both) == all_rows(source)


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--team", "bob"], "--team 'bob' is not a workspace ID"),
        (["--same"], "SRC_URL and DST_URL are the same database"),
        (["--bad-destination"], "DST_URL is malformed"),
    ],
)
def test_bad_arguments_are_one_line_and_exit_2(
    source: Path, capsys: pytest.CaptureFixture[str], args: list[str], said: str
) -> None:
    src = f"sqlite:///{source}"
    if args == ["--same"]:
        argv = ["copy-db", src, src]
    elif args == ["--bad-destination"]:
        argv = ["copy-db", src, "mysql://x/y"]
    else:
        argv = ["copy-db", src, f"sqlite:///{source}.2", *args]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and said in err and "Traceback" not in err


async def test_a_missing_source_file_is_named_and_nothing_is_created(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing, destination = tmp_path / "nothere.db", tmp_path / "dst.db"
    assert await cli("copy-db", f"sqlite:///{missing}", f"sqlite:///{destination}") == 2
    err = capsys.readouterr().err
    assert err == f"partnerbot: SRC_URL: there is no database at {missing}\n"
    assert not missing.exists() and not destination.exists()


async def test_a_row_postgresql_cannot_hold_is_one_line_and_nothing_is_copied(
    source: Path, pg_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    await fill(source, "T1", ("星河传媒", "Acme"))
    with sqlite3.connect(source) as conn:  # an older release stored a NUL in a note
        conn.execute("UPDATE partners SET notes = 'a' || char(0) || 'b' WHERE name = 'Acme'")
    assert await cli("copy-db", f"sqlite:///{source}", pg_url) == 2
    err = capsys.readouterr().err
    assert err.startswith("partnerbot: partners: the destination refused a copied row")
    assert "Traceback" not in err and err.count("\n") == 1
    assert await scalar(store_for(pg_url), "SELECT COUNT(*) FROM partners") == 0
