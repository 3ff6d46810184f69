"""Where one command's event-loop time goes: N in-process dispatches through the real app
(the signature check, Bolt, our listener, the answer), under cProfile, with no HTTP.

    python bench/profile_commands.py --sqlite-file /tmp/copy.db --case show --requests 300
    python bench/profile_commands.py --sqlite-file /tmp/copy.db --case show --fresh-names

Prints the event loop thread's CPU time a request (what bounds the bench's req/s, and less
moved by a busy machine than wall time), all threads' and the wall time beside it, then
cProfile's top entries.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import sys
import time
from pathlib import Path
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.command_throughput import Case, cases
from bench.slack_load import SECRET, FakeSlack, body
from bot.app import Partnerbot, create_app, open_store
from bot.clock import SystemClock
from bot.settings import load_settings
from handlers.verify import RequestVerifier


def bare_app(api_url: str) -> AsyncApp:
    """The bench's baseline: Bolt with its defaults, a command that only acks."""
    app = AsyncApp(
        signing_secret=SECRET, client=AsyncWebClient(token="xoxb-bench", base_url=api_url)
    )

    async def answer(ack):  # type: ignore[no-untyped-def]
        await ack(text="ok")

    for command in ("/partner", "/score", "/health", "/digest", "/failover"):
        app.command(command)(answer)
    return app


async def started_bot(sqlite_file: str) -> tuple[FakeSlack, Any, Partnerbot]:
    """A fake Slack, and the bot on the SQLite file talking to it (also bench/miss_floor.py)."""
    slack = FakeSlack()
    await slack.start()
    settings = load_settings(
        slack_bot_token="xoxb-bench",
        slack_signing_secret=SECRET,
        slack_api_url=slack.api_url,
        database_url=f"sqlite:///{sqlite_file}",
        admins="UBENCH01",
    )
    store = await open_store(settings, SystemClock())
    bot = create_app(settings, store, SystemClock())
    await bot.identity.check()
    return slack, store, bot


def signed(payload: str, verifier: SignatureVerifier) -> dict[str, str]:
    """The headers Slack sends with payload, signed now."""
    ts = str(int(time.time()))
    return {
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": verifier.generate_signature(timestamp=ts, body=payload),
        "Content-Type": "application/x-www-form-urlencoded",
    }


async def main(args: argparse.Namespace) -> None:
    slack, store, bot = await started_bot(args.sqlite_file)
    app = bare_app(slack.api_url) if args.bare else bot.app
    case = next(c for c in cases(10_000) if args.case in c.name)
    if args.text is not None:  # e.g. --case score --text help: the dispatch alone
        case = Case(f"{case.command} {args.text}", case.command, lambda i: args.text)
    verifier, checker = SignatureVerifier(SECRET), RequestVerifier(SECRET, SystemClock())

    async def one(i: int) -> None:
        payload = body(case.command, case.texts(i), f"{slack.base}/respond/x")
        headers = signed(payload, verifier)
        if not args.bare:  # bare Bolt checks the signature itself
            assert checker.refusal(headers, payload.encode()) is None
        response = await app.async_dispatch(AsyncBoltRequest(body=payload, headers=headers))
        assert response.status == 200, response.body

    asked = 0  # with --fresh-names every run asks partners no run asked before (misses)

    async def run(count: int) -> float:
        nonlocal asked
        first = asked if args.fresh_names else 0
        numbers = iter(range(first, first + count))
        asked += count

        async def client() -> None:
            for i in numbers:
                await one(i)

        began = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(args.concurrency)))
        return time.perf_counter() - began

    await run(64)
    loop, cpu = time.thread_time(), time.process_time()
    wall = await run(args.requests)
    loop, cpu = time.thread_time() - loop, time.process_time() - cpu
    print(
        f"{case.name}: {loop / args.requests * 1000:.3f} ms of the loop's CPU, "
        f"{cpu / args.requests * 1000:.3f} ms of all threads', {wall / args.requests * 1000:.3f}"
        " ms wall a request"
    )
    profile = cProfile.Profile()
    profile.enable()
    await run(args.requests)
    profile.disable()
    stats = pstats.Stats(profile).sort_stats(args.sort)
    stats.print_stats(args.top)
    await bot.services.tasks.drain(grace=10)
    await store.close()
    if slack.runner:
        await slack.runner.cleanup()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sqlite-file", required=True)
    parser.add_argument("--case", default="show")
    parser.add_argument("--bare", action="store_true", help="bare Bolt's ack (the baseline)")
    parser.add_argument("--text", help="the command's text instead of the case's")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument(
        "--fresh-names", action="store_true", help="every request another partner: misses"
    )
    parser.add_argument("--sort", default="tottime")
    parser.add_argument("--top", type=int, default=40)
    asyncio.run(main(parser.parse_args()))
