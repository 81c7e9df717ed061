#!/usr/bin/env python3
"""Benchmark: validation time and memory as the package grows, against DuckDB's bare read and frictionless.

    python benchmarks/validate_scale.py [--rows 10000 100000 300000] [--faults K] [--no-frictionless] [--no-profile]

For each N, builds a synthetic package with about N rows in each scaled table (benchmarks/synth.py) and,
each in a fresh process, validates it with jpkr-data, reads the same CSV files into tables with DuckDB
alone (the floor: read_csv of each file, nothing checked) and validates it with frictionless. It prints
the machine (cores, memory, load), the versions, then one line per size and every ratio:
jpkr/floor (goal: at most 2x), frictionless/jpkr (goal: at least 20x, with the same verdict), jpkr's
peak memory (goal: under 500 MB) and the time per row (linear growth keeps it flat). Wall and CPU
seconds are both printed: on a loaded machine CPU time moves much less than wall time. The largest
size is also profiled per check (benchmarks/profile_checks.py), into benchmarks/results/.
Figures, not assertions: compare ratios within one run.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from synth import make_package  # noqa: E402

RESULTS = HERE / "results"
GOALS = {"over_floor": 2.0, "vs_frictionless": 20.0, "peak_mb": 500.0}

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
r = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"ok": ok, "seconds": time.perf_counter() - t, "cpu": r.ru_utime + r.ru_stime, "peak_mb": r.ru_maxrss / 1024}))
"""


def machine() -> str:
    """Cores, memory, load and versions: what a reader needs to compare figures across runs."""
    try:
        mem = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal:")) / 2**20
        mem_s = f"{mem:.0f} GiB"
    except (OSError, StopIteration, ValueError):
        mem_s = "unknown"
    try:
        load = "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        load = "load unknown"
    versions = [f"python {platform.python_version()}"]
    for name in ("duckdb", "numpy", "frictionless", "jpkr_data"):
        versions.append(f"{name} {_version(name)}")
    return f"# machine: {os.cpu_count()} cores, {mem_s} memory, {load}; {platform.platform()}\n# versions: {', '.join(versions)}"


def _version(name: str) -> str:
    """The installed version of a distribution, or 'not installed'; for jpkr_data, the version of the code measured
    (the module the children import: an editable install's metadata keeps the version it was installed at)."""
    from importlib import metadata

    if name == "jpkr_data":
        try:
            return importlib.import_module("jpkr_data").__version__
        except ImportError:
            return "not installed"
    try:
        return metadata.version(name.replace("_", "-"))
    except metadata.PackageNotFoundError:
        return "not installed"


def frictionless_missing() -> str | None:
    """Why frictionless cannot be run here, or None."""
    if importlib.util.find_spec("frictionless") is None:
        return ("frictionless is not installed, so the comparison with it is skipped; install the test extras "
                "(pip install -e '.[test]', as `python3 dev.py test` does) to measure it")
    return None


def measure(tool: str, pkg: Path) -> dict:
    """Run one tool in a fresh interpreter; its JSON line, or {'error': ...} naming what failed."""
    r = subprocess.run([sys.executable, "-c", MEASURE, tool, str(pkg)], capture_output=True, text=True)
    if r.returncode != 0:
        last = (r.stderr.strip().splitlines() or ["no output"])[-1]
        return {"error": f"{tool} failed: {last}"}
    return json.loads(r.stdout.strip().splitlines()[-1])


def format_line(n: int, total: int, ours: dict, floor: dict, fr: dict | None) -> str:
    """One result line: sizes, times (wall and CPU), ratios, peak memory, time per row."""
    parts = [f"rows={n}", f"total_rows={total}", f"jpkr={ours['seconds']:.2f}s", f"jpkr_cpu={ours['cpu']:.2f}s",
             f"floor={floor['seconds']:.2f}s", f"floor_cpu={floor['cpu']:.2f}s",
             f"over_floor={ours['seconds'] / floor['seconds']:.2f}x", f"over_floor_cpu={ours['cpu'] / floor['cpu']:.2f}x"]
    if fr is None:
        parts.append("frictionless=skipped")
    elif "error" in fr:
        parts.append("frictionless=failed")
    else:
        agree = "yes" if fr["ok"] == ours["ok"] else "no"
        parts += [f"frictionless={fr['seconds']:.2f}s", f"vs_frictionless={fr['seconds'] / ours['seconds']:.1f}x", f"agree={agree}"]
    parts += [f"peak_mb={ours['peak_mb']:.0f}", f"floor_peak_mb={floor['peak_mb']:.0f}", f"us_per_row={ours['seconds'] / total * 1e6:.2f}"]
    return " ".join(parts)


def format_goals(lines: list[dict]) -> list[str]:
    """The goals of issue 20, checked against the largest size: met, or by how much they are missed."""
    if not lines:
        return []
    last = lines[-1]
    out = [f"# goals at rows={last['rows']}:"]
    checks = [("over_floor", last["over_floor"], "at most", GOALS["over_floor"], "x DuckDB's bare read"),
              ("peak_mb", last["peak_mb"], "under", GOALS["peak_mb"], " MB peak")]
    if last.get("vs_frictionless") is not None:
        checks.insert(1, ("vs_frictionless", last["vs_frictionless"], "at least", GOALS["vs_frictionless"], "x faster than frictionless"))
    for name, value, how, goal, unit in checks:
        met = value >= goal if how == "at least" else value <= goal if how == "at most" else value < goal
        out.append(f"#   {name}: {value:.2f} ({how} {goal:g}{unit}): {'met' if met else f'missed by {abs(value / goal - 1):.0%}'}")
    per_row = [x["us_per_row"] for x in lines]
    out.append(f"#   time per row across sizes: {' -> '.join(f'{v:.2f}' for v in per_row)} us (flat or falling = linear or better)")
    return out


def main() -> None:
    """Measure each size, print the lines, the goals and where the time went at the largest size."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000, 300_000], help="rows per scaled table")
    ap.add_argument("--faults", type=int, default=0, help="dangling foreign keys to inject")
    ap.add_argument("--no-frictionless", action="store_true", help="time jpkr-data and the floor only")
    ap.add_argument("--no-profile", action="store_true", help="do not profile the largest size per check")
    args = ap.parse_args()
    print(machine(), flush=True)
    missing = None if args.no_frictionless else frictionless_missing()
    if missing:
        print(f"# note: {missing}", flush=True)
    results: list[dict] = []
    for n in sorted(args.rows):
        with tempfile.TemporaryDirectory() as tmp:
            pkg = Path(tmp)
            total = make_package(pkg, n, args.faults)
            ours = measure("jpkr", pkg)
            if "error" in ours:
                print(f"# rows={n}: {ours['error']}", flush=True)
                continue
            floor = measure("floor", pkg)
            fr = None if args.no_frictionless or missing else measure("frictionless", pkg)
            if fr is not None and "error" in fr:
                print(f"# rows={n}: {fr['error']}", flush=True)
            print(format_line(n, total, ours, floor, fr), flush=True)
            results.append({"rows": n, "over_floor": ours["seconds"] / floor["seconds"], "peak_mb": ours["peak_mb"],
                            "us_per_row": ours["seconds"] / total * 1e6,
                            "vs_frictionless": fr["seconds"] / ours["seconds"] if fr and "error" not in fr else None})
            if n == max(args.rows) and not args.no_profile:
                from profile_checks import profile

                table = profile(pkg, RESULTS / f"validate_{n}")
                print(f"# where the time went (also in benchmarks/results/validate_{n}.checks.txt and .cprofile.txt):")
                print("\n".join("#   " + line for line in table.splitlines()[:25]), flush=True)
    print("\n".join(format_goals(results)))


if __name__ == "__main__":
    main()
