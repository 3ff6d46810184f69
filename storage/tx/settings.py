"""Workspace settings (thresholds, weights) and the audit of their changes."""

from __future__ import annotations

from datetime import datetime

from bot.registry.ports import AuditEntry
from storage.tx.base import Queries


class SettingsQueries(Queries):
    """A workspace's settings by scope, and who changed which when."""

    async def settings(self, team_id: str, scope: str) -> dict[str, float]:
        rows = await self._rows("settings", team_id=team_id, scope=scope)
        return {r["key"]: float(r["value"]) for r in rows}

    async def setting(self, team_id: str, scope: str, key: str) -> float | None:
        value = await self._q.setting(self._conn, team_id=team_id, scope=scope, key=key)
        return None if value is None else float(value)

    async def write_setting(
        self,
        team_id: str,
        scope: str,
        key: str,
        value: float,
        actor: str,
        at: datetime,
        old: float | None,
    ) -> bool:
        """Write a setting over the value that was read (old; None: none stored yet).
        False when another transaction wrote it in between: read again and decide again."""
        self.reports_changed(team_id)
        params = {
            "team_id": team_id,
            "scope": scope,
            "key": key,
            "value": float(value),
            "actor": actor,
            "at": self._d.stamp(at),
        }
        if old is None:
            written = await self._q.insert_setting(self._conn, **params)
        else:
            written = await self._q.replace_setting(self._conn, **params, old=float(old))
        return written is not None

    async def add_settings_audit(
        self, team_id: str, actor: str, at: datetime, setting: str, before: str, after: str
    ) -> None:
        await self._q.insert_settings_audit(
            self._conn,
            team_id=team_id,
            actor=actor,
            at=self._d.stamp(at),
            setting=setting,
            before=before,
            after=after,
        )

    async def settings_history(self, team_id: str, limit: int) -> list[AuditEntry]:
        rows = await self._rows("settings_history", team_id=team_id, limit=limit)
        return [
            AuditEntry(
                team_id,
                r["actor"],
                self._d.moment(r["at"]),
                "settings",
                r["setting"],
                r["before"],
                r["after"],
            )
            for r in rows
        ]
