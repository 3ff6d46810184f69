"""`/partner list`'s page and its total in one statement, whose WHERE holds only the filters
given: one fixed SQL text per set of filters (32), written here once from fixed fragments
and loaded with aiosql; the user's values are only ever bound parameters.

`CAST(:x AS TEXT) IS NULL OR ...` for every filter, as before, let no index serve the
page or its count; with only the given terms, migration 0016's partial indexes serve the
common lists (all, by category) in name order, and the total is counted from the index.

Each page also reads the workspace's report version (storage/tx/versions.py: bumped in the
same transaction as every partner and tag write), so a process keeps each total under the
version it was counted at (bot/registry/list_counts.py). The `list_known_*` twin of a page
is given that version and counts only when the database's differs: counting the pool steps
every entry of the index (0.6 ms of SQLite's thread for 10,000 partners), the page ten.
"""

from __future__ import annotations

from itertools import product
from typing import Any

import aiosql

from storage.tx.one_hop import OneHopSQLiteAdapter

FILTERS = ("category", "tier", "status", "owner", "tag")


def _terms(alias: str, given: tuple[str, ...]) -> str:
    terms = [f"{alias}.team_id = :team_id"]
    for name in ("category", "tier", "owner"):
        if name in given:
            terms.append(f"{alias}.{name} = :{name}")
    # Archived partners show only when asked for by status (the term 0016's indexes carry).
    terms.append(
        f"{alias}.status = :status" if "status" in given else f"{alias}.status <> 'archived'"
    )
    if "tag" in given:
        terms.append(
            "EXISTS (SELECT 1 FROM partner_tags t WHERE t.team_id = "
            f"{alias}.team_id AND t.partner_id = {alias}.id AND t.tag = :tag)"
        )
    return "\n   AND ".join(terms)


def query_name(given: tuple[str, ...]) -> str:
    """The name of the page's query for these filters (in FILTERS' order)."""
    return "list_page_" + ("_".join(given) or "all")


def count_name(given: tuple[str, ...]) -> str:
    """The name of the count alone, for a page past the end (no row to carry the total)."""
    return "list_count_" + ("_".join(given) or "all")


def known_name(given: tuple[str, ...]) -> str:
    """The name of the page's query that counts only when the report version is not :known."""
    return "list_known_" + ("_".join(given) or "all")


def first_name(given: tuple[str, ...]) -> str:
    """The name of the known query for the first page of FIRST_PAGE_ROWS rows."""
    return "list_first_" + ("_".join(given) or "all")


# bot.registry.service.PAGE_SIZE (tests/storage/test_partner_list.py holds them equal). The
# first page of that size has its own text with LIMIT and OFFSET written in: PostgreSQL plans
# `LIMIT $n OFFSET $m` afresh at every execution (its generic plan's cost, guessing a tenth of
# the rows, never beats a custom one), 0.1 ms of the server's CPU a page; written in, the
# prepared statement keeps its generic plan.
FIRST_PAGE_ROWS = 20

# What a line of the list shows (bot/registry/ports.py, ListedPartner), in its order.
_SHOWN = "p.id, p.name, p.category, p.tier, p.status, p.owner"
# The workspace's report version, 0 before its first write (as VersionQueries reads it).
_VERSION = "COALESCE((SELECT version FROM report_versions WHERE team_id = :team_id), 0)"


def _texts() -> str:
    texts = []
    for mask in product((False, True), repeat=len(FILTERS)):
        given = tuple(f for f, on in zip(FILTERS, mask, strict=True) if on)
        count = f"(SELECT COUNT(*) FROM partners c WHERE {_terms('c', given)})"
        page = (
            f"  FROM partners p\n WHERE {_terms('p', given)}\n"
            " ORDER BY p.name_key\n LIMIT :limit OFFSET :offset;\n\n"
        )
        known = (
            # A CASE branch not taken is not evaluated, on either engine: no count on a hit.
            f"SELECT {_SHOWN}, v.report_version,\n"
            f"       CASE WHEN v.report_version = :known THEN NULL ELSE {count} END AS total\n"
            f"  FROM (SELECT {_VERSION} AS report_version) v,\n"
            f"{page.replace('  FROM ', '       ', 1)}"
        )
        first = known.replace("LIMIT :limit OFFSET :offset", f"LIMIT {FIRST_PAGE_ROWS}")
        texts.append(
            f"-- name: {query_name(given)}\n"
            f"SELECT {_SHOWN}, {count} AS total,\n       {_VERSION} AS report_version\n{page}"
            f"-- name: {known_name(given)}\n{known}"
            f"-- name: {first_name(given)}\n{first}"
            f"-- name: {count_name(given)}$\n"
            f"SELECT COUNT(*) FROM partners c WHERE {_terms('c', given)};\n"
        )
    return "\n".join(texts)


_loaded: dict[str, Any] = {}


def list_queries(adapter: str) -> Any:
    """The 128 named queries for one driver's adapter, loaded once."""
    if adapter not in _loaded:
        driver: Any = {"aiosqlite": OneHopSQLiteAdapter}.get(adapter, adapter)
        if adapter == "asyncpg":  # as storage/tx/base.py's: a bot on SQLite never imports asyncpg
            from storage.tx.pg_adapter import ConnectionPGAdapter

            driver = ConnectionPGAdapter  # statements on the taken connection
        _loaded[adapter] = aiosql.from_str(_texts(), driver, mandatory_parameters=False)
    return _loaded[adapter]


def given_filters(params: dict[str, str | None]) -> tuple[str, ...]:
    """The filters that have a value, in FILTERS' order."""
    return tuple(f for f in FILTERS if params.get(f) is not None)
