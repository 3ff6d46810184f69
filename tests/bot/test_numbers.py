"""The one number parser and the two formatters (bot/numbers.py), at their edges."""

from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.errors import CommandError, RuleError
from bot.health.command import BenchmarkRequest, ThresholdsRequest, parse_health_command
from bot.health.rules import parse_threshold
from bot.metrics import parse_metric
from bot.numbers import _plain, ascii_typed, format_amount, format_ratio, parse_number
from bot.registry.rules import Category
from bot.scoring.command import TopRequest, parse_score_command
from bot.scoring.rules import parse_cases, parse_dimension, parse_share, parse_weight

# --- parse_number: what is accepted -----------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("12", 12.0),
        ("12.5", 12.5),
        ("-3", -3.0),
        ("0", 0.0),
        ("007", 7.0),
        (" 12 ", 12.0),
        ("1,234", 1234.0),
        ("1,234,567.5", 1_234_567.5),
        ("123,456", 123_456.0),
        ("１２", 12.0),  # full-width, as a Chinese input method types it
        ("１２．５", 12.5),
        ("１，２３４", 1234.0),
        ("－３", -3.0),
        ("\u300012\u3000", 12.0),  # ideographic spaces around it
    ],
)
def test_parse_number_accepts_plain_grouped_and_full_width_decimals(raw: str, value: float) -> None:
    assert parse_number(raw, "gmv") == value


@pytest.mark.parametrize(("raw", "value"), [("35%", 35.0), ("35 %", 35.0), ("３５％", 35.0)])
def test_parse_number_takes_a_percent_sign_only_when_asked(raw: str, value: float) -> None:
    assert parse_number(raw, "rue", percent=True) == value
    with pytest.raises(RuleError, match=r"write it like 1234\.5 or 1,234\.5"):
        parse_number(raw, "gmv")


@pytest.mark.parametrize(("raw", "value"), [("12", 12.0), ("12.0", 12.0), ("1,000", 1000.0)])
def test_parse_number_whole_accepts_a_whole_value(raw: str, value: float) -> None:
    assert parse_number(raw, "traffic", whole=True) == value


# --- parse_number: what is refused, and how ----------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "1_0",  # Python's digit separator
        "1,2,3",
        "1,23",
        "1,2345",
        ",123",
        "0,123",
        "12,34,567",  # Indian grouping: one style only
        "1.234,5",  # European style
        "1 234",
        "1\u00a0234",  # no-break space
        "١٢",  # Arabic-Indic digits
        "۱۲",  # Extended Arabic-Indic digits
        "१२",  # Devanagari digits
        "²",  # NFKC would read it as 2
        "①",  # NFKC would read it as 1
        "1e3",
        "1E3",
        "１ｅ３",
        "nan",
        "NaN",
        "inf",
        "-inf",
        "Infinity",
        "0x10",
        "+3",
        ".5",
        "5.",
        "1.2.3",
        "--3",
        "12。5",  # an ideographic full stop is not a decimal point
        "",
        "  ",
        "abc",
    ],
)
def test_parse_number_refuses_other_forms_showing_the_accepted_one(raw: str) -> None:
    with pytest.raises(RuleError) as err:
        parse_number(raw, "gmv")
    assert str(err.value) == f"gmv must be a number, not `{raw}`: write it like 1234.5 or 1,234.5."


def test_parse_number_names_what_the_caller_expects() -> None:
    with pytest.raises(RuleError) as err:
        parse_number("high", "brand", "a number from 0 to 100", percent=True)
    assert str(err.value) == (
        "brand must be a number from 0 to 100, not `high`: write it like 35.5 or 35.5%."
    )


def test_parse_number_whole_refuses_a_fraction() -> None:
    with pytest.raises(RuleError) as err:
        parse_number("2.5", "cases", whole=True)
    assert str(err.value) == "cases must be a whole number, not `2.5`."
    with pytest.raises(RuleError, match="write it like 1234 or 1,234"):
        parse_number("1_000", "cases", whole=True)


def test_parse_number_clips_a_long_value_it_quotes() -> None:
    with pytest.raises(RuleError) as err:
        parse_number("x" * 5000, "gmv")
    assert len(str(err.value)) < 120
    assert "x…`" in str(err.value)


def test_parse_number_returns_infinity_for_digits_beyond_a_float() -> None:
    assert parse_number("9" * 400, "gmv") == float("inf")


def test_ascii_typed_reads_only_full_width_forms() -> None:
    assert ascii_typed("２０２６－Ｗ４７") == "2026-W47"
    assert ascii_typed("٢٠٢٦") is None
    assert ascii_typed("2²") is None


# --- the formatters ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.0, "0"),
        (-0.0, "0"),
        (999.0, "999"),
        (1000.0, "1,000"),
        (1_000_000.0, "1,000,000"),
        (1_234_567.0, "1,234,567"),
        (1_234_567.5, "1,234,567.5"),
        (1_234_567.891, "1,234,567.89"),
        (0.005, "0.01"),  # half up
        (1e15, "1,000,000,000,000,000"),
        (1e16, "10,000,000,000,000,000"),
        (2500.0, "2,500"),  # the HHI threshold
        (-1234.5, "-1,234.5"),
    ],
)
def test_format_amount_separates_thousands_and_never_shows_an_exponent(
    value: float, text: str
) -> None:
    assert format_amount(value) == text


def test_format_amount_rounds_to_the_places_asked() -> None:
    assert format_amount(3333.3333333333335, 0) == "3,333"
    assert format_amount(2499.5, 0) == "2,500"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (2.1, "2.1"),
        (35.0, "35"),
        (0.7, "0.7"),
        (0.30000000000000004, "0.3"),
        (1000.0, "1,000"),
        (1e-7, "0"),
        (3.14159, "3.1416"),
    ],
)
def test_format_ratio_shows_ratios_and_percentages_as_typed(value: float, text: str) -> None:
    assert format_ratio(value) == text


def test_format_ratio_fixed_keeps_its_decimals() -> None:
    assert format_ratio(0.4, 2, fixed=True) == "0.40"
    assert format_ratio(70.0, 1, fixed=True) == "70.0"
    assert format_ratio(69.95, 1, fixed=True) == "70.0"  # half up, as the composite rounds
    assert format_ratio(1234.5, 1, fixed=True) == "1,234.5"
    assert format_ratio(28.5714, 1) == "28.6"


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_the_formatters_show_a_dash_for_what_is_not_a_number(value: float) -> None:
    assert format_amount(value) == format_ratio(value) == "—"


# --- every way a number comes in reads it the same way -----------------------------------

READERS: dict[str, Callable[[str], float]] = {
    "metric gmv": lambda raw: parse_metric("gmv", raw),
    "threshold hhi": lambda raw: parse_threshold("hhi", raw),
    "dimension brand": lambda raw: parse_dimension("brand", raw),
    "weight brand": lambda raw: parse_weight("brand", raw),
    "share": parse_share,
    "cases": parse_cases,
}
# What each reader accepts when the value is in its range.
SAMPLES = {
    "metric gmv": ("1,234,567", 1_234_567.0),
    "threshold hhi": ("2,500", 2500.0),
    "dimension brand": ("８０．５", 80.5),
    "weight brand": ("１．５", 1.5),
    "share": ("２０％", 20.0),
    "cases": ("１２", 12),
}


@pytest.mark.parametrize("reader", list(READERS))
def test_every_reader_accepts_the_one_form(reader: str) -> None:
    raw, value = SAMPLES[reader]
    assert READERS[reader](raw) == value


@pytest.mark.parametrize("reader", list(READERS))
@pytest.mark.parametrize("raw", ["1_0", "1,23", "١٢", "1e1", "nan"])
def test_every_reader_refuses_the_other_forms(reader: str, raw: str) -> None:
    with pytest.raises(RuleError, match=f"not `{raw}`"):
        READERS[reader](raw)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("thresholds roi_ratio=70%", "roi_ratio must be a number, not `70%`"),
        ("thresholds hhi=25%", "hhi must be a number, not `25%`"),
        ("benchmark category=KOL roi=2_5", "roi must be a number such as 2.5"),
    ],
)
def test_a_percent_sign_or_other_form_is_refused_where_it_means_nothing(
    text: str, expected: str
) -> None:
    with pytest.raises(RuleError, match=expected):
        parse_health_command(text)


def test_health_reads_grouped_and_full_width_numbers() -> None:
    assert parse_health_command("thresholds hhi=2,000 rue=３５％") == ThresholdsRequest(
        {"hhi": 2000.0, "rue": 35.0}
    )
    assert parse_health_command("benchmark category=KOL roi=２．５") == BenchmarkRequest(
        Category.KOL, 2.5
    )


def test_top_reads_the_one_form_and_refuses_the_rest() -> None:
    assert parse_score_command("top １０") == TopRequest(10, None)
    assert parse_score_command("top 10.0") == TopRequest(10, None)
    for raw in ("1_0", "1e1", "٣"):
        with pytest.raises(CommandError, match=f"`top` takes a count from 1 to .*, not `{raw}`"):
            parse_score_command(f"top {raw}")


# --- the formatters' shortcut: the same text as the exact Decimal way ----------------------


def _by_decimal(value: float, places: int, fixed: bool) -> str:
    """The formatters' reference: the shortest repr, quantized half up (bot/numbers.py
    writes the digits itself when no rounding is needed)."""
    from decimal import ROUND_HALF_UP, Decimal

    exact = Decimal(repr(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    shown = f"{abs(exact) if exact == 0 else exact:,f}"
    return shown.rstrip("0").rstrip(".") if not fixed and "." in shown else shown


@given(
    st.one_of(
        st.floats(allow_nan=False, allow_infinity=False, min_value=-1e18, max_value=1e18),
        st.integers(-(10**9), 10**9).map(lambda n: n / 10),
        st.integers(-(10**9), 10**9).map(lambda n: n / 100),
        st.integers(-(10**17), 10**17).map(float),  # whole values, the shortest way's
        st.sampled_from([0.0, -0.0, -0.5, 0.1, 2 / 3, 1e15, 1e16, 123456.789, -1e-7, 5e-324]),
        st.sampled_from([9999999999999998.0, -9999999999999998.0, 1e16 + 2, -1e16, 69.0, -5.0]),
    ),
    st.integers(0, 6),
    st.booleans(),
)
def test_the_shortcut_writes_what_the_decimal_way_writes(
    value: float, places: int, fixed: bool
) -> None:
    assert format_ratio(value, places, fixed=fixed) == _by_decimal(value, places, fixed)
    if not fixed:
        assert format_amount(value, places) == _by_decimal(value, places, False)


@given(
    st.floats(min_value=-1e20, max_value=1e20) | st.sampled_from([float("inf"), -float("inf")]),
    st.integers(min_value=0, max_value=6),
    st.booleans(),
)
def test_memoised_formatting_shows_what_a_fresh_formatting_shows(
    value: float, places: int, fixed: bool
) -> None:
    """_plain is memoised: values a cached key also matches (the same float, 0.0 for -0.0,
    an int equal to it) must show what the value itself shows uncached."""
    fresh = _plain.__wrapped__
    for same in (value, -value if value == 0 else value, *_equal_int(value)):
        assert format_ratio(same, places, fixed=fixed) == fresh(value, places, fixed)
    assert format_amount(value, places) == fresh(value, places, False)


def _equal_int(value: float) -> tuple[int, ...]:
    return (
        (int(value),)
        if value == value and abs(value) != float("inf") and value.is_integer()
        else ()
    )
