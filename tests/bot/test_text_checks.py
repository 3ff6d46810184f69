"""What no field may hold: control characters but line breaks and tabs, undecodable input."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.text_checks import refused_character, text_refusal, visible


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Acme Media",
        "李佳琦直播间",
        "line one\nline two",
        "a\tb",
        "🎉 family: 👨\u200d👩\u200d👧",
        "é",
    ],
)
def test_text_a_person_types_is_accepted(text: str) -> None:
    assert refused_character(text) is None
    assert text_refusal("Notes", text) is None


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("a\x00b", "U+0000"),
        ("bell\x07", "U+0007"),
        ("\x1bEsc", "U+001B"),
        ("del\x7f", "U+007F"),
        ("cr\ronly", "U+000D"),
        ("unit\x1fseparator", "U+001F"),
        ("next\x85line", "U+0085"),
        ("vertical\x0btab", "U+000B"),
    ],
)
def test_a_control_character_is_refused_naming_its_code(text: str, code: str) -> None:
    refusal = text_refusal("Notes", text)
    assert refusal is not None
    assert refusal.startswith(f"Notes cannot hold a control character ({code})")
    assert "line breaks and tabs" in refusal


@pytest.mark.parametrize("text", ["caf\ufffd", "\ufffd", "lone \ud800 surrogate", "\udcff"])
def test_undecodable_input_is_refused_as_not_utf8(text: str) -> None:
    refusal = text_refusal("The name", text)
    assert refusal is not None
    assert refusal.startswith("The name cannot hold bytes that are not valid UTF-8 text")


def test_the_first_refused_character_is_the_one_named() -> None:
    assert refused_character("ok\ufffd then \x00") == "\ufffd"
    assert "U+0001" in (text_refusal("X", "a\x01b\x00") or "")


def test_visible_shows_each_refused_character_as_a_replacement_mark() -> None:
    assert visible("Ac\x00me\nok\t\x1b") == "Ac\ufffdme\nok\t\ufffd"


@given(st.text())
def test_visible_text_holds_nothing_refused_but_the_mark(text: str) -> None:
    assert refused_character(visible(text).replace("\ufffd", "")) is None
