"""Failover drills' use cases over the store: start one, move its steps, read them, and the
deadlines' settings. Each transition is one versioned write plus its timeline row."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime

from bot.access import Actor, check_admin
from bot.errors import NotFound, RuleError, WriteConflict
from bot.failover import rules
from bot.failover.content import Language
from bot.failover.rules import (
    SLA_DEFAULTS,
    SLA_SCOPE,
    Drill,
    Event,
    EventKind,
    StepKey,
)
from bot.ports import Store, Tx
from bot.registry.lookup import find, suggestions
from bot.registry.rules import FieldChange, Partner, Status, name_key, typed_name
from bot.registry.service import WRITE_ATTEMPTS, retry_conflicts
from bot.workspace_settings import write_settings

HISTORY_LIMIT = 20

Transition = Callable[[Drill], tuple[Drill, Event]]
# What a transition writes beyond the drill, its step and its event, in the same transaction.
Also = Callable[[Tx, Drill], Awaitable[None]]


@dataclass(frozen=True)
class Started:
    """A start's outcome: the new drill, or (created False) the partner's open one."""

    drill: Drill
    created: bool


async def read_sla(tx: Tx, team_id: str) -> dict[str, float]:
    """The deadlines in force, in minutes: the stored ones over the defaults."""
    stored = await tx.settings(team_id, SLA_SCOPE)
    return {k: stored.get(k, v) for k, v in SLA_DEFAULTS.items()}


async def sla(store: Store, team_id: str) -> dict[str, float]:
    """The deadlines in force, in minutes."""
    async with store.read() as tx:
        return await read_sla(tx, team_id)


async def set_sla(
    store: Store, at: datetime, team_id: str, actor: Actor, updates: dict[str, float]
) -> tuple[dict[str, float], list[FieldChange]]:
    """Change the deadlines (admins only), each change audited; drills already open keep
    the deadlines they started with."""
    check_admin(actor, "the failover deadlines")

    async def attempt() -> tuple[dict[str, float], list[FieldChange]]:
        async with store.write() as tx:
            changes = await write_settings(
                tx,
                team_id,
                SLA_SCOPE,
                actor,
                at,
                SLA_DEFAULTS,
                updates,
                "failover",
                lambda _key, minutes: rules.format_minutes(minutes),
            )
            return await read_sla(tx, team_id), changes

    return await retry_conflicts(attempt)


async def start_drill(
    store: Store,
    at: datetime,
    team_id: str,
    actor: Actor,
    words: tuple[str, ...],
    channel_id: str,
    language: Language = Language.EN,
) -> Started:
    """Open a drill in channel_id on the partner that the longest leading run of words
    names (the rest is the reason, as for `/partner drop`), its users' message drafted in
    language; a partner with an open drill already gets that one back (created False),
    whoever started it."""
    async with store.write() as tx:
        for count in range(len(words), 0, -1):
            partner = await tx.partner_by_key(team_id, name_key(" ".join(words[:count])))
            if partner is not None:
                break
        else:
            raise NotFound(words[0], await suggestions(tx, team_id, " ".join(words)))
        why = rules.check_reason(" ".join(words[count:]))
        return await _open_drill(tx, at, actor, partner, why, channel_id, language)


async def start_drill_for(
    store: Store,
    at: datetime,
    team_id: str,
    actor: Actor,
    partner_id: int,
    channel_id: str,
    language: Language = Language.EN,
) -> Started:
    """Open a drill in channel_id on a partner by the id a Start button or a drop carries;
    the reason is the partner's drop reason when it is dropped. A partner gone since the
    button was drawn is refused, as for `/failover NAME`; an open drill is given back."""
    async with store.write() as tx:
        partner = await tx.partner_by_id(team_id, partner_id, full=False)
        if partner is None:
            raise RuleError("That partner no longer exists, so no drill was started.")
        why = ""
        if partner.status is Status.DROPPED and partner.drop_reason:
            why = rules.check_reason(clip_reason(partner.drop_reason))
        return await _open_drill(tx, at, actor, partner, why, channel_id, language)


def clip_reason(text: str) -> str:
    """A reason cut to the length a drill keeps (a drop's reason may be longer)."""
    text = text.strip()
    return text if len(text) <= rules.MAX_REASON else text[: rules.MAX_REASON - 1] + "…"


async def _open_drill(
    tx: Tx,
    at: datetime,
    actor: Actor,
    partner: Partner,
    why: str,
    channel_id: str,
    language: Language,
) -> Started:
    """The drill opened on partner inside tx, or the one open already (created False): the
    partial unique index decides between two starts at once. An archived partner is
    refused: it has left the registry's lists, so there is nothing to fail over."""
    if partner.status is Status.ARCHIVED:
        raise RuleError(
            f"{partner.name} is archived, so no drill was started; "
            f"`/partner restore {typed_name(partner.name)}` brings it back."
        )
    team_id = partner.team_id
    open_drill = await tx.open_failover_drill(team_id, partner.id)
    if open_drill is not None:
        return Started(open_drill, created=False)
    steps = rules.new_steps(actor.user_id, at, await read_sla(tx, team_id))
    draft = Drill(0, team_id, partner.id, partner.name, channel_id, why, actor.user_id, at, steps)
    draft = replace(draft, language=language)
    drill_id = await tx.insert_failover_drill(draft)
    if drill_id is None:  # another start won between the read and the insert
        existing = await tx.open_failover_drill(team_id, partner.id)
        if existing is None:
            raise WriteConflict(partner.name)
        return Started(existing, created=False)
    await tx.add_failover_event(
        team_id, drill_id, 1, Event(EventKind.STARTED, actor.user_id, at, None, why or None)
    )
    drill = await tx.failover_drill(team_id, drill_id)
    assert drill is not None
    return Started(drill, created=True)


async def attach_messages(
    store: Store, team_id: str, drill_id: int, root_ts: str | None, checklist_ts: str | None
) -> None:
    """Remember where the drill's root message and checklist were posted."""
    async with store.write() as tx:
        await tx.set_failover_messages(team_id, drill_id, root_ts, checklist_ts)


async def discard_drill(store: Store, team_id: str, drill_id: int) -> None:
    """Remove a drill whose root message could not be posted: nobody can see it."""
    async with store.write() as tx:
        await tx.delete_failover_drill(team_id, drill_id)


async def drill(store: Store, team_id: str, drill_id: int) -> Drill:
    """One drill as stored; RuleError when it is gone."""
    async with store.read(snapshot=False) as tx:  # one statement
        found = await tx.failover_drill(team_id, drill_id)
    if found is None:
        raise RuleError("That failover drill no longer exists; nothing was changed.")
    return found


async def _transition(
    store: Store, team_id: str, drill_id: int, move: Transition, also: Also | None = None
) -> tuple[Drill, Event]:
    """Apply move to the drill as stored now, written only over the version read: when
    another transition landed in between, read again and decide again on the new state."""
    for _ in range(WRITE_ATTEMPTS):
        async with store.write() as tx:
            current = await tx.failover_drill(team_id, drill_id)
            if current is None:
                raise RuleError("That failover drill no longer exists; nothing was changed.")
            after, event = move(current)
            version = await tx.advance_failover_drill(current.version, after)
            if version is None:
                continue
            if event.step is not None:
                await tx.write_failover_step(team_id, drill_id, after.step(event.step))
            await tx.add_failover_event(team_id, drill_id, version, event)
            if also is not None:
                await also(tx, after)
            stored = await tx.failover_drill(team_id, drill_id)
            assert stored is not None
            return stored, event
    raise WriteConflict("the failover drill")


async def complete_step(
    store: Store, at: datetime, team_id: str, actor: Actor, drill_id: int, step: StepKey
) -> tuple[Drill, Event]:
    """Done on a step (on close: close the drill). StepAlreadyHandled says by whom."""
    return await _transition(
        store, team_id, drill_id, lambda d: rules.complete(d, step, actor.user_id, at)
    )


async def skip_step(
    store: Store,
    at: datetime,
    team_id: str,
    actor: Actor,
    drill_id: int,
    step: StepKey,
    reason: str,
) -> tuple[Drill, Event]:
    """Skip a step with its reason."""
    return await _transition(
        store, team_id, drill_id, lambda d: rules.skip(d, step, actor.user_id, at, reason)
    )


async def assign_step(
    store: Store,
    at: datetime,
    team_id: str,
    actor: Actor,
    drill_id: int,
    step: StepKey,
    owner: str,
) -> tuple[Drill, Event]:
    """Give a step to another owner."""
    return await _transition(
        store, team_id, drill_id, lambda d: rules.assign(d, step, actor.user_id, at, owner)
    )


async def open_drills(store: Store, team_id: str) -> list[Drill]:
    """The workspace's open drills, oldest first."""
    async with store.read(snapshot=False) as tx:  # one statement
        return await tx.open_failover_drills(team_id)


async def history(store: Store, team_id: str, name: str | None) -> tuple[str | None, list[Drill]]:
    """The latest drills, of one partner when named (its name as registered)."""
    async with store.read() as tx:
        if name is None:
            return None, await tx.recent_failover_drills(team_id, None, HISTORY_LIMIT)
        partner = await find(tx, team_id, name, full=False)
        return partner.name, await tx.recent_failover_drills(team_id, partner.id, HISTORY_LIMIT)


async def timeline(store: Store, team_id: str, drill_id: int) -> list[Event]:
    """A drill's transitions, oldest first."""
    async with store.read(snapshot=False) as tx:  # one statement
        return await tx.failover_timeline(team_id, drill_id)
