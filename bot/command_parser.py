"""Parse the text of a slash command into words and ``key=value`` options.

The text arrives as Slack sends it with ``should_escape: true``: ``&``, ``<`` and ``>``
typed by the user are HTML-escaped, and a raw ``<`` only ever starts one of Slack's
special forms (``<@U1|maria>``, ``<#C1|ops>``, ``<!here>``, ``<https://x.y|label>``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TypeAlias

from bot.errors import CommandError
from bot.text_checks import refused_character, text_refusal, visible

__all__ = ["ChannelRef", "CommandError", "ParsedCommand", "UserRef", "Value", "parse_command"]


@dataclass(frozen=True)
class UserRef:
    """A user mention, sent by Slack as ``<@U0ABC|maria>`` or ``<@U0ABC>``."""

    id: str
    name: str | None = None


@dataclass(frozen=True)
class ChannelRef:
    """A channel mention, sent by Slack as ``<#C0ABC|ops>`` or ``<#C0ABC>``."""

    id: str
    name: str | None = None


Value: TypeAlias = str | UserRef | ChannelRef


@dataclass(frozen=True)
class ParsedCommand:
    """Positional words in order, and options keyed by their lower-cased name."""

    words: tuple[Value, ...]
    options: dict[str, Value]


# Clients mix straight and curly quotes, so any of them closes any other.
_QUOTES = '"“”'
_QUOTE_RE = re.compile("[" + _QUOTES + "]")
_KEY_RE = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
# A special form is kept in one piece even if its label has spaces (`<https://x|Acme Media>`).
_SPECIAL_RE = re.compile(r"<[^\s<>|" + _QUOTES + r"]+(?:\|[^<>]*)?>")
_USER_RE = re.compile(r"<@([UW][A-Z0-9]+)(?:\|([^<>]*))?>")
_CHANNEL_RE = re.compile(r"<#([CG][A-Z0-9]+)(?:\|([^<>]*))?>")
_LINK_RE = re.compile(r"<([A-Za-z][A-Za-z0-9+.-]*:[^\s<>|]*)(?:\|([^<>]*))?>")
_FRAGMENT_MAX = 60

# A piece of a token: its raw (still escaped) text and whether it was quoted.
_Segment: TypeAlias = tuple[str, bool]


@dataclass
class _Token:
    raw: str
    segments: list[_Segment]


def parse_command(text: str) -> ParsedCommand:
    """Parse slash-command ``text`` into words and options.

    Raises CommandError, and nothing else, for text that cannot be parsed or holds a
    control character (other than a line break or a tab) or undecodable bytes.
    """
    words: list[Value] = []
    options: dict[str, Value] = {}
    for token in _tokenize(text):
        _refuse_unreadable(token)
        first, first_quoted = token.segments[0]
        if not first_quoted and "=" in first:
            key, rest = first.split("=", 1)
            if not key:
                raise CommandError(f"An option needs a name before `=`: {_fragment(token.raw)}")
            if _KEY_RE.fullmatch(key):
                key = key.lower()
                if key in options:
                    raise CommandError(f"The option {_fragment(key)} is given twice.")
                value_segments = [(rest, False)] if rest else []
                options[key] = _value(value_segments + token.segments[1:])
                continue
        words.append(_value(token.segments))
    if refusal := text_refusal("The command", text):
        raise CommandError(refusal)  # one between the words, taken for a space
    return ParsedCommand(tuple(words), options)


def _refuse_unreadable(token: _Token) -> None:
    """Refuse a token that holds what no field may, naming its option or quoting it."""
    if refused_character(token.raw) is None:
        return
    first, quoted = token.segments[0]
    key = first.split("=", 1)[0] if not quoted and "=" in first else ""
    where = f"The option `{key.lower()}`" if _KEY_RE.fullmatch(key) else _fragment(token.raw)
    raise CommandError(text_refusal(where, token.raw))


def _tokenize(text: str) -> list[_Token]:
    """Split on whitespace outside quotes; each token keeps its quoted and plain pieces."""
    tokens: list[_Token] = []
    segments: list[_Segment] = []
    plain: list[str] = []
    start = 0

    def flush_plain() -> None:
        if plain:
            segments.append(("".join(plain), False))
            plain.clear()

    i = 0
    while i < len(text):
        ch = text[i]
        if ch.isspace():
            flush_plain()
            if segments:
                tokens.append(_Token(text[start:i], segments))
                segments = []
            i += 1
            continue
        if not segments and not plain:
            start = i
        if ch in _QUOTES:
            close = _QUOTE_RE.search(text, i + 1)
            if close is None:
                raise CommandError(f"A quote is not closed: {_fragment(text[i:])}")
            flush_plain()
            segments.append((text[i + 1 : close.start()], True))
            i = close.end()
        elif ch == "<" and (special := _SPECIAL_RE.match(text, i)):
            plain.append(special.group())
            i = special.end()
        else:
            plain.append(ch)
            i += 1
    flush_plain()
    if segments:
        tokens.append(_Token(text[start:], segments))
    return tokens


def _value(segments: list[_Segment]) -> Value:
    """The value of a token: a mention or link if it is one whole unquoted form, else text."""
    if len(segments) == 1 and not segments[0][1]:
        raw = segments[0][0]
        if m := _USER_RE.fullmatch(raw):
            return UserRef(m[1], _unescape(m[2] or "") or None)
        if m := _CHANNEL_RE.fullmatch(raw):
            return ChannelRef(m[1], _unescape(m[2] or "") or None)
        if m := _LINK_RE.fullmatch(raw):
            # Slack links what a user typed (acme.com, a@b.com); the label is what they typed.
            return _unescape(m[2] or m[1])
    return "".join(_unescape(text) for text, _ in segments)


def _unescape(text: str) -> str:
    """Undo Slack's escaping; `&amp;` goes last so `&amp;lt;` stays the literal `&lt;`."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _fragment(raw: str) -> str:
    """A short, one-line, backticked excerpt of what the user typed, for an error message."""
    text = visible(" ".join(_unescape(raw).split())).replace("`", "'")
    if len(text) > _FRAGMENT_MAX:
        text = text[: _FRAGMENT_MAX - 1] + "…"
    return f"`{text}`"
