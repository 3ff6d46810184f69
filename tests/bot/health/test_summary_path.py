"""The portfolio and digests from the health summaries against the full computation from
every metric of the window, on generated pools, on both engines."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.access import Actor
from bot.digest.command import Scope
from bot.digest.content import assess_scoped, assess_scoped_summaries, overdue_week
from bot.failover.candidates import (
    candidate_health,
    candidate_health_from_states,
    candidate_health_from_summaries,
)
from bot.health.portfolio import PORTFOLIO, PortfolioReport
from bot.health.rules import HealthStatus, Rule, RuleState, lookback_start, thresholds_from
from bot.health.service import HEALTH, pool_summaries, portfolio_health, portfolio_health_full
from bot.health.summary import (
    HealthSummary,
    from_json,
    status_of_states,
    summarise,
    summary_states,
)
from bot.health.summary_columns import STATE_OF_CODE, summary_columns
from bot.health.upkeep import rebuild_stale_summaries
from bot.metrics import parse_period, week_of
from bot.registry.csv_io import ImportRejected
from bot.registry.imports import import_metrics
from bot.registry.rules import RETIRED, Category
from bot.registry.service import record_metrics
from storage.store import PostgresStore, SQLiteStore
from tests.bot.health.pools import TEAM, generate_pool
from tests.support.databases import execute, scalar
from tests.support.interleave import Gate, GatedStore, race

AT = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
UTC_ZONE = ZoneInfo("UTC")
CUSTOM = {"rue_weeks": 3, "roi_months": 3, "window_weeks": 6, "sentiment_drop": 20, "hhi": 300}

Store = SQLiteStore | PostgresStore


def _covered(report: PortfolioReport) -> None:
    """The pool meets every status and every state of every rule (or the test proves little)."""
    assert all(report.counts[s] > 0 for s in HealthStatus), report.counts
    states = {(r.rule, r.state) for f in report.flagged for r in f.rules}
    for rule in (Rule.UTILISATION, Rule.ROI, Rule.SENTIMENT):
        for state in (RuleState.FIRED, RuleState.OK, RuleState.UNKNOWN):
            assert (rule, state) in states, (rule, state)
    assert (Rule.BACKUP, RuleState.FIRED) in states
    assert report.unbacked and report.gmv is not None and report.traffic is not None


@pytest.mark.parametrize(("seed", "thresholds"), [(7, {}), (12, CUSTOM)])
async def test_the_portfolio_from_summaries_is_the_full_computation(
    store: Store, seed: int, thresholds: dict[str, float]
) -> None:
    await generate_pool(store, AT, seed, 160, thresholds)
    full, full_settings = await portfolio_health_full(store, AT, UTC_ZONE, TEAM)
    fast, fast_settings = await portfolio_health(store, AT, UTC_ZONE, TEAM)
    _covered(full)
    assert fast_settings == full_settings
    assert fast.counts == full.counts
    assert [r.partner.name for r in fast.flagged] == [r.partner.name for r in full.flagged]
    assert fast.flagged == full.flagged  # every rule's state and detail
    assert fast.gmv == full.gmv and fast.traffic == full.traffic
    assert fast == full


@pytest.mark.parametrize(
    "scope", [Scope(), Scope("category", Category.KOL.value), Scope("owner", "U0OWNER")]
)
async def test_a_digest_from_summaries_is_the_full_computation(store: Store, scope: Scope) -> None:
    await generate_pool(store, AT, 3, 90, {})
    today = AT.date()
    async with store.read() as tx:
        limits = thresholds_from(await tx.settings(TEAM, HEALTH))
        benchmarks = await tx.benchmarks(TEAM)
        partners = await tx.all_partners(TEAM)
        points = await tx.health_points(TEAM, lookback_start(today, limits))
        pool = await pool_summaries(tx, TEAM, today, limits, overdue_week(today))
    full = assess_scoped(partners, points, benchmarks, limits, today, scope)
    fast = assess_scoped_summaries(partners, pool, benchmarks, limits, today, scope)
    assert full[1], "the scope has members"
    if not scope.kind:
        assert full[2], "some partner is overdue"
        assert len(full[2]) < len(full[1]), "and some reported"
    assert fast == full


async def test_stale_summaries_are_rebuilt_from_the_metrics(store: Store) -> None:
    await generate_pool(store, AT, 5, 60, {})
    full, _ = await portfolio_health_full(store, AT, UTC_ZONE, TEAM)
    # As migration 0013 leaves a database whose metrics were recorded before summaries.
    await execute(store, "UPDATE health_summary SET stale = 1, inputs = '{}'")
    emptied, _ = await portfolio_health(store, AT, UTC_ZONE, TEAM)
    assert emptied != full
    assert await rebuild_stale_summaries(store) == await scalar(
        store, "SELECT COUNT(*) FROM health_summary"
    )
    assert await scalar(store, "SELECT COUNT(*) FROM health_summary WHERE stale = 1") == 0
    rebuilt, _ = await portfolio_health(store, AT, UTC_ZONE, TEAM)
    assert rebuilt == full


async def test_a_refused_import_leaves_the_summaries_as_they_were(store: Store) -> None:
    await generate_pool(store, AT, 9, 10, {})
    before = await scalar(store, "SELECT inputs FROM health_summary WHERE partner_id = 1")
    csv = "name,period,rue\nPartner 000,2026-W46,13\nNobody,2026-W46,13\n"
    with pytest.raises(ImportRejected, match="Nobody"):
        await import_metrics(store, AT, TEAM, csv, today=AT.date())
    after = await scalar(store, "SELECT inputs FROM health_summary WHERE partner_id = 1")
    assert after == before and "13.0" not in after


def week(label: str):  # type: ignore[no-untyped-def]
    return parse_period(label)


@pytest.mark.parametrize("first_summary", [True, False])
async def test_two_writers_of_one_partner_leave_a_summary_of_both(
    store: Store, engine: str, first_summary: bool
) -> None:
    """One writer stops after reading the partner's metrics for its summary; the other
    records another week and commits (on PostgreSQL; SQLite's write lock makes it wait).
    The summary the first then writes must hold both weeks."""
    await generate_pool(store, AT, 1, 2, {})
    owner = Actor("U0OWNER")
    await execute(store, "DELETE FROM health_summary")
    await execute(store, "DELETE FROM metrics")
    if first_summary:
        await record_metrics(store, AT, TEAM, owner, "Partner 000", {"rue": 50.0}, week("2026-W40"))

    def write(target: Store | GatedStore, label: str, rue: float):  # type: ignore[no-untyped-def]
        return lambda: record_metrics(
            target,  # type: ignore[arg-type]
            AT,
            TEAM,
            owner,
            "Partner 000",
            {"rue": rue},
            week(label),
        )

    gate = Gate("summary_points")
    first, second = await race(
        write(GatedStore(store, gate), "2026-W46", 30.0),
        gate,
        write(store, "2026-W47", 31.0),
        other_finishes_first=engine == "postgresql",
    )
    assert not isinstance(first, Exception) and not isinstance(second, Exception)
    async with store.read() as tx:
        pid = (await tx.all_partners(TEAM))[0].id
        expected = summarise(await tx.rule_points(TEAM, pid))
        stored = from_json((await tx.pool_summaries(TEAM))[pid])
    assert {week_of(date.fromordinal(kept[0])).label for kept in stored.rue} >= {
        "2026-W46",
        "2026-W47",
    }
    assert stored == expected


async def test_failover_candidates_health_from_summaries_is_the_full_computation(
    store: Store,
) -> None:
    await generate_pool(store, AT, 21, 120, {})
    today = AT.date()
    async with store.read() as tx:
        limits = thresholds_from(await tx.settings(TEAM, HEALTH))
        benchmarks = await tx.benchmarks(TEAM)
        partners = await tx.all_partners(TEAM)
        since = lookback_start(today, limits)
        points = await tx.health_points(TEAM, since)
        summaries = await tx.pool_summaries(TEAM)
        states = await tx.pool_states(TEAM, limits, since)
    full = candidate_health(partners, partners, points, benchmarks, limits)
    fast = candidate_health_from_summaries(partners, partners, summaries, benchmarks, limits, since)
    assert set(full.values()) == set(HealthStatus)
    assert fast == full
    outside = {pid: text for pid, text in summaries.items() if pid not in states}
    assert outside, "some partner is outside the portfolio"
    decided = candidate_health_from_states(
        partners, partners, states, outside, benchmarks, limits, since
    )
    assert decided == full


@pytest.mark.parametrize(("seed", "thresholds"), [(7, {}), (12, CUSTOM)])
async def test_the_states_sql_decides_are_the_summaries_own(
    store: Store, seed: int, thresholds: dict[str, float]
) -> None:
    """Every state `pool_states` decides is `summary_states`' (the pool holds rue 40.0, ROI
    2.1 = 0.7 x 3.0 and sentiment 70 -> 49, exactly at the default thresholds)."""
    await generate_pool(store, AT, seed, 160, thresholds)
    today = AT.date()
    async with store.read() as tx:
        limits = thresholds_from(await tx.settings(TEAM, HEALTH))
        benchmarks = await tx.benchmarks(TEAM)
        partners = {p.id: p for p in await tx.all_partners(TEAM)}
        since = lookback_start(today, limits)
        states = await tx.pool_states(TEAM, limits, since)
        summaries = await tx.pool_summaries(TEAM)
    retired = frozenset(p.name for p in partners.values() if p.status in RETIRED)
    members = {pid for pid, p in partners.items() if p in PORTFOLIO}
    assert set(states) == members
    decided = 0
    for pid, row in states.items():
        p = partners[pid]
        summary = from_json(summaries.get(pid, "{}"))
        exact = summary_states(p, summary, benchmarks.get(p.category.value), limits, since, retired)
        for code, state in zip(row[:4], exact, strict=True):
            assert code is None or STATE_OF_CODE[code] == state, (p.name, row, exact)
        if row[4] is not None:
            decided += 1
            assert row[4] == status_of_states(exact).value
        flagged = row[4] in (None, "red", "amber")
        assert (row[5] is not None) == (flagged and pid in summaries)
    assert decided >= 0.8 * len(states), (decided, len(states))
    assert decided < len(states), "some partner sits on a threshold or a cut run"


async def test_summaries_without_columns_are_decided_from_their_json(store: Store) -> None:
    """As migration 0015 leaves existing rows (filled = 0, stale): the same portfolio, and
    the rebuild at start fills every row's columns."""
    await generate_pool(store, AT, 5, 60, {})
    full, _ = await portfolio_health_full(store, AT, UTC_ZONE, TEAM)
    await execute(store, "UPDATE health_summary SET filled = 0, rue_start = NULL, stale = 1")
    unfilled, _ = await portfolio_health(store, AT, UTC_ZONE, TEAM)
    assert unfilled == full
    assert await rebuild_stale_summaries(store) > 0
    assert await scalar(store, "SELECT COUNT(*) FROM health_summary WHERE filled = 0") == 0
    rebuilt, _ = await portfolio_health(store, AT, UTC_ZONE, TEAM)
    assert rebuilt == full


def test_columns_of_a_summary_at_the_edges() -> None:
    """The run stops at a gap, the prefix maxima follow the run, a flat sentiment has no
    drop."""
    summary = HealthSummary(
        rue=[[700_014, 30.0], [700_007, 45.0], [699_993, 10.0]],  # a gap after two weeks
        sentiment=[[700_000, 700_006, "week", "w", 0.0], [700_007, 700_013, "week", "x", 5.0]],
        roi=[[24_310, "4.0", 2, "0", 0], [24_309, "0", 0, "0", 0], [24_308, "3.0", 1, "1.0", 1]],
    )
    columns = summary_columns(summary)
    assert (columns["rue_start"], columns["rue_count"], columns["rue_run"]) == (700_014, 3, 2)
    assert (columns["rue_max_1"], columns["rue_max_2"], columns["rue_max_3"]) == (30.0, 45.0, None)
    # The empty month is no month; the one before it is two months back: the run is one.
    assert (columns["roi_month"], columns["roi_count"], columns["roi_run"]) == (24_310, 2, 1)
    assert (columns["roi_max_1"], columns["roi_max_2"]) == (2.0, None)
    assert columns["sent_flat"] == 1 and columns["sent_drop"] is None
