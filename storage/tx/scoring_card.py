"""`/score NAME`'s read in one statement (`storage/queries/scoring_card.sql`, one text per
engine's JSON functions): the partner, the weights, its two latest ratings, its latest ROI
and its drills' record. One snapshot and one trip, where it was five."""

from __future__ import annotations

import json
from typing import Any

from bot.failover.record import NO_DRILLS, DrillRecord
from bot.scoring.ports import ScoreInputs
from bot.scoring.rules import DIMENSIONS, Rating, weights_from
from storage.tx.base import from_utc_text
from storage.tx.failover import FailoverQueries
from storage.tx.registry import RegistryQueries, _partner


class ScoreCardQueries(RegistryQueries, FailoverQueries):
    """The score card's read, with the registry's and the drills' own row readers."""

    async def score_inputs(self, team_id: str, key: str, scope: str) -> ScoreInputs | None:
        """The partner named by key and what its score card needs; None when no partner
        has the name."""
        query = getattr(self._q, f"score_card_{self._d.name}")
        row = await query(self._conn, team_id=team_id, name_key=key, scope=scope)
        if row is None:
            return None
        ratings = sorted(json.loads(row["ratings"]), key=lambda r: int(r["n"]))
        roi = None if row["roi"] is None else json.loads(row["roi"])
        drills = NO_DRILLS
        if row["latest_drill"] is not None:
            latest = json.loads(row["latest_drill"]) | {"partner_name": row["name"]}
            drills = DrillRecord(int(row["drills"]), self._summary(latest, from_utc_text))
        return ScoreInputs(
            partner=_partner(self._d, row),
            weights={w["key"]: float(w["value"]) for w in json.loads(row["weights"])},
            ratings=[_rating(r) for r in ratings],
            roi=None if roi is None else (str(roi["period"]), float(roi["value"])),
            drills=drills,
        )


def _rating(item: dict[str, Any]) -> Rating:
    """A rating from its JSON object (storage/tx/scoring.py's _rating reads a row)."""
    return Rating(
        values={d: None if item[d] is None else float(item[d]) for d in DIMENSIONS},
        weights=weights_from(json.loads(item["weights"])),
        cases=int(item["cases"]),
        actor=item["actor"],
        at=from_utc_text(item["at"]),
        id=int(item["id"]),
    )
