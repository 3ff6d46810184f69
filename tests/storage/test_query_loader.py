"""QuickQueryLoader reads every query of storage/queries exactly as aiosql's own loader does."""

from __future__ import annotations

from aiosql.query_loader import QueryLoader

from storage.tx.base import _QUERIES_DIR
from storage.tx.loader import QuickQueryLoader
from storage.tx.one_hop import OneHopSQLiteAdapter


def _loaders() -> tuple[QueryLoader, QuickQueryLoader]:
    adapter = OneHopSQLiteAdapter()
    return (
        QueryLoader(adapter, None, attribute="__", mandatory_parameters=False),
        QuickQueryLoader(adapter, None, attribute="__", mandatory_parameters=False),
    )


def test_every_query_file_loads_as_aiosql_loads_it() -> None:
    stock, quick = _loaders()
    expected = stock.load_query_data_from_dir_path(_QUERIES_DIR)
    loaded = quick.load_query_data_from_dir_path(_QUERIES_DIR)
    assert len(loaded) > 150
    assert loaded == expected


def test_a_file_with_block_comments_still_has_them_removed() -> None:
    sql = (
        "-- name: first\n-- The first.\nSELECT 1 /* a note */ AS one;\n\n"
        "/* between */\n-- name: second$\nSELECT '/* kept */' AS two;\n"
    )
    stock, quick = _loaders()
    loaded = quick.load_query_data_from_sql(sql, [])
    assert loaded == stock.load_query_data_from_sql(sql, [])
    assert [d.sql for d in loaded] == ["SELECT 1  AS one;", "SELECT '/* kept */' AS two;"]


def test_lines_are_counted_as_aiosql_counts_them() -> None:
    sql = "-- a header\n\n-- name: first\nSELECT 1;\n\n-- name: second\nSELECT 2;\n"
    stock, quick = _loaders()
    assert [d.floc for d in quick.load_query_data_from_sql(sql, [], "f.sql")] == [
        d.floc for d in stock.load_query_data_from_sql(sql, [], "f.sql")
    ]
