"""Single-point dependency (domain.md §3): shares of the pool, the HHI and its band."""

from __future__ import annotations

from datetime import date

import pytest

from bot.health.concentration import band_of, concentration, hhi
from bot.health.rules import MetricPoint
from bot.metrics import parse_period

HIGH = 2500.0
NAMES = {1: "Acme", 2: "Beta", 3: "Gamma", 4: "Delta"}
# 2026-W44 .. 2026-W47, the four weeks ending Sunday 22 November 2026.
FIRST, LAST = date(2026, 10, 26), date(2026, 11, 22)


def point(partner_id: int, period: str, value: float, metric: str = "gmv") -> MetricPoint:
    return MetricPoint(partner_id, parse_period(period), metric, value)


def test_hhi_two_equal_partners_is_5000() -> None:
    assert hhi([50.0, 50.0]) == 5000.0


def test_hhi_one_partner_is_10000() -> None:
    assert hhi([100.0]) == 10000.0


def test_hhi_four_equal_partners_is_2500() -> None:
    assert hhi([25.0, 25.0, 25.0, 25.0]) == 2500.0


def test_hhi_of_nothing_is_zero() -> None:
    assert hhi([]) == 0


@pytest.mark.parametrize(
    ("index", "band"),
    [
        (10000.0, "highly concentrated"),
        (2500.01, "highly concentrated"),
        (2500.0, "moderately concentrated"),
        (1500.0, "moderately concentrated"),
        (1499.0, "unconcentrated"),
        (0.0, "unconcentrated"),
    ],
)
def test_band_of_at_the_default_threshold(index: float, band: str) -> None:
    assert band_of(index, HIGH) == band


def test_band_of_follows_a_lower_threshold() -> None:
    assert band_of(1200.0, 1000.0) == "highly concentrated"
    assert band_of(1000.0, 1000.0) == "moderately concentrated"
    assert band_of(999.0, 1000.0) == "unconcentrated"


def test_concentration_two_equal_partners() -> None:
    points = [point(1, "2026-W47", 500.0), point(2, "2026-W47", 500.0)]
    result = concentration(points, "gmv", NAMES, FIRST, LAST, HIGH)
    assert result is not None
    assert result.metric == "gmv"
    assert result.total == 1000.0
    assert result.hhi == 5000.0
    assert result.band == "highly concentrated"
    assert result.highly_concentrated
    assert [s.percent for s in result.shares] == [50.0, 50.0]


def test_concentration_four_equal_partners_is_not_highly_concentrated() -> None:
    points = [point(pid, "2026-W46", 10.0) for pid in NAMES]
    result = concentration(points, "gmv", NAMES, FIRST, LAST, HIGH)
    assert result is not None
    assert result.hhi == 2500.0
    assert result.band == "moderately concentrated"
    assert not result.highly_concentrated


def test_concentration_one_partner_holds_everything() -> None:
    result = concentration([point(3, "2026-W45", 7.0)], "gmv", NAMES, FIRST, LAST, HIGH)
    assert result is not None
    assert result.hhi == 10000.0
    assert result.largest.name == "Gamma"
    assert result.largest.percent == 100.0


def test_concentration_sums_weekly_and_daily_values_in_the_window() -> None:
    points = [
        point(1, "2026-W44", 100.0),
        point(1, "2026-W47", 100.0),
        point(1, "2026-11-20", 100.0),  # a day inside W47, which has a weekly value: not added
        point(1, "2026-11-10", 100.0),  # a day of W46, which has none: counted
        point(2, "2026-10-26", 50.0),  # the window's first day
        point(2, "2026-11-22", 50.0),  # the window's last day
    ]
    result = concentration(points, "gmv", NAMES, FIRST, LAST, HIGH)
    assert result is not None
    assert result.total == 400.0
    assert [(s.name, s.value, s.percent) for s in result.shares] == [
        ("Acme", 300.0, 75.0),
        ("Beta", 100.0, 25.0),
    ]
    assert result.hhi == 75.0**2 + 25.0**2


def test_an_hhi_of_exactly_2500_is_not_above_2500() -> None:
    # Shares 1, 5, 5, 8, 9 of 28: 10000 * (1 + 25 + 25 + 64 + 81) / 784 = 2500 exactly,
    # which floating point puts a hair above.
    values = (1.0, 5.0, 5.0, 8.0, 9.0)
    points = [point(i + 1, "2026-W47", v) for i, v in enumerate(values)]
    names = {i + 1: f"P{i}" for i in range(5)}
    result = concentration(points, "gmv", names, FIRST, LAST, 2500.0)
    assert result is not None
    assert result.band == "moderately concentrated"


def test_concentration_ignores_monthly_values_and_values_outside_the_window() -> None:
    points = [
        point(1, "2026-W47", 100.0),
        point(2, "2026-W47", 100.0),
        point(2, "2026-11", 10_000.0),  # monthly: cannot be split into weeks
        point(2, "2026-W43", 10_000.0),  # the week before the window
        point(2, "2026-W48", 10_000.0),  # the week after
        point(2, "2026-10-25", 10_000.0),  # the day before
        point(2, "2026-11-23", 10_000.0),  # the day after
        point(2, "2026-W47", 10_000.0, metric="traffic"),  # another metric
    ]
    result = concentration(points, "gmv", NAMES, FIRST, LAST, HIGH)
    assert result is not None
    assert result.total == 200.0
    assert [s.percent for s in result.shares] == [50.0, 50.0]


@pytest.mark.parametrize(
    "points",
    [
        [],
        [point(1, "2026-W47", 0.0), point(2, "2026-W46", 0.0)],
        [point(1, "2026-11", 100.0)],
        [point(1, "2026-W40", 100.0)],
        [point(1, "2026-W47", 100.0, metric="traffic")],
    ],
)
def test_concentration_is_none_when_nothing_is_recorded(points: list[MetricPoint]) -> None:
    assert concentration(points, "gmv", NAMES, FIRST, LAST, HIGH) is None


def test_concentration_shares_are_largest_first_and_sum_to_100() -> None:
    points = [
        point(1, "2026-W47", 10.0),
        point(2, "2026-W47", 60.0),
        point(3, "2026-W47", 0.0),
        point(4, "2026-W47", 30.0),
    ]
    result = concentration(points, "gmv", NAMES, FIRST, LAST, HIGH)
    assert result is not None
    assert [s.name for s in result.shares] == ["Beta", "Delta", "Acme"]
    assert result.largest.partner_id == 2
    assert sum(s.percent for s in result.shares) == pytest.approx(100.0)
    assert result.hhi == pytest.approx(60.0**2 + 30.0**2 + 10.0**2)
    assert result.band == "highly concentrated"


def test_concentration_three_equal_shares() -> None:
    points = [point(pid, "2026-W47", 1.0) for pid in (1, 2, 3)]
    result = concentration(points, "gmv", NAMES, FIRST, LAST, HIGH)
    assert result is not None
    assert sum(s.percent for s in result.shares) == pytest.approx(100.0)
    assert result.hhi == pytest.approx(10000 / 3)
    assert [s.name for s in result.shares] == ["Acme", "Beta", "Gamma"]  # ties by name


def test_concentration_unknown_partner_is_named_with_a_question_mark() -> None:
    result = concentration([point(99, "2026-W47", 1.0)], "gmv", NAMES, FIRST, LAST, HIGH)
    assert result is not None
    assert result.largest.name == "?"


def test_concentration_uses_the_given_threshold() -> None:
    points = [point(pid, "2026-W47", 10.0) for pid in NAMES]
    result = concentration(points, "gmv", NAMES, FIRST, LAST, 2000.0)
    assert result is not None
    assert result.band == "highly concentrated"


def test_concentration_of_traffic() -> None:
    points = [
        point(1, "2026-W47", 900.0, metric="traffic"),
        point(2, "2026-W47", 100.0, metric="traffic"),
        point(2, "2026-W47", 5000.0),
    ]
    result = concentration(points, "traffic", NAMES, FIRST, LAST, HIGH)
    assert result is not None
    assert result.metric == "traffic"
    assert result.total == 1000.0
    assert result.largest.name == "Acme"
    assert result.largest.percent == 90.0
    assert result.hhi == pytest.approx(8200.0)
