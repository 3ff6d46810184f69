"""Importing partners: a CSV file checked whole against the registry (a bad row anywhere
writes nothing), then the partners that change written in chunks, first their fields, then
(a backup may name a partner further down the file) their backups."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime
from functools import partial

from bot.access import CLI_ACTOR
from bot.collector import full_collections_held
from bot.errors import WriteConflict
from bot.ports import Store
from bot.registry.csv_io import (
    MAX_SHOWN,
    ImportRejected,
    PartnerRow,
    Problem,
    read_partner_rows,
)
from bot.registry.import_runs import (
    ImportResult,
    Progress,
    chunk_transaction,
    let_go,
    partners_by_key,
    progress_of,
    write_chunks,
    write_lanes,
)
from bot.registry.import_writes import CHUNK_PARTNERS, PartnerWrite, write_partner_chunk
from bot.registry.rules import (
    Partner,
    PartnerFields,
    Status,
    apply,
    closest_names,
    creation_diff,
    name_key,
    new_partner,
)
from bot.registry.service import WRITE_ATTEMPTS


async def import_partners(
    store: Store, at: datetime, team_id: str, text: str, *, chunk_size: int = CHUNK_PARTNERS
) -> ImportResult:
    """Create or update (by name) every partner of a CSV file, or reject the whole file.

    Raises ImportRejected, with every problem and its line, and writes nothing when any
    row is bad: a cell that breaks a rule, a new partner without an owner, an unknown
    backup or a partner named as its own backup. Written in chunks of chunk_size partners
    that change: first their fields, then (a backup may name one further down) backups.
    """
    with full_collections_held():  # its objects stay to the end: no full pass over them
        return await _import_partners(store, at, team_id, text, chunk_size)


async def _import_partners(
    store: Store, at: datetime, team_id: str, text: str, chunk_size: int
) -> ImportResult:
    # Parsing and checking 10,000 rows is a second of CPU: off the event loop. Every problem
    # in one answer: the file's cells, and the valid rows checked against the registry and
    # the whole file (a row with a bad cell is still a partner of the file to the others).
    rows, problems, rejected = await asyncio.to_thread(read_partner_rows, text)
    # Only the partners the file names (its rows and their backups), not the whole registry.
    keys = await asyncio.to_thread(_named_keys, rows)
    current = await _partners_named(store, team_id, keys)
    if await asyncio.to_thread(_unknown_backup, rows, current, rejected):
        # A backup nobody has: its refusal's hint is the closest name in the whole registry.
        current = await partners_by_key(store, team_id)
    first_writes = await asyncio.to_thread(
        _check_partners, rows, current, team_id, problems, rejected
    )
    by_line = {row.line: row for row in rows}
    with_backups = [row for row in rows if row.fields.backups is not None]
    # Chunks of writes, not of rows: rows that change nothing take no transaction.
    fields_chunks = _chunks(list(first_writes.values()), chunk_size)
    progress = progress_of(store)
    fields_plan = partial(_plan_fields, team_id=team_id)
    result = partial(progress.partners, len(rows))
    lanes = write_lanes(store)  # chunks of disjoint partners: several may be written at once

    def writer(
        plan: Callable[[list[PartnerRow], dict[str, Partner]], list[PartnerWrite]],
        ids: dict[str, int],
    ) -> Callable[[int, list[PartnerWrite]], Awaitable[None]]:
        async def write(_: int, chunk: list[PartnerWrite]) -> None:
            lines = [by_line[w.line] for w in chunk]
            await _write_partners(store, at, team_id, lines, plan, chunk, current, ids, progress)

        return write

    # The fields' chunks set no backups: they need no ids.
    await write_chunks(fields_chunks, writer(fields_plan, {}), progress, result, lanes)
    # Then backups, which may name partners further down the file, on the partners as stored.
    backup_writes = await asyncio.to_thread(_plan_backups, with_backups, current)
    # Every partner's id by key, for the backups the chunks set (the same for every chunk:
    # ids do not change, and every partner the file names is stored by now).
    ids = (
        await asyncio.to_thread(lambda: {key: p.id for key, p in current.items()})
        if backup_writes
        else {}
    )
    backup_chunks = _chunks(backup_writes, chunk_size)
    await write_chunks(backup_chunks, writer(_plan_backups, ids), progress, result, lanes)
    done = progress.partners(len(rows))
    kept = (rows, keys, current, first_writes, by_line, with_backups, fields_chunks)
    await asyncio.to_thread(let_go, *kept, backup_writes, ids, backup_chunks)
    return done


def _named_keys(rows: list[PartnerRow]) -> set[str]:
    """The name keys of the file's partners and of the backups it names."""
    keys = {row.key for row in rows}
    keys.update(name_key(name) for row in rows for name in row.fields.backups or ())
    return keys


async def _partners_named(store: Store, team_id: str, keys: set[str]) -> dict[str, Partner]:
    async with store.read() as tx:
        partners = await tx.partners_named(team_id, keys)
    return await asyncio.to_thread(lambda: {name_key(p.name): p for p in partners})


def _unknown_backup(
    rows: list[PartnerRow], current: dict[str, Partner], rejected: set[str]
) -> bool:
    """Whether a backup names a partner neither registered nor in the file (rejected: the
    rows with a bad cell, in the file all the same)."""
    file_keys = {row.key for row in rows} | rejected
    return any(
        (key := name_key(name)) not in current and key not in file_keys
        for row in rows
        for name in row.fields.backups or ()
    )


def _check_partners(
    rows: list[PartnerRow],
    current: dict[str, Partner],
    team_id: str,
    found: list[Problem],
    rejected: set[str],
) -> dict[int, PartnerWrite]:
    """Each row's write of its fields but backups, by line, or ImportRejected with every
    problem: the file's (found, read with the rows; rejected: the name keys of the rows that
    had them), a new partner without an owner, a backup that is not there or is itself."""
    planned = dict(current)
    writes: dict[int, PartnerWrite] = {}
    problems = list(found)
    for row in rows:
        write = _fields_write(row, current, team_id)
        if isinstance(write, str):
            problems.append((row.line, write))
        elif write is not None:
            planned[row.key] = write.after
            writes[row.line] = write
    file_keys = {row.key for row in rows} | rejected
    said: dict[str, str] = {}
    for row in rows:
        if row.fields.backups is not None:
            problems += [(row.line, r) for r in backup_problems(row, planned, file_keys, said)]
    if problems:
        raise ImportRejected(problems)
    return writes


def _chunks(writes: list[PartnerWrite], size: int) -> list[list[PartnerWrite]]:
    return [writes[i : i + size] for i in range(0, len(writes), size)]


async def _write_partners(
    store: Store,
    at: datetime,
    team_id: str,
    rows: list[PartnerRow],
    plan: Callable[[list[PartnerRow], dict[str, Partner]], list[PartnerWrite]],
    planned: list[PartnerWrite],
    current: dict[str, Partner],
    ids: dict[str, int],
    progress: Progress,
) -> None:
    """One chunk of partners in one transaction (planned: its writes as decided; ids: every
    partner's id by key, for the backups it sets); decided again on its partners read again
    when one changed since it was read (as a command's write is)."""
    for attempt in range(WRITE_ATTEMPTS):
        writes = await asyncio.to_thread(plan, rows, current) if attempt else planned
        if not writes:
            return
        await progress.pause()
        try:
            async with chunk_transaction(store, team_id, progress) as tx:
                stored = await write_partner_chunk(tx, at, writes, ids)
        except WriteConflict:
            if attempt == WRITE_ATTEMPTS - 1:
                raise
            # Only this chunk's partners: another chunk written at once may have stored its
            # own since, newer than a read now would find.
            current.update(await _partners_named(store, team_id, {row.key for row in rows}))
            continue
        current.update(stored)
        progress.note(writes)
        return


def _fields_write(
    row: PartnerRow, current: dict[str, Partner], team_id: str
) -> PartnerWrite | str | None:
    """A row's fields but its backups as a write (None: nothing changes), or why not."""
    partner = current.get(row.key)
    if partner is not None:
        after, diff = apply(partner, replace(row.fields, backups=None))
        return PartnerWrite(row.line, partner, after, diff) if diff else None
    if row.fields.owner is None:
        return f"*{row.name}* is new, so it needs an owner (a Slack user ID)."
    draft = new_partner(team_id, CLI_ACTOR, row.fields, backups=False)
    return PartnerWrite(row.line, None, draft, creation_diff(draft))


def _plan_fields(
    rows: list[PartnerRow], current: dict[str, Partner], team_id: str
) -> list[PartnerWrite]:
    writes = [_fields_write(row, current, team_id) for row in rows]
    problems = [(row.line, w) for row, w in zip(rows, writes, strict=True) if isinstance(w, str)]
    if problems:  # checked before the first chunk: only a change meanwhile gets here
        raise ImportRejected(problems)
    return [w for w in writes if isinstance(w, PartnerWrite)]


def _plan_backups(rows: list[PartnerRow], current: dict[str, Partner]) -> list[PartnerWrite]:
    """The rows' backups as writes, by the registered names (checked before the chunks)."""
    writes = []
    for row in rows:
        partner = current[row.key]
        keys = tuple(name_key(name) for name in row.fields.backups or ())
        names = tuple(current[key].name for key in keys)
        if names == partner.backups and (
            partner.status == Status.DROPPED or not partner.drop_reason
        ):
            continue  # what `apply` would find: no change (most rows of most files)
        after, diff = apply(partner, PartnerFields(backups=names))
        if diff:
            writes.append(PartnerWrite(row.line, partner, after, diff, keys))
    return writes


def backup_problems(
    row: PartnerRow,
    by_key: dict[str, Partner],
    file_keys: set[str],
    said: dict[str, str] | None = None,
) -> list[str]:
    """Why a row's backups cannot be set; a backup whose own row was rejected passes here.
    said: what was said of each unknown backup so far in the file, by name as written (its closest
    names are ~25 ms against 10,000 partners: worked out once a name, and for as many names as
    a refusal's message shows)."""
    own_key = row.key
    problems: list[str] = []
    for name in row.fields.backups or ():
        key = name_key(name)
        if key == own_key:
            problems.append(f"*{name}* cannot be its own backup.")
        elif key not in by_key and key not in file_keys:
            text = said.get(name) if said is not None else None
            if text is None:
                hinted = said is None or len(said) < MAX_SHOWN
                close = closest_names(name, [p.name for p in by_key.values()]) if hinted else []
                hint = f" Did you mean *{close[0]}*?" if close else ""
                text = f"The backup *{name}* is not a registered partner.{hint}"
                if said is not None:
                    said[name] = text
            problems.append(text)
    return problems
