"""`/partner list`'s totals kept in one process, each under the report version it was
counted at (bot/versioned.py; the database bumps it with every partner and tag write).

A page is read with the version of the total kept for its filters; the database counts the
pool again, in the page's own statement, only when its version differs. A total is taken
only when it was read with the version it is kept under, so it is never older than the page
it is shown with, whichever replica wrote last."""

from __future__ import annotations

from bot.registry.ports import ListFilters
from bot.versioned import VersionedValues

MAX_TOTALS = 256  # (workspace, filters) pairs kept, a few dozen bytes each


class ListCounts(VersionedValues[tuple[str, ListFilters], int]):
    """Totals by workspace and filters, each with its report version."""

    def __init__(self, bound: int = MAX_TOTALS) -> None:
        super().__init__(bound)
