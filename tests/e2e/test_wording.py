"""What a new user reads, end to end: times in each reader's zone, fields and owners by name
in the history, counts that agree, help that lists every option, and a pointer to help."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from tests.support.harness import ADMIN, USER, Harness

# The harness clock: 2026-11-22 09:30 UTC, 17:30 in the workspace's zone (Asia/Shanghai).
AT_START = "1795339800"


def sections(body: dict[str, object]) -> list[str]:
    blocks = body.get("blocks", [])
    assert isinstance(blocks, list)
    return [b["text"]["text"] for b in blocks if b.get("type") == "section" and "text" in b]


async def test_history_shows_times_in_each_readers_zone_with_a_labelled_fallback(
    slack: Harness,
) -> None:
    await slack.command('add "Acme Media"')
    reply = await slack.command('history "Acme Media"')
    entry = sections(reply.body)[1]
    assert entry.startswith(
        f"<!date^{AT_START}^{{date_short_pretty}} {{time}}|2026-11-22 17:30 Asia/Shanghai> "
    )
    assert "UTC" not in reply.shown


async def test_the_card_dates_are_slack_dates_in_the_workspace_zone(slack: Harness) -> None:
    # 20:00 UTC on 22 November is already 23 November in Asia/Shanghai.
    slack.clock.set(datetime(2026, 11, 22, 20, 0, tzinfo=UTC))
    await slack.command('add "Acme Media"')
    shown = await slack.command('show "Acme Media"')
    stamp = int(datetime(2026, 11, 22, 20, 0, tzinfo=UTC).timestamp())
    date = f"<!date^{stamp}^{{date_short_pretty}}|2026-11-23>"
    assert f"Registered {date} · changed {date}" in shown.shown


async def test_history_names_fields_and_metrics_for_people_and_mentions_owners(
    slack: Harness,
) -> None:
    await slack.command('add "Acme Media"')
    await slack.command('set "Acme Media" cases=4 owner=<@U0001|ann>')
    await slack.command('metrics "Acme Media" gmv=120000 period=2026-W48', user="U0001")
    reply = await slack.command('history "Acme Media"')
    lines = sections(reply.body)
    assert any("*GMV for 2026-W48*: — → 120,000" in line for line in lines), lines
    assert any("*success cases*: 0 → 4" in line for line in lines), lines
    assert any(f"*owner*: <@{USER}> → <@U0001>" in line for line in lines), lines
    shown = reply.shown
    assert "success_cases" not in shown and "gmv@" not in shown
    assert "→ U0001" not in shown


async def test_a_change_summary_uses_the_same_labels(slack: Harness) -> None:
    await slack.command('add "Acme Media"')
    reply = await slack.command('set "Acme Media" cases=4')
    assert "• *success cases*: 0 → 4" in reply.shown
    assert reply.body["text"] == "Updated Acme Media: success cases"


async def test_help_lists_every_option_of_add_and_every_metric(slack: Harness) -> None:
    shown = (await slack.command("help")).shown
    add = next(line for line in shown.split("\\n") if "/partner add NAME" in line)
    assert "[cases=N]" in add and '[contacts=\\"...\\"]' in add
    metrics = (await slack.command("help metrics")).shown
    for metric in ("rue=", "roi=", "sentiment=", "gmv=", "traffic=", "conversion=", "redemption="):
        assert metric in metrics, metric
    assert "[aov=]" in metrics


async def test_a_name_that_is_not_a_partner_points_at_help(slack: Harness) -> None:
    await slack.command('add "Acme Media"')
    for text, command, hint in (
        ("unknown-word", "/health", "Try `/health help`."),
        ("health unknown-word", "/partner", "Try `/health help`."),
        ("unknown-word", "/score", "Try `/score help`."),
    ):
        reply = await slack.command(text, command=command)
        assert "No partner is named *unknown-word*." in reply.body["text"], text
        assert hint in reply.body["text"], text
    # `/partner show` names its subcommand already: no pointer there.
    shown = await slack.command("show unknown-word")
    assert "help" not in shown.body["text"]


async def test_counts_of_one_are_singular(slack: Harness) -> None:
    await slack.command("benchmark category=KOL roi=2.5", command="/health", user=ADMIN)
    await slack.command('add "Solo" category=KOL status=active')
    await slack.command('metrics "Solo" roi=1.0 gmv=5000 period=2026-W47')
    rating = "brand=70 users=70 channel=70 audience=70 traffic=70 tone=70"
    await slack.command(f"Solo {rating}", command="/score")

    top = await slack.command("top", command="/score")
    assert top.body["text"] == "Top 1 partner by fit score"
    review = await slack.command("review", command="/score")
    assert "of the 1 active partner with ROI" in review.shown
    health = await slack.command("", command="/health")
    assert "· 1 partner, 2026-W44–2026-W47" in health.shown
    await slack.command("thresholds rue_weeks=1 roi_months=1", command="/health", user=ADMIN)
    solo = await slack.command("Solo", command="/health")
    assert "for 1 week ·" in solo.shown and "for 1 month." in solo.shown
    assert "1 partners" not in json.dumps([top.body, review.body, health.body, solo.body])
