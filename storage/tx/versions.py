"""The report version of each workspace: what every replica keys its cache of the slow
reports on (the ranking, the portfolio, digests: bot/report_cache.py).

A write method whose rows those reports read calls `reports_changed(team_id)`; the store
calls `bump_report_versions()` once, just before the transaction commits, so a transaction
bumps a workspace's version once however many rows it writes (an import chunk too), and on
PostgreSQL holds the version row's lock only for the commit."""

from __future__ import annotations

from storage.tx.base import Queries


class VersionQueries(Queries):
    """Read a workspace's report version; bump those a transaction changed (`reports_changed`,
    in storage/tx/base.py, notes them)."""

    async def report_version(self, team_id: str) -> int:
        """The workspace's report version: read before a report's data, so a report cached
        under it is never older than the version."""
        value = await self._q.report_version(self._conn, team_id=team_id)
        return 0 if value is None else int(value)

    async def bump_report_versions(self) -> None:
        """Bump each noted workspace's version once, in a fixed order (two transactions
        bumping the same workspaces never wait on each other crosswise); the store calls this
        just before COMMIT."""
        for team_id in sorted(self._changed):
            await self._q.bump_report_version(self._conn, team_id=team_id)
        self._changed.clear()
