"""What text a person gives may not hold, whatever the field: control characters other than
line breaks and tabs, and the marks of bytes that could not be decoded. Pure.

Bolt decodes a form body's percent-escapes with errors="replace" and the request body is
decoded the same way, so U+FFFD in text is the sign of bytes that were not UTF-8; a lone
surrogate (JSON's `\\ud800`) cannot be stored either.
"""

from __future__ import annotations

import unicodedata

REPLACEMENT = "\ufffd"
LINE_BREAK_AND_TAB = frozenset("\n\t")


def is_undecodable(ch: str) -> bool:
    """Whether ch marks input that was not valid UTF-8 text."""
    return ch == REPLACEMENT or unicodedata.category(ch) == "Cs"


def is_refused(ch: str) -> bool:
    """Whether text a person gives may not hold ch."""
    if ch in LINE_BREAK_AND_TAB:
        return False
    return is_undecodable(ch) or unicodedata.category(ch) == "Cc"


def refused_character(text: str) -> str | None:
    """The first character text may not hold, or None."""
    return next((ch for ch in text if is_refused(ch)), None)


def text_refusal(where: str, text: str) -> str | None:
    """One sentence saying what `where` (e.g. "Notes") holds that it may not, or None."""
    ch = refused_character(text)
    if ch is None:
        return None
    if is_undecodable(ch):
        return (
            f"{where} cannot hold bytes that are not valid UTF-8 text (shown as {REPLACEMENT}): "
            "type it again or paste it as plain text."
        )
    return (
        f"{where} cannot hold a control character (U+{ord(ch):04X}): text may hold line "
        "breaks and tabs, but no other control characters."
    )


def visible(text: str) -> str:
    """text with every refused character shown as U+FFFD, safe to quote back."""
    return "".join(REPLACEMENT if is_refused(ch) else ch for ch in text)
