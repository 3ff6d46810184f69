"""The portfolio and digests from the health summaries against the full computation from
every metric of the window, on generated pools, on both engines."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.access import Actor
from bot.digest.command import Scope
from bot.digest.content import assess_scoped, assess_scoped_summaries, overdue_week
from bot.failover.candidates import candidate_health, candidate_health_from_summaries
from bot.health.portfolio import PortfolioReport
from bot.health.rules import HealthStatus, Rule, RuleState, lookback_start, thresholds_from
from bot.health.service import HEALTH, pool_summaries, portfolio_health, portfolio_health_full
from bot.health.summary import from_json, summarise
from bot.health.upkeep import rebuild_stale_summaries
from bot.metrics import parse_period, week_of
from bot.registry.csv_io import ImportRejected
from bot.registry.imports import import_metrics
from bot.registry.rules import Category
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

    gate = Gate("rule_points")
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
    full = candidate_health(partners, partners, points, benchmarks, limits)
    fast = candidate_health_from_summaries(partners, partners, summaries, benchmarks, limits, since)
    assert set(full.values()) == set(HealthStatus)
    assert fast == full
