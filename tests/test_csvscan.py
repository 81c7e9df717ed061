"""The numpy shape check of large CSV files never passes a file the csv module would reject."""
from __future__ import annotations

import csv
import io

import pytest
from faults import FAULTS, Fault
from hypothesis import given, settings
from hypothesis import strategies as st

from jpkr_data.validator import csvscan, validate


def csv_module_widths(raw: bytes) -> set[int] | None:
    """Record widths as the csv module reads the file (strict), or None if it rejects it."""
    try:
        return set(map(len, csv.reader(io.StringIO(raw.decode("utf-8"), newline=""), strict=True)))
    except csv.Error:
        return None


# Bytes from the characters that matter to CSV syntax, plus a multi-byte letter.
csv_like = st.lists(st.sampled_from(["a", "é", ",", '"', "\n", "\r", " ", "\x00"]), max_size=60).map(lambda cs: "".join(cs).encode("utf-8"))


@settings(max_examples=3000, deadline=None)
@given(raw=csv_like, width=st.integers(min_value=1, max_value=4))
def test_never_passes_what_the_csv_module_rejects_or_finds_ragged(raw, width):
    if csvscan.widths_certainly_ok(raw, width):
        assert csv_module_widths(raw) == {width}, raw


cell = st.text(alphabet=["a", "é", ",", '"', "\n", " "], max_size=6)


@settings(max_examples=500, deadline=None)
@given(rows=st.lists(st.lists(cell, min_size=3, max_size=3), min_size=1, max_size=20), final_newline=st.booleans())
def test_passes_what_the_package_writer_produces(rows, final_newline):
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    text = buf.getvalue() if final_newline else buf.getvalue()[:-1]
    assert csvscan.widths_certainly_ok(text.encode("utf-8"), 3)


def test_names_the_two_cases_duckdb_lets_through():
    assert not csvscan.widths_certainly_ok(b'a,b,c\n1,2,3\n4,"5,6\n', 3)  # unclosed quote at the end of the file
    assert not csvscan.widths_certainly_ok(b"a,b,c\n1,2,3,\n", 3)  # a surplus empty cell
    assert csvscan.widths_certainly_ok(b'a,b,c\n1,"2,\n""x""",3\n', 3)


SHAPE_FAULTS = [f for f in FAULTS if f.check in ("ragged-row", "csv-syntax")]


@pytest.mark.parametrize("fault", SHAPE_FAULTS, ids=[f.name for f in SHAPE_FAULTS])
def test_shape_faults_are_still_located_when_every_file_takes_the_fast_path(fault: Fault, package_copy, monkeypatch):
    monkeypatch.setattr(csvscan, "FAST_MIN_BYTES", 0)
    assert validate(package_copy).valid
    fault.mutate(package_copy)
    hits = [p for p in validate(package_copy).problems if p.check == fault.check and p.file == fault.file]
    assert hits and (fault.row is None or any(p.row == fault.row for p in hits))
