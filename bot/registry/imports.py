"""Import and export use cases, as callers use them. A CSV file is checked whole before
anything is written (a bad row anywhere writes nothing), then written in chunks, each its own
short transaction (bot/registry/import_writes.py), so the bot's own writes never wait long
for the lock: partners in bot/registry/partner_imports.py, metrics in
bot/registry/metric_imports.py, what both share in bot/registry/import_runs.py.

A failure midway (the database gone, a partner archived or registered by someone else
meanwhile) keeps what the chunks that committed wrote, says so (ImportInterrupted), and an
import of the same file again finishes the job: what is already there counts as unchanged.
On PostgreSQL two chunks are written at once (`write_chunks`, the store's `write_lanes`)."""

from __future__ import annotations

from bot.metrics import Period
from bot.ports import Store
from bot.registry.csv_io import ImportRejected, format_metrics, format_partners
from bot.registry.import_runs import ImportInterrupted, ImportResult
from bot.registry.metric_imports import import_metrics
from bot.registry.partner_imports import import_partners

__all__ = [
    "ImportInterrupted",
    "ImportRejected",
    "ImportResult",
    "export_metrics",
    "export_partners",
    "import_metrics",
    "import_partners",
]


async def export_partners(store: Store, team_id: str) -> str:
    """Every partner of a workspace as a CSV that `import_partners` reads back unchanged."""
    async with store.read() as tx:
        partners = await tx.all_partners(team_id)
    return format_partners(partners)


async def export_metrics(store: Store, team_id: str, since: Period | None = None) -> str:
    """Every metric of a workspace as a CSV that `import_metrics` reads back to the same
    values; since: only periods that end on or after the start of that period."""
    async with store.read() as tx:
        records = await tx.team_metrics(team_id, None if since is None else since.start)
    return format_metrics(records)
