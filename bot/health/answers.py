"""`/health NAME`'s answers kept in one process, each under the report version it was built
at (bot/versioned.py): every input of the answer (the partner and its backups' statuses,
the metrics, the thresholds and benchmarks) is written by a transaction that bumps it.
Keyed also on the day, which sets the window: an answer is a function of the two."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, TypeAlias

from bot.versioned import VersionedValues

if TYPE_CHECKING:  # the service imports this module
    from bot.health.rules import HealthReport
    from bot.health.service import HealthSettings

Answer: TypeAlias = "tuple[HealthReport, HealthSettings]"
# Answers kept (workspace, partner's name key, day): a few kilobytes each.
MAX_ANSWERS = 2048


class HealthAnswers(VersionedValues[tuple[str, str, date], Answer]):
    """Partners' health reports and the settings they were judged by, by version."""

    def __init__(self, bound: int = MAX_ANSWERS) -> None:
        super().__init__(bound)
