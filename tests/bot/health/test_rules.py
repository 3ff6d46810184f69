"""Partner health (domain.md §3, issue 3): each rule at its boundary, status, trends."""

from __future__ import annotations

from dataclasses import asdict, replace
from datetime import date

import pytest

from bot.errors import RuleError
from bot.health.rules import (
    SPARKS,
    HealthStatus,
    MetricPoint,
    Rule,
    RuleResult,
    RuleState,
    Thresholds,
    assess,
    backup_rule,
    lookback_start,
    month_of,
    parse_threshold,
    roi_rule,
    sentiment_rule,
    sparkline,
    status_of,
    thresholds_from,
    trends,
    utilisation_rule,
    window_weeks,
)
from bot.metrics import parse_period
from bot.registry.rules import Category, Partner, Status, Tier

DEFAULTS = Thresholds()


def point(period: str, metric: str, value: float, partner_id: int = 1) -> MetricPoint:
    return MetricPoint(partner_id, parse_period(period), metric, value)


def rue(*pairs: tuple[str, float]) -> list[MetricPoint]:
    return [point(label, "rue", value) for label, value in pairs]


def roi(*pairs: tuple[str, float]) -> list[MetricPoint]:
    return [point(label, "roi", value) for label, value in pairs]


def sentiment(*pairs: tuple[str, float]) -> list[MetricPoint]:
    return [point(label, "sentiment", value) for label, value in pairs]


def partner(
    tier: Tier = Tier.STANDARD,
    backups: tuple[str, ...] = (),
    category: Category = Category.KOL,
    name: str = "Acme Media",
) -> Partner:
    return Partner(1, "T1", name, category, tier, Status.ACTIVE, "U1", backups=backups)


# --- Thresholds ------------------------------------------------------------------------


def test_default_thresholds_are_the_domain_numbers() -> None:
    assert asdict(DEFAULTS) == {
        "rue": 40.0,
        "rue_weeks": 2,
        "sentiment_drop": 30.0,
        "roi_ratio": 0.7,
        "roi_months": 2,
        "hhi": 2500.0,
        "window_weeks": 4,
    }


@pytest.mark.parametrize(
    ("key", "raw", "value"),
    [
        ("rue", "0", 0.0),
        ("rue", "100", 100.0),
        ("rue", "35.5", 35.5),
        ("rue", "40%", 40.0),
        ("rue_weeks", "1", 1),
        ("rue_weeks", "12", 12),
        ("rue_weeks", "3.0", 3),
        ("sentiment_drop", "30", 30.0),
        ("roi_ratio", "0.7", 0.7),
        ("roi_months", "6", 6),
        ("hhi", "2000", 2000.0),
        ("window_weeks", "26", 26),
    ],
)
def test_parse_threshold_accepts_values_in_range(key: str, raw: str, value: float) -> None:
    parsed = parse_threshold(key, raw)
    assert parsed == value
    assert type(parsed) is type(value)


@pytest.mark.parametrize(
    ("key", "raw", "words"),
    [
        ("rue", "-1", "between 0 and 100"),
        ("rue", "100.1", "between 0 and 100"),
        ("rue", "120", "between 0 and 100"),
        ("rue_weeks", "0", "between 1 and 12"),
        ("rue_weeks", "13", "between 1 and 12"),
        ("rue_weeks", "2.5", "whole number"),
        ("sentiment_drop", "0", "between 1 and 100"),
        ("roi_ratio", "0", "between 0.01 and 10"),
        ("hhi", "10001", "between 1 and 10,000"),
        ("window_weeks", "27", "between 1 and 26"),
    ],
)
def test_parse_threshold_rejects_values_out_of_range(key: str, raw: str, words: str) -> None:
    with pytest.raises(RuleError) as err:
        parse_threshold(key, raw)
    message = str(err.value)
    assert message.startswith(key)
    assert words in message
    assert f"`{raw}`" in message


@pytest.mark.parametrize("key", ["rue", "rue_weeks", "roi_ratio", "hhi"])
def test_parse_threshold_rejects_text_naming_the_key(key: str) -> None:
    with pytest.raises(RuleError, match=f"^{key} must be a number, not `abc`"):
        parse_threshold(key, "abc")


@pytest.mark.parametrize("key", ["rue", "rue_weeks"])
@pytest.mark.parametrize("raw", ["nan", "inf"])
def test_parse_threshold_rejects_nan_and_infinity(key: str, raw: str) -> None:
    with pytest.raises(RuleError) as err:
        parse_threshold(key, raw)
    assert str(err.value).startswith(key)
    assert f"`{raw}`" in str(err.value)


def test_parse_threshold_unknown_key_lists_the_accepted_ones() -> None:
    with pytest.raises(RuleError) as err:
        parse_threshold("colour", "1")
    message = str(err.value)
    assert "`colour` is not a threshold" in message
    for key in ("rue", "rue_weeks", "sentiment_drop", "roi_ratio", "roi_months", "hhi"):
        assert key in message
    assert "window_weeks" in message


def test_thresholds_from_overlays_stored_values() -> None:
    limits = thresholds_from({"rue": 35.0, "hhi": 2000.0})
    assert limits == replace(DEFAULTS, rue=35.0, hhi=2000.0)


def test_thresholds_from_ignores_unknown_keys_and_casts_whole_numbers() -> None:
    limits = thresholds_from(
        {"rue_weeks": 3.0, "roi_months": 6.0, "window_weeks": 8.0, "colour": 1.0}
    )
    assert limits.rue_weeks == 3
    assert limits.roi_months == 6
    assert limits.window_weeks == 8
    assert type(limits.rue_weeks) is int
    assert type(limits.roi_months) is int
    assert type(limits.window_weeks) is int
    assert not hasattr(limits, "colour")


def test_thresholds_from_nothing_is_the_defaults() -> None:
    assert thresholds_from({}) == DEFAULTS


# --- Utilisation ----------------------------------------------------------------------


def test_utilisation_two_consecutive_low_weeks_fire() -> None:
    result = utilisation_rule(rue(("2026-W46", 35), ("2026-W47", 30)), DEFAULTS)
    assert result.rule == Rule.UTILISATION
    assert result.state == RuleState.FIRED
    assert result.fired
    assert "30% (2026-W47)" in result.detail
    assert "35% (2026-W46)" in result.detail
    assert "2 weeks below 40%" in result.detail


def test_utilisation_exactly_40_is_not_below() -> None:
    result = utilisation_rule(rue(("2026-W46", 35), ("2026-W47", 40)), DEFAULTS)
    assert result.state == RuleState.OK
    assert "40% (2026-W47)" in result.detail
    assert "not all below 40%" in result.detail


def test_utilisation_39_9_is_below() -> None:
    result = utilisation_rule(rue(("2026-W46", 39.9), ("2026-W47", 39.9)), DEFAULTS)
    assert result.state == RuleState.FIRED
    assert "39.9% (2026-W47)" in result.detail


def test_utilisation_one_week_is_not_enough_data() -> None:
    result = utilisation_rule(rue(("2026-W47", 10)), DEFAULTS)
    assert result.state == RuleState.UNKNOWN
    assert "2 weeks" in result.detail
    assert "2026-W47" in result.detail


def test_utilisation_no_weeks_says_none() -> None:
    result = utilisation_rule([], DEFAULTS)
    assert result.state == RuleState.UNKNOWN
    assert "has none" in result.detail


def test_utilisation_weeks_with_a_gap_do_not_fire() -> None:
    result = utilisation_rule(rue(("2026-W45", 10), ("2026-W47", 10)), DEFAULTS)
    assert result.state == RuleState.OK
    assert "not consecutive" in result.detail
    assert "2026-W45" in result.detail
    assert "2026-W47" in result.detail


def test_utilisation_only_the_two_most_recent_weeks_count() -> None:
    points = rue(("2026-W44", 10), ("2026-W45", 10), ("2026-W46", 10), ("2026-W47", 80))
    result = utilisation_rule(points, DEFAULTS)
    assert result.state == RuleState.OK
    assert "80% (2026-W47)" in result.detail
    assert "2026-W44" not in result.detail


def test_utilisation_recent_low_weeks_fire_after_older_high_ones() -> None:
    points = rue(("2026-W47", 20), ("2026-W44", 90), ("2026-W46", 25), ("2026-W45", 90))
    result = utilisation_rule(points, DEFAULTS)
    assert result.state == RuleState.FIRED
    assert "2026-W45" not in result.detail


def test_utilisation_latest_two_with_a_gap_do_not_fire_despite_older_run() -> None:
    points = rue(("2026-W43", 10), ("2026-W44", 10), ("2026-W46", 10))
    result = utilisation_rule(points, DEFAULTS)
    assert result.state == RuleState.OK
    assert "not consecutive" in result.detail


@pytest.mark.parametrize(("older", "newer"), [("2026-W53", "2027-W01"), ("2025-W52", "2026-W01")])
def test_utilisation_weeks_across_a_year_boundary_are_consecutive(older: str, newer: str) -> None:
    result = utilisation_rule(rue((older, 30), (newer, 30)), DEFAULTS)
    assert result.state == RuleState.FIRED
    assert older in result.detail
    assert newer in result.detail


def test_utilisation_ignores_monthly_and_daily_values() -> None:
    points = rue(("2026-10", 10), ("2026-11", 10), ("2026-11-20", 10), ("2026-11-21", 10))
    result = utilisation_rule(points, DEFAULTS)
    assert result.state == RuleState.UNKNOWN
    assert "has none" in result.detail


def test_utilisation_monthly_values_do_not_fill_a_missing_week() -> None:
    points = rue(("2026-W47", 10), ("2026-11", 10), ("2026-11-16", 10))
    result = utilisation_rule(points, DEFAULTS)
    assert result.state == RuleState.UNKNOWN
    assert "2026-W47" in result.detail


def test_utilisation_ignores_other_metrics() -> None:
    points = [point("2026-W46", "roi", 1), point("2026-W47", "sentiment", 1)]
    assert utilisation_rule(points, DEFAULTS).state == RuleState.UNKNOWN


def test_utilisation_three_week_threshold_needs_three() -> None:
    limits = replace(DEFAULTS, rue_weeks=3)
    two = rue(("2026-W46", 10), ("2026-W47", 10))
    three = rue(("2026-W45", 10), ("2026-W46", 10), ("2026-W47", 10))
    assert utilisation_rule(two, limits).state == RuleState.UNKNOWN
    assert "3 weeks" in utilisation_rule(two, limits).detail
    fired = utilisation_rule(three, limits)
    assert fired.state == RuleState.FIRED
    assert "3 weeks below 40%" in fired.detail


def test_utilisation_threshold_change_takes_effect() -> None:
    points = rue(("2026-W46", 45), ("2026-W47", 45))
    assert utilisation_rule(points, DEFAULTS).state == RuleState.OK
    fired = utilisation_rule(points, replace(DEFAULTS, rue=50.0))
    assert fired.state == RuleState.FIRED
    assert "below 50%" in fired.detail


# --- ROI ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "month"),
    [
        ("2026-W44", date(2026, 10, 1)),  # Mon 26 Oct, Thu 29 Oct
        ("2026-W45", date(2026, 11, 1)),  # Mon 2 Nov
        ("2026-W49", date(2026, 12, 1)),  # Mon 30 Nov, Thu 3 Dec
        ("2026-W53", date(2026, 12, 1)),  # Mon 28 Dec, Thu 31 Dec
        ("2026-W01", date(2026, 1, 1)),  # Mon 29 Dec 2025, Thu 1 Jan 2026
        ("2026-11", date(2026, 11, 1)),
        ("2026-11-30", date(2026, 11, 1)),
    ],
)
def test_month_of_puts_a_week_in_its_thursdays_month(label: str, month: date) -> None:
    assert month_of(parse_period(label)) == month


def test_roi_two_consecutive_weak_months_fire() -> None:
    points = roi(("2026-10", 1.5), ("2026-11", 1.2))
    result = roi_rule(points, 2.5, "KOL", DEFAULTS)
    assert result.rule == Rule.ROI
    assert result.state == RuleState.FIRED
    assert "1.2 (2026-11)" in result.detail
    assert "1.5 (2026-10)" in result.detail
    assert "floor 1.75 = 0.7 × KOL benchmark 2.5" in result.detail


def test_roi_is_the_mean_of_each_months_weekly_values() -> None:
    # October: W41..W44 (W44 is Mon 26 Oct, so October); November: W45..W48.
    points = roi(
        ("2026-W41", 1.0),
        ("2026-W42", 2.0),
        ("2026-W43", 1.0),
        ("2026-W44", 2.0),
        ("2026-W45", 1.0),
        ("2026-W46", 1.0),
        ("2026-W47", 1.0),
        ("2026-W48", 3.0),
    )
    result = roi_rule(points, 2.5, "KOL", DEFAULTS)
    assert result.state == RuleState.FIRED
    assert "1.5 (2026-10)" in result.detail
    assert "1.5 (2026-11)" in result.detail


def test_roi_a_weak_week_inside_a_healthy_month_does_not_fire() -> None:
    points = roi(("2026-W44", 1.0), ("2026-W43", 3.0), ("2026-W45", 1.0), ("2026-W46", 3.0))
    result = roi_rule(points, 2.5, "KOL", DEFAULTS)
    assert result.state == RuleState.OK
    assert "2 (2026-10)" in result.detail
    assert "2 (2026-11)" in result.detail
    assert "not all below" in result.detail


def test_roi_week_49_belongs_to_december() -> None:
    points = roi(("2026-W48", 1.0), ("2026-W49", 1.2))
    result = roi_rule(points, 2.5, "KOL", DEFAULTS)
    assert result.state == RuleState.FIRED
    assert "1.2 (2026-12)" in result.detail
    assert "1 (2026-11)" in result.detail


@pytest.mark.parametrize(
    ("benchmark", "ratio", "at_floor"),
    [(2.5, 0.7, 1.75), (3.0, 0.8, 2.4), (8.3, 0.7, 5.81)],
)
def test_roi_exactly_at_the_floor_does_not_fire(
    benchmark: float, ratio: float, at_floor: float
) -> None:
    limits = replace(DEFAULTS, roi_ratio=ratio)
    points = roi(("2026-10", at_floor), ("2026-11", at_floor))
    result = roi_rule(points, benchmark, "KOL", limits)
    assert result.state == RuleState.OK, result.detail
    assert "not all below" in result.detail


def test_roi_just_below_the_floor_fires() -> None:
    points = roi(("2026-10", 1.74), ("2026-11", 1.74))
    assert roi_rule(points, 2.5, "KOL", DEFAULTS).state == RuleState.FIRED


def test_roi_one_healthy_month_of_two_does_not_fire() -> None:
    points = roi(("2026-10", 1.0), ("2026-11", 2.0))
    result = roi_rule(points, 2.5, "KOL", DEFAULTS)
    assert result.state == RuleState.OK
    assert "not all below" in result.detail


def test_roi_the_two_most_recent_months_count() -> None:
    points = roi(("2026-08", 1.0), ("2026-09", 1.0), ("2026-10", 1.0), ("2026-11", 3.0))
    result = roi_rule(points, 2.5, "KOL", DEFAULTS)
    assert result.state == RuleState.OK
    assert "2026-09" not in result.detail


def test_roi_months_with_a_gap_do_not_fire() -> None:
    points = roi(("2026-09", 1.0), ("2026-11", 1.0))
    result = roi_rule(points, 2.5, "KOL", DEFAULTS)
    assert result.state == RuleState.OK
    assert "not consecutive" in result.detail


def test_roi_december_to_january_is_consecutive() -> None:
    points = roi(("2026-12", 1.0), ("2027-01", 1.0))
    result = roi_rule(points, 2.5, "KOL", DEFAULTS)
    assert result.state == RuleState.FIRED
    assert "2026-12" in result.detail
    assert "2027-01" in result.detail


def test_roi_without_a_benchmark_says_so() -> None:
    points = roi(("2026-10", 1.0), ("2026-11", 1.0))
    result = roi_rule(points, None, "MCN", DEFAULTS)
    assert result.state == RuleState.UNKNOWN
    assert "no ROI benchmark for MCN" in result.detail
    assert "/health benchmark category=MCN" in result.detail


def test_roi_one_month_is_not_enough_data() -> None:
    points = roi(("2026-W46", 1.0), ("2026-W47", 1.0))
    result = roi_rule(points, 2.5, "KOL", DEFAULTS)
    assert result.state == RuleState.UNKNOWN
    assert "2 months" in result.detail
    assert "2026-11" in result.detail


def test_roi_with_no_values_is_not_enough_data() -> None:
    result = roi_rule([point("2026-10", "rue", 1.0)], 2.5, "KOL", DEFAULTS)
    assert result.state == RuleState.UNKNOWN
    assert "has none" in result.detail


def test_roi_months_threshold_change_takes_effect() -> None:
    limits = replace(DEFAULTS, roi_months=3)
    two = roi(("2026-10", 1.0), ("2026-11", 1.0))
    three = roi(("2026-09", 1.0), ("2026-10", 1.0), ("2026-11", 1.0))
    assert roi_rule(two, 2.5, "KOL", limits).state == RuleState.UNKNOWN
    assert roi_rule(three, 2.5, "KOL", limits).state == RuleState.FIRED


# --- Sentiment ------------------------------------------------------------------------


def test_sentiment_a_30_percent_fall_fires() -> None:
    result = sentiment_rule(sentiment(("2026-W46", 70), ("2026-W47", 49)), DEFAULTS)
    assert result.rule == Rule.SENTIMENT
    assert result.state == RuleState.FIRED
    assert "sentiment 70 (2026-W46) → 49 (2026-W47)" in result.detail
    assert "down 30%" in result.detail
    assert "at least 30%" in result.detail


@pytest.mark.parametrize(("latest", "change"), [(50.0, "down 28.6%"), (49.1, "down 29.9%")])
def test_sentiment_less_than_30_percent_does_not_fire(latest: float, change: str) -> None:
    result = sentiment_rule(sentiment(("2026-W46", 70), ("2026-W47", latest)), DEFAULTS)
    assert result.state == RuleState.OK
    assert change in result.detail
    assert "at least" not in result.detail


def test_sentiment_an_increase_does_not_fire() -> None:
    result = sentiment_rule(sentiment(("2026-W46", 50), ("2026-W47", 75)), DEFAULTS)
    assert result.state == RuleState.OK
    assert "up 50%" in result.detail


def test_sentiment_a_single_value_is_not_enough_data() -> None:
    result = sentiment_rule(sentiment(("2026-W47", 70)), DEFAULTS)
    assert result.state == RuleState.UNKNOWN
    assert "has 1" in result.detail


def test_sentiment_compares_by_period_not_input_order() -> None:
    points = sentiment(("2026-W47", 49), ("2026-W45", 10), ("2026-W46", 70))
    result = sentiment_rule(points, DEFAULTS)
    assert result.state == RuleState.FIRED
    assert "70 (2026-W46) → 49 (2026-W47)" in result.detail


def test_sentiment_a_recovery_after_a_fall_does_not_fire() -> None:
    points = sentiment(("2026-W47", 60), ("2026-W45", 70), ("2026-W46", 40))
    result = sentiment_rule(points, DEFAULTS)
    assert result.state == RuleState.OK
    assert "40 (2026-W46) → 60 (2026-W47)" in result.detail


def test_sentiment_from_zero_does_not_crash() -> None:
    result = sentiment_rule(sentiment(("2026-W46", 0), ("2026-W47", 20)), DEFAULTS)
    assert result.state == RuleState.OK
    assert "0 (2026-W46)" in result.detail


def test_sentiment_fall_to_zero_fires() -> None:
    result = sentiment_rule(sentiment(("2026-W46", 70), ("2026-W47", 0)), DEFAULTS)
    assert result.state == RuleState.FIRED
    assert "down 100%" in result.detail


def test_sentiment_drop_threshold_change_takes_effect() -> None:
    points = sentiment(("2026-W46", 70), ("2026-W47", 56))  # exactly 20% down
    assert sentiment_rule(points, DEFAULTS).state == RuleState.OK
    fired = sentiment_rule(points, replace(DEFAULTS, sentiment_drop=20.0))
    assert fired.state == RuleState.FIRED
    assert "at least 20%" in fired.detail


# --- Backup ---------------------------------------------------------------------------


@pytest.mark.parametrize("tier", [Tier.STRATEGIC, Tier.CORE])
def test_backup_strategic_and_core_without_backup_fire(tier: Tier) -> None:
    result = backup_rule(partner(tier))
    assert result.rule == Rule.BACKUP
    assert result.state == RuleState.FIRED
    assert f"a {tier.value} partner with no backup" in result.detail


def test_backup_registered_is_ok() -> None:
    result = backup_rule(partner(Tier.CORE, backups=("Beta Studio", "Gamma")))
    assert result.state == RuleState.OK
    assert "Beta Studio" in result.detail
    assert "Gamma" in result.detail


@pytest.mark.parametrize("tier", [Tier.STANDARD, Tier.TRIAL])
def test_backup_not_applicable_below_core(tier: Tier) -> None:
    result = backup_rule(partner(tier))
    assert result.state == RuleState.NOT_APPLICABLE
    assert tier.value in result.detail


# --- Status ---------------------------------------------------------------------------


def rules(
    utilisation: RuleState = RuleState.OK,
    roi_state: RuleState = RuleState.OK,
    sentiment_state: RuleState = RuleState.OK,
    backup: RuleState = RuleState.NOT_APPLICABLE,
) -> tuple[RuleResult, ...]:
    return (
        RuleResult(Rule.UTILISATION, utilisation, ""),
        RuleResult(Rule.ROI, roi_state, ""),
        RuleResult(Rule.SENTIMENT, sentiment_state, ""),
        RuleResult(Rule.BACKUP, backup, ""),
    )


F, OK, U = RuleState.FIRED, RuleState.OK, RuleState.UNKNOWN


def test_status_red_when_sentiment_fires_even_with_others() -> None:
    assert status_of(rules(sentiment_state=F)) == HealthStatus.RED
    assert status_of(rules(F, F, F, F)) == HealthStatus.RED
    assert status_of(rules(U, U, F, RuleState.NOT_APPLICABLE)) == HealthStatus.RED


@pytest.mark.parametrize(
    "given",
    [
        rules(utilisation=F),
        rules(roi_state=F),
        rules(backup=F),
        rules(U, U, U, F),
        rules(F, U, U),
    ],
)
def test_status_amber_for_utilisation_roi_or_backup(given: tuple[RuleResult, ...]) -> None:
    assert status_of(given) == HealthStatus.AMBER


@pytest.mark.parametrize(
    "given",
    [rules(), rules(OK, U, U), rules(U, OK, U), rules(U, U, OK), rules(backup=OK)],
)
def test_status_green_when_something_is_evaluated_and_nothing_fires(
    given: tuple[RuleResult, ...],
) -> None:
    assert status_of(given) == HealthStatus.GREEN


@pytest.mark.parametrize("backup", [RuleState.NOT_APPLICABLE, RuleState.OK])
def test_status_grey_when_no_metric_rule_can_be_evaluated(backup: RuleState) -> None:
    assert status_of(rules(U, U, U, backup)) == HealthStatus.GREY


# --- assess ---------------------------------------------------------------------------


def test_assess_core_partner_without_backup_or_metrics_is_amber() -> None:
    report = assess(partner(Tier.CORE), [], 2.5, DEFAULTS)
    assert report.status == HealthStatus.AMBER
    assert [r.rule for r in report.fired] == [Rule.BACKUP]
    assert report.actions == ["Register a backup partner who can take over."]


def test_assess_standard_partner_without_metrics_is_grey() -> None:
    report = assess(partner(), [], 2.5, DEFAULTS)
    assert report.status == HealthStatus.GREY
    assert report.fired == []
    assert report.actions == []
    assert [r.state for r in report.rules] == [U, U, U, RuleState.NOT_APPLICABLE]
    assert report.trends == {}


def test_assess_green_partner() -> None:
    points = [
        *rue(("2026-W46", 60), ("2026-W47", 70)),
        *roi(("2026-10", 3.0), ("2026-11", 3.2)),
        *sentiment(("2026-W46", 70), ("2026-W47", 72)),
    ]
    report = assess(partner(Tier.CORE, backups=("Beta",)), points, 2.5, DEFAULTS)
    assert report.status == HealthStatus.GREEN
    assert [r.state for r in report.rules] == [OK, OK, OK, OK]


def test_assess_red_partner_lists_every_fired_rule_and_action() -> None:
    points = [
        *rue(("2026-W46", 30), ("2026-W47", 20)),
        *roi(("2026-10", 1.0), ("2026-11", 1.0)),
        *sentiment(("2026-W46", 70), ("2026-W47", 40)),
    ]
    report = assess(partner(Tier.STRATEGIC), points, 2.5, DEFAULTS)
    assert report.status == HealthStatus.RED
    assert [r.rule for r in report.fired] == [
        Rule.UTILISATION,
        Rule.ROI,
        Rule.SENTIMENT,
        Rule.BACKUP,
    ]
    assert report.actions == [
        "Start the resource optimisation process.",
        "Adjust strategy: ROI has stayed below the benchmark's floor.",
        "Start the emergency plan (failover drill).",
        "Register a backup partner who can take over.",
    ]
    assert report.severity == (0, -4)


def test_assess_uses_the_partners_category_for_the_benchmark() -> None:
    points = roi(("2026-10", 1.0), ("2026-11", 1.0))
    report = assess(partner(category=Category.BRAND), points, None, DEFAULTS)
    roi_result = next(r for r in report.rules if r.rule == Rule.ROI)
    assert "no ROI benchmark for brand" in roi_result.detail


def test_assess_trends_keep_the_latest_per_metric_in_period_order() -> None:
    labels = [f"2026-W{w}" for w in range(47, 37, -1)]  # W47 down to W38, newest first
    points = [point(label, "rue", float(i)) for i, label in enumerate(labels)]
    points += sentiment(("2026-W47", 60), ("2026-W46", 50))
    report = assess(partner(), points, None, DEFAULTS, trend_periods=3)
    assert report.trends == {
        "rue": [("2026-W45", 2.0), ("2026-W46", 1.0), ("2026-W47", 0.0)],
        "sentiment": [("2026-W46", 50.0), ("2026-W47", 60.0)],
    }


def test_trends_of_zero_periods_is_empty() -> None:
    assert trends(rue(("2026-W47", 1)), 0) == {}


def test_trends_default_keeps_eight() -> None:
    points = [point(f"2026-W{w:02d}", "gmv", float(w)) for w in range(1, 21)]
    report = assess(partner(), points, None, DEFAULTS)
    assert [label for label, _ in report.trends["gmv"]] == [f"2026-W{w}" for w in range(13, 21)]


# --- sparkline ------------------------------------------------------------------------


def test_sparkline_empty() -> None:
    assert sparkline([]) == ""


def test_sparkline_flat() -> None:
    assert sparkline([5, 5, 5]) == SPARKS[3] * 3


def test_sparkline_rising() -> None:
    assert sparkline([1, 2, 3, 4, 5, 6, 7, 8]) == "▁▂▃▄▅▆▇█"


def test_sparkline_scales_from_min_to_max() -> None:
    line = sparkline([1000, 5000, 3000])
    assert line[0] == "▁"
    assert line[1] == "█"
    assert len(line) == 3
    assert sparkline([0.1, 0.2]) == "▁█"


# --- windows --------------------------------------------------------------------------


def test_window_weeks_ends_with_todays_week() -> None:
    first, last = window_weeks(date(2026, 11, 22), 4)  # Sunday of 2026-W47
    assert first.label == "2026-W44"
    assert last.label == "2026-W47"
    assert first.start == date(2026, 10, 26)
    assert last.end == date(2026, 11, 22)


def test_window_weeks_on_a_monday_and_across_a_year() -> None:
    first, last = window_weeks(date(2027, 1, 4), 4)  # Monday of 2027-W01; 2026 has a W53
    assert (first.label, last.label) == ("2026-W51", "2027-W01")
    first, last = window_weeks(date(2026, 11, 18), 1)
    assert first == last == parse_period("2026-W47")


def test_lookback_start_defaults_to_four_months() -> None:
    assert lookback_start(date(2026, 11, 22), DEFAULTS) == date(2026, 7, 1)
    assert lookback_start(date(2027, 1, 15), DEFAULTS) == date(2026, 9, 1)


def test_lookback_start_grows_for_longer_thresholds() -> None:
    today = date(2026, 11, 22)
    default = lookback_start(today, DEFAULTS)
    longer = lookback_start(today, replace(DEFAULTS, roi_months=6))
    assert longer < default
    assert longer <= date(2026, 5, 1)  # six whole months before November
    for limits in (replace(DEFAULTS, rue_weeks=12), replace(DEFAULTS, window_weeks=26)):
        weeks = max(limits.rue_weeks, limits.window_weeks)
        assert lookback_start(today, limits) <= window_weeks(today, weeks)[0].start


def test_sentiment_compares_periods_of_the_same_kind() -> None:
    month = parse_period("2026-11")
    weeks = [parse_period("2026-W46"), parse_period("2026-W47")]
    points = [
        MetricPoint(1, month, "sentiment", 90.0),  # the month that holds the weeks
        MetricPoint(1, weeks[0], "sentiment", 60.0),
        MetricPoint(1, weeks[1], "sentiment", 58.0),
    ]
    result = sentiment_rule(points, Thresholds())
    assert result.state == RuleState.OK
    assert "60 (2026-W46) → 58 (2026-W47)" in result.detail
