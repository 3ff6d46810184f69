"""The load side of the command benchmark: a fake Slack (auth.test, every other Web API
method, and response_urls that note when each answer arrives), signed slash commands fired
by concurrent clients, and what each request measured."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

import aiohttp
from aiohttp import web
from slack_sdk.signature import SignatureVerifier

from handlers.reply import WORKING

WORKING_JSON = json.dumps(WORKING)  # as it stands in an ack's body, quotes and all

SECRET = "bench-secret"


class FakeSlack:
    """The Web API and the response_urls on one port; respond/<key> resolves key's future."""

    def __init__(self) -> None:
        self.answers: dict[str, asyncio.Future[float]] = {}
        self.runner: web.AppRunner | None = None
        self.base = ""

    async def start(self) -> None:
        async def api(request: web.Request) -> web.Response:
            return web.json_response(
                {
                    "ok": True,
                    "team_id": "T0001",
                    "user_id": "UBOT",
                    "bot_id": "B1",
                    "team": "bench",
                    "user": "bot",
                    "ts": "1.000001",
                    "channel": "C1",
                }
            )

        async def respond(request: web.Request) -> web.Response:
            await request.read()
            future = self.answers.get(request.match_info["key"])
            if future is not None and not future.done():
                future.set_result(time.perf_counter())
            return web.json_response({"ok": True})

        application = web.Application()
        application.router.add_post("/api/{method}", api)
        application.router.add_post("/respond/{key}", respond)
        self.runner = web.AppRunner(application, access_log=None)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", 0).start()
        self.base = f"http://127.0.0.1:{self.runner.addresses[0][1]}"

    @property
    def api_url(self) -> str:
        return self.base + "/api/"

    def expect(self, key: str) -> str:
        """A response_url whose answer is noted under key."""
        self.answers[key] = asyncio.get_running_loop().create_future()
        return f"{self.base}/respond/{key}"


@dataclass
class Round:
    """One case's round: acks per second, and each request's ack and answer latency (s)."""

    throughput: float
    acks: list[float] = field(default_factory=list)
    answers: list[float] = field(default_factory=list)


_keys = itertools.count()


def body(command: str, text: str, response_url: str, user: str = "UBENCH01") -> str:
    return urlencode(
        {
            "team_id": "T0001",
            "channel_id": "C1",
            "user_id": user,
            "command": command,
            "text": text,
            "response_url": response_url,
            "trigger_id": "1.2.3",
        }
    )


async def fire(
    slack: FakeSlack,
    url: str,
    command: str,
    texts: Callable[[int], str],
    requests: int,
    concurrency: int,
    answer_within: float = 900.0,
) -> Round:
    """Send signed commands from concurrency clients; every ack must be a 200. An ack that
    says "Working on it" is answered when its response_url is called."""
    verifier = SignatureVerifier(SECRET)
    queue = iter(range(requests))
    sent: list[tuple[float, float, str | None]] = []  # began, acked, key awaiting an answer
    async with aiohttp.ClientSession() as session:

        async def worker() -> None:
            for i in queue:
                key = str(next(_keys))
                payload = body(command, texts(i), slack.expect(key))
                ts = str(int(time.time()))
                headers = {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "X-Slack-Request-Timestamp": ts,
                    "X-Slack-Signature": verifier.generate_signature(timestamp=ts, body=payload),
                }
                began = time.perf_counter()
                async with session.post(url, data=payload, headers=headers) as resp:
                    text = await resp.text()
                    acked = time.perf_counter()
                    if resp.status != 200:
                        raise RuntimeError(f"{command} {texts(i)}: status {resp.status}")
                # Parsed only when it may say "Working on it": the client's CPU is this
                # process's too, and bare Bolt's plain-text ack is never parsed.
                working = WORKING_JSON in text and json.loads(text).get("text") == WORKING
                sent.append((began, acked, key if working else None))
                if not working:
                    slack.answers.pop(key, None)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        result = Round(requests / (time.perf_counter() - started))
    for began, acked, key in sent:
        result.acks.append(acked - began)
        if key is None:
            result.answers.append(acked - began)
        else:
            # Keep the future where the response_url finds it until the answer has come:
            # popping it first dropped every answer that arrived after this loop began.
            arrived = await asyncio.wait_for(slack.answers[key], answer_within)
            del slack.answers[key]
            result.answers.append(arrived - began)
    return result


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
