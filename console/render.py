"""Block Kit and mrkdwn made readable in a terminal, with rich: pure functions from what the app
sent to lines of styled text, and the message's controls numbered for `click N`."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

from rich.emoji import Emoji
from rich.text import Text

from console.standin import Directory

CONTROL_TYPES = {
    "button",
    "static_select",
    "users_select",
    "overflow",
    "external_select",
    "conversations_select",
    "channels_select",
}

_TOKEN = re.compile(
    r"(?P<angle><[^<>\n]+>)"
    r"|(?P<pre>```.+?```)"
    r"|(?P<code>`[^`\n]+`)"
    r"|(?P<bold>(?<![\w*])\*(?!\s)(?:<[^<>\n]+>|[^*\n])+?(?<!\s)\*(?![\w*]))"
    r"|(?P<italic>(?<![\w_])_(?!\s)(?:<[^<>\n]+>|[^_\n])+?(?<!\s)_(?![\w_]))"
    r"|(?P<strike>(?<![\w~])~(?!\s)(?:<[^<>\n]+>|[^~\n])+?(?<!\s)~(?![\w~]))",
    re.DOTALL,
)


# Slack's names that rich's emoji table spells otherwise.
_SLACK_EMOJI = {":large_orange_circle:": "🟠", ":large_green_circle:": "🟢", ":memory:": "📝"}
_EMOJI = re.compile(r":[a-z0-9_+\-]+:")


def emoji(text: str) -> str:
    """Slack's :shortcodes: as the characters they stand for (unknown ones left as typed)."""
    return Emoji.replace(_EMOJI.sub(lambda m: _SLACK_EMOJI.get(m.group(0), m.group(0)), text))


@dataclass
class Control:
    """One thing a person can press or pick in a message or view."""

    element: dict[str, Any]
    block_id: str

    @property
    def kind(self) -> str:
        return str(self.element.get("type", ""))

    @property
    def label(self) -> str:
        text = self.element.get("text") or self.element.get("placeholder") or {}
        if self.kind == "overflow":
            return "…"
        return str(text.get("text") or self.kind)


def angle(token: str, directory: Directory) -> tuple[str, str]:
    """One `<...>` of mrkdwn as (text shown, style)."""
    inner = token[1:-1]
    target, _, label = inner.partition("|")
    if target.startswith("@"):
        return "@" + (label or directory.user_name(target[1:])), "bold cyan"
    if target.startswith("#"):
        return "#" + (label or directory.channel_name(target[1:])), "bold cyan"
    if target.startswith("!date^"):
        return html.unescape(label or target), "italic"
    if target.startswith("!subteam^"):
        return "@" + (label or target.split("^", 1)[1]), "bold cyan"
    if target.startswith("!"):
        return "@" + (label or target[1:]), "bold cyan"
    label = html.unescape(label)
    if label and label != target:
        return f"{label} ({target})", "underline"
    return target, "underline"


def mrkdwn(text: str, directory: Directory, style: str = "") -> Text:
    """mrkdwn as styled text: bold, italic, strike, code; mentions and channels by name,
    dates as their fallback, links with their address, entities unescaped."""
    out = Text(style=style)
    _spans(out, text, directory, style)
    return out


def _spans(out: Text, text: str, directory: Directory, style: str) -> None:
    at = 0
    for match in _TOKEN.finditer(text):
        out.append(emoji(html.unescape(text[at : match.start()])), style=style or None)
        at = match.end()
        token, kind = match.group(0), match.lastgroup
        if kind == "angle":
            shown, extra = angle(token, directory)
            out.append(shown, style=_join(style, extra))
        elif kind == "pre":
            out.append(html.unescape(token[3:-3].strip("\n")), style=_join(style, "green"))
        elif kind == "code":
            out.append(html.unescape(token[1:-1]), style=_join(style, "green"))
        else:
            extra = {"bold": "bold", "italic": "italic", "strike": "strike"}[kind or "bold"]
            _spans(out, token[1:-1], directory, _join(style, extra))
    out.append(emoji(html.unescape(text[at:])), style=style or None)


def _join(*styles: str) -> str:
    return " ".join(s for s in styles if s)


def text_object(obj: dict[str, Any] | None, directory: Directory, style: str = "") -> Text:
    """A Block Kit text object: mrkdwn rendered, plain_text as it is."""
    if not obj:
        return Text()
    if obj.get("type") == "mrkdwn":
        return mrkdwn(str(obj.get("text", "")), directory, style)
    return Text(emoji(str(obj.get("text", ""))), style=style)


def blocks(
    items: list[dict[str, Any]], directory: Directory, controls: list[Control]
) -> list[Text]:
    """The lines of a message's or view's blocks; each control found is appended to controls
    and shown with its number (1-based, in the order of controls)."""
    lines: list[Text] = []
    for block in items:
        kind = block.get("type")
        block_id = str(block.get("block_id", ""))
        if kind == "header":
            lines.append(text_object(block.get("text"), directory, "bold underline"))
        elif kind == "divider":
            lines.append(Text("─" * 40, style="dim"))
        elif kind == "section":
            lines.extend(_section(block, directory, controls))
        elif kind == "context":
            parts = [
                text_object(e, directory, "dim") if "text" in e else Text("[image]", style="dim")
                for e in block.get("elements", [])
            ]
            lines.append(Text("  ").join(parts))
        elif kind == "actions":
            found = [_control(e, block_id, controls) for e in block.get("elements", [])]
            lines.append(Text("  ").join(found))
        elif kind == "input":
            lines.append(_input(block, directory))
        elif kind == "image":
            lines.append(Text(f"[image: {block.get('alt_text', '')}]", style="dim"))
        elif kind == "rich_text":
            lines.append(Text(_rich_text(block)))
    return lines


def _section(block: dict[str, Any], directory: Directory, controls: list[Control]) -> list[Text]:
    lines: list[Text] = []
    if block.get("text"):
        lines.extend(text_object(block["text"], directory).split("\n"))
    shown = [_field(text_object(f, directory)) for f in block.get("fields", [])]
    for pair in range(0, len(shown), 2):
        lines.append(Text("    ").join(shown[pair : pair + 2]))
    accessory = block.get("accessory")
    if accessory and accessory.get("type") in CONTROL_TYPES:
        lines.append(Text("  ") + _control(accessory, str(block.get("block_id", "")), controls))
    return lines


def _field(text: Text) -> Text:
    """A field as one line: its first line (the label, as the app writes them) then the rest."""
    parts = text.split("\n")
    if len(parts) == 1:
        return parts[0]
    return parts[0] + Text(": ") + Text(" / ").join(parts[1:])


def _control(element: dict[str, Any], block_id: str, controls: list[Control]) -> Text:
    if element.get("type") not in CONTROL_TYPES:
        return Text()
    control = Control(element, block_id)
    controls.append(control)
    number = len(controls)
    style = {"primary": "bold green", "danger": "bold red"}.get(
        str(element.get("style")), "bold blue"
    )
    suffix = {"static_select": " ▾", "users_select": " ▾ (a person)", "overflow": " ▾"}
    label = control.label + suffix.get(control.kind, "")
    if control.kind == "overflow":
        options = ", ".join(o["text"]["text"] for o in element.get("options", []))
        label = f"… ({options})"
    return Text(f"[{number}] {label}", style=style)


def _input(block: dict[str, Any], directory: Directory) -> Text:
    label = text_object(block.get("label"), directory, "bold")
    element = block.get("element", {})
    initial = initial_value(element)
    if initial:
        label.append(f": {initial}")
    return label


def initial_value(element: dict[str, Any]) -> str:
    """What an input holds before the person types anything, as text."""
    if "initial_value" in element:
        return str(element["initial_value"])
    if "initial_option" in element:
        return str(element["initial_option"].get("value", ""))
    if "initial_user" in element:
        return str(element["initial_user"])
    return ""


def _rich_text(block: dict[str, Any]) -> str:
    out: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "text" in node and isinstance(node["text"], str):
                out.append(node["text"])
            for child in node.get("elements", []):
                walk(child)

    walk(block)
    return "".join(out)
