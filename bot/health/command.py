"""What a `/health ...` command asks for: the text parsed into a typed request. Pure."""

from __future__ import annotations

from dataclasses import dataclass

from bot.command_parser import ChannelRef, UserRef, parse_command
from bot.errors import CommandError, RuleError
from bot.health.rules import parse_threshold
from bot.numbers import parse_number, quoted
from bot.registry.rules import Category, clean_name, parse_choice


@dataclass(frozen=True)
class PortfolioRequest:
    offset: int = 0


@dataclass(frozen=True)
class PartnerHealthRequest:
    name: str
    chart: bool = False


@dataclass(frozen=True)
class BenchmarkRequest:
    category: Category | None = None
    roi: float | None = None  # None: show


@dataclass(frozen=True)
class ThresholdsRequest:
    values: dict[str, float]  # empty: show


@dataclass(frozen=True)
class HealthHelpRequest:
    pass


HealthRequest = (
    PortfolioRequest
    | PartnerHealthRequest
    | BenchmarkRequest
    | ThresholdsRequest
    | HealthHelpRequest
)


def _text(value: str | UserRef | ChannelRef, what: str) -> str:
    if not isinstance(value, str):
        raise CommandError(f"{what} cannot be a user or a channel mention.")
    return value


def parse_health_command(text: str) -> HealthRequest:
    """Turn the text after `/health` into a request, or raise CommandError/RuleError."""
    parsed = parse_command(text)
    words = [_text(w, "A partner name") for w in parsed.words]
    verb = words[0].casefold() if words else ""
    if not words:
        if parsed.options:
            raise CommandError("Give a partner name, or `benchmark` or `thresholds` first.")
        return PortfolioRequest()
    if verb == "help" and len(words) == 1:
        return HealthHelpRequest()
    if verb == "benchmark" and len(words) == 1:
        return _benchmark(parsed.options)
    if verb == "thresholds" and len(words) == 1:
        values = {}
        for key, value in parsed.options.items():
            values[key] = float(parse_threshold(key, _text(value, key)))
        return ThresholdsRequest(values)
    if parsed.options:
        key = next(iter(parsed.options))
        raise CommandError(
            f"`/health NAME` takes no options (got `{key}=`); "
            "thresholds are set with `/health thresholds`."
        )
    chart = len(words) > 1 and words[-1].casefold() == "chart"
    return PartnerHealthRequest(clean_name(" ".join(words[:-1] if chart else words)), chart)


def _benchmark(options: dict[str, str | UserRef | ChannelRef]) -> BenchmarkRequest:
    unknown = [k for k in options if k not in ("category", "roi")]
    if unknown:
        raise RuleError(f"`{unknown[0]}` is not a benchmark option; use `category=` and `roi=`.")
    category = None
    if "category" in options:
        category = parse_choice(Category, _text(options["category"], "category"), "category")
    if "roi" not in options:
        if category is not None:
            raise CommandError(
                f"Give the benchmark: `/health benchmark category={category} roi=2.5`."
            )
        return BenchmarkRequest()
    if category is None:
        raise CommandError("Say which category: `/health benchmark category=KOL roi=2.5`.")
    raw = _text(options["roi"], "roi")
    roi = parse_number(raw, "roi", "a number such as 2.5 (meaning 1:2.5)")
    if not 0 < roi <= 1000:
        raise RuleError(f"roi must be above 0 and at most 1,000, not {quoted(raw)}.")
    return BenchmarkRequest(category, roi)
