#!/usr/bin/env python3
"""Benchmark: validation time and memory as the package grows, jpkr-data vs frictionless.

    python benchmarks/validate_scale.py [--rows 1000 10000 100000 1000000] [--frictionless-max 10000]

Makes scaled copies of the package in a temporary folder: the events, their mentions and the
statements are repeated with fresh ids (same evidence spans, so the copy stays valid), then
validates each copy in a fresh process and prints wall time, peak memory and rows per second.
Figures, not assertions: compare the ratios within one run (the machines are shared and noisy).
"""
from __future__ import annotations

import argparse
import csv
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MEASURE = r"""
import json, resource, sys, time
t = time.perf_counter()
if sys.argv[1] == "jpkr":
    from jpkr_data.validation import validate
    ok = validate(sys.argv[2]).valid
else:
    from frictionless import Package
    ok = Package(sys.argv[2] + "/datapackage.json").validate().valid
print(json.dumps({"ok": ok, "seconds": time.perf_counter() - t, "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def scaled_copy(dst: Path, target_mentions: int) -> int:
    """Copy the package and grow events, event_mentions and statements; return total rows."""
    shutil.copy2(ROOT / "datapackage.json", dst / "datapackage.json")
    shutil.copytree(ROOT / "sql", dst / "sql")
    shutil.copytree(ROOT / "data", dst / "data")
    # the views and quotations tie statements and quotations together; keep those as they are
    base = {t: list(csv.DictReader((ROOT / "data" / f"{t}.csv").open(encoding="utf-8"))) for t in ("events", "event_mentions")}
    copies = max(1, target_mentions // len(base["event_mentions"]))
    for table, key in (("events", "event_id"), ("event_mentions", "event_id")):
        rows = base[table]
        with (dst / "data" / f"{table}.csv").open("w", encoding="utf-8", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
            w.writeheader()
            w.writerows(rows)
            for k in range(1, copies):
                for r in rows:
                    r2 = dict(r, **{key: f"{r[key]}_x{k}"})
                    if table == "events" and r2["parent_event_id"]:
                        r2["parent_event_id"] = f"{r2['parent_event_id']}_x{k}"
                    w.writerow(r2)
    return sum(sum(1 for _ in (dst / "data" / p).open(encoding="utf-8")) - 1 for p in (f.name for f in (dst / "data").glob("*.csv")))


def measure(tool: str, pkg: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", MEASURE, tool, str(pkg)], capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, nargs="+", default=[100, 10_000, 100_000, 1_000_000], help="target event_mentions rows")
    ap.add_argument("--frictionless-max", type=int, default=10_000, help="largest size also run through frictionless")
    args = ap.parse_args()
    print(f"{'mentions':>10} {'total rows':>11} {'tool':>12} {'ok':>5} {'seconds':>8} {'peak MiB':>9} {'rows/s':>10}")
    for n in args.rows:
        with tempfile.TemporaryDirectory() as tmp:
            pkg = Path(tmp)
            total = scaled_copy(pkg, n)
            tools = ["jpkr"] + (["frictionless"] if n <= args.frictionless_max else [])
            for tool in tools:
                m = measure(tool, pkg)
                print(f"{n:>10} {total:>11} {tool:>12} {str(m['ok']):>5} {m['seconds']:>8.2f} {m['peak_mib']:>9.0f} {total / m['seconds']:>10.0f}", flush=True)


if __name__ == "__main__":
    main()
