"""Steps 1 to 3 of a drill end to end on both engines, driven by block_actions and
view_submission payloads shaped as Slack sends them: the candidates ranked after the start
with Engage, Engage (the owner mentioned, Backup list done, the draft naming the backup), two
Engage clicks at once, stale and forged Engage buttons, a measure's note form, Record sending,
and the checklist within Slack's limits at its fullest."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.failover import due, kit
from bot.failover import service as failover
from bot.failover.content import Measure
from bot.failover.rules import MAX_NOTE, Drill, StepState
from bot.failover.steps import MAX_WHERE
from handlers.blocks import MAX_SECTION_TEXT
from handlers.buttons import STALE
from handlers.ids import FailoverAction, FailoverView
from tests.support.databases import database_url
from tests.support.fake_slack import TEAM, FakeSlack
from tests.support.harness import ADMIN, CHANNEL, USER, Harness, start_harness

OTHER = "U0OTHER01"
DIMENSIONS = ("brand", "users", "channel", "audience", "traffic", "tone")


def posts(slack: Harness) -> list[dict[str, Any]]:
    """What was posted in the drill's channel (owners' DMs left out)."""
    return [c.body for c in slack.fake.named("chat.postMessage") if c.body["channel"] == CHANNEL]


def responses(slack: Harness) -> str:
    return json.dumps([c.body for c in slack.fake.named("respond")], ensure_ascii=False)


def checklist(slack: Harness) -> dict[str, Any]:
    """The checklist as last drawn: the latest update, else the thread's first post."""
    updates = [c.body for c in slack.fake.named("chat.update")]
    shown = [u for u in updates if "Checklist" in json.dumps(u["blocks"])]
    return shown[-1] if shown else posts(slack)[1]


def shown(message: dict[str, Any]) -> str:
    return json.dumps(message["blocks"], ensure_ascii=False)


def buttons(message: dict[str, Any], action_id: str) -> list[dict[str, Any]]:
    """The buttons with action_id, beside a section (accessory) or in an actions block."""
    found = []
    for block in message["blocks"]:
        elements = [block.get("accessory") or {}, *block.get("elements", [])]
        found += [e for e in elements if e.get("action_id") == action_id]
    return found


def value(message: dict[str, Any], action_id: str, nth: int = 0) -> str:
    return str(buttons(message, action_id)[nth]["value"])


async def add(slack: Harness, name: str, owner: str, extra: str = "") -> None:
    text = f'add "{name}" category=KOL tier=standard status=active owner=<@{owner}|x> {extra}'
    reply = await slack.command(text)
    assert "Added" in reply.shown, reply.shown


async def rate(slack: Harness, name: str, value: float) -> None:
    text = " ".join(f"{d}={value}" for d in DIMENSIONS)
    reply = await slack.command(f'"{name}" {text}', command="/score", user=ADMIN)
    assert "Last rated" in reply.shown, reply.shown


async def drill_of(slack: Harness) -> Drill:
    [drill] = await failover.open_drills(slack.store, TEAM)
    return drill


async def start(slack: Harness) -> None:
    """Acme (core) with its registered backup Zed; KOL peers Best (90) and <!channel> (80)."""
    await add(slack, "Zed", "U0ZED")
    await add(slack, "Best", "U0BEST")
    await add(slack, "<!channel>", "U0CHAN")
    await rate(slack, "Best", 90)
    await rate(slack, "<!channel>", 80)
    await slack.command("add Acme category=KOL tier=core status=active backups=Zed")
    await slack.command("Acme walked out", command="/failover")


async def test_the_checklist_shows_the_ranked_candidates_with_engage(slack: Harness) -> None:
    await start(slack)
    # Ranked after the ack and before the checklist is posted: the first one lists them.
    drawn = posts(slack)[1]
    assert "Ranking the backup candidates" not in shown(drawn)
    assert len(posts(slack)) == 2 and slack.fake.named("chat.update") == []
    text = shown(drawn)
    assert "*1. Zed* (registered backup)\\nnot scored" in text and "owner <@U0ZED>" in text
    assert "*2. Best*\\nfit score 90.0" in text and "*3. &lt;!channel&gt;*" in text
    assert "<!channel>" not in text
    engage = [json.loads(b["value"]) for b in buttons(drawn, FailoverAction.ENGAGE)]
    assert [e["partner_id"] for e in engage] == [1, 2, 3] and engage[0]["version"] == 1
    [drill] = await failover.open_drills(slack.store, TEAM)
    assert [c.name for c in drill.candidates] == ["Zed", "Best", "<!channel>"]
    assert drill.version == 1  # no transition: redrawn from the stored snapshot


async def test_engage_sets_the_backup_and_mentions_its_owner(slack: Harness) -> None:
    await start(slack)
    root_ts = posts(slack)[1]["thread_ts"]
    await slack.click(FailoverAction.ENGAGE, value(checklist(slack), FailoverAction.ENGAGE, 1))

    reply = posts(slack)[2]
    assert reply["thread_ts"] == root_ts
    assert "engaged *Best* as the backup" in reply["text"] and "<@U0BEST>" in reply["text"]
    drill = await drill_of(slack)
    assert drill.backup is not None and drill.backup.name == "Best"
    assert drill.steps[0].state is StepState.DONE and drill.version == 2
    text = shown(checklist(slack))
    assert "Backup engaged:* *Best*" in text and "done by <@" in text
    assert "Best takes over the offers and services you have been getting through Acme" in text
    assert "Engage instead" in text


async def test_the_draft_is_neutral_before_a_backup_and_in_the_workspaces_language(
    slack: Harness,
) -> None:
    await start(slack)
    text = shown(checklist(slack))
    assert "```\\nService upgrade" in text and "getting through Acme" in text
    assert "A neutral wording until a backup is engaged" in text
    assert "takes over" not in text


@pytest.fixture
async def chinese(fake_slack: FakeSlack, tmp_path: Path, engine: str) -> AsyncIterator[Harness]:
    """The app with PARTNERBOT_LANGUAGE=zh."""
    async with (
        database_url(engine, tmp_path, "zh.db") as url,
        aiohttp.ClientSession() as session,
    ):
        harness, runner = await start_harness(url, fake_slack, session, language="zh")
        try:
            yield harness
        finally:
            await harness.settle()
            await runner.cleanup()
            await harness.store.close()


async def test_a_chinese_workspace_gets_its_draft_in_chinese(chinese: Harness) -> None:
    await start(chinese)
    assert "原由Acme提供的优惠与服务进行升级" in shown(checklist(chinese))
    await chinese.click(FailoverAction.ENGAGE, value(checklist(chinese), FailoverAction.ENGAGE))
    text = shown(checklist(chinese))
    assert "【服务升级公告】" in text and "原由Acme提供的优惠与服务将由Zed承接" in text
    assert "Backup engaged" in text  # the checklist itself stays in English


async def test_engaging_a_partner_named_like_a_mention_mentions_only_its_owner(
    slack: Harness,
) -> None:
    await start(slack)
    await slack.click(FailoverAction.ENGAGE, value(checklist(slack), FailoverAction.ENGAGE, 2))
    reply = posts(slack)[2]["text"]
    assert "engaged *&lt;!channel&gt;* as the backup" in reply and "<@U0CHAN>" in reply
    assert "<!channel>" not in json.dumps(posts(slack)[2:]) + shown(checklist(slack))


async def test_two_engage_clicks_at_once_make_one_transition(slack: Harness) -> None:
    await start(slack)
    engage = value(checklist(slack), FailoverAction.ENGAGE)
    await asyncio.gather(
        slack.click(FailoverAction.ENGAGE, engage, ephemeral=False),
        slack.click(FailoverAction.ENGAGE, engage, user=OTHER, ephemeral=False),
    )
    await slack.settle()
    assert len([p for p in posts(slack) if "engaged *Zed*" in p["text"]]) == 1
    assert "*Zed* is engaged as the backup already, by <@" in responses(slack)
    drill = await drill_of(slack)
    assert drill.version == 2 and len(await failover.timeline(slack.store, TEAM, drill.id)) == 2


async def test_stale_and_forged_engage_buttons_change_nothing(slack: Harness) -> None:
    await start(slack)
    first = checklist(slack)
    await slack.click(FailoverAction.ENGAGE, value(first, FailoverAction.ENGAGE, 0))
    # Engage on Best from the checklist drawn before Zed was engaged: refused, Zed stays.
    await slack.click(FailoverAction.ENGAGE, value(first, FailoverAction.ENGAGE, 1), user=OTHER)
    assert "*Zed* was engaged by <@" in responses(slack)
    assert "after this checklist was drawn" in responses(slack)
    # Best archived since the ranking: refused with why, from the current checklist too.
    await slack.command("archive Best", user=ADMIN)
    best_now = value(checklist(slack), FailoverAction.ENGAGE, 0)
    assert json.loads(best_now)["partner_id"] == 2
    await slack.click(FailoverAction.ENGAGE, best_now)
    assert "Best was archived since the candidates were ranked" in responses(slack)
    # A partner that was never a candidate, and a value that does not unpack.
    forged = json.dumps({"drill_id": 1, "partner_id": 99, "version": 1})
    await slack.click(FailoverAction.ENGAGE, forged)
    assert "no longer exists" in responses(slack)
    acme = json.dumps({"drill_id": 1, "partner_id": 4, "version": 1, "seen": 1})
    await slack.click(FailoverAction.ENGAGE, acme)
    assert "not among this drill's backup candidates" in responses(slack)
    await slack.click(FailoverAction.ENGAGE, '{"drill_id": 1, "partner_id": "x"}')
    assert STALE[:30] in responses(slack)
    drill = await drill_of(slack)
    assert drill.backup is not None and drill.backup.name == "Zed" and drill.version == 2


async def test_an_empty_candidate_list_says_what_to_do(slack: Harness) -> None:
    await slack.command('add "Lone Star" category=MCN tier=core status=active')
    await slack.command('"Lone Star"', command="/failover")
    text = shown(checklist(slack))
    assert "No partner can take over from *Lone Star*" in text
    assert '`/partner set \\"Lone Star\\" backups=NAME,NAME`' in text
    assert not buttons(checklist(slack), FailoverAction.ENGAGE)

    # Backups registered since, then Rank again: the list is ranked anew, once.
    await add(slack, "Zed", "U0ZED")  # a KOL: a registered backup of any category counts
    await slack.command('set "Lone Star" backups=Zed')
    again = value(checklist(slack), FailoverAction.RANK_AGAIN)
    await slack.click(FailoverAction.RANK_AGAIN, again)
    assert "Ranked again: 1 candidate" in responses(slack)
    drawn = checklist(slack)
    assert "*1. Zed* (registered backup)" in shown(drawn) and buttons(drawn, FailoverAction.ENGAGE)
    assert not buttons(drawn, FailoverAction.RANK_AGAIN)
    await slack.click(FailoverAction.RANK_AGAIN, again)
    assert "ranked already" in responses(slack)
    assert [c.name for c in (await drill_of(slack)).candidates] == ["Zed"]


def note(text: str | None) -> dict[str, Any]:
    typed: dict[str, Any] = {"type": "plain_text_input"}
    if text is not None:
        typed["value"] = text
    return {"note": {"value": typed}}


async def open_form(slack: Harness, action_id: str, nth: int = 0) -> dict[str, Any]:
    before = len(slack.fake.named("views.open"))
    await slack.click(action_id, value(checklist(slack), action_id, nth), ephemeral=False)
    opened = slack.fake.named("views.open")
    assert len(opened) == before + 1
    return dict(opened[-1].body["view"])


async def test_a_measure_is_ticked_with_its_note_through_its_form(slack: Harness) -> None:
    await start(slack)
    view = await open_form(slack, FailoverAction.TICK_MEASURE, 2)  # other
    assert view["callback_id"] == FailoverView.MEASURE_SUBMIT

    empty = await slack.submit(view, note("  "))
    assert empty.body["response_action"] == "errors"
    assert "Say what the other measure is" in empty.body["errors"]["note"]
    bell = await slack.submit(view, note("ads\x07"))
    assert "control character" in bell.body["errors"]["note"]
    long = await slack.submit(view, note("x" * (MAX_NOTE + 1)))
    assert f"keep it to {MAX_NOTE}" in long.body["errors"]["note"]
    assert len(posts(slack)) == 2

    saved = await slack.submit(view, note("search ads <b>50k</b>"))
    assert saved.status == 200 and saved.body.get("response_action") is None
    assert "ticked off Other: search ads &lt;b&gt;50k&lt;/b&gt;" in posts(slack)[2]["text"]
    text = shown(checklist(slack))
    assert ":ballot_box_with_check: *Other*: search ads &lt;b&gt;50k&lt;/b&gt;" in text
    assert "Edit note" in text
    # The same form again: opened before the tick, so it cannot write over it.
    again = await slack.submit(view, note("mine"), user=OTHER)
    assert again.body["response_action"] == "update"
    assert "was changed by <@" in json.dumps(again.body["view"])

    # Edit note opens prefilled and replaces the note.
    edit = await open_form(slack, FailoverAction.TICK_MEASURE, 2)
    assert "search ads <b>50k</b>" in json.dumps(edit["blocks"])
    await slack.submit(edit, note("search ads 80k"), user=OTHER)
    assert "Other (note changed): search ads 80k" in posts(slack)[-1]["text"]
    drill = await drill_of(slack)
    assert [(t.measure, t.note, t.by) for t in drill.measures] == [
        (Measure.OTHER, "search ads 80k", OTHER)
    ]


async def test_record_sending_asks_where_and_shows_who_sent_it_where(slack: Harness) -> None:
    await start(slack)
    view = await open_form(slack, FailoverAction.RECORD_SENDING)
    assert view["callback_id"] == FailoverView.SENDING_SUBMIT
    where = {"where": {"value": {"type": "plain_text_input"}}}
    empty = await slack.submit(view, where)
    assert "Say where" in empty.body["errors"]["where"]
    for bad, said in (("push\x00", "control character"), ("x" * 201, "keep it to 200")):
        where["where"]["value"]["value"] = bad
        refused = await slack.submit(view, where)
        assert said in refused.body["errors"]["where"]
    assert len(posts(slack)) == 2

    where["where"]["value"]["value"] = "app push, #announcements"
    await slack.submit(view, where)
    assert "sent the message to users: app push, #announcements" in posts(slack)[2]["text"]
    text = shown(checklist(slack))
    assert ":outbox_tray: app push, #announcements, by <@" in text
    drill = await drill_of(slack)
    assert [s.where for s in drill.sendings] == ["app push, #announcements"]


async def test_the_fullest_checklist_stays_within_slacks_limits(slack: Harness) -> None:
    for n in range(7):
        await add(slack, f"{'名' * 70}{n}", f"U0PEER{n}")
        await rate(slack, f"{'名' * 70}{n}", 70 + n)
    await slack.command("add Acme category=KOL tier=core status=active")
    await slack.command("Acme", command="/failover")
    await slack.click(FailoverAction.ENGAGE, value(checklist(slack), FailoverAction.ENGAGE, 4))
    for nth in range(3):
        view = await open_form(slack, FailoverAction.TICK_MEASURE, nth)
        await slack.submit(view, note("<&>" * (MAX_NOTE // 3)))
    for n in range(8):
        view = await open_form(slack, FailoverAction.RECORD_SENDING)
        where = "<&>" * (MAX_WHERE // 3 - 1) + str(n)
        await slack.submit(view, {"where": {"value": {"type": "plain_text_input", "value": where}}})

    drawn = checklist(slack)
    assert len(buttons(drawn, FailoverAction.ENGAGE)) == 4  # five ranked, one engaged
    assert len(drawn["blocks"]) <= 30  # room left under 50 for steps 4 and 5
    sections = [b["text"]["text"] for b in drawn["blocks"] if b["type"] == "section"]
    assert max(len(t) for t in sections) < MAX_SECTION_TEXT
    assert "_and 5 earlier_" in shown(drawn) and "…" not in shown(drawn)
    assert slack.fake.problems == []


async def test_a_drill_a_restart_left_unranked_is_ranked_by_the_job(slack: Harness) -> None:
    await add(slack, "Zed", "U0ZED")
    await slack.command("add Acme category=KOL tier=core status=active backups=Zed")
    # A process that posted the drill, then stopped before ranking it: only the rows remain.
    now, actor = slack.clock.now(), slack.bot.services.actor(USER)
    started = await failover.start_drill(slack.store, now, TEAM, actor, ("Acme",), CHANNEL)
    ts = "1730000000.000200"
    await failover.attach_messages(slack.store, TEAM, started.drill.id, "1730000000.000100", ts)
    await due.mark_rendered(slack.store, TEAM, started.drill.id, started.drill.version)
    scheduler = slack.bot.services.scheduler
    await scheduler.run_due()  # within the grace, the start's own ranking may still be running
    assert (await drill_of(slack)).ranked_at is None

    slack.clock.advance(timedelta(minutes=2))
    await scheduler.run_due()
    await slack.settle()
    assert [c.name for c in (await drill_of(slack)).candidates] == ["Zed"]
    [redrawn] = [c.body for c in slack.fake.named("chat.update") if c.body["ts"] == ts]
    assert "*1. Zed* (registered backup)" in shown(redrawn)
    slack.clock.advance(timedelta(minutes=1))
    await scheduler.run_due()
    await slack.settle()
    assert len([c for c in slack.fake.named("chat.update") if c.body["ts"] == ts]) == 1


async def test_a_failed_ranking_is_told_once_in_the_thread_and_retried_by_the_job(
    slack: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = kit.rank_candidates
    failures = iter([True, True])

    async def flaky(*args: Any, **kwargs: Any) -> Any:
        if next(failures, False):
            raise RuntimeError("the pool could not be read")
        return await real(*args, **kwargs)

    monkeypatch.setattr(kit, "rank_candidates", flaky)
    await start(slack)
    warned = [p for p in posts(slack) if "could not be ranked yet" in p["text"]]
    assert len(warned) == 1 and warned[0]["thread_ts"] == posts(slack)[1]["thread_ts"]
    scheduler = slack.bot.services.scheduler
    for _ in range(2):  # the job fails once more (quietly), then ranks
        slack.clock.advance(timedelta(minutes=2))
        await scheduler.run_due()
        await slack.settle()
    assert [c.name for c in (await drill_of(slack)).candidates] == ["Zed", "Best", "<!channel>"]
    assert len([p for p in posts(slack) if "could not be ranked yet" in p["text"]]) == 1
    assert "*1. Zed*" in shown(checklist(slack))


async def test_a_closed_drills_old_buttons_open_no_form_and_engage_nothing(slack: Harness) -> None:
    await start(slack)
    old = checklist(slack)
    for _ in range(5):  # Done on the first step still to do, from the latest render
        done = [b for b in buttons(checklist(slack), FailoverAction.STEP_DONE)]
        await slack.click(FailoverAction.STEP_DONE, str(done[0]["value"]))
    assert (await drill_of_any(slack)).status == "closed"
    final = checklist(slack)
    for action in (FailoverAction.ENGAGE, FailoverAction.TICK_MEASURE):
        assert not buttons(final, action)
    assert not buttons(final, FailoverAction.RECORD_SENDING)

    await slack.click(FailoverAction.TICK_MEASURE, value(old, FailoverAction.TICK_MEASURE))
    await slack.click(FailoverAction.RECORD_SENDING, value(old, FailoverAction.RECORD_SENDING))
    await slack.click(FailoverAction.ENGAGE, value(old, FailoverAction.ENGAGE))
    said = [c.body["text"] for c in slack.fake.named("respond")]
    assert said.count("That drill is closed; nothing was changed.") == 2
    assert "The drill for Acme is closed; nothing was changed." in responses(slack)
    assert slack.fake.named("views.open") == []
    assert (await drill_of_any(slack)).backup is None


async def drill_of_any(slack: Harness) -> Drill:
    _, [drill] = await failover.history(slack.store, TEAM, "Acme")
    return drill
