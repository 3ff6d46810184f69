"""`/health` (the portfolio) counts one population, active and paused partners, in every
part, and says so on the report."""

from __future__ import annotations

import json

from tests.support.harness import Harness

WEEKS = (44, 45, 46, 47)  # the harness clock stands in 2026-W47


async def portfolio(slack: Harness) -> str:
    reply = await slack.command("", command="/health")
    assert reply.status == 200
    return reply.shown


async def record(slack: Harness, name: str, week: int, **metrics: float) -> None:
    values = " ".join(f"{k}={v}" for k, v in metrics.items())
    reply = await slack.command(f'metrics "{name}" {values} period=2026-W{week}')
    assert "Recorded" in reply.shown, reply.shown


async def test_the_report_states_its_population(slack: Harness) -> None:
    await slack.command('add "Acme Media" status=active')
    blocks = json.loads(await portfolio(slack))["blocks"]
    contexts = [e["text"] for b in blocks if b["type"] == "context" for e in b["elements"]]
    assert (
        "Every part of this report counts active and paused partners only; "
        "prospect, dropped and archived partners are left out."
    ) in contexts


async def test_a_dropped_partner_with_the_largest_gmv_is_not_named(slack: Harness) -> None:
    await slack.command('add "Calm Co" category=KOL status=active')
    await slack.command('add "Giant Co" category=KOL status=active')
    for week in WEEKS:
        await record(slack, "Calm Co", week, gmv=100, traffic=10)
        await record(slack, "Giant Co", week, gmv=9000, traffic=900)
    assert "largest share 98.9% (*Giant Co*)" in await portfolio(slack)

    await slack.command('drop "Giant Co" moved to a competitor')
    shown = await portfolio(slack)
    assert "*GMV*: largest share 100% (*Calm Co*) · HHI 10,000" in shown
    assert "*Traffic*: largest share 100% (*Calm Co*)" in shown
    assert "Giant Co" not in shown


async def test_a_red_prospect_is_neither_counted_nor_listed(slack: Harness) -> None:
    await slack.command('add "Calm Co" status=active')
    await slack.command('add "New Co" tier=core status=prospect')
    for week, sentiment in zip(WEEKS, (70, 70, 70, 20), strict=True):
        await record(slack, "New Co", week, sentiment=sentiment, gmv=500)
    assert "is *red*" in (await slack.command('"New Co"', command="/health")).shown

    shown = await portfolio(slack)
    assert ":red_circle: 0 red" in shown and ":white_circle: 1 grey" in shown  # Calm Co
    assert "New Co" not in shown  # not flagged, not missing a backup, holds no share
    assert "*GMV*: nothing recorded" in shown

    await slack.command('set "New Co" status=active')
    shown = await portfolio(slack)
    assert ":red_circle: 1 red" in shown and "of 2 active and paused partners" in shown
    assert "*No backup* (1): *New Co* (core)" in shown
    assert "largest share 100% (*New Co*)" in shown
