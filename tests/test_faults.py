"""Every fault in the catalogue is reported where it is, without a crash, a hang or a changed file."""
from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest
from faults import FAULTS, Fault

from jpkr_data.validator import validate


def snapshot(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*")) if p.is_file()}


def test_catalogue_is_large_and_unique():
    assert len(FAULTS) >= 30
    assert len({f.name for f in FAULTS}) == len(FAULTS)


def test_the_unchanged_copy_is_valid(package_copy):
    report = validate(package_copy)
    assert report.valid, report.to_text()


@pytest.mark.parametrize("fault", FAULTS, ids=[f.name for f in FAULTS])
def test_fault_is_reported_where_it_is(fault: Fault, package_copy):
    fault.mutate(package_copy)
    before = snapshot(package_copy)
    report = validate(package_copy)
    assert snapshot(package_copy) == before, "validate must not change any file"
    assert not report.valid
    hits = [p for p in report.problems if p.check == fault.check and p.file == fault.file]
    assert hits, f"expected a {fault.check!r} error in {fault.file}; got:\n{report.to_text()}"
    if fault.field is not None:
        assert any(p.field == fault.field for p in hits), [str(p) for p in hits]
    if fault.row is not None:
        assert any(p.row == fault.row for p in hits), [str(p) for p in hits]


def test_cli_exit_status_and_message_for_a_fault(package_copy):
    FAULTS[0].mutate(package_copy)
    r = subprocess.run([sys.executable, "-m", "jpkr_data.cli", "validate", str(package_copy)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 1
    assert "data/events.csv, row 2, field date_start" in r.stdout and "1910-13-01" in r.stdout


def test_crlf_line_endings_are_accepted(package_copy):
    """RFC 4180 CSV uses CRLF: a file saved with CRLF is read the same (documented in README)."""
    path = package_copy / "data" / "events.csv"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    report = validate(package_copy)
    assert report.valid, report.to_text()


def test_connect_refuses_an_invalid_package_and_writes_nothing(package_copy, tmp_path, monkeypatch):
    import jpkr_data

    monkeypatch.setenv("JPKR_DATA_CACHE", str(tmp_path / "cache"))
    FAULTS[0].mutate(package_copy)
    with pytest.raises(jpkr_data.ValidationError, match="date_start"):
        jpkr_data.connect(package_copy)
    assert not list((tmp_path / "cache").glob("*.duckdb"))
