"""Alerts and drills' close summaries go out once, on both engines, through the fake Slack:
a post Slack refuses for a passing reason (an error reply, a 5xx) is posted again by the
held-posts job a minute later and then never again; a claim whose process died before it
posted is posted once its lease is over; two processes on one database post it once; a
summary still refused an hour after the close is given up, said in its thread and logged."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from bot import claims
from bot.access import Actor
from bot.alerts import service as alerts
from bot.clock import FixedClock
from bot.metrics import parse_period
from bot.registry.service import record_metrics
from handlers.alerts.views import build_alert
from handlers.failover.closing import SUMMARY
from handlers.held_posts import GIVE_UP
from tests.e2e.test_alerts import NAME, OWNER, TEAM, ZONE, alert_posts, red_soon, second
from tests.e2e.test_failover import start
from tests.e2e.test_failover_close import close_drill, summaries
from tests.support.harness import Harness

__all__ = ["red_soon", "second"]  # fixtures, used by name


async def tick(minutes: float, *harnesses: Harness) -> None:
    """Move every process's clock on and run what is due on all of them at once."""
    for harness in harnesses:
        clock = harness.bot.services.clock
        assert isinstance(clock, FixedClock)
        clock.set(clock.now() + timedelta(minutes=minutes))
    await asyncio.gather(*(h.bot.services.scheduler.run_due() for h in harnesses))
    for harness in harnesses:
        await harness.settle()


def refuse_posts(
    slack: Harness,
    monkeypatch: pytest.MonkeyPatch,
    refuse: Callable[[], None],
    times: int,
    which: Callable[[str, dict[str, Any]], bool],
) -> None:
    """Have the fake Slack refuse the next `times` posts which(channel, message) picks
    (refuse arms one refusal of the next chat.postMessage), and no other post."""
    outbox = slack.bot.services.outbox
    real = outbox.post
    left = [times]

    async def post(channel: str, message: dict[str, Any], **options: Any) -> Any:
        if which(channel, message) and left[0] > 0:
            left[0] -= 1
            refuse()
        return await real(channel, message, **options)

    monkeypatch.setattr(outbox, "post", post)


def summary(channel: str, message: dict[str, Any]) -> bool:
    return "Drill summary" in message.get("text", "")


async def alert_claim(slack: Harness) -> tuple[bool, str | None] | None:
    async with slack.store.read() as tx:
        partner = await tx.partner_by_key(TEAM, "<!channel> acme")
        assert partner is not None
        return await tx.claim_state(TEAM, alerts.ALERT, str(partner.id), "2026-W47")


@pytest.mark.parametrize("refusal", ["internal_error", 503])
async def test_an_alert_slack_refuses_goes_out_once_a_minute_later(
    red_soon: Harness, second: Harness, refusal: str | int
) -> None:
    slack = red_soon
    if isinstance(refusal, int):
        slack.fake.fail_next("chat.postMessage", refusal)
    else:
        slack.fake.refuse_next("chat.postMessage", refusal)
    await slack.command(f'metrics "{NAME}" sentiment=49 period=2026-W47', user=OWNER)
    assert len(alert_posts(slack)) == 1  # tried, refused
    [told] = slack.fake.named("respond")
    assert "will post the alert there again, once, when Slack takes it" in told.body["text"]
    assert await alert_claim(slack) == (False, f"C0ALERTS: {told_sentence(told.body['text'])}")

    await tick(1, slack, second)  # both processes' jobs at once: one posts it
    assert len(alert_posts(slack)) == 2
    assert await alert_claim(slack) == (True, None)
    for _ in range(3):
        await tick(claims.LEASE.total_seconds() / 60 + 1, slack, second)
    assert len(alert_posts(slack)) == 2


async def test_a_retry_posts_only_to_the_channel_that_refused(
    red_soon: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    slack = red_soon
    now = slack.clock.now()
    await alerts.set_alerts(slack.store, now, TEAM, Actor(OWNER), "C0OTHER", True)

    def other(channel: str, message: dict[str, Any]) -> bool:
        return channel == "C0OTHER"

    refuse_posts(
        slack, monkeypatch, lambda: slack.fake.fail_next("chat.postMessage", 500), 1, other
    )
    await slack.command(f'metrics "{NAME}" sentiment=49 period=2026-W47', user=OWNER)
    await tick(1, slack)
    await tick(claims.LEASE.total_seconds() / 60 + 1, slack)
    channels = [c.body["channel"] for c in slack.fake.named("chat.postMessage")]
    assert sorted(channels) == ["C0ALERTS", "C0OTHER", "C0OTHER"]  # C0OTHER: refused, then in
    assert await alert_claim(slack) == (True, None)


def told_sentence(text: str) -> str:
    """The outbox's sentence inside what the recorder was told."""
    return text.split(", but ", 1)[1].split(" partnerbot will post", 1)[0]


async def test_an_alert_whose_process_died_after_its_claim_is_posted_once_after_the_lease(
    red_soon: Harness, second: Harness
) -> None:
    slack = red_soon
    now = slack.clock.now()
    seen = await alerts.watch(slack.store, now, ZONE, TEAM, NAME)
    assert seen is not None
    change = await record_metrics(
        slack.store, now, TEAM, Actor(OWNER), NAME, {"sentiment": 49}, parse_period("2026-W47")
    )
    # Claimed, then the process is gone before posting.
    due = await alerts.due_alert(slack.store, now, ZONE, TEAM, seen, change.partner.id, build_alert)
    assert due is not None
    await tick(1, slack, second)
    assert alert_posts(slack) == []  # within its lease: its taker may still post it
    await tick(claims.LEASE.total_seconds() / 60, slack, second)
    [post] = alert_posts(slack)
    assert "2026-W47" in post.body["text"] or "2026-W47" in str(post.body["blocks"])
    assert await alert_claim(slack) == (True, None)
    await tick(claims.LEASE.total_seconds() / 60 + 1, slack, second)
    assert len(alert_posts(slack)) == 1


async def test_a_close_summary_refused_by_a_5xx_is_posted_once_on_the_next_pass(
    slack: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    await start(slack)
    # The client does not retry a 5xx (a post might have gone through).
    refuse_posts(
        slack, monkeypatch, lambda: slack.fake.fail_next("chat.postMessage", 502), 1, summary
    )
    await close_drill(slack)
    assert len(summaries(slack)) == 1  # tried, refused
    assert "post it in the drill's thread, once, when Slack takes it" in str(
        [c.body for c in slack.fake.named("respond")]
    )
    await tick(1, slack)
    [_, posted] = summaries(slack)
    assert posted["thread_ts"] == summaries(slack)[0]["thread_ts"]
    for _ in range(3):
        await tick(claims.LEASE.total_seconds() / 60 + 1, slack)
    assert len(summaries(slack)) == 2
    drill = await drill_id_closed(slack)
    async with slack.store.read() as tx:
        assert await tx.claim_state(TEAM, SUMMARY, str(drill[0]), str(drill[1])) == (True, None)


async def drill_id_closed(slack: Harness) -> tuple[int, int]:
    async with slack.store.read() as tx:
        [drill] = await tx.recent_failover_drills(TEAM, None, 1)
    return drill.id, drill.version


async def test_a_close_summary_refused_for_an_hour_is_given_up_and_said_in_its_thread(
    slack: Harness, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    await start(slack)
    minutes = int(GIVE_UP.total_seconds() // 60)

    def refusal() -> None:
        slack.fake.refuse_next("chat.postMessage", "internal_error")

    refuse_posts(slack, monkeypatch, refusal, minutes + 1, summary)
    await close_drill(slack)
    for _ in range(minutes - 1):  # refused on every pass within the hour
        await tick(1, slack)
    assert len(summaries(slack)) == minutes
    await tick(1, slack)  # the hour is over: given up
    assert len(summaries(slack)) == minutes + 1
    note = slack.fake.named("chat.postMessage")[-1].body
    assert "close summary could not be posted" in note["text"] and "internal_error" in note["text"]
    assert note["thread_ts"] == summaries(slack)[0]["thread_ts"]
    assert "given up, not posted" in caplog.text
    await tick(claims.LEASE.total_seconds() / 60 + 1, slack)
    assert len(summaries(slack)) == minutes + 1
    drill = await drill_id_closed(slack)
    async with slack.store.read() as tx:
        state = await tx.claim_state(TEAM, SUMMARY, str(drill[0]), str(drill[1]))
    assert state is not None and state[0] and "internal_error" in (state[1] or "")
