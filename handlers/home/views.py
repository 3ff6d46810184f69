"""The App Home tab: a dashboard of the portfolio, the user's own partners and what needs
doing, the digests scheduled, with buttons to add a partner, record metrics and preview a
digest. Pure."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from bot.access import Actor
from bot.health.concentration import Concentration
from bot.health.portfolio import PortfolioReport
from bot.health.rules import ACTIONS, HealthReport, HealthStatus
from bot.numbers import format_amount, format_ratio
from bot.registry.rules import Status
from bot.wording import count
from handlers.blocks import (
    Block,
    actions,
    context,
    divider,
    esc,
    fields_section,
    header,
    home,
    section,
)
from handlers.health.views import STATUS_ICON
from handlers.home.digests import ScheduledDigests, digest_blocks
from handlers.payloads import AddPartnerFromHome, PreviewDigestFromHome, RecordMetricsFromHome
from handlers.registry.views import HELP, STATUS_EMOJI

YOURS_SHOWN = 15  # with the rest counted, the tab stays far inside Slack's 100 blocks


class PortfolioState(StrEnum):
    """The portfolio section before its report is there."""

    WORKING = "working"  # the first publish: the user's partners come first
    UNAVAILABLE = "unavailable"  # working it out failed; the rest of the tab still shows


def build_home(
    counts: dict[str, int],
    yours: list[HealthReport],
    actor: Actor,
    portfolio: PortfolioReport | PortfolioState = PortfolioState.WORKING,
    digests: ScheduledDigests | None = None,
    drills: list[Block] | None = None,
) -> dict[str, Any]:
    """The home view for one user: the registry's size, buttons, the portfolio's health, the
    partners they own with what needs doing, the failover steps they own (drills: built by
    handlers.failover.record), the digests scheduled, and the commands."""
    total = sum(n for status, n in counts.items() if status != Status.ARCHIVED.value)
    role = "You are a partnerbot admin." if actor.is_admin else ""
    buttons = [
        AddPartnerFromHome().button("Add a partner", style="primary"),
        RecordMetricsFromHome().button("Record metrics"),
        PreviewDigestFromHome().button("Preview a digest"),
    ]
    blocks = [
        header("partnerbot"),
        section(
            f"*{count(total, 'partner')}* in the registry; you own *{len(yours):,}*. {role}".strip()
        ),
        actions(buttons, block_id="home_actions"),
        divider(),
        *_portfolio_blocks(portfolio),
        divider(),
        *_your_partners_blocks(yours),
        *([divider(), *drills] if drills else []),
        *_digests_divided(digests, actor),
        divider(),
        *_commands_blocks(counts),
    ]
    return home(blocks)


def _portfolio_blocks(portfolio: PortfolioReport | PortfolioState) -> list[Block]:
    if portfolio == PortfolioState.WORKING:
        return [
            section("*Portfolio*"),
            context(":hourglass_flowing_sand: Working out the portfolio's health…"),
        ]
    if not isinstance(portfolio, PortfolioReport):
        return [
            section(
                "*Portfolio*\nThe portfolio could not be worked out just now; `/health` shows it."
            )
        ]
    counts = " · ".join(f"{STATUS_ICON[s]} {portfolio.counts[s]} {s.value}" for s in HealthStatus)
    first, last = portfolio.window
    window = f"{first.label}–{last.label}" if first != last else first.label
    lines = [
        f"*Portfolio*: {count(portfolio.watched, 'partner')} ({portfolio.population.label})",
        counts,
        _concentration_line("GMV", portfolio.gmv, window),
        _concentration_line("Traffic", portfolio.traffic, window),
    ]
    if portfolio.unbacked:
        lines.append(
            f":warning: {count(len(portfolio.unbacked), 'strategic or core partner')} "
            "with no backup"
        )
    return [
        section("\n".join(lines)),
        context("`/health` lists every red and amber partner with its reasons."),
    ]


def _concentration_line(label: str, found: Concentration | None, window: str) -> str:
    if found is None:
        return f"*{label}*: nothing recorded in {window}."
    top = found.largest
    return (
        f"*{label}*: largest share {format_ratio(top.percent, 1)}% (*{esc(top.name)}*) · "
        f"HHI {format_amount(found.hhi, 0)}, {found.band} · {window}"
    )


def _your_partners_blocks(yours: list[HealthReport]) -> list[Block]:
    if not yours:
        return [
            section(
                "*Your partners*\nYou own no partners yet: add one with the button above or "
                "`/partner add NAME`."
            )
        ]
    shown = yours[:YOURS_SHOWN]
    blocks = [section(f"*Your partners* ({len(yours):,}), the portfolio's first, worst first")]
    blocks += [section(_partner_line(report)) for report in shown]
    rest = len(yours) - len(shown)
    if rest:
        blocks.append(
            context(
                f"…and {count(rest, 'more partner')}. `/health NAME` shows one partner's "
                "health; `/partner list owner=@you` lists them all."
            )
        )
    return blocks


def _partner_line(report: HealthReport) -> str:
    partner = report.partner
    title = (
        f"{STATUS_ICON[report.status]} *{esc(partner.name)}* is *{report.status.value}*  ·  "
        f"{partner.category.value} · {partner.tier.value} · {partner.status.value}"
    )
    if report.fired:
        todo = [f"• {esc(r.detail)}: {ACTIONS[r.rule]}" for r in report.fired]
    elif report.status == HealthStatus.GREY:
        todo = ["• Not enough metrics to judge: record some with *Record metrics*."]
    else:
        todo = ["Nothing needs doing."]
    return "\n".join([title, *todo])


def _digests_divided(digests: ScheduledDigests | None, actor: Actor) -> list[Block]:
    blocks = digest_blocks(digests, actor)
    return [divider(), *blocks] if blocks else []


def _commands_blocks(counts: dict[str, int]) -> list[Block]:
    pairs = [(f"{STATUS_EMOJI[s]} {s.value}", str(counts.get(s.value, 0))) for s in Status]
    commands = "\n".join(f"`/partner {usage.split(' ')[0]}` {what}" for usage, what in HELP)
    return [
        section("*The registry by status*"),
        fields_section(pairs),
        section("*Commands*\n" + commands),
        context(
            "`/partner help`, `/health help` and `/score help` list every option. "
            "Names with spaces go in quotes."
        ),
    ]
