"""The demo workspace: the same every time, and a realistic pool where every health status
and every rule occurs."""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

from rich.console import Console

from bot.failover.service import open_drills
from bot.health.rules import HealthStatus, Rule
from bot.health.service import portfolio_health
from bot.registry.rules import Category, Tier
from console.main import Options, open_session
from console.standin import TEAM


async def no_input(prompt: str) -> str | None:
    return None


def rows(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, in a stable order."""
    with sqlite3.connect(path) as db:
        tables = [
            name
            for (name,) in db.execute(
                "select name from sqlite_master where type = 'table' and name not like 'sqlite_%'"
            )
        ]
        return {t: sorted(db.execute(f'select * from "{t}"'), key=repr) for t in tables}


async def test_the_demo_is_generated_the_same_every_time(tmp_path: Path) -> None:
    made = []
    for run in ("first", "second"):
        options = Options(demo=True, db=tmp_path / f"{run}.db", files=tmp_path / "charts")
        async with open_session(options, Console(file=io.StringIO()), no_input):
            pass
        made.append(rows(tmp_path / f"{run}.db"))
    first, second = made
    assert first == second
    assert len(first["partners"]) == 60 and len(first["metrics"]) > 50 * 26 * 5


async def test_the_demo_holds_every_status_rule_category_and_tier(tmp_path: Path) -> None:
    options = Options(demo=True, db=tmp_path / "demo.db", files=tmp_path / "charts")
    async with open_session(options, Console(file=io.StringIO()), no_input) as session:
        services = session.bot.services
        report, settings = await portfolio_health(
            services.store, services.clock.now(), services.settings.zone, TEAM
        )
        async with services.store.read() as tx:
            partners = await tx.all_partners(TEAM)
            schedules = await tx.digest_schedules(TEAM)
        drills = await open_drills(services.store, TEAM)
    assert all(report.counts[status] > 0 for status in HealthStatus)
    fired = {result.rule for flagged in report.flagged for result in flagged.fired}
    assert fired == set(Rule)
    assert report.gmv is not None and report.gmv.hhi > 2500
    assert {p.category for p in partners} == set(Category)
    assert {p.tier for p in partners} == set(Tier)
    assert any("\u4e00" <= ch <= "\u9fff" for p in partners for ch in p.name)
    assert any(p.name.isascii() for p in partners)
    assert report.unbacked and set(settings.benchmarks) == {c.value for c in Category}
    assert len(schedules) == 2 and len(drills) == 1
