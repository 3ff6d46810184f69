"""Metric values, their ranges, and reporting periods (domain.md §3)."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.errors import RuleError
from bot.metrics import (
    METRICS,
    Period,
    check_period,
    current_week,
    format_metric,
    parse_metric,
    parse_period,
    period_window,
    read_period,
    stored_period,
    week_of,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")

# --- parse_metric: ranges -----------------------------------------------------------

PERCENTAGES = ["rue", "sentiment", "conversion", "redemption"]


@pytest.mark.parametrize("key", PERCENTAGES)
@pytest.mark.parametrize(("raw", "value"), [("0", 0.0), ("100", 100.0), ("35.5", 35.5)])
def test_percentage_metrics_accept_0_to_100(key: str, raw: str, value: float) -> None:
    assert parse_metric(key, raw) == value


@pytest.mark.parametrize("key", PERCENTAGES)
@pytest.mark.parametrize("raw", ["100.1", "-1", "-0.5", "101"])
def test_percentage_metrics_reject_values_outside_0_to_100(key: str, raw: str) -> None:
    with pytest.raises(RuleError) as err:
        parse_metric(key, raw)
    message = str(err.value)
    assert message.startswith(key)
    assert "between 0 and 100" in message
    assert f"`{raw}`" in message


@pytest.mark.parametrize(
    ("key", "highest", "too_high"),
    [
        ("roi", "1000", "1000.5"),
        ("gmv", "1,000,000,000,000,000", "1,100,000,000,000,000"),
        ("traffic", "1000000000000", "1000000000001"),
        ("aov", "1000000000000", "1500000000000"),
    ],
)
def test_metric_upper_bounds(key: str, highest: str, too_high: str) -> None:
    assert parse_metric(key, highest) == float(highest.replace(",", ""))
    assert parse_metric(key, "0") == 0
    with pytest.raises(RuleError, match=f"^{key} .*must be between 0 and"):
        parse_metric(key, too_high)
    with pytest.raises(RuleError, match=f"^{key} "):
        parse_metric(key, "-1")


def test_roi_accepts_a_ratio() -> None:
    assert parse_metric("roi", "3.2") == 3.2


def test_traffic_must_be_a_whole_number() -> None:
    assert parse_metric("traffic", "5400") == 5400
    assert parse_metric("traffic", "5400.0") == 5400
    with pytest.raises(RuleError, match="traffic must be a whole number"):
        parse_metric("traffic", "5400.5")


@pytest.mark.parametrize(
    ("key", "raw", "value"),
    [
        ("rue", "35%", 35.0),
        ("rue", " 35% ", 35.0),
        ("gmv", "120,000", 120_000.0),
        ("gmv", "1,234,567.89", 1_234_567.89),
        ("traffic", "5,400", 5400.0),
    ],
)
def test_metrics_accept_percent_signs_and_thousands_separators(
    key: str, raw: str, value: float
) -> None:
    assert parse_metric(key, raw) == value


@pytest.mark.parametrize("key", list(METRICS))
@pytest.mark.parametrize("raw", ["abc", "nan", "NaN", "inf", "-inf", "Infinity", "", "1.2.3"])
def test_metrics_reject_what_is_not_a_finite_number_naming_the_metric(key: str, raw: str) -> None:
    with pytest.raises(RuleError) as err:
        parse_metric(key, raw)
    assert str(err.value).startswith(f"{key} must be a number")
    assert f"`{raw}`" in str(err.value)


def test_an_unknown_metric_is_named_with_the_accepted_ones() -> None:
    with pytest.raises(RuleError) as err:
        parse_metric("revenue", "10")
    message = str(err.value)
    assert "`revenue` is not a metric" in message
    for key in METRICS:
        assert key in message


@pytest.mark.parametrize(
    ("key", "value", "text"),
    [("rue", 35.0, "35"), ("roi", 2.1, "2.1"), ("gmv", 120_000.0, "120,000"), ("roi", 0.0, "0")],
)
def test_format_metric_drops_a_trailing_zero(key: str, value: float, text: str) -> None:
    assert format_metric(key, value) == text


@pytest.mark.parametrize(
    ("key", "value", "text"),
    [
        ("gmv", 1_234_567.0, "1,234,567"),
        ("gmv", 1_234_567.5, "1,234,567.5"),
        ("gmv", 1e15, "1,000,000,000,000,000"),
        ("traffic", 1_000_000.0, "1,000,000"),
        ("aov", 45.678, "45.68"),
        ("roi", 1000.0, "1,000"),
        ("sentiment", 72.35, "72.35"),
    ],
)
def test_format_metric_never_shows_an_exponent(key: str, value: float, text: str) -> None:
    assert format_metric(key, value) == text


@pytest.mark.parametrize(
    ("key", "raw", "value"),
    [
        ("gmv", "1,234", 1234.0),
        ("gmv", "1234567.5", 1_234_567.5),
        ("gmv", "１２．５", 12.5),
        ("traffic", "１，２３４", 1234.0),
        ("rue", "３５％", 35.0),
        ("roi", "0.5", 0.5),
    ],
)
def test_metrics_accept_plain_grouped_and_full_width_numbers(
    key: str, raw: str, value: float
) -> None:
    assert parse_metric(key, raw) == value


@pytest.mark.parametrize(
    ("key", "raw"),
    [
        ("rue", "1_0"),
        ("gmv", "1,2,3"),
        ("gmv", "1,23"),
        ("gmv", "12,34,567"),
        ("gmv", "١٢"),
        ("gmv", "1e3"),
        ("gmv", "5%"),  # a % only where the metric is a percentage
        ("roi", "+2"),
        ("roi", ".5"),
        ("roi", "0x10"),
    ],
)
def test_metrics_refuse_other_forms_showing_the_accepted_one(key: str, raw: str) -> None:
    with pytest.raises(RuleError) as err:
        parse_metric(key, raw)
    assert str(err.value).startswith(f"{key} must be a number, not `{raw}`: write it like")


# --- parse_period -------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["2026-W47", "2026w47", "2026W47", "2026-w47", " 2026-W47 "])
def test_parse_period_reads_an_iso_week(raw: str) -> None:
    assert parse_period(raw) == Period(date(2026, 11, 16), date(2026, 11, 22), "week", "2026-W47")


def test_parse_period_pads_a_one_digit_week() -> None:
    period = parse_period("2026-W1")
    assert period.label == "2026-W01"
    assert period.start == date(2025, 12, 29)  # ISO week 1 of 2026 starts in 2025


def test_parse_period_accepts_week_53_of_a_year_that_has_it() -> None:
    period = parse_period("2026-W53")
    assert (period.start, period.end) == (date(2026, 12, 28), date(2027, 1, 3))
    assert period.label == "2026-W53"


@pytest.mark.parametrize("raw", ["2025-W53", "2026-W54", "2026-W00"])
def test_parse_period_rejects_a_week_that_does_not_exist(raw: str) -> None:
    with pytest.raises(RuleError, match="not a real week, month or date"):
        parse_period(raw)


def test_parse_period_reads_a_month() -> None:
    assert parse_period("2026-11") == Period(
        date(2026, 11, 1), date(2026, 11, 30), "month", "2026-11"
    )


@pytest.mark.parametrize(
    ("raw", "start", "end", "label"),
    [
        ("2026-1", date(2026, 1, 1), date(2026, 1, 31), "2026-01"),
        ("2026-12", date(2026, 12, 1), date(2026, 12, 31), "2026-12"),
        ("2027-02", date(2027, 2, 1), date(2027, 2, 28), "2027-02"),
        ("2028-02", date(2028, 2, 1), date(2028, 2, 29), "2028-02"),
        ("2026-04", date(2026, 4, 1), date(2026, 4, 30), "2026-04"),
    ],
)
def test_parse_period_month_ends_on_its_last_day(
    raw: str, start: date, end: date, label: str
) -> None:
    assert parse_period(raw) == Period(start, end, "month", label)


def test_parse_period_reads_a_day() -> None:
    assert parse_period("2026-11-22") == Period(
        date(2026, 11, 22), date(2026, 11, 22), "day", "2026-11-22"
    )


def test_parse_period_accepts_the_leap_day_of_a_leap_year_only() -> None:
    assert parse_period("2028-02-29").start == date(2028, 2, 29)
    with pytest.raises(RuleError, match="not a real"):
        parse_period("2026-02-29")


@pytest.mark.parametrize("raw", ["2026-13", "2026-00", "2026-02-30", "2026-11-31", "2026-04-00"])
def test_parse_period_rejects_a_month_or_date_that_does_not_exist(raw: str) -> None:
    with pytest.raises(RuleError) as err:
        parse_period(raw)
    assert f"`{raw}` is not a real week, month or date" in str(err.value)


@pytest.mark.parametrize("raw", ["", "last week", "W47", "26-11", "2026/11/22", "2026-W47-1"])
def test_parse_period_explains_the_accepted_forms(raw: str) -> None:
    with pytest.raises(RuleError) as err:
        parse_period(raw)
    message = str(err.value)
    assert "is not a period" in message
    assert "2026-W47" in message
    assert "2026-11" in message


def test_parse_period_reads_full_width_digits_and_refuses_other_scripts() -> None:
    assert parse_period("２０２６－Ｗ４７").label == "2026-W47"
    with pytest.raises(RuleError, match="is not a period"):
        parse_period("٢٠٢٦-W47")


# --- the window of periods: 2000-01-01 to a year after today -------------------------

TODAY = date(2026, 11, 22)


@pytest.mark.parametrize(
    "raw",
    [
        "2000-W01",  # starts 2000-01-03
        "2000-01",
        "2000-01-01",
        "2026-W53",  # ISO week 53, ending 2027-01-03
        "2027-11-21",  # a year ahead less a day
        "2027-11-22",  # a year ahead
        "2027-W46",  # ends 2027-11-21
    ],
)
def test_read_period_accepts_periods_inside_the_window(raw: str) -> None:
    assert read_period(raw, TODAY) == parse_period(raw)


@pytest.mark.parametrize(
    "raw",
    [
        "9999-W52",
        "9999-12",
        "9999-12-31",
        "1999-12-31",
        "1999-W52",  # ends 2000-01-02 but starts in 1999
        "1999-12",
        "2027-11-23",  # a year ahead and a day
        "2027-W47",  # starts on the last day, ends after it
        "2027-11",  # ends 2027-11-30
    ],
)
def test_read_period_refuses_periods_outside_the_window_naming_it(raw: str) -> None:
    with pytest.raises(RuleError) as err:
        read_period(raw, TODAY)
    message = str(err.value)
    assert message.startswith(f"{raw} is outside the periods")
    assert "from 2000-01-01 to 2027-11-22 (a year from today)" in message


def test_a_week_past_the_calendar_is_outside_any_window_not_an_overflow() -> None:
    # 9999-W52 ends on 10000-01-02, which no date can hold.
    with pytest.raises(RuleError) as err:
        parse_period("9999-W52")
    assert str(err.value) == (
        "9999-W52 is outside the periods partnerbot records: from 2000-01-01 to a year from today."
    )


def test_the_window_moves_with_today() -> None:
    assert read_period("2028-11-22", date(2027, 11, 22)).label == "2028-11-22"
    assert period_window(date(2028, 2, 29)) == (date(2000, 1, 1), date(2029, 2, 28))


def test_check_period_returns_the_period_it_was_given() -> None:
    week = parse_period("2026-W47")
    assert check_period(week, TODAY) is week


# --- week_of and current_week -------------------------------------------------------


@pytest.mark.parametrize("day", [date(2026, 11, 16), date(2026, 11, 19), date(2026, 11, 22)])
def test_week_of_runs_monday_to_sunday(day: date) -> None:
    assert week_of(day) == parse_period("2026-W47")


def test_week_of_uses_the_iso_year_at_a_year_boundary() -> None:
    assert week_of(date(2027, 1, 1)).label == "2026-W53"
    assert week_of(date(2025, 12, 31)).label == "2026-W01"


def test_current_week_is_taken_in_the_workspace_time_zone() -> None:
    late_sunday_utc = datetime(2026, 11, 22, 23, 30, tzinfo=UTC)
    in_shanghai = current_week(late_sunday_utc, SHANGHAI)
    assert in_shanghai.label == "2026-W48"
    assert in_shanghai.start == date(2026, 11, 23)
    assert current_week(late_sunday_utc, ZoneInfo("UTC")).label == "2026-W47"


def test_current_week_west_of_utc_can_still_be_last_week() -> None:
    early_monday_utc = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
    assert current_week(early_monday_utc, ZoneInfo("UTC")).label == "2026-W48"
    assert current_week(early_monday_utc, ZoneInfo("America/New_York")).label == "2026-W47"


# --- stored_period: a stored label back to its whole period -------------------------


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(9998, 12, 1)))
def test_a_stored_label_names_the_whole_period_it_was_written_from(day: date) -> None:
    """What /health NAME reads rests on this: the week, the month and the day a date falls
    in, written as their labels, read back with the same start, end and kind."""
    month = parse_period(f"{day.year}-{day.month:02d}")
    for period in (week_of(day), month, Period(day, day, "day", day.isoformat())):
        assert stored_period(period.label) == period
