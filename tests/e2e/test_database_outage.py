"""PostgreSQL going away while the app runs: /healthz answers 503 and commands say the
database is unavailable and nothing was changed; both recover by themselves when it is back."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import aiohttp
import pytest

from tests.support.databases import fresh_schema
from tests.support.fake_slack import FakeSlack
from tests.support.harness import Harness, start_harness
from tests.support.tcp_proxy import TcpProxy

pytestmark = pytest.mark.postgres


async def health(slack: Harness) -> int:
    async with slack.session.get(slack.url.replace("/slack/events", "/healthz")) as resp:
        return resp.status


async def test_an_outage_is_told_and_recovered_from_without_a_restart(
    fake_slack: FakeSlack,
) -> None:
    async with fresh_schema() as url:
        parts = urlsplit(url)
        proxy = TcpProxy(parts.hostname or "127.0.0.1", parts.port or 5432)
        await proxy.start()
        through_proxy = urlunsplit(parts._replace(netloc=f"postgres@127.0.0.1:{proxy.port}"))
        async with aiohttp.ClientSession() as session:
            slack, runner = await start_harness(through_proxy, fake_slack, session)
            try:
                assert await health(slack) == 200
                assert "Added" in (await slack.command("add Acme")).shown

                proxy.cut()
                assert await health(slack) == 503
                refused = await slack.command("add Beta")
                assert refused.status == 200
                assert "Database unavailable, nothing was changed" in refused.shown
                assert "Traceback" not in refused.text

                proxy.restore()
                assert await health(slack) == 200
                assert "Added" in (await slack.command("add Beta")).shown
                async with slack.store.read() as tx:
                    assert await tx.partner_names("T0001") == ["Acme", "Beta"]
            finally:
                await slack.settle()
                await runner.cleanup()
                await slack.store.close()
                await proxy.stop()
        assert slack.problems == []
