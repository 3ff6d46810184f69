"""The storage contract, on SQLite and on PostgreSQL alike: transactions, what the queries
keep, and the types the domain gets back."""

from datetime import UTC, date, datetime

import pytest

from bot.metrics import parse_period
from bot.registry.ports import AuditEntry, ListFilters, MetricRow
from bot.registry.rules import Category, Partner, Status, Tier
from storage.store import PostgresStore, SQLiteStore
from tests.support.databases import scalar

Store = SQLiteStore | PostgresStore
AT = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


def draft(name: str = "Acme", team_id: str = "T1") -> Partner:
    return Partner(
        id=0,
        team_id=team_id,
        name=name,
        category=Category.KOL,
        tier=Tier.CORE,
        status=Status.ACTIVE,
        owner="U0OWNER",
    )


async def insert(store: Store, name: str = "Acme", team_id: str = "T1") -> int:
    async with store.write() as tx:
        return await tx.insert_partner(draft(name, team_id), name.casefold(), AT)


# --- write transactions ---------------------------------------------------------------


async def test_write_commits_when_the_block_ends(store: Store) -> None:
    partner_id = await insert(store)
    async with store.read() as tx:
        found = await tx.partner_by_id("T1", partner_id)
    assert found is not None
    assert found.name == "Acme"
    assert await scalar(store, "SELECT COUNT(*) FROM partners") == 1


async def test_write_rolls_back_on_an_exception(store: Store) -> None:
    class Boom(Exception):
        pass

    with pytest.raises(Boom):
        async with store.write() as tx:
            partner_id = await tx.insert_partner(draft(), "acme", AT)
            await tx.replace_tags("T1", partner_id, ("live",))
            raise Boom
    assert await scalar(store, "SELECT COUNT(*) FROM partners") == 0
    assert await scalar(store, "SELECT COUNT(*) FROM partner_tags") == 0
    async with store.read() as tx:
        assert await tx.partner_by_key("T1", "acme") is None


async def test_the_store_writes_again_after_a_rollback(store: Store) -> None:
    with pytest.raises(ValueError):
        async with store.write() as tx:
            await tx.insert_partner(draft(), "acme", AT)
            raise ValueError("changed my mind")
    await insert(store)
    assert await scalar(store, "SELECT COUNT(*) FROM partners") == 1


async def test_a_failing_statement_rolls_back_the_whole_transaction(store: Store) -> None:
    with pytest.raises(Exception, match=r"(?i)foreign key"):
        async with store.write() as tx:
            await tx.insert_partner(draft("Acme"), "acme", AT)
            await tx.replace_tags("T1", 999, ("live",))  # no such partner: foreign key violation
    assert await scalar(store, "SELECT COUNT(*) FROM partners") == 0


# --- what the queries keep ------------------------------------------------------------


async def test_tags_and_backups_keep_their_order(store: Store) -> None:
    acme, beta, gamma = [await insert(store, name) for name in ("Acme", "Beta", "Gamma")]
    async with store.write() as tx:
        await tx.replace_tags("T1", acme, ("zeta", "alpha", "mid"))
        await tx.replace_backups("T1", acme, [gamma, beta])
    async with store.read() as tx:
        found = await tx.partner_by_key("T1", "acme")
    assert found is not None
    assert found.tags == ("zeta", "alpha", "mid")
    assert found.backups == ("Gamma", "Beta")


async def test_partner_by_key_without_full_skips_tags(store: Store) -> None:
    partner_id = await insert(store)
    async with store.write() as tx:
        await tx.replace_tags("T1", partner_id, ("live",))
    async with store.read() as tx:
        light = await tx.partner_by_key("T1", "acme", full=False)
        full = await tx.partner_by_key("T1", "acme")
    assert light is not None and full is not None
    assert (light.tags, full.tags) == ((), ("live",))


async def test_queries_are_scoped_to_a_workspace(store: Store) -> None:
    partner_id = await insert(store, "Acme", "T1")
    async with store.read() as tx:
        assert await tx.partner_by_key("T2", "acme") is None
        assert await tx.partner_by_id("T2", partner_id) is None
        assert await tx.partner_names("T2") == []
        assert await tx.list_partners("T2", ListFilters(), 10, 0) == ([], 0)
        assert await tx.history("T2", partner_id, 10, 0) == ([], 0)
        assert await tx.teams() == ["T1"]


async def test_audit_entries_read_back_as_written(store: Store) -> None:
    partner_id = await insert(store)
    entry = AuditEntry("T1", "U0OWNER", AT, "set", "tier", "standard", "core")
    async with store.write() as tx:
        await tx.add_audit(entry, partner_id)
    async with store.read() as tx:
        entries, total = await tx.history("T1", partner_id, 10, 0)
    assert (entries, total) == ([entry], 1)


async def test_record_metric_replaces_the_value_of_the_same_period(store: Store) -> None:
    partner_id = await insert(store)
    week = parse_period("2026-W47")
    async with store.write() as tx:
        assert await tx.record_metric(
            MetricRow("T1", partner_id, week, "rue", 35.0), "U1", AT, None
        )
        assert await tx.record_metric(
            MetricRow("T1", partner_id, week, "rue", 40.0), "U2", AT, 35.0
        )
    async with store.read() as tx:
        assert await tx.metric_value("T1", partner_id, "2026-W47", "rue") == 40.0
        assert await tx.metric_value("T1", partner_id, "2026-W48", "rue") is None
        assert await tx.metric_value("T2", partner_id, "2026-W47", "rue") is None
    assert await scalar(store, "SELECT recorded_by FROM metrics") == "U2"
    assert str(await scalar(store, "SELECT period_end FROM metrics")) == "2026-11-22"


async def test_an_event_is_claimed_once_per_workspace(store: Store) -> None:
    async with store.write() as tx:
        assert await tx.claim("T1", "event", "Ev1", "", AT) is True
        assert await tx.claim("T1", "event", "Ev1", "", AT) is False
        assert await tx.claim("T2", "event", "Ev1", "", AT) is True


async def test_a_metric_is_written_only_over_the_value_that_was_read(store: Store) -> None:
    partner_id = await insert(store)
    week = parse_period("2026-W47")
    async with store.write() as tx:
        assert await tx.record_metric(
            MetricRow("T1", partner_id, week, "rue", 35.0), "U1", AT, None
        )
        # Another recorded it first / changed it since: nothing is written, the caller re-reads.
        assert not await tx.record_metric(
            MetricRow("T1", partner_id, week, "rue", 50.0), "U2", AT, None
        )
        assert not await tx.record_metric(
            MetricRow("T1", partner_id, week, "rue", 50.0), "U2", AT, 34.0
        )
        assert await tx.metric_value("T1", partner_id, "2026-W47", "rue") == 35.0


async def test_times_come_back_aware_in_utc_to_the_microsecond(store: Store) -> None:
    shanghai = datetime.fromisoformat("2026-11-23T07:30:00.123456+08:00")
    async with store.write() as tx:
        partner_id = await tx.insert_partner(draft(), "acme", shanghai)
    async with store.read() as tx:
        found = await tx.partner_by_id("T1", partner_id)
    assert found is not None and found.created_at == shanghai
    assert found.created_at.utcoffset() is not None and found.created_at.tzinfo == UTC


@pytest.mark.parametrize("value", [69.95, 60.0, 3.0, 0.1 + 0.2, 1e-9, 123456789.123456])
async def test_numbers_come_back_exactly_as_written(store: Store, value: float) -> None:
    partner_id = await insert(store)
    month = parse_period("2026-11")
    async with store.write() as tx:
        await tx.record_metric(MetricRow("T1", partner_id, month, "roi", value), "U1", AT, None)
        assert await tx.write_benchmark("T1", "KOL", value, "U1", AT, None)
        assert await tx.write_setting("T1", "score", "threshold", value, "U1", AT, None)
    async with store.read() as tx:
        assert await tx.metric_value("T1", partner_id, "2026-11", "roi") == value
        assert await tx.partner_latest_roi("T1", partner_id) == ("2026-11", value)
        assert await tx.benchmarks("T1") == {"KOL": value}
        assert await tx.settings("T1", "score") == {"threshold": value}


async def test_periods_come_back_as_dates(store: Store) -> None:
    partner_id = await insert(store)
    week = parse_period("2026-W47")
    async with store.write() as tx:
        await tx.record_metric(MetricRow("T1", partner_id, week, "rue", 35.0), "U1", AT, None)
    async with store.read() as tx:
        points = await tx.health_points("T1", date(2026, 11, 1))
        assert await tx.health_points("T1", date(2026, 11, 23)) == []
    assert [(p.period.start, p.period.end, p.value) for p in points] == [
        (date(2026, 11, 16), date(2026, 11, 22), 35.0)
    ]


async def test_prune_counts_the_claims_it_removed(store: Store) -> None:
    async with store.write() as tx:
        for key in ("a", "b", "c"):
            await tx.claim("T1", "event", key, "", AT)
    async with store.write() as tx:
        assert await tx.prune_claims(datetime(2026, 11, 23, tzinfo=UTC)) == 3
