"""`partnerbot import` and `import-metrics` in bulk, before (every row its own statements,
the whole file one transaction: `bot/registry/imports_per_row.py`) and after (the file
checked whole, then written in chunks of set-based statements), on either engine.

Per round, interleaved: 100,000 metric values (10,000 partners x 2 weeks x 5 metrics, each
value a new one, so every value is replaced, audited and every partner's summary redone),
then 10,000 new partners (tags on each, a backup on every tenth). Beside each import a
second process writes one metric through its own store every 20 ms, as the bot would, and
reports its longest wait and its failures (SQLite's busy timeout is 5 s); in the importing
process a probe task records the event loop's longest stall (the longest gap between its
wake-ups: what every other request of the bot would wait).

    python bench/imports.py --db /tmp/imports-bench.db              # a copy of /tmp/bench.db
    python bench/imports.py --engine postgresql --weeks 12          # seeds a fresh schema
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import statistics
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the project root

from bench.seed import seed_postgres
from bot.access import CLI_ACTOR
from bot.metrics import parse_period
from bot.registry.imports import ImportResult, import_metrics, import_partners
from bot.registry.imports_per_row import import_metrics_per_row, import_partners_per_row
from bot.registry.service import record_metrics
from storage.store import open_store
from tests.support.databases import execute, fresh_schema
from tests.support.loop_stalls import StallMonitor

TEAM = "T0001"
BENCH_PARTNERS = "(SELECT id FROM partners WHERE name LIKE 'Bench %')"
# Each partner import's partners go again, so every one starts from the seeded registry (on
# SQLite only: PostgreSQL checks each deleted partner's foreign keys by a scan of metrics).
FORGET = [
    f"DELETE FROM {table} WHERE partner_id IN {BENCH_PARTNERS}"
    for table in ("audit_log", "partner_tags", "partner_backups")
] + ["DELETE FROM partners WHERE name LIKE 'Bench %'"]
AT = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
WRITER_PAUSE = 0.02  # seconds between the concurrent writer's writes
Importer = Callable[[str], Awaitable[ImportResult]]


def metrics_csv(partners: int, periods: list[str], k: int) -> str:
    """Every partner's five metrics for the periods, values new to the file for each k
    (a fraction that is k's), so every value of an import replaces the one recorded."""
    frac = (k % 98 + 1) / 100
    lines = ["name,period,rue,roi,sentiment,gmv,traffic"]
    for i in range(1, partners + 1):
        v = i + k
        traffic = 100_000 + v % 5000 * 100  # a whole number: k's part in the last digits
        for period in periods:
            lines.append(
                f"Partner {i:05d},{period},{10 + v % 80 + frac:.2f},{0.5 + v % 40 / 10 + frac:.2f},"
                f"{5 + v % 90 + frac:.2f},{1000 * (v % 997) + frac:.2f},{traffic + k % 98}"
            )
    return "\n".join(lines) + "\n"


def partners_csv(count: int, k: int) -> str:
    """count new partners, tags on each, every tenth backed up by the one before it."""
    lines = ["name,category,tier,status,owner,tags,backups"]
    for i in range(1, count + 1):
        backup = f"Bench {k} {i - 1:05d}" if i % 10 == 0 else ""
        lines.append(f'Bench {k} {i:05d},KOC,standard,active,U0BENCH01,"live, video",{backup}')
    return "\n".join(lines) + "\n"


async def writer(url: str) -> None:
    """The concurrent writer (its own process): one metric a write until stdin closes, then
    its longest wait, its median and its failures as JSON."""
    store, _ = await open_store(url, AT)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.run_in_executor(None, sys.stdin.read).add_done_callback(lambda _: stop.set())
    waits: list[float] = []
    failures: list[str] = []
    period = parse_period("2026-W10")
    n = 0
    while not stop.is_set():
        n += 1
        began = time.perf_counter()
        try:
            await record_metrics(
                store, AT, TEAM, CLI_ACTOR, "Partner 00001", {"rue": 10 + n % 50}, period
            )
        except Exception as err:  # the failure is what is measured
            failures.append(type(err).__name__)
        waits.append(time.perf_counter() - began)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), WRITER_PAUSE)
    await store.close()
    print(
        json.dumps(
            {
                "max_ms": max(waits) * 1000,
                "median_ms": statistics.median(waits) * 1000,
                "writes": len(waits),
                "failures": failures,
            }
        )
    )


@contextlib.asynccontextmanager
async def concurrent_writer(url: str, result: dict[str, object]) -> AsyncIterator[None]:
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        __file__,
        "--writer",
        url,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    await asyncio.sleep(1.0)  # its store open and its first writes done
    try:
        yield
    finally:
        out, _ = await child.communicate(b"")
        result.update(json.loads(out.decode().strip().splitlines()[-1]))


async def main(args: argparse.Namespace) -> None:
    async with database(args) as url:
        store, _ = await open_store(url, AT)
        if args.lanes:
            store.write_lanes = args.lanes  # type: ignore[union-attr]
        for sql in FORGET if args.engine == "sqlite" else ():
            await execute(store, sql)
        async with store.read() as tx:
            points = await tx.health_points(TEAM, AT.date() - timedelta(days=21))
        periods = sorted({p.period.label for p in points})[-2:]
        print(f"{args.engine}: metrics of {args.partners} partners for {', '.join(periods)}")
        cases: list[tuple[str, Callable[[int], Importer]]] = [
            ("metrics before (per row)", lambda k: _metrics(store, import_metrics_per_row, k)),
            ("metrics after (chunks)", lambda k: _metrics(store, import_metrics, k)),
            ("partners before (per row)", lambda k: _partners(store, import_partners_per_row)),
            ("partners after (chunks)", lambda k: _partners(store, import_partners)),
        ]
        cases = [c for c in cases if not (args.skip_before and "before" in c[0])]
        cases = [c for c in cases if not args.only or c[0].startswith(args.only)]
        timings: dict[str, list[float]] = {name: [] for name, _ in cases}
        waits: dict[str, list[dict[str, object]]] = {name: [] for name, _ in cases}
        stalls: dict[str, float] = dict.fromkeys(timings, 0.0)
        k = int(time.time()) % 1000 * 100  # values this run's own, not an earlier run's
        for round_ in range(args.rounds):
            for name, make in cases:
                k += 1
                text = (
                    metrics_csv(args.partners, periods, k)
                    if name.startswith("metrics")
                    else partners_csv(args.new_partners, k)
                )
                run = make(k)
                seen: dict[str, object] = {}
                async with concurrent_writer(url, seen):
                    monitor = StallMonitor()
                    monitor.start()
                    await asyncio.sleep(0)
                    began = time.perf_counter()
                    result = await run(text)
                    took = time.perf_counter() - began
                    stall = await monitor.stop()
                stalls[name] = max(stalls[name], stall)
                if name.startswith("partners") and args.engine == "sqlite":
                    for sql in FORGET:
                        await execute(store, sql)  # type: ignore[arg-type]
                timings[name].append(took)
                waits[name].append(seen)
                print(
                    f"round {round_ + 1} {name}: {took:.2f} s, loop stall {stall * 1000:.0f} ms, "
                    f"{result}; writer {seen}"
                )
        await store.close()
    print(
        "\n| case | median s | ratio to before | writer's longest wait ms | failures "
        "| longest loop stall ms |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, times in timings.items():
        base = timings.get(name.split()[0] + " before (per row)")
        ratio = statistics.median(times) / statistics.median(base) if base else float("nan")
        longest = max(float(str(w["max_ms"])) for w in waits[name])
        failed = sum(len(w["failures"]) for w in waits[name])  # type: ignore[arg-type]
        median = statistics.median(times)
        stall_ms = stalls[name] * 1000
        print(
            f"| {name} | {median:.2f} | {ratio:.3f} | {longest:.0f} | {failed} | {stall_ms:.0f} |"
        )


def _metrics(store: object, how: Callable[..., Awaitable[ImportResult]], k: int) -> Importer:
    return lambda text: how(store, AT, TEAM, text, today=AT.date())


def _partners(store: object, how: Callable[..., Awaitable[ImportResult]]) -> Importer:
    return lambda text: how(store, AT, TEAM, text)


@contextlib.asynccontextmanager
async def database(args: argparse.Namespace) -> AsyncIterator[str]:
    if args.engine == "sqlite":
        if args.db.rstrip("/") == "/tmp/bench.db":
            raise SystemExit("copy /tmp/bench.db first: this benchmark writes to its file")
        yield f"sqlite:///{args.db}"
        return
    async with fresh_schema() as url:
        store, _ = await open_store(url, AT)
        await store.close()
        began = time.perf_counter()
        await seed_postgres(url, AT, args.partners, args.weeks)
        print(f"seeded {args.partners} x {args.weeks} in {time.perf_counter() - began:.0f} s")
        yield url


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--db", default="/tmp/imports-bench.db", help="a seeded SQLite copy")
    parser.add_argument("--partners", type=int, default=10_000, help="partners with metrics")
    parser.add_argument("--weeks", type=int, default=52, help="PostgreSQL's seeded weeks")
    parser.add_argument("--new-partners", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--skip-before", action="store_true", help="only the chunked imports")
    parser.add_argument("--only", choices=["metrics", "partners"], help="one import's cases")
    parser.add_argument("--lanes", type=int, help="chunks written at once (the store's own)")
    parser.add_argument("--writer", metavar="URL", help=argparse.SUPPRESS)
    parsed = parser.parse_args()
    if parsed.writer:
        asyncio.run(writer(parsed.writer))
    else:
        asyncio.run(main(parsed))
