"""What the Slack handlers are given: settings, the store, the clock, background work, the
scheduler, and the way out to Slack (the Web API client and the outbox over it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.access import Actor
from bot.answer_cache import AnswerCache
from bot.clock import Clock
from bot.ports import Outbound, Store
from bot.registry.list_counts import ListCounts
from bot.report_cache import ReportCache
from bot.scheduler import Scheduler
from bot.settings import Settings
from bot.tasks import BackgroundTasks


@dataclass
class Services:
    settings: Settings
    store: Store
    clock: Clock
    tasks: BackgroundTasks
    scheduler: Scheduler
    client: Any  # slack_sdk's AsyncWebClient, for calls that answer a request
    outbox: Outbound  # posts, updates and uploads that no request waits on
    # How long a command may work before its ack goes out without the answer (Slack allows 3 s).
    ack_budget: float = 2.0
    # How long an ack may wait for a slow report being computed (the ranking, the portfolio,
    # a digest) before it says "Working on it": at once, so acks stay as quick as bare Bolt's.
    report_wait: float = 0.0
    # The slow reports, by workspace and report version (each from after its request).
    reports: ReportCache = field(default_factory=ReportCache)
    # `/partner list`'s totals, by workspace, filters and report version.
    list_counts: ListCounts = field(default_factory=ListCounts)
    # The answers of `/partner show`, `/partner list`, `/score NAME`, `/health NAME` and the
    # open drills of `/failover status`, by workspace and the same report version.
    answers: AnswerCache = field(init=False)

    def __post_init__(self) -> None:
        self.answers = AnswerCache(self.reports)

    def actor(self, user_id: str) -> Actor:
        """The user as the permission rules see them."""
        return Actor(user_id, is_admin=user_id in self.settings.admins)
