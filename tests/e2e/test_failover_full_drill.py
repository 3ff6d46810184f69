"""One whole failover drill end to end on both engines, as a team would run it on the worst day,
driven only by what Slack sends: the Start button on the answer to `/partner drop`, Engage on
the registered backup, a reminder when the takeover runs late, a measure ticked through its
form, the users' message recorded as sent, the GMV impact computed from recorded metrics, and
the close's summary; then the partner's card shows the drill."""

from __future__ import annotations

import json
from typing import Any

from bot.failover import service as failover
from bot.failover.rules import DrillStatus, EventKind, StepState
from handlers.ids import FailoverAction
from tests.e2e.test_drill_entry import press, roots
from tests.e2e.test_failover import posts
from tests.e2e.test_failover_kit import buttons, note, open_form, value
from tests.e2e.test_failover_reminders import tick
from tests.support.fake_slack import TEAM
from tests.support.harness import CHANNEL, USER, Harness

BACKUP_OWNER = "U0BETAOWN"


def thread(slack: Harness, root_ts: str) -> list[str]:
    """The texts posted in the drill's thread, in order."""
    return [p["text"] for p in posts(slack) if p.get("thread_ts") == root_ts]


def checklist(slack: Harness) -> dict[str, Any]:
    """The checklist as last drawn: the latest update of it, else its post in the thread."""
    updates = [c.body for c in slack.fake.named("chat.update")]
    drawn = [u for u in updates if "Checklist" in json.dumps(u["blocks"])]
    if drawn:
        return drawn[-1]
    [posted] = [p for p in posts(slack) if p.get("thread_ts") and "Failover checklist" in p["text"]]
    return posted


def shown(message: dict[str, Any]) -> str:
    return json.dumps(message["blocks"], ensure_ascii=False)


async def test_a_whole_drill_from_the_drop_button_to_the_summary(slack: Harness) -> None:
    await slack.command(
        f"add Beta category=KOL tier=standard status=active owner=<@{BACKUP_OWNER}>"
    )
    await slack.command("add Acme category=KOL tier=core status=active backups=Beta")
    # GMV as recorded before the start (2026-W47 in Asia/Shanghai): Acme brought 100,000 a
    # week, Beta 20,000 of its own.
    for period in ("2026-W45", "2026-W46"):
        await slack.command(f"metrics Acme gmv=100,000 period={period}")
    await slack.command("metrics Beta gmv=20,000 period=2026-W46", user=BACKUP_OWNER)

    # 1. Acme walks away: the drop's answer offers the drill; pressing it starts it here.
    dropped = await slack.command("drop Acme contract ended")
    [start] = buttons(dropped.body, FailoverAction.START)
    await slack.interactive(press(slack, start["value"]))
    [root] = roots(slack, CHANNEL)  # Beta's owner was told of Beta by DM before
    [first] = [p for p in posts(slack) if p.get("thread_ts")]
    root_ts = first["thread_ts"]
    assert "Failover drill: Acme" in shown(root)
    assert "contract ended" in shown(root)
    assert "*1. Beta* (registered backup)" in shown(first)

    # 2. Within the 30 minutes: Beta is engaged; its owner is told in the thread.
    await tick(slack, 12)
    await slack.click(FailoverAction.ENGAGE, value(checklist(slack), FailoverAction.ENGAGE))
    engaged = thread(slack, root_ts)[-1]
    assert "engaged *Beta* as the backup" in engaged and f"<@{BACKUP_OWNER}>" in engaged

    # 3. The takeover runs past its 2 hours: one reminder to its owner, then the measure.
    await tick(slack, 121)
    reminders = [t for t in thread(slack, root_ts) if "Transitional traffic takeover" in t]
    assert len(reminders) == 1 and f"<@{USER}>" in reminders[0]
    await tick(slack, 122)
    assert len([t for t in thread(slack, root_ts) if "Transitional traffic takeover" in t]) == 1
    form = await open_form(slack, FailoverAction.TICK_MEASURE, 0)  # information-feed ads
    await slack.submit(form, note("feed ads on the KOL slots, 50,000 budget"))
    await slack.click(FailoverAction.STEP_DONE, value(checklist(slack), FailoverAction.STEP_DONE))

    # 4. The users are told, in the "service upgrade" framing, with Beta filled in.
    assert "Beta" in shown(checklist(slack)).split("User communication", 1)[1]
    sending = await open_form(slack, FailoverAction.RECORD_SENDING)
    where = {"where": {"value": {"type": "plain_text_input", "value": "app push"}}}
    await slack.submit(sending, where)
    await slack.click(FailoverAction.STEP_DONE, value(checklist(slack), FailoverAction.STEP_DONE))

    # 5. The migration is verified against Beta's GMV since the start: -8%, the benchmark.
    await tick(slack, 20 * 60)
    await slack.command("metrics Beta gmv=112,000 period=2026-W47", user=BACKUP_OWNER)
    await slack.click(
        FailoverAction.GMV_COMPUTE, value(checklist(slack), FailoverAction.GMV_COMPUTE)
    )
    said = json.dumps([c.body for c in slack.fake.named("respond")])
    assert any("recorded the GMV impact: *-8%*" in t for t in thread(slack, root_ts)), said
    await slack.click(FailoverAction.STEP_DONE, value(checklist(slack), FailoverAction.STEP_DONE))

    # 6. Close: one summary with the timeline, the deadlines, the backup and the impact.
    await slack.click(FailoverAction.STEP_DONE, value(checklist(slack), FailoverAction.STEP_DONE))
    [summary] = [p for p in posts(slack) if "Drill summary" in p["text"]]
    assert summary["thread_ts"] == root_ts
    text = shown(summary)
    assert "Beta" in text and "-8%" in text and "HHI" in text
    assert "missed" in text and "met" in text  # the takeover ran late, the backup did not
    final = checklist(slack)
    assert buttons(final, FailoverAction.STEP_DONE) == []

    _, drills = await failover.history(slack.store, TEAM, "Acme")
    [drill] = drills
    assert drill.status is DrillStatus.CLOSED
    assert [s.state for s in drill.steps] == [StepState.DONE] * 5
    assert drill.backup is not None and drill.backup.name == "Beta"
    assert drill.gmv is not None and drill.gmv.change == -0.08
    kinds = [e.kind for e in await failover.timeline(slack.store, TEAM, drill.id)]
    assert kinds[0] is EventKind.STARTED and kinds[-1] is EventKind.CLOSED
    assert EventKind.ENGAGED in kinds and EventKind.MEASURED in kinds
    assert EventKind.SENT in kinds and EventKind.GMV in kinds

    # 7. The drill feeds back: the partner's card shows it, closed, with its outcome.
    card = (await slack.command("show Acme")).shown
    assert "1 drill" in card, card
    assert "closed" in card and "Beta" in card and "-8%" in card
    assert slack.fake.problems == []
