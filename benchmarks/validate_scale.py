#!/usr/bin/env python3
"""Benchmark: validation time and memory as the package grows, jpkr-data vs frictionless.

    python benchmarks/validate_scale.py --rows 10000 100000 1000000 [--faults 5] [--no-frictionless]

For each N, builds a synthetic package with N rows in each scaled table (benchmarks/synth.py),
validates it in a fresh process with jpkr-data and with frictionless, and prints one line per
size: rows=N jpkr=Xs frictionless=Ys ratio=Z agree=yes|no floor=Fs over_floor=R peak_mb=M, where floor
is the time DuckDB alone takes to read the same CSV files (read_csv of each into a table, in a fresh
process: the practical floor), over_floor is jpkr's time divided by it, and peak_mb is jpkr-data's
peak resident memory. Figures, not assertions: compare ratios within one run.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synth import make_package  # noqa: E402

MEASURE = r"""
import json, resource, sys, time
t = time.perf_counter()
if sys.argv[1] == "jpkr":
    from jpkr_data.validator import validate
    ok = validate(sys.argv[2]).valid
elif sys.argv[1] == "floor":
    import duckdb
    from pathlib import Path
    con = duckdb.connect(":memory:")
    for k, f in enumerate(sorted(Path(sys.argv[2], "data").glob("*.csv"))):
        con.execute(f"CREATE TABLE t{k} AS SELECT * FROM read_csv(?)", [str(f)])
    ok = True
else:
    from frictionless import Package
    ok = Package(sys.argv[2] + "/datapackage.json").validate().valid
print(json.dumps({"ok": ok, "seconds": time.perf_counter() - t, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def measure(tool: str, pkg: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", MEASURE, tool, str(pkg)], capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000, 1_000_000], help="rows per scaled table")
    ap.add_argument("--faults", type=int, default=0, help="dangling foreign keys to inject")
    ap.add_argument("--no-frictionless", action="store_true", help="time jpkr-data only")
    args = ap.parse_args()
    for n in args.rows:
        with tempfile.TemporaryDirectory() as tmp:
            pkg = Path(tmp)
            total = make_package(pkg, n, args.faults)
            ours = measure("jpkr", pkg)
            print(f"# rows={n}: {total} rows in all tables; jpkr-data says {'valid' if ours['ok'] else 'invalid'}", flush=True)
            line = f"rows={n} jpkr={ours['seconds']:.2f}s"
            if not args.no_frictionless:
                fr = measure("frictionless", pkg)
                agree = "yes" if fr["ok"] == ours["ok"] else "no"
                line += f" frictionless={fr['seconds']:.2f}s ratio={fr['seconds'] / ours['seconds']:.1f} agree={agree}"
            floor = measure("floor", pkg)
            line += f" floor={floor['seconds']:.2f}s over_floor={ours['seconds'] / floor['seconds']:.2f}"
            print(line + f" peak_mb={ours['peak_mb']:.0f}", flush=True)


if __name__ == "__main__":
    main()
