"""The shape check gives the same answer whatever the chunks a file is read in (every boundary, every byte)."""
from __future__ import annotations

import csv
import io

from hypothesis import given, settings
from hypothesis import strategies as st

from jpkr_data.validator import csvscan

csv_like = st.lists(st.sampled_from(["a", "é", ",", '"', "\n", " "]), max_size=60).map(lambda cs: "".join(cs).encode("utf-8"))


def whole(raw: bytes, width: int) -> bool:
    scan = csvscan.ShapeScan(width)
    scan.feed(raw)
    return scan.finish()


def chunked(raw: bytes, width: int, size: int) -> bool:
    scan = csvscan.ShapeScan(width)
    for i in range(0, len(raw), size):
        scan.feed(raw[i:i + size])
    return scan.finish()


@settings(max_examples=1500, deadline=None)
@given(raw=csv_like, width=st.integers(min_value=1, max_value=4), size=st.integers(min_value=1, max_value=9))
def test_chunks_never_change_the_answer(raw, width, size):
    assert chunked(raw, width, size) == whole(raw, width), (raw, size)


cell = st.text(alphabet=["a", "é", ",", '"', "\n", " "], max_size=6)


@settings(max_examples=300, deadline=None)
@given(rows=st.lists(st.lists(cell, min_size=3, max_size=3), min_size=1, max_size=20), size=st.integers(min_value=1, max_value=7))
def test_what_the_package_writer_produces_passes_in_any_chunks(rows, size):
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    assert chunked(buf.getvalue().encode("utf-8"), 3, size)


def test_the_cases_duckdb_lets_through_fail_across_a_boundary():
    for raw in (b'a,b,c\n1,2,3\n4,"5,6\n', b"a,b,c\n1,2,3,\n", b"a,b,c\n1,2,3\n\n", b'a,b,c\n1,2,"3"x\n'):
        assert not any(chunked(raw, 3, size) for size in range(1, len(raw) + 1)), raw


def test_a_file_is_read_in_chunks(tmp_path, monkeypatch):
    monkeypatch.setattr(csvscan, "CHUNK", 5)
    f = tmp_path / "t.csv"
    f.write_bytes(b'a,b,c\n1,"2,\n""x""",3\n4,5,6\n')
    assert csvscan.file_widths_certainly_ok(f, 3)
    f.write_bytes(b'a,b,c\n1,"2,\n""x""",3\n4,5,6,\n')
    assert not csvscan.file_widths_certainly_ok(f, 3)
