"""The README quotes the benchmarks' current output format (their formatting run on made-up figures; nothing is timed)."""
from __future__ import annotations

import re
import sys

from conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
import first_query  # noqa: E402
import validate_scale  # noqa: E402

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _keys(line: str) -> list[str]:
    return re.findall(r"(\w+)=", line)


def _performance() -> str:
    return README.split("## Performance", 1)[1].split("\n## ", 1)[0]


def test_readme_quotes_the_validation_benchmark_lines_in_their_current_format():
    ours = {"ok": True, "seconds": 2.0, "cpu": 3.0, "peak_mb": 400.0}
    floor = {"ok": True, "seconds": 1.0, "cpu": 1.5, "peak_mb": 300.0}
    fr = {"ok": True, "seconds": 50.0, "cpu": 50.0, "peak_mb": 200.0}
    line = validate_scale.format_line(300_000, 1_567_325, ours, floor, fr)
    quoted = [x for x in _performance().splitlines() if x.startswith("rows=")]
    assert quoted, "the README's performance section quotes no result line of benchmarks/validate_scale.py"
    assert all(_keys(q) == _keys(line) for q in quoted), (quoted, line)
    goals = validate_scale.format_goals([{"rows": 300_000, "over_floor": 2.0, "peak_mb": 400.0, "us_per_row": 1.3, "vs_frictionless": 25.0}])
    for g in goals:
        assert g.split(":")[0] in _performance(), g
    assert validate_scale.machine().splitlines()[0].split(":")[0] in _performance()


def test_validation_line_without_frictionless_says_skipped():
    ours = {"ok": True, "seconds": 2.0, "cpu": 3.0, "peak_mb": 400.0}
    line = validate_scale.format_line(10, 50, ours, ours, None)
    assert "frictionless=skipped" in line and "vs_frictionless" not in line


def test_readme_quotes_the_first_query_benchmark_in_its_current_format():
    times = {name: [(0.1, 0.08), (0.2, 0.1)] for name in first_query.COMMANDS}
    lines = first_query.format_table(times)
    perf = _performance()
    assert lines[0].split() == ["command", "median", "min", "cpu"] and " ".join(lines[0].split()) in " ".join(perf.split())
    for name in first_query.COMMANDS:
        assert name in perf
    for ratio in (x for x in lines if x.startswith("ratio ")):
        assert ratio.split(":")[0] in perf, ratio
