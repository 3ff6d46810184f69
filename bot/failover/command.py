"""What a `/failover ...` command asks for: the text parsed into a typed request. Pure."""

from __future__ import annotations

from dataclasses import dataclass

from bot.command_parser import Value, parse_command
from bot.errors import CommandError
from bot.failover.rules import parse_sla


@dataclass(frozen=True)
class StartRequest:
    """`NAME [reason]`: the words, split into name and reason against the registry."""

    words: tuple[str, ...]


@dataclass(frozen=True)
class StatusRequest:
    pass


@dataclass(frozen=True)
class HistoryRequest:
    name: str | None  # None: every partner's


@dataclass(frozen=True)
class SlaRequest:
    updates: dict[str, float] | None  # None: show the deadlines


@dataclass(frozen=True)
class FailoverHelpRequest:
    pass


@dataclass(frozen=True)
class AutoRequest:
    on: bool | None  # None: show whether drills start by themselves on a drop


FailoverRequest = (
    StartRequest | StatusRequest | HistoryRequest | SlaRequest | FailoverHelpRequest | AutoRequest
)
_SWITCH = {"on": True, "off": False}


def _texts(words: tuple[Value, ...], what: str) -> tuple[str, ...]:
    if any(not isinstance(w, str) for w in words):
        raise CommandError(f"{what} is plain text: write names without @ or #.")
    return tuple(str(w) for w in words)


def parse_failover_command(text: str) -> FailoverRequest:
    """The request the text makes; CommandError (or RuleError) says what is wrong."""
    parsed = parse_command(text)
    words, options = parsed.words, parsed.options
    verb = None if not words else words[0].casefold() if isinstance(words[0], str) else ""
    if verb in (None, "help"):
        if options or len(words) > 1:
            raise CommandError("`help` takes nothing after it.")
        return FailoverHelpRequest()
    if verb == "status":
        if options or len(words) > 1:
            raise CommandError("`status` takes nothing after it.")
        return StatusRequest()
    if verb == "history":
        if options:
            raise CommandError("`history` takes a partner's name, no options.")
        rest = _texts(words[1:], "A partner's name")
        if len(rest) > 1:
            raise CommandError('Put a name with spaces in quotes: `history "Acme Media"`.')
        return HistoryRequest(rest[0] if rest else None)
    if verb == "sla":
        if len(words) > 1:
            raise CommandError("Write deadlines as `backup=30m takeover=2h comms=4h verify=24h`.")
        if not options:
            return SlaRequest(None)
        return SlaRequest(parse_sla({k: str(v) for k, v in options.items()}))
    if verb == "auto":
        switch = [w.casefold() if isinstance(w, str) else "" for w in words[1:]]
        if options or len(switch) > 1 or (switch and switch[0] not in _SWITCH):
            raise CommandError("Write `/failover auto on` or `/failover auto off`.")
        return AutoRequest(_SWITCH[switch[0]] if switch else None)
    if options:
        raise CommandError(
            f"`/failover NAME [reason]` takes no options (`{next(iter(options))}=`)."
        )
    start = words[1:] if verb == "start" else words
    if not start:
        raise CommandError("Name the partner: `/failover NAME [reason]`.")
    return StartRequest(_texts(start, "A drill's partner and reason"))
