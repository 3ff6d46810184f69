"""Alerts' pure rules (issue 10, item 4): a write turns a partner red when its health, by
the sentiment rule, is red after it and was not red for the same period before it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.alerts.rules import AlertChannel, NotYours, check_can_turn_off, red_period, turned_red
from bot.health.rules import HealthReport, MetricPoint, Rule, Thresholds, assess
from bot.metrics import parse_period
from bot.registry.rules import Category, Partner, Status, Tier

PARTNER = Partner(7, "T1", "Acme Media", Category.KOL, Tier.STANDARD, Status.ACTIVE, "U0OWNER")


def health(*sentiment: tuple[str, float], partner: Partner = PARTNER) -> HealthReport:
    points = [MetricPoint(partner.id, parse_period(p), "sentiment", v) for p, v in sentiment]
    return assess(partner, points, None, Thresholds())


def test_70_to_49_turns_the_partner_red_for_the_period_of_49() -> None:
    before = health(("2026-W47", 70))
    after = health(("2026-W47", 70), ("2026-W48", 49))
    alert = turned_red(before, after)
    assert alert is not None
    assert alert.period == "2026-W48"
    assert alert.partner == PARTNER
    assert alert.reason.rule == Rule.SENTIMENT
    assert "70" in alert.reason.detail and "49" in alert.reason.detail


def test_70_to_50_is_a_fall_of_under_30_percent_and_does_not_alert() -> None:
    before = health(("2026-W47", 70))
    after = health(("2026-W47", 70), ("2026-W48", 50))
    assert turned_red(before, after) is None


def test_a_partner_red_for_the_period_already_does_not_alert_again() -> None:
    red = health(("2026-W47", 70), ("2026-W48", 49))
    redder = health(("2026-W47", 70), ("2026-W48", 40))
    assert turned_red(red, redder) is None


def test_a_new_period_that_is_red_again_alerts_again() -> None:
    red = health(("2026-W47", 70), ("2026-W48", 49))
    red_again = health(("2026-W47", 70), ("2026-W48", 49), ("2026-W49", 30))
    alert = turned_red(red, red_again)
    assert alert is not None and alert.period == "2026-W49"


def test_a_partner_with_no_health_before_and_red_after_alerts() -> None:
    assert turned_red(None, health(("2026-W47", 70), ("2026-W48", 49))) is not None


def test_recovering_or_staying_green_does_not_alert() -> None:
    red = health(("2026-W47", 70), ("2026-W48", 49))
    recovered = health(("2026-W47", 70), ("2026-W48", 49), ("2026-W49", 60))
    assert turned_red(red, recovered) is None
    assert red_period(recovered) is None
    assert red_period(red) == "2026-W48"


def test_the_earlier_value_changed_to_make_the_fall_red_alerts_for_the_latest_period() -> None:
    before = health(("2026-W47", 60), ("2026-W48", 49))
    after = health(("2026-W47", 70), ("2026-W48", 49))
    alert = turned_red(before, after)
    assert alert is not None and alert.period == "2026-W48"


AT = datetime(2026, 11, 22, tzinfo=UTC)
ON = AlertChannel("C1", True, "U0ON", "U0ON", AT)


@pytest.mark.parametrize(
    ("user", "admin"), [("U0ON", False), ("U0ADMIN", True)], ids=["turned-on-by", "admin"]
)
def test_whoever_turned_alerts_on_or_an_admin_may_turn_them_off(user: str, admin: bool) -> None:
    check_can_turn_off(ON, user, admin)


def test_someone_else_may_not_turn_them_off_and_is_told_who_may() -> None:
    with pytest.raises(NotYours) as refused:
        check_can_turn_off(ON, "U0OTHER", False)
    assert refused.value.enabled_by == "U0ON"
    assert "admin" in str(refused.value)


def test_anyone_may_turn_off_alerts_that_are_not_on() -> None:
    check_can_turn_off(None, "U0OTHER", False)
    check_can_turn_off(AlertChannel("C1", False, "U0ON", "U0ON", AT), "U0OTHER", False)
