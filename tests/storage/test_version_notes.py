"""Every write method of storage/tx notes the report version itself: a method that runs a
statement writing a table that a cached answer or report reads (bot/answer_cache.py,
bot/report_cache.py, bot/registry/list_counts.py) calls
`reports_changed`, so no write keeps a replica's answers right only because its caller happens
to write something else in the same transaction. Read from the source: the SQL files say which
tables each named query writes, the methods which queries they run."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Tables no cached answer or report reads: writing them needs no bump.
NOT_SHOWN = {
    "alert_channels",
    "audit_log",
    "claims",
    "digest_schedules",
    "import_id_stage",
    "import_metric_stage",
    "import_partner_stage",
    "report_versions",
    "settings_audit",
}
# Methods that write shown rows only as part of another method's write that notes them.
NOTED_BY = {
    "_advance": "advance_failover_drill",  # its one caller
    "write_staged_metrics": "stage_metrics",  # writes exactly the rows stage_metrics staged
}
# How the tx modules name a query besides self._q.NAME: a string (or f-string prefix) argument.
_HELPERS = {"_many", "_records", "_fetch_tuples", "_fetchall", "_rows", "_delete_each", "getattr"}


def written_tables() -> dict[str, set[str]]:
    """Each named query's written tables (INSERT INTO, UPDATE, DELETE FROM)."""
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / "storage" / "queries").glob("*.sql")):
        for part in re.split(r"^-- name:\s*", path.read_text(encoding="utf-8"), flags=re.M)[1:]:
            head, _, body = part.partition("\n")
            body = re.sub(r"--[^\n]*", "", body)
            pattern = r"\b(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+(\w+)"
            tables = {t.lower() for t in re.findall(pattern, body, flags=re.I)} - {"set"}
            found[re.sub(r"[!^$*<#]+$", "", head.strip())] = tables
    return found


def _named(call: ast.Call, queries: dict[str, set[str]]) -> set[str]:
    func = call.func
    callee = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    if callee not in _HELPERS or not call.args:
        return set()
    arg = call.args[1] if callee == "getattr" and len(call.args) > 1 else call.args[0]
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return {arg.value}
    if isinstance(arg, ast.JoinedStr) and arg.values and isinstance(arg.values[0], ast.Constant):
        prefix = str(arg.values[0].value)  # f"name_{engine}": every engine's twin
        return {name for name in queries if name.startswith(prefix)}
    return set()


def shown_writes() -> dict[str, tuple[set[str], bool]]:
    """Each tx method that writes a shown table: those tables, and whether it notes them."""
    queries = written_tables()
    found: dict[str, tuple[set[str], bool]] = {}
    for path in sorted((ROOT / "storage" / "tx").glob("*.py")):
        for fn in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(fn, ast.AsyncFunctionDef):
                continue
            names: set[str] = set()
            notes = False
            for node in ast.walk(fn):
                if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute):
                    names |= {node.attr} if node.value.attr == "_q" else set()
                if isinstance(node, ast.Call):
                    func = node.func
                    notes |= isinstance(func, ast.Attribute) and func.attr == "reports_changed"
                    names |= _named(node, queries)
            tables = set().union(*(queries.get(n, set()) for n in names)) - NOT_SHOWN
            if tables:
                found[f"{path.stem}.{fn.name}"] = (tables, notes)
    return found


def test_the_scan_sees_the_known_write_paths() -> None:
    writes = shown_writes()
    # A scan that found nothing would pass anything: these are written through each form.
    assert writes["registry.update_partner"] == ({"partners"}, True)  # self._q.NAME
    assert writes["partner_imports.replace_tags_of"][0] == {"partner_tags"}  # _many / _delete_each
    assert writes["partner_imports.write_partners"][0] == {"partners"}  # _fetch_tuples
    assert "health.write_summary" in writes and "failover.write_failover_step" in writes
    assert all(method in {m.split(".")[1] for m in writes} for method in NOTED_BY)


def test_every_write_of_a_shown_table_notes_the_report_version() -> None:
    silent = sorted(
        f"{method} writes {', '.join(sorted(tables))}"
        for method, (tables, notes) in shown_writes().items()
        if not notes and method.split(".")[1] not in NOTED_BY
    )
    assert silent == [], "call self.reports_changed(team_id) in: " + "; ".join(silent)
