"""Import and export use cases: a whole CSV file is applied in one transaction, or nothing is."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime

from bot.access import CLI_ACTOR
from bot.errors import NameTaken, NotFound, RuleError
from bot.health.upkeep import refresh_summary
from bot.metrics import Period
from bot.ports import Store
from bot.registry.csv_io import (
    ImportRejected,
    PartnerRow,
    Problem,
    format_metrics,
    format_partners,
    parse_metrics_rows,
    parse_partner_rows,
)
from bot.registry.rules import (
    Partner,
    PartnerFields,
    check_takes_metrics,
    closest_names,
    name_key,
)
from bot.registry.service import apply_change, insert_new_partner, write_metrics
from bot.wording import count

__all__ = [
    "ImportRejected",
    "ImportResult",
    "export_metrics",
    "export_partners",
    "import_metrics",
    "import_partners",
]

ACTION = "import"


@dataclass(frozen=True)
class ImportResult:
    """What an import did: partner imports count rows (partners), metric imports count
    values, with the number of rows they came in."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rows: int | None = None  # metric imports: the file's rows, which hold several values each

    def __str__(self) -> str:
        counts = f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"
        if self.rows is None:
            return counts
        values = self.created + self.updated + self.unchanged
        return f"{count(self.rows, 'row')} with {count(values, 'value')}: {counts}"


async def import_partners(store: Store, at: datetime, team_id: str, text: str) -> ImportResult:
    """Create or update (by name) every partner of a CSV file, or reject the whole file.

    Raises ImportRejected, with every problem and its line, and writes nothing when any
    row is bad: a cell that breaks a rule, a new partner without an owner, an unknown
    backup or a partner named as its own backup.
    """
    rows = parse_partner_rows(text)
    async with store.write() as tx:
        by_key = {name_key(p.name): p for p in await tx.all_partners(team_id)}
        problems: list[Problem] = []
        created: set[int] = set()  # line numbers
        updated: set[int] = set()
        # Pass 1 without backups, so a backup may name a partner further down the file.
        for row in rows:
            key = name_key(row.name)
            fields = replace(row.fields, backups=None)
            current = by_key.get(key)
            if current is not None:
                change = await apply_change(tx, at, CLI_ACTOR, current, fields, ACTION)
                by_key[key] = change.partner
                if change.diff:
                    updated.add(row.line)
            elif fields.owner is None:
                problems.append(
                    (row.line, f"*{row.name}* is new, so it needs an owner (a Slack user ID).")
                )
            else:
                try:
                    new = await insert_new_partner(tx, at, team_id, CLI_ACTOR, fields, ACTION)
                except NameTaken:  # registered by someone else while this file was read
                    raise ImportRejected(
                        [(row.line, f"*{row.name}* was registered meanwhile; import again.")]
                    ) from None
                by_key[key] = new.partner
                created.add(row.line)
        file_keys = {name_key(row.name) for row in rows}
        for row in rows:
            if row.fields.backups is None:
                continue
            problems += [(row.line, r) for r in _backup_problems(row, by_key, file_keys)]
            if problems:
                continue  # the file is rejected; keep checking, stop writing
            backups = PartnerFields(backups=row.fields.backups)
            partner = by_key[name_key(row.name)]
            change = await apply_change(tx, at, CLI_ACTOR, partner, backups, ACTION)
            if change.diff and row.line not in created:
                updated.add(row.line)
        if problems:
            raise ImportRejected(problems)  # inside the transaction: it rolls back
    return ImportResult(len(created), len(updated), len(rows) - len(created) - len(updated))


def _backup_problems(row: PartnerRow, by_key: dict[str, Partner], file_keys: set[str]) -> list[str]:
    """Why a row's backups cannot be set; a backup whose own row was rejected passes here."""
    own_key = name_key(row.name)
    problems: list[str] = []
    for name in row.fields.backups or ():
        key = name_key(name)
        if key == own_key:
            problems.append(f"*{name}* cannot be its own backup.")
        elif key not in by_key and key not in file_keys:
            close = closest_names(name, [p.name for p in by_key.values()])
            hint = f" Did you mean *{close[0]}*?" if close else ""
            problems.append(f"The backup *{name}* is not a registered partner.{hint}")
    return problems


async def import_metrics(
    store: Store, at: datetime, team_id: str, text: str, *, today: date | None = None
) -> ImportResult:
    """Record every metric of a CSV file in one transaction, or reject the whole file.

    Counts are of metric values: first recorded, replaced with a new value, or the same;
    an archived partner's rows are refused, as `/partner metrics` refuses them. Periods are
    held to the window around today, the workspace's date at `at` (None: the date in UTC,
    the default PARTNERBOT_TIMEZONE).
    """
    rows = parse_metrics_rows(text, today or at.astimezone(UTC).date())
    async with store.write() as tx:
        by_key = {name_key(p.name): p for p in await tx.all_partners(team_id)}
        names = [p.name for p in by_key.values()]
        problems = [
            (row.line, str(NotFound(row.name, closest_names(row.name, names))))
            for row in rows
            if name_key(row.name) not in by_key
        ]
        problems += [(row.line, err) for row in rows if (err := _refusal(by_key, row.name))]
        problems.sort()
        if problems:
            raise ImportRejected(problems)
        created = updated = unchanged = 0
        changed: dict[int, Partner] = {}
        for row in rows:
            partner = by_key[name_key(row.name)]
            diff = await write_metrics(
                tx, at, CLI_ACTOR, partner, row.values, row.period, "import", summarise=False
            )
            if diff.changes:
                changed[partner.id] = partner
            new = sum(1 for change in diff.changes if change.before == "")
            created += new
            updated += len(diff.changes) - new
            unchanged += len(row.values) - len(diff.changes)
        for partner in changed.values():  # one summary a partner, not one a row
            await refresh_summary(tx, team_id, partner.id)
    return ImportResult(created, updated, unchanged, rows=len(rows))


def _refusal(by_key: dict[str, Partner], name: str) -> str:
    """Why a known partner takes no metrics, or "" when it does (or is not known)."""
    partner = by_key.get(name_key(name))
    try:
        if partner is not None:
            check_takes_metrics(partner)
    except RuleError as err:
        return str(err)
    return ""


async def export_partners(store: Store, team_id: str) -> str:
    """Every partner of a workspace as a CSV that `import_partners` reads back unchanged."""
    async with store.read() as tx:
        partners = await tx.all_partners(team_id)
    return format_partners(partners)


async def export_metrics(store: Store, team_id: str, since: Period | None = None) -> str:
    """Every metric of a workspace as a CSV that `import_metrics` reads back to the same
    values; since: only periods that end on or after the start of that period."""
    async with store.read() as tx:
        records = await tx.team_metrics(team_id, None if since is None else since.start)
    return format_metrics(records)
