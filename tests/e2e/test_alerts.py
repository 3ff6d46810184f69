"""Proactive alerts end to end (issue 10, item 4): metrics that turn a partner red post one
alert to each alert channel, with the owner mentioned and a health button; the same write
again, a retried request or a second process posts nothing more; a channel that is gone is
turned off and the person who recorded the metrics is told."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from zoneinfo import ZoneInfo

import aiohttp
import pytest

from bot.access import Actor
from bot.alerts import service as alerts
from bot.metrics import parse_period
from bot.registry.service import record_metrics
from handlers.alerts.jobs import send_alert
from handlers.ids import AlertsAction, FailoverAction
from tests.support.databases import url_of
from tests.support.fake_slack import Call
from tests.support.harness import USER, Harness, start_harness

TEAM = "T0001"
ALERTS = "C0ALERTS"
OWNER = "U0OWNER1"
NAME = "<!channel> Acme"
ZONE = ZoneInfo("Asia/Shanghai")


class Recorder:
    """A Report that keeps what it was told."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    async def __call__(self, sentence: str) -> None:
        self.calls.append(sentence)  # a partner name that must never mention anyone


@pytest.fixture
async def red_soon(slack: Harness) -> Harness:
    """An active partner owned by OWNER with sentiment 70 last week, alerts on in ALERTS."""
    await slack.command(f'add "{NAME}" status=active owner=<@{OWNER}|owner> tier=standard')
    await slack.command(f'metrics "{NAME}" sentiment=70 period=2026-W46', user=OWNER)
    await alerts.set_alerts(slack.store, slack.clock.now(), TEAM, Actor(USER), ALERTS, True)
    slack.fake.calls.clear()
    return slack


def alert_posts(slack: Harness) -> list[Call]:
    return [c for c in slack.fake.named("chat.postMessage") if c.body["channel"] == ALERTS]


async def test_metrics_that_turn_a_partner_red_post_one_alert(red_soon: Harness) -> None:
    slack = red_soon
    reply = await slack.command(f'metrics "{NAME}" sentiment=49 period=2026-W47', user=OWNER)
    assert reply.status == 200 and "sentiment" in reply.shown  # the answer is as before
    [post] = alert_posts(slack)
    shown = json.dumps(post.body, ensure_ascii=False)
    assert f"<@{OWNER}>" in shown
    assert "&lt;!channel&gt; Acme" in shown and "<!channel>" not in shown
    assert "2026-W47" in shown and "70" in shown and "49" in shown
    [button, start] = [
        e for b in post.body["blocks"] if b["type"] == "actions" for e in b["elements"]
    ]
    assert button["action_id"] == AlertsAction.HEALTH
    assert start["action_id"] == FailoverAction.START  # pressed in tests/e2e/test_drill_entry

    # The button shows the partner's health to whoever clicks it, alone.
    await slack.click(button["action_id"], button["value"], ephemeral=False)
    [health] = slack.fake.named("respond")
    assert health.body["response_type"] == "ephemeral"
    assert "is *red*" in json.dumps(health.body, ensure_ascii=False)


async def test_the_same_metrics_again_or_a_retried_request_post_nothing_more(
    red_soon: Harness,
) -> None:
    slack = red_soon
    text = f'metrics "{NAME}" sentiment=49 period=2026-W47'
    await slack.command(text, user=OWNER)
    assert len(alert_posts(slack)) == 1
    await slack.command(text, user=OWNER)  # the same again
    body = slack.command_body(text, user=OWNER)
    await slack.post(body, "application/x-www-form-urlencoded")  # the request once more
    await slack.settle()
    await slack.command(f'metrics "{NAME}" sentiment=45 period=2026-W47', user=OWNER)
    assert len(alert_posts(slack)) == 1
    # Red again in a new period: one more.
    await slack.command(f'metrics "{NAME}" sentiment=30 period=2026-W48', user=OWNER)
    assert len(alert_posts(slack)) == 2


async def test_a_fall_short_of_30_percent_posts_nothing(red_soon: Harness) -> None:
    await red_soon.command(f'metrics "{NAME}" sentiment=50 period=2026-W47', user=OWNER)
    assert alert_posts(red_soon) == []


@pytest.fixture
async def second(slack: Harness) -> AsyncIterator[Harness]:
    """A second app process on the same database, with the same fake Slack."""
    async with aiohttp.ClientSession() as session:
        harness, runner = await start_harness(url_of(slack.store), slack.fake, session)
        try:
            yield harness
        finally:
            await harness.settle()
            await runner.cleanup()
            await harness.store.close()


async def test_two_processes_on_one_database_post_an_alert_once(
    red_soon: Harness, second: Harness
) -> None:
    # Both processes saw the partner before a write, and both check after it, at once.
    now = red_soon.clock.now()
    seen = await alerts.watch(red_soon.store, now, ZONE, TEAM, NAME)
    assert seen is not None
    change = await record_metrics(
        red_soon.store, now, TEAM, Actor(OWNER), NAME, {"sentiment": 49}, parse_period("2026-W47")
    )
    partner_id, told = change.partner.id, Recorder()
    await asyncio.gather(
        *(send_alert(h.bot.services, TEAM, seen, partner_id, told) for h in (red_soon, second))
    )
    assert len(alert_posts(red_soon)) == 1
    assert told.calls == []


@pytest.mark.parametrize("code", ["channel_not_found", "is_archived"])
async def test_a_gone_channel_turns_its_alerts_off_and_the_recorder_is_told(
    red_soon: Harness, code: str
) -> None:
    slack = red_soon
    slack.fake.refuse_next("chat.postMessage", code)
    await slack.command(f'metrics "{NAME}" sentiment=49 period=2026-W47', user=OWNER)
    [told] = slack.fake.named("respond")
    assert told.body["response_type"] == "ephemeral"
    text = told.body["text"]
    assert "&lt;!channel&gt; Acme* turned red for 2026-W47" in text
    assert f"`{code}`" in text and f"Alerts for <#{ALERTS}> are now off" in text
    assert await alerts.alert_channels(slack.store, TEAM) == []


async def test_a_channel_partnerbot_is_not_in_is_reported_and_stays_on(red_soon: Harness) -> None:
    slack = red_soon
    slack.fake.refuse_next("chat.postMessage", "not_in_channel")
    await slack.command(f'metrics "{NAME}" sentiment=49 period=2026-W47', user=OWNER)
    [told] = slack.fake.named("respond")
    assert "`not_in_channel`" in told.body["text"] and "Invite partnerbot" in told.body["text"]
    assert [c.channel_id for c in await alerts.alert_channels(slack.store, TEAM)] == [ALERTS]
    async with slack.store.read() as tx:
        partner = await tx.partner_by_key(TEAM, "<!channel> acme")
        assert partner is not None
        state = await tx.claim_state(TEAM, alerts.ALERT, str(partner.id), "2026-W47")
    assert state is not None and state[0] and "not_in_channel" in (state[1] or "")
