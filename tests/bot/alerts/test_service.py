"""Alerts' use cases on both engines: a channel's alerts on and off (who may, audited), and
an alert due once per partner per period, claimed across processes on one database."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.access import Actor
from bot.alerts import service as alerts
from bot.alerts.rules import Alert, NotYours
from bot.metrics import parse_period
from bot.registry.rules import PartnerFields, Status
from bot.registry.service import add_partner, change_partner, record_metrics
from storage.store import PostgresStore, SQLiteStore
from tests.support.databases import store_for, url_of

Store = SQLiteStore | PostgresStore
AT = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
ZONE = ZoneInfo("Asia/Shanghai")
TEAM = "T1"
OWNER = Actor("U0OWNER")
OTHER = Actor("U0OTHER")
ADMIN = Actor("U0ADMIN", is_admin=True)


async def test_anyone_turns_alerts_on_and_the_change_is_audited(store: Store) -> None:
    change = await alerts.set_alerts(store, AT, TEAM, OTHER, "C1", True)
    assert change.changed and change.channel.enabled and change.channel.enabled_by == OTHER.user_id
    assert [c.channel_id for c in await alerts.alert_channels(store, TEAM)] == ["C1"]
    assert await alerts.alert_channels(store, "T2") == []
    async with store.read() as tx:
        history = await tx.settings_history(TEAM, 5)
    assert [(h.actor, h.field, h.before, h.after) for h in history] == [
        ("U0OTHER", "alerts C1", "off", "on")
    ]
    assert history[0].at == AT


async def test_turning_on_twice_changes_nothing_and_audits_once(store: Store) -> None:
    await alerts.set_alerts(store, AT, TEAM, OWNER, "C1", True)
    again = await alerts.set_alerts(store, AT, TEAM, OTHER, "C1", True)
    assert not again.changed and again.channel.enabled_by == OWNER.user_id
    async with store.read() as tx:
        assert len(await tx.settings_history(TEAM, 5)) == 1


async def test_only_whoever_turned_them_on_or_an_admin_turns_them_off(store: Store) -> None:
    await alerts.set_alerts(store, AT, TEAM, OWNER, "C1", True)
    with pytest.raises(NotYours):
        await alerts.set_alerts(store, AT, TEAM, OTHER, "C1", False)
    assert [c.channel_id for c in await alerts.alert_channels(store, TEAM)] == ["C1"]

    off = await alerts.set_alerts(store, AT, TEAM, ADMIN, "C1", False)
    assert off.changed and not off.channel.enabled
    assert await alerts.alert_channels(store, TEAM) == []
    async with store.read() as tx:
        row = await tx.alert_channel(TEAM, "C1")
    assert row is not None and (row.enabled_by, row.changed_by) == ("U0OWNER", "U0ADMIN")


def message(alert: Alert) -> dict[str, Any]:
    """The alert's message, as kept on its claim (the real one is handlers' build_alert)."""
    return {"text": f"{alert.partner.name} is red for {alert.period}"}


async def record(store: Store, values: dict[str, float], period: str, name: str = "Acme") -> int:
    change = await record_metrics(store, AT, TEAM, OWNER, name, values, parse_period(period))
    return change.partner.id


async def checked(store: Store, values: dict[str, float], period: str) -> alerts.DueAlert | None:
    """A metrics write between the watch and the check, as the /partner metrics hook does."""
    seen = await alerts.watch(store, AT, ZONE, TEAM, "Acme")
    partner_id = await record(store, values, period)
    return (
        None
        if seen is None
        else await alerts.due_alert(store, AT, ZONE, TEAM, seen, partner_id, message)
    )


@pytest.fixture
async def acme(store: Store) -> Store:
    await add_partner(store, AT, TEAM, OWNER, PartnerFields(name="Acme"))
    await change_partner(store, AT, TEAM, OWNER, "Acme", PartnerFields(status=Status.ACTIVE))
    await record(store, {"sentiment": 70}, "2026-W46")
    return store


async def test_no_channel_means_no_watch_and_no_alert(acme: Store) -> None:
    assert await alerts.watch(acme, AT, ZONE, TEAM, "Acme") is None


async def test_an_alert_is_due_once_per_partner_per_period(acme: Store) -> None:
    await alerts.set_alerts(acme, AT, TEAM, OWNER, "C1", True)
    await alerts.set_alerts(acme, AT, TEAM, OTHER, "C2", True)
    due = await checked(acme, {"sentiment": 49}, "2026-W47")
    assert due is not None
    assert (due.alert.period, due.channels) == ("2026-W47", ["C1", "C2"])
    # The same write again, and a lower value for the same period: red already, no alert.
    assert await checked(acme, {"sentiment": 49}, "2026-W47") is None
    assert await checked(acme, {"sentiment": 40}, "2026-W47") is None
    # A replay of the check itself, with the health seen before the first write: claimed.
    before_red = alerts.Watch(None)
    partner_id = due.alert.partner.id
    assert await alerts.due_alert(acme, AT, ZONE, TEAM, before_red, partner_id, message) is None
    # Red again in a new period: a new alert.
    again = await checked(acme, {"sentiment": 20}, "2026-W48")
    assert again is not None and again.alert.period == "2026-W48"


async def test_70_to_50_is_not_due(acme: Store) -> None:
    await alerts.set_alerts(acme, AT, TEAM, OWNER, "C1", True)
    assert await checked(acme, {"sentiment": 50}, "2026-W47") is None


async def test_a_prospect_is_outside_the_portfolio_and_never_alerts(store: Store) -> None:
    await add_partner(store, AT, TEAM, OWNER, PartnerFields(name="Acme", status=Status.PROSPECT))
    await record(store, {"sentiment": 70}, "2026-W46")
    await alerts.set_alerts(store, AT, TEAM, OWNER, "C1", True)
    assert await checked(store, {"sentiment": 49}, "2026-W47") is None


@pytest.fixture
async def other(store: Store) -> AsyncIterator[Store]:
    """A second store on the same database, as another process would open it."""
    second = store_for(url_of(store))
    await second.open(AT)
    yield second
    await second.close()


async def test_two_processes_checking_the_same_write_claim_it_once(
    acme: Store, other: Store
) -> None:
    await alerts.set_alerts(acme, AT, TEAM, OWNER, "C1", True)
    seen = await alerts.watch(acme, AT, ZONE, TEAM, "Acme")
    assert seen is not None
    partner_id = await record(acme, {"sentiment": 49}, "2026-W47")
    results = await asyncio.gather(
        alerts.due_alert(acme, AT, ZONE, TEAM, seen, partner_id, message),
        alerts.due_alert(other, AT, ZONE, TEAM, seen, partner_id, message),
    )
    assert sorted(r is not None for r in results) == [False, True]


async def test_a_gone_channel_is_turned_off_once(store: Store) -> None:
    await alerts.set_alerts(store, AT, TEAM, OWNER, "C1", True)
    assert await alerts.turn_off_gone(store, AT, TEAM, "C1") is True
    assert await alerts.turn_off_gone(store, AT, TEAM, "C1") is False
    assert await alerts.alert_channels(store, TEAM) == []
    async with store.read() as tx:
        history = await tx.settings_history(TEAM, 5)
    assert (history[0].actor, history[0].after) == (alerts.SYSTEM, "off")
