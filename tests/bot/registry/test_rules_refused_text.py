"""What the registry's fields refuse, whatever they are given through: control characters
other than line breaks and tabs, and text that was not valid UTF-8."""

from collections.abc import Callable

import pytest

from bot.errors import RuleError
from bot.registry.rules import (
    FIELD_PARSERS,
    Tier,
    clean_name,
    clean_text,
    parse_choice,
    parse_count,
    parse_field,
    parse_tags,
)


def test_clean_text_keeps_tabs_and_makes_a_windows_line_break_one_line_break() -> None:
    assert clean_text("one\r\ntwo\tthree", "Notes") == "one\ntwo\tthree"


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("a\x00b", "a control character (U+0000)"),
        ("bare\rreturn", "a control character (U+000D)"),
        ("caf\ufffd", "bytes that are not valid UTF-8"),
        ("half \ud800", "bytes that are not valid UTF-8"),
    ],
)
def test_clean_text_refuses_control_characters_and_undecodable_input(
    raw: str, problem: str
) -> None:
    with pytest.raises(RuleError) as err:
        clean_text(raw, "Notes")
    assert str(err.value).startswith(f"Notes cannot hold {problem}")


@pytest.mark.parametrize("raw", ["Acme\ufffd", "\ud800Acme"])
def test_clean_name_refuses_undecodable_input(raw: str) -> None:
    with pytest.raises(RuleError, match="A name cannot hold bytes that are not valid UTF-8"):
        clean_name(raw)


@pytest.mark.parametrize("raw", ["Acme\x1fMedia", "Acme\x0bMedia", "Acme\rMedia", "Acme\x85"])
def test_clean_name_refuses_control_characters_that_count_as_spaces(raw: str) -> None:
    with pytest.raises(RuleError, match="control or invisible"):
        clean_name(raw)


@pytest.mark.parametrize(
    ("parse", "raw", "where"),
    [
        (parse_tags, "live, be\x00auty", "A tag"),
        (lambda raw: parse_choice(Tier, raw, "tier"), "core\x00", "The tier"),
        (lambda raw: parse_count(raw, "cases"), "3\x00", "The value of cases"),
    ],
)
def test_every_field_refuses_a_control_character_without_quoting_it(
    parse: Callable[[str], object], raw: str, where: str
) -> None:
    with pytest.raises(RuleError) as err:
        parse(raw)
    assert str(err.value).startswith(f"{where} cannot hold a control character (U+0000)")
    assert "\x00" not in str(err.value)


@pytest.mark.parametrize("field", ["contacts", "notes", "drop_reason"])
def test_multi_line_fields_keep_line_breaks_and_tabs(field: str) -> None:
    assert parse_field(field, "one\ntwo\tthree") == "one\ntwo\tthree"


@pytest.mark.parametrize("field", list(FIELD_PARSERS))
def test_no_field_stores_a_nul(field: str) -> None:
    with pytest.raises(RuleError):
        parse_field(field, "x\x00")
