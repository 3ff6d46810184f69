"""`/health NAME`'s answers kept per workspace, partner, day and report version
(bot/health/answers.py), on both engines: each the same as computing it afresh; two
replicas on one database, each with its own answers, each right at once after the other's
write of any input (metrics, a backup leaving, thresholds, a benchmark); one statement a
request, hit or miss; and a kept answer taken only at its version and day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.access import Actor
from bot.errors import NotFound
from bot.health.answers import HealthAnswers
from bot.health.rules import HealthReport
from bot.health.service import HealthSettings, partner_health, set_benchmark, set_thresholds
from bot.metrics import parse_period
from bot.registry.rules import Category, PartnerFields, Tier
from bot.registry.service import add_partner, drop_partner, record_metrics
from storage.store import PostgresStore, SQLiteStore
from tests.support.databases import execute, reads_traced, store_for, url_of

Store = SQLiteStore | PostgresStore
AT = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
UTC_ZONE = ZoneInfo("UTC")
TEAM = "T1"
OWNER = Actor("U0ADMIN", is_admin=True)
WEEKS = [parse_period(f"2026-W{n}") for n in range(38, 48)]


async def registry(store: Store) -> None:
    """Acme, a core KOL with one backup, ten weeks of every metric; a benchmark."""
    await add_partner(store, AT, TEAM, OWNER, PartnerFields(name="Bolt"))
    fields = PartnerFields(name="Acme", category=Category.KOL, tier=Tier.CORE, backups=("Bolt",))
    await add_partner(store, AT, TEAM, OWNER, fields)
    await set_benchmark(store, AT, TEAM, OWNER, Category.KOL, 3.0)
    for i, week in enumerate(WEEKS):
        values = {"rue": 40.0 + i, "roi": 2.0 + i / 10, "sentiment": 80.0, "gmv": 1e5 + i}
        await record_metrics(store, AT, TEAM, OWNER, "Acme", values, week)


async def fresh(store: Store, at: datetime = AT) -> tuple[HealthReport, HealthSettings]:
    return await partner_health(store, at, UTC_ZONE, TEAM, "Acme")


async def kept(
    store: Store, answers: HealthAnswers, at: datetime = AT
) -> tuple[HealthReport, HealthSettings]:
    return await partner_health(store, at, UTC_ZONE, TEAM, "acme", answers)


async def test_a_write_through_one_replica_makes_the_others_answer_right_at_once(
    store: Store,
) -> None:
    await registry(store)
    other = store_for(url_of(store))
    await other.open(AT)
    try:
        theirs = HealthAnswers()
        first = await kept(other, theirs)
        assert first == await fresh(store)
        assert await kept(other, theirs) is first  # no write between: the kept answer

        # Each input, written through replica one, shows in replica two's next answer.
        sentiment = {"sentiment": 40.0}
        await record_metrics(store, AT, TEAM, OWNER, "Acme", sentiment, WEEKS[-1])
        fell = await kept(other, theirs)
        assert fell != first and fell == await fresh(store)
        assert fell[0].status.value == "red"

        await drop_partner(store, AT, TEAM, OWNER, ("Bolt",), "gone")
        no_backup = await kept(other, theirs)
        assert no_backup != fell and no_backup == await fresh(store)

        await set_thresholds(store, AT, TEAM, OWNER, {"sentiment_drop": 60})
        judged = await kept(other, theirs)
        assert judged != no_backup and judged == await fresh(store)
        assert judged[1].thresholds.sentiment_drop == 60

        await set_benchmark(store, AT, TEAM, OWNER, Category.KOL, 1.0)
        assert (await kept(other, theirs))[1].benchmarks == {"KOL": 1.0}
        assert await kept(other, theirs) == await fresh(store)
    finally:
        await other.close()


async def test_one_statement_a_request_and_a_kept_answer_only_at_its_version(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A metric written behind the store's back bumps no version: the kept answer is taken
    (nothing but the version read) until a write through a store bumps it."""
    await registry(store)
    answers = HealthAnswers()
    async with reads_traced(store, monkeypatch) as statements:
        first = await kept(store, answers)
        again = await kept(store, answers)
    assert len(statements) == 2 and again is first
    await execute(
        store,
        "UPDATE metrics SET value = 10 WHERE metric = 'sentiment' AND period = '2026-W47'",
    )
    assert await kept(store, answers) is first
    assert await fresh(store) != first  # computing afresh finds the change
    await add_partner(store, AT, TEAM, OWNER, PartnerFields(name="Cass"))  # a bump
    assert await kept(store, answers) == await fresh(store) != first


async def test_a_kept_answer_is_of_its_day_and_a_missing_name_is_answered_as_before(
    store: Store,
) -> None:
    await registry(store)
    answers = HealthAnswers()
    today = await kept(store, answers)
    later = AT + timedelta(days=200)  # the window has moved past every metric
    moved = await kept(store, answers, later)
    assert moved == await fresh(store, later) != today
    assert moved[0].status.value == "grey"
    assert await kept(store, answers) is today  # both days kept
    with pytest.raises(NotFound) as missing:
        await partner_health(store, AT, UTC_ZONE, TEAM, "Acmee", answers)
    assert "Acme" in missing.value.suggestions
