"""Numbers as people type and read them: one parser for every number that comes in (commands,
forms, CSV cells), one formatter for amounts and one for ratios and percentages. Pure.

Accepted: ASCII digits with an optional decimal point (`12`, `12.5`, `-3`), commas between
groups of exactly three (`1,234,567.5`), and the same typed in full-width forms as a Chinese
input method does (`１２．５`, read through NFKC as names are). Refused: underscores,
misplaced commas, other scripts' digits, exponents (`1e3`), `nan` and `inf`.
"""

from __future__ import annotations

import math
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from bot.errors import RuleError

# Plain digits, or 1-3 digits then groups of three after commas; an optional fraction.
_NUMBER = re.compile(r"-?(?:[1-9][0-9]{0,2}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?", re.ASCII)
_FULL_WIDTH = range(0xFF01, 0xFF5F)  # the forms an input method types: ０-９ ． ， － ％
_IDEOGRAPHIC_SPACE = "\u3000"
_SHOWN = 40  # characters of a refused value quoted back


def ascii_typed(raw: str) -> str | None:
    """The text with full-width forms read as ASCII (NFKC), stripped; None when it holds any
    other non-ASCII character, whose NFKC reading would surprise (`²` as 2, `١٢` as 12)."""
    for char in raw:
        if ord(char) > 0x7F and ord(char) not in _FULL_WIDTH and char != _IDEOGRAPHIC_SPACE:
            return None
    return unicodedata.normalize("NFKC", raw).strip()


def quoted(raw: str) -> str:
    """A refused value as an answer quotes it: in backticks, clipped."""
    text = raw if len(raw) <= _SHOWN else raw[: _SHOWN - 1] + "…"
    return f"`{text}`"


def _form(percent: bool, whole: bool) -> str:
    if whole:
        return "1234 or 1,234"
    return "35.5 or 35.5%" if percent else "1234.5 or 1,234.5"


def parse_number(
    raw: str, label: str, what: str = "a number", *, percent: bool = False, whole: bool = False
) -> float:
    """A number typed by a person or read from a file, in the one accepted form.

    percent allows a trailing `%`; whole refuses a fraction (`12.0` is whole). A refusal
    names the label, quotes the value and shows the accepted form. The caller checks the
    range; a value too large for a float is returned as infinity, which any range refuses.
    """
    text = ascii_typed(raw)
    if text is not None and percent and text.endswith("%"):
        text = text[:-1].rstrip()
    if text is None or not _NUMBER.fullmatch(text):
        raise RuleError(
            f"{label} must be {what}, not {quoted(raw)}: write it like {_form(percent, whole)}."
        )
    value = float(text.replace(",", ""))
    if whole and math.isfinite(value) and not value.is_integer():
        raise RuleError(f"{label} must be a whole number, not {quoted(raw)}.")
    return value


# Pure, and a card rebuilt after a write shows mostly the values it showed before (1.4 us a
# value, 20 to 30 a card). Equal keys give equal text: -0.0 and 0.0 both show as 0.
@lru_cache(maxsize=8192)
def _plain(value: float, places: int, fixed: bool) -> str:
    if not math.isfinite(value):
        return "—"
    number = float(value)
    # A whole value (most amounts, and percentages as typed: 69, 134,623) shown without
    # decimals is its integer with separators: what the digits below write, in a third of the
    # time. From 1e16 on repr has an exponent, which the Decimal way below handles.
    if not fixed and number.is_integer() and -1e16 < number < 1e16:
        return f"{int(number):,}"
    text = repr(number)
    whole, _, fraction = text.partition(".")
    # A value whose shortest repr needs no rounding (most typed values: 35.5, 2.1, 1234) is
    # written from its digits; Decimal's quantize only pads it with zeros, at 10x the cost.
    if "e" not in text and len(fraction) <= places:
        digits = int(whole)  # "-0" is 0: no "-0" shown, as below
        negative = text.startswith("-") and (digits != 0 or fraction.strip("0") != "")
        padded = fraction.ljust(places, "0") if fixed else fraction.rstrip("0")
        shown = f"{abs(digits):,}" + (f".{padded}" if padded else "")
        return "-" + shown if negative else shown
    exact = Decimal(text).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if exact == 0:
        exact = abs(exact)  # no "-0"
    shown = f"{exact:,f}"
    if not fixed and "." in shown:
        shown = shown.rstrip("0").rstrip(".")
    return shown


def format_amount(value: float, places: int = 2) -> str:
    """GMV, traffic, AOV, HHI and other amounts: thousands separators, at most `places`
    decimals (rounded half up), no trailing zeros, never an exponent: `1,234,567.5`."""
    return _plain(value, places, False)


def format_ratio(value: float, places: int = 4, *, fixed: bool = False) -> str:
    """ROI, percentages, weights, scores: at most `places` decimals (rounded half up), no
    trailing zeros unless fixed (`0.40`), never an exponent; thousands separated too."""
    return _plain(value, places, fixed)
