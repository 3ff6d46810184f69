"""What `partnerbot run` imports: on SQLite neither asyncpg nor the PostgreSQL store, and on
either engine none of the code only other subcommands need (imports and exports, copy-db,
the console) nor the charts' matplotlib; and the collector's thresholds are the app's before
its modules are imported. Each module compiled and run at start costs start-up time, here
where Python writes no bytecode."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from pathlib import Path
from typing import Any

import pytest

import storage.postgres
import storage.store
from bot.collector import GC_THRESHOLDS
from tests.support.databases import database_url
from tests.support.fake_slack import FakeSlack

# `partnerbot run` as the console script runs it, until SIGTERM; then, as JSON, its exit
# status, the collector's thresholds when bot.app began to be imported, and the modules of
# argv it imported.
RUN_UNTIL_SIGTERM = """
import gc, json, sys

at_app_import = []

def note(event, args):
    if event == "import" and args[0] == "bot.app" and not at_app_import:
        at_app_import.append(gc.get_threshold())

sys.addaudithook(note)
from bot.cli import main

code = main(["run"])
imported = [name for name in sys.argv[1:] if name in sys.modules]
print(json.dumps({"code": code, "collector": at_app_import, "imported": imported}))
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


async def run_until_ready(database: str, fake_slack: FakeSlack, cwd: Path) -> dict[str, Any]:
    """Start `partnerbot run`, stop it with SIGTERM once ready, and return what it said."""
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
        RUN_UNTIL_SIGTERM,
        *CLI_ONLY,
        *POSTGRES_ONLY,
        cwd=cwd,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    try:
        async with asyncio.timeout(60):
            while not (line := await process.stdout.readline()).startswith(b"partnerbot ready"):
                assert line, "the bot stopped before it was ready"
            process.send_signal(signal.SIGTERM)
            out, err = await process.communicate()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode == 0, err.decode()
    said: dict[str, Any] = json.loads(out.decode().splitlines()[-1])
    return said


async def test_run_on_sqlite_tunes_the_collector_first_and_imports_no_postgresql_nor_cli_only_code(
    tmp_path: Path, fake_slack: FakeSlack
) -> None:
    said = await run_until_ready(f"sqlite:///{tmp_path / 'run.db'}", fake_slack, tmp_path)
    assert said["imported"] == []
    assert said["code"] == 0
    # Tuned before the app's modules were imported, not only once it was built.
    assert said["collector"] == [list(GC_THRESHOLDS)]


async def test_run_on_postgresql_imports_its_driver_and_still_no_cli_only_code(
    tmp_path: Path, fake_slack: FakeSlack
) -> None:
    async with database_url("postgresql", tmp_path) as url:
        said = await run_until_ready(url, fake_slack, tmp_path)
    assert said["imported"] == POSTGRES_ONLY


def test_the_postgresql_store_is_still_found_where_it_was() -> None:
    assert storage.store.PostgresStore is storage.postgres.PostgresStore
    with pytest.raises(AttributeError, match="no attribute 'PostgresStor'"):
        _ = storage.store.PostgresStor  # type: ignore[attr-defined]
