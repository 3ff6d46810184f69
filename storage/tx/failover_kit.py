"""What a drill's first three steps hold (`storage/queries/failover_kit.sql`): the ranked
candidates' snapshot, the measures ticked off, and the sendings (read from the timeline)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from bot.failover.content import Candidate, Measure, MeasureTick, Sending
from bot.health.rules import HealthStatus
from bot.registry.rules import Status
from storage.tx.base import Queries

_MEASURE_ORDER = list(Measure)


class FailoverKitQueries(Queries):
    """Read with every drill (storage/tx/failover.py), written inside its transitions."""

    async def failover_candidates(self, team_id: str, drill_id: int) -> tuple[Candidate, ...]:
        rows = await self._rows("failover_candidates_of", team_id=team_id, drill_id=drill_id)
        return candidate_rows(rows)

    async def failover_measures(self, team_id: str, drill_id: int) -> tuple[MeasureTick, ...]:
        rows = await self._rows("failover_measures_of", team_id=team_id, drill_id=drill_id)
        return measure_rows(rows, self._d.moment)

    async def failover_sendings(self, team_id: str, drill_id: int) -> tuple[Sending, ...]:
        rows = await self._rows("failover_sendings_of", team_id=team_id, drill_id=drill_id)
        return sending_rows(rows, self._d.moment)

    async def write_failover_ranking(
        self,
        team_id: str,
        drill_id: int,
        at: datetime,
        candidates: list[Candidate],
        *,
        again: bool = False,
    ) -> bool:
        self.reports_changed(team_id)  # `/failover status` keeps the open drills whole
        claim = self._q.rerank_failover_drill if again else self._q.set_failover_ranking
        claimed = await claim(
            self._conn,
            team_id=team_id,
            id=drill_id,
            ranked_at=self._d.stamp(at),
        )
        if claimed is None:
            return False
        if again:
            await self._q.delete_failover_candidates(self._conn, team_id=team_id, drill_id=drill_id)
        for position, c in enumerate(candidates):
            await self._q.insert_failover_candidate(
                self._conn,
                drill_id=drill_id,
                team_id=team_id,
                position=position,
                partner_id=c.partner_id,
                score=c.score,
                health=c.health.value,
                owner=c.owner,
                registered=int(c.registered),
            )
        return True

    async def write_failover_measure(self, team_id: str, drill_id: int, tick: MeasureTick) -> None:
        self.reports_changed(team_id)  # `/failover status` keeps the open drills whole
        await self._q.write_failover_measure(
            self._conn,
            drill_id=drill_id,
            team_id=team_id,
            measure=tick.measure.value,
            note=tick.note,
            ticked_by=tick.by,
            ticked_at=self._d.stamp(tick.at),
        )

    async def unranked_failover_drills(self, before: datetime, limit: int) -> list[tuple[str, int]]:
        rows = await self._rows(
            "unranked_failover_drills", before=self._d.stamp(before), limit=limit
        )
        return [(r["team_id"], int(r["id"])) for r in rows]


Row = Mapping[str, Any]


def candidate_rows(rows: Iterable[Row]) -> tuple[Candidate, ...]:
    """The candidates from rows in their ranked order (columns of failover_candidates_of)."""
    return tuple(
        Candidate(
            partner_id=int(r["partner_id"]),
            name=r["name"],
            score=None if r["score"] is None else float(r["score"]),
            health=HealthStatus(r["health"]),
            owner=r["owner"],
            registered=bool(r["registered"]),
            status=Status(r["status"]),
        )
        for r in rows
    )


def measure_rows(rows: Iterable[Row], moment: Callable[[Any], datetime]) -> tuple[MeasureTick, ...]:
    """The measures ticked off, in the kit's order of measures."""
    ticks = [
        MeasureTick(Measure(r["measure"]), r["note"], r["ticked_by"], moment(r["ticked_at"]))
        for r in rows
    ]
    return tuple(sorted(ticks, key=lambda t: _MEASURE_ORDER.index(t.measure)))


def sending_rows(rows: Iterable[Row], moment: Callable[[Any], datetime]) -> tuple[Sending, ...]:
    """The sendings from timeline rows in their order."""
    return tuple(Sending(r["detail"] or "", r["actor"], moment(r["at"])) for r in rows)
