#!/usr/bin/env python3
"""Where validation time goes: wall time of every check step, and a cProfile of the whole run.

    python benchmarks/profile_checks.py PACKAGE_DIR [--out benchmarks/results/NAME]

Times each step of the pipeline (staging of each table and its compression, the field and key
checks of each table, every integrity and semantic check, the views) by wrapping the functions
that run them, in one process; and, inside the steps, each check's own query (`collect` and
`collect_many` calls, labelled by check, table and field) and each view's run. Then writes
NAME.checks.txt (steps, then queries and view runs, sorted by CPU time, with their share of the
wall time) and NAME.cprofile.txt (cProfile, top functions by cumulative time). Run it on a quiet machine for
figures; on a loaded one the shares still say which checks cost what.
"""
from __future__ import annotations

import argparse
import cProfile
import functools
import io
import pstats
import resource
import sys
import time
from collections import defaultdict
from pathlib import Path

# (module, functions) whose calls are timed; a function that calls another timed one is reported without it
STEPS = {
    "jpkr_data.validator.staging": ("stage_table", "_shape", "_large_file_ok", "compress"),
    "jpkr_data.validator.schema_checks": ("check_fields", "check_keys"),
    "jpkr_data.validator.integrity": ("load_sources", "check_body_and_segments", "check_spans", "check_dates", "check_quotations",
                                      "check_parent_cycles", "check_coverage"),
    "jpkr_data.validator.semantics": ("check_acts_and_threats", "check_occasions", "check_inferred_links", "check_neutral_titles",
                                      "check_event_structure", "check_cited_ids"),
    "jpkr_data.validator.pipeline": ("alias_typed",),
    "jpkr_data.views": ("create_views",),
}
# Inside the steps: each check's query and each view's run (a second table, so that no time is counted twice in either)
QUERIES = {
    "jpkr_data.validator.schema_checks": ("collect", "collect_many"),
    "jpkr_data.views": ("_run_alone",),
}


def _label(name: str, args: tuple) -> str:
    """The step's name, with the table it works on when its arguments name one (for a query: its check, table and field;
    for a view's run: the view)."""
    if name == "collect" and len(args) >= 6:
        return f"query {args[3]}({getattr(args[4], 'name', '?')}.{args[5]})"
    if name == "collect_many" and len(args) >= 2:
        checks = sorted({s[1] for s in args[1]})
        return f"query {'+'.join(checks[:3])}{'+...' if len(checks) > 3 else ''}({args[1][0][2].name})" if args[1] else "query (none)"
    if name in ("_run_alone", "run"):
        view = next(a for a in args if hasattr(a, "sql") and hasattr(a, "name"))
        return f"view {view.name}" + (" (run alone)" if name == "_run_alone" else "")
    for a in args:
        table = getattr(a, "name", None)
        if isinstance(table, str) and hasattr(a, "fields"):
            return f"{name}({table})"
    return name


def _cpu(step: str) -> float:
    """CPU seconds so far: of the whole process (DuckDB's threads included), or of this thread for the shape checks, which run beside staging."""
    if step in ("_shape", "_large_file_ok"):
        return time.thread_time()
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def instrument(steps: dict[str, tuple[str, ...]] = STEPS) -> dict[str, list[float]]:
    """Wrap every STEPS function (in its module and wherever it was imported) to add its wall and CPU time to the returned dict.

    CPU time is the whole process's (DuckDB's worker threads included; stage_table's includes the _shape thread
    beside it, whose own CPU is listed as _shape): on a loaded machine it moves much less than wall time."""
    import importlib

    times: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    modules = {m: importlib.import_module(m) for m in steps}
    for mod_name, funcs in steps.items():
        mod = modules[mod_name]
        for fname in funcs:
            original = getattr(mod, fname)

            @functools.wraps(original)
            def timed(*args, __f=original, __n=fname, **kwargs):
                t, c = time.perf_counter(), _cpu(__n)
                try:
                    return __f(*args, **kwargs)
                finally:
                    spent = times[_label(__n, args)]
                    spent[0] += time.perf_counter() - t
                    spent[1] += _cpu(__n) - c

            for other in list(sys.modules.values()):
                if getattr(other, "__name__", "").startswith("jpkr_data") and getattr(other, fname, None) is original:
                    setattr(other, fname, timed)
    if steps is QUERIES:  # the shared run of a view is a method
        import jpkr_data.views as views

        original_run = views._Runs.run

        @functools.wraps(original_run)
        def run(self, view, rel, __f=original_run):
            t, c = time.perf_counter(), _cpu("run")
            try:
                return __f(self, view, rel)
            finally:
                spent = times[_label("run", (view,))]
                spent[0] += time.perf_counter() - t
                spent[1] += _cpu("run") - c

        views._Runs.run = run
    return times


def profile(package: Path, out: Path | None) -> str:
    """Validate `package` with every step timed and under cProfile; return (and write) the per-check table."""
    import jpkr_data.validator.pipeline as pipeline

    times = instrument()
    queries = instrument(QUERIES)
    r0 = resource.getrusage(resource.RUSAGE_SELF)
    prof = cProfile.Profile()
    t = time.perf_counter()
    prof.enable()
    report = pipeline.validate(package)
    prof.disable()
    total = time.perf_counter() - t
    r = resource.getrusage(resource.RUSAGE_SELF)
    lines = [f"validation of {package}: {'valid' if report.valid else 'invalid'}, {sum(report.tables.values())} rows, {total:.2f}s in all "
             f"(process cpu {r.ru_utime + r.ru_stime - r0.ru_utime - r0.ru_stime:.2f}s)",
             "(_shape and _large_file_ok run in a second thread beside stage_table: their time overlaps DuckDB's read, and stage_table's cpu includes theirs)",
             f"{'step':48} {'wall s':>8} {'share':>6} {'cpu s':>8}"]
    for name, (secs, cpu) in sorted(times.items(), key=lambda kv: -kv[1][1]):
        lines.append(f"{name:48} {secs:8.3f} {secs / total:6.1%} {cpu:8.3f}")
    lines += ["", "inside the steps: each check's query (collect, collect_many) and each view's run",
              f"{'query or view':64} {'wall s':>8} {'share':>6} {'cpu s':>8}"]
    for name, (secs, cpu) in sorted(queries.items(), key=lambda kv: -kv[1][1]):
        lines.append(f"{name:64} {secs:8.3f} {secs / total:6.1%} {cpu:8.3f}")
    text = "\n".join(lines) + "\n"
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.with_name(out.name + ".checks.txt").write_text(text, encoding="utf-8")
        buf = io.StringIO()
        pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(40)
        out.with_name(out.name + ".cprofile.txt").write_text(buf.getvalue(), encoding="utf-8")
    return text


def main() -> None:
    """Profile one package and print the per-check table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("package", type=Path)
    ap.add_argument("--out", type=Path, help="write NAME.checks.txt and NAME.cprofile.txt")
    args = ap.parse_args()
    print(profile(args.package, args.out), end="")


if __name__ == "__main__":
    main()
