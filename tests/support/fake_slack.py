"""A fake Slack Web API on 127.0.0.1: records every call, answers like Slack, can answer 429."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections import deque
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

from tests.support.slack_checks import check_ack, check_message, check_view

BOT_USER = "UBOT"
TEAM = "T0001"
DEFAULT_TZ = "America/New_York"

MESSAGE_METHODS = {"chat.postMessage", "chat.postEphemeral", "chat.update"}
VIEW_METHODS = {"views.open", "views.update", "views.publish", "views.push"}


@dataclass
class Call:
    """One request the app made: a Web API method or a response_url post."""

    method: str
    body: dict[str, Any]
    headers: dict[str, str]


@dataclass
class FakeSlack:
    calls: list[Call] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    _failures: dict[str, deque[tuple[int, dict[str, str]]]] = field(default_factory=dict)
    _errors: dict[str, deque[str]] = field(default_factory=dict)
    _refusing: dict[str, str] = field(default_factory=dict)
    _changed: asyncio.Condition = field(default_factory=asyncio.Condition)
    _ts: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    url: str = ""
    _runner: web.AppRunner | None = None
    sockets: list[web.WebSocketResponse] = field(default_factory=list)
    socket_acks: dict[str, dict[str, Any]] = field(default_factory=dict)
    # users.info's tz per user (absent: DEFAULT_TZ); conversations.info per channel.
    user_tz: dict[str, str | None] = field(default_factory=dict)
    channels: dict[str, dict[str, Any]] = field(default_factory=dict)

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/api/{method}", self._api)
        app.router.add_get("/api/{method}", self._api)  # users.info, conversations.info
        app.router.add_post("/respond/{key}", self._respond)
        app.router.add_get("/link", self._socket)
        app.router.add_post("/upload/{file_id}", self._upload)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/"

    def response_url(self, key: str = "cmd") -> str:
        return f"{self.url}/respond/{key}"

    def fail_next(self, method: str, status: int = 429, retry_after: int = 1) -> None:
        """Make the next call of method fail with status (a 429 carries Retry-After)."""
        headers = {"Retry-After": str(retry_after)} if status == 429 else {}
        self._failures.setdefault(method, deque()).append((status, headers))

    def refuse_next(self, method: str, error: str) -> None:
        """Make the next call of method answer Slack's {"ok": false, "error": error}."""
        self._errors.setdefault(method, deque()).append(error)

    def refuse(self, method: str, error: str) -> None:
        """Answer every call of method with {"ok": false, "error": error} until accept(method)."""
        self._refusing[method] = error

    def accept(self, method: str) -> None:
        """Answer method normally again after refuse()."""
        self._refusing.pop(method, None)

    def channel(self, channel_id: str) -> dict[str, Any]:
        """A channel as conversations.info describes it: public, bot not a member, unless set."""
        return self.channels.setdefault(
            channel_id,
            {
                "id": channel_id,
                "is_private": channel_id.startswith("G"),
                "is_archived": False,
                "is_member": channel_id.startswith("G"),
            },
        )

    def named(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    async def wait_for(self, method: str, count: int = 1, within: float = 10) -> list[Call]:
        """Wait until method has been called count times; fail the test after within seconds."""
        async with asyncio.timeout(within), self._changed:
            await self._changed.wait_for(lambda: len(self.named(method)) >= count)
        return self.named(method)

    async def _record(self, call: Call) -> None:
        self.calls.append(call)
        self.problems.extend(self._check(call))
        async with self._changed:
            self._changed.notify_all()

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        """Socket Mode: the app connects here and acks each envelope it is sent."""
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        await socket.send_json({"type": "hello", "num_connections": 1})
        async with self._changed:
            self.sockets.append(socket)
            self._changed.notify_all()
        async for frame in socket:
            ack = json.loads(frame.data)
            if "envelope_id" in ack:
                self.problems.extend(check_ack(ack.get("payload") or {}))
                async with self._changed:
                    self.socket_acks[ack["envelope_id"]] = ack.get("payload") or {}
                    self._changed.notify_all()
        return socket

    async def send_envelope(
        self, kind: str, payload: dict[str, Any], within: float = 10
    ) -> dict[str, Any]:
        """Send the connected app a Socket Mode envelope; return the payload it acks with."""
        envelope_id = f"env-{next(self._ts)}"
        async with asyncio.timeout(within):
            async with self._changed:
                await self._changed.wait_for(lambda: bool(self.sockets))
            envelope = {
                "envelope_id": envelope_id,
                "type": kind,
                "payload": payload,
                "accepts_response_payload": kind != "events_api",
            }
            await self.sockets[-1].send_json(envelope)
            async with self._changed:
                await self._changed.wait_for(lambda: envelope_id in self.socket_acks)
        return self.socket_acks[envelope_id]

    @staticmethod
    def _check(call: Call) -> list[str]:
        where = call.method
        if call.method in MESSAGE_METHODS or call.method == "respond":
            return check_message(call.body, where)
        if call.method in VIEW_METHODS:
            view = call.body.get("view")
            if isinstance(view, str):
                view = json.loads(view)
            return check_view(view or {}, where)
        return []

    @staticmethod
    async def _body(request: web.Request) -> dict[str, Any]:
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

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        body = await self._body(request)
        await self._record(Call(method, body, dict(request.headers)))
        pending = self._failures.get(method)
        if pending:
            status, headers = pending.popleft()
            return web.json_response(
                {"ok": False, "error": "ratelimited"}, status=status, headers=headers
            )
        errors = self._errors.get(method)
        if errors:
            return web.json_response({"ok": False, "error": errors.popleft()})
        if method in self._refusing:
            return web.json_response({"ok": False, "error": self._refusing[method]})
        return web.json_response(self._answer(method, body))

    async def _upload(self, request: web.Request) -> web.Response:
        """Step two of files_upload_v2: the file's bytes, posted to the URL step one gave."""
        data = await request.read()
        file_id = request.match_info["file_id"]
        await self._record(
            Call("upload", {"file_id": file_id, "data": data}, dict(request.headers))
        )
        return web.Response(text=f"OK - {len(data)}")

    async def _respond(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        await self._record(Call("respond", body, dict(request.headers)))
        return web.Response(text="ok")

    def _answer(self, method: str, body: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://example.slack.com/",
                "team": "example",
                "user": "partnerbot",
                "team_id": TEAM,
                "user_id": BOT_USER,
                "bot_id": "B0001",
            }
        if method == "files.getUploadURLExternal":
            file_id = f"F{next(self._ts):08d}"
            return {"ok": True, "file_id": file_id, "upload_url": f"{self.url}/upload/{file_id}"}
        if method == "files.completeUploadExternal":
            files = body.get("files")
            files = json.loads(files) if isinstance(files, str) else files or []
            return {"ok": True, "files": [{"id": f["id"], "title": f.get("title")} for f in files]}
        if method == "apps.connections.open":
            return {"ok": True, "url": f"{self.url.replace('http', 'ws', 1)}/link"}
        if method == "users.info":
            user = str(body.get("user", ""))
            tz = self.user_tz.get(user, DEFAULT_TZ)
            return {"ok": True, "user": {"id": user, **({"tz": tz} if tz else {})}}
        if method in ("conversations.info", "conversations.join"):
            channel = self.channel(str(body.get("channel", "")))
            if method == "conversations.join":
                channel["is_member"] = True
            return {"ok": True, "channel": dict(channel)}
        if method in VIEW_METHODS:
            view = body.get("view")
            view = json.loads(view) if isinstance(view, str) else view
            return {"ok": True, "view": {"id": f"V{next(self._ts)}", **(view or {})}}
        if method in MESSAGE_METHODS:
            ts = f"1730000000.{next(self._ts):06d}"
            return {"ok": True, "channel": body.get("channel"), "ts": ts}
        return {"ok": True}
