"""Health use cases against a real store: what one partner's report reads."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.access import Actor
from bot.health.rules import Rule, RuleState
from bot.health.service import partner_health
from bot.registry.rules import Category, PartnerFields, Tier
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
