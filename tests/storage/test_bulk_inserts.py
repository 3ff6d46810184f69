"""SQLite's bulk inserts: a query's one row of placeholders made many rows a statement, the
rows in order, statements cut where SQLite's parameter limit or ROWS_A_STATEMENT would pass."""

from __future__ import annotations

import sqlite3

import pytest

from storage.tx.bulk import ROWS_A_STATEMENT, insert_at_once, rows_statement

INSERT = "INSERT INTO t (a, b, c, d)\nVALUES (?, ?, ?, ?);"


def test_a_statements_row_of_placeholders_is_repeated() -> None:
    assert rows_statement(INSERT, 3) == (
        "INSERT INTO t (a, b, c, d)\nVALUES (?, ?, ?, ?),(?, ?, ?, ?),(?, ?, ?, ?)"
    )
    assert rows_statement(INSERT, 1) == INSERT.rstrip(";")


@pytest.mark.parametrize(
    "sql",
    [
        "INSERT INTO t (a, b) VALUES (:a, :b);",  # named parameters
        "INSERT INTO t (a, b) VALUES (?, 1);",  # not only placeholders
        "INSERT INTO t (a) VALUES (?) ON CONFLICT DO NOTHING;",  # more after the row
        "INSERT INTO t (a) SELECT ?;",
        "INSERT INTO t (a) SELECT x FROM u UNION ALL VALUES (?);",  # u's rows again a statement
        "SELECT 1 UNION ALL VALUES (?);",
        "INSERT INTO t (a) VALUES (?), (?);",  # already more than one row
        "UPDATE t SET a = ?;",
    ],
)
def test_any_other_statement_is_refused(sql: str) -> None:
    with pytest.raises(ValueError, match="not an INSERT of one row"):
        rows_statement(sql, 2)


def _table() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, a, b, c, d)")
    return conn


def _inserts(conn: sqlite3.Connection) -> list[str]:
    """The INSERT statements run on conn from now (as traced: their values filled in)."""
    seen: list[str] = []
    conn.set_trace_callback(lambda sql: seen.append(sql) if sql.startswith("INSERT") else None)
    return seen


def test_rows_go_in_order_in_statements_under_the_parameter_limit() -> None:
    records = [(i, f"row {i}", i * 0.5, None) for i in range(23)]
    conn = _table()
    conn.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 20)  # five rows of four
    seen = _inserts(conn)
    insert_at_once(conn, INSERT, records)
    assert [sql.count("),(") + 1 for sql in seen] == [5, 5, 5, 5, 3]
    stored = conn.execute("SELECT a, b, c, d FROM t ORDER BY id").fetchall()
    assert stored == records
    plain = _table()
    plain.executemany(INSERT, records)
    assert conn.execute("SELECT * FROM t").fetchall() == plain.execute("SELECT * FROM t").fetchall()


def test_statements_hold_at_most_rows_a_statement() -> None:
    records = [(i, i, i, i) for i in range(2 * ROWS_A_STATEMENT + 7)]
    conn = _table()
    seen = _inserts(conn)
    insert_at_once(conn, INSERT, records)
    assert [sql.count("),(") + 1 for sql in seen] == [ROWS_A_STATEMENT, ROWS_A_STATEMENT, 7]
    assert conn.execute("SELECT COUNT(*), SUM(a) FROM t").fetchone() == (
        len(records),
        sum(range(len(records))),
    )


def test_records_of_other_lengths_are_refused_before_any_insert() -> None:
    conn = _table()
    with pytest.raises(ValueError, match="other lengths"):
        insert_at_once(conn, INSERT, [(1, 2, 3, 4), (1, 2, 3), (1, 2, 3, 4, 5)])
    assert conn.execute("SELECT COUNT(*) FROM t").fetchone() == (0,)


def test_a_lowercase_statement_is_taken_too() -> None:
    assert rows_statement("insert into t (a) values (?)", 2) == "insert into t (a) values (?),(?)"


def test_no_records_no_statement() -> None:
    conn = _table()
    seen = _inserts(conn)
    insert_at_once(conn, INSERT, [])
    assert seen == []


def test_every_positional_insert_of_the_project_is_taken() -> None:
    """The .sql files' `*_rows_sqlite` queries, which `_records` makes multi-row on SQLite."""
    from storage.tx.base import queries

    loaded = queries()
    names = [name for name in dir(loaded) if name.endswith("_rows_sqlite")]
    assert len(names) >= 5
    for name in names:
        sql = getattr(loaded, name).sql
        assert rows_statement(sql, 3).count("),(") == 2, name
