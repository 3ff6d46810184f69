"""The one-statement cards' numbers travel as JSON text: exact whatever the database's
`extra_float_digits` (0 writes 15 digits: 2.9999999999999996 came back as 3, past the ROI
gate's "at least 3"), on both engines."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.access import Actor
from bot.metrics import parse_period
from bot.registry.rules import Category, PartnerFields, Tier
from bot.registry.service import add_partner, record_metrics
from storage.store import PostgresStore, SQLiteStore
from tests.support.databases import store_for, url_of

AT = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
ADMIN = Actor("U1", is_admin=True)
ROI = 2.9999999999999996  # the largest double below 3
RUE = 0.1 + 0.2  # 0.30000000000000004


async def test_card_numbers_are_exact_under_a_databases_float_digits(
    store: SQLiteStore | PostgresStore,
) -> None:
    fields = PartnerFields(name="Acme", category=Category.KOL, tier=Tier.CORE)
    await add_partner(store, AT, "T1", ADMIN, fields)
    await record_metrics(
        store, AT, "T1", ADMIN, "Acme", {"roi": ROI, "rue": RUE}, parse_period("2026-W40")
    )
    url = url_of(store)
    if isinstance(store, PostgresStore):  # what a database or role set to 0 gives a session
        url += ("&" if "?" in url else "?") + "extra_float_digits=0"
    other = store_for(url)
    await other.open(AT)
    try:
        async with other.read() as tx:
            card = await tx.partner_card("T1", "acme", 4, 32)
            score = await tx.score_inputs("T1", "acme", "score")
    finally:
        await other.close()
    assert card is not None and score is not None
    assert sorted(v for _, _, v in card[1]) == [RUE, ROI]
    assert score.roi == ("2026-W40", ROI)
