#!/usr/bin/env python3
"""First query in a new process with a warm cache, against bare DuckDB (and DuckDB + pandas) reading one CSV.

Runs each command alternately in fresh interpreters (after one warm-up run of each, which also builds
the cache, in a private temporary cache folder) and prints the machine, the versions, the median and
minimum wall times and the two ratios of issue 20 (goals: at most 1.1x each). Not a test: figures
for the README. Warm means Python's bytecode too: every interpreter compiles into, then reads from, one
temporary bytecode folder (PYTHONPYCACHEPREFIX; PYTHONDONTWRITEBYTECODE is dropped), as an installed
wheel's modules are compiled once at install; nothing is written beside the sources.

    python benchmarks/first_query.py [--runs 15]
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from validate_scale import machine  # noqa: E402

COMMANDS = {
    "bare duckdb": "import duckdb; duckdb.sql(\"SELECT count(*) FROM read_csv('data/events.csv')\").fetchall()",
    "jpkr_data.connect() + query": "import jpkr_data; jpkr_data.connect().sql('SELECT count(*) FROM events').fetchall()",
    "bare duckdb + pandas .df()": "import duckdb; duckdb.sql(\"SELECT * FROM read_csv('data/events.csv')\").df()",
    "jpkr_data.table('timeline')": "import jpkr_data; jpkr_data.table('timeline')",
}
RATIOS = (("jpkr_data.connect() + query", "bare duckdb"), ("jpkr_data.table('timeline')", "bare duckdb + pandas .df()"))
GOAL = 1.1


def once(code: str, env: dict[str, str]) -> tuple[float, float]:
    """Wall time and CPU time (user + system) of one fresh interpreter running `code` from the repository root."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, env=env)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def format_table(times: dict[str, list[tuple[float, float]]]) -> list[str]:
    """The median and minimum wall time and the median CPU time of each command, then each ratio with its goal
    (on wall time, and on CPU time, which a loaded machine moves much less)."""
    lines = [f"{'command':32} {'median':>8} {'min':>8} {'cpu':>8}"]
    wall = {name: [w for w, _ in ts] for name, ts in times.items()}
    cpu = {name: [c for _, c in ts] for name, ts in times.items()}
    for name in times:
        lines.append(f"{name:32} {statistics.median(wall[name]) * 1000:6.0f}ms {min(wall[name]) * 1000:6.0f}ms "
                     f"{statistics.median(cpu[name]) * 1000:6.0f}ms")
    for ours, base in RATIOS:
        for what, series in (("wall", wall), ("cpu", cpu)):
            ratio = statistics.median(series[ours]) / statistics.median(series[base])
            verdict = "met" if ratio <= GOAL else f"missed by {ratio / GOAL - 1:.0%}"
            lines.append(f"ratio {ours} / {base} ({what}): {ratio:.2f}x (goal: at most {GOAL}x): {verdict}")
    return lines


def main() -> None:
    """Alternate the commands, print medians and ratios."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=15)
    args = ap.parse_args()
    print(machine(), flush=True)
    with tempfile.TemporaryDirectory() as cache, tempfile.TemporaryDirectory() as bytecode:
        os.chmod(cache, 0o700)
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env |= {"PYTHONPATH": str(ROOT), "JPKR_DATA_CACHE": cache, "PYTHONPYCACHEPREFIX": bytecode}
        for code in COMMANDS.values():
            once(code, env)  # warm-up; builds the cache
        times: dict[str, list[tuple[float, float]]] = {k: [] for k in COMMANDS}
        for _ in range(args.runs):
            for name, code in COMMANDS.items():
                times[name].append(once(code, env))
    print(f"# {args.runs} alternating runs, each in a fresh interpreter, warm cache (database and bytecode)")
    print("\n".join(format_table(times)))


if __name__ == "__main__":
    main()
