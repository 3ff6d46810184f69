"""Full garbage collections held while an import keeps its objects."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from bot.collector import full_collections_held


@pytest.fixture(autouse=True)
def pythons_thresholds() -> Iterator[None]:
    """Python's own thresholds for each test: the app sets its own for the whole process
    (bot.collector.tune_collector), under which a million objects make no full pass at all."""
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield
    gc.set_threshold(*before)


def _full_passes_while_keeping(objects: int) -> int:
    """Full collections that run while this many new lists are made and kept."""
    passes = 0

    def seen(phase: str, info: dict[str, int]) -> None:
        nonlocal passes
        if phase == "start" and info["generation"] == 2:
            passes += 1

    gc.collect()
    gc.callbacks.append(seen)
    try:
        kept = [[] for _ in range(objects)]
    finally:
        gc.callbacks.remove(seen)
    del kept
    return passes


def test_no_full_collection_runs_while_held_and_they_run_again_after() -> None:
    before = gc.get_threshold()
    with full_collections_held():
        assert _full_passes_while_keeping(1_000_000) == 0
    assert gc.get_threshold() == before
    assert _full_passes_while_keeping(1_000_000) > 0


def test_nested_holds_restore_the_threshold_when_the_last_ends() -> None:
    before = gc.get_threshold()
    with full_collections_held():
        held = gc.get_threshold()
        with full_collections_held():
            assert gc.get_threshold() == held
        assert gc.get_threshold() == held  # the outer work still holds them
        assert held[2] > before[2] and held[:2] == before[:2]
    assert gc.get_threshold() == before
