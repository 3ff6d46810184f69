"""`/failover status` as of each request's moment, from the open drills kept under the report
version (bot/answer_cache.py): the message is drawn again only once a drill's age or a
step's deadline moves past what it shows (views.status_steady_until)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.failover.rules import Drill
from handlers.failover.views import build_status, status_steady_until
from handlers.reply import Serialised, serialised


@dataclass
class StatusBoard:
    """The open drills of one report version, and the status last drawn of them (its zone,
    the moment drawn, the moment it stops standing, the message). Whoever takes the message
    must not mutate it."""

    drills: list[Drill]
    _drawn: tuple[ZoneInfo, datetime, datetime, Serialised] | None = None

    def shown(self, zone: ZoneInfo, now: datetime) -> Serialised:
        """The status as `build_status(drills, zone, now)` draws it."""
        drawn = self._drawn
        if drawn is not None and drawn[0] == zone and drawn[1] <= now < drawn[2]:
            return drawn[3]
        message = serialised(build_status(self.drills, zone, now))
        self._drawn = (zone, now, status_steady_until(self.drills, now), message)
        return message
