"""A drill started over a large pool: the command is acked in time (the candidates are ranked
after the ack, before the checklist is posted, and the answer follows through response_url
when that takes longer than the ack's budget), the ranking weighs every peer's health off the
event loop, and a `/partner show` sent meanwhile is acked in time."""

from __future__ import annotations

import asyncio
import json
import time

import pytest

from bot.failover import service as failover
from bot.services import Services
from tests.e2e.test_health_load import seed_pool
from tests.support.fake_slack import TEAM
from tests.support.harness import Harness
from tests.support.loop_stalls import StallMonitor

PARTNERS = 10_000
WEEKS = 8
# Ranking on the loop held it about 0.9 s here, in a worker thread about 0.1 s.
STALL_LIMIT = 0.5


@pytest.mark.parametrize("engine", ["sqlite"])  # seeded through sqlite3, as the health load
async def test_ranking_a_large_pool_keeps_the_loop_free(slack: Harness) -> None:
    await asyncio.to_thread(seed_pool, slack.store.path, PARTNERS, WEEKS)
    slack.bot.services.ack_budget = Services.ack_budget
    monitor = StallMonitor()
    monitor.start()
    began = time.perf_counter()
    started = await slack.post(
        slack.command_body('"Partner 00001"', command="/failover"),
        "application/x-www-form-urlencoded",
    )
    acked = time.perf_counter() - began
    shown = await slack.post(
        slack.command_body('show "Partner 00042"'), "application/x-www-form-urlencoded"
    )
    await slack.settle()
    longest = await monitor.stop()

    answers = started.shown + json.dumps([c.body for c in slack.fake.named("respond")])
    assert "Failover drill started for *Partner 00001*" in answers, answers
    assert acked < 3 and "Partner 00042" in shown.shown
    [drill] = await failover.open_drills(slack.store, TEAM)
    assert len(drill.candidates) == 5 and drill.partner_id not in {
        c.partner_id for c in drill.candidates
    }
    [_, first_checklist] = [
        json.dumps(c.body["blocks"]) for c in slack.fake.named("chat.postMessage")
    ]
    assert first_checklist.count("Engage") == 5
    assert longest < STALL_LIMIT, f"the event loop stalled for {longest * 1000:.0f} ms"
