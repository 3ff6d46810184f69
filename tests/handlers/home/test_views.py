"""The Home tab's view, built from plain values: what it shows for an admin and for anyone
else, for owners of 0, 3 and 40 partners, each status as it is, and inside Slack's limits."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from bot.access import Actor
from bot.health.portfolio import PortfolioReport, assess_portfolio
from bot.health.rules import HealthReport, HealthStatus, MetricPoint, Thresholds, assess
from bot.metrics import week_of
from bot.registry.rules import Category, Partner, Status, Tier
from handlers.home.views import YOURS_SHOWN, PortfolioState, build_home
from handlers.ids import HomeAction
from tests.support.slack_checks import check_view

TODAY = date(2026, 11, 22)
W46, W47 = week_of(date(2026, 11, 10)), week_of(date(2026, 11, 17))
COUNTS = {"active": 30, "paused": 5, "prospect": 4, "dropped": 1, "archived": 7}
USER, ADMIN = Actor("U1"), Actor("UADMIN", is_admin=True)


def partner(pid: int, name: str, tier: Tier = Tier.STANDARD, **more: Any) -> Partner:
    return Partner(
        pid, "T1", name, Category.KOL, tier, more.pop("status", Status.ACTIVE), "U1", **more
    )


def points(pid: int, metric: str, first: float, second: float) -> list[MetricPoint]:
    return [MetricPoint(pid, W46, metric, first), MetricPoint(pid, W47, metric, second)]


def report(p: Partner, pts: list[MetricPoint]) -> HealthReport:
    return assess(p, pts, None, Thresholds(), 0)


def four_statuses() -> list[HealthReport]:
    """One partner of each status, as the rules judge them."""
    return [
        report(partner(1, "Red <!channel>"), points(1, "sentiment", 70, 40)),
        report(partner(2, "Amber & Co", Tier.CORE), points(2, "rue", 50, 55)),
        report(partner(3, "Grey", status=Status.PAUSED), []),
        report(partner(4, "Green"), points(4, "rue", 50, 55)),
    ]


def portfolio() -> PortfolioReport:
    partners = [partner(1, "Big <b>"), partner(2, "Small")]
    pts = points(1, "gmv", 900, 900) + points(2, "gmv", 100, 100)
    return assess_portfolio(partners, pts, {}, Thresholds(), TODAY)


def shown(view: dict[str, Any]) -> str:
    return json.dumps(view["blocks"], ensure_ascii=False)


@pytest.mark.parametrize("actor", [USER, ADMIN])
def test_the_buttons_and_the_admin_line(actor: Actor) -> None:
    view = build_home(COUNTS, [], actor)

    assert check_view(view) == []
    buttons = next(b for b in view["blocks"] if b["type"] == "actions")["elements"]
    # Behaviour changed by issue 10 (item 6): Home also has "Preview a digest".
    assert [b["action_id"] for b in buttons] == [
        HomeAction.ADD_PARTNER,
        HomeAction.RECORD_METRICS,
        HomeAction.PREVIEW_DIGEST,
    ]
    assert "*40 partners* in the registry; you own *0*." in shown(view)
    assert ("You are a partnerbot admin." in shown(view)) is actor.is_admin


def test_an_owner_of_none_is_told_how_to_add_one() -> None:
    text = shown(build_home(COUNTS, [], USER, portfolio()))
    assert "You own no partners yet" in text
    assert "Your partners* (" not in text


def test_each_status_is_shown_with_what_needs_doing_and_names_escaped() -> None:
    yours = four_statuses()
    statuses = [HealthStatus.RED, HealthStatus.AMBER, HealthStatus.GREY, HealthStatus.GREEN]
    assert [r.status for r in yours] == statuses

    view = build_home(COUNTS, yours, USER, portfolio())

    assert check_view(view) == []
    lines = [b["text"]["text"] for b in view["blocks"] if "text" in b and b["type"] == "section"]
    [red] = [t for t in lines if "Red" in t and "is *red*" in t]
    assert red.startswith(":red_circle: *Red &lt;!channel&gt;* is *red*")
    assert "Start the emergency plan" in red
    [amber] = [t for t in lines if "Amber" in t and "is *amber*" in t]
    assert ":large_orange_circle: *Amber &amp; Co* is *amber*" in amber
    assert "Register a backup partner" in amber
    [grey] = [t for t in lines if t.startswith(":white_circle: *Grey*")]
    assert "Not enough metrics" in grey and "paused" in grey
    [green] = [t for t in lines if t.startswith(":large_green_circle: *Green*")]
    assert green.endswith("Nothing needs doing.")
    assert "*Your partners* (4)" in shown(view)
    assert "<!channel>" not in shown(view)


def test_forty_partners_show_fifteen_and_count_the_rest_inside_the_block_limit() -> None:
    yours = [report(partner(i, f"Partner {i:02d}"), []) for i in range(40)]

    view = build_home(COUNTS, yours, ADMIN, portfolio())

    assert check_view(view) == []
    text = shown(view)
    assert "Partner 14" in text and "Partner 15" not in text
    assert f"…and {40 - YOURS_SHOWN} more partners." in text
    assert "*Your partners* (40)" in text
    assert len(view["blocks"]) < 50  # room left for the digests scheduled


def test_the_portfolio_counts_and_concentration() -> None:
    text = shown(build_home(COUNTS, four_statuses()[:3], USER, portfolio()))

    assert "*Portfolio*: 2 partners (active and paused partners)" in text
    assert ":red_circle: 0 red" in text and ":white_circle: 2 grey" in text
    assert "*GMV*: largest share 90% (*Big &lt;b&gt;*) · HHI 8,200, highly concentrated" in text
    assert "*Traffic*: nothing recorded in" in text
    assert "you own *3*" in text


def test_the_portfolio_while_it_is_worked_out_and_when_it_failed() -> None:
    working = shown(build_home(COUNTS, four_statuses(), USER))
    assert "Working out the portfolio" in working and "Red &lt;!channel&gt;" in working
    failed = shown(build_home(COUNTS, four_statuses(), USER, PortfolioState.UNAVAILABLE))
    assert "could not be worked out" in failed and "Working out" not in failed


def test_no_digests_section_until_digests_are_given() -> None:
    assert "Digest" not in shown(build_home(COUNTS, four_statuses(), USER, portfolio()))
