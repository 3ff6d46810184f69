"""The digest job decides on the outbox's Slack error code, never on the sentence: each
"channel gone" code pauses the schedule and tells its creator; anything else is retried."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from bot.digest.ports import NewSchedule, Schedule
from handlers.digest.jobs import run_due_digests
from storage.store import SQLiteStore
from tests.support.fakes import CHANNEL, START, TEAM, USER, Bot, fake_bot

SLOT = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
# A refusal's sentence that names no code at all: the job must not need to read it.
PLAIN = "Slack would not take the digest."


@pytest.fixture
async def bot(store: SQLiteStore) -> AsyncIterator[Bot]:
    async with fake_bot(store) as made:
        new = NewSchedule(TEAM, CHANNEL, "daily 09:00", "UTC", False, "", USER)
        async with made.store.write() as tx:
            await tx.insert_digest_schedule(new, START, SLOT)
        made.clock.set(SLOT)
        yield made


async def the_schedule(bot: Bot) -> Schedule:
    async with bot.store.read() as tx:
        (schedule,) = await tx.digest_schedules(TEAM)
    return schedule


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("channel_not_found", "Slack cannot find the channel"),
        ("is_archived", "the channel is archived"),
        ("not_in_channel", "partnerbot was removed from the channel"),
    ],
)
async def test_each_gone_code_pauses_the_schedule_and_tells_its_creator(
    bot: Bot, code: str, reason: str
) -> None:
    bot.outbox.refuse, bot.outbox.refuse_code = PLAIN, code
    assert await run_due_digests(bot.services) == 1
    schedule = await the_schedule(bot)
    assert schedule.paused is True
    assert (schedule.paused_reason or "").startswith(reason)
    assert schedule.retry_at is None
    assert [p["channel"] for p in bot.outbox.posts] == [CHANNEL, USER]  # the creator's DM


async def test_ratelimited_is_retried_not_paused_whatever_the_sentence_says(bot: Bot) -> None:
    # The sentence names a gone code in backticks; only the code counts.
    bot.outbox.refuse = "I could not post to <#C1> (`is_archived`): the channel is archived."
    bot.outbox.refuse_code = "ratelimited"
    assert await run_due_digests(bot.services) == 1
    schedule = await the_schedule(bot)
    assert schedule.paused is False
    assert schedule.retry_at is not None
    assert (schedule.last_outcome, schedule.last_error) == ("retrying", "ratelimited (attempt 1)")
    assert [p["channel"] for p in bot.outbox.posts] == [CHANNEL]  # nobody is told to act


async def test_a_failed_call_without_a_code_is_retried_with_its_sentence(bot: Bot) -> None:
    bot.outbox.refuse, bot.outbox.refuse_code = PLAIN, None
    await run_due_digests(bot.services)
    schedule = await the_schedule(bot)
    assert schedule.paused is False
    assert (schedule.last_outcome, schedule.last_error) == ("retrying", f"{PLAIN} (attempt 1)")


async def test_a_post_slack_takes_is_recorded_posted(bot: Bot) -> None:
    await run_due_digests(bot.services)
    schedule = await the_schedule(bot)
    assert (schedule.paused, schedule.last_outcome, schedule.last_error) == (False, "posted", None)
    assert [p["channel"] for p in bot.outbox.posts] == [CHANNEL]
