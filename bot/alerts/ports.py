"""What alerts need from storage: the channels that asked for them."""

from __future__ import annotations

from typing import Protocol

from bot.alerts.rules import AlertChannel


class AlertsTx(Protocol):
    """A workspace's alert channels, on or off."""

    async def alert_channels(self, team_id: str) -> list[AlertChannel]: ...
    async def alert_channel(self, team_id: str, channel_id: str) -> AlertChannel | None: ...
    async def upsert_alert_channel(self, team_id: str, channel: AlertChannel) -> None: ...
