"""Requests shaped exactly as Slack sends them (see /work/shared/slack/payloads.md): slash
commands as form bodies, block_actions and view_submission as a `payload` form field, and
Events API callbacks as JSON."""

from __future__ import annotations

import html
import itertools
import json
import re
from typing import Any
from urllib.parse import urlencode

from console.standin import BOT_USER, TEAM, Directory, Message

TOKEN = "console-verification-token"
FORM_CONTENT = "application/x-www-form-urlencoded"
APP_ID = "A0PARTNERBOT"
_seq = itertools.count(1)
_MENTION = re.compile(r"(?<![\w<])([@#])([\w.\-]+)")


def trigger_id() -> str:
    return f"{next(_seq)}.console.trigger"


def escape_typed(text: str, directory: Directory) -> str:
    """Command text as Slack sends it with escaping on: &, < and > escaped, then @name and
    #channel of people and channels Slack knows as <@U…|name> and <#C…|name>."""
    escaped = html.escape(text, quote=False)
    users = {name: uid for uid, name in directory.users.items()}
    channels = {name: cid for cid, name in directory.channels.items()}

    def swap(match: re.Match[str]) -> str:
        sign, name = match.groups()
        if sign == "@" and name in users:
            return f"<@{users[name]}|{name}>"
        if sign == "#" and name in channels:
            return f"<#{channels[name]}|{name}>"
        return match.group(0)

    return _MENTION.sub(swap, escaped)


def _user(user: str, directory: Directory) -> dict[str, str]:
    name = directory.user_name(user)
    return {"id": user, "username": name, "name": name, "team_id": TEAM}


def slash_command(
    command: str, text: str, *, user: str, channel: str, response_url: str, directory: Directory
) -> str:
    """A slash command's form body."""
    return urlencode(
        {
            "token": TOKEN,
            "team_id": TEAM,
            "team_domain": "console",
            "enterprise_id": "",
            "enterprise_name": "",
            "channel_id": channel,
            "channel_name": directory.channel_name(channel),
            "user_id": user,
            "user_name": directory.user_name(user),
            "command": command,
            "text": text,
            "api_app_id": APP_ID,
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": trigger_id(),
        }
    )


def block_action(
    action: dict[str, Any],
    *,
    user: str,
    directory: Directory,
    action_ts: str,
    message: Message | None = None,
    view: dict[str, Any] | None = None,
    response_url: str | None = None,
) -> str:
    """A block_actions form body for one action on a message (or on a view: the Home tab)."""
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": _user(user, directory),
        "api_app_id": APP_ID,
        "token": TOKEN,
        "trigger_id": trigger_id(),
        "team": {"id": TEAM, "domain": "console"},
        "enterprise": None,
        "is_enterprise_install": False,
        "state": {"values": {}},
        "actions": [{**action, "action_ts": action_ts}],
    }
    if message is not None:
        container: dict[str, Any] = {
            "type": "message",
            "message_ts": message.ts,
            "channel_id": message.channel,
            "is_ephemeral": message.ephemeral,
        }
        if message.thread_ts:
            container["thread_ts"] = message.thread_ts
        payload["container"] = container
        payload["channel"] = {
            "id": message.channel,
            "name": directory.channel_name(message.channel),
        }
        if not message.ephemeral:
            payload["message"] = message.as_slack()
        payload["response_url"] = response_url
    elif view is not None:
        payload["container"] = {"type": "view", "view_id": view.get("id")}
        payload["view"] = {**view, "state": {"values": {}}, "team_id": TEAM}
    return urlencode({"payload": json.dumps(payload, ensure_ascii=False)})


def view_submission(
    view: dict[str, Any], values: dict[str, Any], *, user: str, directory: Directory
) -> str:
    """A view_submission form body: the modal as the app sent it, with the state filled in."""
    payload = {
        "type": "view_submission",
        "team": {"id": TEAM, "domain": "console"},
        "user": _user(user, directory),
        "api_app_id": APP_ID,
        "token": TOKEN,
        "trigger_id": trigger_id(),
        "view": {
            **view,
            "team_id": TEAM,
            "type": "modal",
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "hash": f"{next(_seq)}.console",
            "state": {"values": values},
        },
        "response_urls": [],
        "is_enterprise_install": False,
    }
    return urlencode({"payload": json.dumps(payload, ensure_ascii=False)})


def app_home_opened(user: str, event_ts: str, event_time: int) -> str:
    """The Events API callback Slack sends when someone opens the app's Home tab."""
    return json.dumps(
        {
            "token": TOKEN,
            "team_id": TEAM,
            "api_app_id": APP_ID,
            "event": {
                "type": "app_home_opened",
                "user": user,
                "channel": f"D{user[1:]}",
                "tab": "home",
                "event_ts": event_ts,
            },
            "type": "event_callback",
            "event_id": f"Ev{next(_seq):010d}",
            "event_time": event_time,
            "authorizations": [{"team_id": TEAM, "user_id": BOT_USER, "is_bot": True}],
        }
    )
