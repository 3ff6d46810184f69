"""The slow reports as production answers them (no wait for a report being computed): the
first `/score top`, `/health` or `/digest preview` of a version acks "Working on it" at once
and answers through the response_url; the same report asked again before any write is
answered in the ack; a write (a rating, a metric) makes the next one computed afresh."""

from __future__ import annotations

import json

from bot.services import Services
from handlers.reply import WORKING
from tests.e2e.test_score_commands import add, rate_all, record_roi
from tests.support.harness import Harness


def answered(slack: Harness) -> str:
    return json.dumps(slack.fake.named("respond")[-1].body, ensure_ascii=False)


async def test_slow_reports_ack_at_once_then_come_from_the_cache_until_a_write(
    slack: Harness,
) -> None:
    slack.bot.services.report_wait = Services.report_wait
    assert slack.bot.services.report_wait == 0
    await add(slack, "Acme Media")
    await rate_all(slack, "Acme Media", 80)

    first = await slack.command("top", command="/score")
    assert first.body["text"] == WORKING
    assert "Acme Media" in answered(slack)
    follow_ups = len(slack.fake.named("respond"))
    again = await slack.command("top", command="/score")
    assert "Acme Media" in again.shown and "Bolt" not in again.shown
    assert len(slack.fake.named("respond")) == follow_ups  # the answer was in the ack

    await add(slack, "Bolt")
    await rate_all(slack, "Bolt", 90)  # a write: the ranking's version moved on
    third = await slack.command("top", command="/score")
    assert third.body["text"] == WORKING
    ranking = answered(slack)
    assert ranking.index("Bolt") < ranking.index("Acme Media")

    for text, command, shown in (
        ("", "/health", "Partner health"),
        ("preview", "/digest", "digest"),
    ):
        fresh = await slack.command(text, command=command)
        assert fresh.body["text"] == WORKING, command
        assert shown in answered(slack), command
        kept = await slack.command(text, command=command)
        assert kept.body["text"] != WORKING and shown in kept.shown, command

    await record_roi(slack, "Bolt", 0.5, "2026-W46")  # a metric: the portfolio's version too
    after = await slack.command("", command="/health")
    assert after.body["text"] == WORKING
