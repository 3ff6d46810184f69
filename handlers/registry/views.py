"""Block Kit for the registry: the partner card, the list, the history, help, errors. Pure."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.failover.record import NO_DRILLS, DrillRecord
from bot.metrics import format_metric
from bot.paging import Page
from bot.registry.card import CARD_PERIODS
from bot.registry.ports import AuditEntry, ListedPartner, ListFilters
from bot.registry.rules import Partner, Status, field_label, typed_name
from bot.registry.service import Change
from bot.registry.undo import UNDOABLE
from handlers.blocks import (
    DATE,
    Block,
    actions,
    clip,
    context,
    divider,
    esc,
    fields_section,
    help_message,
    message,
    section,
    slack_date,
)
from handlers.failover.record import record_section
from handlers.payloads import (
    EditPartner,
    HistoryPage,
    ListPage,
    ShowHistory,
    Undoable,
    UndoChange,
    pager,
)

STATUS_EMOJI = {
    Status.PROSPECT: ":seedling:",
    Status.ACTIVE: ":large_green_circle:",
    Status.PAUSED: ":double_vertical_bar:",
    Status.DROPPED: ":red_circle:",
    Status.ARCHIVED: ":file_cabinet:",
}

HELP = [
    (
        'add NAME [category=] [tier=] [status=] [owner=@user] [backups="A, B"] [tags=a,b] '
        '[note="..."] [cases=N] [contacts="..."]',
        "register a partner (no name: open a form)",
    ),
    ("show NAME", "the partner's card: fields, backups, latest metrics"),
    (
        "list [category=] [tier=] [status=] [owner=@user] [tag=]",
        "the registry, filtered and paged (archived only with status=archived)",
    ),
    (
        "set NAME key=value ...",
        "change fields: name, category, tier, status, owner, backups, tags, contacts, note, cases",
    ),
    ("edit NAME", "change fields in a form"),
    ("drop NAME [reason]", "mark a partner dropped, keeping the reason (with an Undo button)"),
    ("archive NAME", "hide a partner from lists, keeping its history (with an Undo button)"),
    ("restore NAME", "bring a dropped or archived partner back"),
    ("history NAME", "who changed what, newest first"),
    (
        "metrics NAME rue= roi= sentiment= gmv= traffic= [conversion=] [redemption=] [aov=] "
        "[period=2026-W47]",
        "record metrics for a week, a month or a day (default: this week); "
        "not for an archived partner",
    ),
    ("health [NAME [chart]]", "partner health, the same as `/health`"),
    ("score NAME | top | compare | review | weights", "fit scores, the same as `/score`"),
    (
        "digest schedule | list | pause | resume | remove | now | preview",
        "scheduled health digests, the same as `/digest`",
    ),
    ("failover NAME [reason] | status | history | sla", "failover drills, as `/failover`"),
    ("help", "this list"),
]

CHOICES = (
    "categories: KOL, KOC, MCN, brand, channel, supplier, media, other · "
    "tiers: strategic, core, standard, trial · "
    "statuses: prospect, active, paused, dropped, archived"
)


def build_help(topic: str | None = None) -> dict[str, Any]:
    """The registry's subcommands with what each does; a topic narrows it to one."""
    chosen = [(u, w) for u, w in HELP if topic and u.split(" ")[0] == topic.casefold()]
    return help_message(
        "partnerbot: the partner registry",
        [(f"/partner {usage}", what) for usage, what in chosen or HELP],
        f'{CHOICES}. Names with spaces go in quotes: `/partner show "Acme Media"`. '
        "Only a partner's owner or an admin changes it.",
    )


def partner_title(partner: Partner | ListedPartner) -> str:
    return f"{STATUS_EMOJI[partner.status]} *{esc(partner.name)}*"


def _day(moment: datetime | None, zone: ZoneInfo) -> str:
    return slack_date(moment, zone, DATE) if moment else "—"


def _or_dash(text: str) -> str:
    return esc(text) if text else "—"


_USER_ID = re.compile(r"[UW][A-Z0-9]{2,}")


def _value(field: str, value: str, limit: int) -> str:
    """An audited value as mrkdwn: an owner as a mention, anything else escaped."""
    if field == "owner" and _USER_ID.fullmatch(value):
        return f"<@{value}>"
    return _or_dash(clip(value, limit))


def _change_line(field: str, before: str, after: str, limit: int = 200) -> str:
    """One change, field named as people read it: `*success cases*: 3 → 4`."""
    return (
        f"*{esc(field_label(field))}*: {_value(field, before, limit)} → "
        f"{_value(field, after, limit)}"
    )


def build_card_blocks(
    partner: Partner, metrics: list[tuple[str, str, float]] | None = None, lead: str = ""
) -> list[Block]:
    """The partner card: every field, its backups, and its latest metrics."""
    blocks: list[Block] = [
        section(
            f"{lead}{partner_title(partner)}  ·  {partner.category.value} · {partner.tier.value}"
        ),
        fields_section(
            [
                ("Status", partner.status.value),
                ("Owner", f"<@{partner.owner}>"),
                ("Backups", _or_dash(", ".join(partner.backups))),
                ("Tags", _or_dash(", ".join(partner.tags))),
                ("Success cases", str(partner.success_cases)),
                ("Contacts", _or_dash(partner.contacts)),
            ]
        ),
    ]
    if partner.status == Status.DROPPED and partner.drop_reason:
        blocks.append(section(f"*Dropped because* {esc(partner.drop_reason)}"))
    if partner.notes:
        blocks.append(section(f"*Notes*\n{esc(partner.notes)}"))
    if metrics is not None:
        blocks.append(section(_metrics_text(metrics)))
    return blocks


def _metrics_text(metrics: list[tuple[str, str, float]]) -> str:
    if not metrics:
        return "*Metrics*\nNone recorded yet: `/partner metrics NAME rue=35 roi=2.1 ...`"
    by_period: dict[str, list[str]] = defaultdict(list)
    for period, metric, value in metrics:
        if period not in by_period and len(by_period) == CARD_PERIODS:
            break  # latest periods first: the rest are not shown, so not formatted
        by_period[period].append(f"{metric} {format_metric(metric, value)}")
    lines = [f"`{period}`  {' · '.join(values)}" for period, values in by_period.items()]
    return "*Latest metrics*\n" + "\n".join(lines)


def build_card(
    partner: Partner,
    metrics: list[tuple[str, str, float]],
    zone: ZoneInfo,
    drills: DrillRecord = NO_DRILLS,
) -> dict[str, Any]:
    """`/partner show`: the card with its failover drills, Edit and History buttons; dates
    in each reader's zone, falling back to the workspace's."""
    blocks = build_card_blocks(partner, metrics)
    if (record := record_section(drills, zone)) is not None:
        blocks.append(record)
    blocks.append(
        actions(
            [
                EditPartner(partner_id=partner.id).button("Edit"),
                ShowHistory(partner_id=partner.id).button("History"),
            ]
        )
    )
    blocks.append(
        context(
            f"Registered {_day(partner.created_at, zone)} · "
            f"changed {_day(partner.updated_at, zone)}"
        )
    )
    return message(blocks, f"Partner {partner.name}")


def build_change(change: Change, verb: str, undo: Undoable | None = None) -> dict[str, Any]:
    """What a change did, field by field, under the partner's card; undo names the action
    (drop, archive) an Undo button takes back."""
    partner = change.partner
    if not change.diff:
        return message(
            [section(f"Nothing changed: {partner_title(partner)} already has those values.")],
            f"Nothing changed for {partner.name}",
        )
    lines = [f"• {_change_line(c.field, c.before, c.after)}" for c in change.diff.changes]
    blocks = [
        section(f":white_check_mark: {verb} {partner_title(partner)}"),
        *build_card_blocks(partner),
    ]
    if verb != "Added":
        blocks.append(section("\n".join(lines)))
    if undo is not None:
        blocks.append(undo_row(change, undo))
    fields = ", ".join(dict.fromkeys(field_label(c.field) for c in change.diff.changes))
    return message(blocks, f"{verb} {partner.name}" + (f": {fields}" if verb != "Added" else ""))


def undo_row(change: Change, action: Undoable) -> Block:
    """The Undo button under a drop, an archive or a retirement."""
    partner = change.partner
    assert partner.updated_at is not None  # a stored change has its time
    undo = UndoChange(partner_id=partner.id, change=action, version=partner.updated_at)
    return actions([undo.button("Undo")], block_id="undo")


def build_undone(change: Change, action: Undoable) -> dict[str, Any]:
    """What an Undo put back, in place of the message that offered it."""
    partner = change.partner
    lines = [f"• {_change_line(c.field, c.before, c.after)}" for c in change.diff.changes]
    text = (
        f":leftwards_arrow_with_hook: Undone: {partner_title(partner)} is no longer "
        f"{UNDOABLE[action]}; it is *{partner.status.value}* again.\n" + "\n".join(lines)
    )
    return message([section(text)], f"Undone: {partner.name} is {partner.status.value} again")


def build_new_owner(partner: Partner, by: str) -> dict[str, Any]:
    """The direct message that tells someone they now own a partner."""
    text = (
        f":wave: <@{by}> made you the owner of {partner_title(partner)} "
        f"({partner.category.value} · {partner.tier.value} · {partner.status.value}). "
        f"See it with `/partner show {esc(typed_name(partner.name))}`."
    )
    return message([section(text)], f"You now own {partner.name}")


def build_metrics_recorded(change: Change, period: str) -> dict[str, Any]:
    partner = change.partner
    if not change.diff:
        text = f"Nothing changed: {partner_title(partner)} already has those values for `{period}`."
        return message([section(text)], text, escaped=True)
    lines = [
        f"• *{field_label(c.field.split('@')[0])}*: {c.before + ' → ' if c.before else ''}{c.after}"
        for c in change.diff.changes
    ]
    text = f":bar_chart: Recorded for {partner_title(partner)}, `{period}`:\n" + "\n".join(lines)
    blocks = [section(text)]
    if partner.status == Status.DROPPED:
        # Said, not refused: a dropped partner's figures still measure what its loss cost.
        blocks.append(
            context(
                "This partner is dropped; its metrics are kept for its history and for "
                "measuring what losing it cost."
            )
        )
    return message(blocks, f"Metrics recorded for {partner.name}")


def _filters_text(filters: ListFilters) -> str:
    parts = [
        f"{k}={esc(str(v)) if k != 'owner' else f'<@{v}>'}"
        for k, v in filters.as_params().items()
        if v
    ]
    return " ".join(parts)


def build_list(page: Page[ListedPartner] | Page[Partner], filters: ListFilters) -> dict[str, Any]:
    """One page of the registry, with previous/next buttons past the page size."""
    shown = _filters_text(filters)
    if page.total == 0:
        hint = f" matching `{shown}`" if shown else ""
        text = f"No partners{hint} yet. Add one with `/partner add NAME`."
        return message([section(text)], "No partners")
    first, last = page.offset + 1, page.offset + len(page.items)
    title = f"*Partners* {first}–{last} of {page.total}" + (f"  ·  {shown}" if shown else "")
    blocks: list[Block] = [section(title), divider()]
    for partner in page.items:
        blocks.append(
            section(
                f"{partner_title(partner)}\n{partner.category.value} · {partner.tier.value} · "
                f"{partner.status.value} · owner <@{partner.owner}>"
            )
        )
    base = filters.as_params()
    previous = ListPage(offset=max(page.offset - page.size, 0), **base)
    following = ListPage(offset=page.offset + page.size, **base)
    blocks += pager(
        previous if page.has_previous else None,
        following if page.has_next else None,
        "list-nav",
    )
    return message(blocks, f"Partners {first}–{last} of {page.total}")


def build_history(partner: Partner, page: Page[AuditEntry], zone: ZoneInfo) -> dict[str, Any]:
    """A partner's audit trail, newest first, paged; each time in the reader's own zone."""
    if page.total == 0:
        return message(
            [section(f"No changes recorded for {partner_title(partner)}.")], "No history"
        )
    first, last = page.offset + 1, page.offset + len(page.items)
    blocks: list[Block] = [
        section(f"*History of* {partner_title(partner)}  ·  {first}–{last} of {page.total}")
    ]
    for entry in page.items:
        when = slack_date(entry.at, zone)
        who = "the command line" if entry.actor == "cli" else f"<@{entry.actor}>"
        change = _change_line(entry.field, entry.before, entry.after, 500)
        blocks.append(section(f"{when} {who} _{esc(entry.action)}_ {change}"))
    newer = HistoryPage(partner_id=partner.id, offset=max(page.offset - page.size, 0))
    older = HistoryPage(partner_id=partner.id, offset=page.offset + page.size)
    blocks += pager(
        newer if page.has_previous else None,
        older if page.has_next else None,
        "history-nav",
        ("Newer", "Older"),
    )
    return message(blocks, f"History of {partner.name}")
