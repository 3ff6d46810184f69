"""`/partner show`, `/partner list` (and its pages), `/score NAME`, `/health NAME` and
`/failover status` answered from each replica's cache: with no write between, a repeated
answer reads only the report version; after a write on another replica (a field, a metric, a
rating, a threshold, a drill, its thread), the next answer shows it; the open drills' ages are
as of each request, a health answer is of its day."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta

import aiosqlite
import asyncpg
import pytest

from bot.access import Actor
from bot.failover.rules import TITLES, StepState
from bot.failover.service import start_drill
from bot.registry.rules import Category
from handlers.buttons import on_button
from handlers.failover.listeners import handle_failover
from handlers.health.listeners import handle_health
from handlers.payloads import ListPage
from handlers.registry.listeners import handle_partner, list_page
from handlers.scoring.listeners import handle_score
from storage.migrate import Migration, load_migrations, migrate_postgres, migrate_sqlite
from storage.store import PostgresStore, SQLiteStore
from tests.support.databases import reads_traced, store_for, url_of
from tests.support.fakes import (
    ADMIN,
    TEAM,
    USER,
    Bot,
    add_partner,
    click_body,
    command_body,
    fake_bot,
)

Store = SQLiteStore | PostgresStore


@pytest.fixture
async def replicas(store: Store) -> AsyncIterator[tuple[Bot, Bot]]:
    """Two bots on one database, each with its own store (connections) and caches."""
    other = store_for(url_of(store))
    async with fake_bot(store) as one:
        await other.open(one.clock.now())
        try:
            async with fake_bot(other) as two:
                yield one, two
        finally:
            await other.close()


async def partner(bot: Bot, text: str) -> str:
    """`/partner TEXT` on bot, and what its answer shows."""
    bot.ack.calls.clear()
    await handle_partner(bot.ack, bot.respond, command_body(text), bot.client, bot.services, text)
    await bot.settle()
    return bot.ack.shown()


async def score(bot: Bot, text: str) -> str:
    bot.ack.calls.clear()
    body = command_body(text, command="/score")
    await handle_score(bot.ack, bot.respond, body, bot.client, bot.services, text)
    await bot.settle()
    return bot.ack.shown()


async def health(bot: Bot, text: str, user: str = USER) -> str:
    bot.ack.calls.clear()
    body = command_body(text, command="/health", user=user)
    await handle_health(bot.ack, bot.respond, body, bot.client, bot.services, text)
    await bot.settle()
    return bot.ack.shown()


async def page(bot: Bot, offset: int, category: str | None = None) -> str:
    """Next/Previous on `/partner list`: what the page that replaces the list shows."""
    bot.respond.calls.clear()
    value = ListPage(offset=offset, category=category).pack()
    listener = on_button(ListPage, list_page)
    await listener(
        bot.ack, click_body(ListPage.action_id, value), bot.respond, bot.client, bot.services
    )
    await bot.settle()
    assert bot.respond.once["replace_original"] is True
    return bot.respond.shown()


async def status(bot: Bot) -> str:
    bot.ack.calls.clear()
    body = command_body("status", command="/failover")
    await handle_failover(bot.ack, bot.respond, body, bot.client, bot.services, "status")
    await bot.settle()
    return bot.ack.shown()


async def version(bot: Bot) -> int:
    async with bot.store.read() as tx:
        return await tx.report_version(TEAM)


async def test_a_repeated_card_reads_only_the_report_version(
    replicas: tuple[Bot, Bot], monkeypatch: pytest.MonkeyPatch
) -> None:
    one, _ = replicas
    await add_partner(one, "Acme Media")
    first, rated = await partner(one, 'show "Acme Media"'), await score(one, '"Acme Media"')
    drills = await status(one)
    async with reads_traced(one.store, monkeypatch) as statements:
        assert await partner(one, 'show "acme  MEDIA"') == first  # the same name, as typed
        assert await score(one, '"Acme Media"') == rated
        assert await status(one) == drills
    assert len(statements) == 3, statements
    assert all("report_versions" in s for s in statements), statements


async def test_a_repeated_list_page_and_health_answer_read_only_the_report_version(
    replicas: tuple[Bot, Bot], monkeypatch: pytest.MonkeyPatch
) -> None:
    one, _ = replicas
    for n in range(23):
        await add_partner(one, f"Partner {n:02d}")
    await partner(one, 'metrics "Partner 03" rue=35 roi=2.1 sentiment=72')
    listed, second = await partner(one, "list category=KOL"), await page(one, 20, "KOL")
    judged = await health(one, '"Partner 03"')
    assert "1–20 of 23" in listed and "21–23 of 23" in second and "Partner 03" in judged
    async with reads_traced(one.store, monkeypatch) as statements:
        assert await partner(one, "list category=KOL") == listed
        assert await page(one, 20, "KOL") == second
        assert await health(one, '"partner  03"') == judged  # the same name, as typed
    assert len(statements) == 3, statements
    assert all("report_versions" in s for s in statements), statements


async def test_a_write_on_another_replica_shows_in_the_next_list_and_health(
    replicas: tuple[Bot, Bot],
) -> None:
    one, two = replicas
    await add_partner(one, "Acme Media")
    await add_partner(one, "Bolt")
    assert "1–2 of 2" in await partner(one, "list category=KOL")
    assert "Bolt" in await page(one, 0, "KOL")
    assert "No metrics in the last four months" in await health(one, '"Acme Media"')

    await add_partner(two, "Cobalt")
    assert "1–3 of 3" in await partner(one, "list category=KOL")
    assert "Cobalt" in await page(one, 0, "KOL")
    await partner(two, "set Cobalt category=MCN")
    assert "1–2 of 2" in await partner(one, "list category=KOL")
    assert "Cobalt" not in await page(one, 0, "KOL")

    await partner(two, 'metrics "Acme Media" rue=35 roi=2.1 sentiment=72')
    judged = await health(one, '"Acme Media"')
    assert "No metrics in the last four months" not in judged and "35" in judged
    assert "`rue=30`" in await health(two, "thresholds rue=30", user=ADMIN)
    rethought = await health(one, '"Acme Media"')
    assert "rue < 40%" in judged and "rue < 30%" in rethought
    await partner(two, 'set "Acme Media" backups=Bolt')
    backed = await health(one, '"Acme Media"')
    assert "Bolt" in backed  # the backup rule sees it at once
    await partner(two, 'drop Bolt reason="left the market"')  # a write to another partner
    assert await health(one, '"Acme Media"') != backed
    assert "no ROI benchmark for KOL" in backed
    reply = await health(two, "benchmark category=kol roi=3.5", user=ADMIN)
    assert "KOL benchmark not set → 3.5" in reply
    assert "no ROI benchmark for KOL" not in await health(one, '"Acme Media"')


async def test_each_filter_set_and_page_is_its_own_kept_list(replicas: tuple[Bot, Bot]) -> None:
    one, _ = replicas
    for n in range(3):
        await add_partner(one, f"Kol {n}")
    await add_partner(one, "Agency", category=Category.MCN)
    assert "1–4 of 4" in await partner(one, "list")
    assert "1–3 of 3" in await partner(one, "list category=KOL")
    assert "1–1 of 1" in await partner(one, "list category=MCN")
    assert "Agency" in await page(one, 0) and "Agency" not in await page(one, 0, "KOL")
    assert "1–4 of 4" in await partner(one, "list")  # each still its own, no write between


async def test_a_health_answer_is_of_its_day(replicas: tuple[Bot, Bot]) -> None:
    """No write between, but the next day's window drops the oldest week: the answer kept
    for one day is not the next day's."""
    one, _ = replicas
    await add_partner(one, "Acme Media")
    await partner(one, 'metrics "Acme Media" rue=35 roi=2.1 sentiment=72')
    today = await health(one, '"Acme Media"')
    one.clock.advance(timedelta(days=200))  # past every window: no metric is recent
    later = await health(one, '"Acme Media"')
    assert later != today and "No metrics in the last four months" in later
    assert "No metrics in the last four months" not in today


async def test_a_write_on_another_replica_shows_in_the_next_card(replicas: tuple[Bot, Bot]) -> None:
    one, two = replicas
    await add_partner(one, "Acme Media")
    await add_partner(one, "Bolt")
    assert "Fresh note" not in await partner(one, 'show "Acme Media"')
    assert "not rated" in (await score(one, '"Acme Media"')).casefold()

    assert "Updated" in await partner(two, 'set "Acme Media" note="Fresh note" backups=Bolt')
    card = await partner(one, 'show "Acme Media"')
    assert "Fresh note" in card and "Bolt" in card
    await partner(two, "set Bolt name=Boltz")  # the backup's own name, on another partner
    assert "Boltz" in await partner(one, 'show "Acme Media"')

    await partner(two, 'metrics "Acme Media" rue=35 roi=2.1 sentiment=72 gmv=120000 traffic=5400')
    assert "rue 35" in await partner(one, 'show "Acme Media"')

    before = await score(one, '"Acme Media"')
    await score(two, '"Acme Media" brand=80 users=70 channel=75 audience=65 traffic=60 tone=90')
    after = await score(one, '"Acme Media"')
    assert after != before and "Last rated" in after


async def test_a_drill_and_its_thread_show_on_the_next_card(replicas: tuple[Bot, Bot]) -> None:
    one, two = replicas
    await add_partner(one, "Acme Media")
    assert "Failover drills" not in await partner(one, 'show "Acme Media"')
    actor = Actor(USER, is_admin=True)
    started = await start_drill(two.store, two.clock.now(), TEAM, actor, ("Acme", "Media"), "C9")
    assert "Failover drills" in await partner(one, 'show "Acme Media"')
    assert "open the thread" not in await score(one, '"Acme Media"')
    async with two.store.write() as tx:  # the drill's root message posted, as after a start
        await tx.set_failover_messages(TEAM, started.drill.id, "1700000000.000100", None)
    assert "p1700000000000100|open the thread" in await partner(one, 'show "Acme Media"')
    assert "p1700000000000100|open the thread" in await score(one, '"Acme Media"')


async def test_open_drills_from_another_replica_show_in_the_next_status(
    replicas: tuple[Bot, Bot],
) -> None:
    one, two = replicas
    await add_partner(one, "Acme Media")
    assert "No failover drill is open" in await status(one)
    actor = Actor(USER, is_admin=True)
    started = await start_drill(two.store, two.clock.now(), TEAM, actor, ("Acme", "Media"), "C9")
    shown = await status(one)
    assert "Acme Media" in shown and "open 0 min" in shown
    one.clock.advance(timedelta(minutes=7))  # no write: the kept drills, as of the new moment
    assert "open 7 min" in await status(one)

    async with two.store.write() as tx:
        await tx.set_failover_messages(TEAM, started.drill.id, "1700000000.000100", None)
    assert "p1700000000000100|open the thread" in await status(one)
    # The redraw's mark and the candidates' ranking change the kept drills too.
    before = await version(one)
    async with two.store.write() as tx:
        await tx.mark_failover_rendered(TEAM, started.drill.id, started.drill.version)
    async with two.store.write() as tx:
        assert await tx.write_failover_ranking(TEAM, started.drill.id, two.clock.now(), [])
    assert await version(one) == before + 2


async def test_a_step_written_on_another_replica_shows_in_the_next_status(
    replicas: tuple[Bot, Bot],
) -> None:
    """A step's write changes the status's current step by itself (not only through the
    drill's versioned advance that writes it today): it bumps the version on its own."""
    one, two = replicas
    await add_partner(one, "Acme Media")
    actor = Actor(USER, is_admin=True)
    started = await start_drill(two.store, two.clock.now(), TEAM, actor, ("Acme", "Media"), "C9")
    first, second = started.drill.steps[0], started.drill.steps[1]
    assert f"Current step: {TITLES[first.key]}" in await status(one)
    done = replace(first, state=StepState.DONE, by=USER, at=two.clock.now())
    async with two.store.write() as tx:
        await tx.write_failover_step(TEAM, started.drill.id, done)
    assert f"Current step: {TITLES[second.key]}" in await status(one)


async def test_a_migration_that_rewrites_rows_shows_in_the_next_card(
    replicas: tuple[Bot, Bot],
) -> None:
    """A release's migration run by one replica (a rolling deploy) rewrites what another,
    still running, keeps: each migration bumps every workspace's version."""
    one, two = replicas
    await add_partner(one, "Acme Media")
    assert "Rewritten by a migration" not in await partner(one, 'show "Acme Media"')
    store = two.store
    sql = "UPDATE partners SET notes = 'Rewritten by a migration';\n"
    rewrite = Migration(9001, "9001_rewrite.sql", sql)
    if isinstance(store, PostgresStore):
        migrations = [*load_migrations("postgresql"), rewrite]
        conn = await asyncpg.connect(store.url)
        try:
            assert await migrate_postgres(conn, two.clock.now(), migrations) == [rewrite.name]
        finally:
            await conn.close()
    else:
        migrations = [*load_migrations("sqlite"), rewrite]
        async with aiosqlite.connect(store.path, isolation_level=None) as conn:
            applied = await migrate_sqlite(conn, two.clock.now().isoformat(), migrations)
            assert applied == [rewrite.name]
    assert "Rewritten by a migration" in await partner(one, 'show "Acme Media"')
