"""What a `/score ...` command asks for: the text parsed into a typed request. Pure."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from bot.command_parser import ChannelRef, UserRef, Value, parse_command
from bot.errors import CommandError, RuleError
from bot.numbers import parse_number, quoted
from bot.registry.rules import Category, clean_name, parse_choice
from bot.scoring.rules import (
    DIMENSIONS,
    REVIEW_SHARE,
    SHORTLIST,
    parse_cases,
    parse_dimension,
    parse_share,
    parse_weight,
)


@dataclass(frozen=True)
class CardRequest:
    name: str
    chart: bool = False


@dataclass(frozen=True)
class RateRequest:
    name: str
    updates: dict[str, float]
    cases: int | None


@dataclass(frozen=True)
class CompareRequest:
    names: list[str]


@dataclass(frozen=True)
class TopRequest:
    limit: int = SHORTLIST
    category: Category | None = None


@dataclass(frozen=True)
class ReviewRequest:
    share: float = REVIEW_SHARE


@dataclass(frozen=True)
class WeightsRequest:
    updates: dict[str, float]  # empty: show


@dataclass(frozen=True)
class ScoreHelpRequest:
    pass


ScoreRequest = (
    CardRequest
    | RateRequest
    | CompareRequest
    | TopRequest
    | ReviewRequest
    | WeightsRequest
    | ScoreHelpRequest
)
MAX_TOP = 500


def _text(value: Value, what: str) -> str:
    if isinstance(value, (UserRef, ChannelRef)):
        raise CommandError(f"{what} cannot be a user or a channel mention.")
    return value


def _only(options: dict[str, Value], accepted: tuple[str, ...], verb: str) -> None:
    for key in options:
        if key not in accepted:
            use = ", ".join(f"`{a}=`" for a in accepted) or "no options"
            raise RuleError(f"`{key}` is not an option of `{verb}`; it takes {use}.")


def parse_score_command(text: str) -> ScoreRequest:
    """Turn the text after `/score` into a request, or raise CommandError/RuleError."""
    parsed = parse_command(text)
    words = [_text(w, "A partner name") for w in parsed.words]
    options = parsed.options
    verb = words[0].casefold() if words else ""
    if not words:
        if options:
            raise CommandError('Give a partner name first: `/score "Acme Media" brand=80`.')
        return ScoreHelpRequest()
    if verb == "help" and len(words) == 1:
        return ScoreHelpRequest()
    if verb == "top" and len(words) <= 2:
        _only(options, ("category",), "top")
        limit = SHORTLIST
        if len(words) == 2:
            try:
                count = parse_number(words[1], "top", whole=True)
            except RuleError:
                count = 0  # answered below, with the accepted range
            if not 1 <= count <= MAX_TOP:
                raise CommandError(
                    f"`top` takes a count from 1 to {MAX_TOP}, not {quoted(words[1])}."
                )
            limit = int(count)
        category = None
        if "category" in options:
            category = parse_choice(Category, _text(options["category"], "category"), "category")
        return TopRequest(limit, category)
    if verb == "compare":
        _only(options, (), "compare")
        names = [clean_name(w) for w in words[1:]]
        if not 2 <= len(names) <= 4:
            raise CommandError(
                "Compare two to four partners, names with spaces in quotes: "
                '`/score compare "Acme Media" "Beta Co"`.'
            )
        return CompareRequest(names)
    if verb == "review" and len(words) == 1:
        _only(options, ("share",), "review")
        share = REVIEW_SHARE
        if "share" in options:
            share = parse_share(_text(options["share"], "share"))
        return ReviewRequest(share)
    if verb == "weights" and len(words) == 1:
        return WeightsRequest({k: parse_weight(k, _text(v, k)) for k, v in options.items()})
    chart = not options and len(words) > 1 and words[-1].casefold() == "chart"
    name = clean_name(" ".join(words[:-1] if chart else words))
    if not options:
        return CardRequest(name, chart)
    updates: dict[str, float] = {}
    cases = None
    for key, value in options.items():
        if key == "cases":
            cases = parse_cases(_text(value, key))
        elif key not in DIMENSIONS:
            close = difflib.get_close_matches(key, (*DIMENSIONS, "cases"), n=1, cutoff=0.5)
            hint = f" Did you mean `{close[0]}`?" if close else ""
            raise RuleError(
                f"`{key}` is not something a partner is rated on.{hint} "
                f"Use: {', '.join(DIMENSIONS)}, cases."
            )
        else:
            updates[key] = parse_dimension(key, _text(value, key))
    return RateRequest(name, updates, cases)
