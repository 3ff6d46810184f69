"""Alerts' queries: the channels of a workspace that asked for proactive alerts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.alerts.rules import AlertChannel
from storage.tx.base import Dialect, Queries


def _channel(d: Dialect, row: Mapping[str, Any]) -> AlertChannel:
    return AlertChannel(
        channel_id=row["channel_id"],
        enabled=bool(row["enabled"]),
        enabled_by=row["enabled_by"],
        changed_by=row["changed_by"],
        changed_at=d.moment(row["changed_at"]),
    )


class AlertsQueries(Queries):
    """One row per channel that ever had alerts; turning them off keeps the row."""

    async def alert_channels(self, team_id: str) -> list[AlertChannel]:
        rows = await self._rows("alert_channels", team_id=team_id)
        return [_channel(self._d, r) for r in rows]

    async def alert_channel(self, team_id: str, channel_id: str) -> AlertChannel | None:
        row = await self._q.alert_channel(self._conn, team_id=team_id, channel_id=channel_id)
        return None if row is None else _channel(self._d, row)

    async def upsert_alert_channel(self, team_id: str, channel: AlertChannel) -> None:
        await self._q.upsert_alert_channel(
            self._conn,
            team_id=team_id,
            channel_id=channel.channel_id,
            enabled=int(channel.enabled),
            enabled_by=channel.enabled_by,
            changed_by=channel.changed_by,
            changed_at=self._d.stamp(channel.changed_at),
        )
