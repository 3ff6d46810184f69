"""The digest job end to end: each slot posted once, late slots within the grace posted,
older ones skipped, failed posts retried then recorded, channel gone -> paused + one DM,
quiet mode, long digests threaded, and two apps on one database."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.app import Partnerbot, create_app
from bot.clock import FixedClock
from bot.ports import Store
from tests.support.databases import store_for, url_of
from tests.support.harness import CHANNEL, USER, Harness

SLOT = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # Monday, the first run of `daily 09:00 UTC`


async def digest(slack: Harness, text: str, user: str = USER) -> str:
    reply = await slack.command(text, command="/digest", user=user)
    assert reply.status == 200
    return reply.shown


def posts(slack: Harness, channel: str = CHANNEL) -> list[dict[str, object]]:
    return [c.body for c in slack.fake.named("chat.postMessage") if c.body["channel"] == channel]


async def tick(slack: Harness, at: datetime, bot: Partnerbot | None = None) -> None:
    """Move the clock and run what is due, as the scheduler's tick would."""
    slack.clock.set(at)
    await (bot or slack.bot).services.scheduler.run_due()
    await slack.settle()


@pytest.fixture
async def stores(slack: Harness) -> AsyncIterator[list[Store]]:
    """Stores opened on the harness's database by the apps a test starts; closed after."""
    opened: list[Store] = []
    yield opened
    for store in opened:
        await store.close()


async def restarted(slack: Harness, at: datetime, stores: list[Store]) -> Partnerbot:
    """Another app with its own connections to the same database, as after a restart (or
    a second replica)."""

    async def no_sleep(seconds: float) -> None:
        return None

    store = store_for(url_of(slack.store))
    await store.open(at)
    stores.append(store)
    return create_app(slack.bot.services.settings, store, FixedClock(at), sleep=no_sleep)


async def test_a_slot_is_posted_once_at_its_time_and_list_shows_it(slack: Harness) -> None:
    await slack.command('add "Acme" category=KOL tier=core status=active')
    await digest(slack, "schedule daily 09:00 tz=UTC")
    await tick(slack, SLOT - timedelta(minutes=1))
    assert posts(slack) == []
    await tick(slack, SLOT)
    assert len(posts(slack)) == 1
    await tick(slack, SLOT + timedelta(seconds=30))
    await tick(slack, SLOT + timedelta(minutes=5))
    assert len(posts(slack)) == 1
    listed = await digest(slack, "list")
    assert "last: Mon 2026-11-23 09:00 UTC posted" in listed
    assert "next Tue 2026-11-24 09:00 UTC" in listed


async def test_after_a_restart_a_missed_slot_is_posted_once_and_an_older_one_skipped(
    slack: Harness, stores: list[Store]
) -> None:
    await digest(slack, "schedule daily 09:00 tz=UTC")
    # Down over Monday's slot; back 40 minutes later, within the hour's grace.
    back = await restarted(slack, SLOT + timedelta(minutes=40), stores)
    slack.clock.set(SLOT + timedelta(minutes=40))
    await back.services.scheduler.run_due()
    await back.services.scheduler.run_due()
    assert len(posts(slack)) == 1
    # Down over Tuesday's slot for two hours: skipped, recorded, not posted.
    late = SLOT + timedelta(days=1, hours=2)
    again = await restarted(slack, late, stores)
    slack.clock.set(late)
    await again.services.scheduler.run_due()
    assert len(posts(slack)) == 1
    listed = await digest(slack, "list")
    assert "last: Tue 2026-11-24 09:00 UTC skipped: due 120 minutes earlier" in listed
    assert "next Wed 2026-11-25 09:00 UTC" in listed


async def test_two_apps_on_one_database_post_each_slot_once(
    slack: Harness, stores: list[Store]
) -> None:
    await digest(slack, "schedule daily 09:00 tz=UTC")
    other = await restarted(slack, SLOT - timedelta(hours=1), stores)
    for day in range(3):
        at = SLOT + timedelta(days=day)
        slack.clock.set(at)
        other_clock = other.services.clock
        assert isinstance(other_clock, FixedClock)
        other_clock.set(at)
        await asyncio.gather(
            slack.bot.services.scheduler.run_due(), other.services.scheduler.run_due()
        )
    assert len(posts(slack)) == 3


async def test_a_failed_post_is_retried_with_backoff_then_recorded_failed(
    slack: Harness,
) -> None:
    await digest(slack, "schedule daily 09:00 tz=UTC")
    slack.fake.refuse("chat.postMessage", "fatal_error")
    await tick(slack, SLOT)
    assert len(posts(slack)) == 1
    assert "retrying: fatal_error (attempt 1)" in await digest(slack, "list")
    await tick(slack, SLOT + timedelta(seconds=59))
    assert len(posts(slack)) == 1  # the first retry waits a minute
    await tick(slack, SLOT + timedelta(minutes=1))
    assert len(posts(slack)) == 2
    await tick(slack, SLOT + timedelta(minutes=2))
    assert len(posts(slack)) == 2  # the second waits two
    await tick(slack, SLOT + timedelta(minutes=3))
    assert len(posts(slack)) == 3
    await tick(slack, SLOT + timedelta(minutes=30))
    assert len(posts(slack)) == 3
    assert "last: Mon 2026-11-23 09:00 UTC failed: fatal_error" in await digest(slack, "list")
    slack.fake.accept("chat.postMessage")
    await tick(slack, SLOT + timedelta(days=1))
    assert len(posts(slack)) == 4
    assert "posted" in await digest(slack, "list")


async def test_a_retry_that_succeeds_posts_once(slack: Harness) -> None:
    await digest(slack, "schedule daily 09:00 tz=UTC")
    slack.fake.refuse_next("chat.postMessage", "internal_error")
    await tick(slack, SLOT)
    await tick(slack, SLOT + timedelta(minutes=1))
    await tick(slack, SLOT + timedelta(minutes=10))
    assert len(posts(slack)) == 2  # the refused one and the retry
    assert "09:00 UTC posted" in await digest(slack, "list")


async def test_channel_gone_pauses_the_schedule_and_tells_its_creator_once(
    slack: Harness,
) -> None:
    await digest(slack, "schedule daily 09:00 tz=UTC")
    slack.fake.refuse("chat.postMessage", "is_archived")
    await tick(slack, SLOT)
    await tick(slack, SLOT + timedelta(days=1))
    dms = posts(slack, USER)
    assert len(dms) == 1
    assert "schedule *1*" in str(dms[0]["text"]) and "archived" in str(dms[0]["text"])
    assert "/digest resume 1" in str(dms[0]["text"])
    assert len(posts(slack)) == 1
    listed = await digest(slack, "list")
    assert "*paused*: the channel is archived" in listed


async def test_quiet_posts_nothing_when_nothing_changed(slack: Harness) -> None:
    await slack.command('add "Acme" category=KOL tier=core status=active')
    await digest(slack, "schedule daily 09:00 tz=UTC quiet=yes")
    await tick(slack, SLOT)
    assert len(posts(slack)) == 1  # the first digest here
    await tick(slack, SLOT + timedelta(days=1))
    assert len(posts(slack)) == 1
    assert "nothing changed (quiet)" in await digest(slack, "list")
    await slack.command('add "Beta" category=KOL tier=standard status=active')
    await tick(slack, SLOT + timedelta(days=2))
    shown = str(posts(slack)[-1]["blocks"])
    assert len(posts(slack)) == 2 and "Added: *Beta*" in shown


async def test_a_long_digest_puts_the_lists_in_a_thread_reply(slack: Harness) -> None:
    for n in range(10):
        await slack.command(f'add "Core {n}" category=KOL tier=core status=active')
    await digest(slack, "now")
    main, reply = posts(slack)
    assert "thread_ts" not in main
    assert isinstance(reply.get("thread_ts"), str)  # a reply in the digest's thread
    assert "Core 9" in str(reply["blocks"]) and "please name a backup" in str(reply["blocks"])
    assert f"<@{USER}>" in str(reply["blocks"])  # the owner is asked to act
