"""A local stand-in for Slack's Web API on 127.0.0.1, for the console.

The app's client talks to it through SLACK_API_URL as it would to Slack. It answers the calls the
app makes, keeps what a workspace would hold (messages by channel and ts, open modals, the Home
tab) and tells the console each thing a person in Slack would see, as a `Shown`.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

TEAM = "T0CONSOLE"
BOT_USER = "U0PARTNERBOT"
MESSAGE_METHODS = {"chat.postMessage", "chat.postEphemeral", "chat.update"}


@dataclass
class Message:
    """A message as the workspace holds it; ephemeral ones are seen by `user` alone."""

    channel: str
    ts: str
    text: str
    blocks: list[dict[str, Any]]
    thread_ts: str | None = None
    user: str | None = None  # the one person who sees an ephemeral message

    @property
    def ephemeral(self) -> bool:
        return self.user is not None

    def as_slack(self) -> dict[str, Any]:
        """The message as Slack carries it in a block_actions payload."""
        body: dict[str, Any] = {
            "type": "message",
            "ts": self.ts,
            "text": self.text,
            "blocks": self.blocks,
            "user": BOT_USER,
        }
        if self.thread_ts:
            body["thread_ts"] = self.thread_ts
        return body


@dataclass
class Shown:
    """One thing a person would see: kind is 'message', 'update', 'ephemeral', 'dm',
    'modal', 'modal-update', 'home' or 'file'."""

    kind: str
    message: Message | None = None
    view: dict[str, Any] | None = None
    path: Path | None = None
    title: str = ""


@dataclass
class Directory:
    """The people and channels of the workspace, by ID."""

    users: dict[str, str] = field(default_factory=dict)  # id -> name
    channels: dict[str, str] = field(default_factory=dict)  # id -> name
    timezone: str = "Asia/Shanghai"

    def user_name(self, user_id: str) -> str:
        return self.users.get(user_id, user_id)

    def channel_name(self, channel_id: str) -> str:
        return self.channels.get(channel_id, channel_id)


@dataclass
class Respond:
    """Where a response_url's posts go: the channel and person of the request, and the message
    the request came from (for replace_original)."""

    channel: str
    user: str
    source: Message | None = None


class SlackStandIn:
    """The Web API's answers, the workspace's state, and a listener told of everything shown."""

    def __init__(self, directory: Directory, files: Path, show: Callable[[Shown], None]) -> None:
        self.directory = directory
        self.files = files
        self.show = show
        self.messages: dict[tuple[str, str], Message] = {}
        self.views: dict[str, dict[str, Any]] = {}
        self.opened: list[str] = []  # ids of modals opened, in order
        self.home: dict[str, dict[str, Any]] = {}  # user -> published Home view
        self.calls: list[str] = []
        self._responds: dict[str, Respond] = {}
        self._uploads: dict[str, dict[str, Any]] = {}
        self._seq = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/respond/{key}", self._respond)
        app.router.add_post("/upload/{file_id}", self._upload)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/"

    def response_url(
        self, channel: str, user: str, source: Message | None = None
    ) -> tuple[str, Respond]:
        """A fresh response_url for a request from user in channel, and where its posts go."""
        key = f"r{next(self._seq)}"
        respond = self._responds[key] = Respond(channel, user, source)
        return f"{self.url}/respond/{key}", respond

    def next_ts(self) -> str:
        return f"1790000000.{next(self._seq):06d}"

    def post(
        self,
        channel: str,
        body: dict[str, Any],
        *,
        user: str | None = None,
        kind: str | None = None,
    ) -> Message:
        """Keep a new message and show it; user makes it ephemeral (seen by them alone)."""
        message = Message(
            channel,
            self.next_ts(),
            str(body.get("text") or ""),
            _listed(body.get("blocks")),
            thread_ts=body.get("thread_ts") or None,
            user=user,
        )
        self.messages[(channel, message.ts)] = message
        if kind is None:
            kind = "ephemeral" if user else "dm" if channel in self.directory.users else "message"
        self.show(Shown(kind, message=message))
        return message

    def update(self, message: Message, body: dict[str, Any]) -> None:
        """Replace a message's text and blocks in place, and show the update."""
        if "text" in body:
            message.text = str(body.get("text") or "")
        message.blocks = _listed(body.get("blocks"))
        self.show(Shown("update", message=message))

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        body = await _arguments(request)
        self.calls.append(method)
        return web.json_response(self.answer(method, body))

    def answer(self, method: str, body: dict[str, Any]) -> dict[str, Any]:
        """What Slack would answer to one Web API call, its effects kept and shown."""
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://console.example/",
                "team": "console",
                "user": "partnerbot",
                "team_id": TEAM,
                "user_id": BOT_USER,
                "bot_id": "B0PARTNERBOT",
            }
        if method in MESSAGE_METHODS:
            return self._message(method, body)
        if method.startswith("views."):
            return self._view(method, body)
        if method == "users.info":
            user = str(body.get("user", ""))
            if user not in self.directory.users:
                return {"ok": False, "error": "user_not_found"}
            name = self.directory.user_name(user)
            return {
                "ok": True,
                "user": {
                    "id": user,
                    "name": name,
                    "real_name": name,
                    "tz": self.directory.timezone,
                },
            }
        if method in ("conversations.info", "conversations.join"):
            return self._conversation(str(body.get("channel", "")))
        if method == "files.getUploadURLExternal":
            file_id = f"F{next(self._seq):08d}"
            self._uploads[file_id] = {"name": body.get("filename") or f"{file_id}.png"}
            return {"ok": True, "file_id": file_id, "upload_url": f"{self.url}/upload/{file_id}"}
        if method == "files.completeUploadExternal":
            return self._complete_upload(body)
        return {"ok": True}

    def _message(self, method: str, body: dict[str, Any]) -> dict[str, Any]:
        channel = str(body.get("channel", ""))
        if method == "chat.update":
            found = self.messages.get((channel, str(body.get("ts", ""))))
            if found is None:
                return {"ok": False, "error": "message_not_found"}
            self.update(found, body)
            return {"ok": True, "channel": channel, "ts": found.ts}
        if channel not in self.directory.channels and channel not in self.directory.users:
            return {"ok": False, "error": "channel_not_found"}
        user = str(body["user"]) if method == "chat.postEphemeral" else None
        message = self.post(channel, body, user=user)
        if user is not None:
            return {"ok": True, "message_ts": message.ts}
        return {"ok": True, "channel": channel, "ts": message.ts}

    def _view(self, method: str, body: dict[str, Any]) -> dict[str, Any]:
        view = body.get("view")
        view = json.loads(view) if isinstance(view, str) else dict(view or {})
        if method == "views.publish":
            user = str(body.get("user_id", ""))
            view_id = self.home.get(user, {}).get("id") or f"VH{next(self._seq)}"
            self.home[user] = {"id": view_id, **view}
            self.show(Shown("home", view=self.home[user], title=user))
            return {"ok": True, "view": self.home[user]}
        if method == "views.update":
            view_id = str(body.get("view_id", ""))
            if view_id not in self.views:
                return {"ok": False, "error": "not_found"}
            self.views[view_id] = {"id": view_id, **view}
            self.show(Shown("modal-update", view=self.views[view_id]))
            return {"ok": True, "view": self.views[view_id]}
        view_id = f"V{next(self._seq)}"
        self.views[view_id] = {"id": view_id, **view}
        self.opened.append(view_id)
        self.show(Shown("modal", view=self.views[view_id]))
        return {"ok": True, "view": self.views[view_id]}

    def _conversation(self, channel: str) -> dict[str, Any]:
        if channel not in self.directory.channels:
            return {"ok": False, "error": "channel_not_found"}
        return {
            "ok": True,
            "channel": {
                "id": channel,
                "name": self.directory.channel_name(channel),
                "is_private": False,
                "is_archived": False,
                "is_member": True,
            },
        }

    def _complete_upload(self, body: dict[str, Any]) -> dict[str, Any]:
        files = body.get("files")
        files = json.loads(files) if isinstance(files, str) else files or []
        for item in files:
            path = self._uploads.get(item["id"], {}).get("path")
            title = str(item.get("title") or item["id"])
            if path is not None:
                self.show(Shown("file", path=path, title=title))
        return {"ok": True, "files": [{"id": f["id"], "title": f.get("title")} for f in files]}

    async def _upload(self, request: web.Request) -> web.Response:
        """Step two of files_upload_v2: the bytes, written as a file the console names."""
        data = await request.read()
        file_id = request.match_info["file_id"]
        upload = self._uploads.setdefault(file_id, {"name": f"{file_id}.png"})
        self.files.mkdir(parents=True, exist_ok=True)
        name = Path(str(upload["name"])).name or f"{file_id}.png"
        if not name.lower().endswith(".png"):
            name += ".png"
        path = self.files / f"{file_id}-{name}"
        path.write_bytes(data)
        upload["path"] = path
        return web.Response(text=f"OK - {len(data)}")

    async def _respond(self, request: web.Request) -> web.Response:
        """A post to a response_url: a new ephemeral (or in-channel) message, or the source
        message replaced or deleted."""
        where = self._responds.get(request.match_info["key"])
        if where is None:
            return web.Response(status=404, text="expired_url")
        body = await _arguments(request)
        self.calls.append("respond")
        source = where.source
        if body.get("delete_original") and source is not None:
            self.messages.pop((source.channel, source.ts), None)
            return web.Response(text="ok")
        if _truthy(body.get("replace_original")) and source is not None:
            self.update(source, body)
            return web.Response(text="ok")
        in_channel = body.get("response_type") == "in_channel"
        if body.get("thread_ts") is None and source is not None and source.thread_ts:
            body = {**body, "thread_ts": source.thread_ts}
        message = self.post(where.channel, body, user=None if in_channel else where.user)
        if where.source is None:
            where.source = message
        return web.Response(text="ok")


def _truthy(value: Any) -> bool:
    return value is True or value in ("true", "True", "1")


def _listed(blocks: Any) -> list[dict[str, Any]]:
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    return list(blocks or [])


async def _arguments(request: web.Request) -> dict[str, Any]:
    """The call's arguments, wherever the SDK put them: JSON, a form, or the query."""
    raw = await request.text()
    body: dict[str, Any] = dict(request.query)
    if request.content_type == "application/json":
        return {**body, **json.loads(raw or "{}")}
    body.update(parse_qsl(raw))
    for key in ("blocks", "view", "attachments"):
        if isinstance(body.get(key), str):
            body[key] = json.loads(body[key])
    return body
