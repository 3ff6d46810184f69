"""An import's CPU-heavy Python runs in worker threads, never on the event loop's thread:
the loop keeps answering other requests (the project's 50 ms rule)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

import bot.health.upkeep as upkeep
import bot.registry.import_writes as import_writes
import bot.registry.metric_imports as metric_imports
import bot.registry.partner_imports as partner_imports
import storage.tx.imports as tx_imports
from bot.registry.imports import ImportResult, import_metrics, import_partners
from storage.store import PostgresStore, SQLiteStore

AT = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
HEAVY = [  # (module, name): each step of a chunk that walks its thousands of rows
    (partner_imports, "read_partner_rows"),
    (partner_imports, "_check_partners"),
    (partner_imports, "_plan_backups"),
    (metric_imports, "read_metrics_rows"),
    (metric_imports, "check_metric_rows"),
    (metric_imports, "metric_chunks"),
    (metric_imports, "chunk_points"),
    (partner_imports, "let_go"),  # import_runs.let_go, as each import calls it
    (metric_imports, "let_go"),
    (import_writes, "_flat_values"),
    (import_writes, "_outcomes"),
    (import_writes, "_partners_written"),
    (upkeep, "_to_bring_up"),
    (tx_imports, "_stage_records"),
    (upkeep, "stored_summary"),
]


def _recording(fn: Callable[..., Any], name: str, seen: dict[str, set[int]]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        seen.setdefault(name, set()).add(threading.get_ident())
        return fn(*args, **kwargs)

    return wrapper


async def test_an_imports_heavy_steps_run_off_the_loop_thread(
    store: SQLiteStore | PostgresStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, set[int]] = {}
    for module, name in HEAVY:
        monkeypatch.setattr(module, name, _recording(getattr(module, name), name, seen))
    names = [f"Partner {i}" for i in range(6)]
    partners = ["name,category,tier,status,owner,tags,backups"] + [
        f'{name},KOL,core,active,U0OWNER,"live, video",{names[(i + 1) % 6]}'
        for i, name in enumerate(names)
    ]
    assert await import_partners(store, AT, "T1", "\n".join(partners) + "\n", chunk_size=4) == (
        ImportResult(6, 0, 0)
    )
    metrics = ["name,period,rue,roi,sentiment,gmv,traffic"]
    for week in ("2026-W40", "2026-W41"):
        metrics += [f"{name},{week},40,1.5,70,1000,900" for name in names]
    await import_metrics(store, AT, "T1", "\n".join(metrics) + "\n", today=AT.date())
    # Again with new values: the stored summaries are brought up to date (_to_bring_up).
    again = [line.replace(",40,1.5,", ",41,2.5,") for line in metrics]
    result = await import_metrics(store, AT, "T1", "\n".join(again) + "\n", today=AT.date())
    assert result == ImportResult(0, 24, 36, rows=12)
    assert sorted(seen) == sorted({name for _, name in HEAVY})  # every step ran
    loop_thread = threading.get_ident()
    assert {name: ids for name, ids in seen.items() if loop_thread in ids} == {}
