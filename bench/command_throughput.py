"""Throughput of `/partner` commands through the real app, as a ratio to bare Bolt.

Both run in this one process, on this machine, in the same run: a bare Bolt app whose
`/partner` acks a fixed text (the baseline), and partnerbot answering `show`, `list` and
`set` from a SQLite registry of --partners partners. Requests are signed as Slack signs
them and sent over HTTP on 127.0.0.1 with --concurrency in flight. The ratio is what the
registry's work costs over Bolt's own; absolute numbers vary with the machine's load.

    python bench/command_throughput.py --requests 2000 --partners 10000
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from bot.app import create_app, web_app
from bot.clock import SystemClock
from bot.registry.imports import import_partners
from bot.settings import Settings, load_settings
from storage.store import SQLiteStore

SECRET = "bench-secret"
NOW = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)


def body(text: str, team: str = "T0001", user: str = "UBENCH01") -> str:
    return urlencode(
        {
            "team_id": team,
            "channel_id": "C1",
            "user_id": user,
            "command": "/partner",
            "text": text,
            "response_url": "http://127.0.0.1:9/respond",
            "trigger_id": "1.2.3",
        }
    )


async def serve(application: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(application, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}/slack/events"


async def fire(url: str, texts: Callable[[int], str], requests: int, concurrency: int) -> float:
    """Send signed commands; return requests per second. Every answer must be a 200."""
    verifier = SignatureVerifier(SECRET)
    queue = iter(range(requests))
    async with aiohttp.ClientSession() as session:

        async def worker() -> None:
            for i in queue:
                payload = body(texts(i))
                ts = str(int(time.time()))
                headers = {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "X-Slack-Request-Timestamp": ts,
                    "X-Slack-Signature": verifier.generate_signature(timestamp=ts, body=payload),
                }
                async with session.post(url, data=payload, headers=headers) as resp:
                    await resp.read()
                    if resp.status != 200:
                        raise RuntimeError(f"status {resp.status}")

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return requests / (time.perf_counter() - started)


def bare_bolt(api_url: str) -> web.Application:
    """The baseline: Bolt verifying the signature and acking, nothing else."""
    app = AsyncApp(
        signing_secret=SECRET, client=AsyncWebClient(token="xoxb-bench", base_url=api_url)
    )

    @app.command("/partner")
    async def answer(ack):  # type: ignore[no-untyped-def]
        await ack(text="ok")

    async def events(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await app.async_dispatch(await to_bolt_request(request)))

    application = web.Application()
    application.router.add_post("/slack/events", events)
    return application


async def fake_auth() -> tuple[web.AppRunner, str]:
    async def api(request: web.Request) -> web.Response:
        return web.json_response(
            {
                "ok": True,
                "team_id": "T0001",
                "user_id": "UBOT",
                "bot_id": "B1",
                "team": "bench",
                "user": "bot",
            }
        )

    application = web.Application()
    application.router.add_post("/api/{method}", api)
    runner = web.AppRunner(application, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}/api/"


async def main(requests: int, partners: int, concurrency: int, rounds: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        auth_runner, api_url = await fake_auth()
        settings = load_settings(
            slack_bot_token="xoxb-bench",
            slack_signing_secret=SECRET,
            slack_api_url=api_url,
            database_url=f"sqlite:///{Path(tmp) / 'bench.db'}",
            admins="UBENCH01",
        )
        store = SQLiteStore(settings.sqlite_path)
        await store.open(NOW)
        runners = [auth_runner]
        try:
            await measure(
                store, settings, api_url, runners, requests, partners, concurrency, rounds
            )
        finally:
            for runner in runners:
                await runner.cleanup()
            await store.close()


async def measure(
    store: SQLiteStore,
    settings: Settings,
    api_url: str,
    runners: list[web.AppRunner],
    requests: int,
    partners: int,
    concurrency: int,
    rounds: int,
) -> None:
    rows = "\n".join(f"Partner {i:05d},KOL,core,UBENCH01" for i in range(partners))
    await import_partners(store, NOW, "T0001", "name,category,tier,owner\n" + rows + "\n")
    # The real clock: the app checks each request's signed time against its own.
    bot = create_app(settings, store, SystemClock())
    ours, our_url = await serve(web_app(bot))
    bare, bare_url = await serve(bare_bolt(api_url))
    runners += [ours, bare]
    cases: dict[str, tuple[str, Callable[[int], str]]] = {
        "bare Bolt ack": (bare_url, lambda i: "show x"),
        "show": (our_url, lambda i: f'show "Partner {i % partners:05d}"'),
        "list page": (our_url, lambda i: "list category=KOL"),
        "set (write + audit)": (our_url, lambda i: f'set "Partner {i % partners:05d}" note="n{i}"'),
    }
    results: dict[str, list[float]] = {name: [] for name in cases}
    await fire(bare_url, cases["bare Bolt ack"][1], 200, concurrency)  # warm up both
    await fire(our_url, cases["show"][1], 200, concurrency)
    for _ in range(rounds):  # interleaved, so a noisy moment hits every case alike
        for name, (url, texts) in cases.items():
            results[name].append(await fire(url, texts, requests, concurrency))
    baseline = statistics.median(results["bare Bolt ack"])
    print(f"{requests} requests x {rounds} rounds, {concurrency} in flight, {partners} partners")
    print(f"{'case':<22}{'median req/s':>14}{'ratio to bare Bolt':>20}")
    for name, values in results.items():
        median = statistics.median(values)
        print(f"{name:<22}{median:>14.0f}{median / baseline:>20.2f}")
    await bot.services.tasks.drain(grace=30)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--partners", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(main(args.requests, args.partners, args.concurrency, args.rounds))
