"""What a miss costs at the least: bare Bolt's command, and the same command after one
statement through aiosqlite (a constant, then the card's own statement), and after building
and serialising a card, each N in-process dispatches like bench/profile_commands.py. Prints
the event loop thread's CPU a request and all threads' (aiosqlite's worker among them): the
differences are each step's floor, the bot's `/partner show` miss beside them.

    python bench/miss_floor.py --sqlite-file /tmp/copy.db --requests 2000
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiosqlite
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.profile_commands import signed, started_bot
from bench.slack_load import SECRET, body
from bot.registry.card import CARD_PERIODS, partner_card
from bot.registry.rules import name_key
from handlers.registry import views
from handlers.reply import serialised
from storage.tx.base import queries

Step = Callable[[Any, str], Awaitable[None]]


def name(i: int) -> str:
    return f"Partner {1 + (i * 7919) % 10_000:05d}"


async def measure(
    app: AsyncApp, texts: Callable[[int], str], count: int, first: int
) -> tuple[float, float]:
    """count dispatches by 8 concurrent clients: the loop thread's CPU and the process's,
    in us a request."""
    verifier = SignatureVerifier(SECRET)
    numbers = iter(range(first, first + count))

    async def client() -> None:
        for i in numbers:
            payload = body("/partner", texts(i), "http://127.0.0.1:9/respond/x")
            headers = signed(payload, verifier)
            response = await app.async_dispatch(AsyncBoltRequest(body=payload, headers=headers))
            assert response.status == 200, response.body

    loop, cpu = time.thread_time(), time.process_time()
    await asyncio.gather(*(client() for _ in range(8)))
    loop, cpu = time.thread_time() - loop, time.process_time() - cpu
    return loop / count * 1e6, cpu / count * 1e6


def bare(api_url: str, step: Step | None) -> AsyncApp:
    app = AsyncApp(
        signing_secret=SECRET,
        client=AsyncWebClient(token="xoxb-bench", base_url=api_url),
        process_before_response=True,
    )

    async def answer(ack, command):  # type: ignore[no-untyped-def]
        if step is not None:
            await step(ack, command["text"])
        else:
            await ack(text="ok")

    app.command("/partner")(answer)
    return app


async def main(args: argparse.Namespace) -> None:
    slack, store, bot = await started_bot(args.sqlite_file)
    settings = bot.services.settings
    conn = await aiosqlite.connect(args.sqlite_file, isolation_level=None)
    q = queries()  # aiosqlite's, as the store's readers use them
    zone = settings.zone

    async def constant(ack: Any, text: str) -> None:
        await conn.execute_fetchall("SELECT 1")
        await ack(text="ok")

    async def card_row(ack: Any, text: str) -> None:
        await q.partner_card_sqlite(
            conn, team_id="T0001", name_key=name_key(text), periods=CARD_PERIODS, limit=20
        )
        await ack(text="ok")

    async def card_read(ack: Any, text: str) -> None:
        await partner_card(store, "T0001", text)
        await ack(text="ok")

    async def card_built(ack: Any, text: str) -> None:
        card = await partner_card(store, "T0001", text)
        views.build_card(card.partner, card.metrics, zone, card.drills)
        await ack(text="ok")

    async def card_sent(ack: Any, text: str) -> None:
        card = await partner_card(store, "T0001", text)
        serialised(views.build_card(card.partner, card.metrics, zone, card.drills))
        await ack(text="ok")

    steps: list[tuple[str, Step | None]] = [
        ("bare Bolt (process_before_response)", None),
        ("+ SELECT 1 through aiosqlite", constant),
        ("+ the card's statement (own connection)", card_row),
        ("+ the card read (the store's reader, decoded)", card_read),
        ("+ and built", card_built),
        ("+ and serialised", card_sent),
    ]
    apps = [(label, bare(slack.api_url, step)) for label, step in steps]
    apps.append(("the bot's /partner show (a miss)", bot.app))
    apps.append(("the bot's /partner show (kept: the same names again)", bot.app))
    asked = 0
    results: dict[str, list[tuple[float, float]]] = {label: [] for label, _ in apps}
    for _ in range(args.rounds):
        for label, app in apps:
            texts = (lambda i: f'show "{name(i)}"') if app is bot.app else name
            again = label.endswith("again)")
            first = (asked - args.requests) % 10_000 if again else asked
            results[label].append(await measure(app, texts, args.requests, first))
            if not again:
                asked = (asked + args.requests) % 10_000
    print("| step | loop thread us a request | all threads us |")
    print("| --- | ---: | ---: |")
    for label, runs in results.items():
        loop = min(r[0] for r in runs)
        cpu = min(r[1] for r in runs)
        print(f"| {label} | {loop:.0f} | {cpu:.0f} |")
    await conn.close()
    await bot.services.tasks.drain(grace=10)
    await store.close()
    if slack.runner:
        await slack.runner.cleanup()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sqlite-file", required=True)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    asyncio.run(main(parser.parse_args()))
