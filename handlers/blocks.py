"""Block Kit helpers shared by every view: escaping, clipping, limits, paging."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from bot.registry.rules import FieldChange

Block = dict[str, Any]

# Slack's limits (https://api.slack.com/reference/block-kit), kept in this one place.
MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_SECTION_TEXT = 3000
MAX_FIELD_TEXT = 2000
MAX_HEADER_TEXT = 150
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
MAX_CONTEXT_TEXT = 3000
MAX_PRIVATE_METADATA = 3000
MAX_FIELD_ERROR = 150


def esc(text: str) -> str:
    """Escape user text for mrkdwn, so `<!channel>` shows as written and mentions nobody."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@dataclass(frozen=True)
class DateFormat:
    """How a moment is shown: Slack's tokens, and the fallback's strftime pattern."""

    tokens: str
    fallback: str
    with_time: bool


DATE = DateFormat("{date_short_pretty}", "%Y-%m-%d", with_time=False)
DATE_TIME = DateFormat("{date_short_pretty} {time}", "%Y-%m-%d %H:%M", with_time=True)


def plain_date(moment: datetime, zone: ZoneInfo, fmt: DateFormat = DATE_TIME) -> str:
    """A moment as plain text in the workspace's zone; a time carries the zone's name."""
    shown = moment.astimezone(zone).strftime(fmt.fallback)
    return f"{shown} {zone.key}" if fmt.with_time else shown


@lru_cache(maxsize=4096)  # the same few moments on every card and status (10 us each)
def slack_date(moment: datetime, zone: ZoneInfo, fmt: DateFormat = DATE_TIME) -> str:
    """A moment as mrkdwn that Slack shows in each reader's own time zone; clients that
    cannot format it show the fallback, in the workspace's zone (PARTNERBOT_TIMEZONE)."""
    return f"<!date^{int(moment.timestamp())}^{fmt.tokens}|{plain_date(moment, zone, fmt)}>"


def clip(text: str, limit: int) -> str:
    """Cut text to at most limit characters, marking the cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def mrkdwn(text: str, limit: int = MAX_SECTION_TEXT) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": clip(text, limit)}


def plain(text: str, limit: int = MAX_HEADER_TEXT) -> dict[str, Any]:
    return {"type": "plain_text", "text": clip(text, limit), "emoji": True}


def section(text: str, block_id: str | None = None) -> Block:
    block: Block = {"type": "section", "text": mrkdwn(text)}
    if block_id:
        block["block_id"] = block_id
    return block


def fields_section(pairs: list[tuple[str, str]]) -> Block:
    """A section of up to ten labelled fields (Slack's limit)."""
    return {
        "type": "section",
        "fields": [mrkdwn(f"*{label}*\n{value}", MAX_FIELD_TEXT) for label, value in pairs[:10]],
    }


def header(text: str) -> Block:
    return {"type": "header", "text": plain(text)}


def context(text: str) -> Block:
    return {"type": "context", "elements": [mrkdwn(text, MAX_CONTEXT_TEXT)]}


def divider() -> Block:
    return {"type": "divider"}


def button(
    text: str, action_id: str, value: str, style: str | None = None, url: str | None = None
) -> dict[str, Any]:
    if len(value) > MAX_BUTTON_VALUE:
        raise ValueError(f"button value of {action_id} is {len(value)} characters")
    element: dict[str, Any] = {
        "type": "button",
        "text": plain(text, MAX_BUTTON_TEXT),
        "action_id": action_id,
        "value": value,
    }
    if style:
        element["style"] = style
    return element


def actions(elements: list[dict[str, Any]], block_id: str | None = None) -> Block:
    block: Block = {"type": "actions", "elements": elements}
    if block_id:
        block["block_id"] = block_id
    return block


def message(blocks: list[Block], text: str, *, escaped: bool = False) -> dict[str, Any]:
    """An ephemeral message body: blocks plus the notification text Slack shows beside them.

    text is plain (it is escaped here) unless escaped says it is mrkdwn made safe already.
    """
    if len(blocks) > MAX_MESSAGE_BLOCKS:
        raise ValueError(f"a message has at most {MAX_MESSAGE_BLOCKS} blocks, not {len(blocks)}")
    fallback = clip(text if escaped else esc(text), 3000)
    return {"response_type": "ephemeral", "text": fallback, "blocks": blocks}


def channel_message(blocks: list[Block], text: str, *, escaped: bool = False) -> dict[str, Any]:
    """A message for a channel or a thread (chat.postMessage, chat.update): blocks plus the
    notification text, with no response_type (that belongs to a command's answer)."""
    body = message(blocks, text, escaped=escaped)
    del body["response_type"]
    return body


def modal(
    title: str,
    blocks: list[Block],
    *,
    callback_id: str | None = None,
    private_metadata: str | None = None,
    submit: str | None = "Save",
    close: str = "Cancel",
) -> dict[str, Any]:
    """A modal view: a form when it has a callback_id (and a submit button), else a
    read-only window."""
    if len(blocks) > MAX_VIEW_BLOCKS:
        raise ValueError(f"a modal has at most {MAX_VIEW_BLOCKS} blocks, not {len(blocks)}")
    if private_metadata is not None and len(private_metadata) > MAX_PRIVATE_METADATA:
        raise ValueError("private_metadata is too long")
    view: dict[str, Any] = {"type": "modal", "title": plain(title, 24), "close": plain(close, 24)}
    if callback_id is not None:
        view["callback_id"] = callback_id
        if submit:
            view["submit"] = plain(submit, 24)
    if private_metadata is not None:
        view["private_metadata"] = private_metadata
    view["blocks"] = blocks
    return view


def home(blocks: list[Block]) -> dict[str, Any]:
    """An App Home tab view."""
    if len(blocks) > MAX_VIEW_BLOCKS:
        raise ValueError(f"a Home tab has at most {MAX_VIEW_BLOCKS} blocks, not {len(blocks)}")
    return {"type": "home", "blocks": blocks}


def error_message(text: str) -> dict[str, Any]:
    """A short ephemeral error: what went wrong and what to type instead."""
    return message([section(f":warning: {text}")], text, escaped=True)


def help_message(title: str, usages: list[tuple[str, str]], footer: str) -> dict[str, Any]:
    """A command's help: each usage in code with what it does, then a footer line."""
    lines = [f"`{esc(usage)}`\n{what}" for usage, what in usages]
    blocks = [header(title), section("\n".join(lines)), context(footer)]
    return message(blocks, title)


def settings_message(
    title: str, lines: list[str], hint: str, changes: list[FieldChange] | None
) -> dict[str, Any]:
    """Settings in force, one per line, after what a change just did (if one was asked)."""
    blocks: list[Block] = []
    if changes is not None:
        done = ", ".join(f"{c.field} {c.before} → {c.after}" for c in changes)
        outcome = (
            f":white_check_mark: Changed {done}."
            if changes
            else ("Nothing changed: those are the values in force.")
        )
        blocks.append(section(outcome))
    blocks.append(section(f"*{title}*\n" + "\n".join(lines)))
    blocks.append(context(hint))
    return message(blocks, title)


def field_error(err: Exception | str) -> str:
    """An error for under a modal's input: plain text (no mrkdwn there), short."""
    return str(err).replace("*", "").replace("`", "")[:MAX_FIELD_ERROR]
