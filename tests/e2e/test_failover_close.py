"""The verify and close steps end to end on both engines, through block_actions and
view_submission payloads shaped as Slack sends them: Compute from metrics over metrics
recorded with `/partner metrics`, Enter GMV impact through its form, the close's summary
(posted once, even for two Done at once) with the partner dropped and audited, and Reopen
(refused while another drill of the partner is open, and when stale)."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any

from bot.failover import service as failover
from bot.failover.rules import DrillStatus, StepKey
from bot.registry.rules import Status
from handlers.buttons import STALE
from handlers.ids import FailoverAction, FailoverView
from tests.e2e.test_failover import OTHER, checklist, posts, responses, start, value
from tests.support.drills import set_backup
from tests.support.fake_slack import TEAM
from tests.support.harness import ADMIN, USER, Harness

STRANGER = "U0STRANGER"


def summaries(slack: Harness) -> list[dict[str, Any]]:
    return [p for p in posts(slack) if "Drill summary" in p["text"]]


def shown(message: dict[str, Any]) -> str:
    return json.dumps(message["blocks"], ensure_ascii=False)


async def drill_id(slack: Harness) -> int:
    [drill] = await failover.open_drills(slack.store, TEAM)
    return drill.id


async def finish_four_steps(slack: Harness) -> None:
    for _ in range(4):  # Done on the first step still to do, from the latest render
        await slack.click(
            FailoverAction.STEP_DONE, value(checklist(slack), FailoverAction.STEP_DONE)
        )


async def close_drill(slack: Harness) -> None:
    await finish_four_steps(slack)
    await slack.click(FailoverAction.STEP_DONE, value(checklist(slack), FailoverAction.STEP_DONE))


def gmv_values(impact: str | None, note: str | None = None) -> dict[str, Any]:
    return {
        "impact": {"value": {"type": "plain_text_input", "value": impact}},
        "note": {"value": {"type": "plain_text_input", "value": note}},
    }


async def test_compute_from_metrics_names_what_is_missing_then_records_the_impact(
    slack: Harness,
) -> None:
    await start(slack)
    await slack.command("add Beta status=active tier=standard")
    compute = value(checklist(slack), FailoverAction.GMV_COMPUTE)
    await slack.click(FailoverAction.GMV_COMPUTE, compute, ephemeral=False)
    assert "No backup is engaged yet" in responses(slack)

    acme = await drill_id(slack)
    drill = await failover.drill(slack.store, TEAM, acme)
    await set_backup(slack.store, TEAM, acme, drill.partner_id + 1, USER, slack.clock.now())
    # The drill started in 2026-W47 (Asia/Shanghai); its baseline is 2026-W43 to W46.
    await slack.command("metrics Acme gmv=100,000 period=2026-W45")
    await slack.command("metrics Acme gmv=100000 period=2026-W46")
    await slack.command("metrics Beta gmv=20,000 period=2026-W46")
    await slack.click(FailoverAction.GMV_COMPUTE, compute, ephemeral=False)
    assert "Beta has no weekly GMV since the start (2026-W47)" in responses(slack)
    assert "Beta has no monthly GMV before the start (2026-08 to 2026-10)" in responses(slack)
    assert len(posts(slack)) == 2  # nothing in the thread

    await slack.command("metrics Beta gmv=112,000 period=2026-W47")
    await slack.click(FailoverAction.GMV_COMPUTE, compute, ephemeral=False)

    [reply] = [p for p in posts(slack) if "recorded the GMV impact" in p["text"]]
    assert reply["thread_ts"] == posts(slack)[1]["thread_ts"]
    assert f"<@{USER}> recorded the GMV impact: *-8%* (from metrics)" in reply["text"]
    assert "within the benchmark of -8% in 24 hours" in reply["text"]
    assert "before 100,000 a period, kept 92,000" in reply["text"]
    assert "GMV impact: *-8%* (from metrics), within the benchmark" in shown(checklist(slack))
    stored = (await failover.drill(slack.store, TEAM, acme)).gmv
    assert stored is not None and (stored.before, stored.after) == (100_000, 92_000)


async def test_enter_gmv_impact_through_the_form(slack: Harness) -> None:
    await start(slack)
    await slack.click(FailoverAction.GMV_ENTER, value(checklist(slack), FailoverAction.GMV_ENTER))
    [opened] = slack.fake.named("views.open")
    view = opened.body["view"]
    assert view["callback_id"] == FailoverView.GMV_SUBMIT

    for bad, why in (
        (None, "Give the change in GMV"),
        ("a lot", "must be a percentage"),
        ("1e3", "must be a percentage"),
        ("-150", "between -100% and +1,000%"),
    ):
        refused = await slack.submit(view, gmv_values(bad))
        assert refused.body["response_action"] == "errors", bad
        assert why in refused.body["errors"]["impact"], bad
    both = await slack.submit(view, gmv_values("-5.5.5", "bell\x07"))
    assert set(both.body["errors"]) == {"impact", "note"}
    assert "The note" in both.body["errors"]["note"]
    long = await slack.submit(view, gmv_values("-5", "x" * 301))
    assert "keep it to 300" in long.body["errors"]["note"]
    forged = await slack.submit({**view, "private_metadata": '{"drill_id": "x"}'}, gmv_values("-5"))
    assert forged.body["errors"] == {"impact": "This form is out of date."}
    elsewhere = await slack.submit(view, gmv_values("-5"), team="T0OTHER")
    assert "no longer exists" in elsewhere.body["errors"]["impact"]
    assert (await failover.drill(slack.store, TEAM, await drill_id(slack))).gmv is None
    assert len(posts(slack)) == 2

    saved = await slack.submit(view, gmv_values("－１２．５％", "BI <b>export</b>"))
    assert saved.status == 200 and saved.body.get("response_action") is None
    [reply] = [p for p in posts(slack) if "recorded the GMV impact" in p["text"]]
    assert "*-12.5%* (entered), worse than the benchmark of -8% in 24 hours" in reply["text"]
    assert "BI &lt;b&gt;export&lt;/b&gt;" in reply["text"]
    assert "GMV impact: *-12.5%* (entered)" in shown(checklist(slack))

    # The same form again: the impact it was opened over has changed; nothing is replaced.
    again = await slack.submit(view, gmv_values("-3"), user=OTHER)
    assert "recorded as -12.5% since this form was opened" in again.body["errors"]["impact"]
    stored = (await failover.drill(slack.store, TEAM, await drill_id(slack))).gmv
    assert stored is not None and stored.change == -0.125


async def test_close_posts_one_summary_and_drops_the_partner_audited(slack: Harness) -> None:
    await start(slack)
    await slack.command("add Gamma status=active tier=strategic")
    await slack.command("metrics Gamma gmv=30,000 period=2026-W47")
    await slack.command("add Delta status=active tier=standard")
    await slack.command("metrics Delta gmv=10,000 period=2026-W47")
    await finish_four_steps(slack)
    slack.clock.advance(timedelta(hours=25))
    await slack.click(FailoverAction.STEP_DONE, value(checklist(slack), FailoverAction.STEP_DONE))

    [summary] = summaries(slack)
    text = shown(summary)
    assert summary["thread_ts"] == posts(slack)[1]["thread_ts"]
    assert "Drill summary: Acme" in text
    assert f"*1. Backup list*: done by <@{USER}>" in text and "0 min after the start" in text
    assert "due 30 min after the start: *met*" in text
    assert "*5. Close*: done by" in text and "1 d 1 h after the start" in text
    assert "due 1 d 0 h after the start: *missed*" in text
    assert "5 done, 0 skipped, 1 past their deadline" in text
    assert "*Backup engaged:* none." in text
    assert "*GMV impact:* not recorded (benchmark -8% in 24 hours)" in text
    assert "Acme is now dropped" in text
    assert "the largest GMV share is *Gamma* with 75%; HHI 6,250 (highly concentrated)" in text
    assert "1 strategic or core partner still has no backup: *Gamma*" in text
    assert len([e for b in summary["blocks"] if b["type"] == "actions" for e in b["elements"]]) == 1
    assert not [b for b in checklist(slack)["blocks"] if b["type"] == "actions"]

    # The verify step's buttons from an older render: the drill is closed; nothing changes.
    first = posts(slack)[1]
    await slack.click(FailoverAction.GMV_ENTER, value(first, FailoverAction.GMV_ENTER))
    await slack.click(FailoverAction.GMV_COMPUTE, value(first, FailoverAction.GMV_COMPUTE))
    answers = [c.body["text"] for c in slack.fake.named("respond")]
    assert answers == ["The drill for Acme is closed; nothing was changed."] * 2
    assert slack.fake.named("views.open") == []

    card = await slack.command("show Acme")
    assert "dropped" in card.shown
    history = await slack.command("history Acme")
    assert f"<@{USER}> _failover_ *status*: active → dropped" in history.shown


async def test_two_done_on_close_at_once_post_one_summary(slack: Harness) -> None:
    await start(slack)
    await finish_four_steps(slack)
    close = value(checklist(slack), FailoverAction.STEP_DONE)

    await asyncio.gather(
        slack.click(FailoverAction.STEP_DONE, close, ephemeral=False),
        slack.click(FailoverAction.STEP_DONE, close, user=ADMIN, ephemeral=False),
    )
    await slack.settle()

    assert len(summaries(slack)) == 1
    assert len([p for p in posts(slack) if "closed the drill" in p["text"]]) == 1
    assert "*Close* was already done by" in responses(slack)
    history = await slack.command("history Acme")
    assert history.shown.count("_failover_ *status*: active → dropped") == 1


async def test_reopen_opens_the_drill_again_and_is_refused_while_another_is_open(
    slack: Harness,
) -> None:
    await start(slack)
    await close_drill(slack)
    reopen = value(summaries(slack)[0], FailoverAction.REOPEN)

    await slack.click(FailoverAction.REOPEN, reopen, user=STRANGER, ephemeral=False)
    assert "Only the drill's starter, a step owner or a partnerbot admin" in responses(slack)

    await slack.click(FailoverAction.REOPEN, reopen, ephemeral=False)
    [reply] = [p for p in posts(slack) if "reopened the drill" in p["text"]]
    assert "Acme's status is not changed back" in reply["text"]
    assert "status is not changed back" in responses(slack)
    drill = await failover.drill(slack.store, TEAM, json.loads(reopen)["drill_id"])
    assert drill.status is DrillStatus.OPEN and drill.step(StepKey.CLOSE).state == "todo"
    redrawn = checklist(slack)
    assert json.loads(value(redrawn, FailoverAction.STEP_DONE))["step"] == "close"
    roots = [
        c.body
        for c in slack.fake.named("chat.update")
        if c.body["ts"] == posts(slack)[1]["thread_ts"]
    ]
    assert "*Status:* open" in shown(roots[-1])
    async with slack.store.read() as tx:
        acme = await tx.partner_by_id(TEAM, drill.partner_id, full=False)
    assert acme is not None and acme.status is Status.DROPPED

    # The same Reopen again: the drill is open already; nothing changes.
    await slack.click(FailoverAction.REOPEN, reopen, ephemeral=False)
    assert "is open already" in responses(slack)
    assert (await failover.drill(slack.store, TEAM, drill.id)).version == drill.version

    # Closed again, then a new drill on Acme: the latest summary's Reopen is refused.
    await slack.click(FailoverAction.STEP_DONE, value(checklist(slack), FailoverAction.STEP_DONE))
    assert len(summaries(slack)) == 2
    latest = value(summaries(slack)[-1], FailoverAction.REOPEN)
    await slack.command("Acme again", command="/failover", user=OTHER)
    await slack.click(FailoverAction.REOPEN, latest, ephemeral=False)
    assert "Acme has another failover drill open" in responses(slack)
    assert "open the thread" in responses(slack)
    assert (await failover.drill(slack.store, TEAM, drill.id)).status is DrillStatus.CLOSED
    # The first summary's Reopen is of an earlier close.
    await slack.click(FailoverAction.REOPEN, reopen, ephemeral=False)
    assert "earlier close" in responses(slack)


async def test_a_forged_reopen_or_gmv_button_is_answered(slack: Harness) -> None:
    await start(slack)
    await slack.click(FailoverAction.REOPEN, '{"drill_id": "x", "version": 1}')
    await slack.click(FailoverAction.GMV_COMPUTE, "not json")
    answers = [json.dumps(c.body) for c in slack.fake.named("respond")]
    assert len(answers) == 2 and all(STALE[:30] in a for a in answers)
    await slack.click(FailoverAction.REOPEN, '{"drill_id": 999, "version": 1}')
    assert "no longer exists" in responses(slack)
    assert len(posts(slack)) == 2
