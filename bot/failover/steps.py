"""Steps 2 and 3 of the kit: the stop-gap measures ticked off with their notes, the users'
"service upgrade" message draft in the workspace's language, and where it was sent. Pure."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bot.errors import RuleError
from bot.failover.content import MEASURE_TITLES, Language, Measure, MeasureTick, Sending
from bot.failover.rules import (
    MAX_NOTE,
    Drill,
    Event,
    EventKind,
    StepKey,
    check_open,
    check_reason,
)

MAX_WHERE = 200


class MeasureChanged(RuleError):
    """The measure was ticked or its note changed after the form was opened."""

    def __init__(self, tick: MeasureTick) -> None:
        self.tick = tick
        super().__init__(f"{MEASURE_TITLES[tick.measure]} was changed since this form opened.")


def check_note(measure: Measure, raw: str) -> str:
    """A measure's note: optional, except for "other", which says what the measure is."""
    note = check_reason(raw, "The note", MAX_NOTE)
    if measure is Measure.OTHER and not note:
        raise RuleError("Say what the other measure is.")
    return note


def tick(drill: Drill, measure: Measure) -> MeasureTick | None:
    """The measure's tick on the drill, if it was ticked."""
    return next((t for t in drill.measures if t.measure is measure), None)


def tick_measure(
    drill: Drill,
    measure: Measure,
    raw_note: str,
    seen: datetime | None,
    actor: str,
    at: datetime,
) -> tuple[Drill, Event]:
    """Tick a measure off with its note; ticking it again replaces its note. seen: when the
    measure was last ticked as the form showed it (None: not ticked), so a form opened before
    someone else's tick or note is refused rather than writing over it."""
    check_open(drill)
    note = check_note(measure, raw_note)
    before = tick(drill, measure)
    if (None if before is None else before.at) != seen:
        assert before is not None  # seen is only ever a tick's time
        raise MeasureChanged(before)
    if before is not None and before.note == note:
        raise RuleError(f"{MEASURE_TITLES[measure]} has that note already; nothing was changed.")
    done = MeasureTick(measure, note, actor, at)
    kept = tuple(t for t in drill.measures if t.measure is not measure)
    ordered = tuple(sorted((*kept, done), key=lambda t: list(Measure).index(t.measure)))
    title = MEASURE_TITLES[measure]
    detail = f"{title}: {note}" if note else title
    if before is not None:
        detail = f"{title} (note changed): {note}" if note else f"{title} (note removed)"
    return replace(drill, measures=ordered), Event(
        EventKind.MEASURED, actor, at, StepKey.TAKEOVER, detail
    )


def record_sending(drill: Drill, raw_where: str, actor: str, at: datetime) -> tuple[Drill, Event]:
    """Record that the users' message was sent, and where (as the sender says it)."""
    check_open(drill)
    where = check_reason(raw_where, "Where it was sent", MAX_WHERE)
    if not where:
        raise RuleError("Say where the message was sent.")
    after = replace(drill, sendings=(*drill.sendings, Sending(where, actor, at)))
    return after, Event(EventKind.SENT, actor, at, StepKey.COMMS, where)


_DRAFTS = {
    (Language.EN, True): (
        "Service upgrade\n\n"
        "We are upgrading how we serve you. From today, {backup} takes over the offers and "
        "services you have been getting through {partner}, so you can count on the same "
        "benefits, with more to come.\n\n"
        "Nothing changes on your side: your orders, coupons and membership benefits carry "
        "over as they are.\n\n"
        "Questions? Reply to this message and our team will help."
    ),
    (Language.EN, False): (
        "Service upgrade\n\n"
        "We are upgrading the offers and services you have been getting through {partner}. "
        "Over the coming days you may see them reach you through new channels; your "
        "benefits stay in place throughout.\n\n"
        "Nothing changes on your side: your orders, coupons and membership benefits carry "
        "over as they are.\n\n"
        "We will tell you as soon as the upgrade is complete. Questions? Reply to this "
        "message and our team will help."
    ),
    (Language.ZH, True): (
        "【服务升级公告】\n\n"
        "为给您带来更好的体验，我们正在进行服务升级。即日起，原由{partner}提供的优惠与服务"
        "将由{backup}承接，您享有的权益保持不变，更多惊喜敬请期待。\n\n"
        "您无需任何操作：订单、优惠券和会员权益均照常保留。\n\n"
        "如有疑问，欢迎回复本消息，我们的团队将竭诚为您服务。"
    ),
    (Language.ZH, False): (
        "【服务升级公告】\n\n"
        "为给您带来更好的体验，我们正在对原由{partner}提供的优惠与服务进行升级。"
        "升级期间，相关服务可能通过新的渠道为您提供，您享有的权益始终保持不变。\n\n"
        "您无需任何操作：订单、优惠券和会员权益均照常保留。\n\n"
        "升级完成后我们将第一时间通知您。如有疑问，欢迎回复本消息，我们的团队将竭诚为您服务。"
    ),
}


def draft(language: Language, partner: str, backup: str | None) -> str:
    """The users' message in a "service upgrade" framing that never blames the partner:
    the backup named once one is engaged, a neutral wording until then."""
    template = _DRAFTS[(language, backup is not None)]
    return template.format(partner=partner, backup=backup or "")
