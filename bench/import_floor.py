"""The floor under `import-metrics`: what plain sqlite3 takes for the writes the import makes
(bench/imports.py's file: 10,000 partners' five metrics of the two latest weeks, every value
replaced), in chunks of partners as the import writes them: an UPDATE by key a value, an audit
row a value, one summary row a partner (rewritten at its own size), then COMMIT with SQLite's
own checkpoint. No staging, no drafts, no Python beyond the parameters. Each step timed, and
the WAL's size after the last chunk (the pages a chunk writes, about).

    python bench/import_floor.py --db /tmp/floor-copy.db               # a copy of /tmp/bench.db
    python bench/import_floor.py --db /tmp/floor-copy.db --chunk 2000 --cache-kib 65536
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import time

TEAM = "T0001"
PERIODS = ["2026-W48", "2026-W49"]  # the seeded file's two latest weeks
METRICS = ["rue", "roi", "sentiment", "gmv", "traffic"]
AT = "2026-12-02T09:00:00.000000Z"


def main(args: argparse.Namespace) -> None:
    k = int(time.time()) % 97 + 1  # new values each run, so every one is replaced
    conn = sqlite3.connect(args.db, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")  # as the store's connections
    conn.execute(f"PRAGMA cache_size = -{args.cache_kib}")
    ids = [
        pid
        for (pid,) in conn.execute(
            "SELECT id FROM partners WHERE team_id = ? ORDER BY id LIMIT ?", (TEAM, args.partners)
        )
    ]
    steps = dict.fromkeys(["update", "audit", "summary", "commit"], 0.0)
    began, cpu = time.perf_counter(), time.process_time()
    for first in range(0, len(ids), args.chunk):
        chunk = ids[first : first + args.chunk]
        conn.execute("BEGIN IMMEDIATE")
        at = time.perf_counter()
        conn.executemany(
            "UPDATE metrics SET value = ?, recorded_by = 'cli', recorded_at = ? "
            "WHERE team_id = ? AND partner_id = ? AND period = ? AND metric = ?",
            [
                (pid % 50 + k / 100 + n, AT, TEAM, pid, period, metric)
                for pid in chunk
                for period in PERIODS
                for n, metric in enumerate(METRICS)
            ],
        )
        steps["update"] += time.perf_counter() - at
        at = time.perf_counter()
        conn.executemany(
            "INSERT INTO audit_log (team_id, partner_id, actor, at, action, field, before, "
            "after) VALUES (?, ?, 'cli', ?, 'import', ?, '1.00', '2.00')",
            [
                (TEAM, pid, AT, f"{metric}@{period}")
                for pid in chunk
                for period in PERIODS
                for metric in METRICS
            ],
        )
        steps["audit"] += time.perf_counter() - at
        at = time.perf_counter()
        conn.executemany(
            "UPDATE health_summary SET version = version + 1, inputs = inputs || '' "
            "WHERE team_id = ? AND partner_id = ?",
            [(TEAM, pid) for pid in chunk],
        )
        steps["summary"] += time.perf_counter() - at
        at = time.perf_counter()
        conn.execute("COMMIT")
        steps["commit"] += time.perf_counter() - at
    took, cpu = time.perf_counter() - began, time.process_time() - cpu
    wal = os.path.getsize(f"{args.db}-wal")
    conn.close()
    size = f"chunks of {args.chunk} partners, cache {args.cache_kib} KiB"
    print(f"{size}: {took:.2f} s, CPU {cpu:.2f} s")
    for name, seconds in steps.items():
        print(f"    {name:10} {seconds:6.3f} s")
    print(f"    WAL after the last chunk: {wal / 1e6:.1f} MB")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True, help="a seeded SQLite copy (it is written)")
    parser.add_argument("--partners", type=int, default=10_000)
    parser.add_argument("--chunk", type=int, default=500, help="partners a transaction")
    parser.add_argument("--cache-kib", type=int, default=2000, help="the connection's cache")
    main(parser.parse_args())
