"""Admins changing thresholds, weights and benchmarks at once, raced by two stores on one
database and interleaved on purpose, on both engines (as tests/storage/test_concurrency.py):
each value is written over the one read, so one change is one audit row, and every audit
row names the value it really replaced.

On PostgreSQL the paused admin has only read, so the other one commits in between; on SQLite
the paused admin holds the write lock, so the other waits and goes second.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.access import Actor
from bot.errors import WriteConflict
from bot.health import service as health
from bot.registry.rules import Category, FieldChange
from bot.scoring import service as scoring
from storage.store import PostgresStore, SQLiteStore
from tests.support.databases import scalar, store_for, url_of
from tests.support.interleave import Gate, GatedStore, race

Store = SQLiteStore | PostgresStore
AT = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
LATER = AT + timedelta(minutes=5)
ADMIN = Actor("U0ADMIN", is_admin=True)
OTHER_ADMIN = Actor("U0OTHER", is_admin=True)


@pytest.fixture
async def other(store: Store) -> AsyncIterator[Store]:
    """A second store on the same database, as another process would open it."""
    second = store_for(url_of(store))
    await second.open(AT)
    yield second
    await second.close()


def on_postgres(store: Store) -> bool:
    return isinstance(store, PostgresStore)


async def settings_audit(store: Store) -> list[tuple[str, str, str]]:
    """The settings audit, oldest first, as (setting, before, after)."""
    async with store.read() as tx:
        entries = await tx.settings_history("T1", 100)
    return [(e.field, e.before, e.after) for e in reversed(entries)]


def gated(store: Store, gate: Gate) -> Any:
    return GatedStore(store, gate)


async def test_two_admins_setting_one_threshold_to_one_value_change_it_once(
    store: Store, other: Store
) -> None:
    await health.set_thresholds(store, AT, "T1", ADMIN, {"rue": 45})
    gate = Gate("setting")  # stops after reading the stored 45

    first, second = await race(
        lambda: health.set_thresholds(gated(store, gate), LATER, "T1", ADMIN, {"rue": 35}),
        gate,
        lambda: health.set_thresholds(other, LATER, "T1", OTHER_ADMIN, {"rue": 35}),
        other_finishes_first=on_postgres(store),
    )
    assert sorted([first, second]) == [[], [FieldChange("rue", "45", "35")]], (first, second)
    assert await scalar(store, "SELECT value FROM workspace_settings") == 35
    assert await settings_audit(store) == [
        ("threshold rue", "40", "45"),
        ("threshold rue", "45", "35"),
    ]


async def test_two_admins_setting_one_threshold_to_two_values_audit_what_each_replaced(
    store: Store, other: Store
) -> None:
    gate = Gate("setting")  # stops after finding nothing stored: the default, 40

    first, second = await race(
        lambda: health.set_thresholds(gated(store, gate), LATER, "T1", ADMIN, {"rue": 30}),
        gate,
        lambda: health.set_thresholds(other, LATER, "T1", OTHER_ADMIN, {"rue": 35}),
        other_finishes_first=on_postgres(store),
    )
    if on_postgres(store):  # the other commits first; the paused one replaces its 35
        assert (first, second) == (
            [FieldChange("rue", "35", "30")],
            [FieldChange("rue", "40", "35")],
        )
        final, rows = 30, [("threshold rue", "40", "35"), ("threshold rue", "35", "30")]
    else:
        assert (first, second) == (
            [FieldChange("rue", "40", "30")],
            [FieldChange("rue", "30", "35")],
        )
        final, rows = 35, [("threshold rue", "40", "30"), ("threshold rue", "30", "35")]
    assert await scalar(store, "SELECT COUNT(*) FROM workspace_settings") == 1
    assert await scalar(store, "SELECT value FROM workspace_settings") == final
    assert await settings_audit(store) == rows


async def test_two_admins_setting_one_weight_to_one_value_change_it_once(
    store: Store, other: Store
) -> None:
    gate = Gate("setting")  # stops after finding no brand weight stored: the default, 1

    first, second = await race(
        lambda: scoring.set_weights(gated(store, gate), LATER, "T1", ADMIN, {"brand": 2}),
        gate,
        lambda: scoring.set_weights(other, LATER, "T1", OTHER_ADMIN, {"brand": 2}),
        other_finishes_first=on_postgres(store),
    )
    assert not isinstance(first, Exception) and not isinstance(second, Exception)
    assert sorted([first[1], second[1]]) == [[], [FieldChange("brand", "1", "2")]]
    assert first[0].brand == second[0].brand == 2  # both answer with the weights as stored
    assert await scalar(store, "SELECT COUNT(*) FROM workspace_settings") == 1
    assert await settings_audit(store) == [("score brand", "1", "2")]


async def test_two_admins_setting_one_benchmark_to_one_value_change_it_once(
    store: Store, other: Store
) -> None:
    gate = Gate("benchmark")  # stops after finding no KOL benchmark

    def set_kol(on: Any, actor: Actor) -> Any:
        return health.set_benchmark(on, LATER, "T1", actor, Category.KOL, 2.5)

    first, second = await race(
        lambda: set_kol(gated(store, gate), ADMIN),
        gate,
        lambda: set_kol(other, OTHER_ADMIN),
        other_finishes_first=on_postgres(store),
    )
    outcomes = [first, second]
    assert None in outcomes and FieldChange("KOL", "", "2.5") in outcomes, outcomes
    assert await scalar(store, "SELECT COUNT(*) FROM roi_benchmarks") == 1
    assert await scalar(store, "SELECT roi FROM roi_benchmarks") == 2.5
    assert await settings_audit(store) == [("benchmark KOL", "", "2.5")]


async def test_two_admins_setting_one_benchmark_to_two_values_audit_what_each_replaced(
    store: Store, other: Store
) -> None:
    await health.set_benchmark(store, AT, "T1", ADMIN, Category.KOL, 2.0)
    gate = Gate("benchmark")  # stops after reading the 2.0

    first, second = await race(
        lambda: health.set_benchmark(gated(store, gate), LATER, "T1", ADMIN, Category.KOL, 3.0),
        gate,
        lambda: health.set_benchmark(other, LATER, "T1", OTHER_ADMIN, Category.KOL, 2.5),
        other_finishes_first=on_postgres(store),
    )
    if on_postgres(store):  # the other commits first; the paused one replaces its 2.5
        assert (first, second) == (FieldChange("KOL", "2.5", "3"), FieldChange("KOL", "2", "2.5"))
        final, rows = 3.0, [("benchmark KOL", "2", "2.5"), ("benchmark KOL", "2.5", "3")]
    else:
        assert (first, second) == (FieldChange("KOL", "2", "3"), FieldChange("KOL", "3", "2.5"))
        final, rows = 2.5, [("benchmark KOL", "2", "3"), ("benchmark KOL", "3", "2.5")]
    assert await scalar(store, "SELECT roi FROM roi_benchmarks") == final
    assert await settings_audit(store) == [("benchmark KOL", "", "2"), *rows]


class _Beaten:
    """A store whose compare-and-set writes of one setting (and of benchmarks) always find
    the value changed, as if another admin wrote in between every time; others go through."""

    def __init__(self, store: Store, key: str) -> None:
        self._store = store
        self._key = key

    @contextlib.asynccontextmanager
    async def write(self) -> AsyncIterator[Any]:
        async with self._store.write() as tx:
            yield _BeatenTx(tx, self._key)


class _BeatenTx:
    def __init__(self, tx: Any, key: str) -> None:
        self._tx = tx
        self._key = key

    async def write_setting(self, team_id: str, scope: str, key: str, *rest: Any) -> bool:
        if key == self._key:
            return False
        return bool(await self._tx.write_setting(team_id, scope, key, *rest))

    async def write_benchmark(self, *_args: Any) -> bool:
        return False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._tx, name)


async def test_a_setting_that_keeps_changing_under_the_write_is_refused_with_nothing_changed(
    store: Store,
) -> None:
    beaten: Any = _Beaten(store, "hhi")  # rue, written first, is rolled back with it
    with pytest.raises(WriteConflict, match=r"\*threshold hhi\* was changed by someone else"):
        await health.set_thresholds(beaten, LATER, "T1", ADMIN, {"rue": 30, "hhi": 2000})
    with pytest.raises(WriteConflict, match=r"\*benchmark KOL\* was changed by someone else"):
        await health.set_benchmark(beaten, LATER, "T1", ADMIN, Category.KOL, 2.5)
    assert await scalar(store, "SELECT COUNT(*) FROM workspace_settings") == 0
    assert await scalar(store, "SELECT COUNT(*) FROM roi_benchmarks") == 0
    assert await settings_audit(store) == []


@pytest.mark.parametrize("value", [69.95, 0.1 + 0.2, 1e-9, 123456789.123456])
async def test_settings_and_benchmarks_are_replaced_only_over_the_value_read(
    store: Store, value: float
) -> None:
    async with store.write() as tx:
        assert await tx.write_setting("T1", "score", "threshold", value, "U1", AT, None)
        assert not await tx.write_setting("T1", "score", "threshold", 1.0, "U1", AT, None)
        assert not await tx.write_setting("T1", "score", "threshold", 1.0, "U1", AT, value + 1)
        assert await tx.write_setting("T1", "score", "threshold", 1.0, "U2", LATER, value)
        assert await tx.write_benchmark("T1", "KOL", value, "U1", AT, None)
        assert not await tx.write_benchmark("T1", "KOL", 1.0, "U1", AT, None)
        assert not await tx.write_benchmark("T1", "KOL", 1.0, "U1", AT, value + 1)
        assert await tx.write_benchmark("T1", "KOL", 1.0, "U2", LATER, value)
    async with store.read() as tx:
        assert await tx.setting("T1", "score", "threshold") == 1.0
        assert await tx.setting("T1", "score", "brand") is None
        assert await tx.benchmark("T1", "KOL") == 1.0
        assert await tx.benchmark("T1", "MCN") is None
    assert await scalar(store, "SELECT updated_by FROM workspace_settings") == "U2"
    assert await scalar(store, "SELECT updated_by FROM roi_benchmarks") == "U2"
