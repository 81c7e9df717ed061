"""First query in a new process with a warm cache, against a bare DuckDB read of one CSV (the issue's yardstick).

Runs each command alternately in fresh interpreters (after one warm-up run of each, which also
builds the cache) and prints the median wall times and their ratio. Not a test: figures for the README.

    python benchmarks/first_query.py [--runs 15]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

COMMANDS = {
    "bare duckdb (issue's yardstick)": "import duckdb; duckdb.sql(\"SELECT count(*) FROM read_csv('data/events.csv')\")",
    "bare duckdb, fetched": "import duckdb; duckdb.sql(\"SELECT count(*) FROM read_csv('data/events.csv')\").fetchall()",
    "jpkr_data.connect() + query": "import jpkr_data; jpkr_data.connect().sql('SELECT count(*) FROM events').fetchall()",
    "jpkr_data.query() (imports pandas)": "import jpkr_data; jpkr_data.query('SELECT count(*) AS n FROM events')",
}
BASELINE = "bare duckdb (issue's yardstick)"
OURS = "jpkr_data.connect() + query"


def once(code: str) -> float:
    """Wall time of one fresh interpreter running `code` from the repository root."""
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, env=os.environ | {"PYTHONPATH": str(ROOT)})
    return time.perf_counter() - t


def main() -> None:
    """Alternate the commands, print medians and ratios to the yardstick."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=15)
    args = ap.parse_args()
    for code in COMMANDS.values():
        once(code)  # warm-up; builds the cache
    times: dict[str, list[float]] = {k: [] for k in COMMANDS}
    for _ in range(args.runs):
        for name, code in COMMANDS.items():
            times[name].append(once(code))
    base = statistics.median(times[BASELINE])
    print(f"{'command':40} {'median':>8} {'min':>8}  ratio to yardstick  ({args.runs} alternating runs)")
    for name, ts in times.items():
        print(f"{name:40} {statistics.median(ts) * 1000:7.0f}ms {min(ts) * 1000:7.0f}ms  {statistics.median(ts) / base:5.2f}x")
    print(f"\nfirst query with a warm cache / bare duckdb: {statistics.median(times[OURS]) / base:.2f}x (goal: at most 1.2x)")


if __name__ == "__main__":
    main()
