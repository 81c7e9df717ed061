"""A large file is read by DuckDB's parallel reader; rows keep their numbers and every verdict is the serial read's."""
from __future__ import annotations

import csv
import sys

import pytest
from conftest import ROOT

from jpkr_data.schema import Field, Table
from jpkr_data.validator import csvscan, staging, validate

sys.path.insert(0, str(ROOT / "benchmarks"))
from synth import make_package  # noqa: E402


@pytest.fixture(scope="module")
def large(tmp_path_factory):
    """A package whose events file is over csvscan.FAST_MIN_BYTES, with a note spanning lines early on and a date that is
    not a date late in the file; returns (package, the bad date's record number, header = 1)."""
    from jpkr_data.validator import csvscan

    pkg = tmp_path_factory.mktemp("large")
    make_package(pkg, 2600)
    path = pkg / "data" / "events.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    header = rows[0]
    rows[3][header.index("notes")] += "\nA second line, with a comma and \"quotes\"."
    bad = len(rows) - 7
    rows[bad][header.index("date_end")] = "2019-13-45"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    assert path.stat().st_size >= csvscan.FAST_MIN_BYTES
    return pkg, bad + 1


def _problems(report) -> list[tuple]:
    return [(p.check, p.file, p.row, p.field, p.value, p.message) for p in report.problems]


def test_rows_read_in_parallel_keep_their_numbers(large, monkeypatch):
    pkg, row = large
    used = []
    original = staging._read_in_parallel

    def spy(con, table, path, columns):
        used.append(table.name)
        return original(con, table, path, columns)

    monkeypatch.setattr(staging, "_read_in_parallel", spy)
    report = validate(pkg)
    assert "events" in used
    dates = [p for p in report.problems if p.check == "type" and p.file == "data/events.csv"]
    assert [(p.row, p.field, p.value) for p in dates] == [(row, "date_end", "2019-13-45")]


def test_the_parallel_read_reports_what_the_serial_read_reports(large, monkeypatch):
    pkg, _ = large
    parallel = _problems(validate(pkg))
    monkeypatch.setattr(staging, "_read_in_parallel", lambda con, table, path, columns: False)
    assert _problems(validate(pkg)) == parallel


def test_a_field_named_rowid_is_read_the_serial_way(large):
    table = Table("t", "t.csv", "t", "", [Field("RowId", "string", "", {})], [])
    assert staging._read_in_parallel(None, table, large[0] / "t.csv", "{}") is False


def test_a_large_file_whose_shape_check_is_not_sure_is_read_again_the_serial_way(tmp_path):
    """CRLF line endings: the chunked shape check is not sure, so the file is read whole and checked by the csv module;
    the typed view of the parallel read gives way to the serial read's table."""
    make_package(tmp_path, 2600)
    # since 0.5.0 the synthetic copies share their originals' trigger spans in the same articles, which the trigger
    # checks report: the serial read of the CRLF file must report exactly what the read of the LF file reports
    expected = validate(tmp_path).to_text().replace(str(tmp_path), "PKG")
    path = tmp_path / "data" / "events.csv"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    assert path.stat().st_size >= csvscan.FAST_MIN_BYTES
    report = validate(tmp_path)
    assert report.to_text().replace(str(tmp_path), "PKG") == expected
