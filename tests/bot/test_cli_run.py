"""`partnerbot run` as a process: start-up against a Slack that refuses a token or cannot be
reached, and SIGTERM at any point, under load too."""

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
from urllib.parse import urlencode

import aiohttp
import pytest
from slack_sdk.signature import SignatureVerifier

from tests.support.fake_slack import FakeSlack

SECRET = "run-secret"
GRACE = 20  # SHUTDOWN_GRACE_SECONDS: a stop must come well before it


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


def signed(text: str, fake: FakeSlack) -> tuple[bytes, dict[str, str]]:
    body = urlencode(
        {
            "team_id": "T0001",
            "channel_id": "C1",
            "user_id": "U1",
            "command": "/partner",
            "text": text,
            "response_url": fake.response_url(),
            "trigger_id": "1.2.3",
        }
    )
    ts = str(int(time.time()))
    signature = SignatureVerifier(SECRET).generate_signature(timestamp=ts, body=body)
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": signature,
    }
    return body.encode(), headers


async def test_sigterm_under_a_burst_of_keep_alive_requests_exits_well_within_the_grace(
    tmp_path: Path, fake_slack: FakeSlack
) -> None:
    async with partnerbot_run(tmp_path, SLACK_API_URL=fake_slack.api_url) as run:
        line = await run.line()
        assert line.startswith("partnerbot ready on port "), line
        port = port_of(line)
        url = f"http://127.0.0.1:{port}/slack/events"
        outcomes: list[int | str] = []
        answered = asyncio.Event()
        connector = aiohttp.TCPConnector(limit=256)  # keep-alive: connections are reused
        async with aiohttp.ClientSession(connector=connector) as session:

            async def command(text: str) -> None:
                body, headers = signed(text, fake_slack)
                try:
                    async with session.post(url, data=body, headers=headers) as resp:
                        await resp.read()
                        outcomes.append(resp.status)
                        if len(outcomes) >= 256:
                            answered.set()
                except aiohttp.ClientError as err:  # the server stopped listening: expected
                    outcomes.append(type(err).__name__)

            async def bursts() -> None:
                while True:
                    texts = ["help", "list", 'show "Nobody Co"', "list status=active"] * 64
                    await asyncio.gather(*(command(text) for text in texts))

            async def probes() -> None:
                # A new connection each time, as a load balancer's health checks make: the
                # connections being accepted as the server stops listening.
                while True:
                    try:
                        reader, writer = await asyncio.open_connection("127.0.0.1", port)
                        writer.write(b"GET /healthz HTTP/1.1\r\nHost: partnerbot\r\n\r\n")
                        await reader.read(64)
                        writer.close()
                    except OSError:
                        await asyncio.sleep(0)  # refused once stopped: give the loop a turn

            load = [asyncio.create_task(bursts())]
            load += [asyncio.create_task(probes()) for _ in range(32)]
            try:
                async with asyncio.timeout(30):
                    await answered.wait()  # under load: requests in flight on open connections
                code, took = await run.sigterm(within=GRACE + 10)
            finally:
                for task in load:
                    task.cancel()
                await asyncio.gather(*load, return_exceptions=True)
        stderr = run.stderr
    assert code == 0
    assert took < 10, f"SIGTERM took {took:.1f} s"
    assert "Traceback" not in stderr and "cancelling" not in stderr
    statuses = [o for o in outcomes if isinstance(o, int)]
    assert statuses and set(statuses) == {200}
