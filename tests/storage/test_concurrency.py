"""Read-check-write paths raced by two stores (two processes' connections) on one database,
interleaved on purpose, on both engines: the constraints and versioned writes decide, never a
lock of one process's.

On PostgreSQL the paused writer has only read, so the other one commits in between; on SQLite
the paused writer holds the write lock, so the other waits and goes second. Either way exactly
one change lands and the other is told so, or is applied over it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot import claims
from bot.access import Actor
from bot.errors import AlreadyRegistered, StaleEdit
from bot.metrics import parse_period
from bot.registry.rules import Partner, PartnerFields, Tier
from bot.registry.service import add_partner, change_partner, partner_history, record_metrics
from bot.scoring import service as scoring
from storage.store import PostgresStore, SQLiteStore
from tests.support.databases import scalar, store_for, url_of
from tests.support.interleave import Gate, GatedStore, race

Store = SQLiteStore | PostgresStore
AT = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
LATER = AT + timedelta(minutes=5)
OWNER = Actor("U0OWNER")
W47 = parse_period("2026-W47")


@pytest.fixture
async def other(store: Store) -> AsyncIterator[Store]:
    """A second store on the same database, as another process would open it."""
    second = store_for(url_of(store))
    await second.open(AT)
    yield second
    await second.close()


def on_postgres(store: Store) -> bool:
    return isinstance(store, PostgresStore)


async def add(store: Store, name: str = "Acme") -> Partner:
    return (await add_partner(store, AT, "T1", OWNER, PartnerFields(name=name))).partner


async def audit_fields(store: Store, name: str = "Acme") -> list[tuple[str, str, str]]:
    _, page = await partner_history(store, "T1", name, size=100)
    return sorted((e.field, e.before, e.after) for e in page.items)


async def test_two_adds_of_one_name_leave_one_partner_and_tell_the_other(
    store: Store, other: Store
) -> None:
    gate = Gate("partner_by_key")  # stops after finding the name free
    first, second = await race(
        lambda: add(GatedStore(store, gate), "Acme"),  # type: ignore[arg-type]
        gate,
        lambda: add(other, "ACME"),
        other_finishes_first=on_postgres(store),
    )
    outcomes = [first, second]
    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert len(errors) == 1 and isinstance(errors[0], AlreadyRegistered), outcomes
    winner = next(o for o in outcomes if isinstance(o, Partner))
    assert errors[0].name == winner.name and errors[0].owner == OWNER.user_id
    assert "already registered" in str(errors[0])
    assert await scalar(store, "SELECT COUNT(*) FROM partners") == 1
    assert await scalar(store, "SELECT COUNT(*) FROM audit_log") == len(await audit_fields(store))


async def test_two_edit_forms_opened_on_one_version_save_once(store: Store, other: Store) -> None:
    opened = await add(store)
    gate = Gate("partner_by_id")  # stops after reading the partner the form names

    def save(on: Store, tier: Tier) -> object:
        return change_partner(
            on,
            LATER,
            "T1",
            OWNER,
            "",
            PartnerFields(tier=tier),
            partner_id=opened.id,
            version=opened.updated_at,
        )

    first, second = await race(
        lambda: save(GatedStore(store, gate), Tier.CORE),  # type: ignore[arg-type]
        gate,
        lambda: save(other, Tier.STRATEGIC),
        other_finishes_first=on_postgres(store),
    )
    stale = [o for o in (first, second) if isinstance(o, StaleEdit)]
    assert len(stale) == 1 and "since this form was opened" in str(stale[0]), (first, second)
    landed = Tier.STRATEGIC if on_postgres(store) else Tier.CORE
    assert await scalar(store, "SELECT tier FROM partners") == landed.value
    tier_changes = [f for f in await audit_fields(store) if f[0] == "tier"]
    assert tier_changes == [("tier", "", "standard"), ("tier", "standard", landed.value)]


async def test_two_commands_changing_different_fields_keep_both(store: Store, other: Store) -> None:
    await add(store)
    gate = Gate("partner_by_key")
    first, second = await race(
        lambda: change_partner(
            GatedStore(store, gate),  # type: ignore[arg-type]
            LATER,
            "T1",
            OWNER,
            "Acme",
            PartnerFields(notes="met in Hangzhou"),
        ),
        gate,
        lambda: change_partner(other, LATER, "T1", OWNER, "Acme", PartnerFields(tier=Tier.CORE)),
        other_finishes_first=on_postgres(store),
    )
    assert not isinstance(first, Exception) and not isinstance(second, Exception)
    assert await scalar(store, "SELECT tier FROM partners") == "core"
    assert await scalar(store, "SELECT notes FROM partners") == "met in Hangzhou"


async def test_two_rate_forms_opened_on_one_version_save_once(store: Store, other: Store) -> None:
    await add(store)
    await scoring.rate(store, AT, "T1", OWNER, {"brand": 80}, None, name="Acme")
    opened = await scoring.score_card(store, "T1", "Acme")
    gate = Gate("recent_ratings")  # stops after reading the latest rating

    def save(on: Store, updates: dict[str, float]) -> object:
        return scoring.rate(
            on, LATER, "T1", OWNER, updates, None, name="Acme", version=opened.version
        )

    first, second = await race(
        lambda: save(GatedStore(store, gate), {"brand": 10}),  # type: ignore[arg-type]
        gate,
        lambda: save(other, {"tone": 60}),
        other_finishes_first=on_postgres(store),
    )
    stale = [o for o in (first, second) if isinstance(o, StaleEdit)]
    assert len(stale) == 1 and "since this form was opened" in str(stale[0]), (first, second)
    assert await scalar(store, "SELECT COUNT(*) FROM ratings") == 2
    card = await scoring.score_card(store, "T1", "Acme")
    assert card.rating is not None
    assert (card.rating.values["brand"], card.rating.values["tone"]) in ((80, 60), (10, None))
    assert card.version.rating_id == await scalar(store, "SELECT MAX(id) FROM ratings")


async def test_two_rate_commands_at_once_both_count(store: Store, other: Store) -> None:
    await add(store)
    gate = Gate("recent_ratings")
    first, second = await race(
        lambda: scoring.rate(
            GatedStore(store, gate),  # type: ignore[arg-type]
            LATER,
            "T1",
            OWNER,
            {"brand": 80},
            None,
            name="Acme",
        ),
        gate,
        lambda: scoring.rate(other, LATER, "T1", OWNER, {"tone": 60}, None, name="Acme"),
        other_finishes_first=on_postgres(store),
    )
    assert not isinstance(first, Exception) and not isinstance(second, Exception)
    card = await scoring.score_card(store, "T1", "Acme")
    assert card.rating is not None
    assert (card.rating.values["brand"], card.rating.values["tone"]) == (80, 60)


async def test_one_metric_recorded_twice_at_once_is_one_row_and_one_audit_entry(
    store: Store, other: Store
) -> None:
    await add(store)
    gate = Gate("metric_value")  # stops after finding no value yet

    def record(on: Store) -> object:
        return record_metrics(on, LATER, "T1", OWNER, "Acme", {"rue": 35.0}, W47)

    first, second = await race(
        lambda: record(GatedStore(store, gate)),  # type: ignore[arg-type]
        gate,
        lambda: record(other),
        other_finishes_first=on_postgres(store),
    )
    assert not isinstance(first, Exception) and not isinstance(second, Exception)
    assert await scalar(store, "SELECT COUNT(*) FROM metrics") == 1
    assert [f for f in await audit_fields(store) if f[0].startswith("rue")] == [
        ("rue@2026-W47", "", "35")
    ]


async def test_two_values_of_one_metric_at_once_audit_each_change(
    store: Store, other: Store
) -> None:
    await add(store)
    gate = Gate("metric_value")
    first, second = await race(
        lambda: record_metrics(
            GatedStore(store, gate),  # type: ignore[arg-type]
            LATER,
            "T1",
            OWNER,
            "Acme",
            {"rue": 40.0},
            W47,
        ),
        gate,
        lambda: record_metrics(other, LATER, "T1", OWNER, "Acme", {"rue": 35.0}, W47),
        other_finishes_first=on_postgres(store),
    )
    assert not isinstance(first, Exception) and not isinstance(second, Exception)
    final, earlier = ("40", "35") if on_postgres(store) else ("35", "40")
    assert str(await scalar(store, "SELECT value FROM metrics")).rstrip("0").rstrip(".") == final
    assert [f for f in await audit_fields(store) if f[0].startswith("rue")] == sorted(
        [("rue@2026-W47", "", earlier), ("rue@2026-W47", earlier, final)]
    )


async def test_a_slot_claimed_by_two_stores_at_once_goes_to_one(store: Store, other: Store) -> None:
    gate = Gate("claim")  # stops after inserting the claim, before committing it
    first, second = await race(
        lambda: claims.claim(GatedStore(store, gate), AT, "T1", "digest", "7", "s1"),  # type: ignore[arg-type]
        gate,
        lambda: claims.claim(other, AT, "T1", "digest", "7", "s1"),
        other_finishes_first=False,  # the other's insert waits for this uncommitted one
    )
    assert (first, second) == (True, False)
    assert await scalar(store, "SELECT COUNT(*) FROM claims") == 1
