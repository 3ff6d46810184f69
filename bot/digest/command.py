"""What a `/digest ...` command asks for: the text parsed into a typed request. Pure."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.command_parser import ChannelRef, UserRef, Value, parse_command
from bot.digest.rules import Rule, parse_rule, parse_zone
from bot.errors import CommandError, RuleError
from bot.numbers import quoted
from bot.registry.rules import Category, parse_choice


@dataclass(frozen=True)
class Scope:
    """Which partners a digest covers: all of the portfolio, or one category, owner or tag."""

    kind: str = ""  # "", "category", "owner" or "tag"
    value: str = ""

    @property
    def text(self) -> str:
        """As stored: `category:KOL`, `owner:U123`, `tag:beauty`, or empty for all."""
        return f"{self.kind}:{self.value}" if self.kind else ""

    @classmethod
    def from_text(cls, text: str) -> Scope:
        kind, _, value = text.partition(":")
        return cls(kind, value) if value else cls()


@dataclass(frozen=True)
class ScheduleRequest:
    channel_id: str | None  # None: the channel the command was typed in
    rule: Rule
    zone: str | None  # None: the user's Slack zone, else PARTNERBOT_TIMEZONE
    quiet: bool
    scope: Scope


@dataclass(frozen=True)
class ListRequest:
    pass


@dataclass(frozen=True)
class ChangeRequest:
    verb: str  # remove, pause or resume
    schedule_id: int


@dataclass(frozen=True)
class NowRequest:
    channel_id: str | None
    scope: Scope


@dataclass(frozen=True)
class PreviewRequest:
    scope: Scope


@dataclass(frozen=True)
class DigestHelpRequest:
    pass


@dataclass(frozen=True)
class AlertsRequest:
    """`/digest alerts ...`: not part of this release's digests yet."""


DigestRequest = (
    ScheduleRequest
    | ListRequest
    | ChangeRequest
    | NowRequest
    | PreviewRequest
    | DigestHelpRequest
    | AlertsRequest
)

VERBS = "`schedule`, `list`, `remove`, `pause`, `resume`, `now`, `preview` or `help`"
_OWNER = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^<>]*)?>")


def _text(value: Value, what: str) -> str:
    if not isinstance(value, str):
        raise CommandError(f"{what} cannot be a user or a channel mention.")
    return value


def parse_scope(raw: Value) -> Scope:
    """`category:KOL`, `owner:@user` or `tag:x`; RuleError says which are accepted."""
    if isinstance(raw, UserRef):
        raise RuleError("Write the owner scope as `scope=owner:@user`.")
    text = _text(raw, "scope")
    kind, _, value = text.partition(":")
    kind = kind.strip().casefold()
    value = value.strip()
    if kind == "category" and value:
        return Scope("category", parse_choice(Category, value, "category").value)
    if kind == "owner" and (m := _OWNER.fullmatch(value)):
        return Scope("owner", m[1])
    if kind == "tag" and value and len(value) <= 60:
        return Scope("tag", value.casefold())
    raise RuleError(
        f"`scope=` takes `category:KOL`, `owner:@user` or `tag:NAME`, not {quoted(text)}."
    )


def _options(options: dict[str, Value], allowed: tuple[str, ...], verb: str) -> None:
    for key in options:
        if key not in allowed:
            takes = ", ".join(f"`{k}=`" for k in allowed) or "no options"
            raise CommandError(f"`/digest {verb}` takes {takes}, not `{key}=`.")


def _channel(words: list[Value]) -> tuple[str | None, list[Value]]:
    if words and isinstance(words[0], ChannelRef):
        return words[0].id, words[1:]
    return None, words


def _schedule_id(words: list[Value], verb: str) -> int:
    if len(words) != 1 or not isinstance(words[0], str) or not words[0].isdigit():
        raise CommandError(
            f"Say which schedule: `/digest {verb} ID` (the IDs are in `/digest list`)."
        )
    return int(words[0])


def parse_digest_command(text: str) -> DigestRequest:
    """Turn the text after `/digest` into a request, or raise CommandError/RuleError."""
    parsed = parse_command(text)
    words = list(parsed.words)
    verb = words[0].casefold() if words and isinstance(words[0], str) else ""
    rest, options = words[1:], parsed.options
    if verb in ("", "help") and not rest and not options:
        return DigestHelpRequest()
    if verb == "alerts":
        return AlertsRequest()
    if verb == "schedule":
        _options(options, ("cron", "tz", "quiet", "scope"), verb)
        channel, rest = _channel(rest)
        cron = _text(options["cron"], "cron") if "cron" in options else None
        rule = parse_rule([_text(w, "A schedule") for w in rest], cron)
        zone = None
        if "tz" in options:
            zone = parse_zone(_text(options["tz"], "tz").strip()).key
        quiet_raw = _text(options.get("quiet", "no"), "quiet").casefold()
        if quiet_raw not in ("yes", "no"):
            raise RuleError(f"`quiet=` takes `yes` or `no`, not {quoted(quiet_raw)}.")
        scope = parse_scope(options["scope"]) if "scope" in options else Scope()
        return ScheduleRequest(channel, rule, zone, quiet_raw == "yes", scope)
    if verb == "list" and not rest:
        _options(options, (), verb)
        return ListRequest()
    if verb in ("remove", "pause", "resume"):
        _options(options, (), verb)
        return ChangeRequest(verb, _schedule_id(rest, verb))
    if verb == "now":
        _options(options, ("scope",), verb)
        channel, rest = _channel(rest)
        if rest:
            raise CommandError("`/digest now` takes a channel and `scope=`, nothing else.")
        scope = parse_scope(options["scope"]) if "scope" in options else Scope()
        return NowRequest(channel, scope)
    if verb == "preview":
        _options(options, ("scope",), verb)
        if rest:
            raise CommandError("`/digest preview` takes `scope=`, nothing else.")
        return PreviewRequest(parse_scope(options["scope"]) if "scope" in options else Scope())
    raise CommandError(f"`/digest` takes {VERBS}.")
