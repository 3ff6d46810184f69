"""The imports as they were before chunks: every row its own statements, the whole file in
one transaction. Kept as the baseline of bench/imports.py and of the tests that compare
the chunked imports' results with it."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

from bot.access import CLI_ACTOR
from bot.errors import NameTaken
from bot.health.upkeep import refresh_summary
from bot.ports import Store
from bot.registry.csv_io import (
    ImportRejected,
    read_metrics_rows,
    read_partner_rows,
)
from bot.registry.import_runs import ImportResult, check_metric_rows
from bot.registry.partner_imports import backup_problems
from bot.registry.rules import Partner, PartnerFields, name_key
from bot.registry.service import apply_change, insert_new_partner, write_metrics

ACTION = "import"


async def import_partners_per_row(
    store: Store, at: datetime, team_id: str, text: str
) -> ImportResult:
    """Create or update (by name) every partner of a CSV file, or reject the whole file.

    Raises ImportRejected, with every problem and its line, and writes nothing when any
    row is bad: a cell that breaks a rule, a new partner without an owner, an unknown
    backup or a partner named as its own backup.
    """
    rows, problems, rejected = read_partner_rows(text)  # the file's problems, raised below
    async with store.write() as tx:
        by_key = {name_key(p.name): p for p in await tx.all_partners(team_id)}
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
        file_keys = {name_key(row.name) for row in rows} | rejected
        said: dict[str, str] = {}
        for row in rows:
            if row.fields.backups is None:
                continue
            problems += [(row.line, r) for r in backup_problems(row, by_key, file_keys, said)]
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


async def import_metrics_per_row(
    store: Store, at: datetime, team_id: str, text: str, *, today: date | None = None
) -> ImportResult:
    """Record every metric of a CSV file in one transaction, or reject the whole file.

    Counts are of metric values: first recorded, replaced with a new value, or the same;
    an archived partner's rows are refused, as `/partner metrics` refuses them. Periods are
    held to the window around today, the workspace's date at `at` (None: the date in UTC,
    the default PARTNERBOT_TIMEZONE).
    """
    rows, problems, named = read_metrics_rows(text, today or at.astimezone(UTC).date())
    async with store.write() as tx:
        by_key = {name_key(p.name): p for p in await tx.all_partners(team_id)}
        check_metric_rows(rows, by_key, problems, named)
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
