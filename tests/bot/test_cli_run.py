"""`partnerbot run` as a process: start-up against a Slack that refuses a token or cannot be
reached, and SIGTERM at any point of it."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.support.fake_slack import FakeSlack

SECRET = "run-secret"


def closed_port() -> int:
    """A port the OS handed out and nobody listens on any more: Slack out of reach."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


class Run:
    """A `partnerbot run` process, its stdout lines read as they come, its stderr in a file."""

    def __init__(self, process: asyncio.subprocess.Process, stderr: Path) -> None:
        self.process = process
        self._stderr = stderr

    async def line(self, within: float = 30) -> str:
        assert self.process.stdout is not None
        async with asyncio.timeout(within):
            return (await self.process.stdout.readline()).decode()

    async def sigterm(self, within: float = 30) -> tuple[int, float]:
        """Send SIGTERM; the exit status and the seconds it took to exit."""
        began = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        async with asyncio.timeout(within):
            code = await self.process.wait()
        return code, time.monotonic() - began

    async def exit_code(self, within: float = 30) -> int:
        async with asyncio.timeout(within):
            return await self.process.wait()

    @property
    def stderr(self) -> str:
        return self._stderr.read_text(encoding="utf-8")


@asynccontextmanager
async def partnerbot_run(tmp_path: Path, **env: str) -> AsyncIterator[Run]:
    variables = {
        **os.environ,
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": SECRET,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'run.db'}",
        "PORT": "0",
        **env,
    }
    if "SLACK_APP_TOKEN" not in env:
        variables.pop("SLACK_APP_TOKEN", None)
    stderr = tmp_path / "stderr.log"
    # stderr to a file: a pipe nobody reads would fill up and block the process's logging.
    with stderr.open("w", encoding="utf-8") as sink:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot.cli",
            "run",
            cwd=tmp_path,
            env=variables,
            stdout=asyncio.subprocess.PIPE,
            stderr=sink,
        )
    try:
        yield Run(process, stderr)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


def port_of(line: str) -> int:
    return int(line.split(" on port ", 1)[1].split(":", 1)[0])


async def health(port: int) -> tuple[int, dict[str, Any]]:
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"http://127.0.0.1:{port}/healthz") as resp,
    ):
        return resp.status, await resp.json()


@pytest.mark.parametrize("socket_mode", [False, True], ids=["http", "socket-mode"])
async def test_slack_out_of_reach_is_not_ready_retried_in_one_line_and_stopped_by_sigterm(
    tmp_path: Path, socket_mode: bool
) -> None:
    env = {"SLACK_API_URL": f"http://127.0.0.1:{closed_port()}/api/"}
    if socket_mode:
        env["SLACK_APP_TOKEN"] = "xapp-test"
    async with partnerbot_run(tmp_path, **env) as run:
        line = await run.line()
        assert line.startswith("partnerbot not ready on port "), line
        status, body = await health(port_of(line))
        assert status == 503 and body["status"] == "not ready"
        assert "cannot reach Slack" in body["reason"] and "retrying" in body["reason"]
        code, took = await run.sigterm()
        assert code == 0
        assert took < 10
        stderr = run.stderr
        assert "Traceback" not in stderr
        attempts = [line for line in stderr.splitlines() if "not ready (attempt " in line]
        assert attempts and "retrying in 1 s" in attempts[0]
        assert "stopped" in stderr


@pytest.mark.parametrize(
    ("method", "socket_mode", "setting", "fix"),
    [
        ("auth.test", False, "SLACK_BOT_TOKEN", "OAuth & Permissions"),
        ("auth.test", True, "SLACK_BOT_TOKEN", "OAuth & Permissions"),
        ("apps.connections.open", True, "SLACK_APP_TOKEN", "connections:write"),
    ],
)
async def test_a_token_slack_refuses_is_one_line_and_exit_2(
    tmp_path: Path,
    fake_slack: FakeSlack,
    method: str,
    socket_mode: bool,
    setting: str,
    fix: str,
) -> None:
    fake_slack.refuse(method, "invalid_auth")
    env = {"SLACK_API_URL": fake_slack.api_url}
    if socket_mode:
        env["SLACK_APP_TOKEN"] = "xapp-test"
    async with partnerbot_run(tmp_path, **env) as run:
        assert await run.exit_code() == 2
        assert await run.line() == ""  # never said it was ready
        stderr = run.stderr
    assert "Traceback" not in stderr
    told = [line for line in stderr.splitlines() if line.startswith("partnerbot: ")]
    assert told == [stderr.strip().splitlines()[-1]]
    assert told[0].startswith(f"partnerbot: {setting} was refused by Slack (invalid_auth): ")
    assert fix in told[0]
