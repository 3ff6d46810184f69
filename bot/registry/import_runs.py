"""What both imports share: their result, the chunks' progress and transactions, and the
registry's partners by name key. An import is checked whole, then written in chunks, each its
own short transaction (bot/registry/import_writes.py), up to the store's write_lanes at once
(`write_chunks`); a failure midway keeps what the chunks that committed wrote and says so
(ImportInterrupted)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from dataclasses import dataclass, field
from typing import Any, TypeVar

from bot.errors import NotFound, RuleError
from bot.ports import Store, Tx
from bot.registry.csv_io import MAX_SHOWN, ImportRejected, MetricsRow, Problem
from bot.registry.import_writes import PartnerWrite
from bot.registry.rules import Partner, check_takes_metrics, closest_names, name_key
from bot.wording import count

C = TypeVar("C")  # a chunk of an import's rows or writes


@dataclass(frozen=True)
class ImportResult:
    """What an import did: partner imports count rows (partners), metric imports count
    values, with the number of rows they came in."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rows: int | None = None  # metric imports: the file's rows, which hold several values each

    def __str__(self) -> str:
        counts = f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"
        if self.rows is None:
            return counts
        values = self.created + self.updated + self.unchanged
        return f"{count(self.rows, 'row')} with {count(values, 'value')}: {counts}"


class ImportInterrupted(RuleError):
    """An import that stopped after some of its chunks were written: says what stays."""

    def __init__(
        self, reason: str, done: int, result: ImportResult, *, in_order: bool = True
    ) -> None:
        # in_order: the chunks that committed were the file's first (chunks written at once
        # may commit out of order).
        if in_order:
            which = "its first transaction" if done == 1 else f"its first {done} transactions"
        else:
            which = "one of its transactions" if done == 1 else f"{done} of its transactions"
        super().__init__(
            f"The import stopped before the end: {reason}\n"
            f"What {which} wrote stays ({result}); the rest of the file was not "
            "written. Import the same file again to finish: what is already imported counts "
            "as unchanged."
        )


WAIT_POLL = 0.005  # how often a pause between chunks looks whether the writer got in


@dataclass
class Progress:
    """Chunks written so far, and what they did."""

    gap: float = 0.0  # the store's write_gap: the most a waiting writer is given between chunks
    waiting: Callable[[], bool] = lambda: True  # whether another writer waits for the lock
    chunks: int = 0  # chunks handed to write_chunks so far (a partner import's two phases)
    written: set[int] = field(default_factory=set)  # the chunks committed, by their number
    stopped: bool = False  # a chunk failed: no other begins its transaction
    last: float | None = None  # when the last chunk committed (time.monotonic)
    created: set[int] = field(default_factory=set)  # partner imports: line numbers
    updated: set[int] = field(default_factory=set)
    values: list[int] = field(default_factory=lambda: [0, 0, 0])  # metric imports
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep

    @property
    def done(self) -> int:
        """How many chunks have committed."""
        return len(self.written)

    def partners(self, rows: int) -> ImportResult:
        changed = len(self.created) + len(self.updated)
        return ImportResult(len(self.created), len(self.updated), rows - changed)

    async def pause(self) -> None:
        """Before the next chunk: while another writer waits for the lock, and until the gap
        since the last chunk's commit is over, let it take the lock; nobody waiting, no pause."""
        if self.last is None:
            return
        deadline = self.last + self.gap
        while (left := deadline - self.clock()) > 0 and self.waiting():
            await self.sleep(min(left, WAIT_POLL))

    def note(self, writes: list[PartnerWrite]) -> None:
        for w in writes:
            if w.before is None:
                self.created.add(w.line)
            elif w.line not in self.created:
                self.updated.add(w.line)


async def write_chunks(
    chunks: Sequence[C],
    write: Callable[[int, C], Awaitable[None]],
    progress: Progress,
    result: Callable[[], ImportResult],
    lanes: int = 1,
) -> None:
    """Write every chunk, `write(index, chunk)` each in its own chunk_transaction, up to `lanes`
    of them at once (each on a connection of its own; one: in turn). Chunks hold disjoint
    partners, so those written at once never wait for each other's rows.

    After a failure no chunk begins its transaction (chunk_transaction refuses), and those
    already in one end (commit or fail) before it is raised, so that what the answer says
    stays is what did: the error as it is when no chunk had committed, else ImportInterrupted
    with what the committed ones wrote. Cancelled, it cancels the chunks under way and waits
    for them.
    """
    first = progress.chunks  # this call's chunks are numbered on from the calls before it
    progress.chunks += len(chunks)
    waiting = iter(enumerate(chunks))
    running: set[asyncio.Task[int]] = set()
    failure: BaseException | None = None

    async def chunk_written(index: int, chunk: C) -> int:
        await write(index, chunk)
        return first + index

    try:
        while True:
            while failure is None and len(running) < lanes:
                upcoming = next(waiting, None)
                if upcoming is None:
                    break
                running.add(asyncio.create_task(chunk_written(*upcoming)))
            if not running:
                break
            ended, running = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
            for task in ended:
                error = asyncio.CancelledError() if task.cancelled() else task.exception()
                if isinstance(error, NotBegun):
                    continue  # refused its transaction after another chunk failed
                if error is not None:
                    failure = failure or error
                    progress.stopped = True
                    continue
                progress.written.add(task.result())
                progress.last = progress.clock()
    finally:
        for task in running:  # only when cancelled: otherwise every task has ended
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)
    if failure is None:
        return
    if progress.done == 0 or not isinstance(failure, Exception):
        raise failure  # nothing was written (or not an error, a cancellation): as it is
    reason = str(failure) or type(failure).__name__
    in_order = progress.written == set(range(len(progress.written)))
    raise ImportInterrupted(reason, progress.done, result(), in_order=in_order) from failure


class NotBegun(Exception):
    """A chunk's transaction refused: another chunk of the import had failed."""


def write_lanes(store: Store) -> int:
    """How many chunk transactions an import of this store writes at once: the store's
    `write_lanes` where it has them (PostgreSQL: a second server process takes the other
    half of the statements), else one (SQLite has one writer)."""
    return max(1, int(getattr(store, "write_lanes", 1)))


@asynccontextmanager
async def chunk_transaction(
    store: Store, team_id: str, progress: Progress | None = None
) -> AsyncIterator[Tx]:
    """The write transaction of one chunk of an import, of either kind: the one place where
    an import's transactions begin and commit (what every write transaction of a workspace
    must also do, once each, belongs here). NotBegun, with nothing written, once a chunk of
    progress's import has failed (also when that happened while this one waited for the
    lock or a connection)."""
    if progress is not None and progress.stopped:
        raise NotBegun()
    async with store.write() as tx:
        if progress is not None and progress.stopped:
            raise NotBegun()  # rolls back: nothing was written
        yield tx


def bulk_writes(store: Store) -> AbstractAsyncContextManager[None]:
    """Around an import's chunks: the store's bulk_writes where it has them (SQLite: the WAL
    checkpointed beside the import, not inside each commit), else nothing."""
    bulk = getattr(store, "bulk_writes", None)
    return bulk() if bulk is not None else nullcontext()


def progress_of(store: Store) -> Progress:
    # SQLite's other processes wait for its write lock polling (up to 100 ms apart): a store
    # that says so gives a writer waiting (writers_waiting: storage/write_waits.py) that gap
    # between chunks, or back-to-back chunks would starve it.
    gap = float(getattr(store, "write_gap", 0.0))
    return Progress(gap=gap, waiting=getattr(store, "writers_waiting", lambda: True))


async def partners_by_key(store: Store, team_id: str) -> dict[str, Partner]:
    async with store.read() as tx:
        partners = await tx.all_partners(team_id)
    # Tens of thousands of names' keys: off the event loop.
    return await asyncio.to_thread(lambda: {name_key(p.name): p for p in partners})


def let_go(*kept: list[Any] | dict[Any, Any] | set[Any]) -> None:
    """Empty an import's containers: freeing the file's rows and tens of thousands of
    partners is tens of milliseconds, here in a thread rather than when the use case returns
    on the event loop."""
    for container in kept:
        container.clear()


def check_metric_rows(
    rows: list[MetricsRow],
    by_key: dict[str, Partner],
    problems: Sequence[Problem] = (),
    named: Sequence[tuple[int, str]] = (),
) -> None:
    """ImportRejected, every problem by line, when a row names a partner not registered or
    taking no metrics (both metric imports check a file so, before writing any of it), with
    the file's other problems (`read_metrics_rows`: problems, and the names of the rows that
    had them, checked here too)."""
    names = [p.name for p in by_key.values()]
    lines = sorted([(row.line, row.name) for row in rows] + list(named))
    hints: dict[str, str] = {}  # by name as written: a file repeats a name on many rows

    def not_found(name: str) -> str:
        said = hints.get(name)
        if said is None:
            # The closest names (~25 ms against 10,000) only for as many names as the message
            # shows; a file of thousands of unknown names is answered in a moment.
            close = closest_names(name, names) if len(hints) < MAX_SHOWN else []
            said = hints[name] = str(NotFound(name, close))
        return said

    found = [(line, not_found(name)) for line, name in lines if name_key(name) not in by_key]
    found += [(line, err) for line, name in lines if (err := _refusal(by_key, name))]
    if problems or found:
        # By line; a line's problems in the order found (its cells first, then its partner).
        raise ImportRejected(sorted([*problems, *sorted(found)], key=lambda p: p[0]))


def _refusal(by_key: dict[str, Partner], name: str) -> str:
    """Why a known partner takes no metrics, or "" when it does (or is not known)."""
    partner = by_key.get(name_key(name))
    try:
        if partner is not None:
            check_takes_metrics(partner)
    except RuleError as err:
        return str(err)
    return ""
