"""`Queries._fetchall` takes a query's parameters as aiosql does, attribute references
(`:p.name`) too: SQLite's one-trip read runs aiosql's SQL, which names `:p__name`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import aiosql

from storage.store import PostgresStore, SQLiteStore
from storage.tx.one_hop import OneHopSQLiteAdapter

SQL = """
-- name: echo_of
SELECT CAST(:p.name AS TEXT) AS name, CAST(:team_id AS TEXT) AS team_id;
"""


@dataclass(frozen=True)
class Named:
    name: str


async def test_fetchall_binds_a_querys_attribute_parameters(
    store: SQLiteStore | PostgresStore,
) -> None:
    async with store.read() as tx:
        adapter: Any = OneHopSQLiteAdapter if tx._d.name == "sqlite" else "asyncpg"
        tx._q = aiosql.from_str(SQL, adapter, mandatory_parameters=False)
        assert tx._q.echo_of.attributes, "the query names an attribute"
        rows = await tx._fetchall("echo_of", p=Named("Acme's \u00e9"), team_id="T1")
        listed = await tx._rows("echo_of", p=Named("Bolt"), team_id="T2")
    assert [(r["name"], r["team_id"]) for r in rows] == [("Acme's \u00e9", "T1")]
    assert [(r["name"], r["team_id"]) for r in listed] == [("Bolt", "T2")]
