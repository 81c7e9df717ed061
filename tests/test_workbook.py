"""jpkr-data.xlsx: a sheet per table and view, an explaining first sheet, text stays text, dates are dates."""
from __future__ import annotations

import datetime as dt
import json

import openpyxl
import pytest
from built_release import built_release
from conftest import ROOT, read_rows
from hypothesis import given, settings
from hypothesis import strategies as st

from jpkr_data.publication.workbook import MAX_CELL, fill_sheet, put, sheet_title, write_workbook
from jpkr_data.views import discover_views

TABLES = [r["name"] for r in json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))["resources"]]
VIEWS = [v.name for v in discover_views(ROOT)]


@pytest.fixture(scope="module")
def book():
    return openpyxl.load_workbook(built_release() / "jpkr-data.xlsx")


def sheet_rows(ws) -> list[dict]:
    values = list(ws.iter_rows(values_only=True))
    return [dict(zip(values[0], r)) for r in values[1:]]


def test_sheets_one_per_table_and_view_after_about(book):
    assert book.sheetnames == ["About"] + TABLES + VIEWS
    assert all(len(n) <= 31 for n in book.sheetnames)
    for name in TABLES + VIEWS:
        ws = book[name]
        assert ws.freeze_panes == "A2" and ws.auto_filter.ref and ws["A1"].font.bold


def test_about_sheet_explains_counts_licence_citation(book):
    about = [r for r in book["About"].iter_rows(values_only=True)]
    text = "\n".join(str(c) for r in about for c in r if c is not None)
    assert "CC-BY-4.0" in text and "Cite as" in text and "CITATION.cff" in text
    header = next(i for i, r in enumerate(about) if r[:4] == ("sheet", "kind", "name", "rows"))
    listed = {r[2]: (r[1], r[3]) for r in about[header + 1:] if r[0]}
    for name in TABLES:
        assert listed[name] == ("table", len(read_rows(name)))
    assert {n for n, (k, _) in listed.items() if k == "view"} == set(VIEWS)


def test_codes_stay_text_and_dates_are_dates(book):
    codes = sheet_rows(book["cameo_codes"])
    assert [r["cameo_code"] for r in codes] == [r["cameo_code"] for r in read_rows("cameo_codes")]
    assert all(isinstance(r["cameo_code"], str) for r in codes) and any(r["cameo_code"].startswith("0") for r in codes)
    ws = book["cameo_codes"]
    assert all(c.data_type == "s" for c in ws["A"][1:])
    events = {r["event_id"]: r for r in sheet_rows(book["events"])}
    for e in read_rows("events"):
        got = events[e["event_id"]]
        assert (got["cameo_code"] or "") == e["cameo_code"]
        for col in ("date_start", "date_end"):
            assert (got[col].date().isoformat() if got[col] else "") == e[col]
    ws = book["events"]
    col = [c.column_letter for c in ws[1] if c.value == "date_start"][0]
    assert any(c.is_date and c.number_format == "yyyy-mm-dd" for c in ws[col][1:])


def test_views_rows_and_lists(book, con):
    for name in VIEWS:
        assert len(sheet_rows(book[name])) == con.execute(f'SELECT count(*) FROM jpkr.main."{name}"').fetchone()[0]
    timeline = {r["event_id"]: r for r in sheet_rows(book["timeline"])}
    for event_id, actor_ids in con.execute("SELECT event_id, actor_ids FROM jpkr.main.timeline").fetchall():
        assert (timeline[event_id]["actor_ids"] or "") == "; ".join(actor_ids)


def test_workbook_is_reproducible(tmp_path):
    """Written twice from the release database (as the build writes it), the workbook is byte-identical to the release's."""
    import duckdb

    from jpkr_data.paths import resolve_descriptor
    from jpkr_data.schema import load_package

    pkg = load_package(resolve_descriptor(None))
    with duckdb.connect(str(built_release() / "jpkr.duckdb"), read_only=True) as cur:
        a = write_workbook(pkg, cur, tmp_path / "a.xlsx").read_bytes()
        b = write_workbook(pkg, cur, tmp_path / "b.xlsx").read_bytes()
    assert a == b and a == (built_release() / "jpkr-data.xlsx").read_bytes()


HOSTILE = ["=1+1", "=HYPERLINK(\"http://x\",\"click\")", "+cmd|' /C calc'!A0", "@SUM(A1)", "-2+3", "0040", "1e5", "TRUE",
           "2019-08-01", "bell\x07and\x00nul", "tab\tand\nnewline", "😀 non-BMP", "x" * (MAX_CELL + 10)]


def test_hostile_strings_stay_inert_text(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    fill_sheet(ws, ["value"], [(v,) for v in HOSTILE], {})
    wb.save(tmp_path / "h.xlsx")
    back = openpyxl.load_workbook(tmp_path / "h.xlsx").active
    cells = [c for c in back["A"][1:]]
    assert all(c.data_type == "s" for c in cells)  # never a formula ('f'), number or boolean
    values = [c.value for c in cells]
    assert values[:9] == HOSTILE[:9]
    assert values[9] == "bell\\x07and\\x00nul" and values[10] == HOSTILE[10] and values[11] == HOSTILE[11]
    assert len(values[12]) <= MAX_CELL and values[12].endswith("[truncated]")


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(min_size=0, max_size=40), min_size=1, max_size=12))
def test_sheet_titles_are_valid_and_unique(names):
    taken = {"about"}
    titles = [sheet_title(n, taken) for n in names]
    assert len({t.lower() for t in titles}) == len(titles) and "about" not in {t.lower() for t in titles}
    assert all(0 < len(t) <= 31 and not set(t) & set("[]:*?/\\") for t in titles)


def test_types_of_put(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    for i, v in enumerate([dt.date(2019, 8, 1), 42, 1.5, True, None, ["a", "b"], []], start=1):
        put(ws, i, 1, v)
    wb.save(tmp_path / "t.xlsx")
    col = [c.value for c in openpyxl.load_workbook(tmp_path / "t.xlsx").active["A"]]
    assert col[0] == dt.datetime(2019, 8, 1) and col[1:4] == [42, 1.5, True] and col[4] is None and col[5] == "a; b" and col[6] in ("", None)
