"""Failover reminders and escalations end to end on both engines, with the harness's clock and
the scheduler's failover.due job: one reminder at the deadline mentioning the owner, one
escalation at twice it mentioning the admins (or the starter, saying how to set admins),
none for a step done in time, once across a restart and across two apps on one database,
a refused reminder sent on a later pass, a thread that is gone recorded, not retried."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest

from bot.app import Partnerbot, create_app
from bot.clock import FixedClock
from bot.failover import due
from bot.failover import service as failover
from bot.failover.rules import StepKey
from bot.ports import Store
from handlers.failover.jobs import send_nudge
from handlers.ids import FailoverAction
from tests.e2e.test_failover import OTHER, checklist, element, pick, start, value
from tests.support.databases import scalar, store_for, url_of
from tests.support.fake_slack import TEAM
from tests.support.harness import ADMIN, CHANNEL, START, USER, Harness


def replies(slack: Harness) -> list[dict[str, Any]]:
    """Thread replies that are nudges (reminders and escalations), accepted or not."""
    return [
        c.body
        for c in slack.fake.named("chat.postMessage")
        if "thread_ts" in c.body
        and ("reminder:" in c.body["text"] or "escalation:" in c.body["text"])
    ]


async def tick(slack: Harness, minutes: float, *bots: Partnerbot) -> None:
    """Set every app's clock to START + minutes and run what is due, as the scheduler would."""
    at = START + timedelta(minutes=minutes)
    slack.clock.set(at)
    for bot in bots:
        clock = bot.services.clock
        assert isinstance(clock, FixedClock)
        clock.set(at)
    await asyncio.gather(*(b.services.scheduler.run_due() for b in (slack.bot, *bots)))
    await slack.settle()


@pytest.fixture
async def stores(slack: Harness) -> AsyncIterator[list[Store]]:
    opened: list[Store] = []
    yield opened
    for store in opened:
        await store.close()


async def another_app(
    slack: Harness, minutes: float, stores: list[Store], **change: Any
) -> Partnerbot:
    """A second app with its own connections to the same database (a restart, or a replica)."""

    async def no_sleep(seconds: float) -> None:
        return None

    at = START + timedelta(minutes=minutes)
    store = store_for(url_of(slack.store))
    await store.open(at)
    stores.append(store)
    settings = slack.bot.services.settings.model_copy(update=change)
    return create_app(settings, store, FixedClock(at), sleep=no_sleep)


async def test_one_reminder_at_the_deadline_then_one_escalation_at_twice_it(
    slack: Harness,
) -> None:
    await start(slack)
    root_ts = slack.fake.named("chat.postMessage")[1].body["thread_ts"]
    await tick(slack, 29)
    assert replies(slack) == []

    await tick(slack, 31)
    [reminder] = replies(slack)
    assert reminder["thread_ts"] == root_ts and reminder["channel"] == CHANNEL
    assert f"<@{USER}>" in reminder["text"] and f"<@{USER}> *Backup list* was due" in json.dumps(
        reminder["blocks"]
    )
    await tick(slack, 32)
    await tick(slack, 59)
    assert len(replies(slack)) == 1

    await tick(slack, 61)
    escalation = replies(slack)[1]
    shown = json.dumps(escalation["blocks"])
    assert f"<@{ADMIN}>" in escalation["text"] and "twice its deadline" in shown
    assert f"owned by <@{USER}>" in shown and "PARTNERBOT_ADMINS" not in shown
    await tick(slack, 62)
    await tick(slack, 100)
    assert len(replies(slack)) == 2
    assert (
        await scalar(slack.store, "SELECT COUNT(*) FROM claims WHERE kind LIKE 'failover.%'") == 2
    )


async def test_a_step_done_before_its_deadline_gets_no_reminder(slack: Harness) -> None:
    await start(slack)
    await slack.click(FailoverAction.STEP_DONE, value(checklist(slack), FailoverAction.STEP_DONE))
    await tick(slack, 31)
    await tick(slack, 61)
    assert replies(slack) == []


async def test_reassigning_after_the_reminder_does_not_send_it_again(slack: Harness) -> None:
    await start(slack)
    await tick(slack, 31)
    block_id, _ = element(checklist(slack), FailoverAction.STEP_ASSIGN)
    await slack.interactive(pick(slack, block_id, OTHER))
    await tick(slack, 32)
    assert len(replies(slack)) == 1
    await tick(slack, 61)  # the escalation names the step's owner now
    assert f"owned by <@{OTHER}>" in json.dumps(replies(slack)[1]["blocks"])


async def test_after_a_downtime_one_message_the_escalation_accounts_for_both(
    slack: Harness,
) -> None:
    await start(slack)
    await tick(slack, 75)
    [escalation] = replies(slack)
    assert "escalation:" in escalation["text"]
    await tick(slack, 76)
    assert len(replies(slack)) == 1
    done = "SELECT COUNT(*) FROM claims WHERE kind LIKE 'failover.%' AND done_at IS NOT NULL"
    assert await scalar(slack.store, done) == 2


async def test_an_overdue_reminder_is_sent_once_when_the_bot_comes_back(
    slack: Harness, stores: list[Store]
) -> None:
    await start(slack)
    # Down from minute 20 to minute 45: the app that comes back sends it, once.
    back = await another_app(slack, 45, stores)
    await back.services.scheduler.run_due()
    await back.services.scheduler.run_due()
    await slack.settle()
    assert len(replies(slack)) == 1
    again = await another_app(slack, 46, stores)
    await again.services.scheduler.run_due()
    assert len(replies(slack)) == 1


async def test_two_apps_on_one_database_send_each_nudge_once(
    slack: Harness, stores: list[Store]
) -> None:
    await start(slack)
    other = await another_app(slack, 0, stores)
    for minute in (30, 31, 60, 61, 120, 121):
        await tick(slack, minute, other)
    kinds = [r["text"].split(":")[0].split()[-1] for r in replies(slack)]
    # Backup's reminder and escalation, then takeover's reminder at 2 h: each once.
    assert sorted(kinds) == ["escalation", "reminder", "reminder"]


async def test_a_reminder_refused_for_a_passing_reason_is_sent_on_the_next_pass_once(
    slack: Harness,
) -> None:
    await start(slack)
    slack.fake.refuse_next("chat.postMessage", "ratelimited")
    await tick(slack, 30)
    assert len(replies(slack)) == 1  # refused
    await tick(slack, 31)
    assert len(replies(slack)) == 2
    for minute in (32, 33, 40):
        await tick(slack, minute)
    assert len(replies(slack)) == 2
    first, second = replies(slack)
    assert first["blocks"] == second["blocks"]


async def test_a_reminder_keeps_failing_it_is_given_up_after_the_window(slack: Harness) -> None:
    await start(slack)
    slack.fake.refuse("chat.postMessage", "internal_error")
    for minute in range(30, 45):
        await tick(slack, minute)
    assert len(replies(slack)) == 6  # minute 30, then each pass until five minutes later
    failed = "SELECT error FROM claims WHERE kind = 'failover.reminder'"
    assert await scalar(slack.store, failed) == "internal_error"


async def test_a_thread_that_is_gone_is_recorded_and_not_retried(slack: Harness) -> None:
    await start(slack)
    slack.fake.refuse("chat.postMessage", "channel_not_found")
    for minute in (30, 31, 32, 40):
        await tick(slack, minute)
    assert len(replies(slack)) == 1
    recorded = "SELECT error FROM claims WHERE kind = 'failover.reminder' AND done_at IS NOT NULL"
    assert await scalar(slack.store, recorded) == "channel_not_found"


async def test_with_no_admins_the_escalation_goes_to_the_starter_saying_how_to_set_them(
    slack: Harness, stores: list[Store]
) -> None:
    await start(slack)
    await tick(slack, 31)
    alone = await another_app(slack, 61, stores, admins=frozenset())
    await alone.services.scheduler.run_due()
    await slack.settle()
    escalation = replies(slack)[1]
    shown = json.dumps(escalation["blocks"])
    assert f"<@{USER}>" in escalation["text"] and f"<@{ADMIN}>" not in shown
    assert "No admins are configured" in shown and "PARTNERBOT_ADMINS" in shown


async def test_close_is_not_nudged_while_verify_is_still_to_do(slack: Harness) -> None:
    await start(slack)
    [drill] = await failover.open_drills(slack.store, TEAM)
    for minute in (30, 120, 240, 24 * 60):  # each step's deadline in turn
        await tick(slack, minute)
    titles = [json.dumps(r["blocks"]) for r in replies(slack)]
    assert len(titles) == 7  # backup, takeover, comms, verify reminders; three escalations
    assert not any("*Close*" in t for t in titles)
    assert sum("*Verify migration*" in t for t in titles) == 1
    # Verify done: close, still to do past the shared deadline, gets its own reminder.
    actor = slack.bot.services.actor(USER)
    now = slack.clock.now()
    await failover.complete_step(slack.store, now, TEAM, actor, drill.id, StepKey.VERIFY)
    await tick(slack, 24 * 60 + 1)
    assert "*Close*" in json.dumps(replies(slack)[-1]["blocks"])


async def test_a_step_done_between_the_due_query_and_the_post_gets_no_reminder(
    slack: Harness,
) -> None:
    await start(slack)
    slack.clock.set(START + timedelta(minutes=31))
    [(item, plan)] = await due.nudge_plans(slack.store, slack.clock.now())
    await slack.click(FailoverAction.STEP_DONE, value(checklist(slack), FailoverAction.STEP_DONE))

    await send_nudge(slack.bot.services, item, plan)

    assert replies(slack) == []
    recorded = "SELECT error FROM claims WHERE kind = 'failover.reminder'"
    assert await scalar(slack.store, recorded) == "not sent: the step was handled first"
