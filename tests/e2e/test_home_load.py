"""The Home tab of someone who owns a large pool, end to end: the event loop stays free, so
other requests are acked in time, and both publishes arrive."""

from __future__ import annotations

import asyncio
import json
import time

import pytest

from bot.services import Services
from tests.e2e.test_health_load import PARTNERS, STALL_LIMIT, WEEKS, seed_pool
from tests.support.harness import Harness
from tests.support.loop_stalls import StallMonitor


# SQLite's own load, as in test_health_load (the pool is seeded through sqlite3).
@pytest.mark.parametrize("engine", ["sqlite"])
async def test_the_home_of_an_owner_of_the_whole_pool_keeps_the_loop_free(
    slack: Harness,
) -> None:
    await asyncio.to_thread(seed_pool, slack.store.path, PARTNERS, WEEKS)  # all owned by U1
    slack.bot.services.ack_budget = Services.ack_budget
    event = {"type": "app_home_opened", "user": "U1", "channel": "D0123", "tab": "home"}
    opened = json.dumps(
        {
            "token": "gIkuvaNzQIHg97ATvDxqgjtO",
            "team_id": "T0001",
            "api_app_id": "A123456",
            "event": event,
            "type": "event_callback",
            "event_id": "Ev0LOADHOME",
            "event_time": 1730000000,
        }
    )
    show = slack.command_body('show "Partner 00042"')

    monitor = StallMonitor()
    monitor.start()
    home = await slack.post(opened, "application/json")
    began = time.perf_counter()
    card = await slack.post(show, "application/x-www-form-urlencoded")
    took = time.perf_counter() - began
    published = await slack.fake.wait_for("views.publish", 2, within=60)
    longest = await monitor.stop()
    await slack.settle()

    assert home.status == 200 and card.status == 200
    assert "Partner 00042" in card.shown and took < 3, round(took, 2)
    first, second = (json.dumps(p.body["view"], ensure_ascii=False) for p in published)
    assert "*Your partners* (10,000)" in first and "Working out the portfolio" in first
    assert "*Portfolio*: 10,000 partners" in second and "…and 9,985 more partners." in second
    assert longest < STALL_LIMIT, f"the event loop stalled for {longest * 1000:.0f} ms"
