"""`/partner show`'s read: everything the card shows, in a fixed number of statements."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.access import Actor
from bot.errors import NotFound
from bot.failover import kit, outcome
from bot.failover import service as failover
from bot.failover.record import NO_DRILLS
from bot.failover.rules import GmvImpact, GmvSource, StepKey
from bot.metrics import METRICS, parse_period
from bot.registry.card import CARD_PERIODS, PartnerCard, partner_card
from bot.registry.rules import Category, PartnerFields, Tier
from bot.registry.service import add_partner, change_partner, record_metrics
from handlers.registry.views import build_card_blocks
from storage.store import SQLiteStore
from tests.support.databases import reads_traced

AT = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
OWNER = Actor("U1")


async def test_the_card_reads_its_tags_and_backups_in_one_statement_four_in_all(
    store: SQLiteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("Beta", "Gamma"):
        await add_partner(
            store, AT, "T1", OWNER, PartnerFields(name=name, category=Category.KOL, tier=Tier.CORE)
        )
    fields = PartnerFields(
        name="Acme", category=Category.KOL, tier=Tier.CORE, tags=("live", "asia", "beauty")
    )
    await add_partner(store, AT, "T1", OWNER, fields)
    await change_partner(store, AT, "T1", OWNER, "Acme", PartnerFields(backups=("Gamma", "Beta")))
    async with reads_traced(store, monkeypatch) as statements:
        card = await partner_card(store, "T1", "acme")
    assert card.partner.tags == ("live", "asia", "beauty")
    assert card.partner.backups == ("Gamma", "Beta")
    assert len(statements) <= 4, statements
    assert len([s for s in statements if "partner_tags" in s]) == 1, statements


async def test_the_card_is_one_statement_and_reads_what_the_separate_reads_do(
    store: SQLiteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both engines: the partner (tags and backups in order), its latest metrics in order,
    those of the card's four periods and no more, its drills' count and the latest one (its
    backup and GMV impact from JSON, times and numbers exact), all from one snapshot."""
    for name in ("Beta", "Gamma"):
        fields = PartnerFields(name=name, category=Category.KOL, tier=Tier.STANDARD)
        await add_partner(store, AT, "T1", OWNER, fields)
    fields = PartnerFields(
        name="Acme", category=Category.KOL, tier=Tier.CORE, tags=("live", "asia", "beauty")
    )
    await add_partner(store, AT, "T1", OWNER, fields)
    await change_partner(store, AT, "T1", OWNER, "Acme", PartnerFields(backups=("Gamma", "Beta")))
    rois = (0.1, 2 / 3, 3.2, 1e-7, 4.099999999999999, 1 / 7, 2.5, 3.0)
    for n, roi in enumerate(rois):  # 8 weeks of 5 metrics: more than the card's 32 values
        values = {"rue": 35.5, "roi": roi, "sentiment": 71.0, "gmv": 123456.789, "traffic": 9.0}
        week = parse_period(f"2026-W{40 + n}")
        await record_metrics(store, AT, "T1", OWNER, "Acme", values, week)
    month = parse_period("2026-11")
    await record_metrics(store, AT, "T1", OWNER, "Acme", {"conversion": 1.5}, month)
    empty = await partner_card(store, "T1", "Beta")
    assert empty.metrics == [] and empty.drills == NO_DRILLS and empty.partner.tags == ()
    first = (await failover.start_drill(store, AT, "T1", OWNER, ("Acme",), "C1")).drill
    for step in StepKey:
        await failover.complete_step(store, AT, "T1", OWNER, first.id, step)
    later = AT + timedelta(hours=2, microseconds=7)
    second = (await failover.start_drill(store, later, "T1", OWNER, ("Acme",), "C2")).drill
    await kit.rank_candidates(store, later, ZoneInfo("UTC"), "T1", second.id)
    beta = (await partner_card(store, "T1", "beta")).partner.id
    await kit.engage_backup(store, later, "T1", OWNER, second.id, beta, None)
    gmv = GmvImpact(change=-1 / 12, source=GmvSource.ENTERED, before=None, after=None, note="≈")
    await outcome.enter_gmv(store, later, "T1", OWNER, second.id, gmv, None)

    async with reads_traced(store, monkeypatch) as statements:
        card = await partner_card(store, "T1", "ACME")
    assert len(statements) == 1, statements
    async with store.read() as tx:
        partner = await tx.partner_by_key("T1", "acme")
        assert partner is not None
        metrics = await tx.partner_metrics("T1", partner.id, limit=len(METRICS) * 4)
        drills = await tx.partner_failover_record("T1", partner.id)
    assert len(metrics) == len(METRICS) * 4  # the read the card made before: 32 values
    shown = metrics[: 3 * 5 + 1]  # W47, W46 and W45 (five each), then the month 2026-11
    assert card == PartnerCard(partner, shown, drills)
    assert [p for p, _, _ in card.metrics].count("2026-11") == 1
    assert build_card_blocks(partner, card.metrics) == build_card_blocks(partner, metrics)
    assert card.partner.backups == ("Gamma", "Beta")
    assert card.drills.count == 2 and card.drills.latest is not None
    latest = card.drills.latest
    assert latest.id == second.id and latest.started_at == later and latest.backup is not None
    assert latest.backup.name == "Beta" and latest.backup.at == later
    assert latest.gmv is not None and latest.gmv.change == -1 / 12
    assert ("2026-W47", "roi", 3.0) in card.metrics
    assert ("2026-W45", "roi", 1 / 7) in card.metrics
    with pytest.raises(NotFound) as missing:
        await partner_card(store, "T1", "acmee")
    assert "Acme" in missing.value.suggestions


@pytest.mark.parametrize(
    ("periods", "shown"),
    [
        # fewer period starts than the card shows: every value
        (("2026-W40", "2026-W41"), ("2026-W41", "2026-W40")),
        # a month and a week that start on one day (2026-06-01): five periods read, four shown
        (
            ("2026-W20", "2026-W21", "2026-W22", "2026-06", "2026-W23", "2026-W24"),
            ("2026-W24", "2026-06", "2026-W23", "2026-W22"),
        ),
        # more starts than the card shows, each with every metric: four periods of eight
        (
            tuple(f"2026-W{n}" for n in range(30, 37)),
            ("2026-W36", "2026-W35", "2026-W34", "2026-W33"),
        ),
    ],
)
async def test_the_card_reads_the_latest_period_starts_and_shows_what_32_values_showed(
    store: SQLiteStore, periods: tuple[str, ...], shown: tuple[str, ...]
) -> None:
    """Both engines: the card's metrics are those of its four latest period starts, a
    prefix of the 32 latest values (the card's read before), and the card built from them
    is the one built from those 32."""
    fields = PartnerFields(name="Acme", category=Category.KOL, tier=Tier.CORE)
    await add_partner(store, AT, "T1", OWNER, fields)
    for n, period in enumerate(periods):
        values = {key: float(n + i) for i, key in enumerate(METRICS) if key != "traffic"}
        values["traffic"] = float(1000 + n)
        await record_metrics(store, AT, "T1", OWNER, "Acme", values, parse_period(period))
    card = await partner_card(store, "T1", "acme")
    async with store.read() as tx:
        before = await tx.partner_metrics("T1", card.partner.id, limit=len(METRICS) * 4)
    assert card.metrics == before[: len(card.metrics)]
    read = list(dict.fromkeys(p for p, _, _ in card.metrics))
    assert read[:CARD_PERIODS] == list(shown)
    assert len(read) <= CARD_PERIODS + 1  # a start shared by two periods reads both
    assert build_card_blocks(card.partner, card.metrics) == build_card_blocks(card.partner, before)
