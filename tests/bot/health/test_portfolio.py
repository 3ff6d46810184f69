"""The whole pool's health: counts, who needs attention, concentration, unbacked partners."""

from __future__ import annotations

from datetime import date

import pytest

from bot.health.portfolio import PORTFOLIO, Population, assess_portfolio
from bot.health.rules import HealthStatus, MetricPoint, Rule, Thresholds
from bot.metrics import parse_period
from bot.registry.rules import Category, Partner, Status, Tier

TODAY = date(2026, 11, 22)  # Sunday of 2026-W47
DEFAULTS = Thresholds()
BENCHMARKS = {"KOL": 2.5}


def partner(
    pid: int,
    name: str,
    tier: Tier = Tier.STANDARD,
    status: Status = Status.ACTIVE,
    backups: tuple[str, ...] = (),
    category: Category = Category.KOL,
) -> Partner:
    return Partner(pid, "T1", name, category, tier, status, "U1", backups=backups)


def point(pid: int, period: str, metric: str, value: float) -> MetricPoint:
    return MetricPoint(pid, parse_period(period), metric, value)


def healthy(pid: int) -> list[MetricPoint]:
    return [
        point(pid, "2026-W46", "rue", 60.0),
        point(pid, "2026-W47", "rue", 70.0),
        point(pid, "2026-W46", "sentiment", 70.0),
        point(pid, "2026-W47", "sentiment", 71.0),
    ]


def low_rue(pid: int) -> list[MetricPoint]:
    return [point(pid, "2026-W46", "rue", 20.0), point(pid, "2026-W47", "rue", 20.0)]


def sentiment_fall(pid: int) -> list[MetricPoint]:
    return [point(pid, "2026-W46", "sentiment", 70.0), point(pid, "2026-W47", "sentiment", 20.0)]


def test_only_active_and_paused_partners_are_assessed() -> None:
    partners = [
        partner(1, "Active"),
        partner(2, "Paused", status=Status.PAUSED),
        partner(3, "Prospect", status=Status.PROSPECT),
        partner(4, "Dropped", status=Status.DROPPED),
        partner(5, "Archived", status=Status.ARCHIVED),
    ]
    points = [p for pid in range(1, 6) for p in low_rue(pid)]
    report = assess_portfolio(partners, points, BENCHMARKS, DEFAULTS, TODAY)
    assert report.watched == 2
    assert report.counts == {
        HealthStatus.RED: 0,
        HealthStatus.AMBER: 2,
        HealthStatus.GREEN: 0,
        HealthStatus.GREY: 0,
    }
    assert [r.partner.name for r in report.flagged] == ["Active", "Paused"]


def test_counts_by_status() -> None:
    partners = [
        partner(1, "Red", backups=("X",)),
        partner(2, "Amber"),
        partner(3, "Green"),
        partner(4, "Grey"),
        partner(5, "Green two"),
    ]
    points = [*sentiment_fall(1), *low_rue(2), *healthy(3), *healthy(5)]
    report = assess_portfolio(partners, points, BENCHMARKS, DEFAULTS, TODAY)
    assert report.counts == {
        HealthStatus.RED: 1,
        HealthStatus.AMBER: 1,
        HealthStatus.GREEN: 2,
        HealthStatus.GREY: 1,
    }
    assert report.watched == 5
    assert [r.partner.name for r in report.flagged] == ["Red", "Amber"]


def test_flagged_are_red_then_amber_more_rules_first_then_name() -> None:
    partners = [
        partner(1, "amber one rule"),
        partner(2, "Amber two rules", tier=Tier.CORE),  # low rue and no backup
        partner(3, "Red one rule"),
        partner(4, "red two rules"),
        partner(5, "Amber another one"),
        partner(6, "green"),
    ]
    points = [
        *low_rue(1),
        *low_rue(2),
        *sentiment_fall(3),
        *sentiment_fall(4),
        *low_rue(4),
        *low_rue(5),
        *healthy(6),
    ]
    report = assess_portfolio(partners, points, BENCHMARKS, DEFAULTS, TODAY)
    assert [r.partner.name for r in report.flagged] == [
        "red two rules",
        "Red one rule",
        "Amber two rules",
        "Amber another one",
        "amber one rule",
    ]
    assert [r.status for r in report.flagged] == [HealthStatus.RED] * 2 + [HealthStatus.AMBER] * 3
    assert [r.rule for r in report.flagged[2].fired] == [Rule.UTILISATION, Rule.BACKUP]


def test_flagged_reports_carry_no_trends() -> None:
    report = assess_portfolio([partner(1, "A")], low_rue(1), BENCHMARKS, DEFAULTS, TODAY)
    assert report.flagged[0].trends == {}


def test_benchmark_is_looked_up_by_the_partners_category() -> None:
    partners = [partner(1, "Kol"), partner(2, "Media", category=Category.MEDIA)]
    points = [point(pid, month, "roi", 1.0) for pid in (1, 2) for month in ("2026-10", "2026-11")]
    report = assess_portfolio(partners, points, BENCHMARKS, DEFAULTS, TODAY)
    assert [r.partner.name for r in report.flagged] == ["Kol"]
    assert report.counts[HealthStatus.GREY] == 1


def test_unbacked_lists_active_and_paused_strategic_and_core_partners_strategic_first() -> None:
    partners = [
        partner(1, "core active", tier=Tier.CORE),
        partner(2, "Strategic paused", tier=Tier.STRATEGIC, status=Status.PAUSED),
        partner(3, "Core prospect", tier=Tier.CORE, status=Status.PROSPECT),
        partner(4, "Core dropped", tier=Tier.CORE, status=Status.DROPPED),
        partner(5, "Strategic archived", tier=Tier.STRATEGIC, status=Status.ARCHIVED),
        partner(6, "Core backed", tier=Tier.CORE, backups=("Standard",)),
        partner(7, "Standard"),
        partner(8, "Trial", tier=Tier.TRIAL),
        partner(9, "a strategic", tier=Tier.STRATEGIC),
    ]
    report = assess_portfolio(partners, [], BENCHMARKS, DEFAULTS, TODAY)
    # A core prospect is left out like the rest of the report: it is not counted either.
    assert [p.name for p in report.unbacked] == ["a strategic", "Strategic paused", "core active"]


def test_concentration_of_gmv_and_traffic_over_the_window() -> None:
    partners = [partner(1, "Acme"), partner(2, "Beta"), partner(3, "Gone", status=Status.DROPPED)]
    points = [
        point(1, "2026-W44", "gmv", 300.0),
        point(1, "2026-W47", "gmv", 300.0),
        point(2, "2026-W47", "gmv", 400.0),
        point(2, "2026-W43", "gmv", 99_999.0),  # before the window
        point(2, "2026-11", "gmv", 99_999.0),  # monthly
        point(1, "2026-W47", "traffic", 500.0),
        point(3, "2026-W46", "traffic", 500.0),
    ]
    report = assess_portfolio(partners, points, BENCHMARKS, DEFAULTS, TODAY)
    assert (report.window[0].label, report.window[1].label) == ("2026-W44", "2026-W47")
    assert report.gmv is not None
    assert report.gmv.total == 1000.0
    assert report.gmv.largest.name == "Acme"
    assert report.gmv.largest.percent == 60.0
    assert report.gmv.hhi == 60.0**2 + 40.0**2
    assert report.gmv.band == "highly concentrated"
    assert report.traffic is not None
    assert [s.name for s in report.traffic.shares] == ["Acme"]  # Gone is dropped: left out
    assert report.traffic.hhi == 10_000.0


def test_no_gmv_or_traffic_means_no_concentration() -> None:
    report = assess_portfolio([partner(1, "A")], healthy(1), BENCHMARKS, DEFAULTS, TODAY)
    assert report.gmv is None
    assert report.traffic is None


def test_thresholds_shape_the_window_and_the_band() -> None:
    limits = Thresholds(window_weeks=1, hhi=6000.0)
    points = [
        point(1, "2026-W46", "gmv", 1000.0),
        point(1, "2026-W47", "gmv", 300.0),
        point(2, "2026-W47", "gmv", 700.0),
    ]
    report = assess_portfolio(
        [partner(1, "Acme"), partner(2, "Beta")], points, BENCHMARKS, limits, TODAY
    )
    assert report.window[0] == report.window[1] == parse_period("2026-W47")
    assert report.gmv is not None
    assert report.gmv.total == 1000.0
    assert report.gmv.largest.name == "Beta"
    assert report.gmv.band == "moderately concentrated"


def test_an_empty_pool() -> None:
    report = assess_portfolio([], [], BENCHMARKS, DEFAULTS, TODAY)
    assert report.watched == 0
    assert report.flagged == []
    assert report.unbacked == []
    assert report.gmv is None


def test_a_pool_of_2000_partners_with_8_weeks_of_metrics() -> None:
    weeks = [f"2026-W{w}" for w in range(40, 48)]
    partners: list[Partner] = []
    points: list[MetricPoint] = []
    for pid in range(1, 2001):
        kind = pid % 4  # 0 red, 1 amber, 2 green, 3 grey (no metrics)
        partners.append(partner(pid, f"P{pid:04d}"))
        if kind == 3:
            continue
        for week in weeks:
            rue = 20.0 if kind == 1 else 60.0
            sentiment = 20.0 if kind == 0 and week == weeks[-1] else 70.0
            points.append(point(pid, week, "rue", rue))
            points.append(point(pid, week, "sentiment", sentiment))
            points.append(point(pid, week, "gmv", 100.0))
    report = assess_portfolio(partners, points, BENCHMARKS, DEFAULTS, TODAY)
    assert report.counts == {
        HealthStatus.RED: 500,
        HealthStatus.AMBER: 500,
        HealthStatus.GREEN: 500,
        HealthStatus.GREY: 500,
    }
    assert len(report.flagged) == 1000
    assert report.flagged[0].partner.name == "P0004"
    assert report.flagged[499].status == HealthStatus.RED
    assert report.flagged[500].partner.name == "P0001"
    assert report.gmv is not None
    assert len(report.gmv.shares) == 1500
    assert report.gmv.total == 1500 * 4 * 100.0
    assert report.gmv.hhi == pytest.approx(10_000 / 1500)
    assert report.gmv.band == "unconcentrated"


def test_the_portfolio_is_active_and_paused_partners_and_says_who_is_left_out() -> None:
    assert PORTFOLIO.statuses == {Status.ACTIVE, Status.PAUSED}
    assert PORTFOLIO.label == "active and paused partners"
    assert PORTFOLIO.left_out == "prospect, dropped and archived partners"
    assert partner(1, "A") in PORTFOLIO
    assert partner(2, "B", status=Status.PROSPECT) not in PORTFOLIO
    assert Population(frozenset({Status.ACTIVE})).label == "active partners"


def test_partners_outside_the_population_are_in_no_part_of_the_report() -> None:
    partners = [
        partner(1, "Active", backups=("Spare",)),
        partner(2, "Red prospect", tier=Tier.CORE, status=Status.PROSPECT),
        partner(3, "Dropped giant", tier=Tier.STRATEGIC, status=Status.DROPPED),
        partner(4, "Archived", status=Status.ARCHIVED),
    ]
    points = [
        *sentiment_fall(1),
        *sentiment_fall(2),
        *low_rue(3),
        point(1, "2026-W47", "gmv", 100.0),
        point(2, "2026-W47", "gmv", 5_000.0),
        point(3, "2026-W47", "gmv", 90_000.0),
        point(4, "2026-W47", "traffic", 700.0),
        point(1, "2026-W47", "traffic", 300.0),
    ]
    report = assess_portfolio(partners, points, BENCHMARKS, DEFAULTS, TODAY)
    assert report.population == PORTFOLIO
    assert report.watched == 1 and report.counts[HealthStatus.RED] == 1
    assert [r.partner.name for r in report.flagged] == ["Active"]
    assert report.unbacked == []
    assert report.gmv is not None and report.traffic is not None
    assert [(s.name, s.percent) for s in report.gmv.shares] == [("Active", 100.0)]
    assert [(s.name, s.value) for s in report.traffic.shares] == [("Active", 300.0)]


def test_a_wider_population_counts_prospects_in_every_part() -> None:
    current = Population(frozenset({Status.PROSPECT, Status.ACTIVE, Status.PAUSED}))
    partners = [
        partner(1, "Active", backups=("Prospect",)),
        partner(2, "Prospect", tier=Tier.CORE, status=Status.PROSPECT),
    ]
    points = [*healthy(1), *sentiment_fall(2), point(2, "2026-W47", "gmv", 10.0)]
    report = assess_portfolio(partners, points, BENCHMARKS, DEFAULTS, TODAY, current)
    assert report.watched == 2 and report.counts[HealthStatus.RED] == 1
    assert [r.partner.name for r in report.flagged] == ["Prospect"]
    assert [p.name for p in report.unbacked] == ["Prospect"]
    assert report.gmv is not None and report.gmv.largest.name == "Prospect"
