"""Fit-score use cases against a real store: what they read, and the Rate form's version."""

from datetime import UTC, datetime, timedelta

import pytest

from bot.access import Actor
from bot.errors import StaleEdit
from bot.registry.rules import Category, PartnerFields, Tier
from bot.registry.service import add_partner
from bot.scoring import service
from storage.store import SQLiteStore
from tests.support.databases import reads_traced

AT = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
OWNER = Actor("U1")


async def _rated(store: SQLiteStore) -> None:
    fields = PartnerFields(name="Acme", category=Category.KOL, tier=Tier.CORE, tags=("a",))
    await add_partner(store, AT, "T1", OWNER, fields)
    await service.rate(store, AT, "T1", OWNER, {"brand": 80, "audience": 70}, 3, name="Acme")
    await service.rate(store, AT, "T1", OWNER, {"brand": 85}, None, name="Acme")


async def test_the_score_card_reads_in_five_statements_or_fewer(
    store: SQLiteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _rated(store)
    async with reads_traced(store, monkeypatch) as statements:
        card = await service.score_card(store, "T1", "acme")
    assert card.rating is not None and card.rating.values["brand"] == 85
    assert card.change is not None  # compared with the rating before
    # 4 before drills showed on the card; their count and latest drill are one statement.
    assert len(statements) <= 5, statements
    assert len([s for s in statements if "failover_drills" in s]) == 1, statements
    assert not any("partner_tags" in s or "partner_backups" in s for s in statements)


async def test_a_rate_form_opened_before_a_newer_rating_is_refused(store: SQLiteStore) -> None:
    await _rated(store)
    opened = await service.score_card(store, "T1", "Acme")
    assert opened.version.rating_id > 0 and opened.version.changed_at is not None
    await service.rate(store, AT, "T1", OWNER, {"tone": 60}, None, name="Acme")
    with pytest.raises(StaleEdit):
        await service.rate(
            store, AT, "T1", OWNER, {"brand": 10}, None, name="Acme", version=opened.version
        )
    current = await service.score_card(store, "T1", "Acme")
    saved = await service.rate(
        store, AT, "T1", OWNER, {"brand": 10}, None, name="Acme", version=current.version
    )
    assert saved.rating is not None and saved.rating.values["brand"] == 10


async def test_a_change_of_the_partner_also_makes_the_form_stale(store: SQLiteStore) -> None:
    await _rated(store)
    opened = await service.score_card(store, "T1", "Acme")
    later = AT + timedelta(minutes=5)
    await service.rate(store, later, "T1", OWNER, {}, 5, name="Acme")  # cases only
    with pytest.raises(StaleEdit):
        await service.rate(
            store, later, "T1", OWNER, {"brand": 1}, None, name="Acme", version=opened.version
        )


async def test_the_card_by_name_is_one_statement_and_the_card_by_id_as_before(
    store: SQLiteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both engines: by name, the partner, weights, two latest ratings, latest ROI and drills
    come from one statement (one snapshot) and make the card the reads by id make; exact
    numbers and times; unrated, and a name that is no partner, too."""
    from zoneinfo import ZoneInfo

    from bot.errors import NotFound
    from bot.failover import kit
    from bot.failover import service as failover
    from bot.metrics import parse_period
    from bot.registry.service import record_metrics

    admin = Actor("U0ADMIN", is_admin=True)
    await _rated(store)
    await add_partner(store, AT, "T1", OWNER, PartnerFields(name="Beta", category=Category.KOL))
    later = AT + timedelta(minutes=3, microseconds=11)
    await service.rate(
        store, later, "T1", OWNER, {"users": 200 / 3, "tone": 0.1}, None, name="Acme"
    )
    await service.set_weights(store, later, "T1", admin, {"brand": 2.5, "tone": 1 / 3})
    for week, roi in (("2026-W46", 3.3), ("2026-W47", 2 / 7)):
        await record_metrics(store, AT, "T1", OWNER, "Acme", {"roi": roi}, parse_period(week))
    drill = (await failover.start_drill(store, later, "T1", OWNER, ("Acme",), "C1")).drill
    await kit.rank_candidates(store, later, ZoneInfo("UTC"), "T1", drill.id)

    async with reads_traced(store, monkeypatch) as statements:
        by_name = await service.score_card(store, "T1", "ACME")
    assert len(statements) == 1, statements
    by_id = await service.score_card(store, "T1", partner_id=by_name.partner.id)
    assert by_name == by_id
    assert by_name.rating is not None and by_name.rating.values["users"] == 200 / 3
    assert by_name.rating.at == later and by_name.change is not None
    assert by_name.drills.count == 1 and by_name.drills.latest is not None
    assert by_name.drills.latest.started_at == later
    unrated = await service.score_card(store, "T1", "beta")
    assert unrated == await service.score_card(store, "T1", partner_id=unrated.partner.id)
    assert unrated.rating is None
    with pytest.raises(NotFound) as missing:
        await service.score_card(store, "T1", "acmee")
    assert "Acme" in missing.value.suggestions
