"""`/health` end to end: reports, portfolio, benchmarks, thresholds and the chart upload."""

from __future__ import annotations

import json

from handlers.ids import HealthAction
from tests.support.harness import ADMIN, Harness

# The harness clock stands at Sunday 2026-11-22, ISO week 2026-W47 (Asia/Shanghai).
WEEKS = (44, 45, 46, 47)


async def health(slack: Harness, text: str, user: str = "U2147483697") -> str:
    reply = await slack.command(text, command="/health", user=user)
    assert reply.status == 200
    return reply.shown


async def record(slack: Harness, name: str, week: int, **metrics: float) -> None:
    values = " ".join(f"{k}={v}" for k, v in metrics.items())
    reply = await slack.command(f'metrics "{name}" {values} period=2026-W{week}')
    assert "Recorded" in reply.shown or "Nothing changed" in reply.shown, reply.shown


async def settings_audit(slack: Harness) -> list[tuple[str, str, str, str]]:
    async with slack.store.read() as tx:
        entries = await tx.settings_history("T0001", 50)
    return [(e.actor, e.field, e.before, e.after) for e in entries]


async def troubled_partner(slack: Harness) -> None:
    """Acme: utilisation low two weeks running, sentiment 70 -> 49, no backup (core)."""
    await slack.command('add "Acme Media" category=KOL tier=core status=active')
    for week, rue, sentiment in zip(WEEKS, (55, 45, 35, 30), (70, 70, 70, 49), strict=True):
        await record(slack, "Acme Media", week, rue=rue, sentiment=sentiment, gmv=900, traffic=100)


async def test_a_partner_report_shows_each_rule_its_values_trends_and_actions(
    slack: Harness,
) -> None:
    await troubled_partner(slack)
    shown = await health(slack, '"Acme Media"')
    assert "*Acme Media* is *red*" in shown
    assert "rue 30% (2026-W47), 35% (2026-W46): 2 weeks below 40%" in shown
    assert "sentiment 70 (2026-W46) → 49 (2026-W47): down 30%" in shown
    assert "no ROI benchmark for KOL" in shown
    assert "a core partner with no backup" in shown
    assert "Start the emergency plan" in shown and "resource optimisation" in shown
    assert "Register a backup partner" in shown
    assert "█▅▂▁" in shown  # rue 55, 45, 35, 30 as a sparkline

    same = await slack.command('health "acme media"', command="/partner")
    assert (
        same.body["blocks"]
        == (await slack.command('"Acme Media"', command="/health")).body["blocks"]
    )


async def test_a_partner_without_metrics_is_grey_and_says_what_is_missing(slack: Harness) -> None:
    await slack.command('add "Quiet Co" category=MCN tier=standard status=active')
    shown = await health(slack, '"Quiet Co"')
    assert "is *grey*" in shown
    assert "needs weekly rue for 2 weeks; has none" in shown
    assert "needs two sentiment values; has 0" in shown
    assert "Record metrics" in shown


async def test_a_benchmark_makes_the_roi_rule_count(slack: Harness) -> None:
    await slack.command('add "Acme Media" category=KOL tier=standard status=active')
    for week in (40, 41, 44, 45):  # October and November
        await record(slack, "Acme Media", week, roi=1.5)
    assert "no ROI benchmark for KOL" in await health(slack, '"Acme Media"')

    set_reply = await health(slack, "benchmark category=kol roi=2.5", user=ADMIN)
    assert "KOL benchmark not set → 2.5" in set_reply
    assert await settings_audit(slack) == [(ADMIN, "benchmark KOL", "", "2.5")]
    shown = await health(slack, '"Acme Media"')
    assert "ROI 1.5 (2026-11), 1.5 (2026-10): all below the floor 1.75" in shown
    assert "is *amber*" in shown

    await health(slack, "benchmark category=KOL roi=2.1", user=ADMIN)
    assert "is *green*" in await health(slack, '"Acme Media"')  # floor 1.47 < 1.5
    listed = await health(slack, "benchmark")
    assert "`KOL` 1:2.1" in listed and "`MCN` not set" in listed


async def test_only_admins_set_benchmarks_and_thresholds(slack: Harness) -> None:
    refused = await health(slack, "benchmark category=KOL roi=2.5")
    assert "Only a partnerbot admin" in refused
    refused = await health(slack, "thresholds rue=30")
    assert "Only a partnerbot admin" in refused
    assert await settings_audit(slack) == []
    assert "`rue=40`" in await health(slack, "thresholds")


async def test_thresholds_change_the_rules_and_are_audited(slack: Harness) -> None:
    await troubled_partner(slack)
    changed = await health(slack, "thresholds rue=30 sentiment_drop=35", user=ADMIN)
    assert "rue 40 → 30" in changed and "sentiment_drop 30 → 35" in changed
    assert "`rue=30`" in changed and "(default 40)" in changed
    assert set(await settings_audit(slack)) == {
        (ADMIN, "threshold rue", "40", "30"),
        (ADMIN, "threshold sentiment_drop", "30", "35"),
    }
    shown = await health(slack, '"Acme Media"')
    assert "not all below 30%" in shown
    assert "is *amber*" in shown  # sentiment no longer fires; the missing backup still does

    again = await health(slack, "thresholds rue=30", user=ADMIN)
    assert "Nothing changed" in again
    assert len(await settings_audit(slack)) == 2


async def test_bad_health_input_is_answered_clearly_and_changes_nothing(slack: Harness) -> None:
    await slack.command('add "Acme Media"')
    assert "No partner is named *nosuch*" in await health(slack, "nosuch")
    assert "Did you mean *Acme Media*" in await health(slack, "acme medai")
    for text, expected in (
        ("thresholds rue=abc", "rue must be a number"),
        ("thresholds rue=120", "between 0 and 100"),
        ("thresholds colour=red", "`colour` is not a threshold"),
        ("benchmark category=KOL roi=lots", "roi must be a number"),
        ("benchmark roi=2", "Say which category"),
        ("benchmark category=gold roi=2", "`gold` is not a category"),
        ('"Acme Media" rue=3', "takes no options"),
    ):
        assert expected in await health(slack, text, user=ADMIN), text
    assert await settings_audit(slack) == []
    assert "`rue=40`" in await health(slack, "thresholds")


async def test_the_portfolio_shows_statuses_concentration_and_missing_backups(
    slack: Harness,
) -> None:
    await troubled_partner(slack)
    await slack.command(
        'add "Calm Co" category=KOL tier=strategic status=active backups="Acme Media"'
    )
    await slack.command('add "Idle Co" category=KOC tier=core status=paused')
    await slack.command('add "Gone Co" category=KOC tier=core status=dropped')
    for week in WEEKS:
        await record(slack, "Calm Co", week, rue=80, sentiment=60, gmv=100, traffic=100)
    shown = await health(slack, "")
    assert ":red_circle: 1 red" in shown and ":large_orange_circle: 1 amber" in shown
    assert ":large_green_circle: 1 green" in shown and "of 3 active and paused partners" in shown
    # GMV: 3600 for Acme against 400 for Calm -> 90% and 10%, HHI 8,200.
    assert "*GMV*: largest share 90% (*Acme Media*) · HHI 8,200, highly concentrated" in shown
    assert "*Traffic*: largest share 50% (*Acme Media*) · HHI 5,000" in shown
    assert "2026-W44–2026-W47" in shown
    assert "*No backup* (2): *Acme Media* (core), *Idle Co* (core)" in shown
    assert "Gone Co" not in shown
    blocks = json.loads(shown)["blocks"]
    flagged = [
        b["text"]["text"]
        for b in blocks
        if b["type"] == "section"
        and b["text"]["text"].startswith((":red_circle: *", ":large_orange_circle: *"))
    ]
    assert [f.split("*")[1] for f in flagged] == ["Acme Media", "Idle Co"]


async def test_the_portfolio_pages_past_ten_flagged_partners(slack: Harness) -> None:
    for i in range(23):
        await slack.command(f'add "Core {i:02d}" tier=core status=active')
    first = json.loads(await health(slack, ""))
    assert "*Needs attention* 1–10 of 23" in json.dumps(first, ensure_ascii=False)
    nav = next(b for b in first["blocks"] if b["type"] == "actions")
    assert [e["text"]["text"] for e in nav["elements"]] == ["Next"]
    await slack.click(HealthAction.PORTFOLIO_PAGE, nav["elements"][0]["value"])
    second = slack.fake.named("respond")[-1].body
    assert second["replace_original"] is True
    assert "*Needs attention* 11–20 of 23" in json.dumps(second, ensure_ascii=False)


async def test_the_chart_is_drawn_after_the_ack_and_uploaded_in_three_calls(
    slack: Harness,
) -> None:
    await troubled_partner(slack)
    reply = await slack.command('"Acme Media" chart', command="/health")
    assert "Drawing the chart of *Acme Media*" in reply.shown
    methods = [c.method for c in slack.fake.calls if c.method != "auth.test"]
    assert methods == ["files.getUploadURLExternal", "upload", "files.completeUploadExternal"]
    upload = slack.fake.named("upload")[0].body["data"]
    assert upload.startswith(b"\x89PNG")
    url_call = slack.fake.named("files.getUploadURLExternal")[0].body
    assert int(url_call["length"]) == len(upload)
    done = slack.fake.named("files.completeUploadExternal")[0].body
    assert done["channel_id"] == "C2147483705"
    assert "Metrics of *Acme Media*" in done["initial_comment"]
    # files_upload_v2 sends the alt text with its first call.
    assert url_call["alt_txt"] == (
        "Line charts of Acme Media's metrics by period end date, one per metric and kind of "
        "period. resource utilisation %, weekly, 2026-W44 to 2026-W47: 55, 45, 35, 30. "
        "sentiment index, weekly, 2026-W44 to 2026-W47: 70, 70, 70, 49. "
        "GMV, weekly, 2026-W44 to 2026-W47: 900, 900, 900, 900. "
        "traffic (UV), weekly, 2026-W44 to 2026-W47: 100, 100, 100, 100. "
        "Dashed lines: rue 40."
    )


async def test_a_chinese_names_chart_separates_weeks_from_months_and_describes_them(
    slack: Harness,
) -> None:
    await slack.command("add “李佳琦直播间” category=KOL status=active")
    await record(slack, "李佳琦直播间", 46, rue=45)
    await record(slack, "李佳琦直播间", 47, rue=35)
    reply = await slack.command("metrics 李佳琦直播间 roi=2.1 period=2026-11")
    assert "Recorded" in reply.shown
    await slack.command("李佳琦直播间 chart", command="/health")
    await slack.settle()
    # Under warnings-as-errors a missing glyph would fail the drawing: no upload then.
    assert slack.fake.named("upload")[0].body["data"].startswith(b"\x89PNG")
    assert slack.fake.named("files.getUploadURLExternal")[0].body["alt_txt"] == (
        "Line charts of 李佳琦直播间's metrics by period end date, one per metric and kind of "
        "period. resource utilisation %, weekly, 2026-W46 to 2026-W47: 45, 35. "
        "ROI (output per unit of input), monthly, 2026-11: 2.1. Dashed lines: rue 40."
    )


async def test_a_chart_that_cannot_be_posted_says_why(slack: Harness) -> None:
    await troubled_partner(slack)
    slack.fake.refuse_next("files.completeUploadExternal", "not_in_channel")
    await slack.command('"Acme Media" chart', command="/health")
    error = slack.fake.named("respond")[-1].body
    assert "not_in_channel" in error["text"] and "Invite partnerbot" in error["text"]


async def test_a_chart_without_metrics_is_refused_without_uploading(slack: Harness) -> None:
    await slack.command('add "Quiet Co"')
    shown = await health(slack, '"Quiet Co" chart')
    assert "no metrics in the last four months" in shown
    assert slack.fake.named("files.getUploadURLExternal") == []


async def test_partner_names_in_health_answers_are_escaped(slack: Harness) -> None:
    await slack.command('add "&lt;!here&gt; Co" tier=core status=active')
    for text in ('"&lt;!here&gt; Co"', ""):
        shown = await health(slack, text)
        assert "<!here>" not in shown and "&lt;!here&gt; Co" in shown


async def test_a_backup_that_has_left_is_no_backup(slack: Harness) -> None:
    await slack.command('add "Spare Co" status=active')
    await slack.command('add "Core Co" tier=core status=active backups="Spare Co"')
    assert "backups: Spare Co" in await health(slack, '"Core Co"')
    await slack.command('drop "Spare Co" gone')
    shown = await health(slack, '"Core Co"')
    assert "a core partner with no backup (its backups Spare Co have left)" in shown
    assert "*No backup* (1): *Core Co* (core)" in await health(slack, "")


async def test_one_partners_report_reads_only_its_own_metrics(slack: Harness) -> None:
    await troubled_partner(slack)
    await slack.command('add "Calm Co" category=KOL status=active')
    for week in WEEKS:
        await record(slack, "Calm Co", week, rue=80, sentiment=60)
    shown = await health(slack, '"Calm Co"')
    assert "is *green*" in shown and "rue 80% (2026-W47), 80% (2026-W46)" in shown


async def test_archived_partners_leave_the_concentration(slack: Harness) -> None:
    await troubled_partner(slack)
    await slack.command('add "Calm Co" category=KOL status=active')
    for week in WEEKS:
        await record(slack, "Calm Co", week, gmv=100)
    await slack.command('archive "Acme Media"')
    assert "*GMV*: largest share 100% (*Calm Co*)" in await health(slack, "")


async def test_a_long_no_backup_list_keeps_its_count_within_slacks_limit(slack: Harness) -> None:
    for i in range(40):
        await slack.command(f'add "{"&amp;" * 60}{i:02d}" tier=core status=active')
    shown = json.loads(await health(slack, ""))
    line = next(
        b["text"]["text"]
        for b in shown["blocks"]
        if "No backup" in b.get("text", {}).get("text", "")
    )
    assert line.startswith(":warning: *No backup* (40):")
    assert line.endswith("more") and len(line) <= 3000
