"""Counts agree with their nouns."""

from bot.wording import count


def test_one_is_singular_and_every_other_number_plural() -> None:
    assert count(1, "partner") == "1 partner"
    assert count(0, "partner") == "0 partners"
    assert count(2, "active partner") == "2 active partners"
    assert count(1_250, "row") == "1,250 rows"


def test_an_irregular_plural_is_given() -> None:
    assert count(3, "entry", "entries") == "3 entries"
    assert count(1, "entry", "entries") == "1 entry"
