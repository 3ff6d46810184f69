"""The composition root: what create_app wires that no request shows."""

from datetime import timedelta

from bot import claims
from tests.support.harness import START, Harness


async def test_old_claims_are_pruned_by_the_daily_job_when_it_comes_due(slack: Harness) -> None:
    scheduler = slack.bot.services.scheduler
    assert scheduler.names == ["claims.prune"]
    store, clock = slack.store, slack.clock
    await claims.claim(store, START - claims.KEEP - timedelta(days=1), "T1", "event", "old", "")
    await claims.claim(store, START, "T1", "event", "new", "")
    due = scheduler.next_run("claims.prune")
    assert due is not None and due > START

    clock.set(due - timedelta(seconds=1))
    assert await scheduler.run_due() == []
    clock.set(due)
    assert await scheduler.run_due() == ["claims.prune"]
    assert await claims.claim(store, START, "T1", "event", "old", "") is True  # forgotten
    assert await claims.claim(store, START, "T1", "event", "new", "") is False  # kept
