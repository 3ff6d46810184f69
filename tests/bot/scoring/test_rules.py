"""Fit score (domain.md §2, issue 4): composite, gates at their boundaries, why it changed,
ranking and the yearly review."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.errors import RuleError
from bot.registry.rules import Category
from bot.scoring.rules import (
    DIMENSION_LABELS,
    DIMENSIONS,
    WEIGHT_KEYS,
    FitScore,
    Ranked,
    Rating,
    ReviewEntry,
    Verdict,
    Weights,
    efficiency,
    explain_change,
    fit_score,
    parse_cases,
    parse_dimension,
    parse_share,
    parse_weight,
    rank,
    review,
    weights_from,
    weights_from_updates,
)

EQUAL = Weights()
GOOD_ROI = ("2026-W47", 3.2)


def values(**given: float | None) -> dict[str, float | None]:
    """Every dimension at 75 unless given."""
    return {d: given.get(d, 75.0) for d in DIMENSIONS}


def score(
    weights: Weights = EQUAL,
    cases: int = 3,
    roi: tuple[str, float] | None = GOOD_ROI,
    **given: float | None,
) -> FitScore:
    return fit_score(values(**given), weights, cases, roi)


def gate(result: FitScore, key: str) -> bool | None:
    return next(g.passed for g in result.gates if g.key == key)


# -- the composite ------------------------------------------------------------------------


def test_dimensions_and_labels_are_the_domains() -> None:
    assert DIMENSIONS == ("brand", "users", "channel", "audience", "traffic", "tone")
    assert DIMENSION_LABELS["tone"] == "brand fit"
    assert DIMENSION_LABELS["audience"] == "audience match"
    assert (*DIMENSIONS, "threshold") == WEIGHT_KEYS
    assert Weights().as_dict() == {**dict.fromkeys(DIMENSIONS, 1.0), "threshold": 70.0}


def test_equal_weights_give_the_plain_mean() -> None:
    result = fit_score(
        {"brand": 80, "users": 70, "channel": 65, "audience": 72, "traffic": 60, "tone": 75},
        EQUAL,
        4,
        GOOD_ROI,
    )
    assert result.composite == 70.3  # 422 / 6 = 70.33
    assert result.verdict == Verdict.RECOMMENDED
    assert result.missing == ()


@given(
    st.lists(st.integers(0, 100), min_size=6, max_size=6),
    st.lists(st.floats(0.01, 100), min_size=6, max_size=6),
)
def test_composite_lies_between_the_smallest_and_largest_dimension(
    scores: list[int], weights: list[float]
) -> None:
    w = Weights(**dict(zip(DIMENSIONS, weights, strict=True)))
    result = fit_score(dict(zip(DIMENSIONS, map(float, scores), strict=True)), w, 0, None)
    assert result.composite is not None
    assert min(scores) <= result.composite <= max(scores)


@given(
    st.lists(st.floats(0, 100), min_size=6, max_size=6),
    st.lists(st.floats(0.01, 100), min_size=6, max_size=6),
)
def test_contributions_sum_to_the_composite(scores: list[float], weights: list[float]) -> None:
    w = Weights(**dict(zip(DIMENSIONS, weights, strict=True)))
    result = fit_score(dict(zip(DIMENSIONS, scores, strict=True)), w, 0, None)
    assert result.composite is not None
    assert abs(sum(c.points for c in result.contributions) - result.composite) <= 0.05 + 1e-9
    assert [c.dimension for c in result.contributions] == list(DIMENSIONS)
    assert [c.weight for c in result.contributions] == weights


def test_contribution_is_weight_times_value_over_the_sum_of_weights() -> None:
    result = score(Weights(brand=2), brand=100, users=40, channel=40, audience=40, traffic=40)
    by_dim = {c.dimension: c for c in result.contributions}
    assert by_dim["brand"].points == pytest.approx(2 * 100 / 7)
    assert by_dim["tone"].points == pytest.approx(75 / 7)
    assert by_dim["brand"].value == 100 and by_dim["brand"].weight == 2


def test_exactly_70_is_recommended() -> None:
    result = score(brand=80, users=60, channel=70, audience=70, traffic=70, tone=70)
    assert result.composite == 70.0
    assert result.verdict == Verdict.RECOMMENDED
    assert result.qualifies


def test_69_9_is_not_recommended() -> None:
    result = score(brand=70, users=70, channel=70, audience=70, traffic=70, tone=69.4)
    assert result.composite == 69.9
    assert result.verdict == Verdict.NOT_RECOMMENDED
    assert not result.qualifies


def test_composite_rounds_half_up_to_one_decimal_exactly() -> None:
    # 419.7 / 6 = 69.95 exactly, which binary floats would round down to 69.9.
    result = score(brand=70, users=70, channel=70, audience=70, traffic=70, tone=69.7)
    assert result.composite == 70.0
    assert result.verdict == Verdict.RECOMMENDED
    below = score(brand=70, users=70, channel=70, audience=70, traffic=70, tone=69.6)
    assert below.composite == 69.9  # 69.933...
    # 420.3 / 6 = 70.05: half up, not half to even.
    assert score(brand=70, users=70, channel=70, audience=70, traffic=70, tone=70.3).composite == (
        70.1
    )


def test_the_threshold_comes_from_the_weights() -> None:
    result = score(
        Weights(threshold=80), brand=80, users=80, channel=80, audience=80, traffic=80, tone=79.4
    )
    assert result.composite == 79.9
    assert result.verdict == Verdict.NOT_RECOMMENDED
    assert "raise the composite by 0.1 points to 80" in result.to_qualify
    zeros = fit_score(dict.fromkeys(DIMENSIONS, 0.0), Weights(threshold=0), 3, GOOD_ROI)
    assert zeros.verdict == Verdict.RECOMMENDED


def test_a_heavier_weight_pulls_the_composite_toward_that_dimension() -> None:
    brand_high = {**dict.fromkeys(DIMENSIONS, 40.0), "brand": 100.0}

    def composite(weights: Weights) -> float | None:
        return fit_score(brand_high, weights, 3, GOOD_ROI).composite

    assert composite(EQUAL) == 50.0
    assert composite(Weights(brand=2)) == 57.1  # 400 / 7
    assert composite(Weights(brand=0)) == 40.0
    assert composite(Weights(users=0.5, channel=0.5)) == 52.0  # 260 / 5
    # Scaling every weight alike changes nothing.
    assert composite(Weights(brand=5, users=5, channel=5, audience=5, traffic=5, tone=5)) == 50.0


def test_missing_dimensions_are_not_scored_and_listed() -> None:
    result = score(brand=None, tone=None)
    assert result.composite is None
    assert result.verdict == Verdict.NOT_SCORED
    assert result.missing == ("brand", "tone")
    assert result.contributions == ()
    assert not result.qualifies
    assert result.to_qualify[0] == "rate brand momentum, brand fit"


def test_a_dimension_absent_from_the_dict_counts_as_missing() -> None:
    result = fit_score({"brand": 80}, EQUAL, 3, GOOD_ROI)
    assert result.missing == DIMENSIONS[1:]
    assert result.verdict == Verdict.NOT_SCORED


# -- the gates ----------------------------------------------------------------------------


@pytest.mark.parametrize(("cases", "passed"), [(3, True), (2, False), (0, False), (10, True)])
def test_success_cases_gate_at_its_boundary(cases: int, passed: bool) -> None:
    result = score(cases=cases)
    assert gate(result, "cases") is passed
    assert result.qualifies is passed


@pytest.mark.parametrize(("audience", "passed"), [(60, False), (61, True), (60.1, True)])
def test_audience_gate_is_strictly_above_60(audience: float, passed: bool) -> None:
    result = score(audience=audience)
    assert gate(result, "audience") is passed
    assert result.qualifies is passed


def test_audience_gate_is_unknown_when_not_rated() -> None:
    result = score(audience=None)
    assert gate(result, "audience") is None
    assert "audience match above 60 (not rated)" in result.to_qualify


@pytest.mark.parametrize(("roi", "passed"), [(3.0, True), (2.99, False), (3.01, True)])
def test_roi_gate_is_at_least_1_to_3(roi: float, passed: bool) -> None:
    result = score(roi=("2026-11", roi))
    assert gate(result, "roi") is passed
    assert result.qualifies is passed


def test_no_roi_is_unknown_and_does_not_qualify() -> None:
    result = score(roi=None)
    assert gate(result, "roi") is None
    assert result.verdict == Verdict.RECOMMENDED
    assert not result.qualifies
    assert result.to_qualify == ("record ROI (none yet)",)


def test_gates_show_the_value_behind_them() -> None:
    result = score(cases=4, audience=72, roi=("2026-W47", 3.2))
    shown = {g.key: (g.label, g.value, g.requirement) for g in result.gates}
    assert shown == {
        "cases": ("verified success cases", "4", "at least 3"),
        "audience": ("audience match", "72%", "above 60%"),
        "roi": ("ROI", "3.2 (2026-W47)", "at least 1:3"),
    }


def test_gates_are_judged_even_when_not_scored() -> None:
    result = score(cases=1, brand=None, audience=50)
    assert gate(result, "cases") is False
    assert gate(result, "audience") is False


def test_a_partner_that_qualifies_has_nothing_to_change() -> None:
    result = score()
    assert result.qualifies
    assert result.to_qualify == ()


def test_to_qualify_names_every_change_in_words() -> None:
    result = score(
        cases=2,
        roi=("2026-W47", 2.1),
        brand=70,
        users=70,
        channel=70,
        audience=55,
        traffic=62,
        tone=58,
    )
    assert result.composite == 64.2  # 385 / 6 = 64.17
    assert result.to_qualify == (
        "raise the composite by 5.8 points to 70",
        "record 1 more verified success case (has 2, needs 3)",
        "audience match above 60 (now 55)",
        "ROI of at least 3 (latest 2.1 in 2026-W47)",
    )


def test_to_qualify_counts_several_missing_cases() -> None:
    result = score(cases=0)
    assert result.to_qualify == ("record 3 more verified success cases (has 0, needs 3)",)


def test_raise_the_composite_by_a_fractional_gap() -> None:
    result = score(brand=67.5, users=67.5, channel=67.5, audience=67.5, traffic=67.5, tone=67.5)
    assert result.to_qualify == ("raise the composite by 2.5 points to 70",)


# -- why it changed -----------------------------------------------------------------------

AT = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def rating(weights: Weights = EQUAL, cases: int = 3, **given: float | None) -> Rating:
    return Rating(values(**given), weights, cases, "U1", AT)


def test_first_rating_says_so() -> None:
    change = explain_change(None, rating(brand=81))
    assert change.before is None
    assert change.after == 76.0  # 456 / 6
    assert change.delta is None
    assert change.reasons == ("first rating",)


def test_a_moved_dimension_is_named() -> None:
    change = explain_change(rating(brand=70), rating(brand=82))
    assert change.before == 74.2  # 445 / 6
    assert change.after == 76.2  # 457 / 6
    assert change.delta == pytest.approx(2.0)
    assert change.reasons == ("brand 70 → 82",)


def test_a_moved_weight_is_named_and_each_rating_uses_its_own_weights() -> None:
    change = explain_change(rating(tone=45), rating(Weights(tone=2), tone=45))
    assert change.before == 70.0  # 420 / 6
    assert change.after == 66.4  # 465 / 7
    assert change.delta == pytest.approx(-3.6)
    assert change.reasons == ("weight of tone 1 → 2",)


def test_a_dimension_and_a_weight_moved_together() -> None:
    change = explain_change(rating(brand=60), rating(Weights(brand=2), brand=90))
    assert change.before == 72.5
    assert change.after == 79.3  # (180 + 375) / 7
    assert change.reasons == ("brand 60 → 90", "weight of brand 1 → 2")


def test_threshold_cases_and_newly_rated_dimensions_are_named() -> None:
    change = explain_change(
        rating(cases=2, users=None), rating(Weights(threshold=75), cases=3, users=80)
    )
    assert change.before is None
    assert change.after == 75.8
    assert change.delta is None
    assert change.reasons == (
        "users not rated → 80",
        "threshold 70 → 75",
        "success cases 2 → 3",
    )


def test_nothing_moved_gives_no_reasons() -> None:
    change = explain_change(rating(), rating())
    assert change.before == change.after == 75.0
    assert change.delta == 0
    assert change.reasons == ()


# -- parsing ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "value"), [("0", 0.0), ("100", 100.0), ("72.5", 72.5), ("72%", 72.0)]
)
def test_parse_dimension_accepts_0_to_100(raw: str, value: float) -> None:
    assert parse_dimension("brand", raw) == value


@pytest.mark.parametrize("raw", ["120", "100.1", "-1", "high", "nan", "inf", ""])
def test_parse_dimension_refuses_out_of_range_and_non_numbers(raw: str) -> None:
    with pytest.raises(RuleError, match=r"brand \(brand momentum\) must be a number from 0 to 100"):
        parse_dimension("brand", raw)


def test_parse_dimension_quotes_what_was_typed() -> None:
    with pytest.raises(RuleError, match="not `high`"):
        parse_dimension("brand", "high")


def test_unknown_dimension_lists_them_all() -> None:
    with pytest.raises(RuleError) as err:
        parse_dimension("colour", "50")
    assert "`colour` is not a dimension" in str(err.value)
    assert "brand, users, channel, audience, traffic, tone" in str(err.value)


def test_unknown_dimension_suggests_the_closest() -> None:
    with pytest.raises(RuleError, match="Did you mean `audience`"):
        parse_dimension("audiance", "50")


@pytest.mark.parametrize(("raw", "value"), [("0", 0), ("4", 4), (" 12 ", 12)])
def test_parse_cases_accepts_whole_numbers(raw: str, value: int) -> None:
    assert parse_cases(raw) == value


@pytest.mark.parametrize("raw", ["-1", "2.5", "many", ""])
def test_parse_cases_refuses_anything_else(raw: str) -> None:
    with pytest.raises(RuleError, match="cases must be a whole number"):
        parse_cases(raw)


@pytest.mark.parametrize(
    ("key", "raw", "value"),
    [("brand", "2", 2.0), ("tone", "0", 0.0), ("users", "100", 100.0), ("threshold", "75", 75.0)],
)
def test_parse_weight_accepts_0_to_100(key: str, raw: str, value: float) -> None:
    assert parse_weight(key, raw) == value


@pytest.mark.parametrize(
    ("key", "raw", "message"),
    [
        ("brand", "101", "weight of brand must be a number from 0 to 100"),
        ("brand", "-0.5", "weight of brand must be a number from 0 to 100"),
        ("brand", "nan", "weight of brand must be a number"),
        ("tone", "inf", "weight of tone must be a number"),
        ("threshold", "120", "threshold must be a number from 0 to 100"),
        ("threshold", "high", "threshold must be a number"),
    ],
)
def test_parse_weight_refuses_bad_values(key: str, raw: str, message: str) -> None:
    with pytest.raises(RuleError, match=message):
        parse_weight(key, raw)


def test_unknown_weight_lists_the_accepted_keys() -> None:
    with pytest.raises(
        RuleError, match="brand, users, channel, audience, traffic, tone, threshold"
    ):
        parse_weight("colour", "1")


def test_weights_from_updates_changes_only_what_is_given() -> None:
    current = Weights(tone=2)
    after = weights_from_updates(current, {"brand": 3, "threshold": 75})
    assert after == Weights(brand=3, tone=2, threshold=75)
    assert current == Weights(tone=2)


def test_weights_from_updates_refuses_all_zero() -> None:
    current = Weights(brand=0, users=0, channel=0, audience=0, traffic=0)
    with pytest.raises(RuleError, match="at least one weight must be above 0"):
        weights_from_updates(current, {"tone": 0})
    assert weights_from_updates(current, {"tone": 0.5}).tone == 0.5


@pytest.mark.parametrize("updates", [{"brand": 101.0}, {"brand": math.nan}, {"colour": 1.0}])
def test_weights_from_updates_checks_each_value(updates: dict[str, float]) -> None:
    with pytest.raises(RuleError):
        weights_from_updates(EQUAL, updates)


def test_weights_from_overlays_the_defaults_and_ignores_unknown_keys() -> None:
    assert weights_from({}) == Weights()
    assert weights_from({"brand": 2, "threshold": 65, "colour": 9}) == Weights(
        brand=2, threshold=65
    )


def test_weights_round_trip_through_their_stored_form() -> None:
    weights = Weights(brand=2, tone=0.5, threshold=72.5)
    assert weights_from(weights.as_dict()) == weights


def test_weights_from_never_yields_all_zero() -> None:
    stored = {**dict.fromkeys(DIMENSIONS, 0.0), "threshold": 60.0}
    assert weights_from(stored) == Weights(threshold=60)


@pytest.mark.parametrize(
    ("raw", "value"), [("20", 20.0), ("20%", 20.0), ("12.5%", 12.5), ("100", 100.0)]
)
def test_parse_share_accepts_percentages(raw: str, value: float) -> None:
    assert parse_share(raw) == value


@pytest.mark.parametrize("raw", ["0", "0%", "-5", "101", "half", "nan", "inf"])
def test_parse_share_refuses_anything_else(raw: str) -> None:
    with pytest.raises(RuleError, match="share must be a percentage above 0 and at most 100"):
        parse_share(raw)


# -- ranking ------------------------------------------------------------------------------


def ranked(
    partner_id: int, name: str, composite_of: float, cases: int = 3, missing: bool = False
) -> Ranked:
    dims: dict[str, float | None] = dict.fromkeys(DIMENSIONS, composite_of)
    if missing:
        dims["tone"] = None
    return Ranked(partner_id, name, Category.KOL, fit_score(dims, EQUAL, cases, GOOD_ROI))


def test_rank_orders_by_composite_highest_first() -> None:
    entries = [ranked(1, "Low", 62), ranked(2, "High", 91), ranked(3, "Mid", 75)]
    assert [e.name for e in rank(entries)] == ["High", "Mid", "Low"]


def test_rank_ties_go_to_the_qualifying_partner_then_by_name() -> None:
    entries = [
        ranked(1, "beta", 80),
        ranked(2, "Alpha", 80),
        ranked(3, "Aardvark", 80, cases=1),
        ranked(4, "alpha two", 80),
    ]
    assert [e.partner_id for e in rank(entries)] == [2, 4, 1, 3]


def test_rank_leaves_out_partners_not_scored() -> None:
    entries = [ranked(1, "Scored", 50), ranked(2, "Half rated", 99, missing=True)]
    assert [e.name for e in rank(entries)] == ["Scored"]
    assert rank([]) == []


# -- the yearly review --------------------------------------------------------------------


def test_efficiency_is_the_mean_roi_over_the_benchmark() -> None:
    assert efficiency([2.0, 4.0, 3.0], 3.0) == pytest.approx(1.0)
    assert efficiency([1.5], 3.0) == pytest.approx(0.5)
    assert efficiency([], 3.0) is None
    assert efficiency([2.0], None) is None
    assert efficiency([2.0], 0) is None


def entry(
    partner_id: int, eff: float | None, composite: float | None = 70.0, name: str = ""
) -> ReviewEntry:
    return ReviewEntry(partner_id, name or f"P{partner_id}", Category.KOC, eff, composite)


def test_review_rounds_the_share_up() -> None:
    entries = [entry(i, 0.1 * i) for i in range(1, 8)]
    assert [e.partner_id for e in review(entries, 20)] == [1, 2]  # 20% of 7 = 1.4 -> 2
    assert [e.partner_id for e in review(entries, 1)] == [1]
    assert len(review(entries, 100)) == 7


def test_review_share_counts_only_entries_with_an_efficiency() -> None:
    with_eff = [entry(i, 1.0 + i) for i in range(5)]
    without = [entry(10 + i, None) for i in range(5)]
    picked = review(without + with_eff, 20)
    assert [e.partner_id for e in picked] == [0]  # 20% of 5, not of 10


def test_review_excludes_entries_without_efficiency() -> None:
    assert review([entry(1, None), entry(2, None)], 50) == []
    assert [e.partner_id for e in review([entry(1, None), entry(2, 9.0)], 100)] == [2]


def test_review_breaks_ties_by_composite_then_name() -> None:
    entries = [
        entry(1, 0.5, 80, "Zed"),
        entry(2, 0.5, 60, "Yak"),
        entry(3, 0.5, None, "Xu"),
        entry(4, 0.5, 60, "ant"),
        entry(5, 0.2, 99, "Best? no: least efficient"),
        entry(6, 0.9, 10, "Efficient"),
    ]
    picked = review(entries, 100)
    assert [e.partner_id for e in picked] == [5, 3, 4, 2, 1, 6]


def test_review_refuses_a_share_out_of_range() -> None:
    with pytest.raises(RuleError):
        review([entry(1, 0.5)], 0)
