"""Numbers and periods end to end: what is refused changes nothing, what is accepted is
stored as meant, and amounts read with thousands separators wherever they are shown."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.registry.rules import name_key
from tests.support.harness import ADMIN, Harness

# The harness clock stands at 09:30 UTC on 2026-11-22, 17:30 the same day in Asia/Shanghai.
WINDOW = "from 2000-01-01 to 2027-11-22 (a year from today)"


async def stored(slack: Harness, period: str, metric: str) -> float | None:
    async with slack.store.read() as tx:
        found = await tx.partner_by_key("T0001", name_key("Acme Media"))
        assert found is not None
        return await tx.metric_value("T0001", found.id, period, metric)


async def audit_total(slack: Harness) -> int:
    async with slack.store.read() as tx:
        found = await tx.partner_by_key("T0001", name_key("Acme Media"))
        assert found is not None
        _, total = await tx.history("T0001", found.id, 1, 0)
    return total


async def test_a_period_outside_the_window_is_refused_naming_it_and_stores_nothing(
    slack: Harness,
) -> None:
    await slack.command('add "Acme Media"')
    before = await audit_total(slack)
    for period, expected in (
        ("9999-W52", f"9999-W52 is outside the periods partnerbot records: {WINDOW}"),
        ("9999-12-31", f"9999-12-31 is outside the periods partnerbot records: {WINDOW}"),
        ("9999-12", f"9999-12 is outside the periods partnerbot records: {WINDOW}"),
        ("1999-12-31", f"1999-12-31 is outside the periods partnerbot records: {WINDOW}"),
        ("2027-11-23", f"2027-11-23 is outside the periods partnerbot records: {WINDOW}"),
    ):
        reply = await slack.command(f'metrics "Acme Media" rue=10 period={period}')
        assert reply.status == 200
        assert reply.body["response_type"] == "ephemeral"
        assert expected in reply.shown, reply.shown
        assert await stored(slack, period, "rue") is None
    assert await audit_total(slack) == before

    inside = await slack.command('metrics "Acme Media" rue=10 period=2027-11-22')
    assert "Recorded" in inside.shown, inside.shown
    assert await stored(slack, "2027-11-22", "rue") == 10


async def test_the_window_ends_a_year_after_today_in_the_workspace_zone(slack: Harness) -> None:
    await slack.command('add "Acme Media"')
    # 20:00 UTC on 2026-11-22 is already 04:00 on 2026-11-23 in Asia/Shanghai.
    slack.clock.set(datetime(2026, 11, 22, 20, 0, tzinfo=UTC))
    reply = await slack.command('metrics "Acme Media" rue=10 period=2027-11-23')
    assert "Recorded" in reply.shown, reply.shown
    later = await slack.command('metrics "Acme Media" rue=10 period=2027-11-24')
    assert "to 2027-11-23 (a year from today)" in later.shown, later.shown
    assert await stored(slack, "2027-11-24", "rue") is None


async def test_numbers_in_another_form_are_refused_with_the_accepted_one(slack: Harness) -> None:
    await slack.command('add "Acme Media"')
    before = await audit_total(slack)
    for value in ("rue=1_0", "gmv=1,2,3", "gmv=١٢", "gmv=1e3", "roi=nan", "gmv=5%"):
        reply = await slack.command(f'metrics "Acme Media" {value} period=2026-W47')
        key, raw = value.split("=")
        assert f"{key} must be a number, not `{raw}`: write it like" in reply.shown, reply.shown
    assert await audit_total(slack) == before
    assert await stored(slack, "2026-W47", "rue") is None
    assert await stored(slack, "2026-W47", "gmv") is None


async def test_full_width_and_grouped_numbers_are_read_as_meant(slack: Harness) -> None:
    await slack.command('add "Acme Media"')
    reply = await slack.command(
        'metrics "Acme Media" rue=３５．５％ gmv=1,234,567.5 traffic=１，２００ period=2026-W47'
    )
    assert "Recorded" in reply.shown, reply.shown
    assert await stored(slack, "2026-W47", "rue") == 35.5
    assert await stored(slack, "2026-W47", "gmv") == 1_234_567.5
    assert await stored(slack, "2026-W47", "traffic") == 1200

    await slack.command('"Acme Media" cases=１２ brand=８０．５', command="/score")
    async with slack.store.read() as tx:
        found = await tx.partner_by_key("T0001", name_key("Acme Media"))
        assert found is not None
        (rating,) = await tx.recent_ratings("T0001", found.id, 1)
    assert (rating.cases, rating.values["brand"], found.success_cases) == (12, 80.5, 12)
    top = await slack.command("top 1_0", command="/score")
    assert "`top` takes a count from 1 to" in top.shown and "`1_0`" in top.shown


async def test_amounts_show_with_thousands_separators_in_answers_and_the_audit(
    slack: Harness,
) -> None:
    await slack.command('add "Acme Media"')
    recorded = await slack.command(
        'metrics "Acme Media" gmv=1234567 traffic=2500000 period=2026-W47'
    )
    assert "1,234,567" in recorded.shown and "2,500,000" in recorded.shown, recorded.shown
    assert "e+06" not in recorded.shown

    shown = await slack.command('show "Acme Media"')
    assert "gmv 1,234,567" in shown.shown and "traffic 2,500,000" in shown.shown, shown.shown

    history = await slack.command('history "Acme Media"')
    assert "→ 1,234,567" in history.shown, history.shown
    assert "e+06" not in history.shown
    async with slack.store.read() as tx:
        found = await tx.partner_by_key("T0001", name_key("Acme Media"))
        assert found is not None
        entries, _ = await tx.history("T0001", found.id, 10, 0)
    assert {(e.field, e.after) for e in entries} >= {
        ("gmv@2026-W47", "1,234,567"),
        ("traffic@2026-W47", "2,500,000"),
    }

    health = await slack.command('"Acme Media"', command="/health")
    assert "1,234,567 (2026-W47)" in health.shown, health.shown


async def test_thresholds_take_and_show_grouped_amounts(slack: Harness) -> None:
    reply = await slack.command("thresholds hhi=2,000", command="/health", user=ADMIN)
    assert "`hhi=2,000`" in reply.shown and "(default 2,500)" in reply.shown, reply.shown
    async with slack.store.read() as tx:
        entries = await tx.settings_history("T0001", 5)
    assert [(e.field, e.before, e.after) for e in entries] == [("threshold hhi", "2,500", "2,000")]
    refused = await slack.command("thresholds hhi=2_000", command="/health", user=ADMIN)
    assert "hhi must be a number, not `2_000`: write it like" in refused.shown
