"""Health use cases against a real store: what one partner's report reads."""

from dataclasses import replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.access import Actor
from bot.errors import NotFound
from bot.health.rules import Rule, RuleState
from bot.health.service import HEALTH, partner_health, set_benchmark, set_thresholds
from bot.registry.rules import Category, PartnerFields, Status, Tier
from bot.registry.service import add_partner, drop_partner
from storage.store import SQLiteStore
from tests.support.databases import reads_traced

AT = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
OWNER = Actor("U1")


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


async def test_the_inputs_before_the_metrics_are_one_statement_as_the_separate_reads(
    store: SQLiteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both engines: the partner, its backups with their statuses in order, the thresholds a
    workspace set and every ROI benchmark (numbers exact) come in one statement, then the
    window's metrics; a name that is no partner answers with the closest names."""
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

    async with reads_traced(store, monkeypatch) as statements:
        report, settings = await partner_health(store, AT, ZoneInfo("UTC"), "T1", "acme")
    assert len(statements) == 2, statements
    async with store.read() as tx:
        found = await tx.partner_health_inputs("T1", "acme", HEALTH)
        acme = await tx.partner_by_key("T1", "acme", full=False)
        assert found is not None and acme is not None
        assert found.settings == await tx.settings("T1", HEALTH)
        assert found.benchmarks == await tx.benchmarks("T1") == {"KOL": 2 / 3, "MCN": 4.1}
        assert found.backups == await tx.backup_statuses("T1", acme.id)
        assert await tx.partner_health_inputs("T1", "nobody", HEALTH) is None
    assert found.partner == replace(acme, backups=("Zed", "Ann"))
    assert found.backups == [("Zed", Status.DROPPED), ("Ann", Status.PROSPECT)]
    assert settings.thresholds.rue_weeks == 3 and settings.thresholds.rue == 100 / 3
    assert report.partner == found.partner
    with pytest.raises(NotFound) as missing:
        await partner_health(store, AT, ZoneInfo("UTC"), "T1", "Acmee")
    assert "Acme" in missing.value.suggestions
