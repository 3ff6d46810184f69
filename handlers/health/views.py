"""Block Kit for `/health`: a partner's report, the portfolio, thresholds, benchmarks. Pure."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from bot.health.concentration import Concentration
from bot.health.portfolio import PortfolioReport
from bot.health.rules import (
    THRESHOLD_SPECS,
    HealthReport,
    HealthStatus,
    RuleState,
    Thresholds,
    format_threshold,
    sparkline,
)
from bot.health.service import HealthSettings
from bot.metrics import format_metric
from bot.numbers import format_amount, format_ratio
from bot.registry.rules import Category, FieldChange
from bot.wording import count
from handlers.blocks import (
    Block,
    actions,
    context,
    divider,
    esc,
    header,
    help_message,
    message,
    section,
    settings_message,
)
from handlers.payloads import PortfolioPage, StartDrill, pager

STATUS_ICON = {
    HealthStatus.RED: ":red_circle:",
    HealthStatus.AMBER: ":large_orange_circle:",
    HealthStatus.GREEN: ":large_green_circle:",
    HealthStatus.GREY: ":white_circle:",
}
RULE_ICON = {
    RuleState.FIRED: ":rotating_light:",
    RuleState.OK: ":white_check_mark:",
    RuleState.UNKNOWN: ":grey_question:",
    RuleState.NOT_APPLICABLE: ":heavy_minus_sign:",
}
RULE_TITLE = {
    "utilisation": "Utilisation",
    "roi": "ROI against benchmark",
    "sentiment": "Sentiment",
    "backup": "Backup",
}
FLAGGED_PAGE = 10

HEALTH_HELP = [
    (
        "/health",
        "the portfolio: statuses, partners needing attention, GMV and traffic "
        "concentration, strategic and core partners with no backup",
    ),
    ("/health NAME", "one partner: status, each rule with its values, trends, what to do"),
    ("/health NAME chart", "a chart of the partner's metrics, posted to the channel"),
    (
        "/health benchmark [category=KOL roi=2.5]",
        "show or set (admins) the industry ROI benchmark of a category",
    ),
    (
        "/health thresholds [rue=40 sentiment_drop=30 roi_ratio=0.7 hhi=2500 ...]",
        "show or set (admins) the rule thresholds",
    ),
]


def build_health_help() -> dict[str, Any]:
    return help_message(
        "partnerbot: partner health",
        HEALTH_HELP,
        "Also as `/partner health ...`. Rules read the last four months of metrics.",
    )


def _rule_lines(report: HealthReport) -> str:
    return "\n".join(
        f"{RULE_ICON[r.state]} *{RULE_TITLE[r.rule.value]}* ({r.state.value}): {esc(r.detail)}"
        for r in report.rules
    )


def _trend_lines(report: HealthReport) -> str:
    lines = []
    for metric, values in report.trends.items():
        spark = sparkline([v for _, v in values])
        label, last = values[-1]
        lines.append(f"`{metric:<9}` {spark}  {format_metric(metric, last)} ({label})")
    return "\n".join(lines)


def build_partner_health(report: HealthReport, settings: HealthSettings) -> dict[str, Any]:
    """A partner's health: status, each rule with its values, trends, recommended actions."""
    partner = report.partner
    status = report.status
    blocks: list[Block] = [
        section(
            f"{STATUS_ICON[status]} *{esc(partner.name)}* is *{status.value}*  ·  "
            f"{partner.category.value} · {partner.tier.value} · {partner.status.value}"
        ),
        section(_rule_lines(report)),
    ]
    if report.trends:
        blocks.append(section("*Trends* (latest periods, oldest first)\n" + _trend_lines(report)))
    else:
        blocks.append(section("*Trends*\nNo metrics in the last four months."))
    if report.actions:
        todo = "\n".join(f"• {a}" for a in report.actions)
        blocks.append(section(f"*Recommended*\n{todo}"))
    elif status == HealthStatus.GREY:
        blocks.append(
            section("*Recommended*\nRecord metrics: `/partner metrics NAME rue= roi= sentiment=`.")
        )
    if status == HealthStatus.RED:
        start = StartDrill(partner_id=partner.id).start_button()
        blocks.append(actions([start], block_id="failover-start"))
    limits = settings.thresholds
    weeks, months = count(limits.rue_weeks, "week"), count(limits.roi_months, "month")
    blocks.append(
        context(
            f"Thresholds: rue < {format_ratio(limits.rue)}% for {weeks} · "
            f"sentiment down {format_ratio(limits.sentiment_drop)}% · ROI < "
            f"{format_ratio(limits.roi_ratio)} × benchmark for {months}. "
            "A chart: `/health NAME chart`."
        )
    )
    return message(blocks, f"{partner.name} is {status.value}")


def _concentration_line(label: str, found: Concentration | None, window: str) -> str:
    if found is None:
        return f"*{label}*: nothing recorded in {window}."
    top = found.largest
    return (
        f"*{label}*: largest share {format_ratio(top.percent, 1)}% "
        f"(*{esc(top.name)}*) · HHI {format_amount(found.hhi, 0)}, {found.band} · "
        f"{count(len(found.shares), 'partner')}, {window}"
    )


def build_portfolio(
    report: PortfolioReport, settings: HealthSettings, offset: int = 0
) -> dict[str, Any]:
    """The pool's health, with the flagged partners paged."""
    counts = " · ".join(f"{STATUS_ICON[s]} {report.counts[s]} {s.value}" for s in HealthStatus)
    first, last = report.window
    window = f"{first.label}–{last.label}" if first != last else first.label
    population = report.population
    blocks: list[Block] = [
        header("Partner health"),
        section(f"{counts}\nof {report.watched} {population.label}"),
        context(
            f"Every part of this report counts {population.label} only; "
            f"{population.left_out} are left out."
        ),
        section(
            "*Concentration* (threshold HHI "
            f"{format_threshold('hhi', settings.thresholds.hhi)})\n"
            + _concentration_line("GMV", report.gmv, window)
            + "\n"
            + _concentration_line("Traffic", report.traffic, window)
        ),
    ]
    if report.unbacked:
        shown, used = [], 0
        for p in report.unbacked:
            entry = f"*{esc(p.name)}* ({p.tier.value})"
            if used + len(entry) > 2600:  # keep the section, and the count, inside Slack's limit
                break
            shown.append(entry)
            used += len(entry) + 2
        more = len(report.unbacked) - len(shown)
        extra = f" and {more} more" if more > 0 else ""
        blocks.append(
            section(f":warning: *No backup* ({len(report.unbacked)}): {', '.join(shown)}{extra}")
        )
    blocks.append(divider())
    flagged = report.flagged
    last_page = max(len(flagged) - 1, 0) // FLAGGED_PAGE * FLAGGED_PAGE
    offset = min(max(offset, 0), last_page)
    page = flagged[offset : offset + FLAGGED_PAGE]
    if not page:
        blocks.append(section("No partner is red or amber."))
    else:
        blocks.append(
            section(
                f"*Needs attention* {offset + 1}–{offset + len(page)} of {len(flagged)}, "
                "worst first"
            )
        )
    for item in page:
        reasons = "\n".join(f"• {esc(r.detail)}" for r in item.fired)
        blocks.append(
            section(
                f"{STATUS_ICON[item.status]} *{esc(item.partner.name)}* "
                f"({item.partner.category.value}, {item.partner.tier.value})\n{reasons}"
            )
        )
    previous = PortfolioPage(offset=max(offset - FLAGGED_PAGE, 0))
    following = PortfolioPage(offset=offset + FLAGGED_PAGE)
    blocks += pager(
        previous if offset > 0 else None,
        following if offset + FLAGGED_PAGE < len(flagged) else None,
        "portfolio-nav",
    )
    summary = ", ".join(f"{report.counts[s]} {s.value}" for s in HealthStatus)
    return message(blocks, f"Partner health: {summary}")


def build_thresholds(
    limits: Thresholds, changes: list[FieldChange] | None = None
) -> dict[str, Any]:
    """The thresholds in force, marking the ones changed from the domain's defaults."""
    defaults = asdict(Thresholds())
    lines = []
    for key, value in asdict(limits).items():
        default = format_threshold(key, defaults[key])
        mark = "" if value == defaults[key] else f" (default {default})"
        lines.append(f"`{key}={format_threshold(key, value)}` {THRESHOLD_SPECS[key][0]}{mark}")
    return settings_message(
        "Health thresholds",
        lines,
        "Admins change them: `/health thresholds rue=35 hhi=2000`.",
        changes,
    )


def build_benchmarks(
    benchmarks: dict[str, float],
    limits: Thresholds,
    change: FieldChange | None = None,
    changed: bool = False,
) -> dict[str, Any]:
    """Each category's ROI benchmark and the floor the ROI rule compares against."""
    lines = []
    for category in Category:
        roi = benchmarks.get(category.value)
        if roi is None:
            lines.append(f"`{category.value}` not set: its ROI rule is not evaluated")
        else:
            floor = roi * limits.roi_ratio
            lines.append(
                f"`{category.value}` 1:{format_ratio(roi)} · weak below 1:{format_ratio(floor, 2)}"
            )
    blocks: list[Block] = []
    if changed:
        if change is None:
            blocks.append(section("Nothing changed: that is the benchmark in force."))
        else:
            before = change.before or "not set"
            blocks.append(
                section(f":white_check_mark: {change.field} benchmark {before} → {change.after}.")
            )
    blocks.append(section("*Industry ROI benchmarks*\n" + "\n".join(lines)))
    blocks.append(context("Admins set one: `/health benchmark category=KOL roi=2.5`."))
    return message(blocks, "ROI benchmarks")
