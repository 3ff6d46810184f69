"""An import's chunks written several at once (`write_chunks` with lanes): never more than the
lanes at once, each chunk once, and after a failure no chunk begins and the answer waits for
those under way, so that what it says stays is what did. Each chunk's write here waits for
the test to let it end: the order of events is the test's, with no sleeps."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from bot.errors import DatabaseUnavailable
from bot.registry.import_runs import (
    ImportInterrupted,
    ImportResult,
    Progress,
    chunk_transaction,
    write_chunks,
)

WAIT = 10.0  # s: a bound on a wait that ends at once unless what it waits for is broken


class Chunks:
    """Chunk writes that begin when write_chunks starts them and end when the test says:
    `end(i)` commits chunk i, `fail(i, err)` makes it raise."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.started: list[int] = []
        self.running = 0
        self.most_at_once = 0
        self._began = {i: asyncio.Event() for i in range(count)}
        self._outcome: dict[int, asyncio.Future[BaseException | None]] = {}
        self.written: list[int] = []

    async def write(self, index: int, chunk: str) -> None:
        assert chunk == f"chunk {index}"
        self.started.append(index)
        self.running += 1
        self.most_at_once = max(self.most_at_once, self.running)
        outcome = self._outcome.setdefault(index, asyncio.get_running_loop().create_future())
        self._began[index].set()
        try:
            error = await outcome
        finally:
            self.running -= 1
        if error is not None:
            raise error
        self.written.append(index)

    async def began(self, index: int) -> None:
        await asyncio.wait_for(self._began[index].wait(), WAIT)

    def _future(self, index: int) -> asyncio.Future[BaseException | None]:
        return self._outcome.setdefault(index, asyncio.get_running_loop().create_future())

    def end(self, index: int) -> None:
        self._future(index).set_result(None)

    def fail(self, index: int, error: BaseException) -> None:
        self._future(index).set_result(error)


def names(count: int) -> list[str]:
    return [f"chunk {i}" for i in range(count)]


def result_of(progress: Progress) -> ImportResult:
    return ImportResult(created=len(progress.written))


async def settle() -> None:
    """Let every task that can run, run (write_chunks starts the next chunk when one ends)."""
    for _ in range(10):
        await asyncio.sleep(0)


def writing(
    write: Callable[[int, str], Awaitable[None]], count: int, progress: Progress, lanes: int = 2
) -> asyncio.Task[None]:
    """write_chunks of count chunks, under way in a task."""
    result = lambda: result_of(progress)  # noqa: E731
    return asyncio.create_task(write_chunks(names(count), write, progress, result, lanes))


async def two_began(chunks: Chunks) -> None:
    await chunks.began(0)
    await chunks.began(1)


async def test_two_lanes_write_two_chunks_at_once_and_every_chunk_once() -> None:
    chunks = Chunks(5)
    progress = Progress()
    run = writing(chunks.write, 5, progress)
    await two_began(chunks)
    await settle()
    assert chunks.started == [0, 1]  # two at once, not three
    chunks.end(1)  # the second ends first: the third begins in its place
    await chunks.began(2)
    await settle()
    assert chunks.started == [0, 1, 2] and progress.written == {1} and progress.done == 1
    for i in (0, 2, 3, 4):
        await chunks.began(i)
        chunks.end(i)
    await asyncio.wait_for(run, WAIT)
    assert sorted(chunks.written) == [0, 1, 2, 3, 4] and chunks.most_at_once == 2
    assert progress.written == {0, 1, 2, 3, 4} and progress.done == 5


async def test_one_lane_writes_in_turn() -> None:
    chunks = Chunks(3)
    progress = Progress()
    run = writing(chunks.write, 3, progress, lanes=1)
    for i in range(3):
        await chunks.began(i)
        await settle()
        assert chunks.started == list(range(i + 1))  # the next one waits for this one
        chunks.end(i)
    await asyncio.wait_for(run, WAIT)
    assert chunks.written == [0, 1, 2] and chunks.most_at_once == 1


async def test_after_a_failure_no_chunk_begins_and_the_one_under_way_is_waited_for() -> None:
    chunks = Chunks(4)
    progress = Progress()
    run = writing(chunks.write, 4, progress)
    await two_began(chunks)
    chunks.fail(1, DatabaseUnavailable())
    await settle()
    assert not run.done()  # chunk 0 is still writing: what stays is not known yet
    assert chunks.started == [0, 1]  # and nothing else began
    chunks.end(0)
    with pytest.raises(ImportInterrupted) as stopped:
        await asyncio.wait_for(run, WAIT)
    assert chunks.started == [0, 1] and chunks.written == [0]
    message = str(stopped.value)
    assert "What its first transaction wrote stays (1 created" in message
    assert isinstance(stopped.value.__cause__, DatabaseUnavailable)


async def test_chunks_that_committed_out_of_order_are_said_to_be_some_of_them() -> None:
    chunks = Chunks(4)
    progress = Progress()
    run = writing(chunks.write, 4, progress)
    await two_began(chunks)
    chunks.fail(0, DatabaseUnavailable())  # the first fails before the second commits
    await settle()
    chunks.end(1)
    with pytest.raises(ImportInterrupted) as stopped:
        await asyncio.wait_for(run, WAIT)
    assert progress.written == {1}
    assert "What one of its transactions wrote stays (1 created" in str(stopped.value)


async def test_a_failure_with_nothing_committed_is_the_error_as_it_is() -> None:
    chunks = Chunks(3)
    progress = Progress()
    run = writing(chunks.write, 3, progress)
    await two_began(chunks)
    first = DatabaseUnavailable()
    chunks.fail(0, first)
    await settle()
    chunks.fail(1, RuntimeError("the second failure"))
    with pytest.raises(DatabaseUnavailable) as raised:
        await asyncio.wait_for(run, WAIT)
    assert raised.value is first and progress.done == 0 and chunks.started == [0, 1]


async def test_cancelled_it_cancels_the_chunks_under_way_and_waits_for_them() -> None:
    chunks = Chunks(3)
    progress = Progress()
    before = asyncio.all_tasks()
    run = writing(chunks.write, 3, progress)
    await two_began(chunks)
    run.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(run, WAIT)
    assert chunks.running == 0 and chunks.written == [] and chunks.started == [0, 1]
    assert [task for task in asyncio.all_tasks() - before if not task.done()] == []


class Transactions:
    """A store whose write transactions note that they began and committed."""

    def __init__(self) -> None:
        self.began: list[str] = []
        self.committed: list[str] = []

    @contextlib.asynccontextmanager
    async def write(self) -> AsyncIterator[str]:
        name = f"tx {len(self.began)}"
        self.began.append(name)
        yield name
        self.committed.append(name)


async def test_a_chunk_not_yet_in_its_transaction_when_another_fails_never_begins_one() -> None:
    """Chunk 1 is still reading (its drafts) when chunk 0 fails in its transaction: chunk 1
    then never begins its own, and the failure is the error as it is (nothing committed)."""
    store = Transactions()
    progress = Progress()
    drafts_read = asyncio.Event()

    async def write(index: int, chunk: str) -> None:
        if index == 1:
            await drafts_read.wait()
        async with chunk_transaction(store, "T1", progress):  # type: ignore[arg-type]
            if index == 0:
                raise DatabaseUnavailable()

    run = writing(write, 2, progress)
    await settle()
    assert store.began == ["tx 0"] and not run.done()  # chunk 1 is under way: waited for
    drafts_read.set()
    with pytest.raises(DatabaseUnavailable):
        await asyncio.wait_for(run, WAIT)
    assert store.began == ["tx 0"] and store.committed == [] and progress.done == 0


async def test_a_failure_found_while_a_chunk_waited_for_its_transaction_rolls_it_back() -> None:
    """Chunk 1's transaction opens after chunk 0 failed (it waited for the lock or a
    connection meanwhile): it writes nothing and is not counted."""
    progress = Progress()
    opened = asyncio.Event()

    class Slow(Transactions):
        @contextlib.asynccontextmanager
        async def write(self) -> AsyncIterator[str]:
            if len(self.began) == 1:
                await opened.wait()
            async with super().write() as tx:
                yield tx

    store = Slow()
    wrote: list[int] = []

    async def write(index: int, chunk: str) -> None:
        async with chunk_transaction(store, "T1", progress):  # type: ignore[arg-type]
            if index == 0:
                raise DatabaseUnavailable()
            wrote.append(index)

    run = writing(write, 2, progress)
    await settle()
    assert progress.stopped and not run.done()
    opened.set()
    with pytest.raises(DatabaseUnavailable):
        await asyncio.wait_for(run, WAIT)
    assert store.began == ["tx 0", "tx 1"] and store.committed == [] and wrote == []


async def test_chunks_are_numbered_on_from_an_earlier_call() -> None:
    """A partner import's second phase: its first chunk fails after its second committed, so
    the chunks that committed are not the file's first ones."""
    progress = Progress()
    first = Chunks(1)
    run = writing(first.write, 1, progress)
    await first.began(0)
    first.end(0)
    await asyncio.wait_for(run, WAIT)
    second = Chunks(2)
    run = writing(second.write, 2, progress)
    await two_began(second)
    second.end(1)
    await settle()
    second.fail(0, DatabaseUnavailable())
    with pytest.raises(ImportInterrupted) as stopped:
        await asyncio.wait_for(run, WAIT)
    assert progress.written == {0, 2} and progress.chunks == 3
    assert "What 2 of its transactions wrote stays" in str(stopped.value)


@pytest.mark.parametrize(("pool_size", "lanes"), [(10, 2), (8, 2), (7, 1), (4, 1), (1, 1)])
def test_postgresql_imports_take_at_most_half_the_pool(pool_size: int, lanes: int) -> None:
    from storage.postgres import PostgresStore

    # a metric import's lane is two connections: a chunk's write and the next drafts' read
    store = PostgresStore("postgresql://127.0.0.1/test", pool_size=pool_size)
    assert store.write_lanes == lanes
