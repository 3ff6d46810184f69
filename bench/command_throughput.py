"""Every command's ack through the real app, as ratios to bare Bolt, on either engine.

Both run in this one process, in the same run, interleaved round by round: a bare Bolt app
whose command acks a fixed text (the baseline), and partnerbot answering `/partner show`,
`/partner list`, `/score NAME`, `/health NAME`, `/score top`, `/digest preview`, `/health`
(the portfolio) and `/failover status` from a registry of --partners partners with --weeks
weeks of five metrics. Requests are signed as Slack signs them and sent over HTTP on 127.0.0.1 from
--concurrency clients. For each case: acks per second and ack p99 as ratios to bare Bolt's,
and the p99 of the time until the answer reached Slack (in the ack, or through the
response_url) as a multiple of bare Bolt's ack p99.

    python bench/command_throughput.py --requests 1000 --rounds 7
    python bench/command_throughput.py --engine postgresql --requests 1000 --rounds 7
    python bench/command_throughput.py --fresh-names --requests 1000 --rounds 3

Without --fresh-names every round asks the same partners, and the warm-up asks each of them
once, so the rounds measure the answers kept under the report version (bot/answer_cache.py):
the bench writes nothing. With it, no partner is asked twice by one case (while requests x
rounds stays under --partners): every answer is built, as after a write.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.seed import seed_postgres, seed_sqlite
from bench.slack_load import SECRET, FakeSlack, Round, fire, p99
from bot.access import Actor
from bot.app import create_app, open_store, web_app
from bot.clock import SystemClock
from bot.failover.service import start_drill
from bot.ports import Store
from bot.settings import load_settings

POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
DRILLS = 10  # open drills, for /failover status


@dataclass(frozen=True)
class Case:
    name: str
    command: str
    texts: Callable[[int], str]
    slow: bool = False  # reads the whole portfolio: fewer requests a round


def cases(partners: int) -> list[Case]:
    def name(i: int) -> str:
        return f'"Partner {1 + (i * 7919) % partners:05d}"'

    return [
        Case("/partner show NAME", "/partner", lambda i: f"show {name(i)}"),
        Case("/partner list category=KOL", "/partner", lambda i: "list category=KOL"),
        Case("/score NAME", "/score", lambda i: name(i)),
        Case("/health NAME", "/health", lambda i: name(i)),
        Case("/score top", "/score", lambda i: "top", slow=True),
        Case("/digest preview", "/digest", lambda i: "preview", slow=True),
        Case("/health (the portfolio)", "/health", lambda i: "", slow=True),
        Case("/failover status", "/failover", lambda i: "status"),
    ]


async def serve(application: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(application, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}/slack/events"


def bare_bolt(api_url: str) -> web.Application:
    """The baseline: Bolt (its defaults) verifying the signature and acking, nothing else."""
    app = AsyncApp(
        signing_secret=SECRET, client=AsyncWebClient(token="xoxb-bench", base_url=api_url)
    )

    async def answer(ack):  # type: ignore[no-untyped-def]
        await ack(text="ok")

    for command in ("/partner", "/score", "/health", "/digest", "/failover"):
        app.command(command)(answer)

    async def events(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await app.async_dispatch(await to_bolt_request(request)))

    application = web.Application()
    application.router.add_post("/slack/events", events)
    return application


@contextlib.asynccontextmanager
async def database(engine: str, file: str, kept: str | None = None) -> AsyncIterator[str]:
    """The database's URL: a SQLite file, or a PostgreSQL schema (dropped after the run unless
    it is a kept one)."""
    if engine == "sqlite":
        yield f"sqlite:///{file}"
        return
    schema = kept or f"bench_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(POSTGRES_URL)
    await admin.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    try:
        yield f"{POSTGRES_URL}?search_path={schema}"
    finally:
        if kept is None:
            await admin.execute(f"DROP SCHEMA {schema} CASCADE")
        await admin.close()


async def seeded_schema(schema: str) -> bool:
    """True when the schema holds a finished seed (the drills are the seed's last rows)."""
    admin = await asyncpg.connect(POSTGRES_URL)
    try:
        table = await admin.fetchval("SELECT to_regclass($1)", f"{schema}.failover_drills")
        if table is None:
            return False
        return bool(
            await admin.fetchval(f"SELECT count(*) >= {DRILLS} FROM {schema}.failover_drills")
        )
    finally:
        await admin.close()


async def seed(store: Store, url: str, engine: str, partners: int, weeks: int) -> float:
    began = time.perf_counter()
    now = datetime.now(UTC)
    if engine == "sqlite":
        await asyncio.to_thread(seed_sqlite, url.removeprefix("sqlite:///"), now, partners, weeks)
    else:
        await seed_postgres(url, now, partners, weeks)
    for n in range(DRILLS):
        words = ("Partner", f"{1 + n * 97:05d}", "bench")
        await start_drill(store, now, "T0001", Actor("UBENCH01", True), words, "C1")
    return time.perf_counter() - began


async def main(args: argparse.Namespace) -> None:
    slack = FakeSlack()
    await slack.start()
    runners: list[web.AppRunner] = [slack.runner] if slack.runner else []
    with tempfile.TemporaryDirectory() as tmp:
        file, reuse = args.sqlite_file or os.path.join(tmp, "bench.db"), args.reuse
        if args.engine == "postgresql" and args.pg_schema:
            reuse = await seeded_schema(args.pg_schema)
        async with database(args.engine, file, args.pg_schema) as url:
            settings = load_settings(
                slack_bot_token="xoxb-bench",
                slack_signing_secret=SECRET,
                slack_api_url=slack.api_url,
                database_url=url,
                admins="UBENCH01",
            )
            store = await open_store(settings, SystemClock())
            try:
                if not reuse:
                    took = await seed(store, url, args.engine, args.partners, args.weeks)
                    print(f"seeded {args.partners} partners x {args.weeks} weeks in {took:.1f} s")
                bot = create_app(settings, store, SystemClock())
                ours, our_url = await serve(web_app(bot))
                bare, bare_url = await serve(bare_bolt(slack.api_url))
                runners += [ours, bare]
                await measure(slack, args, our_url, bare_url)
                await bot.services.tasks.drain(grace=60)
            finally:
                for runner in runners:
                    await runner.cleanup()
                await store.close()


async def measure(slack: FakeSlack, args: argparse.Namespace, ours: str, bare: str) -> None:
    table = cases(args.partners)
    only = [c for c in table if not args.only or any(o in c.name for o in args.only)]
    results: dict[str, list[Round]] = {"bare Bolt ack": []} | {c.name: [] for c in only}
    sent = {c.name: 0 for c in only}  # with --fresh-names, each request asks another partner

    def texts(case: Case, count: int) -> Callable[[int], str]:
        first = sent[case.name] if args.fresh_names else 0
        sent[case.name] = first + count
        return lambda i: case.texts(first + i)

    await fire(slack, bare, "/partner", lambda i: "show x", 200, args.concurrency)
    for case in only:  # warm up every path once
        count = args.slow_requests if case.slow else 2 * args.concurrency
        if not args.fresh_names and not case.slow:  # every name the rounds ask, asked once:
            count = args.requests  # the rounds measure kept answers, --fresh-names the misses
        await fire(slack, ours, case.command, texts(case, count), count, args.concurrency)
    for _ in range(args.rounds):  # interleaved, so a noisy moment hits every case alike
        results["bare Bolt ack"].append(
            await fire(slack, bare, "/partner", lambda i: "show x", args.requests, args.concurrency)
        )
        for case in only:
            count = args.slow_requests if case.slow else args.requests
            results[case.name].append(
                await fire(slack, ours, case.command, texts(case, count), count, args.concurrency)
            )
    report(args, results)


def report(args: argparse.Namespace, results: dict[str, list[Round]]) -> None:
    def pooled(rounds: list[Round], what: str) -> list[float]:
        return [v for r in rounds for v in getattr(r, what)]

    base = results["bare Bolt ack"]
    base_rate = statistics.median(r.throughput for r in base)
    base_p99 = p99(pooled(base, "acks"))
    print(
        f"{args.engine}: {args.requests} requests a round ({args.slow_requests} for the "
        f"portfolio's), {args.rounds} rounds, {args.concurrency} clients, {args.partners} "
        f"partners x {args.weeks} weeks; bare Bolt {base_rate:.0f} req/s, ack p99 "
        f"{base_p99 * 1000:.1f} ms"
    )
    print("| case | req/s | throughput vs bare | ack p99 vs bare | answer p99 vs bare ack p99 |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, rounds in results.items():
        rate = statistics.median(r.throughput for r in rounds)
        ack = p99(pooled(rounds, "acks")) / base_p99
        answer = p99(pooled(rounds, "answers")) / base_p99
        print(f"| {name} | {rate:.0f} | {rate / base_rate:.2f} | {ack:.1f}x | {answer:.1f}x |")


def schema_name(text: str) -> str:
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", text):
        raise argparse.ArgumentTypeError("a schema name of lower-case letters, digits and _")
    return text


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--slow-requests", type=int, default=1000)
    parser.add_argument("--partners", type=int, default=10_000)
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--sqlite-file", help="keep the seeded registry here; reuse it if there")
    parser.add_argument(
        "--pg-schema",
        type=schema_name,
        help="keep the seeded PostgreSQL registry in this schema; reuse it if seeded",
    )
    parser.add_argument("--only", nargs="*", help="cases whose name contains one of these")
    parser.add_argument(
        "--fresh-names",
        action="store_true",
        help="every request of a round asks a partner no earlier request asked (no answer kept"
        " for it yet: what a workspace that writes between requests sees)",
    )
    arguments = parser.parse_args()
    arguments.reuse = arguments.sqlite_file is not None and os.path.exists(arguments.sqlite_file)
    if arguments.sqlite_file:
        arguments.sqlite_file = os.path.abspath(arguments.sqlite_file)
    asyncio.run(main(arguments))
