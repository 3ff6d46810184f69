"""What a `/partner ...` command asks for: the text parsed into a typed request. Pure."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from bot.command_parser import ChannelRef, ParsedCommand, UserRef, Value, parse_command
from bot.errors import CommandError, RuleError
from bot.metrics import METRICS, BeyondCalendar, Period, parse_metric, parse_period
from bot.registry.ports import ListFilters
from bot.registry.rules import PartnerFields, clean_name, clean_text, parse_field, parse_tags


@dataclass(frozen=True)
class AddRequest:
    fields: PartnerFields | None  # None: open the modal


@dataclass(frozen=True)
class NameRequest:
    """A subcommand that takes only a partner's name: show, edit, archive, restore, history."""

    verb: str
    name: str


@dataclass(frozen=True)
class ListRequest:
    filters: ListFilters


@dataclass(frozen=True)
class SetRequest:
    name: str
    fields: PartnerFields


@dataclass(frozen=True)
class DropRequest:
    """`drop NAME [reason]`: the words, split into name and reason against the registry
    (the longest leading run of words that names a partner), and a `reason=` if given."""

    words: tuple[str, ...]
    reason: str = ""


@dataclass(frozen=True)
class MetricsRequest:
    name: str
    values: dict[str, float]
    period: Period | None  # None: the current ISO week
    beyond: str | None = None  # a real period past 9999-12-31: refused against the window


@dataclass(frozen=True)
class HelpRequest:
    topic: str | None = None


Request = (
    AddRequest | NameRequest | ListRequest | SetRequest | DropRequest | MetricsRequest | HelpRequest
)

SUBCOMMANDS = (
    "add",
    "show",
    "list",
    "set",
    "edit",
    "drop",
    "archive",
    "restore",
    "history",
    "metrics",
    "help",
)
_NAME_ONLY = ("show", "edit", "archive", "restore", "history")

# Option names of the partner fields, as users type them.
FIELD_OPTIONS = (
    "category",
    "tier",
    "status",
    "owner",
    "backups",
    "tags",
    "contacts",
    "note",
    "cases",
)
LIST_OPTIONS = ("category", "tier", "status", "owner", "tag")


def parse_partner_command(text: str) -> Request:
    """Turn the text after `/partner` into a request, or raise CommandError/RuleError."""
    parsed = parse_command(text)
    if not parsed.words:
        if parsed.options:
            raise CommandError("Start with a subcommand, e.g. `/partner list category=KOL`.")
        return HelpRequest()
    verb_value, rest = parsed.words[0], parsed.words[1:]
    verb = verb_value.casefold() if isinstance(verb_value, str) else ""
    args = ParsedCommand(rest, parsed.options)
    if verb == "help":
        return HelpRequest(_text(rest[0]) if rest else None)
    if verb == "add":
        if not rest and not parsed.options:
            return AddRequest(None)
        name = _name(args, "add")
        fields = fields_from_options(parsed.options, FIELD_OPTIONS)
        return AddRequest(PartnerFields(**{**fields.given(), "name": name}))
    if verb in _NAME_ONLY:
        _no_options(args, verb)
        return NameRequest(verb, _name(args, verb))
    if verb == "list":
        if rest:
            raise CommandError(
                "`list` takes filters, not names: e.g. `/partner list tier=core status=active`."
            )
        return ListRequest(list_filters(parsed.options))
    if verb == "set":
        name = _name(args, "set")
        if not parsed.options:
            raise CommandError(
                f"Say what to change, e.g. `/partner set {name} tier=core`. "
                f"Fields: name, {', '.join(FIELD_OPTIONS)}."
            )
        return SetRequest(name, fields_from_options(parsed.options, ("name", *FIELD_OPTIONS)))
    if verb == "drop":
        return _drop(args)
    if verb == "metrics":
        return _metrics(args)
    raise CommandError(_unknown(verb_value))


def _unknown(verb: Value) -> str:
    shown = _text(verb)
    close = difflib.get_close_matches(shown.casefold(), SUBCOMMANDS, n=1, cutoff=0.6)
    hint = f" Did you mean `{close[0]}`?" if close else ""
    return f"`{shown}` is not a `/partner` subcommand.{hint}"


def _text(value: Value) -> str:
    if isinstance(value, UserRef):
        return f"@{value.name or value.id}"
    if isinstance(value, ChannelRef):
        return f"#{value.name or value.id}"
    return value


def _name(args: ParsedCommand, verb: str) -> str:
    """The partner name: the words after the subcommand, joined (quotes are optional)."""
    if not args.words:
        raise CommandError(f'Which partner? Give a name: `/partner {verb} "Acme Media"`.')
    if any(not isinstance(word, str) for word in args.words):
        raise CommandError("A partner name cannot be a user or a channel mention.")
    return clean_name(" ".join(str(word) for word in args.words))


def _no_options(args: ParsedCommand, verb: str) -> None:
    if args.options:
        key = next(iter(args.options))
        raise CommandError(
            f"`{verb}` takes no options (got `{key}=`); to change fields use `/partner set`."
        )


def _drop(args: ParsedCommand) -> DropRequest:
    options = dict(args.options)
    reason_option = options.pop("reason", None)
    if options:
        raise CommandError(f"`drop` takes a name and a reason, not `{next(iter(options))}=`.")
    if not args.words:
        raise CommandError('Which partner? `/partner drop "Acme Media" contract ended`.')
    if not isinstance(args.words[0], str):
        raise CommandError("A partner name cannot be a user or a channel mention.")
    reason = "" if reason_option is None else _text(reason_option)
    return DropRequest(tuple(_text(w) for w in args.words), clean_text(reason, "The reason"))


def _metrics(args: ParsedCommand) -> MetricsRequest:
    name = _name(args, "metrics")
    values: dict[str, float] = {}
    period: Period | None = None
    beyond: str | None = None
    for key, value in args.options.items():
        if key == "period":
            try:
                period = parse_period(_text(value))
            except BeyondCalendar as err:  # told with the window's dates, which need today
                beyond = err.label
        elif key in METRICS:
            values[key] = parse_metric(key, _text(value))
        else:
            raise RuleError(_unknown_option(key, ("period", *METRICS), "a metric"))
    if not values:
        raise CommandError(
            f"Give the metrics to record, e.g. `/partner metrics {name} rue=35 roi=2.1 "
            "sentiment=72 gmv=120000 traffic=5400`."
        )
    return MetricsRequest(name, values, period, beyond)


def _unknown_option(key: str, accepted: tuple[str, ...], what: str) -> str:
    close = difflib.get_close_matches(key, accepted, n=1, cutoff=0.6)
    hint = f" Did you mean `{close[0]}`?" if close else ""
    return f"`{key}` is not {what}.{hint} Use: {', '.join(accepted)}."


# Option names people type for fields whose stored name differs.
_OPTION_FIELDS = {"note": "notes", "notes": "notes", "cases": "success_cases"}


def fields_from_options(options: dict[str, Value], accepted: tuple[str, ...]) -> PartnerFields:
    """Partner fields from `key=value` options, each validated."""
    given: dict[str, object] = {}
    for key, value in options.items():
        option = "note" if key == "notes" else key
        if option not in accepted:
            raise RuleError(_unknown_option(key, accepted, "a partner field"))
        field = _OPTION_FIELDS.get(option, option)
        given[field] = _user(value) if field == "owner" else parse_field(field, _text(value))
    return PartnerFields(**given)  # type: ignore[arg-type]


def _user(value: Value) -> str:
    if isinstance(value, UserRef):
        return value.id
    raise RuleError(
        f"The owner must be a Slack user: type `owner=@` and pick someone (got `{_text(value)}`)."
    )


def list_filters(options: dict[str, Value]) -> ListFilters:
    """Filters of `/partner list`, each validated."""
    given: dict[str, object] = {}
    for key, value in options.items():
        option = "tag" if key == "tags" else key
        if option not in LIST_OPTIONS:
            raise RuleError(_unknown_option(key, LIST_OPTIONS, "a filter"))
        if option == "owner":
            given["owner"] = _user(value)
            continue
        text = _text(value)
        if option != "tag":
            given[option] = parse_field(option, text)
        else:
            tags = parse_tags(text)
            if len(tags) > 1:
                raise RuleError("`list` filters on one tag at a time: `tag=beauty`.")
            given["tag"] = tags[0] if tags else None
    return ListFilters(**given)  # type: ignore[arg-type]
