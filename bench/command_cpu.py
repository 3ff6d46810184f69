"""command_throughput.py, also printing the process's CPU time a request for each case.

On a machine shared with other work, req/s move with the neighbours' load; the CPU time the
process spends a request moves much less. Bare Bolt's CPU a request over a case's is the
throughput ratio the case would have on a quiet machine when the event loop is the bound
(both apps, the clients and the fake Slack share one process and loop). Same arguments:

    python bench/command_cpu.py --sqlite-file /tmp/copy.db --only show --requests 1000 --rounds 3
"""

from __future__ import annotations

import runpy
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import bench.slack_load as load

BARE = "bare Bolt"
cpu: dict[str, list[float]] = {}
_fire = load.fire


async def fire(slack: Any, url: str, command: str, texts: Any, count: int, concurrency: int) -> Any:
    """The bench's fire, timed by the process's CPU clock, filed by what was sent."""
    began = time.process_time()
    result = await _fire(slack, url, command, texts, count, concurrency)
    word = str(texts(0)).split(" ")[0]
    shown = "NAME" if word.startswith('"') else word
    key = BARE if texts(0) == "show x" else f"{command} {shown}"
    cpu.setdefault(key, []).append((time.process_time() - began) / count * 1e6)
    return result


def report() -> None:
    """The median over the rounds (each case's first fire, its warm-up, left out)."""
    runs = {key: values[1:] or values for key, values in cpu.items()}
    bare = statistics.median(runs[BARE])
    print("| what was sent | CPU a request (us) | bare Bolt's / this |")
    print("| --- | ---: | ---: |")
    for key, values in runs.items():
        spent = statistics.median(values)
        print(f"| {key} | {spent:.0f} | {bare / spent:.2f} |")


if __name__ == "__main__":
    load.fire = fire  # command_throughput imports it from here when it runs
    script = Path(__file__).resolve().parent / "command_throughput.py"
    sys.argv[0] = str(script)
    runpy.run_path(str(script), run_name="__main__")
    report()
