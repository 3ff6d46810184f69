"""`/score` end to end: rating by command and modal, the card and its gates, compare, charts,
the ranking, the yearly review with Retire, the weights, and bad input."""

from __future__ import annotations

import json
import re
from typing import Any

from bot.registry.rules import Partner, Status, name_key
from bot.scoring.rules import DIMENSIONS, Rating, Weights
from handlers.ids import ScoreAction, ScoreView
from tests.support.harness import ADMIN, START, USER, Harness

# The harness clock stands at Sunday 2026-11-22 09:30 UTC, ISO week 2026-W47.
TEAM = "T0001"
OTHER = "U0OTHER1"
FULL = "brand=80 users=70 channel=65 audience=72 traffic=60 tone=75"
FULL_VALUES = {
    "brand": 80.0,
    "users": 70.0,
    "channel": 65.0,
    "audience": 72.0,
    "traffic": 60.0,
    "tone": 75.0,
}
RANK_ROW = re.compile(r"^\*\d+\.\* (.+?) · ")
UPLOAD_CALLS = ["files.getUploadURLExternal", "upload", "files.completeUploadExternal"]


# --- setup -----------------------------------------------------------------------------


async def score(slack: Harness, text: str, user: str = USER) -> str:
    """Send `/score text` and return everything the answer shows."""
    reply = await slack.command(text, command="/score", user=user)
    assert reply.status == 200
    return reply.shown


async def add(
    slack: Harness, name: str, category: str = "KOL", status: str = "active", user: str = USER
) -> None:
    reply = await slack.command(
        f'add "{name}" category={category} tier=core status={status}', user=user
    )
    assert "Added" in reply.shown, reply.shown


async def rate_all(slack: Harness, name: str, value: float) -> None:
    """Rate every dimension the same (as an admin), so the composite is that value."""
    text = " ".join(f"{d}={value}" for d in DIMENSIONS)
    shown = await score(slack, f'"{name}" {text}', user=ADMIN)
    assert "Last rated" in shown, shown


async def record_roi(slack: Harness, name: str, roi: float, period: str) -> None:
    reply = await slack.command(f'metrics "{name}" roi={roi} period={period}', user=ADMIN)
    assert "Recorded" in reply.shown or "Nothing changed" in reply.shown, reply.shown


async def set_benchmark(slack: Harness, category: str, roi: float) -> None:
    reply = await slack.command(
        f"benchmark category={category} roi={roi}", command="/health", user=ADMIN
    )
    assert f"{category} benchmark not set → {roi:g}" in reply.shown, reply.shown


async def stored_partner(slack: Harness, name: str) -> Partner:
    async with slack.store.read() as tx:
        partner = await tx.partner_by_key(TEAM, name_key(name))
    assert partner is not None, name
    return partner


async def ratings(slack: Harness, name: str) -> list[Rating]:
    """A partner's ratings, newest first."""
    partner = await stored_partner(slack, name)
    async with slack.store.read() as tx:
        return await tx.recent_ratings(TEAM, partner.id, 100)


async def audit(slack: Harness, name: str) -> list[tuple[str, str, str, str, str]]:
    """A partner's audit trail as (actor, action, field, before, after), newest first."""
    partner = await stored_partner(slack, name)
    async with slack.store.read() as tx:
        entries, _ = await tx.history(TEAM, partner.id, 100, 0)
    return [(e.actor, e.action, e.field, e.before, e.after) for e in entries]


async def settings_audit(slack: Harness) -> set[tuple[str, str, str, str]]:
    async with slack.store.read() as tx:
        entries = await tx.settings_history(TEAM, 50)
    return {(e.actor, e.field, e.before, e.after) for e in entries}


def blocks(shown: str) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = json.loads(shown)["blocks"]
    return result


def contributions(shown: str) -> list[str]:
    """The card's fields: each dimension with its weight, value and points."""
    return [f["text"] for b in blocks(shown) if "fields" in b for f in b["fields"]]


def button(shown: str, action_id: str) -> dict[str, Any]:
    """The first button with this action_id."""
    found = buttons(shown, action_id)
    assert found, f"no {action_id} button"
    return found[0]


def buttons(shown: str, action_id: str) -> list[dict[str, Any]]:
    """The buttons with this action_id, in actions blocks or as section accessories."""
    elements: list[dict[str, Any]] = []
    for block in blocks(shown):
        elements.extend(block.get("elements", []) if block["type"] == "actions" else [])
        if "accessory" in block:
            elements.append(block["accessory"])
    return [e for e in elements if e.get("action_id") == action_id]


def last_respond(slack: Harness) -> dict[str, Any]:
    calls = slack.fake.named("respond")
    assert calls, "nothing was sent to the response_url"
    return calls[-1].body


def uploads(slack: Harness) -> list[str]:
    return [c.method for c in slack.fake.calls if c.method in UPLOAD_CALLS]


def uploaded_title(slack: Harness, index: int = 0) -> str:
    """An upload's title, as files.completeUploadExternal carried it."""
    files = slack.fake.named("files.completeUploadExternal")[index].body["files"]
    [uploaded] = json.loads(files) if isinstance(files, str) else files
    return str(uploaded["title"])


def alt_text(slack: Harness, index: int = 0) -> str:
    """An upload's alt text, which files_upload_v2 sends with files.getUploadURLExternal."""
    return str(slack.fake.named("files.getUploadURLExternal")[index].body["alt_txt"])


def number(value: str | None) -> dict[str, Any]:
    return {"value": {"type": "number_input", "value": value}}


# --- rating and the card ---------------------------------------------------------------


async def test_rating_by_command_shows_the_card_and_keeps_who_when_and_weights(
    slack: Harness,
) -> None:
    await add(slack, "Acme")
    shown = await score(slack, f'"Acme" {FULL} cases=4')

    # (80 + 70 + 65 + 72 + 60 + 75) / 6 = 70.33 with equal weights
    assert "*Acme*: *70.3* (recommended, threshold 70)" in shown
    assert contributions(shown) == [
        "*brand ×1*\n80 → 13.3 pts",
        "*users ×1*\n70 → 11.7 pts",
        "*channel ×1*\n65 → 10.8 pts",
        "*audience ×1*\n72 → 12.0 pts",
        "*traffic ×1*\n60 → 10.0 pts",
        "*tone ×1*\n75 → 12.5 pts",
    ]
    assert ":white_check_mark: *verified success cases*: 4 (needs at least 3)" in shown
    assert ":white_check_mark: *audience match*: 72% (needs above 60%)" in shown
    assert ":grey_question: *ROI*: none recorded (needs at least 1:3)" in shown
    assert "record ROI (none yet)" in shown  # under "To qualify"
    assert "qualifies for deep cooperation" not in shown
    # Each reader sees their own zone; the fallback is in the workspace's (Asia/Shanghai).
    when = "<!date^1795339800^{date_short_pretty} {time}|2026-11-22 17:30 Asia/Shanghai>"
    assert f"Last rated {when} by <@{USER}>" in shown
    assert "UTC" not in shown

    [rating] = await ratings(slack, "Acme")
    assert rating.values == FULL_VALUES
    assert (rating.actor, rating.at, rating.weights, rating.cases) == (USER, START, Weights(), 4)
    assert (await stored_partner(slack, "Acme")).success_cases == 4
    assert (USER, "rate", "success_cases", "0", "4") in await audit(slack, "Acme")

    # Asking again shows the same card and stores nothing new.
    again = await score(slack, "acme")
    assert blocks(again) == blocks(shown)
    assert len(await ratings(slack, "Acme")) == 1


async def test_a_partial_rating_keeps_the_other_dimensions_and_says_what_moved(
    slack: Harness,
) -> None:
    await add(slack, "Acme")
    await score(slack, f'"Acme" {FULL} cases=4')
    shown = await score(slack, '"Acme" brand=90')

    # (90 + 70 + 65 + 72 + 60 + 75) / 6 = 72.0
    assert "*Acme*: *72.0*" in shown
    assert "*Since the previous rating*: 70.3 → 72.0 (+1.7), because brand 80 → 90." in shown
    latest, previous = await ratings(slack, "Acme")
    assert latest.values == {**FULL_VALUES, "brand": 90.0}
    assert previous.values == FULL_VALUES
    assert latest.cases == 4
    # cases were not given this time: no second audit row
    assert [a for a in await audit(slack, "Acme") if a[1] == "rate"] == [
        (USER, "rate", "success_cases", "0", "4")
    ]


async def test_a_partner_missing_dimensions_is_not_scored_and_the_card_says_which(
    slack: Harness,
) -> None:
    await add(slack, "Beta")
    shown = await score(slack, '"Beta" brand=80 audience=50')
    assert "*Beta*: *not scored* (threshold 70)" in shown
    assert "not scored, threshold" not in shown
    assert (
        "*Not scored*: missing users (user quality), channel (channel capability), "
        "traffic (traffic quality), tone (brand fit)." in shown
    )
    assert "rate user quality, channel capability, traffic quality, brand fit" in shown
    assert not any("fields" in b for b in blocks(shown))  # no contributions without a composite
    [rating] = await ratings(slack, "Beta")
    assert rating.values == {
        "brand": 80.0,
        "users": None,
        "channel": None,
        "audience": 50.0,
        "traffic": None,
        "tone": None,
    }

    await add(slack, "Gamma")
    unrated = await score(slack, '"Gamma"')
    assert "*Gamma*: *not scored*" in unrated
    assert "missing brand (brand momentum), users (user quality)" in unrated


async def test_each_gate_at_its_boundary_and_what_would_have_to_change(slack: Harness) -> None:
    await add(slack, "Acme")
    await score(slack, '"Acme" brand=80 users=80 channel=80 audience=60 traffic=80 tone=80 cases=2')
    await record_roi(slack, "Acme", 5.0, "2026-W46")
    await record_roi(slack, "Acme", 2.9, "2026-W47")  # the latest week counts

    shown = await score(slack, '"Acme"')
    assert ":x: *verified success cases*: 2 (needs at least 3)" in shown
    assert ":x: *audience match*: 60% (needs above 60%)" in shown
    assert ":x: *ROI*: 2.9 (2026-W47) (needs at least 1:3)" in shown
    assert "*To qualify*" in shown
    assert "record 1 more verified success case (has 2, needs 3)" in shown
    assert "audience match above 60 (now 60)" in shown
    assert "ROI of at least 3 (latest 2.9 in 2026-W47)" in shown
    assert "qualifies for deep cooperation" not in shown

    await record_roi(slack, "Acme", 3.0, "2026-W47")
    shown = await score(slack, '"Acme" audience=61 cases=3')
    assert ":white_check_mark: *verified success cases*: 3 (needs at least 3)" in shown
    assert ":white_check_mark: *audience match*: 61% (needs above 60%)" in shown
    assert ":white_check_mark: *ROI*: 3 (2026-W47) (needs at least 1:3)" in shown
    assert "*To qualify*" not in shown
    assert "· qualifies for deep cooperation" in shown


async def test_a_low_composite_says_how_far_it_is_from_the_threshold(slack: Harness) -> None:
    await add(slack, "Low Co")
    shown = await score(
        slack, '"Low Co" brand=70 users=70 channel=70 audience=70 traffic=70 tone=69'
    )
    # 419 / 6 = 69.83 -> 69.8, below 70
    assert "*Low Co*: *69.8* (not recommended, threshold 70)" in shown
    assert "raise the composite by 0.2 points to 70" in shown


# --- the Rate modal ----------------------------------------------------------------------


async def open_rate_modal(slack: Harness, name: str, user: str = USER) -> dict[str, Any]:
    card = await score(slack, f'"{name}"', user=user)
    rate = button(card, ScoreAction.RATE)
    await slack.click(rate["action_id"], rate["value"], user=user)
    view: dict[str, Any] = (await slack.fake.wait_for("views.open"))[-1].body["view"]
    return view


def modal_state(**overrides: str | None) -> dict[str, Any]:
    values: dict[str, str | None] = {
        "brand": "80",
        "users": "70",
        "channel": "65",
        "audience": "72",
        "traffic": "60",
        "tone": "75",
        "cases": "4",
    }
    values.update(overrides)
    return {key: number(value) for key, value in values.items()}


async def test_the_rate_button_opens_a_prefilled_modal_whose_submission_saves_a_rating(
    slack: Harness,
) -> None:
    await add(slack, "Acme")
    await score(slack, f'"Acme" {FULL} cases=4')
    view = await open_rate_modal(slack, "Acme")

    assert view["callback_id"] == ScoreView.RATE_SUBMIT
    assert slack.fake.named("views.open")[-1].body["trigger_id"].startswith("13345224609")
    elements = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    assert list(elements) == [*DIMENSIONS, "cases"]
    assert all(e["type"] == "number_input" for e in elements.values())
    initial = {key: e.get("initial_value") for key, e in elements.items()}
    assert initial == {
        "brand": "80",
        "users": "70",
        "channel": "65",
        "audience": "72",
        "traffic": "60",
        "tone": "75",
        "cases": "4",
    }

    reply = await slack.submit(view, modal_state(brand="85", cases="5"))
    assert reply.body["response_action"] == "update"
    # (85 + 70 + 65 + 72 + 60 + 75) / 6 = 71.17
    assert "*Acme*: *71.2*" in reply.shown
    assert "70.3 → 71.2 (+0.9), because brand 80 → 85; success cases 4 → 5." in reply.shown
    latest, _ = await ratings(slack, "Acme")
    assert latest.values == {**FULL_VALUES, "brand": 85.0}
    assert (latest.actor, latest.cases) == (USER, 5)
    assert (await stored_partner(slack, "Acme")).success_cases == 5
    assert (USER, "rate", "success_cases", "4", "5") in await audit(slack, "Acme")


async def test_a_modal_submission_out_of_range_is_answered_in_the_modal_and_stores_nothing(
    slack: Harness,
) -> None:
    await add(slack, "Acme")
    await score(slack, f'"Acme" {FULL} cases=4')
    view = await open_rate_modal(slack, "Acme")

    reply = await slack.submit(view, modal_state(brand="120", cases="9"))
    assert reply.body["response_action"] == "errors"
    assert set(reply.body["errors"]) == {"brand"}
    assert "0 to 100" in reply.body["errors"]["brand"]
    assert len(await ratings(slack, "Acme")) == 1
    assert (await stored_partner(slack, "Acme")).success_cases == 4


async def test_a_modal_on_a_never_rated_partner_starts_empty(slack: Harness) -> None:
    await add(slack, "Fresh Co")
    view = await open_rate_modal(slack, "Fresh Co")
    elements = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    assert all("initial_value" not in elements[d] for d in DIMENSIONS)
    assert elements["cases"]["initial_value"] == "0"

    reply = await slack.submit(view, modal_state(**dict.fromkeys((*DIMENSIONS, "cases"))))
    assert reply.body["response_action"] == "errors"
    assert await ratings(slack, "Fresh Co") == []


# --- who may rate ------------------------------------------------------------------------


async def test_only_the_owner_or_an_admin_rates(slack: Harness) -> None:
    await add(slack, "Acme")
    refused = await score(slack, '"Acme" brand=10 cases=9', user=OTHER)
    assert "Only the owner of *Acme* or a partnerbot admin" in refused
    assert await ratings(slack, "Acme") == []
    assert (await stored_partner(slack, "Acme")).success_cases == 0

    # The card's Rate button refuses too, without opening a modal.
    card = await score(slack, '"Acme"', user=OTHER)
    rate = button(card, ScoreAction.RATE)
    await slack.click(rate["action_id"], rate["value"], user=OTHER)
    assert "Only the owner of *Acme*" in last_respond(slack)["text"]
    assert slack.fake.named("views.open") == []

    shown = await score(slack, f'"Acme" {FULL}', user=ADMIN)
    assert "*Acme*: *70.3*" in shown
    [rating] = await ratings(slack, "Acme")
    assert rating.actor == ADMIN


async def test_a_forged_modal_submission_by_someone_else_stores_nothing(slack: Harness) -> None:
    await add(slack, "Acme")
    await score(slack, f'"Acme" {FULL} cases=4')
    view = await open_rate_modal(slack, "Acme")
    reply = await slack.submit(view, modal_state(brand="5"), user=OTHER)
    assert reply.body["response_action"] == "errors"
    assert len(await ratings(slack, "Acme")) == 1


# --- compare and charts ------------------------------------------------------------------


async def test_compare_shows_dimensions_side_by_side_and_uploads_an_overlaid_radar(
    slack: Harness,
) -> None:
    await add(slack, "Acme")
    await add(slack, "Beta Co")
    await score(slack, f'"Acme" {FULL}')
    await rate_all(slack, "Beta Co", 60)

    shown = await score(slack, 'compare "acme" "Beta Co"')
    assert "*Comparing* *A* = Acme · *B* = Beta Co" in shown
    assert "`brand   ` A 80  B 60" in shown
    assert "`audience` A 72  B 60" in shown
    assert "`composite` A *70.3*  B *60.0*" in shown

    assert uploads(slack) == UPLOAD_CALLS
    png = slack.fake.named("upload")[0].body["data"]
    assert png.startswith(b"\x89PNG")
    assert int(slack.fake.named("files.getUploadURLExternal")[0].body["length"]) == len(png)
    done = slack.fake.named("files.completeUploadExternal")[0].body
    assert done["channel_id"] == "C2147483705"
    # The chart names the partners itself; the comment no longer maps letters to names.
    assert done["initial_comment"] == "Fit dimensions of *Acme*, *Beta Co*"
    assert uploaded_title(slack) == "Fit dimensions: Acme, Beta Co"
    assert alt_text(slack) == (
        "Radar chart of the six fit dimensions, 0 to 100, one outline per partner. "
        "Acme: brand 80, users 70, channel 65, audience 72, traffic 60, tone 75. "
        "Beta Co: brand 60, users 60, channel 60, audience 60, traffic 60, tone 60."
    )


async def test_a_radar_with_an_unrated_dimension_and_a_chinese_name_says_so(
    slack: Harness,
) -> None:
    await add(slack, "李佳琦直播间")
    await score(slack, "李佳琦直播间 brand=80 users=70")
    shown = await score(slack, "“李佳琦直播间” chart")
    assert "Drawing the radar of *李佳琦直播间*" in shown
    assert uploads(slack) == UPLOAD_CALLS
    done = slack.fake.named("files.completeUploadExternal")[0].body
    assert done["initial_comment"] == (
        "Fit dimensions of *李佳琦直播间* (not rated: channel, audience, traffic, tone)"
    )
    assert alt_text(slack).endswith(
        "李佳琦直播间: brand 80, users 70 (not rated: channel, audience, traffic, tone, left out)."
    )


async def test_compare_needs_two_to_four_different_partners(slack: Harness) -> None:
    for name in ("A1", "A2", "A3", "A4", "A5"):
        await add(slack, name)
        await rate_all(slack, name, 50)
    assert "Compare two to four partners" in await score(slack, 'compare "A1"')
    assert "Compare two to four partners" in await score(slack, "compare A1 A2 A3 A4 A5")
    assert "Name each partner once" in await score(slack, "compare A1 a1")
    assert "No partner is named *Nobody*" in await score(slack, "compare A1 Nobody")
    assert uploads(slack) == []

    shown = await score(slack, "compare A1 A2 A3 A4")
    assert "*D* = A4" in shown
    assert uploads(slack) == UPLOAD_CALLS


async def test_a_partners_chart_uploads_a_radar(slack: Harness) -> None:
    await add(slack, "Acme")
    await score(slack, f'"Acme" {FULL}')
    shown = await score(slack, '"Acme" chart')
    assert "Drawing the radar of *Acme*" in shown
    assert uploads(slack) == UPLOAD_CALLS
    assert slack.fake.named("upload")[0].body["data"].startswith(b"\x89PNG")
    done = slack.fake.named("files.completeUploadExternal")[0].body
    assert done["initial_comment"] == "Fit dimensions of *Acme*"
    assert "Acme: brand 80" in alt_text(slack)

    # The card's Radar chart button does the same.
    card = await score(slack, '"Acme"')
    chart = button(card, ScoreAction.CHART)
    await slack.click(chart["action_id"], chart["value"])
    assert uploads(slack) == UPLOAD_CALLS * 2


async def test_a_never_rated_partners_chart_is_refused_without_uploading(slack: Harness) -> None:
    await add(slack, "Quiet Co")
    shown = await score(slack, '"Quiet Co" chart')
    assert "*Quiet Co* has not been rated yet" in shown
    card = await score(slack, '"Quiet Co"')
    chart = button(card, ScoreAction.CHART)
    await slack.click(chart["action_id"], chart["value"])
    assert "has not been rated yet" in last_respond(slack)["text"]
    assert uploads(slack) == []


# --- the ranking -------------------------------------------------------------------------


def ranked_names(shown: str) -> list[str]:
    """The partner names of the ranking rows, in order."""
    rows = [b["text"]["text"] for b in blocks(shown) if b["type"] == "section"]
    return [m[1] for row in rows if (m := RANK_ROW.match(row))]


async def test_top_ranks_scored_partners_by_composite_and_filters(slack: Harness) -> None:
    for name, category, value in (
        ("Mid KOL", "KOL", 65),
        ("Best MCN", "MCN", 90),
        ("Top KOL", "KOL", 80),
        ("Low KOL", "KOL", 40),
    ):
        await add(slack, name, category=category)
        await rate_all(slack, name, value)
    await add(slack, "Half Rated")
    await score(slack, '"Half Rated" brand=100 users=100')
    await add(slack, "Never Rated")

    shown = await score(slack, "top")
    assert ranked_names(shown) == ["Best MCN", "Top KOL", "Mid KOL", "Low KOL"]
    assert "*Top 4* by fit score · 1–4" in shown
    assert "*1.* Best MCN · *90.0* :white_check_mark: recommended" in shown
    assert "*3.* Mid KOL · *65.0* :x: not recommended" in shown
    assert "Half Rated" not in shown and "Never Rated" not in shown

    kol = await score(slack, "top category=KOL")
    assert ranked_names(kol) == ["Top KOL", "Mid KOL", "Low KOL"]
    assert "*Top 3 in KOL*" in kol

    top3 = await score(slack, "top 3")
    assert ranked_names(top3) == ["Best MCN", "Top KOL", "Mid KOL"]
    assert "*Top 3* by fit score · 1–3" in top3
    assert ranked_names(await score(slack, "top 1 category=kol")) == ["Top KOL"]
    assert ranked_names(await score(slack, "top category=MCN")) == ["Best MCN"]
    assert "No scored partners in media" in await score(slack, "top category=media")


async def test_top_leaves_out_archived_partners(slack: Harness) -> None:
    await add(slack, "Kept")
    await add(slack, "Gone")
    await rate_all(slack, "Kept", 50)
    await rate_all(slack, "Gone", 90)
    await slack.command('archive "Gone"')
    assert ranked_names(await score(slack, "top")) == ["Kept"]


async def test_top_pages_past_fifteen_with_the_next_button(slack: Harness) -> None:
    for i in range(17):
        await add(slack, f"P{i:02d}")
        await rate_all(slack, f"P{i:02d}", 50 + i)
    first = await score(slack, "top")
    assert "*Top 17* by fit score · 1–15" in first
    assert ranked_names(first) == [f"P{i:02d}" for i in range(16, 1, -1)]
    nav = buttons(first, ScoreAction.TOP_PAGE)
    assert [b["text"]["text"] for b in nav] == ["Next"]

    await slack.click(nav[0]["action_id"], nav[0]["value"])
    second = last_respond(slack)
    assert second["replace_original"] is True
    second_shown = json.dumps(second, ensure_ascii=False)
    assert "*Top 17* by fit score · 16–17" in second_shown
    assert ranked_names(second_shown) == ["P01", "P00"]
    assert "*16.* P01" in second_shown
    back = buttons(second_shown, ScoreAction.TOP_PAGE)
    assert [b["text"]["text"] for b in back] == ["Previous"]


# --- the yearly review -------------------------------------------------------------------


async def review_pool(slack: Harness) -> None:
    """Six active KOLs measured this year against a benchmark of 2.5, and some who are not."""
    await set_benchmark(slack, "KOL", 2.5)
    pool = (
        # name, composite, ROI by period: the mean over the year counts, not the latest
        ("Averaged Low", 50, (("2026-W10", 0.5), ("2026-W47", 1.5))),  # mean 1.0 -> 0.40
        ("Tied Low", 40, (("2026-W30", 1.0),)),  # 0.40, lower composite first
        ("Middle", 60, (("2026-W40", 2.5),)),  # 1.00
        ("Good", 70, (("2026-W44", 4.0),)),
        ("Great", 80, (("2026-W45", 5.0),)),
        ("Best", 90, (("2026-W46", 6.0),)),
    )
    for name, composite, rois in pool:
        await add(slack, name)
        await rate_all(slack, name, composite)
        for period, roi in rois:
            await record_roi(slack, name, roi, period)
    await add(slack, "Paused Low", status="paused")  # not active: not reviewed
    await record_roi(slack, "Paused Low", 0.1, "2026-W47")
    await add(slack, "Last Year")  # ROI only from more than twelve months ago
    await record_roi(slack, "Last Year", 0.1, "2025-W30")
    await add(slack, "No Benchmark", category="MCN")
    await record_roi(slack, "No Benchmark", 0.1, "2026-W47")


async def test_review_lists_the_least_efficient_share_each_with_a_confirmed_retire(
    slack: Harness,
) -> None:
    await review_pool(slack)
    shown = await score(slack, "review")
    assert "the least efficient 20% (rounded up) of the 6 active partners" in shown
    assert "(2 more could not be measured)" in shown
    rows = [b for b in blocks(shown) if "accessory" in b]
    # 20% of 6 is 1.2, rounded up to 2; the tie at 0.40 goes to the lower composite first
    assert [r["text"]["text"] for r in rows] == [
        "*Tied Low* (KOL) · ROI 0.40× benchmark · composite 40.0",
        "*Averaged Low* (KOL) · ROI 0.40× benchmark · composite 50.0",
    ]
    for row in rows:
        retire = row["accessory"]
        assert retire["action_id"] == ScoreAction.RETIRE
        assert retire["style"] == "danger"
        confirm = retire["confirm"]
        assert set(confirm) >= {"title", "text", "confirm", "deny"}
        assert confirm["confirm"]["text"] == "Retire"
    assert "Paused Low" not in shown
    assert "Not measured (no ROI this year or no benchmark): " in shown
    assert "Last Year" in shown and "No Benchmark" in shown

    wider = await score(slack, "review share=50%")
    assert [r["text"]["text"].split("*")[1] for r in blocks(wider) if "accessory" in r] == [
        "Tied Low",
        "Averaged Low",
        "Middle",
    ]


async def test_retire_archives_once_audited_and_only_for_the_owner_or_an_admin(
    slack: Harness,
) -> None:
    await review_pool(slack)
    shown = await score(slack, "review")
    tied, averaged = buttons(shown, ScoreAction.RETIRE)

    await slack.click(averaged["action_id"], averaged["value"], user=OTHER)
    assert "Only the owner of *Averaged Low*" in last_respond(slack)["text"]
    assert (await stored_partner(slack, "Averaged Low")).status == Status.ACTIVE
    assert not [a for a in await audit(slack, "Averaged Low") if a[1] == "retire"]

    await slack.click(tied["action_id"], tied["value"])
    assert "Retired *Tied Low*: archived" in last_respond(slack)["text"]
    assert (await stored_partner(slack, "Tied Low")).status == Status.ARCHIVED
    retired = [a for a in await audit(slack, "Tied Low") if a[1] == "retire"]
    assert retired == [(USER, "retire", "status", "active", "archived")]

    await slack.click(tied["action_id"], tied["value"])
    assert "*Tied Low* was already archived" in last_respond(slack)["text"]
    assert [a for a in await audit(slack, "Tied Low") if a[1] == "retire"] == retired

    await slack.click(averaged["action_id"], averaged["value"], user=ADMIN)
    assert (await stored_partner(slack, "Averaged Low")).status == Status.ARCHIVED

    # Retired partners are no longer in the pool under review.
    assert "of the 4 active partners" in await score(slack, "review")


async def test_review_without_benchmarks_says_nobody_can_be_reviewed(slack: Harness) -> None:
    await add(slack, "Acme")
    await record_roi(slack, "Acme", 1.0, "2026-W47")
    shown = await score(slack, "review")
    assert "Nobody to review" in shown
    assert buttons(shown, ScoreAction.RETIRE) == []


# --- weights -----------------------------------------------------------------------------


async def test_weights_show_the_defaults(slack: Harness) -> None:
    shown = await score(slack, "weights")
    for dimension in DIMENSIONS:
        assert f"`{dimension}=1`" in shown
    assert "`threshold=70`" in shown


async def test_weights_are_refused_for_a_non_admin_and_nothing_changes(slack: Harness) -> None:
    refused = await score(slack, "weights brand=2 threshold=75")
    assert "Only a partnerbot admin can change the weights" in refused
    assert await settings_audit(slack) == set()
    shown = await score(slack, "weights")
    assert "`brand=1`" in shown and "`threshold=70`" in shown


async def test_an_admin_changes_the_weights_audited_and_the_next_card_follows(
    slack: Harness,
) -> None:
    await add(slack, "Acme")
    await score(slack, f'"Acme" {FULL}')

    changed = await score(slack, "weights brand=2 threshold=75", user=ADMIN)
    assert "Changed brand 1 → 2, threshold 70 → 75." in changed
    assert "`brand=2`" in changed and "`threshold=75`" in changed and "`users=1`" in changed
    assert await settings_audit(slack) == {
        (ADMIN, "score brand", "1", "2"),
        (ADMIN, "score threshold", "70", "75"),
    }

    # (2×80 + 70 + 65 + 72 + 60 + 75) / 7 = 71.71: brand pulls it up, yet below 75 now
    card = await score(slack, '"Acme"')
    assert "*Acme*: *71.7* (not recommended, threshold 75)" in card
    assert "*brand ×2*\n80 → 22.9 pts" in contributions(card)
    assert "70.3 → 71.7 (+1.4), because weight of brand 1 → 2; threshold 70 → 75." in card

    # The next rating keeps the weights in force.
    await score(slack, '"Acme" tone=76')
    latest = (await ratings(slack, "Acme"))[0]
    assert latest.weights == Weights(brand=2.0, threshold=75.0)

    again = await score(slack, "weights brand=2", user=ADMIN)
    assert "Nothing changed" in again
    assert len(await settings_audit(slack)) == 2


async def test_bad_weights_are_refused_and_change_nothing(slack: Harness) -> None:
    for text, expected in (
        ("weights brand=-1", "weight of brand must be a number from 0 to 100"),
        ("weights threshold=abc", "threshold must be a number from 0 to 100, not `abc`"),
        ("weights colour=2", "`colour` is not a weight"),
    ):
        assert expected in await score(slack, text, user=ADMIN), text
    assert await settings_audit(slack) == set()
    assert "`brand=1`" in await score(slack, "weights")


# --- bad input ---------------------------------------------------------------------------


async def test_bad_ratings_are_answered_clearly_and_change_nothing(slack: Harness) -> None:
    await add(slack, "Acme Media")
    await score(slack, '"Acme Media" brand=80 cases=4')
    before_audit = await audit(slack, "Acme Media")

    for text, expected in (
        ('"Acme Media" brand=120', "brand (brand momentum) must be a number from 0 to 100"),
        ('"Acme Media" brand=high', "not `high`"),
        ('"Acme Media" colour=3', "`colour` is not something a partner is rated on"),
        ('"Acme Media" bran=3', "Did you mean `brand`?"),
        ('"Acme Media" cases=lots', "cases must be a whole number"),
        ('"Acme Media" brand=90 cases=-1', "cases must be a whole number"),
        ('"Acme Medai" brand=90', "Did you mean *Acme Media*"),
        ("nosuch", "No partner is named *nosuch*"),
        ("acme medai", "Did you mean *Acme Media*"),
        ("top 0", "`top` takes a count from 1 to 500"),
        ("top category=gold", "`gold` is not a category"),
        ("review share=0", "share must be a percentage above 0 and at most 100"),
        ("review share=150%", "share must be a percentage above 0 and at most 100"),
        ('compare "Acme Media" "Acme Media" colour=3', "`colour` is not an option of `compare`"),
    ):
        assert expected in await score(slack, text), text

    [rating] = await ratings(slack, "Acme Media")
    assert rating.values["brand"] == 80.0
    assert (await stored_partner(slack, "Acme Media")).success_cases == 4
    assert await audit(slack, "Acme Media") == before_audit
    async with slack.store.read() as tx:
        assert await tx.partner_names(TEAM) == ["Acme Media"]


async def test_score_without_a_name_shows_help(slack: Harness) -> None:
    shown = await score(slack, "")
    assert "/score compare A B [C D]" in shown and "/score weights" in shown


# --- /partner score ----------------------------------------------------------------------


async def test_partner_score_answers_the_same_as_score(slack: Harness) -> None:
    await add(slack, "Acme")
    await score(slack, f'"Acme" {FULL} cases=4')
    via_partner = await slack.command('score "Acme"', command="/partner")
    via_score = await slack.command('"Acme"', command="/score")
    assert via_partner.body["blocks"] == via_score.body["blocks"]
    assert "*Acme*: *70.3*" in via_partner.shown

    rated = await slack.command('score "Acme" brand=90', command="/partner")
    assert "brand 80 → 90" in rated.shown
    assert len(await ratings(slack, "Acme")) == 2


async def test_a_first_rating_claims_no_change(slack: Harness) -> None:
    await slack.command('add "First Co"')
    reply = await slack.command(
        '"First Co" brand=80 users=70 channel=65 audience=72 traffic=60 tone=75', command="/score"
    )
    assert "70.3" in reply.shown
    assert "Since the previous rating" not in reply.shown


async def test_a_rate_form_opened_before_a_newer_rating_cannot_undo_it(slack: Harness) -> None:
    await slack.command('add "Acme Media"')
    await slack.command(
        '"Acme Media" brand=80 users=70 channel=65 audience=72 traffic=60 tone=75', command="/score"
    )
    card = json.loads(await score(slack, '"Acme Media"'))
    rate = next(
        e
        for b in card["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == ScoreAction.RATE
    )
    await slack.click(rate["action_id"], rate["value"])
    view = (await slack.fake.wait_for("views.open"))[-1].body["view"]
    await slack.command('"Acme Media" brand=95', command="/score", user=ADMIN)
    values = {
        b["block_id"]: {
            "value": {"type": "number_input", "value": b["element"].get("initial_value")}
        }
        for b in view["blocks"]
        if b["type"] == "input"
    }
    values["tone"] = {"value": {"type": "number_input", "value": "90"}}
    stale = await slack.submit(view, values)
    assert stale.body["response_action"] == "errors"
    assert "since this form was opened" in json.dumps(stale.body["errors"])
    async with slack.store.read() as tx:
        partner = await tx.partner_by_key("T0001", name_key("Acme Media"))
        assert partner is not None
        latest = (await tx.recent_ratings("T0001", partner.id, 1))[0]
    assert latest.values["brand"] == 95 and latest.values["tone"] == 75


async def test_a_rating_that_changes_nothing_is_not_stored(slack: Harness) -> None:
    await slack.command('add "Acme Media"')
    text = '"Acme Media" brand=80 users=70 channel=65 audience=72 traffic=60 tone=75'
    await slack.command(text, command="/score")
    again = await slack.command(text, command="/score")
    assert "Nothing changed" in again.shown
    async with slack.store.read() as tx:
        partner = await tx.partner_by_key("T0001", name_key("Acme Media"))
        assert partner is not None
        assert await tx.rating_count("T0001", partner.id) == 1


async def test_the_review_pages_past_twenty_partners(slack: Harness) -> None:
    await set_benchmark(slack, "KOL", 2.5)
    for i in range(25):
        await add(slack, f"Weak {i:02d}")
        await record_roi(slack, f"Weak {i:02d}", 0.5 + i / 100, "2026-W40")
    first = json.loads(await score(slack, "review share=100%"))
    text = json.dumps(first, ensure_ascii=False)
    assert "1–20 of 25" in text and "Weak 00" in text and "Weak 24" not in text
    nav = next(b for b in first["blocks"] if b["type"] == "actions")
    await slack.click(nav["elements"][0]["action_id"], nav["elements"][0]["value"])
    second = json.dumps(slack.fake.named("respond")[-1].body, ensure_ascii=False)
    assert "21–25 of 25" in second and "Weak 24" in second


async def test_the_ranking_gates_on_the_newest_roi(slack: Harness) -> None:
    await add(slack, "Acme")
    await rate_all(slack, "Acme", 80)
    await score(slack, '"Acme" cases=3', user=ADMIN)
    await record_roi(slack, "Acme", 5.0, "2026-W40")
    await record_roi(slack, "Acme", 2.0, "2026-W47")
    top = await score(slack, "top")
    # Cases and audience pass; ROI fails on the newest value (2.0), not the old 5.0.
    assert "gates :white_check_mark::white_check_mark::x:" in top
    assert "qualifies" not in top.split("Acme", 1)[1]


async def test_buttons_from_another_workspace_reach_nothing(slack: Harness) -> None:
    await add(slack, "Acme")
    card = json.loads(await score(slack, '"Acme"'))
    buttons = [e for b in card["blocks"] if b["type"] == "actions" for e in b["elements"]]
    ref = buttons[0]["value"]
    await slack.click(ScoreAction.RETIRE, ref, user=ADMIN, team="T0002")
    await slack.click(ScoreAction.RATE, ref, user=ADMIN, team="T0002")
    assert slack.fake.named("views.open") == []
    assert (await stored_partner(slack, "Acme")).status == Status.ACTIVE
    refusals = [c.body["text"] for c in slack.fake.named("respond")]
    assert refusals and all("no longer exists" in t for t in refusals)


async def test_partner_names_in_score_answers_are_escaped(slack: Harness) -> None:
    await add(slack, "&lt;!channel&gt; Co")
    await add(slack, "Beta")
    await rate_all(slack, "&lt;!channel&gt; Co", 70)
    await rate_all(slack, "Beta", 60)
    for text in ('"&lt;!channel&gt; Co"', "top", 'compare "&lt;!channel&gt; Co" Beta'):
        shown = await score(slack, text)
        assert "<!channel>" not in shown and "&lt;!channel&gt; Co" in shown, text
    comment = slack.fake.named("files.completeUploadExternal")[-1].body["initial_comment"]
    assert "<!channel>" not in comment


async def test_the_review_weighs_each_month_once(slack: Harness) -> None:
    """Weekly reporters are judged on monthly means, like monthly reporters: four weak
    October weeks and one strong November week average 2.0, not 1.4."""
    await set_benchmark(slack, "KOL", 2.5)
    await add(slack, "Weekly Co")
    for week in ("2026-W41", "2026-W42", "2026-W43", "2026-W44"):
        await record_roi(slack, "Weekly Co", 1.0, week)
    await record_roi(slack, "Weekly Co", 3.0, "2026-W46")
    await add(slack, "Monthly Co")
    await record_roi(slack, "Monthly Co", 1.8, "2026-10")
    shown = await score(slack, "review share=50%")
    assert "Monthly Co" in shown and "Weekly Co" not in shown.split("could not be measured")[1]
    assert "ROI 0.72× benchmark" in shown
