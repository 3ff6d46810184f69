"""Start-up to ready and peak RSS of `partnerbot run` serving a seeded registry.

Runs the bot as its own process (HTTP mode) against a SQLite file that
command_throughput.py seeded (--sqlite-file), with a fake Slack beside it; times the
start until it says "partnerbot ready" (wall time, and the process's own CPU time until
then, which a busy machine disturbs less), sends every case of command_throughput.py, then
reads the process's peak resident set (VmHWM).

    python bench/command_throughput.py --sqlite-file /tmp/bench.db --rounds 1 --only show
    python bench/bot_process.py --sqlite-file /tmp/bench.db
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.command_throughput import cases
from bench.slack_load import SECRET, FakeSlack, fire


def cpu_seconds(pid: int) -> float:
    """User and system CPU time the process has used so far (/proc/PID/stat)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        line = next(x for x in status if x.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024


async def start_bot(
    env: dict[str, str],
) -> tuple[asyncio.subprocess.Process, float, float, int]:
    """Start `partnerbot run`; the process, seconds until it said ready, its CPU seconds
    until then, and its port."""
    began = time.perf_counter()
    bot = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "run", env=env, stdout=asyncio.subprocess.PIPE
    )
    assert bot.stdout is not None
    while b"partnerbot ready" not in (line := await bot.stdout.readline()):
        if not line:
            raise RuntimeError("the bot stopped before it was ready")
    return bot, time.perf_counter() - began, cpu_seconds(bot.pid), int(line.split()[-1])


async def stop_bot(bot: asyncio.subprocess.Process) -> None:
    bot.terminate()
    await bot.wait()


async def main(args: argparse.Namespace) -> None:
    slack = FakeSlack()
    await slack.start()
    env = os.environ | {
        "SLACK_BOT_TOKEN": "xoxb-bench",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": slack.api_url,
        "DATABASE_URL": args.database_url,
        "PORT": str(args.port),  # 0: the OS picks a free one, read back from "ready on port N"
    }
    env.pop("SLACK_APP_TOKEN", None)
    starts, cpus = [], []
    for _ in range(args.starts):
        bot, ready, cpu, _port = await start_bot(env)
        starts.append(ready)
        cpus.append(cpu)
        await stop_bot(bot)
    bot, ready, cpu, port = await start_bot(env)
    starts.append(ready)
    cpus.append(cpu)
    url = f"http://127.0.0.1:{port}/slack/events"
    try:
        idle = peak_rss_mb(bot.pid)
        for case in cases(args.partners):
            count = args.slow_requests if case.slow else args.requests
            await fire(slack, url, case.command, case.texts, count, args.concurrency)
        rss = peak_rss_mb(bot.pid)
    finally:
        await stop_bot(bot)
        if slack.runner:
            await slack.runner.cleanup()
    print(
        f"start-up to ready: median {statistics.median(starts):.2f} s of {len(starts)} "
        f"(min {min(starts):.2f}, max {max(starts):.2f}), CPU until ready median "
        f"{statistics.median(cpus):.2f} s (min {min(cpus):.2f}); peak RSS {idle:.0f} MB when "
        f"ready, {rss:.0f} MB after every case"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sqlite-file", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--partners", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--slow-requests", type=int, default=4)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--starts", type=int, default=4, help="starts timed before the load")
    arguments = parser.parse_args()
    arguments.database_url = f"sqlite:///{os.path.abspath(arguments.sqlite_file)}"
    asyncio.run(main(arguments))
