"""The text after `/health` parsed into a typed request."""

from __future__ import annotations

import pytest

from bot.errors import CommandError, RuleError
from bot.health.command import (
    BenchmarkRequest,
    HealthHelpRequest,
    PartnerHealthRequest,
    PortfolioRequest,
    ThresholdsRequest,
    parse_health_command,
)
from bot.registry.rules import Category


@pytest.mark.parametrize("text", ["", "   "])
def test_nothing_asks_for_the_portfolio(text: str) -> None:
    assert parse_health_command(text) == PortfolioRequest()


@pytest.mark.parametrize("text", ["help", "HELP", " Help "])
def test_help(text: str) -> None:
    assert parse_health_command(text) == HealthHelpRequest()


def test_options_without_a_name_are_refused() -> None:
    with pytest.raises(CommandError, match="Give a partner name"):
        parse_health_command("rue=35")


# --- benchmark -------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["benchmark", "Benchmark"])
def test_benchmark_alone_shows_them(text: str) -> None:
    assert parse_health_command(text) == BenchmarkRequest()


@pytest.mark.parametrize(
    ("text", "category", "roi"),
    [
        ("benchmark category=kol roi=2.5", Category.KOL, 2.5),
        ("benchmark roi=3 category=Brand", Category.BRAND, 3.0),
        ("benchmark category=MCN roi=1000", Category.MCN, 1000.0),
    ],
)
def test_benchmark_set(text: str, category: Category, roi: float) -> None:
    request = parse_health_command(text)
    assert request == BenchmarkRequest(category, roi)


def test_benchmark_roi_without_category_is_refused() -> None:
    with pytest.raises(CommandError, match="Say which category"):
        parse_health_command("benchmark roi=2.5")


def test_benchmark_category_without_roi_is_refused() -> None:
    with pytest.raises(CommandError, match="Give the benchmark") as err:
        parse_health_command("benchmark category=KOL")
    assert "category=KOL roi=" in str(err.value)


@pytest.mark.parametrize("raw", ["abc", "0", "-1", "nan", "inf", "1001"])
def test_benchmark_bad_roi_is_refused(raw: str) -> None:
    with pytest.raises(ValueError, match=r"^roi must be") as err:
        parse_health_command(f"benchmark category=KOL roi={raw}")
    assert f"`{raw}`" in str(err.value)


def test_benchmark_unknown_category_is_refused() -> None:
    with pytest.raises(ValueError, match="`influencer` is not a category") as err:
        parse_health_command("benchmark category=influencer roi=2")
    assert "KOL" in str(err.value)


def test_benchmark_unknown_option_is_refused() -> None:
    with pytest.raises(ValueError, match="`ratio` is not a benchmark option"):
        parse_health_command("benchmark category=KOL roi=2 ratio=1")


# --- thresholds ------------------------------------------------------------------------


def test_thresholds_alone_shows_them() -> None:
    assert parse_health_command("thresholds") == ThresholdsRequest({})


def test_thresholds_set() -> None:
    request = parse_health_command("thresholds rue=35 hhi=2000")
    assert request == ThresholdsRequest({"rue": 35.0, "hhi": 2000.0})


def test_thresholds_whole_numbers_and_percent() -> None:
    request = parse_health_command("thresholds RUE_WEEKS=3 sentiment_drop=25%")
    assert request == ThresholdsRequest({"rue_weeks": 3.0, "sentiment_drop": 25.0})


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("thresholds rue=abc", "rue must be a number, not `abc`"),
        ("thresholds rue=120", "between 0 and 100, not `120`"),
        ("thresholds rue_weeks=2.5", "rue_weeks must be a whole number"),
        ("thresholds colour=1", "`colour` is not a threshold"),
        ("thresholds rue=35 colour=1", "`colour` is not a threshold"),
    ],
)
def test_thresholds_bad_values_are_refused_naming_the_problem(text: str, words: str) -> None:
    with pytest.raises(ValueError) as err:
        parse_health_command(text)
    assert words in str(err.value)


@pytest.mark.parametrize("raw", ["nan", "inf"])
def test_thresholds_whole_number_nan_or_infinity_is_refused_clearly(raw: str) -> None:
    with pytest.raises(RuleError) as err:
        parse_health_command(f"thresholds rue_weeks={raw}")
    assert str(err.value).startswith("rue_weeks")
    assert f"`{raw}`" in str(err.value)


def test_thresholds_mention_as_value_is_refused() -> None:
    with pytest.raises(CommandError, match="rue cannot be a user"):
        parse_health_command("thresholds rue=<@U0ABC|maria>")


# --- a partner ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "request_"),
    [
        ('"Acme Media"', PartnerHealthRequest("Acme Media", chart=False)),
        ("Acme Media", PartnerHealthRequest("Acme Media", chart=False)),
        ('"Acme Media" chart', PartnerHealthRequest("Acme Media", chart=True)),
        ("Acme Media chart", PartnerHealthRequest("Acme Media", chart=True)),
        ("Acme Media CHART", PartnerHealthRequest("Acme Media", chart=True)),
        ("chart", PartnerHealthRequest("chart", chart=False)),
        ('"Chart"', PartnerHealthRequest("Chart", chart=False)),
        ("chart chart", PartnerHealthRequest("chart", chart=True)),
        ('"Big chart"', PartnerHealthRequest("Big chart", chart=False)),
        ("  Acme   Media  ", PartnerHealthRequest("Acme Media", chart=False)),
        ("星光传媒", PartnerHealthRequest("星光传媒", chart=False)),
    ],
)
def test_partner_health(text: str, request_: PartnerHealthRequest) -> None:
    assert parse_health_command(text) == request_


@pytest.mark.parametrize("text", ['"Acme Media" rue=35', "Acme chart=1"])
def test_options_after_a_name_are_refused(text: str) -> None:
    with pytest.raises(CommandError, match="takes no options"):
        parse_health_command(text)


def test_a_mention_as_the_name_is_refused() -> None:
    with pytest.raises(CommandError, match="A partner name cannot be a user"):
        parse_health_command("<@U0ABC|maria>")


def test_an_unclosed_quote_is_refused() -> None:
    with pytest.raises(CommandError, match="not closed"):
        parse_health_command('"Acme Media')
