"""Fit-score use cases: rate, the card, compare, the ranking, the yearly review, weights."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.access import Actor, check_admin, check_can_change
from bot.errors import NotFound, RuleError, StaleEdit, WriteConflict
from bot.failover.record import NO_DRILLS, DrillRecord
from bot.health.rules import MetricPoint, month_of
from bot.ports import Store, Tx
from bot.registry.lookup import find, suggestions
from bot.registry.rules import Category, FieldChange, Partner, PartnerFields, Status, name_key
from bot.registry.service import Change, apply_change, retry_conflicts
from bot.scoring.ranking import RankInputs, composites, rank_inputs
from bot.scoring.rules import (
    DIMENSIONS,
    FitScore,
    Ranked,
    Rating,
    ReviewEntry,
    ScoreChange,
    Weights,
    efficiency,
    explain_change,
    fit_score,
    review,
    weights_from,
    weights_from_updates,
)
from bot.workspace_settings import write_settings

SCORE = "score"  # the scope of the weights among a workspace's settings
RANKED_STATUSES = frozenset({Status.PROSPECT, Status.ACTIVE, Status.PAUSED})


@dataclass(frozen=True)
class CardVersion:
    """Changes with every rating and every change of the partner: saving a Rate form opened
    on an older version would undo what came since."""

    rating_id: int  # the latest rating's id; 0 when never rated
    changed_at: datetime | None  # the partner's updated_at


@dataclass(frozen=True)
class ScoreCard:
    partner: Partner
    score: FitScore
    rating: Rating | None  # the latest rating; None: never rated
    change: ScoreChange | None  # since the previous rating; None: nothing to compare
    version: CardVersion  # what a Rate form was opened on
    saved: bool = True  # False: a rating that changed nothing was not stored
    drills: DrillRecord = NO_DRILLS  # the partner's failover drills, read by score_card


async def current_weights(tx: Tx, team_id: str) -> Weights:
    return weights_from(await tx.settings(team_id, SCORE))


def _values(rating: Rating | None) -> dict[str, float | None]:
    return dict(rating.values) if rating else {d: None for d in DIMENSIONS}


def _version(partner: Partner, latest: Rating | None) -> CardVersion:
    return CardVersion(latest.id if latest else 0, partner.updated_at)


async def _card(tx: Tx, partner: Partner, saved: bool = True) -> ScoreCard:
    weights = await current_weights(tx, partner.team_id)
    ratings = await tx.recent_ratings(partner.team_id, partner.id, 2)
    roi = await tx.partner_latest_roi(partner.team_id, partner.id)
    return _card_of(partner, weights, ratings, roi, saved)


def _card_of(
    partner: Partner,
    weights: Weights,
    ratings: list[Rating],
    roi: tuple[str, float] | None,
    saved: bool = True,
) -> ScoreCard:
    """The card from what was read: ratings newest first (the latest two suffice)."""
    latest = ratings[0] if ratings else None
    score = fit_score(_values(latest), weights, partner.success_cases, roi)
    change = None
    if latest is not None:
        now = replace(latest, weights=weights, cases=partner.success_cases)
        before = ratings[1] if len(ratings) > 1 else None
        if before is None and latest.weights != weights:
            before = latest  # rated once, then the weights moved
        if before is not None:  # a first rating has nothing to compare with
            change = explain_change(before, now)
    return ScoreCard(partner, score, latest, change, _version(partner, latest), saved)


async def score_card(
    store: Store, team_id: str, name: str = "", *, partner_id: int | None = None
) -> ScoreCard:
    """A partner's fit score with its gates and why it changed since the previous rating,
    and its failover drills; by name in one statement (one snapshot), or by a button's id."""
    async with store.read(snapshot=partner_id is not None) as tx:
        if partner_id is None:
            found = await tx.score_inputs(team_id, name_key(name), SCORE)
            if found is None:
                raise NotFound(name, await suggestions(tx, team_id, name))
            weights = weights_from(found.weights)
            card = _card_of(found.partner, weights, found.ratings, found.roi)
            return replace(card, drills=found.drills)
        card = await _card(tx, await find(tx, team_id, name, partner_id, full=False))
        drills = await tx.partner_failover_record(team_id, card.partner.id)
    return replace(card, drills=drills)


async def rate(
    store: Store,
    at: datetime,
    team_id: str,
    actor: Actor,
    updates: dict[str, float],
    cases: int | None,
    *,
    name: str = "",
    partner_id: int | None = None,
    version: CardVersion | None = None,
) -> ScoreCard:
    """Record a rating (owner or admin): the given dimensions over the latest ones, the
    verified success cases if given, and the weights in force, all kept. A rating that
    changes nothing is not stored; a form opened before a newer rating is refused."""
    if not updates and cases is None:
        raise RuleError(
            "Give at least one dimension or `cases=`, e.g. `brand=80 audience=72 cases=4`."
        )

    async def attempt() -> ScoreCard:
        async with store.write() as tx:
            partner = await find(tx, team_id, name, partner_id, full=False)
            check_can_change(partner, actor)
            recent = await tx.recent_ratings(team_id, partner.id, 1)
            latest = recent[0] if recent else None
            stale = StaleEdit(
                f"*{partner.name}* was rated or changed since this form was opened; "
                "close it and rate again to see the latest values."
            )
            if version is not None and version != _version(partner, latest):
                raise stale
            try:
                return await _save_rating(tx, at, actor, partner, latest, updates, cases)
            except WriteConflict:
                if version is None:
                    raise
                raise stale from None

    return await retry_conflicts(attempt)


async def _save_rating(
    tx: Tx,
    at: datetime,
    actor: Actor,
    partner: Partner,
    latest: Rating | None,
    updates: dict[str, float],
    cases: int | None,
) -> ScoreCard:
    """Store a rating over the latest one read, with one versioned UPDATE of the partner's
    row; WriteConflict when another rating or change landed since that read."""
    values = {**_values(latest), **updates}
    weights = await current_weights(tx, partner.team_id)
    same_cases = cases is None or cases == partner.success_cases
    if latest and latest.values == values and latest.weights == weights and same_cases:
        return await _card(tx, partner, saved=False)
    if cases is not None:
        change: Change = await apply_change(
            tx, at, actor, partner, PartnerFields(success_cases=cases), "rate"
        )
        partner = change.partner
    assert partner.updated_at is not None  # read from the store
    rating = Rating(values, weights, partner.success_cases, actor.user_id, at)
    rating_id = await tx.insert_rating(partner.team_id, partner.id, rating)
    previous = latest.id if latest else 0
    if not await tx.advance_rating(
        partner.team_id, partner.id, previous, rating_id, partner.updated_at
    ):
        raise WriteConflict(partner.name)
    return await _card(tx, partner)


async def compare(store: Store, team_id: str, names: list[str]) -> list[ScoreCard]:
    """Two to four partners' cards, in the order named."""
    if not 2 <= len(names) <= 4:
        raise RuleError('Compare two to four partners: `/score compare "A" "B"`.')
    async with store.read() as tx:
        partners = [await find(tx, team_id, name, full=False) for name in names]
        if len({p.id for p in partners}) != len(partners):
            raise RuleError("Name each partner once.")
        return [await _card(tx, p) for p in partners]


async def ranking(
    store: Store, team_id: str, category: Category | None = None, *, limit: int | None = None
) -> list[Ranked]:
    """Every scored current partner, best first (the first `limit`, None: all): one statement
    for the pool's inputs, ordered in a worker thread with a full fit score made only for
    the entries returned, so a large pool does not hold up the event loop."""
    async with store.read() as tx:
        weights = await current_weights(tx, team_id)
        pool = await tx.ranking_inputs(team_id)
    if category is not None:
        pool = [entry for entry in pool if entry.category == category]
    return await asyncio.to_thread(rank_inputs, pool, weights, limit)


@dataclass(frozen=True)
class Review:
    retire: list[ReviewEntry]  # the least efficient share, least efficient first
    considered: int  # active partners with ROI and a benchmark
    unmeasured: list[str]  # active partners without ROI in the year or without a benchmark
    owners: dict[int, str] = field(default_factory=dict)  # by partner id: who may retire it


def monthly_means(points: list[MetricPoint]) -> list[float]:
    """The mean ROI of each calendar month (a week counts in its Thursday's month, as in the
    health rule), so a partner reporting weekly weighs no more than one reporting monthly."""
    by_month: dict[date, list[float]] = defaultdict(list)
    for point in points:
        by_month[month_of(point.period)].append(point.value)
    return [sum(values) / len(values) for values in by_month.values()]


async def yearly_review(
    store: Store, at: datetime, zone: ZoneInfo, team_id: str, share: float
) -> Review:
    """The least efficient share of active partners by ROI over the trailing twelve months
    (in the workspace's time zone) relative to their category's benchmark, ties broken by
    composite; the year's ROI summed per month in the database, weighed in a worker thread."""
    today = at.astimezone(zone).date()
    async with store.read() as tx:
        weights = await current_weights(tx, team_id)
        partners = [p for p in await tx.all_partners(team_id) if p.status == Status.ACTIVE]
        rois = await tx.roi_monthly(team_id, today - timedelta(days=365), today)
        benchmarks = await tx.benchmarks(team_id)
        rated = await tx.ranking_inputs(team_id)
    return await asyncio.to_thread(
        _review, partners, _Pool(rois, benchmarks, weights, rated), share
    )


@dataclass(frozen=True)
class _Pool:
    """What the review weighs the active partners by."""

    rois: dict[int, list[float]]  # the year's monthly mean ROI, by partner
    benchmarks: dict[str, float]
    weights: Weights
    rated: list[RankInputs]  # the current partners' latest ratings


def _review(partners: list[Partner], pool: _Pool, share: float) -> Review:
    scores = composites(pool.rated, pool.weights)  # None when a dimension is not rated
    entries, unmeasured = [], []
    for p in partners:
        means = pool.rois.get(p.id, [])
        ratio = efficiency(means, pool.benchmarks.get(p.category.value))
        if ratio is None:
            unmeasured.append(p.name)
            continue
        entries.append(ReviewEntry(p.id, p.name, p.category, ratio, scores.get(p.id)))
    owners = {p.id: p.owner for p in partners}
    return Review(review(entries, share) if entries else [], len(entries), unmeasured, owners)


async def retire(store: Store, at: datetime, team_id: str, actor: Actor, partner_id: int) -> Change:
    """Archive a partner picked in the yearly review (owner or admin), audited as retire."""
    return await retry_conflicts(lambda: _retire(store, at, team_id, actor, partner_id))


async def _retire(
    store: Store, at: datetime, team_id: str, actor: Actor, partner_id: int
) -> Change:
    async with store.write() as tx:
        partner = await find(tx, team_id, "", partner_id, full=False)
        check_can_change(partner, actor)
        if partner.status not in (Status.ACTIVE, Status.ARCHIVED):
            raise RuleError(
                f"*{partner.name}* is {partner.status.value} now; the review retires active "
                "partners only. Run `/score review` again."
            )
        return await apply_change(
            tx, at, actor, partner, PartnerFields(status=Status.ARCHIVED), "retire"
        )


async def weights(store: Store, team_id: str) -> Weights:
    async with store.read() as tx:
        return await current_weights(tx, team_id)


async def set_weights(
    store: Store, at: datetime, team_id: str, actor: Actor, updates: dict[str, float]
) -> tuple[Weights, list[FieldChange]]:
    """Change weights or the threshold (admins only); each change is audited. Returns the
    weights as stored afterwards, another admin's change at the same moment included."""
    check_admin(actor, "the weights")

    async def attempt() -> tuple[Weights, list[FieldChange]]:
        async with store.write() as tx:
            weights_from_updates(await current_weights(tx, team_id), updates)  # refuses bad sets
            changes = await write_settings(
                tx, team_id, SCORE, actor, at, Weights().as_dict(), updates, "score"
            )
            return await current_weights(tx, team_id), changes

    return await retry_conflicts(attempt)
