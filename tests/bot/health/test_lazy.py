"""Lazy sequences (items made when read) and the janitor that frees large containers an item
at a time."""

import operator
import threading
import weakref

import pytest

from bot.health.concentration import Share, concentration_of
from bot.health.lazy import BIG, Lazy, _Janitor, empty_unheld


def test_a_lazy_sequence_makes_each_item_once_when_read() -> None:
    made: list[int] = []

    def make(key: int) -> list[int]:
        made.append(key)
        return [key * 10]

    items = Lazy([3, 1, 2], make)
    assert len(items) == 3 and made == []
    assert items[0] == [30] and items[-1] == [20] and made == [3, 2]
    assert items[0] is items[0]  # kept: a page read twice is the same objects
    assert items[1:] == [[10], [20]] and made == [3, 2, 1]
    assert list(items) == [[30], [10], [20]]
    assert items.keys == [3, 1, 2]
    with pytest.raises(IndexError):
        items[3]


def test_a_lazy_sequence_equals_the_list_or_tuple_it_stands_for() -> None:
    items = Lazy(["a", "b"], str.upper)
    assert items == ["A", "B"] and items == ("A", "B")
    assert operator.eq(["A", "B"], items)  # from the list's side too
    assert items != ["A"] and items != ["A", "C"] and items != "AB"


class _Freed(list):  # type: ignore[type-arg]
    """A list that can be watched with a weak reference."""


def test_the_janitor_empties_only_what_nothing_else_holds() -> None:
    kept = _Freed(range(5))
    gone = _Freed([_Freed([1]), _Freed([2])])
    watched = [weakref.ref(gone), *(weakref.ref(item) for item in gone)]
    pending = [kept, gone]
    del gone
    held = empty_unheld(pending)
    assert pending == [] and held == [kept] and kept == [0, 1, 2, 3, 4]
    assert [ref() for ref in watched] == [None, None, None]
    del kept
    assert empty_unheld(held) == [] and held == []


def test_the_largest_share_read_first_is_the_first_of_the_sorted_shares() -> None:
    # Ties by name, then as summed (two partners named alike).
    summed = {1: 5.0, 2: 9.0, 3: 9.0, 4: 9.0, 5: 0.0}
    names = {1: "E", 2: "Beta", 3: "Alpha", 4: "Alpha", 5: "Zero"}
    found = concentration_of(summed, "gmv", names, 2500)
    assert found is not None and len(found.shares) == 4
    first = found.shares[0]
    assert first == Share(3, "Alpha", 9.0, 9.0 * 100 / 32.0)
    assert [s.partner_id for s in found.shares] == [3, 4, 2, 1]
    assert found.shares[0] == first and found.largest == first


def test_the_janitor_is_handed_work_only_once_started_and_never_starts_itself() -> None:
    """take() runs in finalisers: starting a thread there can wait for ever on threading's
    own locks (a collection inside Thread.start), which hung a bot under load. So take()
    starts nothing, and work handed over before start() is freed where it is."""
    janitor = _Janitor()
    before = threading.active_count()
    freed = _Freed(range(BIG))
    watched = weakref.ref(freed)
    janitor.take([freed])
    assert not janitor.running and threading.active_count() == before
    del freed
    assert watched() is None  # nothing kept it: freed here, as Python does

    janitor.start()
    janitor.start()  # once
    assert janitor.running and threading.active_count() == before + 1
    emptied = threading.Event()

    class _Watched(list):  # type: ignore[type-arg]
        def __del__(self) -> None:
            emptied.set()

    handed = [_Watched() for _ in range(BIG)]
    janitor.take([handed])
    del handed
    assert emptied.wait(timeout=30)  # the janitor's thread emptied the list
