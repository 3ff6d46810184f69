"""`/partner list`'s totals kept in one process, each under the report version it was
counted at (storage/tx/versions.py: the database bumps it in the same transaction as every
partner and tag write), so several replicas on one database each stay right.

A page is read with the version of the total kept for its filters; the database counts the
pool again, in the page's own statement, only when its version differs. A total is taken
only when it was read with the version it is kept under, so it is never older than the page
it is shown with, whichever replica wrote last."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field

from bot.registry.ports import ListFilters

MAX_TOTALS = 256  # (workspace, filters) pairs kept, least recently used dropped first


@dataclass(frozen=True)
class KnownTotal:
    version: int
    total: int


@dataclass
class ListCounts:
    """Totals by workspace and filters, each with its report version."""

    max_totals: int = MAX_TOTALS
    _totals: OrderedDict[tuple[str, ListFilters], KnownTotal] = field(default_factory=OrderedDict)

    def known(self, team_id: str, filters: ListFilters) -> KnownTotal | None:
        """The total last kept for these filters, with its version (None: none kept)."""
        key = (team_id, filters)
        known = self._totals.get(key)
        if known is not None:
            self._totals.move_to_end(key)
        return known

    def keep(self, team_id: str, filters: ListFilters, version: int, total: int) -> None:
        """Keep a total counted at version, unless one of a later version is kept already
        (a slower read of an older snapshot never replaces a newer total)."""
        key = (team_id, filters)
        kept = self._totals.get(key)
        if kept is None or kept.version <= version:
            self._totals[key] = KnownTotal(version, total)
            self._totals.move_to_end(key)
        while len(self._totals) > self.max_totals:
            self._totals.popitem(last=False)
