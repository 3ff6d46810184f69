"""What the Home tab needs from storage: one owner's partners and their metrics window."""

from __future__ import annotations

from datetime import date
from typing import Protocol

from bot.health.rules import MetricPoint
from bot.registry.rules import Partner, Status


class HomeTx(Protocol):
    """An owner's partners (not archived) with their backups, and their recent metrics."""

    async def owned_partners(
        self, team_id: str, owner: str
    ) -> tuple[list[Partner], dict[str, Status]]:
        """The partners and, by name, the status of each of their backups."""
        ...

    async def owned_points(self, team_id: str, owner: str, since: date) -> list[MetricPoint]: ...
