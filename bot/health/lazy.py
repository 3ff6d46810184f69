"""A sequence whose items are made when first read: a pool's report orders tens of
thousands of partners, and a page or a digest shows a few of them. Pure."""

from __future__ import annotations

import contextlib
import queue
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Generic, TypeVar, overload

K = TypeVar("K")
T = TypeVar("T")


class ListLike(Sequence[T]):
    """A read-only sequence equal to any sequence of equal items, list or tuple, as the list
    it stands for would be (and, like a list, unhashable)."""

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str | bytes):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]


class Lazy(ListLike[T], Generic[K, T]):
    """Items in the order of keys, each made by make(key) when first read and kept (so a
    page read twice is the same objects). Equal to any sequence of equal items, list or
    tuple, as the list it stands for would be."""

    __slots__ = ("_keys", "_made", "_make")

    def __init__(self, keys: Sequence[K], make: Callable[[K], T]) -> None:
        self._keys = keys
        self._make = make
        self._made: dict[int, T] = {}

    @property
    def keys(self) -> Sequence[K]:
        """What each item is made from, in order (read without making the items)."""
        return self._keys

    def __len__(self) -> int:
        return len(self._keys)

    @overload
    def __getitem__(self, index: int) -> T: ...
    @overload
    def __getitem__(self, index: slice) -> list[T]: ...
    def __getitem__(self, index: int | slice) -> T | list[T]:
        if isinstance(index, slice):
            return [self._item(i) for i in range(*index.indices(len(self._keys)))]
        if index < 0:
            index += len(self._keys)
        if not 0 <= index < len(self._keys):
            raise IndexError("Lazy index out of range")
        return self._item(index)

    def _item(self, index: int) -> T:
        made = self._made.get(index)
        if made is None:
            made = self._made[index] = self._make(self._keys[index])
        return made

    def __iter__(self) -> Iterator[T]:
        return (self._item(i) for i in range(len(self._keys)))

    def __repr__(self) -> str:
        return f"Lazy({len(self._keys)} items)"

    def __del__(self) -> None:
        release(self._keys, self._made)


def keys_of(items: Sequence[Any]) -> Sequence[Any] | None:
    """A Lazy's keys, or None for any other sequence."""
    return items.keys if isinstance(items, Lazy) else None


BIG = 1_000  # items: a container this large is released by the janitor


class _Janitor:
    """Frees large containers on its own thread, an item at a time. A report of 100,000
    partners is about two million objects: freed where its last reference goes (the event
    loop, once its answer is sent) it would hold the loop for 100 ms, all of it one C call
    that keeps the GIL; an item at a time, the GIL passes between threads as usual.

    Its thread is started by start(), from the composition root, and never from take(),
    which runs in finalisers: a finaliser may run inside a collection triggered while this
    thread holds one of threading's own locks, and starting a thread there waits on that
    lock for ever (a bot under load hung so). Until it is started, containers are freed
    where they are, as Python does."""

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[list[Any]] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Run the janitor's thread (once; later calls do nothing)."""
        with self._lock:
            if self._thread is None:
                thread = threading.Thread(target=self._run, name="janitor", daemon=True)
                thread.start()
                self._thread = thread

    @property
    def running(self) -> bool:
        return self._thread is not None

    def take(self, containers: list[Any]) -> None:
        """Hand containers over (safe in a finaliser: no lock, no thread started); freed
        where they are when the janitor is not running."""
        if self._thread is not None:
            self._queue.put(containers)

    def _run(self) -> None:
        pending: list[Any] = []
        while True:
            with contextlib.suppress(queue.Empty):
                pending += self._queue.get(timeout=0.05 if pending else None)
            pending = empty_unheld(pending)


def empty_unheld(pending: list[Any]) -> list[Any]:
    """Empty, an item at a time, each container of pending that nothing else holds (pending
    is emptied); those still held elsewhere, to look at again (their owner's slot may not be
    cleared yet)."""
    held = []
    while pending:
        container = pending.pop()
        # This frame's name and getrefcount's argument are the two references counted here.
        if sys.getrefcount(container) > 2:
            held.append(container)
        elif isinstance(container, dict):
            while container:
                container.popitem()
        else:
            while container:
                container.pop()
        del container
    return held


JANITOR = _Janitor()


def release(*containers: object) -> None:
    """Hand the large ones among containers (lists and dicts its owner is about to drop)
    to the janitor, which empties each that nothing else holds."""
    big = [c for c in containers if isinstance(c, list | dict) and len(c) >= BIG]
    if big:
        JANITOR.take(big)
