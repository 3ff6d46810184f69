"""Block Kit for `/score`: the card, compare, the ranking, the review, weights, the modal."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from bot.access import Actor, can_change
from bot.numbers import format_ratio
from bot.registry.rules import FieldChange
from bot.registry.service import Change
from bot.scoring.rules import (
    DIMENSION_LABELS,
    DIMENSIONS,
    FitScore,
    Ranked,
    Verdict,
    Weights,
)
from bot.scoring.service import Review, ScoreCard
from bot.wording import count
from handlers.blocks import (
    Block,
    actions,
    clip,
    context,
    divider,
    esc,
    fields_section,
    help_message,
    message,
    plain,
    section,
    settings_message,
    slack_date,
)
from handlers.failover.record import record_section
from handlers.payloads import (
    RadarChart,
    RatePartner,
    RetirePartner,
    ReviewPage,
    TopPage,
    pager,
)
from handlers.registry.views import undo_row

LETTERS = "ABCD"
TOP_PAGE = 15
VERDICT_ICON = {
    Verdict.RECOMMENDED: ":white_check_mark:",
    Verdict.NOT_RECOMMENDED: ":x:",
    Verdict.NOT_SCORED: ":grey_question:",
}

SCORE_HELP = [
    (
        "/score NAME",
        "the fit score: composite, verdict, each dimension, the gates, "
        "what would have to change, and why it changed",
    ),
    (
        "/score NAME brand=80 users=70 channel=65 audience=72 traffic=60 tone=75 cases=4",
        "rate any of the six dimensions (0-100) and the verified success cases (owner or admin)",
    ),
    ("/score NAME chart", "a radar chart of the six dimensions, posted to the channel"),
    ("/score compare A B [C D]", "up to four partners side by side, with an overlaid radar"),
    ("/score top [N] [category=KOL]", "the ranking of scored partners (default 30)"),
    (
        "/score review [share=20%]",
        "the least efficient share of active partners by ROI "
        "against the category benchmark, each with a Retire button",
    ),
    (
        "/score weights [brand=2 ... threshold=70]",
        "show or set (admins) the weights and the threshold",
    ),
]


def build_score_help() -> dict[str, Any]:
    dimensions = ", ".join(f"`{d}` {DIMENSION_LABELS[d]}" for d in DIMENSIONS)
    return help_message(
        "partnerbot: fit scores",
        SCORE_HELP,
        f"Also as `/partner score ...`. Dimensions: {dimensions}.",
    )


def _composite(score: FitScore) -> str:
    return "not scored" if score.composite is None else format_ratio(score.composite, 1, fixed=True)


def _gates(score: FitScore) -> str:
    icons = {True: ":white_check_mark:", False: ":x:", None: ":grey_question:"}
    return "\n".join(
        f"{icons[g.passed]} *{g.label}*: {esc(g.value)} (needs {g.requirement})"
        for g in score.gates
    )


def _verdict(score: FitScore) -> str:
    """The verdict beside the composite; "not scored" is said once, as the composite."""
    threshold = f"threshold {format_ratio(score.threshold)}"
    if score.verdict == Verdict.NOT_SCORED:
        return threshold
    return f"{score.verdict.value}, {threshold}"


def build_card(card: ScoreCard, zone: ZoneInfo) -> dict[str, Any]:
    """`/score NAME`: the composite and verdict, dimensions, gates, what to change, why;
    the time of the last rating in each reader's own zone."""
    partner, score = card.partner, card.score
    headline = (
        f"{VERDICT_ICON[score.verdict]} *{esc(partner.name)}*: *{_composite(score)}* "
        f"({_verdict(score)})"
    )
    if score.qualifies:
        headline += " · qualifies for deep cooperation"
    blocks: list[Block] = [section(headline)]
    if not card.saved:
        blocks.insert(0, section("Nothing changed: the rating already has those values."))
    if score.missing:
        missing = ", ".join(f"{d} ({DIMENSION_LABELS[d]})" for d in score.missing)
        blocks.append(section(f"*Not scored*: missing {missing}."))
    if score.contributions:
        blocks.append(
            fields_section(
                [
                    (
                        f"{c.dimension} ×{format_ratio(c.weight)}",
                        f"{format_ratio(c.value)} → {format_ratio(c.points, 1, fixed=True)} pts",
                    )
                    for c in score.contributions
                ]
            )
        )
    blocks.append(section("*Gates*\n" + _gates(score)))
    if score.to_qualify:
        todo = "\n".join(f"• {esc(t)}" for t in score.to_qualify)
        blocks.append(section(f"*To qualify*\n{todo}"))
    if card.change is not None:
        blocks.append(section(_change_text(card)))
    if (record := record_section(card.drills, zone)) is not None:
        blocks.append(record)
    blocks.append(
        actions(
            [
                RatePartner(partner_id=partner.id).button("Rate", style="primary"),
                RadarChart(partner_id=partner.id).button("Radar chart"),
            ]
        )
    )
    if card.rating is not None:
        when = slack_date(card.rating.at, zone)
        blocks.append(context(f"Last rated {when} by <@{card.rating.actor}>."))
    return message(blocks, f"{partner.name}: {_composite(score)} ({_verdict(score)})")


def _change_text(card: ScoreCard) -> str:
    change = card.change
    assert change is not None
    reasons = "; ".join(change.reasons) if change.reasons else "nothing moved"
    if change.delta is None:
        moved = f"{_shown(change.before)} → {_shown(change.after)}"
    else:
        moved = f"{_shown(change.before)} → {_shown(change.after)} ({change.delta:+.1f})"
    return f"*Since the previous rating*: {moved}, because {esc(reasons)}."


def _shown(value: float | None) -> str:
    return "not scored" if value is None else format_ratio(value, 1, fixed=True)


def build_compare(cards: list[ScoreCard]) -> dict[str, Any]:
    """Two to four partners, each dimension side by side, letters matching the radar."""
    names = " · ".join(f"*{LETTERS[i]}* = {esc(c.partner.name)}" for i, c in enumerate(cards))
    rows = []
    for d in DIMENSIONS:
        values = "  ".join(f"{LETTERS[i]} {_value(c, d)}" for i, c in enumerate(cards))
        rows.append(f"`{d:<8}` {values}")
    composites = "  ".join(f"{LETTERS[i]} *{_composite(c.score)}*" for i, c in enumerate(cards))
    gates = "  ".join(
        f"{LETTERS[i]} {sum(1 for g in c.score.gates if g.passed)}/{len(c.score.gates)}"
        for i, c in enumerate(cards)
    )
    blocks = [
        section(f"*Comparing* {names}"),
        section("\n".join(rows)),
        section(f"`composite` {composites}\n`gates    ` {gates}"),
        context("The radar chart follows in this channel."),
    ]
    return message(blocks, "Fit scores compared")


def _value(card: ScoreCard, dimension: str) -> str:
    value = card.rating.values.get(dimension) if card.rating else None
    return "—" if value is None else format_ratio(value)


def build_top(
    ranked: list[Ranked], limit: int, offset: int, category: str | None
) -> dict[str, Any]:
    """The ranking, paged: rank, composite, verdict and gates."""
    shown = ranked[:limit]
    scope = f" in {category}" if category else ""
    if not shown:
        text = f"No scored partners{scope} yet. Rate one with `/score NAME brand=80 ...`."
        return message([section(text)], "No scored partners")
    offset = min(max(offset, 0), len(shown) - 1)
    page = shown[offset : offset + TOP_PAGE]
    blocks: list[Block] = [
        section(f"*Top {len(shown)}{scope}* by fit score · {offset + 1}–{offset + len(page)}"),
        divider(),
    ]
    for number, entry in enumerate(page, start=offset + 1):
        score = entry.score
        gates = "".join(
            {True: ":white_check_mark:", False: ":x:", None: ":grey_question:"}[g.passed]
            for g in score.gates
        )
        blocks.append(
            section(
                f"*{number}.* {esc(entry.name)} · *{_composite(score)}* "
                f"{VERDICT_ICON[score.verdict]} {score.verdict.value} · gates {gates}"
                f"{' · qualifies' if score.qualifies else ''}"
            )
        )
    previous = TopPage(offset=max(offset - TOP_PAGE, 0), limit=limit, category=category)
    following = TopPage(offset=offset + TOP_PAGE, limit=limit, category=category)
    blocks += pager(
        previous if offset > 0 else None,
        following if offset + TOP_PAGE < len(shown) else None,
        "top-nav",
    )
    blocks.append(context("Gates: success cases, audience match, ROI."))
    return message(blocks, f"Top {count(len(shown), 'partner')}{scope} by fit score")


REVIEW_PAGE = 20


def build_review(result: Review, share: float, actor: Actor, offset: int = 0) -> dict[str, Any]:
    """The least efficient share of active partners, paged; a Retire button on each the
    actor may retire (its owner or an admin), so nobody confirms what is then refused."""
    blocks: list[Block] = [
        section(
            f"*Yearly review*: the least efficient {format_ratio(share)}% (rounded up) of the "
            f"{count(result.considered, 'active partner')} with ROI in the last twelve months "
            f"and a category benchmark ({len(result.unmeasured)} more could not be measured), "
            "by ROI against the benchmark, ties broken by composite."
        )
    ]
    last_page = max(len(result.retire) - 1, 0) // REVIEW_PAGE * REVIEW_PAGE
    offset = min(max(offset, 0), last_page)
    page = result.retire[offset : offset + REVIEW_PAGE]
    if len(result.retire) > REVIEW_PAGE:
        blocks.append(context(f"{offset + 1}–{offset + len(page)} of {len(result.retire)}"))
    hidden = 0
    for entry in page:
        ratio = "—" if entry.efficiency is None else format_ratio(entry.efficiency, 2, fixed=True)
        composite = _shown(entry.composite)
        row: Block = {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": f"*{esc(entry.name)}* ({entry.category.value}) · "
                f"ROI {ratio}× benchmark · composite {composite}",
            },
        }
        owner = result.owners.get(entry.partner_id)
        if owner is None or not can_change(owner, actor):
            hidden += 1
            blocks.append(row)
            continue
        confirm = {
            "title": plain("Retire this partner?"),
            "text": {
                "type": "mrkdwn",
                "text": f"*{clip(esc(entry.name), 200)}* will be archived, "
                "with its history kept. You can restore it later.",
            },
            "confirm": plain("Retire"),
            "deny": plain("Keep"),
        }
        retire = RetirePartner(partner_id=entry.partner_id).button("Retire", style="danger")
        retire["confirm"] = confirm
        blocks.append({**row, "accessory": retire})
    if not result.retire:
        blocks.append(
            section(
                "Nobody to review: no active partner has ROI in the last "
                "twelve months and a category benchmark."
            )
        )
    if hidden:
        blocks.append(context("Only a partner's owner or a partnerbot admin can retire it."))
    previous = ReviewPage(share=share, offset=max(offset - REVIEW_PAGE, 0))
    following = ReviewPage(share=share, offset=offset + REVIEW_PAGE)
    blocks += pager(
        previous if offset > 0 else None,
        following if offset + REVIEW_PAGE < len(result.retire) else None,
        "review-nav",
    )
    if result.unmeasured:
        names = ", ".join(esc(n) for n in result.unmeasured[:20])
        more = len(result.unmeasured) - 20
        blocks.append(
            context(
                f"Not measured (no ROI this year or no benchmark): {names}"
                + (f" and {more} more" if more > 0 else "")
            )
        )
    return message(blocks, "Yearly review")


def build_retired(change: Change) -> dict[str, Any]:
    """What Retire did, with an Undo button when it changed something."""
    partner = change.partner
    if not change.diff:
        text = f"*{esc(partner.name)}* was already archived."
        return message([section(text)], text, escaped=True)
    text = f":file_cabinet: Retired *{esc(partner.name)}*: archived, history kept."
    return message([section(text), undo_row(change, "retire")], text, escaped=True)


def build_weights(weights: Weights, changes: list[FieldChange] | None = None) -> dict[str, Any]:
    lines = [f"`{d}={format_ratio(weights.of(d))}` {DIMENSION_LABELS[d]}" for d in DIMENSIONS]
    lines.append(f"`threshold={format_ratio(weights.threshold)}` composite to recommend")
    return settings_message(
        "Fit-score weights",
        lines,
        "Admins change them: `/score weights brand=2 threshold=75`.",
        changes,
    )
