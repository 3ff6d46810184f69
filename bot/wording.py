"""How counts read in a sentence: "1 partner", "2 partners", never "1 partners"."""

from __future__ import annotations


def count(number: int, singular: str, plural: str | None = None) -> str:
    """The number with the noun agreeing with it; plural defaults to singular + "s"."""
    noun = singular if number == 1 else (plural or f"{singular}s")
    return f"{number:,} {noun}"
