"""What `partnerbot run` imports: on SQLite neither asyncpg nor the PostgreSQL store, and on
either engine none of the code only other subcommands need (imports and exports, copy-db,
the console) nor the charts' matplotlib. Each module compiled and run at start costs start-up
time, here where Python writes no bytecode."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

import pytest

import storage.postgres
import storage.store
from tests.support.databases import database_url
from tests.support.fake_slack import FakeSlack

# The run path, as the console script takes it, from start to ready and stopped again; then
# the modules of DEFERRED it imported, as JSON.
RUN_TO_READY = """
import asyncio, json, sys

import bot.cli
from bot.app import serve
from bot.settings import load_settings

async def run_until_ready():
    stop = asyncio.Event()

    def announce(line):
        if line.startswith("partnerbot ready"):
            stop.set()

    await serve(load_settings(), stop, announce=announce)

asyncio.run(run_until_ready())
print(json.dumps([name for name in sys.argv[1:] if name in sys.modules]))
"""

CLI_ONLY = [
    "storage.copy",
    "bot.registry.imports",
    "bot.registry.partner_imports",
    "bot.registry.metric_imports",
    "bot.registry.csv_io",
    "console",
    "matplotlib",
]
POSTGRES_ONLY = ["asyncpg", "storage.postgres"]


async def modules_imported_by_run(database: str, fake_slack: FakeSlack, cwd: Path) -> list[str]:
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": "secret",
        "SLACK_API_URL": fake_slack.api_url,
        "DATABASE_URL": database,
        "PORT": "0",
    }
    env.pop("SLACK_APP_TOKEN", None)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        RUN_TO_READY,
        *CLI_ONLY,
        *POSTGRES_ONLY,
        cwd=cwd,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        async with asyncio.timeout(60):
            out, err = await process.communicate()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode == 0, err.decode()
    imported: list[str] = json.loads(out.decode().splitlines()[-1])
    return imported


async def test_run_on_sqlite_imports_neither_postgresql_nor_the_cli_only_code(
    tmp_path: Path, fake_slack: FakeSlack
) -> None:
    imported = await modules_imported_by_run(
        f"sqlite:///{tmp_path / 'run.db'}", fake_slack, tmp_path
    )
    assert imported == []
    assert [call.method for call in fake_slack.calls] == ["auth.test"]  # it got to ready


async def test_run_on_postgresql_imports_its_driver_and_still_no_cli_only_code(
    tmp_path: Path, fake_slack: FakeSlack
) -> None:
    async with database_url("postgresql", tmp_path) as url:
        imported = await modules_imported_by_run(url, fake_slack, tmp_path)
    assert imported == POSTGRES_ONLY


def test_the_postgresql_store_is_still_found_where_it_was() -> None:
    assert storage.store.PostgresStore is storage.postgres.PostgresStore
    with pytest.raises(AttributeError, match="no attribute 'PostgresStor'"):
        _ = storage.store.PostgresStor  # type: ignore[attr-defined]
