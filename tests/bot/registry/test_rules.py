"""The registry's pure rules (domain.md §1): names, field values and audit diffs."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.errors import RuleError
from bot.registry.rules import (
    FIELD_ORDER,
    MAX_BACKUPS,
    MAX_NAME,
    MAX_TAG,
    MAX_TAGS,
    MAX_TEXT,
    Category,
    FieldChange,
    Partner,
    PartnerFields,
    Status,
    Tier,
    apply,
    clean_name,
    clean_text,
    closest_names,
    creation_diff,
    name_key,
    parse_choice,
    parse_count,
    parse_names,
    parse_tags,
    render_field,
)


@pytest.fixture
def partner() -> Partner:
    return Partner(
        id=1,
        team_id="T1",
        name="Acme Media",
        category=Category.MCN,
        tier=Tier.CORE,
        status=Status.ACTIVE,
        owner="U1",
        tags=("beauty", "live"),
        backups=("Beta",),
        success_cases=3,
    )


# --- name_key -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Acme Media", "aCME mEDIA"),
        ("ΣΊΣΥΦΟΣ", "σίσυφος"),  # Greek, final sigma included
        ("Straße", "STRASSE"),  # German ß against SS
        ("ＡＣＭＥ", "acme"),  # full-width Latin against half-width
        ("ｶﾀｶﾅ", "カタカナ"),  # half-width katakana against full-width
        ("  Acme ", "acme"),
    ],
)
def test_name_key_matches_names_that_differ_only_by_case_or_width(one: str, other: str) -> None:
    assert name_key(one) == name_key(other)


def test_name_key_keeps_chinese_unchanged() -> None:
    assert name_key("小红书") == "小红书"


def test_name_key_tells_different_chinese_names_apart() -> None:
    assert name_key("小红书") != name_key("抖音")


@given(st.text())
def test_name_key_is_idempotent(text: str) -> None:
    assert name_key(name_key(text)) == name_key(text)


# --- clean_name ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "cleaned"),
    [
        ("  Acme Media  ", "Acme Media"),
        ("Acme    Media", "Acme Media"),
        ("Acme\tMedia", "Acme Media"),
        ("小红书", "小红书"),
    ],
)
def test_clean_name_trims_and_collapses_spaces(raw: str, cleaned: str) -> None:
    assert clean_name(raw) == cleaned


@pytest.mark.parametrize("raw", ["", "   ", "\u3000"])
def test_clean_name_rejects_an_empty_name(raw: str) -> None:
    with pytest.raises(RuleError, match="needs a name"):
        clean_name(raw)


def test_clean_name_accepts_the_longest_name() -> None:
    assert clean_name("a" * MAX_NAME) == "a" * MAX_NAME


def test_clean_name_rejects_a_name_one_character_too_long() -> None:
    with pytest.raises(RuleError, match=f"at most {MAX_NAME}"):
        clean_name("a" * (MAX_NAME + 1))


def test_clean_name_measures_length_after_collapsing_spaces() -> None:
    raw = "a" * (MAX_NAME - 1) + "     b"
    with pytest.raises(RuleError, match=str(MAX_NAME + 1)):
        clean_name(raw)
    assert clean_name("a" * (MAX_NAME - 2) + "     b") == "a" * (MAX_NAME - 2) + " b"


def test_clean_name_rejects_a_comma() -> None:
    with pytest.raises(RuleError, match="comma"):
        clean_name("Acme, Inc")


@pytest.mark.parametrize(
    "raw",
    [
        "Acme\x00Media",
        "Acme\x07",
        "Acme\x7fMedia",
        "\x1bAcme",
        "Acme\u200b",  # zero-width space: "Acme" again, to the eye
        "\u200b",
        "Acme\u202eaideM",  # right-to-left override
    ],
)
def test_clean_name_rejects_control_and_invisible_characters(raw: str) -> None:
    with pytest.raises(RuleError, match="control or invisible"):
        clean_name(raw)


# --- parse_choice -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("kol", Category.KOL),
        ("KOL", Category.KOL),
        ("Brand", Category.BRAND),
        (" mcn ", Category.MCN),
    ],
)
def test_parse_choice_is_case_insensitive(raw: str, expected: Category) -> None:
    assert parse_choice(Category, raw, "category") is expected


def test_parse_choice_error_names_the_value_and_lists_what_is_accepted() -> None:
    with pytest.raises(RuleError) as err:
        parse_choice(Tier, "gold", "tier")
    message = str(err.value)
    assert "`gold`" in message
    assert "tier" in message
    for tier in Tier:
        assert tier.value in message


# --- parse_tags ---------------------------------------------------------------------


def test_parse_tags_lower_cases_trims_and_keeps_order() -> None:
    assert parse_tags(" Live ,Beauty,  Food  Court ") == ("live", "beauty", "food court")


def test_parse_tags_removes_duplicates_keeping_the_first() -> None:
    assert parse_tags("live, beauty, LIVE, Beauty, food") == ("live", "beauty", "food")


def test_parse_tags_skips_empty_parts() -> None:
    assert parse_tags(",, live ,,") == ("live",)
    assert parse_tags("") == ()


def test_parse_tags_accepts_the_longest_tag_and_rejects_a_longer_one() -> None:
    assert parse_tags("t" * MAX_TAG) == ("t" * MAX_TAG,)
    with pytest.raises(RuleError, match=f"at most {MAX_TAG} characters"):
        parse_tags("t" * (MAX_TAG + 1))


def test_parse_tags_accepts_the_most_tags_and_rejects_one_more() -> None:
    most = [f"tag{i}" for i in range(MAX_TAGS)]
    assert parse_tags(",".join(most)) == tuple(most)
    with pytest.raises(RuleError, match=f"at most {MAX_TAGS} tags"):
        parse_tags(",".join([*most, "one-more"]))


def test_parse_tags_counts_tags_after_removing_duplicates() -> None:
    tags = [f"tag{i}" for i in range(MAX_TAGS)]
    assert len(parse_tags(",".join(tags + [t.upper() for t in tags]))) == MAX_TAGS


# --- parse_names --------------------------------------------------------------------


def test_parse_names_cleans_each_name_and_keeps_order() -> None:
    assert parse_names(" Acme  Media , 小红书,Beta ") == ("Acme Media", "小红书", "Beta")


def test_parse_names_removes_duplicates_by_name_key() -> None:
    assert parse_names("Acme Media, ACME MEDIA, ａｃｍｅ ｍｅｄｉａ, Beta") == (
        "Acme Media",
        "Beta",
    )


def test_parse_names_skips_empty_parts() -> None:
    assert parse_names("Acme,, ,Beta,") == ("Acme", "Beta")


def test_parse_names_limits_the_number_of_backups() -> None:
    names = [f"Partner {i}" for i in range(MAX_BACKUPS)]
    assert len(parse_names(", ".join(names))) == MAX_BACKUPS
    with pytest.raises(RuleError, match=f"at most {MAX_BACKUPS} backups"):
        parse_names(", ".join([*names, "One More"]))


def test_parse_names_rejects_a_bad_name() -> None:
    with pytest.raises(RuleError, match="control or invisible"):
        parse_names("Acme, Be\x00ta")


# --- parse_count --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("0", 0),
        ("3", 3),
        (" 12 ", 12),
        ("1000000", 1_000_000),
        ("1,000,000", 1_000_000),
        ("3.0", 3),  # a whole value, however written
        ("１２", 12),  # full-width, as a Chinese input method types it
    ],
)
def test_parse_count_accepts_whole_numbers(raw: str, value: int) -> None:
    assert parse_count(raw, "cases") == value


@pytest.mark.parametrize(
    "raw",
    ["-1", "1.5", "", "three", "+3", "٣", "²", "1e3", "1_0", "1,00"],
)
def test_parse_count_rejects_what_is_not_a_whole_number(raw: str) -> None:
    with pytest.raises(RuleError, match="cases must be a whole number"):
        parse_count(raw, "cases")


def test_parse_count_rejects_a_number_over_a_million() -> None:
    with pytest.raises(RuleError, match="at most 1,000,000"):
        parse_count("1000001", "cases")


# --- clean_text ---------------------------------------------------------------------


def test_clean_text_trims_and_keeps_inner_lines() -> None:
    assert clean_text("  line one\nline two  ", "The note") == "line one\nline two"


def test_clean_text_limits_length_and_names_the_field() -> None:
    assert clean_text("x" * MAX_TEXT, "The note") == "x" * MAX_TEXT
    with pytest.raises(RuleError, match=f"The note is at most {MAX_TEXT}"):
        clean_text("x" * (MAX_TEXT + 1), "The note")


# --- closest_names ------------------------------------------------------------------

REGISTRY = ["Acme Media", "Beta Brands", "小红书", "Zeta Supply"]


@pytest.mark.parametrize("wanted", ["acme", "Acme Meda", "ACME MEDIA", "acme medai"])
def test_closest_names_suggests_the_near_name(wanted: str) -> None:
    assert closest_names(wanted, REGISTRY)[0] == "Acme Media"


def test_closest_names_suggests_nothing_for_an_unrelated_name() -> None:
    assert closest_names("qqqqqqqq", REGISTRY) == []


def test_closest_names_returns_registered_spelling_and_respects_the_limit() -> None:
    names = [f"Acme {i}" for i in range(10)]
    hits = closest_names("acme", names, limit=3)
    assert len(hits) == 3
    assert all(hit in names for hit in hits)


# --- apply and diffs ----------------------------------------------------------------


def test_apply_returns_only_the_changed_fields_in_field_order(partner: Partner) -> None:
    fields = PartnerFields(
        notes="met at the fair",
        tier=Tier.STRATEGIC,
        owner="U1",  # unchanged
        category=Category.MCN,  # unchanged
        name="Acme Media Group",
    )
    after, diff = apply(partner, fields)
    assert diff.changes == [
        FieldChange("name", "Acme Media", "Acme Media Group"),
        FieldChange("tier", "core", "strategic"),
        FieldChange("notes", "", "met at the fair"),
    ]
    assert (after.name, after.tier, after.notes) == (
        "Acme Media Group",
        Tier.STRATEGIC,
        "met at the fair",
    )
    assert after.owner == "U1"


def test_apply_diff_follows_field_order_whatever_was_given(partner: Partner) -> None:
    fields = PartnerFields(
        drop_reason="budget",
        success_cases=5,
        status=Status.DROPPED,
        tags=("live",),
        backups=(),
    )
    _, diff = apply(partner, fields)
    changed = [change.field for change in diff.changes]
    assert changed == sorted(changed, key=FIELD_ORDER.index)
    assert changed == ["status", "backups", "tags", "success_cases", "drop_reason"]


def test_apply_renders_lists_and_numbers_as_text(partner: Partner) -> None:
    _, diff = apply(partner, PartnerFields(tags=("live", "food"), success_cases=4))
    assert diff.changes == [
        FieldChange("tags", "beauty, live", "live, food"),
        FieldChange("success_cases", "3", "4"),
    ]


def test_apply_of_a_no_op_edit_has_no_diff(partner: Partner) -> None:
    fields = PartnerFields(
        name="Acme Media", tier=Tier.CORE, tags=("beauty", "live"), backups=("Beta",)
    )
    after, diff = apply(partner, fields)
    assert not diff
    assert diff.changes == []
    assert after == partner


def test_apply_with_nothing_given_has_no_diff(partner: Partner) -> None:
    after, diff = apply(partner, PartnerFields())
    assert not diff
    assert after == partner


def test_creation_diff_lists_non_empty_fields_from_nothing(partner: Partner) -> None:
    diff = creation_diff(partner)
    assert diff.changes == [
        FieldChange("name", "", "Acme Media"),
        FieldChange("category", "", "MCN"),
        FieldChange("tier", "", "core"),
        FieldChange("status", "", "active"),
        FieldChange("owner", "", "U1"),
        FieldChange("backups", "", "Beta"),
        FieldChange("tags", "", "beauty, live"),
        FieldChange("success_cases", "", "3"),
    ]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (("a", "b"), "a, b"),
        ((), ""),
        (Category.KOC, "KOC"),
        (Status.PAUSED, "paused"),
        (None, ""),
        (0, "0"),
        ("text", "text"),
    ],
)
def test_render_field(value: object, text: str) -> None:
    assert render_field(value) == text
