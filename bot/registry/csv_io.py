"""CSV files of the registry: partner rows and metric rows to import, and their exports.

Pure: text in, validated rows out, or one `ImportRejected` that lists every bad line.
The use cases in `bot.imports` apply the rows against the store.

Rules of a partner file:
- The first line is a header. Column names match case-insensitively, in any order;
  `name` is required; an unknown, unnamed or repeated column is an error.
- A missing column keeps the partner's value (a new partner gets the default).
- A name (in `name`, `backups` or a metrics file) follows the command grammar: quotes
  that wrap the whole name, straight or curly, are dropped, as `/partner` drops them; a
  name with a quote left inside it is refused, since no command could name it.
- A present column sets the field. An empty cell clears a field that can be empty
  (backups, tags, contacts, notes, drop_reason); in a column that cannot be empty
  (category, tier, status, owner, success_cases) it means "not given" and keeps the
  value. A name is never empty. The export writes every column, so exporting and
  importing the result changes nothing.
- Blank lines are skipped. A line number is the physical line a row starts on, the
  header being line 1, so a quoted cell spanning lines does not shift later numbers.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cached_property, partial
from typing import Any

from bot.errors import RuleError
from bot.metrics import METRICS, Period, parse_metric, read_period
from bot.registry.ports import RecordedMetric
from bot.registry.rules import (
    FIELD_ORDER,
    FIELD_PARSERS,
    Partner,
    PartnerFields,
    clean_name,
    name_key,
    parse_field,
    parse_names,
    render_field,
)

Problem = tuple[int, str]  # (line, reason)

PARTNER_COLUMNS = FIELD_ORDER
METRIC_COLUMNS = ("name", "period", *METRICS)
# Columns whose field cannot be empty: an empty cell there keeps the current value.
KEEP_WHEN_EMPTY = frozenset({"category", "tier", "status", "owner", "success_cases"})
MAX_SHOWN = 50  # problems spelled out in the message; `.problems` keeps them all

_SLACK_USER = re.compile(r"[UW][A-Z0-9]{2,}")
# The quotes of the command grammar (bot/command_parser.py): any of them closes any other.
_QUOTES = '"“”'
_QUOTE = re.compile(f"[{_QUOTES}]")


class ImportRejected(RuleError):
    """A file that cannot be imported; `problems` holds every (line, reason), by line."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=lambda problem: problem[0])
        count = len(self.problems)
        lines = [f"line {line}: {reason}" for line, reason in self.problems[:MAX_SHOWN]]
        if count > MAX_SHOWN:
            lines.append(f"… and {count - MAX_SHOWN} more.")
        head = f"The file has {count} problem{'' if count == 1 else 's'}:"
        super().__init__("\n".join([head, *lines]))


@dataclass(frozen=True)
class PartnerRow:
    """One partner row: the line it starts on and its fields (None: not given)."""

    line: int
    fields: PartnerFields

    @property
    def name(self) -> str:
        return self.fields.name or ""

    @cached_property
    def key(self) -> str:
        """The name's key (name_key), worked out once: an import looks rows up by it often."""
        return name_key(self.name)


@dataclass(frozen=True)
class MetricsRow:
    """One metrics row: a partner's values for one period."""

    line: int
    name: str
    period: Period
    values: dict[str, float]


def parse_owner(raw: str) -> str:
    """A Slack user ID such as U012AB3CD."""
    owner = raw.strip()
    if not _SLACK_USER.fullmatch(owner):
        raise RuleError(f"The owner must be a Slack user ID such as U012AB3CD, not `{raw}`.")
    return owner


def csv_name(raw: str) -> str:
    """A partner name from a cell, read as a command reads it: wrapping quotes dropped."""
    name = raw.strip()
    if len(name) >= 2 and name[0] in _QUOTES and name[-1] in _QUOTES:
        name = name[1:-1]
    if _QUOTE.search(name):
        raise RuleError(
            f"The name `{raw.strip()}` has a quote inside it, so no command could name it; "
            "remove the quote."
        )
    return clean_name(name)


def csv_names(raw: str) -> tuple[str, ...]:
    """Backup names from a cell ("A, “B”"), each read as `csv_name` reads one."""
    if not raw.strip():  # most rows of most files: no backups
        return ()
    return parse_names(", ".join(csv_name(part) for part in raw.split(",") if part.strip()))


def parse_partner_rows(text: str) -> list[PartnerRow]:
    """The validated rows of a partner CSV, or ImportRejected listing every problem."""
    rows, problems, _ = read_partner_rows(text)
    if problems:
        raise ImportRejected(problems)
    return rows


def read_partner_rows(text: str) -> tuple[list[PartnerRow], list[Problem], set[str]]:
    """`parse_partner_rows` without raising: the valid rows, every problem, and the name keys
    of the rows with a problem (where the name itself was readable), so the import can check
    the valid rows against the registry and the whole file in the same answer."""
    misshapen: list[dict[str, str]] = []
    rows, problems = _read_table(text, PARTNER_COLUMNS, ("name",), misshapen)
    # A row of the wrong width is still the file's partner to the others' backups: its name
    # as far as its cells can be read (a misread one only holds back another row's problem
    # until this one is mended; a partner called unknown when it is in the file would mislead).
    rejected = {name_key(name) for cells in misshapen if (name := _readable_name(cells))}
    parsed: list[PartnerRow] = []
    first_line: dict[str, int] = {}
    seen: _ParsedCells = {}
    # The file's columns, in the parsers' order (a row's problems come in that order); a
    # column the file lacks is None in every row, PartnerFields' default.
    header = set(rows[0][1]) if rows else set()
    columns = [(c, parse, c in _REPEATED) for c, parse in _PARTNER_PARSERS.items() if c in header]
    for line, cells in rows:
        fields, bad = _partner_fields(cells, columns, seen)
        problems += [(line, reason) for reason in bad]
        if fields.name is not None:
            row = PartnerRow(line, fields)
            first = first_line.setdefault(row.key, line)
            if first != line:
                problems.append((line, f"*{fields.name}* is already on line {first}."))
                continue
            if not bad:
                parsed.append(row)
            else:
                rejected.add(row.key)
    return parsed, problems, rejected


def _readable_name(cells: dict[str, str]) -> str | None:
    try:
        return csv_name(cells.get("name", ""))
    except RuleError:
        return None


_PARTNER_PARSERS: dict[str, Callable[[str], Any]] = {
    **{field: partial(parse_field, field) for field in FIELD_PARSERS},
    "name": csv_name,
    "backups": csv_names,
    "owner": parse_owner,
}
# Columns whose cells repeat across a file (a few categories, tiers, owners, tag lists): each
# distinct cell is parsed once a file. Names, contacts and notes are mostly unique.
_REPEATED = frozenset({"category", "tier", "status", "owner", "tags", "success_cases"})
_ParsedCells = dict[tuple[str, str], tuple[Any, str | None]]  # (column, cell) -> value, error
_Column = tuple[str, Callable[[str], Any], bool]  # a file's column, its parser, whether repeated


def _partner_fields(
    cells: dict[str, str], columns: list[_Column], seen: _ParsedCells
) -> tuple[PartnerFields, list[str]]:
    problems: list[str] = []
    given: dict[str, Any] = {}
    for column, parse, repeated in columns:
        raw = cells[column]
        parsed = seen.get((column, raw)) if repeated else None
        if parsed is None:
            parsed = _parsed(column, parse, raw)
            if repeated:
                seen[(column, raw)] = parsed
        value, error = parsed
        if error is not None:
            problems.append(error)
        elif value is not None:
            given[column] = value
    return PartnerFields(**given), problems


def _parsed(column: str, parse: Callable[[str], Any], raw: str) -> tuple[Any, str | None]:
    """A cell's value (None: not given, or bad) and why it is bad (None when not)."""
    if column in KEEP_WHEN_EMPTY and not raw.strip():
        return None, None
    try:
        return parse(raw), None
    except RuleError as exc:
        return None, str(exc)


def parse_metrics_rows(text: str, today: date) -> list[MetricsRow]:
    """The validated rows of a metrics CSV, or ImportRejected listing every problem; periods
    must lie in the window around today (the workspace's date, see `period_window`)."""
    parsed, problems, _ = read_metrics_rows(text, today)
    if problems:
        raise ImportRejected(problems)
    return parsed


def read_metrics_rows(
    text: str, today: date
) -> tuple[list[MetricsRow], list[Problem], list[tuple[int, str]]]:
    """`parse_metrics_rows` without raising: the valid rows, every problem, and the names of
    the rows with a problem (line, name; where the name itself was readable), so the import
    can also say which of those partners are not registered, in the same answer."""
    rows, problems = _read_table(text, METRIC_COLUMNS, required=("name", "period"))
    named: list[tuple[int, str]] = []
    parsed: list[MetricsRow] = []
    first_line: dict[tuple[str, str], int] = {}
    # A file's periods are a few texts on thousands of rows: each read once (a Period is
    # immutable, so rows share it), its error too.
    periods: dict[str, Period | str] = {}
    for line, cells in rows:
        bad: list[str] = []
        name = period = None
        try:
            name = csv_name(cells["name"])
        except RuleError as exc:
            bad.append(str(exc))
        raw_period = cells["period"]
        read = periods.get(raw_period)
        if read is None:
            try:
                read = read_period(raw_period, today)
            except RuleError as exc:
                read = str(exc)
            periods[raw_period] = read
        if isinstance(read, str):
            bad.append(read)
        else:
            period = read
        values: dict[str, float] = {}
        for key in METRICS:
            raw = cells.get(key, "")
            if not raw.strip():
                continue
            try:
                values[key] = parse_metric(key, raw)
            except RuleError as exc:
                bad.append(str(exc))
        if not values and not bad:
            bad.append(f"The row has no metric; give at least one of: {', '.join(METRICS)}.")
        if name is not None and period is not None:
            first = first_line.setdefault((name_key(name), period.label), line)
            if first != line:
                bad.append(f"*{name}* for {period.label} is already on line {first}.")
        problems += [(line, reason) for reason in bad]
        if not bad and name is not None and period is not None:
            parsed.append(MetricsRow(line, name, period, values))
        elif name is not None:
            named.append((line, name))
    return parsed, problems, named


def format_partners(partners: Iterable[Partner]) -> str:
    """A partner CSV with every column, one row per partner sorted by name."""
    out = io.StringIO()
    # RFC 4180 line ends: with them the writer also quotes a cell holding a bare "\r".
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(PARTNER_COLUMNS)
    for partner in sorted(partners, key=lambda p: name_key(p.name)):
        writer.writerow([render_field(getattr(partner, column)) for column in PARTNER_COLUMNS])
    return out.getvalue()


def format_metrics(records: Iterable[RecordedMetric]) -> str:
    """A metrics CSV with every metric column, one row per partner and period, in the order
    given: what `parse_metrics_rows` reads back to the same values."""
    rows: dict[tuple[str, str], dict[str, str]] = {}
    for record in records:
        row = rows.setdefault((record.name, record.period.label), {})
        row[record.metric] = plain_number(record.value)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(METRIC_COLUMNS)
    for (name, period), values in rows.items():
        writer.writerow([name, period, *(values.get(key, "") for key in METRICS)])
    return out.getvalue()


def plain_number(value: float) -> str:
    """A value as a plain decimal that reads back as the same float: no exponent, no
    separators, no trailing `.0` (1234567.89, 120000, 0.00001)."""
    text = format(Decimal(repr(value + 0.0)), "f")  # + 0.0 turns -0.0 into 0.0
    return text.removesuffix(".0")


def _read_table(
    text: str,
    columns: tuple[str, ...],
    required: tuple[str, ...],
    misshapen: list[dict[str, str]] | None = None,
) -> tuple[list[tuple[int, dict[str, str]]], list[Problem]]:
    """The non-blank data rows as (line, {column: cell}), and the rows of the wrong width
    (misshapen, when given, also gets their cells by the header's columns, as far as they go).

    A file without a usable header raises ImportRejected at once: no row can be read.
    """
    # A BOM survives when the caller decoded with "utf-8" rather than "utf-8-sig".
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    records: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                records.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise ImportRejected([(start, f"This line is not valid CSV ({exc}).")]) from None
    if not records:
        raise ImportRejected(
            [(1, f"The file is empty; start it with a header: {_usage(columns)}.")]
        )
    header_line, header = records[0]
    names = [cell.strip().casefold() for cell in header]
    header_problems = _header_problems(names, columns, required)
    if header_problems:
        raise ImportRejected([(header_line, reason) for reason in header_problems])
    rows: list[tuple[int, dict[str, str]]] = []
    problems: list[Problem] = []
    for line, cells in records[1:]:
        if len(cells) != len(names):
            problems.append(
                (line, f"The row has {len(cells)} cells but the header has {len(names)}.")
            )
            if misshapen is not None:
                misshapen.append(dict(zip(names, cells, strict=False)))
        else:
            rows.append((line, dict(zip(names, cells, strict=True))))
    return rows, problems


def _header_problems(
    names: list[str], columns: tuple[str, ...], required: tuple[str, ...]
) -> list[str]:
    problems: list[str] = []
    unnamed = [str(i) for i, name in enumerate(names, start=1) if not name]
    if unnamed:
        problems.append(f"Column {', '.join(unnamed)} of the header has no name.")
    unknown = [f"`{name}`" for name in names if name and name not in columns]
    if unknown:
        problems.append(f"Unknown column {', '.join(unknown)}; use: {_usage(columns)}.")
    repeated = sorted({f"`{name}`" for name in names if name and names.count(name) > 1})
    if repeated:
        problems.append(f"The column {', '.join(repeated)} appears more than once.")
    missing = [f"`{name}`" for name in required if name not in names]
    if missing:
        problems.append(f"The header needs the column {', '.join(missing)}.")
    return problems


def _usage(columns: tuple[str, ...]) -> str:
    return ", ".join(columns)
