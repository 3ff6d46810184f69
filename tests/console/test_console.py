"""The console driven through its standard input, as a script: what it prints."""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

import pytest

from console.main import ConsoleRefused, Options, run

DRILL = """\
/partner add "Test Partner" category=KOL tier=core status=active backups=东方甄选
/partner drop "Test Partner" contract ended
click Start failover drill
click Engage
:time +15m
click Tick off
feed ads on the KOL slots
click Done
click Record sending
app push
click Done
click Enter GMV impact
lots
from the weekly report
-9
click Done
click Done
/partner show "Test Partner"
"""


async def console(script: str, tmp_path: Path, *, demo: bool = True) -> str:
    out = io.StringIO()
    options = Options(demo=demo, db=tmp_path / "console.db", files=tmp_path / "charts")
    await run(options, stdin=io.StringIO(script), stdout=out)
    return out.getvalue()


def after(output: str, prompt: str) -> str:
    """What the console printed after the line typed at prompt, up to the next prompt."""
    start = output.index(prompt) + len(prompt)
    rest = output[start:]
    ends = [rest.find(p) for p in ("\nmei> ", "\ntom> ") if p in rest]
    return rest[: min(ends)] if ends else rest


async def test_a_whole_failover_drill_with_clicks_and_forms(tmp_path: Path) -> None:
    shown = await console(DRILL, tmp_path)
    assert "\x1b[" not in shown  # no colour codes when stdout is not a terminal
    started = after(shown, "mei> click Start failover drill")
    assert "#partners · partnerbot\n  🚨 Failover drill: Test Partner" in started
    thread = "    │ #partners · partnerbot · in the thread of “Failover drill: Test Partner”"
    assert thread in started
    assert "only @mei can see this" in started
    engaged = after(shown, "mei> click Engage")
    assert "@mei engaged 东方甄选 as the backup" in engaged
    assert "✎ updated its message “Failover checklist: Test Partner”" in engaged
    ticked = after(shown, "mei> click Tick off")
    assert "┌ Modal: Traffic takeover" in ticked
    assert "Note (optional): feed ads on the KOL slots" in ticked
    assert "@mei ticked off Information-feed ads: feed ads on the KOL slots" in ticked
    assert "Form submitted." in ticked
    sent = after(shown, "mei> click Record sending")
    assert "@mei sent the message to users: app push" in sent
    gmv = after(shown, "mei> click Enter GMV impact")
    # The ack's field error is shown, and that field alone asked again.
    assert "Change in GMV (%): The GMV impact must be a percentage, not lots" in gmv
    assert gmv.count("Note (optional") == 1
    assert "recorded the GMV impact: -9%" in gmv
    closed = shown[shown.rindex("mei> click Done") :]
    assert "Drill summary: Test Partner" in closed
    card = after(shown, '/partner show "Test Partner"')
    assert "1 drill" in card and "closed" in card


async def test_a_scheduled_digest_fires_when_the_clock_passes_it(tmp_path: Path) -> None:
    shown = await console(":time 2026-11-30 10:00\n:time 2026-12-01 09:00\n", tmp_path)
    first = after(shown, "mei> :time 2026-11-30 10:00")
    assert "🕘 2026-11-30 10:00 Mon Asia/Shanghai" in first
    assert "#ops · partnerbot\n  Partner health digest" in first  # weekly, Mondays 10:00
    assert "#partner-digest" not in first
    second = after(shown, "mei> :time 2026-12-01 09:00")
    assert "#partner-digest · partnerbot\n  Partner health digest" in second
    assert "李佳琦直播间" in second and "highly concentrated" in second


async def test_someone_else_is_refused_what_only_an_owner_or_admin_may_do(
    tmp_path: Path,
) -> None:
    script = ":as @tom\n/partner set 李佳琦直播间 tier=core\n/health benchmark category=KOL roi=3\n"
    shown = await console(script, tmp_path)
    assert "Now typing as @tom." in shown
    refused = after(shown, "tom> /partner set 李佳琦直播间 tier=core")
    assert "only @tom can see this" in refused
    assert "Only the owner of 李佳琦直播间 or a partnerbot admin can change it." in refused
    assert "Only a partnerbot admin can change ROI benchmarks" in shown


async def test_the_home_tab_and_help(tmp_path: Path) -> None:
    shown = await console(":help\n:home\nclick Preview a digest\n", tmp_path)
    assert ":as @name" in shown and "admins: @mei" in shown
    home = after(shown, "mei> :home")
    assert "┌ Home tab of @mei" in home and "Digests scheduled (2)" in home
    assert "Preview a digest" in shown.split("mei> click Preview a digest")[1]


async def test_demo_refuses_a_database_that_holds_data(tmp_path: Path) -> None:
    await console("", tmp_path)
    with pytest.raises(ConsoleRefused, match="--demo needs a fresh database"):
        await console("", tmp_path)
    with sqlite3.connect(tmp_path / "console.db") as db:
        [(partners,)] = db.execute("select count(*) from partners").fetchall()
    assert partners == 60


async def test_a_database_without_the_demo_opens_as_it_is(tmp_path: Path) -> None:
    await console("", tmp_path)
    shown = await console("/score top 3\n", tmp_path, demo=False)
    assert "console.db" in shown.splitlines()[0]
    assert "[1]" in after(shown, "mei> /score top 3") or "1." in after(shown, "mei> /score top 3")
