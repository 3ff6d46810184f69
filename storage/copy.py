"""copy-db: a workspace's whole data from one database to another, SQLite or PostgreSQL on
either side, in one transaction on the destination; ids are kept, so links between rows hold.

Not on any request path: whole tables are read and written with SQL built from the table list
below, each value passed through the source's and the destination's dialect.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import asyncpg

from storage.copy_tables import DAY, INT, REAL, STAMP, TABLES
from storage.engine import SQLITE_PREFIX, StoreUnreachable
from storage.postgres import PostgresStore
from storage.store import SQLiteStore, open_store
from storage.tx.base import POSTGRES, SQLITE, Dialect

__all__ = ["TABLES", "CopyRefused", "copy_database"]


class CopyRefused(Exception):
    """The copy was not made; str() says why and what to do. Nothing was written."""


class _Side:
    """One database's connection inside its transaction, spoken to with `?` placeholders."""

    def __init__(self, conn: Any, dialect: Dialect) -> None:
        self.conn = conn
        self.dialect = dialect

    def _sql(self, sql: str) -> str:
        if self.dialect is SQLITE:
            return sql
        pieces = sql.split("?")
        return pieces[0] + "".join(f"${n}{piece}" for n, piece in enumerate(pieces[1:], 1))

    async def fetch(self, sql: str, args: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        if self.dialect is SQLITE:
            async with self.conn.execute(sql, tuple(args)) as cur:
                return [tuple(row) for row in await cur.fetchall()]
        return [tuple(row) for row in await self.conn.fetch(self._sql(sql), *args)]

    async def execute(self, sql: str, args: Sequence[Any] = ()) -> None:
        if self.dialect is SQLITE:
            await self.conn.execute(sql, tuple(args))
        else:
            await self.conn.execute(self._sql(sql), *args)

    async def insert_many(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        if self.dialect is SQLITE:
            await self.conn.executemany(sql, rows)
        else:
            await self.conn.executemany(self._sql(sql), rows)

    def to_python(self, kind: str, value: Any) -> Any:
        """A stored value as the domain's type: aware datetime, date, float, int or str."""
        if value is None:
            return None
        if kind == STAMP:
            return self.dialect.moment(value)
        if kind == DAY:
            return self.dialect.date(value)
        if kind == REAL:
            return float(value)
        if kind == INT:
            return int(value)
        return value

    def to_stored(self, kind: str, value: Any) -> Any:
        if value is None:
            return None
        if kind == STAMP:
            return self.dialect.stamp(value)
        if kind == DAY:
            return self.dialect.day(value)
        return value


@contextlib.asynccontextmanager
async def _transaction(
    store: SQLiteStore | PostgresStore, *, readonly: bool
) -> AsyncIterator[_Side]:
    dialect = POSTGRES if isinstance(store, PostgresStore) else SQLITE
    async with store.raw_transaction(readonly=readonly) as conn:
        yield _Side(conn, dialect)


def _in(teams: Sequence[str]) -> str:
    return ", ".join("?" for _ in teams)


async def _teams(side: _Side) -> list[str]:
    union = " UNION ".join(f"SELECT team_id FROM {t.name}" for t in TABLES)
    return sorted(row[0] for row in await side.fetch(f"SELECT DISTINCT team_id FROM ({union}) t"))


async def copy_database(
    source_url: str,
    destination_url: str,
    now: datetime,
    teams: Sequence[str] = (),
    *,
    replace: bool = False,
) -> dict[str, int]:
    """Copy the workspaces named (every one in the source when none is) and return the rows
    copied per table. Both databases are migrated first. A destination that holds any data
    is refused unless replace is set; then the copied workspaces' rows there are replaced
    and other workspaces' rows are kept."""
    source = await _open(source_url, now, "SRC_URL")
    try:
        destination = await _open(destination_url, now, "DST_URL")
        try:
            async with (
                _transaction(source, readonly=True) as src,
                _transaction(destination, readonly=False) as dst,
            ):
                return await _copy(src, dst, list(teams), replace)
        finally:
            await destination.close()
    finally:
        await source.close()


def _check_source_exists(url: str) -> None:
    """A mistyped SQLite source is no empty database to copy from (nor one to create)."""
    if url.startswith(SQLITE_PREFIX):
        path = Path(url.removeprefix(SQLITE_PREFIX))
        if not path.exists():
            raise CopyRefused(f"SRC_URL: there is no database at {path.resolve()}")


async def _open(url: str, now: datetime, name: str) -> SQLiteStore | PostgresStore:
    if name == "SRC_URL":
        _check_source_exists(url)
    try:
        store, _ = await open_store(url, now)
    except StoreUnreachable as err:
        raise CopyRefused(f"{name}: {err}") from None
    return store


async def _copy(src: _Side, dst: _Side, teams: list[str], replace: bool) -> dict[str, int]:
    if not teams:
        teams = await _teams(src)
    if not teams:
        raise CopyRefused("the source holds no workspace: there is nothing to copy")
    held = 0
    for table in TABLES:
        held += (await dst.fetch(f"SELECT COUNT(*) FROM {table.name}"))[0][0]
    if held and not replace:
        raise CopyRefused(
            f"the destination is not empty ({held} rows): copy into an empty database, or pass "
            "--replace to replace the copied workspaces' data there"
        )
    for table in reversed(TABLES):  # rows that point at partners go before the partners
        await dst.execute(f"DELETE FROM {table.name} WHERE team_id IN ({_in(teams)})", teams)
    counts: dict[str, int] = {}
    for table in TABLES:
        names = [column for column, _ in table.columns]
        select = (
            f"SELECT {', '.join(names)} FROM {table.name} "
            f"WHERE team_id IN ({_in(teams)}) ORDER BY {table.order}"
        )
        rows = [
            tuple(
                dst.to_stored(kind, src.to_python(kind, value))
                for (_, kind), value in zip(table.columns, row, strict=True)
            )
            for row in await src.fetch(select, teams)
        ]
        insert = (
            f"INSERT INTO {table.name} ({', '.join(names)}) "
            f"VALUES ({', '.join('?' for _ in names)})"
        )
        try:
            await dst.insert_many(insert, rows)
        except (sqlite3.IntegrityError, asyncpg.UniqueViolationError) as err:
            raise CopyRefused(
                f"{table.name}: a copied row clashes with one of another workspace in the "
                f"destination ({err}); copy into an empty database instead"
            ) from None
        except (sqlite3.Error, asyncpg.PostgresError) as err:
            # Say which table the destination refused, and why (say, a NUL character that an
            # older release stored, which PostgreSQL text cannot hold); nothing is written.
            raise CopyRefused(
                f"{table.name}: the destination refused a copied row ({err}); nothing was copied"
            ) from None
        counts[table.name] = len(rows)
        if table.identity and dst.dialect is POSTGRES:
            # Rows came with their ids: the identity goes on after the largest.
            await dst.execute(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f"COALESCE(MAX(id), 0) + 1, false) FROM {table.name}"
            )
    for team in teams:  # replaced rows: every replica of the destination reads its reports anew
        await dst.execute(
            "INSERT INTO report_versions (team_id, version) VALUES (?, 1) "
            "ON CONFLICT (team_id) DO UPDATE SET version = report_versions.version + 1",
            [team],
        )
    return counts
