"""The GMV impact: the formula on weekly and monthly GMV, the missing data named, a zero
baseline, the benchmark's boundary, the form's figure, and recording it on a drill."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.errors import RuleError
from bot.failover import impact, rules
from bot.failover.impact import GmvUnavailable
from bot.failover.rules import Drill, DrillStatus, EventKind, GmvSource, StepKey
from bot.health.rules import MetricPoint
from bot.metrics import parse_period

P, B = 1, 2
START = date(2026, 11, 25)  # a Wednesday in 2026-W48, in November
TODAY = date(2026, 11, 26)


def gmv(partner: int, **by_period: float) -> list[MetricPoint]:
    """GMV points: period labels as keywords (W47=..., M2026_10=...)."""
    points = []
    for key, value in by_period.items():
        label = f"2026-{key}" if key.startswith("W") else key[1:].replace("_", "-")
        points.append(MetricPoint(partner, parse_period(label), "gmv", value))
    return points


def compute(ours: list[MetricPoint], theirs: list[MetricPoint], today: date = TODAY) -> float:
    return impact.from_metrics("Acme", ours, "Beta", theirs, START, today).change


def test_weekly_the_backup_beyond_its_own_average_against_the_partners_average() -> None:
    ours = gmv(P, W44=90_000, W45=110_000, W46=100_000, W47=100_000)
    theirs = gmv(B, W46=20_000, W47=20_000, W48=112_000)
    found = impact.from_metrics("Acme", ours, "Beta", theirs, START, TODAY)
    assert found.source is GmvSource.METRICS
    assert found.before == 100_000 and found.after == 92_000
    assert found.change == pytest.approx(-0.08)
    assert impact.within_benchmark(found.change)  # exactly -8% is at the benchmark
    assert found.note == "weekly GMV, 2026-W44 to 2026-W47 before, 2026-W48 since"


def test_the_partners_gmv_since_the_start_counts_and_a_loss_past_8_percent_is_worse() -> None:
    ours = gmv(P, W47=100_000, W48=30_000)  # it still sold in the drill's week
    theirs = gmv(B, W47=10_000, W48=69_000)
    change = compute(ours, theirs)
    assert change == pytest.approx(-0.11)
    assert not impact.within_benchmark(change)
    assert impact.format_change(change) == "-11%"


def test_every_week_since_the_start_to_today_is_averaged() -> None:
    ours = gmv(P, W47=100_000)
    theirs = gmv(B, W47=0, W48=90_000, W49=100_000)
    assert compute(ours, theirs, today=date(2026, 12, 3)) == pytest.approx(-0.05)
    # A week after today is not counted (recorded ahead of time).
    assert compute(ours, theirs, today=TODAY) == pytest.approx(-0.10)


def test_weeks_outside_the_trailing_four_are_not_the_baseline() -> None:
    ours = gmv(P, W43=1_000_000, W47=100_000)
    theirs = gmv(B, W47=0, W48=100_000)
    assert compute(ours, theirs) == 0.0


def test_monthly_when_weeks_are_short_and_a_week_is_never_mixed_with_its_month() -> None:
    # Monthly GMV for both, and one stray week of the backup's that must not be counted.
    ours = gmv(P, M2026_09=400_000, M2026_10=400_000)
    theirs = gmv(B, M2026_10=100_000, M2026_11=450_000, W48=999_999)
    found = impact.from_metrics("Acme", ours, "Beta", theirs, START, TODAY)
    assert (found.before, found.after) == (400_000, 350_000)
    assert found.change == pytest.approx(-0.125)
    assert found.note is not None and found.note.startswith("monthly GMV, 2026-08 to 2026-10")


def test_a_month_starting_on_a_weeks_monday_is_not_that_week() -> None:
    # 2026-06 and 2026-W23 both start on Monday 1 June; the drill starts in 2026-W27.
    ours = gmv(P, W23=100_000, W24=100_000, W25=100_000, W26=100_000, M2026_06=999_999)
    theirs = gmv(B, W26=0, W27=95_000)
    found = impact.from_metrics("Acme", ours, "Beta", theirs, date(2026, 7, 1), date(2026, 7, 2))
    assert found.before == 100_000 and found.change == pytest.approx(-0.05)


def test_what_is_missing_is_named_whose_which_side_and_which_periods() -> None:
    ours = gmv(P, W47=100_000)
    with pytest.raises(GmvUnavailable) as caught:
        compute(ours, [])
    text = str(caught.value)
    assert "Beta has no weekly GMV before the start (2026-W44 to 2026-W47)" in text
    assert "Beta has no weekly GMV since the start (2026-W48)" in text
    assert "Acme has no monthly GMV before the start (2026-08 to 2026-10)" in text
    assert "Beta has no monthly GMV since the start (2026-11)" in text
    assert "Acme has no weekly" not in text
    assert "enter the impact by hand" in text


def test_the_partners_missing_baseline_is_named() -> None:
    with pytest.raises(GmvUnavailable) as caught:
        compute([], gmv(B, W47=1, W48=2))
    assert [(m.partner, m.kind, m.side) for m in caught.value.missing] == [
        ("Acme", "week", "before"),
        ("Acme", "month", "before"),
        ("Beta", "month", "before"),
        ("Beta", "month", "since"),
    ]


def test_a_zero_baseline_is_refused_with_why() -> None:
    with pytest.raises(RuleError, match="recorded no GMV in the weeks before the start"):
        compute(gmv(P, W46=0, W47=0), gmv(B, W47=0, W48=50_000))


def test_the_windows_run_across_a_year_end() -> None:
    before, since = impact.windows("week", date(2027, 1, 6), date(2027, 1, 12))
    assert [p.label for p in before] == [
        "2026-W50",
        "2026-W51",
        "2026-W52",
        "2026-W53",
    ]  # 2026 has 53
    assert [p.label for p in since] == ["2027-W01", "2027-W02"]
    before, since = impact.windows("month", date(2027, 1, 6), date(2027, 1, 12))
    assert [p.label for p in before] == ["2026-10", "2026-11", "2026-12"]
    assert [p.label for p in since] == ["2027-01"]
    assert impact.lookback(date(2027, 1, 6)) == date(2026, 10, 1)


@pytest.mark.parametrize(
    ("typed", "change"),
    [("-8", -0.08), ("-8%", -0.08), ("－８％", -0.08), ("3.5", 0.035), ("-100", -1.0)],
)
def test_an_entered_percentage(typed: str, change: float) -> None:
    found = impact.parse_entered(typed, "  from the BI export ")
    assert found.change == change and found.source is GmvSource.ENTERED
    assert found.note == "from the BI export" and found.before is None


@pytest.mark.parametrize(
    ("typed", "why"),
    [
        ("", "Give the change in GMV"),
        ("lots", "must be a percentage"),
        ("1e3", "must be a percentage"),
        ("-100.5", r"between -100% and \+1,000%"),
        ("1,000.01", r"between -100% and \+1,000%"),
    ],
)
def test_a_bad_entered_figure_is_refused(typed: str, why: str) -> None:
    with pytest.raises(RuleError, match=why):
        impact.parse_entered(typed, "")


def test_a_bad_note_is_refused() -> None:
    with pytest.raises(RuleError, match="The note"):
        impact.parse_entered("-5", "bell\x07")
    with pytest.raises(RuleError, match="keep it to 300"):
        impact.parse_entered("-5", "x" * 301)
    assert impact.parse_entered("-5", "").note is None


def test_format_change() -> None:
    assert impact.format_change(-0.065) == "-6.5%"
    assert impact.format_change(0.02) == "+2%"
    assert impact.format_change(0.0) == "0%"
    assert impact.format_change(-0.080000001) == "-8%"
    assert not impact.within_benchmark(-0.080000001)


def _drill(status: DrillStatus = DrillStatus.OPEN) -> Drill:
    at = datetime(2026, 11, 25, 2, tzinfo=UTC)
    steps = rules.new_steps("U1", at, rules.SLA_DEFAULTS)
    return Drill(1, "T1", P, "Acme", "C1", "", "U1", at, steps, status=status)


def test_recording_sets_the_drill_gmv_with_a_timeline_event_of_the_figure() -> None:
    found = impact.parse_entered("-6.5", "")
    at = datetime(2026, 11, 26, tzinfo=UTC)
    after, event = impact.record(_drill(), found, "U2", at)
    assert after.gmv == found
    assert (event.kind, event.step, event.actor, event.detail) == (
        EventKind.GMV,
        StepKey.VERIFY,
        "U2",
        "-6.5% (entered)",
    )
    with pytest.raises(RuleError, match="closed"):
        impact.record(_drill(DrillStatus.CLOSED), found, "U2", at)
