"""A digest over a large pool, end to end: composing it keeps the event loop free."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from tests.e2e.test_health_load import STALL_LIMIT, seed_pool
from tests.support.harness import CHANNEL, Harness
from tests.support.loop_stalls import StallMonitor

PARTNERS = 10_000
WEEKS = 10


@pytest.mark.parametrize("engine", ["sqlite"])
async def test_a_scheduled_digest_of_a_large_pool_keeps_the_loop_free(slack: Harness) -> None:
    await asyncio.to_thread(seed_pool, slack.store.path, PARTNERS, WEEKS)
    await slack.command("schedule daily 09:00 tz=UTC", command="/digest")
    slack.clock.set(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    monitor = StallMonitor()
    monitor.start()
    for _ in range(2):  # the second compares against the first's snapshot
        await slack.bot.services.scheduler.run_due()
        slack.clock.advance(timedelta(days=1))
    longest = await monitor.stop()
    calls = slack.fake.named("chat.postMessage")
    posted = [c for c in calls if c.body["channel"] == CHANNEL and "thread_ts" not in c.body]
    assert len(posted) == 2  # each with its long lists in a thread reply
    assert longest < STALL_LIMIT, f"the loop was held for {longest:.2f} s"
