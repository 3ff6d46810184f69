"""The chunked partner import against the per-row way on generated files: the same partners,
tags, backups and audit rows (at, actor, action, field, before, after) in one workspace and
another, on both engines, through files of new, changed, renamed and unchanged partners with
any subset of the columns."""

from __future__ import annotations

import contextlib
import csv
import io
import random
from collections.abc import AsyncIterator
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import Any

import aiosqlite
import asyncpg
import pytest

from bot.registry.csv_io import ImportRejected
from bot.registry.imports import ImportResult, import_partners
from bot.registry.imports_per_row import import_partners_per_row
from bot.registry.rules import FIELD_ORDER
from storage.store import PostgresStore, SQLiteStore

AT = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
Store = SQLiteStore | PostgresStore
COLUMNS = FIELD_ORDER[1:]  # every column a file may hold besides the name
CELLS: dict[str, list[str]] = {
    "category": ["KOL", "koc", "MCN", "brand", "Other", ""],
    "tier": ["core", "Strategic", "trial", "standard", ""],
    "status": ["active", "paused", "dropped", "prospect", "archived", ""],
    "owner": ["U0OWNER1", "U0OWNER2", "W0WORK03", ""],
    "tags": ["live, video", "video", "美妆, Live ,live", "", "a,b,c"],
    "contacts": ["", "ann@acme.test", "line one\r\nline two", "  padded  "],
    "notes": ["", "note", "多语言 notes"],
    "success_cases": ["0", "3", "12", ""],
    "drop_reason": ["", "budget cut", "moved on"],
}


def generated_file(rng: random.Random, names: list[str], rows: int) -> str:
    """rows partners drawn from names (some written in another case or in quotes), with a
    random subset of the columns, backups among the names (some further down the file)."""
    columns = ["name", *rng.sample(COLUMNS, rng.randint(0, len(COLUMNS)))]
    if "owner" not in columns:  # a new partner needs one
        columns.append("owner")
    rng.shuffle(columns)
    chosen = rng.sample(names, rows)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for i, name in enumerate(chosen):
        written = rng.choice([name, name.upper(), f'"{name}"', f"  {name} "])
        cells = {"name": written}
        for column in columns:
            if column == "name":
                continue
            if column == "backups":
                others = [n for n in chosen if n != name]
                picked = rng.sample(others, rng.choice((0, 0, 1, 2)))
                cells[column] = ", ".join(picked)
            elif column == "owner" and i % 7 == 0:
                cells[column] = "U0OWNER1"
            else:
                cells[column] = rng.choice(CELLS[column])
        if cells.get("owner") == "":
            cells["owner"] = "U0OWNER2"  # new partners among them need one
        writer.writerow([cells[c] for c in columns])
    return out.getvalue()


async def _fetch(store: Store, sql: str) -> list[tuple[Any, ...]]:
    if isinstance(store, PostgresStore):
        conn = await asyncpg.connect(store.url)
        try:
            return [tuple(r) for r in await conn.fetch(sql)]
        finally:
            await conn.close()
    async with aiosqlite.connect(store.path) as db:
        return [tuple(r) for r in await db.execute_fetchall(sql)]


async def registry(store: Store, team: str) -> list[dict[str, object]]:
    """Every partner field by field (tags and backups in order), without ids and times."""
    async with store.read() as tx:
        partners = await tx.all_partners(team)
    ignored = ("id", "team_id", "created_at", "updated_at")
    return [{k: v for k, v in asdict(p).items() if k not in ignored} for p in partners]


async def audit(store: Store, team: str) -> list[tuple[Any, ...]]:
    """Every audit row of the workspace by partner name, in the order written per partner."""
    rows = await _fetch(
        store,
        "SELECT p.name, a.actor, a.at, a.action, a.field, a.before, a.after FROM audit_log a"
        f" JOIN partners p ON p.id = a.partner_id WHERE a.team_id = '{team}' ORDER BY a.id",
    )
    by_partner: dict[str, list[tuple[Any, ...]]] = {}
    for row in rows:
        by_partner.setdefault(str(row[0]), []).append(row)
    return [row for name in sorted(by_partner) for row in by_partner[name]]


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_generated_files_give_the_rows_and_audit_of_the_per_row_way(
    store: Store, seed: int
) -> None:
    rng = random.Random(seed)
    names = [f"Partner {i:03d}" for i in range(60)] + ["小红书", "Acme Media", "ｗｉｄｅ"]
    files = 0
    for step in range(4):
        text = generated_file(rng, names, rng.randint(20, 50))
        at = AT + timedelta(hours=step)
        try:
            chunked = await import_partners(store, at, "T1", text, chunk_size=7)
        except ImportRejected as rejected:
            with pytest.raises(ImportRejected) as per_row:
                await import_partners_per_row(store, at, "T2", text)
            assert per_row.value.problems == rejected.problems
            continue
        assert chunked == await import_partners_per_row(store, at, "T2", text)
        files += 1
        assert await registry(store, "T1") == await registry(store, "T2")
    assert files >= 2  # most files are written, not refused
    assert await audit(store, "T1") == await audit(store, "T2") != []
    # A backup nobody registered, far down a file: both refuse it alike, and write nothing.
    good = [f"{name},U0OWNER1,video,{names[0]}" for name in names[1:41]]
    text = "\n".join(["name,owner,tags,backups", *good, "Late One,U0OWNER1,,Partner 0590"]) + "\n"
    before = await registry(store, "T1"), await audit(store, "T1")
    with pytest.raises(ImportRejected) as chunked_refusal:
        await import_partners(store, AT, "T1", text, chunk_size=7)
    with pytest.raises(ImportRejected) as per_row_refusal:
        await import_partners_per_row(store, AT, "T2", text)
    assert chunked_refusal.value.problems == per_row_refusal.value.problems
    assert "Did you mean" in chunked_refusal.value.problems[0][1]  # from the whole registry
    assert (await registry(store, "T1"), await audit(store, "T1")) == before


async def test_partners_named_are_those_of_all_partners_under_the_keys(store: Store) -> None:
    text = generated_file(random.Random(4), [f"Partner {i:03d}" for i in range(30)], 30)
    await import_partners(store, AT, "T1", text)
    await import_partners(store, AT, "T2", "name,owner\nPartner 001,U0OTHER\n")
    async with store.read() as tx:
        every = await tx.all_partners("T1")
        keys = {"partner 001", "partner 007", "partner 029", "nobody at all"}
        named = await tx.partners_named("T1", keys)
    assert named == [p for p in every if p.name.casefold() in keys]
    assert len(named) == 3 and any(p.backups for p in every)


class ChangedBeforeItsFirstChunk:
    """A store on which another writer changes a partner after the import read the file's
    partners, just before its first chunk's transaction."""

    def __init__(self, store: Store, change: Any) -> None:
        self._store = store
        self._change = change

    def read(self, *, snapshot: bool = True) -> Any:
        return self._store.read(snapshot=snapshot)

    @contextlib.asynccontextmanager
    async def write(self) -> AsyncIterator[Any]:
        change, self._change = self._change, None
        if change is not None:
            await change()
        async with self._store.write() as tx:
            yield tx


async def test_a_partner_changed_after_the_read_is_read_again_and_written_over(
    store: Store,
) -> None:
    await import_partners(store, AT, "T1", "name,owner\nAcme,U0OWNER1\n")
    later = AT + timedelta(hours=1)
    meanwhile = ChangedBeforeItsFirstChunk(
        store, lambda: import_partners(store, later, "T1", "name,notes\nAcme,set meanwhile\n")
    )
    text = "name,owner,tags\nAcme,U0OWNER2,video\nBeta,U0OWNER2,\n"
    result = await import_partners(meanwhile, later, "T1", text)  # type: ignore[arg-type]
    assert result == ImportResult(1, 1, 0)
    by_name = {p["name"]: p for p in await registry(store, "T1")}
    assert by_name["Acme"]["notes"] == "set meanwhile"  # the other writer's change stays
    assert (by_name["Acme"]["owner"], by_name["Acme"]["tags"]) == ("U0OWNER2", ("video",))
    fields = [row[4:] for row in await audit(store, "T1") if row[0] == "Acme"]
    assert fields[-3:] == [
        ("notes", "", "set meanwhile"),
        ("owner", "U0OWNER1", "U0OWNER2"),
        ("tags", "", "video"),
    ]
