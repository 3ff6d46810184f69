"""Fixtures: a clean environment, the fake Slack, and the real app running over HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest

from storage.store import PostgresStore, SQLiteStore
from tests.support.databases import database_url, engine_params, opened_store
from tests.support.fake_slack import FakeSlack
from tests.support.harness import Harness, start_harness

SETTINGS_ENV = (
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "SLACK_API_URL",
    "DATABASE_URL",
    "PARTNERBOT_ADMINS",
    "PARTNERBOT_TIMEZONE",
    "PORT",
    "DATABASE_POOL_SIZE",
    "DATABASE_STATEMENT_CACHE_SIZE",
    "PARTNERBOT_DIGEST_GRACE_MINUTES",
    "PARTNERBOT_LANGUAGE",
)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No test sees the developer's settings or .env file."""
    for name in SETTINGS_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    yield


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    fake = FakeSlack()
    await fake.start()
    yield fake
    await fake.stop()
    assert fake.problems == [], "the app sent Slack something malformed"


@pytest.fixture(params=list(engine_params()))
def engine(request: pytest.FixtureRequest) -> str:
    """The database engine a test runs on: SQLite, then PostgreSQL (skipped with its reason
    where the server is not there, never under CI)."""
    return str(request.param)


@pytest.fixture
async def slack(fake_slack: FakeSlack, tmp_path: Path, engine: str) -> AsyncIterator[Harness]:
    """The real app on 127.0.0.1 with its fake Slack; every ack and call is checked."""
    async with (
        database_url(engine, tmp_path, "partnerbot.db") as url,
        aiohttp.ClientSession() as session,
    ):
        harness, runner = await start_harness(url, fake_slack, session)
        try:
            yield harness
        finally:
            await harness.settle()
            await runner.cleanup()
            await harness.store.close()
    assert harness.problems == [], "the app answered Slack with something malformed"


@pytest.fixture
async def store(tmp_path: Path, engine: str) -> AsyncIterator[SQLiteStore | PostgresStore]:
    """A migrated store in an empty database (a fresh SQLite file, or a fresh PostgreSQL
    schema), closed after the test."""
    async with opened_store(engine, tmp_path, datetime(2026, 11, 22, 9, 0, tzinfo=UTC)) as opened:
        yield opened
