"""A unique constraint's refusal is told apart from other failures on both engines (each
dialect names its driver's exception, asyncpg's imported only on PostgreSQL)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bot.errors import NameTaken
from bot.registry.rules import Category, Partner, Status, Tier
from storage.store import PostgresStore, SQLiteStore

Store = SQLiteStore | PostgresStore
AT = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


def draft(name: str) -> Partner:
    return Partner(
        id=0,
        team_id="T1",
        name=name,
        category=Category.KOL,
        tier=Tier.CORE,
        status=Status.ACTIVE,
        owner="U0OWNER",
    )


async def test_a_second_partner_of_the_same_name_is_refused_as_name_taken(store: Store) -> None:
    async with store.write() as tx:
        await tx.insert_partner(draft("Acme"), "acme", AT)
    with pytest.raises(NameTaken, match=r"already named \*ACME\*"):
        async with store.write() as tx:
            await tx.insert_partner(draft("ACME"), "acme", AT)
    async with store.read() as tx:
        assert await tx.partner_names("T1") == ["Acme"]


async def test_renaming_a_partner_to_a_taken_name_is_refused_as_name_taken(store: Store) -> None:
    async with store.write() as tx:
        await tx.insert_partner(draft("Acme"), "acme", AT)
        other_id = await tx.insert_partner(draft("Beta"), "beta", AT)
    async with store.read() as tx:
        other = await tx.partner_by_id("T1", other_id)
    assert other is not None
    with pytest.raises(NameTaken):
        async with store.write() as tx:
            await tx.update_partner(replace(other, name="Acme"), "acme", AT)
    async with store.read() as tx:
        assert sorted(await tx.partner_names("T1")) == ["Acme", "Beta"]
