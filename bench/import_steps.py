"""Where an import's time goes: bench/imports.py's chunked cases, without the concurrent
writer, each storage step and use-case step timed (`time.perf_counter` around the Tx's bulk
methods, the drafts and the chunk writes), summed over the import, and the event loop's longest
stall during it (tests/support/loop_stalls.py's probe: the longest gap between its wake-ups).
`--stall-stacks` also samples, every 10 ms from a thread, the loop thread's stack while the
loop has not woken for over 50 ms, and prints where those samples were (the project's frames).

    python bench/import_steps.py --db /tmp/imports-bench.db              # a copy of /tmp/bench.db
    python bench/import_steps.py --db /tmp/imports-bench.db --only metrics --rounds 2
    python bench/import_steps.py --engine postgresql --weeks 12     # seeds a fresh schema
    python bench/import_steps.py --db /tmp/imports-bench.db --stall-stacks
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import functools
import gc
import sys
import threading
import time
import traceback
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the project root

import bot.registry.import_runs as import_runs
import bot.registry.metric_imports as metric_imports
import bot.registry.partner_imports as partner_imports
from bench.imports import AT, FORGET, TEAM, database, metrics_csv, partners_csv
from bot.registry.imports import import_metrics, import_partners
from storage.store import open_store
from storage.tx.base import Queries
from storage.tx.imports import ImportsQueries
from tests.support.databases import execute
from tests.support.loop_stalls import StallMonitor

STEPS: collections.Counter[str] = collections.Counter()
TX_STEPS = [
    "stage_metrics",
    "staged_partner_statuses",
    "write_staged_metrics",
    "add_audits",
    "add_audits_of",
    "write_partners",
    "replace_tags_of",
    "replace_backups_of",
    "summary_inputs_of",
    "metric_values_at",
    "roi_values_between",
    "summary_points_of",
    "rule_points_of",
    "lock_summaries",
    "write_held_summaries",
]


class StallStacks:
    """Samples the loop thread's stack while the loop has not woken for over 50 ms."""

    def __init__(self, over: float = 0.05) -> None:
        self.over = over  # s: a stall this long or longer is sampled
        self.last = time.perf_counter()
        self.seen: collections.Counter[str] = collections.Counter()
        self._loop_thread = threading.get_ident()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self.gc_longest: dict[int, float] = {}  # the garbage collector's longest pass by generation
        self._gc_began = 0.0

    def _gc(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._gc_began = time.perf_counter()
            return
        took = time.perf_counter() - self._gc_began
        generation = info["generation"]
        self.gc_longest[generation] = max(self.gc_longest.get(generation, 0.0), took)

    async def _tick(self) -> None:
        while not self._stop.is_set():
            self.last = time.perf_counter()
            await asyncio.sleep(0.005)

    def _sample(self) -> None:
        root = str(Path(__file__).resolve().parents[1])
        while not self._stop.wait(0.01):
            if time.perf_counter() - self.last < self.over:
                continue
            frame = sys._current_frames().get(self._loop_thread)
            stack = traceback.extract_stack(frame)
            own = [
                f"{Path(f.filename).name}:{f.name}:{f.lineno}"
                for f in stack
                if f.filename.startswith(root) and "/bench/" not in f.filename
            ]
            inner = [f"{Path(f.filename).name}:{f.name}:{f.lineno}" for f in stack[-2:]]
            self.seen[" < ".join(reversed(own[-3:] or inner))] += 1

    def start(self) -> None:
        self._task = asyncio.create_task(self._tick())
        self._thread.start()
        gc.callbacks.append(self._gc)

    def stop(self) -> None:
        self._stop.set()
        gc.callbacks.remove(self._gc)
        passes = ", ".join(f"gen {g} {t * 1000:.0f} ms" for g, t in sorted(self.gc_longest.items()))
        print(f"    longest garbage collection: {passes}")
        for where, n in self.seen.most_common(12):
            print(f"    stalled x{n}: {where}")


def timed(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        began = time.perf_counter()
        try:
            return await fn(*args, **kwargs)
        finally:
            STEPS[name] += time.perf_counter() - began

    return wrapper


def by_query(fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    async def wrapper(self: Any, name: str, *args: Any, **kwargs: Any) -> Any:
        began = time.perf_counter()
        try:
            return await fn(self, name, *args, **kwargs)
        finally:
            STEPS[f"  sql {name}"] += time.perf_counter() - began

    return wrapper


def timed_transaction(fn: Callable[..., Any]) -> Callable[..., Any]:
    """A chunk's whole transaction: BEGIN (waiting for the lock), its writes and COMMIT."""

    @contextlib.asynccontextmanager
    async def wrapper(*args: Any, **kwargs: Any) -> AsyncIterator[Any]:
        began = time.perf_counter()
        try:
            async with fn(*args, **kwargs) as tx:
                yield tx
        finally:
            STEPS["[chunk_transaction]"] += time.perf_counter() - began

    return wrapper


def instrument() -> None:
    import_runs.Progress.pause = timed("[pause]", import_runs.Progress.pause)  # type: ignore[method-assign]
    # The import's query classes (split from ImportsQueries after 6bfe954; older trees have
    # only it), each method wrapped in the class that defines it.
    classes = [ImportsQueries, *(c for c in ImportsQueries.__mro__ if c.__name__ == "BulkQueries")]
    with contextlib.suppress(ImportError):
        from storage.tx.partner_imports import PartnerImportsQueries

        classes.append(PartnerImportsQueries)
    for cls in classes:
        for name in TX_STEPS:
            if name in vars(cls):
                setattr(cls, name, timed(name, getattr(cls, name)))
    # each statement by its query's name
    for cls, method in [(Queries, "_fetch_tuples")] + [
        (c, m) for c in classes for m in ("_many", "_records")
    ]:
        if method in vars(cls):  # _records: not in trees before the partners branch
            setattr(cls, method, by_query(getattr(cls, method)))
    for module in (metric_imports, partner_imports):
        for name in ("draft_summaries", "write_metric_chunk", "write_partner_chunk"):
            if hasattr(module, name):
                setattr(module, name, timed(f"[{name}]", getattr(module, name)))
        module.chunk_transaction = timed_transaction(import_runs.chunk_transaction)  # type: ignore[attr-defined]
        module.partners_by_key = timed("[partners_by_key]", import_runs.partners_by_key)  # type: ignore[attr-defined]
        if hasattr(module, "_partners_named"):  # the partner import reads only the file's
            module._partners_named = timed("[partners_named]", module._partners_named)
        sync = (
            "parse_metrics_rows",  # before 2026-12-04; read_metrics_rows since
            "read_metrics_rows",
            "parse_partner_rows",  # before 2026-12-04 evening; read_partner_rows since
            "read_partner_rows",
            "_check_partners",
            "check_metric_rows",
        )
        for name in (*sync, "chunk_points", "metric_chunks", "_plan_backups"):
            if not hasattr(module, name):
                continue
            fn = getattr(module, name)

            def wrapped(*a: Any, _fn: Any = fn, _name: str = name, **k: Any) -> Any:
                began = time.perf_counter()
                try:
                    return _fn(*a, **k)
                finally:
                    STEPS[_name] += time.perf_counter() - began

            setattr(module, name, wrapped)


async def main(args: argparse.Namespace) -> None:
    instrument()
    async with database(args) as url:
        await steps(args, url)


async def steps(args: argparse.Namespace, url: str) -> None:
    store, _ = await open_store(url, AT)
    if args.lanes:
        store.write_lanes = args.lanes  # type: ignore[union-attr]
    sqlite = args.engine == "sqlite"
    for sql in FORGET if sqlite else ():
        await execute(store, sql)
    async with store.read() as tx:
        points = await tx.health_points(TEAM, AT.date() - timedelta(days=21))
    periods = sorted({p.period.label for p in points})[-2:]
    k = int(time.time()) % 1000 * 100 + 50
    for round_ in range(args.rounds):
        for case in ("metrics", "partners"):
            if args.only and case != args.only:
                continue
            k += 1
            STEPS.clear()
            # The file is made before the probe starts: the bench's work, not the import's.
            if case == "metrics":
                text = metrics_csv(args.partners, periods, k)
            else:
                text = partners_csv(args.new_partners, k)
            monitor = StallMonitor()
            monitor.start()
            stacks = StallStacks(args.stall_over / 1000) if args.stall_stacks else None
            if stacks is not None:
                stacks.start()
            await asyncio.sleep(0)
            began, cpu = time.perf_counter(), time.process_time()
            sized = {"chunk_size": args.chunk_size} if args.chunk_size else {}
            if case == "metrics":
                result = await import_metrics(store, AT, TEAM, text, today=AT.date(), **sized)
            else:
                result = await import_partners(store, AT, TEAM, text, **sized)
            took, cpu = time.perf_counter() - began, time.process_time() - cpu
            stall = await monitor.stop()
            if stacks is not None:
                stacks.stop()
            if case == "partners" and sqlite:
                for sql in FORGET:
                    await execute(store, sql)
            # CPU seconds of every thread (SQLite's work, when in process, included): the
            # machine's load moves them less than the wall clock.
            print(
                f"round {round_ + 1} {case}: {took:.2f} s, CPU {cpu:.2f} s, "
                f"longest loop stall {stall * 1000:.0f} ms, {result}"
            )
            for name, seconds in sorted(STEPS.items(), key=lambda item: -item[1]):
                print(f"    {name:28} {seconds:7.3f} s")
    await store.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--db", default="", help="a seeded SQLite copy (it is written)")
    parser.add_argument("--weeks", type=int, default=12, help="PostgreSQL's seeded weeks")
    parser.add_argument("--partners", type=int, default=10_000)
    parser.add_argument("--new-partners", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--only", choices=["metrics", "partners"])
    parser.add_argument("--chunk-size", type=int, help="values or partners a chunk (the default's)")
    parser.add_argument("--lanes", type=int, help="chunks written at once (the store's own)")
    parser.add_argument(
        "--stall-stacks", action="store_true", help="where the loop stalled (--stall-over)"
    )
    parser.add_argument("--stall-over", type=float, default=50, help="ms: a stall sampled")
    parsed = parser.parse_args()
    if parsed.engine == "sqlite" and not parsed.db:
        raise SystemExit("--db: a copy of /tmp/bench.db (this benchmark writes to its file)")
    asyncio.run(main(parsed))
