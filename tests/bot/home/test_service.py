"""The Home tab's partners, against a real store on both engines: one owner's partners with
the same health as the portfolio gives them, and nobody else's."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from bot.access import Actor
from bot.health.rules import HealthStatus, Rule
from bot.health.service import portfolio_health
from bot.home.service import owned_health
from bot.metrics import week_of
from bot.registry.rules import PartnerFields, Status, Tier
from bot.registry.service import add_partner, drop_partner, record_metrics
from storage.store import SQLiteStore

AT = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
ZONE = ZoneInfo("UTC")
OWNER, OTHER = Actor("U1"), Actor("U2")
W46, W47 = week_of(date(2026, 11, 10)), week_of(date(2026, 11, 17))


async def _partner(
    store: SQLiteStore, name: str, tier: Tier, status: Status = Status.ACTIVE, **more: object
) -> None:
    owner = more.pop("owner", OWNER)
    assert isinstance(owner, Actor)
    fields = PartnerFields(name=name, tier=tier, status=status, owner=owner.user_id, **more)  # type: ignore[arg-type]
    await add_partner(store, AT, "T1", owner, fields)


async def _weeks(
    store: SQLiteStore, name: str, first: dict[str, float], second: dict[str, float]
) -> None:
    await record_metrics(store, AT, "T1", OWNER, name, first, W46)
    await record_metrics(store, AT, "T1", OWNER, name, second, W47)


async def test_an_owners_partners_come_with_their_health_portfolio_first_worst_first(
    store: SQLiteStore,
) -> None:
    await _partner(store, "Green", Tier.STANDARD)
    await _weeks(store, "Green", {"rue": 50, "sentiment": 70}, {"rue": 55, "sentiment": 72})
    await _partner(store, "Red", Tier.STANDARD)
    await _weeks(store, "Red", {"sentiment": 70}, {"sentiment": 40})
    await _partner(store, "Amber", Tier.CORE)  # core with no backup
    await _weeks(store, "Amber", {"rue": 50}, {"rue": 55})
    await _partner(store, "Grey", Tier.STANDARD, Status.PAUSED)  # no metrics at all
    await _partner(store, "Prospect", Tier.STANDARD, Status.PROSPECT)
    await _partner(store, "Archived", Tier.STANDARD, Status.ARCHIVED)
    await _partner(store, "Theirs", Tier.STANDARD, owner=OTHER)

    reports = await owned_health(store, AT, ZONE, "T1", OWNER.user_id)

    assert [(r.partner.name, r.status) for r in reports] == [
        ("Red", HealthStatus.RED),
        ("Amber", HealthStatus.AMBER),
        ("Grey", HealthStatus.GREY),
        ("Green", HealthStatus.GREEN),
        ("Prospect", HealthStatus.GREY),  # outside the portfolio: after it
    ]
    assert [r.rule for r in reports[0].fired] == [Rule.SENTIMENT]
    assert [r.rule for r in reports[1].fired] == [Rule.BACKUP]
    # The same verdicts as the portfolio's, which reads the whole pool.
    portfolio, _ = await portfolio_health(store, AT, ZONE, "T1")
    flagged = {r.partner.name: r.status for r in portfolio.flagged}
    assert flagged == {"Red": HealthStatus.RED, "Amber": HealthStatus.AMBER}
    # Grey and Theirs are grey there; Green is green.
    assert portfolio.counts[HealthStatus.GREY] == 2 and portfolio.counts[HealthStatus.GREEN] == 1


async def test_a_backup_that_has_left_is_no_backup(store: SQLiteStore) -> None:
    await _partner(store, "Stays", Tier.STANDARD)
    await _partner(store, "Leaves", Tier.STANDARD)
    await _partner(store, "Core A", Tier.CORE, backups=("Stays",))
    await _partner(store, "Core B", Tier.CORE, backups=("Leaves",))
    await drop_partner(store, AT, "T1", OWNER, ("Leaves",), "gone")

    reports = {r.partner.name: r for r in await owned_health(store, AT, ZONE, "T1", "U1")}

    assert reports["Core A"].status == HealthStatus.GREY
    assert [r.rule for r in reports["Core B"].fired] == [Rule.BACKUP]
    assert reports["Core B"].partner.backups == ("Leaves",)


async def test_an_owner_of_nothing_gets_an_empty_list(store: SQLiteStore) -> None:
    await _partner(store, "Theirs", Tier.STANDARD, owner=OTHER)
    assert await owned_health(store, AT, ZONE, "T1", OWNER.user_id) == []
    assert await owned_health(store, AT, ZONE, "T2", OTHER.user_id) == []
