"""When recorded metrics turn a partner red, and who may change a channel's alerts. Pure.

Red is the health rules' red (the sentiment rule, bot.health.rules.assess); this module only
compares two of its reports, the one before a write and the one after.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.errors import RuleError
from bot.health.rules import HealthReport, HealthStatus, Rule, RuleResult
from bot.registry.rules import Partner


@dataclass(frozen=True)
class AlertChannel:
    """A channel that asked for alerts: on or off, who turned them on, who changed it last."""

    channel_id: str
    enabled: bool
    enabled_by: str
    changed_by: str
    changed_at: datetime


@dataclass(frozen=True)
class Alert:
    """A partner that turned red: the period its latest sentiment is for, and why."""

    partner: Partner
    period: str
    reason: RuleResult


def red_period(report: HealthReport) -> str | None:
    """The period a red partner is red for (its latest sentiment value's), or None if not red.

    The sentiment rule compares the latest value with the one before it, of the same kind of
    period; the report's sentiment trend holds those same values, latest last."""
    if report.status != HealthStatus.RED:
        return None
    series = report.trends.get("sentiment")
    return series[-1][0] if series else None


def turned_red(before: HealthReport | None, after: HealthReport) -> Alert | None:
    """The alert a write calls for: the partner is red after it and was not red for the same
    period before it (before is None for a partner that had no health yet)."""
    period = red_period(after)
    if period is None:
        return None
    if before is not None and red_period(before) == period:
        return None
    reason = next(r for r in after.rules if r.rule == Rule.SENTIMENT)
    return Alert(after.partner, period, reason)


class NotYours(RuleError):
    """Turning off alerts someone else turned on; says who may."""

    def __init__(self, enabled_by: str) -> None:
        self.enabled_by = enabled_by
        super().__init__(
            "Only whoever turned this channel's alerts on, or a partnerbot admin "
            "(PARTNERBOT_ADMINS), can turn them off."
        )


def check_can_turn_off(channel: AlertChannel | None, user_id: str, is_admin: bool) -> None:
    """Only an admin or the one who turned a channel's alerts on may turn them off: alerts are
    someone's safety net, and a passer-by should not silently take it away."""
    if channel is None or not channel.enabled:
        return
    if is_admin or channel.enabled_by == user_id:
        return
    raise NotYours(channel.enabled_by)
