"""A drill drawn again from stored state, end to end on both engines: the version drawn is
recorded when the checklist and root both land; a deleted checklist is posted again in the
thread (once, even when two apps notice at once) and later transitions update the new one;
an update Slack refuses is drawn by the next failover.due pass, a closed drill's final
render too; the root shows the time since start with Slack's {ago}."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest

from bot.failover import service as failover
from bot.failover.rules import Drill, StepKey
from bot.ports import Store
from handlers.failover.render import repost_checklist
from handlers.ids import FailoverAction
from tests.e2e.test_failover import checklist, posts, start, value
from tests.e2e.test_failover_reminders import another_app, tick
from tests.support.databases import scalar
from tests.support.fake_slack import TEAM
from tests.support.harness import CHANNEL, START, USER, Harness


@pytest.fixture
async def stores(slack: Harness) -> AsyncIterator[list[Store]]:
    opened: list[Store] = []
    yield opened
    for store in opened:
        await store.close()


async def drill_of(slack: Harness) -> Drill:
    async with slack.store.read() as tx:
        [drill] = await tx.recent_failover_drills(TEAM, None, 1)
    return drill


def updates_of(slack: Harness, ts: str) -> list[dict[str, Any]]:
    return [c.body for c in slack.fake.named("chat.update") if c.body["ts"] == ts]


async def done_first_step(slack: Harness) -> None:
    await slack.click(FailoverAction.STEP_DONE, value(checklist(slack), FailoverAction.STEP_DONE))


async def test_a_start_and_a_transition_record_the_version_drawn(slack: Harness) -> None:
    await start(slack)
    drill = await drill_of(slack)
    assert (drill.version, drill.rendered_version) == (1, 1)
    await done_first_step(slack)
    drill = await drill_of(slack)
    assert (drill.version, drill.rendered_version) == (2, 2)
    await tick(slack, 1)
    assert len(slack.fake.named("chat.update")) == 2  # the transition's own two, no redraw


async def test_a_deleted_checklist_is_posted_again_and_later_transitions_update_it(
    slack: Harness,
) -> None:
    await start(slack)
    old = await drill_of(slack)
    slack.fake.refuse_next("chat.update", "message_not_found")

    await done_first_step(slack)

    again = [p for p in posts(slack)[2:] if "Checklist" in json.dumps(p["blocks"])]
    assert len(again) == 1 and again[0]["thread_ts"] == old.root_ts
    assert f"done by <@{USER}>" in json.dumps(again[0]["blocks"])
    drill = await drill_of(slack)
    assert drill.checklist_ts not in (None, old.checklist_ts)
    assert drill.rendered_version == drill.version == 2

    await slack.click(FailoverAction.STEP_DONE, value(again[0], FailoverAction.STEP_DONE))
    [updated] = updates_of(slack, str(drill.checklist_ts))
    assert "Transitional traffic takeover" in json.dumps(updated["blocks"])
    assert len(updates_of(slack, str(old.checklist_ts))) == 1  # the refused one only
    await tick(slack, 1)
    assert len([p for p in posts(slack) if "Checklist" in json.dumps(p["blocks"])]) == 2


async def test_two_apps_noticing_a_deleted_checklist_at_once_post_it_once(
    slack: Harness, stores: list[Store]
) -> None:
    await start(slack)
    other = await another_app(slack, 0, stores)
    drill = await drill_of(slack)

    first, second = await asyncio.gather(
        repost_checklist(slack.bot.services, drill, None),
        repost_checklist(other.services, drill, None),
    )

    assert sorted([first.ok, second.ok]) == [False, True]
    reposted = [p for p in posts(slack)[2:] if "Checklist" in json.dumps(p["blocks"])]
    assert len(reposted) == 1
    assert (await drill_of(slack)).checklist_ts == (first if first.ok else second).ts


async def test_a_refused_update_is_drawn_by_the_next_pass(slack: Harness) -> None:
    await start(slack)
    slack.fake.refuse_next("chat.update", "ratelimited")
    await done_first_step(slack)
    drill = await drill_of(slack)
    assert (drill.version, drill.rendered_version) == (2, 1)
    assert "rate-limiting partnerbot" in json.dumps([c.body for c in slack.fake.named("respond")])

    await tick(slack, 1)

    drill = await drill_of(slack)
    assert drill.rendered_version == 2
    [_, redrawn] = updates_of(slack, str(drill.checklist_ts))
    assert f"done by <@{USER}>" in json.dumps(redrawn["blocks"])
    assert len(updates_of(slack, str(drill.root_ts))) == 2
    calls = len(slack.fake.named("chat.update"))
    await tick(slack, 2)
    assert len(slack.fake.named("chat.update")) == calls


async def test_a_closed_drills_final_render_is_drawn_by_the_next_pass(slack: Harness) -> None:
    await start(slack)
    drill = await drill_of(slack)
    actor = slack.bot.services.actor(USER)
    slack.fake.refuse("chat.update", "ratelimited")
    for key in StepKey:  # without Slack: as if every update had been refused
        await failover.complete_step(slack.store, slack.clock.now(), TEAM, actor, drill.id, key)
    await tick(slack, 1)
    assert (await drill_of(slack)).rendered_version == 1  # refused again: retried later
    slack.fake.accept("chat.update")

    await tick(slack, 2)

    closed = await drill_of(slack)
    assert closed.rendered_version == closed.version == 6
    final = updates_of(slack, str(closed.checklist_ts))[-1]
    assert "Closed <!date^" in json.dumps(final["blocks"])
    assert not [b for b in final["blocks"] if b["type"] == "actions"]


async def test_a_drill_whose_channel_is_gone_is_not_redrawn_forever(slack: Harness) -> None:
    await start(slack)
    slack.fake.refuse("chat.update", "channel_not_found")
    await done_first_step(slack)
    calls = len(slack.fake.named("chat.update"))
    for minute in (1, 2, 3, 10):
        await tick(slack, minute)
    assert len(slack.fake.named("chat.update")) == calls + 2  # one pass: checklist and root
    recorded = "SELECT error FROM claims WHERE kind = 'failover.redraw' AND done_at IS NOT NULL"
    assert await scalar(slack.store, recorded) == "channel_not_found"


async def test_a_checklist_never_posted_is_posted_by_the_job(slack: Harness) -> None:
    await start(slack)
    drill = await drill_of(slack)
    # As if the checklist's post had failed at the start, and a step was done since.
    await failover.attach_messages(slack.store, TEAM, drill.id, drill.root_ts, None)
    actor = slack.bot.services.actor(USER)
    await failover.complete_step(slack.store, START, TEAM, actor, drill.id, StepKey.BACKUP)

    await tick(slack, 1)

    [reposted] = [p for p in posts(slack)[2:] if "Checklist" in json.dumps(p["blocks"])]
    assert reposted["thread_ts"] == drill.root_ts
    after = await drill_of(slack)
    assert after.checklist_ts is not None and after.rendered_version == 2


async def test_the_root_shows_the_time_since_start_kept_current_by_slack(slack: Harness) -> None:
    await start(slack)
    root = posts(slack)[0]
    since = int(slack.clock.now().timestamp())
    assert f"*Time since start:* <!date^{since}^{{ago}}|0 min ago>" in json.dumps(root["blocks"])
    assert root["channel"] == CHANNEL
    slack.clock.advance(timedelta(minutes=7))
    await done_first_step(slack)
    drill = await drill_of(slack)
    [redrawn] = updates_of(slack, str(drill.root_ts))
    assert f"<!date^{since}^{{ago}}|7 min ago>" in json.dumps(redrawn["blocks"])
