"""command_throughput.py, also printing the process's CPU time a request for each case.

On a machine shared with other work, req/s move with the neighbours' load; the CPU time the
process spends a request moves much less. Bare Bolt's CPU a request over a case's is the
throughput ratio the case would have on a quiet machine when the event loop is the bound
(both apps, the clients and the fake Slack share one process and loop). Each case's CPU is
also split by thread where Linux tells (/proc/self/task/*/schedstat): the event loop's, and
aiosqlite's (SQLite's statements and their hand-off; none on PostgreSQL). Same arguments:

    python bench/command_cpu.py --sqlite-file /tmp/copy.db --only show --requests 1000 --rounds 3
"""

from __future__ import annotations

import os
import runpy
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import bench.slack_load as load

BARE = "bare Bolt"
cpu: dict[str, list[float]] = {}
by_thread: dict[str, list[tuple[float, float]]] = {}  # (loop, aiosqlite) us a request
_fire = load.fire


def thread_ns() -> dict[int, tuple[str, int]]:
    """Each live thread's CPU time in ns, with what it is: "loop", "sqlite" or "other"."""
    names = {t.native_id: t.name for t in threading.enumerate()}
    spent = {}
    for tid in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{tid}/schedstat") as stat:
                ns = int(stat.read().split()[0])
        except OSError:  # the thread ended, or no schedstat here
            continue
        name = names.get(int(tid), "")
        kind = "loop" if name == "MainThread" else "other"
        spent[int(tid)] = ("sqlite" if "_connection_worker_thread" in name else kind, ns)
    return spent


async def fire(slack: Any, url: str, command: str, texts: Any, count: int, concurrency: int) -> Any:
    """The bench's fire, timed by the process's CPU clock, filed by what was sent."""
    threads = thread_ns()
    began = time.process_time()
    result = await _fire(slack, url, command, texts, count, concurrency)
    spent = time.process_time() - began
    word = str(texts(0)).split(" ")[0]
    shown = "NAME" if word.startswith('"') else word
    key = BARE if texts(0) == "show x" else f"{command} {shown}"
    cpu.setdefault(key, []).append(spent / count * 1e6)
    split = {"loop": 0, "sqlite": 0, "other": 0}
    for tid, (kind, ns) in thread_ns().items():
        split[kind] += ns - threads.get(tid, (kind, 0))[1]
    by_thread.setdefault(key, []).append(
        (split["loop"] / count / 1e3, split["sqlite"] / count / 1e3)
    )
    return result


def report() -> None:
    """The median over the rounds (each case's first fire, its warm-up, left out)."""
    runs = {key: values[1:] or values for key, values in cpu.items()}
    bare = statistics.median(runs[BARE])
    print("| what was sent | CPU a request (us) | bare Bolt's / this | loop thread | aiosqlite's |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for key, values in runs.items():
        spent = statistics.median(values)
        split = by_thread[key][1:] or by_thread[key]
        loop = statistics.median(s[0] for s in split)
        sqlite = statistics.median(s[1] for s in split)
        print(f"| {key} | {spent:.0f} | {bare / spent:.2f} | {loop:.0f} | {sqlite:.0f} |")


if __name__ == "__main__":
    load.fire = fire  # command_throughput imports it from here when it runs
    script = Path(__file__).resolve().parent / "command_throughput.py"
    sys.argv[0] = str(script)
    runpy.run_path(str(script), run_name="__main__")
    report()
