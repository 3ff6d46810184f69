"""Cards kept by workspace, key and report version: computed once a version, computed again
after a write (a newer version), a failure never kept, the least recently used dropped past
the bound, and the version read the report cache's own."""

from __future__ import annotations

import pytest

from bot.answer_cache import AnswerCache
from bot.report_cache import ReportCache
from tests.bot.test_report_cache import VersionedStore


class Card:
    """A card's computation, counting how often it ran."""

    def __init__(self) -> None:
        self.runs = 0
        self.fail = False

    async def __call__(self) -> str:
        self.runs += 1
        if self.fail:
            raise RuntimeError("the database went away")
        return f"card {self.runs}"


async def test_an_answer_is_kept_under_its_version_and_computed_again_after_a_write() -> None:
    store, card = VersionedStore(), Card()
    reports = ReportCache()
    cache = AnswerCache(reports)
    assert await cache.answer(store, "T1", "acme", card) == "card 1"  # type: ignore[arg-type]
    assert await cache.answer(store, "T1", "acme", card) == "card 1"  # type: ignore[arg-type]
    assert card.runs == 1
    # Another workspace, or another key, is an answer of its own.
    assert await cache.answer(store, "T2", "acme", card) == "card 2"  # type: ignore[arg-type]
    assert await cache.answer(store, "T1", "bolt", card) == "card 3"  # type: ignore[arg-type]
    store.version = 2  # a write, on any replica
    assert await cache.answer(store, "T1", "acme", card) == "card 4"  # type: ignore[arg-type]
    assert await cache.answer(store, "T1", "acme", card) == "card 4"  # type: ignore[arg-type]
    store.version = 1  # a database restored to an older version: read afresh
    assert await cache.answer(store, "T1", "acme", card) == "card 5"  # type: ignore[arg-type]
    assert store.version_reads == 7  # one a request, none concurrent
    assert cache.reports is reports


async def test_a_failed_answer_is_not_kept() -> None:
    store, card, cache = VersionedStore(), Card(), AnswerCache(ReportCache())
    card.fail = True
    with pytest.raises(RuntimeError, match="went away"):
        await cache.answer(store, "T1", "acme", card)  # type: ignore[arg-type]
    card.fail = False
    assert await cache.answer(store, "T1", "acme", card) == "card 2"  # type: ignore[arg-type]
    assert await cache.answer(store, "T1", "acme", card) == "card 2"  # type: ignore[arg-type]


async def test_past_the_bound_the_least_recently_used_answer_goes_first() -> None:
    store, card = VersionedStore(), Card()
    cache = AnswerCache(ReportCache(), max_entries=2)
    await cache.answer(store, "T1", "a", card)  # type: ignore[arg-type]
    await cache.answer(store, "T1", "b", card)  # type: ignore[arg-type]
    await cache.answer(store, "T1", "a", card)  # type: ignore[arg-type]  # a is now the newest
    await cache.answer(store, "T1", "c", card)  # type: ignore[arg-type]  # b goes
    assert card.runs == 3
    assert await cache.answer(store, "T1", "a", card) == "card 1"  # type: ignore[arg-type]
    assert await cache.answer(store, "T1", "b", card) == "card 4"  # type: ignore[arg-type]
