"""`/partner show`'s read: everything the card shows, in a fixed number of statements."""

from datetime import UTC, datetime

import pytest

from bot.access import Actor
from bot.registry.card import partner_card
from bot.registry.rules import Category, PartnerFields, Tier
from bot.registry.service import add_partner, change_partner
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
