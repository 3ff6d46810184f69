"""Where the failover drill's parts meet, end to end on both engines: what a review found
wrong when they were joined (each test failed then), kept so it stays right."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest

from bot.failover import kit
from bot.failover.rules import GmvSource
from handlers.ids import FailoverAction
from tests.e2e import test_failover as plain
from tests.e2e.test_failover_close import close_drill, summaries
from tests.e2e.test_failover_kit import (
    buttons,
    checklist,
    chinese,  # noqa: F401  (the zh harness fixture)
    start,
    value,
)
from tests.e2e.test_failover_kit import posts as channel_posts
from tests.e2e.test_failover_reminders import replies, tick
from tests.support.fake_slack import TEAM
from tests.support.harness import ADMIN, START, Harness

BIG = 2**63  # one past the largest 64-bit integer: no drill id can be it


async def the_drill(slack: Harness) -> Any:
    async with slack.store.read() as tx:
        [drill] = await tx.recent_failover_drills(TEAM, None, 1)
    return drill


async def test_engage_instead_does_not_keep_an_impact_computed_for_the_previous_backup(
    slack: Harness,
) -> None:
    """Engage Best, Compute from metrics (Best's GMV), then Engage instead Zed: the impact
    computed from Best's metrics does not stay on a drill whose backup is now Zed."""
    await start(slack)
    await slack.click(FailoverAction.ENGAGE, value(checklist(slack), FailoverAction.ENGAGE, 1))
    for text in (
        "metrics Acme gmv=100000 period=2026-W45",
        "metrics Acme gmv=100000 period=2026-W46",
        "metrics Best gmv=20000 period=2026-W45",
        "metrics Best gmv=20000 period=2026-W46",
        "metrics Best gmv=112000 period=2026-W47",
    ):
        await slack.command(text, user=ADMIN)
    await slack.click(
        FailoverAction.GMV_COMPUTE, value(checklist(slack), FailoverAction.GMV_COMPUTE)
    )
    computed = await the_drill(slack)
    assert computed.gmv is not None and computed.gmv.source is GmvSource.METRICS
    assert computed.backup.name == "Best"

    await slack.click(FailoverAction.ENGAGE, value(checklist(slack), FailoverAction.ENGAGE, 0))

    after = await the_drill(slack)
    assert after.backup.name == "Zed"
    # Best's -8% is shown (checklist, summary, cards, digests) as the impact of moving to Zed.
    assert after.gmv is None or after.gmv.source is not GmvSource.METRICS, after.gmv


async def test_a_drill_reopened_long_after_its_deadline_does_not_escalate_at_once(
    slack: Harness,
) -> None:
    """Closed on time, reopened 50 hours after the start: Close is due again a day after the
    reopening, so no reminder or escalation goes out a minute later."""
    await plain.start(slack)
    await close_drill(slack)
    reopen = value(summaries(slack)[0], FailoverAction.REOPEN)
    slack.clock.set(START + timedelta(hours=50))
    await slack.click(FailoverAction.REOPEN, reopen, ephemeral=False)

    await tick(slack, 50 * 60 + 1)

    assert [r["text"] for r in replies(slack)] == []


async def test_a_forged_drill_id_on_a_form_button_is_answered(slack: Harness) -> None:
    """Tick off, Record sending and Enter GMV impact with a drill id no database can hold
    are answered once each, as every other drill button is, and open no form."""
    await start(slack)
    for action, payload in (
        (FailoverAction.TICK_MEASURE, {"drill_id": BIG, "measure": "feed_ads", "version": 1}),
        (FailoverAction.RECORD_SENDING, {"drill_id": BIG, "version": 1}),
        (FailoverAction.GMV_ENTER, {"drill_id": BIG, "version": 1}),
    ):
        before = len(slack.fake.named("respond"))
        reply = await slack.click(action, json.dumps(payload))
        assert reply.status == 200
        answered = slack.fake.named("respond")[before:]
        assert len(answered) == 1, f"{action} was not answered"
    assert slack.fake.named("views.open") == []


async def test_a_rank_again_whose_redraw_was_refused_is_drawn_by_the_next_pass(
    slack: Harness,
) -> None:
    """Rank again moves the drill's version, so when its chat.update is refused the next
    failover.due pass draws the ranked list in place of 'No partner can take over'."""
    await plain.start(slack)  # Acme alone in its category: no candidate
    assert "No partner can take over" in json.dumps(plain.checklist(slack)["blocks"])
    await slack.command("add Zed status=active tier=standard")
    await slack.command("set Acme backups=Zed")
    again = value(checklist(slack), FailoverAction.RANK_AGAIN)
    slack.fake.refuse_next("chat.update", "ratelimited")
    await slack.click(FailoverAction.RANK_AGAIN, again, ephemeral=False)
    assert [c.name for c in (await the_drill(slack)).candidates] == ["Zed"]

    await tick(slack, 1)
    await tick(slack, 2)

    drawn = [
        c.body
        for c in slack.fake.named("chat.update")
        if "Checklist" in json.dumps(c.body["blocks"]) and buttons(c.body, FailoverAction.ENGAGE)
    ]
    assert len(drawn) == 2, "the refused draw of the new candidates was never drawn again"


class LateWriter:
    """A store whose writes wait for `go`: a replica slow between its read and its write."""

    def __init__(self, store: Any) -> None:
        self._store = store
        self.go = asyncio.Event()
        self.waiting = asyncio.Event()  # set once it has read and is about to write

    def read(self, *, snapshot: bool = True) -> Any:
        return self._store.read(snapshot=snapshot)

    @contextlib.asynccontextmanager
    async def write(self) -> AsyncIterator[Any]:
        self.waiting.set()
        await self.go.wait()
        async with self._store.write() as tx:
            yield tx


async def test_a_late_rank_again_does_not_replace_a_list_ranked_and_engaged_meanwhile(
    slack: Harness,
) -> None:
    """Two Rank again (two replicas): the slow one read the pool before the backup was
    registered; its write finds the list ranked by the other (with a backup engaged from it)
    and keeps it."""
    await plain.start(slack)
    drill = await the_drill(slack)
    late = LateWriter(slack.store)
    slow = asyncio.ensure_future(
        kit.rank_candidates(
            late,  # type: ignore[arg-type]
            START,
            slack.bot.services.settings.zone,
            TEAM,
            drill.id,
            again=True,
        )
    )
    await late.waiting.wait()  # it has read the drill and the pool: no backup yet
    await slack.command("add Zed status=active tier=standard")
    await slack.command("set Acme backups=Zed")
    await slack.click(FailoverAction.RANK_AGAIN, value(checklist(slack), FailoverAction.RANK_AGAIN))
    await slack.click(FailoverAction.ENGAGE, value(checklist(slack), FailoverAction.ENGAGE))
    assert (await the_drill(slack)).backup.name == "Zed"

    late.go.set()
    await slow

    after = await the_drill(slack)
    assert [c.name for c in after.candidates] == ["Zed"]


async def test_engage_mentions_the_backups_owner_now_not_the_one_at_the_ranking(
    slack: Harness,
) -> None:
    """A candidate's owner is read as it is now, like its name and status: a backup whose
    owner changed since the ranking is shown with, and Engage mentions, the new owner."""
    await start(slack)
    changed = await slack.command("set Best owner=<@U0NEWOWNER|new>", user=ADMIN)
    assert "Updated" in changed.shown, changed.shown

    await slack.click(FailoverAction.ENGAGE, value(checklist(slack), FailoverAction.ENGAGE, 1))

    [reply] = [p for p in plain.posts(slack) if "engaged *Best*" in p["text"]]
    assert "<@U0NEWOWNER>" in reply["text"] and "<@U0BEST>" not in reply["text"]


async def test_a_chinese_workspaces_drill_whose_ranking_failed_still_drafts_in_chinese(
    chinese: Harness,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A drill keeps the language it started with: while a failed ranking waits for its
    retry, a zh workspace's checklist drafts the users' message in Chinese."""

    async def failing(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the pool could not be read")

    monkeypatch.setattr(kit, "rank_candidates", failing)
    await start(chinese)

    first = json.dumps(channel_posts(chinese)[1]["blocks"], ensure_ascii=False)
    assert "【服务升级公告】" in first and "Service upgrade" not in first


async def test_auto_start_also_follows_a_drop_made_with_set_status(slack: Harness) -> None:
    """`/partner set NAME status=dropped` drops a core partner as `/partner drop` does, and
    so starts its drill with auto-start on (or offers the Start button when it is off)."""
    await slack.command("auto on", command="/failover", user=ADMIN)
    await slack.command("add Acme status=active tier=core")

    dropped = await slack.command("set Acme status=dropped")

    assert "dropped" in dropped.shown
    roots = [p for p in plain.posts(slack) if "Failover drill:" in p["text"]]
    assert len(roots) == 1, "no drill was started"

    await slack.command("auto off", command="/failover", user=ADMIN)
    await slack.command("add Beta status=active tier=strategic")
    offered = await slack.command("set Beta status=dropped")
    assert FailoverAction.START.value in offered.shown
    assert len([p for p in plain.posts(slack) if "Failover drill:" in p["text"]]) == 1
