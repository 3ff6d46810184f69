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
