"""The partner import's writes: a chunk of partners staged in a temporary table of the
connection and written in two set-based statements, then their tags and backups, many at a
time (storage/queries/imports.sql)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from typing import Any

from bot.registry.rules import Partner
from storage.tx.bulk import BulkQueries, stamper
from storage.tx.registry import _partners

_TICK = timedelta(microseconds=1)  # as update_partner: a new version is later than the old
# The partner stage's columns (create_partner_stage_*), in the order a staged record holds them.
_PARTNER_STAGE = (
    "idx",
    "id",
    "team_id",
    "name",
    "name_key",
    "category",
    "tier",
    "status",
    "owner",
    "contacts",
    "notes",
    "drop_reason",
    "success_cases",
    "at",
    "version",
)


class PartnerImportsQueries(BulkQueries):
    """Partners, their tags and backups written many at a time."""

    async def write_partners(
        self, partners: Sequence[tuple[Partner, str]], at: datetime
    ) -> tuple[dict[str, int], dict[int, datetime]]:
        """Insert the partners with id 0 and write the others over the version they were
        read at (their updated_at), as insert_partner and update_partner do one at a time;
        (partner, name key) each. Returns the new ids by name key and the new versions by
        id: a name registered meanwhile, or a partner changed meanwhile, is missing."""
        self.reports_changed(*{partner.team_id for partner, _ in partners})
        stamps: dict[int, datetime] = {}
        stamp = stamper(self._d)  # a chunk's partners share a few moments

        def staged() -> list[tuple[Any, ...]]:
            # Thousands of partners: tuples in _PARTNER_STAGE's order, off the event loop.
            records = []
            for idx, (partner, key) in enumerate(partners):
                version = partner.updated_at
                moment = at if partner.id == 0 or version is None else max(at, version + _TICK)
                if partner.id:
                    stamps[partner.id] = moment
                records.append(
                    (
                        idx,
                        partner.id or None,
                        partner.team_id,
                        partner.name,
                        key,
                        partner.category.value,
                        partner.tier.value,
                        partner.status.value,
                        partner.owner,
                        partner.contacts,
                        partner.notes,
                        partner.drop_reason,
                        partner.success_cases,
                        stamp(moment),
                        None if version is None else stamp(version),
                    )
                )
            return records

        await getattr(self._q, f"create_partner_stage_{self._d.name}")(self._conn)
        await self._q.clear_partner_stage(self._conn)
        await self._records(
            "stage_partner_rows_sqlite", "import_partner_stage", _PARTNER_STAGE, staged
        )
        # Each statement only where there is a row for it (most chunks are all new, or none).
        new = any(partner.id == 0 for partner, _ in partners)
        inserted = await self._fetch_tuples("insert_staged_partners") if new else []
        changed = await self._fetch_tuples("update_staged_partners") if stamps else []
        updated = {int(pid) for (pid,) in changed}
        ids = {str(key): int(pid) for pid, key in inserted}
        return ids, {pid: stamp for pid, stamp in stamps.items() if pid in updated}

    async def replace_tags_of(
        self, team_id: str, tags: dict[int, tuple[str, ...]], new: Collection[int] = ()
    ) -> None:
        """replace_tags for many partners: id -> its tags in order (new: partners just
        inserted, who have none to delete)."""
        self.reports_changed(team_id)
        await self._delete_each(
            "delete_tags_each", team_id, [pid for pid in tags if pid not in new]
        )
        await self._records(
            "insert_tag_rows_sqlite",
            "partner_tags",
            ("team_id", "partner_id", "tag", "position"),
            lambda: [
                (team_id, pid, tag, position)
                for pid, named in tags.items()
                for position, tag in enumerate(named)
            ],
        )

    async def replace_backups_of(
        self, team_id: str, backups: dict[int, list[int]], new: Collection[int] = ()
    ) -> None:
        """replace_backups for many partners: id -> its backups' ids in order."""
        self.reports_changed(team_id)
        await self._delete_each(
            "delete_backups_each", team_id, [pid for pid in backups if pid not in new]
        )
        rows = [
            {"team_id": team_id, "partner_id": pid, "backup_id": backup, "position": position}
            for pid, ids in backups.items()
            for position, backup in enumerate(ids)
        ]
        await self._many("insert_backup_each", "partner_backups", rows)

    async def partners_named(self, team_id: str, keys: Collection[str]) -> list[Partner]:
        """The partners registered under the name keys, with their tags and backups, as
        all_partners gives them (a key nobody has is left out), ordered by name key."""
        listed: Any = json.dumps(list(keys)) if self._d.name == "sqlite" else list(keys)
        engine = self._d.name
        rows = await self._fetchall(f"partners_named_{engine}", team_id=team_id, keys=listed)
        tags = await self._fetchall(f"tags_of_named_{engine}", team_id=team_id, keys=listed)
        backups = await self._fetchall(f"backups_of_named_{engine}", team_id=team_id, keys=listed)
        return await asyncio.to_thread(_partners, self._d, rows, tags, backups)

    async def partner_ids(self, team_id: str) -> dict[str, int]:
        """Every partner's id by name key."""
        return {str(k): int(i) for k, i in await self._fetch_tuples("partner_ids", team_id=team_id)}
