"""Health use cases against a real store: what one partner's report reads."""

from dataclasses import replace
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.access import Actor
from bot.errors import NotFound
from bot.health.rules import MetricPoint, Rule, RuleState, Thresholds, assess, lookback_start
from bot.health.service import (
    HEALTH,
    TREND_PERIODS,
    partner_health,
    set_benchmark,
    set_thresholds,
)
from bot.metrics import parse_period
from bot.registry.rules import Category, PartnerFields, Status, Tier
from bot.registry.service import add_partner, drop_partner, record_metrics
from storage.store import SQLiteStore
from tests.support.databases import reads_traced

AT = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
OWNER = Actor("U1")
SINCE = lookback_start(AT.date(), Thresholds())  # the shortest window: 2026-07-01
W45, W46, W47 = (parse_period(f"2026-W{n}") for n in (45, 46, 47))
OCT = parse_period("2026-10")


def _order(p: MetricPoint) -> tuple[str, str, str]:
    return p.period.label, p.period.kind, p.metric


async def test_one_report_reads_a_fixed_number_of_statements_however_many_backups(
    store: SQLiteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = [f"Backup {i}" for i in range(6)]
    for name in names:
        await add_partner(store, AT, "T1", OWNER, PartnerFields(name=name))
    fields = PartnerFields(
        name="Acme", category=Category.KOL, tier=Tier.CORE, backups=tuple(names), tags=("x",)
    )
    await add_partner(store, AT, "T1", OWNER, fields)
    for name in names[:-1]:  # every backup but the last has left
        await drop_partner(store, AT, "T1", OWNER, (name,), "gone")
    async with reads_traced(store, monkeypatch) as statements:
        report, _ = await partner_health(store, AT, ZoneInfo("UTC"), "T1", "Acme")
    assert len(statements) <= 5, statements
    assert not any("partner_tags" in s for s in statements)
    backup = next(r for r in report.rules if r.rule == Rule.BACKUP)
    assert backup.state == RuleState.OK and "Backup 5" in backup.detail
    assert report.partner.backups == tuple(names)


async def test_the_inputs_and_the_metrics_are_one_statement_as_the_separate_reads(
    store: SQLiteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both engines: the partner, its backups with their statuses in order, the thresholds a
    workspace set, every ROI benchmark (numbers exact) and the window's metrics come in one
    statement; a name that is no partner answers with the closest names."""
    admin = Actor("U0ADMIN", is_admin=True)
    for name in ("Zed", "Ann"):
        await add_partner(store, AT, "T1", OWNER, PartnerFields(name=name))
    fields = PartnerFields(name="Acme", category=Category.KOL, backups=("Zed", "Ann"))
    await add_partner(store, AT, "T1", OWNER, fields)
    await drop_partner(store, AT, "T1", OWNER, ("Zed",), "gone")
    await set_thresholds(store, AT, "T1", admin, {"rue_weeks": 3, "rue": 100 / 3})
    await set_benchmark(store, AT, "T1", admin, Category.KOL, 2 / 3)
    await set_benchmark(store, AT, "T1", admin, Category.MCN, 4.1)
    await set_thresholds(store, AT, "T2", admin, {"rue_weeks": 5})

    for period, value in ((W45, 1 / 3), (W46, 2.5), (W47, 1e-7), (OCT, 3.0)):
        await record_metrics(store, AT, "T1", OWNER, "Acme", {"rue": value, "roi": value}, period)
    await record_metrics(store, AT, "T1", OWNER, "Ann", {"rue": 9.0}, W47)

    async with reads_traced(store, monkeypatch) as statements:
        report, settings = await partner_health(store, AT, ZoneInfo("UTC"), "T1", "acme")
    assert len(statements) == 1, statements
    async with store.read() as tx:
        found = await tx.partner_health_inputs("T1", "acme", HEALTH, SINCE)
        acme = await tx.partner_by_key("T1", "acme", full=False)
        assert found is not None and acme is not None
        assert found.settings == await tx.settings("T1", HEALTH)
        assert found.benchmarks == await tx.benchmarks("T1") == {"KOL": 2 / 3, "MCN": 4.1}
        assert found.backups == await tx.backup_statuses("T1", acme.id)
        window = await tx.health_points("T1", SINCE, acme.id)
        assert len(window) == 8 and sorted(found.points, key=_order) == sorted(window, key=_order)
        assert await tx.partner_health_inputs("T1", "nobody", HEALTH, SINCE) is None
    assert found.partner == replace(acme, backups=("Zed", "Ann"))
    assert found.backups == [("Zed", Status.DROPPED), ("Ann", Status.PROSPECT)]
    assert settings.thresholds.rue_weeks == 3 and settings.thresholds.rue == 100 / 3
    assert report.partner == found.partner
    with pytest.raises(NotFound) as missing:
        await partner_health(store, AT, ZoneInfo("UTC"), "T1", "Acmee")
    assert "Acme" in missing.value.suggestions


async def test_thresholds_that_look_further_back_read_the_longer_window_too(
    store: SQLiteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both engines: six ROI months need seven months of metrics, more than the one statement
    reads (four); a second reads them, and the report is the rules' over the whole window."""
    admin = Actor("U0ADMIN", is_admin=True)
    await add_partner(store, AT, "T1", OWNER, PartnerFields(name="Acme", category=Category.KOL))
    await set_benchmark(store, AT, "T1", admin, Category.KOL, 3.0)
    months = [parse_period(f"2026-{m:02d}") for m in range(5, 12)]  # May to Nov
    for month in months:
        await record_metrics(store, AT, "T1", OWNER, "Acme", {"roi": 1.0}, month)
    await set_thresholds(store, AT, "T1", admin, {"roi_months": 6})

    async with reads_traced(store, monkeypatch) as statements:
        report, settings = await partner_health(store, AT, ZoneInfo("UTC"), "T1", "acme")
    assert len(statements) == 2, statements
    limits = settings.thresholds
    since = lookback_start(AT.date(), limits)
    assert since < SINCE == date(2026, 7, 1)
    async with store.read() as tx:
        acme = await tx.partner_by_key("T1", "acme")
        assert acme is not None
        window = await tx.health_points("T1", since, acme.id)
    assert report == assess(acme, window, 3.0, limits, TREND_PERIODS)
    roi = next(r for r in report.rules if r.rule == Rule.ROI)
    assert roi.state == RuleState.FIRED and "(2026-06)" in roi.detail
