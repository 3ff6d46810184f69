"""The summary's inputs read only what `summarise` keeps (the summary_points queries): on a
generated pool, then a file replacing values out of order in periods of every kind, each
summary equals the full computation from every metric, on both engines."""

import random
from datetime import UTC, date, datetime, timedelta

from bot.access import Actor
from bot.health.rules import MetricPoint
from bot.health.summary import from_json, summarise, to_json
from bot.health.summary_columns import stored_summary
from bot.health.upkeep import draft_summaries, rebuild_stale_summaries
from bot.metrics import PERIOD_KINDS, Period, parse_period, week_of
from bot.registry.imports import import_metrics
from bot.registry.rules import Status
from bot.registry.service import record_metrics
from storage.store import PostgresStore, SQLiteStore
from tests.bot.health.pools import RUE, SENTIMENT, TEAM, generate_pool
from tests.support.databases import execute

AT = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
ROI = (2.1, 2.0999, 0.1, 0.001, 3.3, 999.123456789, 0.30000000000000004)

Store = SQLiteStore | PostgresStore


def _label(rng: random.Random, today: date) -> str:
    """A period of any kind, up to two years back (past the 12 weeks and months kept)."""
    kind = rng.choice(("week", "week", "month", "day"))
    if kind == "week":
        return week_of(today - timedelta(weeks=rng.randint(-1, 100))).label
    if kind == "month":
        index = today.year * 12 + today.month - 1 - rng.randint(0, 24)
        return f"{index // 12}-{index % 12 + 1:02d}"
    return (today - timedelta(days=rng.randint(0, 700))).isoformat()


def _replacing_file(rng: random.Random, names: list[str], today: date) -> str:
    """Values for old and new periods of every kind, rows shuffled (not in period order)."""
    rows: dict[tuple[str, str], list[str]] = {}
    for name in names:
        for _ in range(rng.randint(0, 40)):
            values = [
                repr(rng.choice(RUE)) if rng.random() < 0.6 else "",
                repr(rng.choice(ROI)) if rng.random() < 0.6 else "",
                repr(rng.choice(SENTIMENT)) if rng.random() < 0.6 else "",
            ]
            if any(values):
                rows[(name, _label(rng, today))] = values
    lines = [",".join([name, label, *values]) for (name, label), values in rows.items()]
    rng.shuffle(lines)
    return "name,period,rue,roi,sentiment\n" + "\n".join(lines) + "\n"


async def _assert_summaries_are_full(store: Store) -> int:
    """Every stored summary, and summarise over summary_points(_of), is summarise over every
    value; returns how many summaries were compared (archived partners' are not read)."""
    async with store.read() as tx:
        partners = await tx.all_partners(TEAM)
        stored = await tx.pool_summaries(TEAM)
        many = await tx.summary_points_of(TEAM, [p.id for p in partners])
        for partner in partners:
            full = summarise(await tx.rule_points(TEAM, partner.id))
            assert summarise(await tx.summary_points(TEAM, partner.id)) == full, partner.name
            assert summarise(many.get(partner.id, [])) == full, partner.name
            if partner.id in stored:
                assert stored[partner.id] == to_json(full), partner.name
    return len(stored)


async def test_summaries_after_values_replaced_out_of_order_are_the_full_computation(
    store: Store,
) -> None:
    await generate_pool(store, AT, 31, 60, {})
    today = AT.date()
    rng = random.Random(31)
    async with store.read() as tx:
        names = [p.name for p in await tx.all_partners(TEAM) if p.status != Status.ARCHIVED]
    for round_ in range(3):  # each round replaces values of the one before, in new orders
        text = _replacing_file(rng, names, today)
        result = await import_metrics(store, AT, TEAM, text, today=today, chunk_size=97)
        assert result.updated and result.created, round_
        assert await _assert_summaries_are_full(store) > len(names) // 2
    async with store.read() as tx:  # the pool holds what the windows' edges need
        pid = (await tx.all_partners(TEAM))[0].id
        everything = await tx.rule_points(TEAM, pid)
        assert len(await tx.summary_points(TEAM, pid)) < len(everything)
    assert {p.period.kind for p in everything} == {"week", "month", "day"}


async def test_a_single_write_and_the_stale_rebuild_are_the_full_computation(
    store: Store,
) -> None:
    await generate_pool(store, AT, 32, 30, {})
    owner = Actor("U0OWNER")
    async with store.read() as tx:
        name = next(p.name for p in await tx.all_partners(TEAM) if p.status != Status.ARCHIVED)
    for label in ("2026-W20", "2026-05", "2026-05-14", "2024-W02", "2026-W47"):
        await record_metrics(
            store, AT, TEAM, owner, name, {"rue": 10.0, "roi": 0.5}, parse_period(label)
        )
        await record_metrics(store, AT, TEAM, owner, name, {"sentiment": 42.0}, parse_period(label))
    assert await _assert_summaries_are_full(store) > 15
    await execute(store, "UPDATE health_summary SET stale = 1, inputs = '{}'")
    assert await rebuild_stale_summaries(store) == 30
    assert await _assert_summaries_are_full(store) > 15
    async with store.read() as tx:
        pid = next(p.id for p in await tx.all_partners(TEAM) if p.name == name)
        assert from_json((await tx.pool_summaries(TEAM))[pid]).sentiment


def test_the_kinds_the_sentiment_window_reads_are_every_kind_of_period() -> None:
    labels = ("2026-W05", "2026-05", "2026-05-14")
    assert sorted(parse_period(label).kind for label in labels) == sorted(PERIOD_KINDS)


class _DraftTx:
    """summary_points_of keeps only the latest rue week; rule_points_of has every value."""

    def __init__(self, stored: list[MetricPoint]) -> None:
        self.stored = stored
        self.full_reads: list[list[int]] = []

    async def summary_inputs_of(self, team_id: str, ids: object) -> dict[int, tuple[int, None]]:
        return {1: (3, None)}  # stale: the draft reads the values

    async def summary_points_of(self, team_id: str, ids: object) -> dict[int, list[MetricPoint]]:
        return {1: [max(self.stored, key=lambda p: p.period.start)]}

    async def rule_points_of(self, team_id: str, ids: list[int]) -> dict[int, list[MetricPoint]]:
        self.full_reads.append(list(ids))
        return {1: list(self.stored)}


async def test_a_draft_whose_replaced_value_moved_reads_every_value() -> None:
    """A kept value replaced by one of another period (as stored before labels were
    canonical) leaves a slot that only a full read fills."""
    weeks = [week_of(date(2026, 10, 5) + timedelta(weeks=i)) for i in range(3)]
    stored = [MetricPoint(1, w, "rue", 10.0 + i) for i, w in enumerate(weeks)]
    moved = Period(weeks[0].start, weeks[0].end, "week", weeks[2].label)  # the latest's label
    new = [MetricPoint(1, moved, "rue", 99.0)]
    tx = _DraftTx(stored)
    drafts = await draft_summaries(tx, TEAM, {1: new})  # type: ignore[arg-type]
    assert tx.full_reads == [[1]]
    assert drafts.summaries[1] == stored_summary(summarise(stored[:2] + new))
    assert drafts.versions == {1: 3}
    tx = _DraftTx([MetricPoint(1, weeks[2], "rue", 12.0)])
    same = [MetricPoint(1, weeks[2], "rue", 50.0)]
    drafts = await draft_summaries(tx, TEAM, {1: same})  # type: ignore[arg-type]
    assert tx.full_reads == [] and drafts.summaries[1] == stored_summary(summarise(same))


async def test_roi_values_between_are_every_roi_value_starting_in_each_span(
    store: Store,
) -> None:
    """The drafts' ROI months (roi_values_between, found by period end as well on SQLite):
    every ROI value of a partner whose period starts within its span, weeks, months and days,
    a span's first day and last day included, nothing else."""
    await generate_pool(store, AT, 33, 20, {})
    async with store.read() as tx:
        partners = await tx.all_partners(TEAM)
        everything = {p.id: await tx.rule_points(TEAM, p.id) for p in partners}
    rng = random.Random(33)
    spans = []
    for pid, points in everything.items():
        starts = sorted({p.period.start for p in points if p.metric == "roi"})
        if len(starts) < 2:
            continue
        first = rng.choice(starts)  # on a stored start: the edges are in
        last = min(first + timedelta(days=rng.randint(0, 62)), max(starts))
        spans.append((pid, first, last))
    assert len(spans) > 10
    expected = sorted(
        (p.partner_id, p.period.label, p.value)
        for pid, first, last in spans
        for p in everything[pid]
        if p.metric == "roi" and first <= p.period.start <= last
    )
    async with store.read() as tx:
        found = await tx.roi_values_between(TEAM, spans)
    assert sorted((p.partner_id, p.period.label, p.value) for p in found) == expected
    assert {p.period.kind for p in found} == {"week", "month", "day"}
