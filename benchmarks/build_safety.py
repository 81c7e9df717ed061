#!/usr/bin/env python3
"""Benchmark: what the build's safety (target checks, marker + fsync, lock, swap, cleanup) costs against the whole build.

    python benchmarks/build_safety.py [--rounds 3]

Builds the bundled package `rounds` times into a new folder and `rounds` times over an earlier release,
timing every function of publication/target.py and publication/swap.py that the build calls, and prints
one line per case: case=new|replace build_s=X safety_s=Y ratio=Y/X (medians), then the per-function
medians. Figures, not assertions: compare ratios within one run.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from jpkr_data.publication import release, swap, target  # noqa: E402

TIMED = {target: ["check_target", "write_release_marker", "clean_leftovers", "_new_staging", "_remove_staging"],
         swap: ["exchange", "move_new", "fsync_dir"]}


def instrument(spent: dict[str, float]) -> None:
    """Wrap the safety functions so that each adds its own (outermost) wall time to spent[name]."""
    depth = [0]
    for module, names in TIMED.items():
        for name in names:
            original = getattr(module, name)

            def timed(*args, _original=original, _name=name, **kwargs):
                depth[0] += 1
                t = time.perf_counter()
                try:
                    return _original(*args, **kwargs)
                finally:
                    depth[0] -= 1
                    if depth[0] == 0:
                        spent[_name] += time.perf_counter() - t
            setattr(module, name, timed)
    release.check_target = target.check_target  # build_release's own reference to the first check


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    spent: dict[str, float] = defaultdict(float)
    instrument(spent)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.setdefault("JPKR_DATA_CACHE", str(Path(tmp) / "cache"))
        for case in ("new", "replace"):
            totals, safety, parts = [], [], defaultdict(list)
            if case == "replace":
                release.build_release(Path(tmp) / "rel")  # the earlier release every round replaces
            for i in range(args.rounds):
                out = Path(tmp) / (f"new{i}" if case == "new" else "rel")
                spent.clear()
                t = time.perf_counter()
                release.build_release(out)
                totals.append(time.perf_counter() - t)
                safety.append(sum(spent.values()))
                for k, v in spent.items():
                    parts[k].append(v)
            b, s = statistics.median(totals), statistics.median(safety)
            print(f"case={case} build_s={b:.3f} safety_s={s:.3f} ratio={s / b:.3f}")
            print("  " + " ".join(f"{k}={statistics.median(v):.3f}" for k, v in sorted(parts.items())))


if __name__ == "__main__":
    main()
