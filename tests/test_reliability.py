"""Reliability per attribute (curation/reliability.py): the committed figures are a fresh run's, and the datasheet shows them."""
from __future__ import annotations

import csv
import importlib.util
import io

from conftest import ROOT

from jpkr_data.publication.datasheet import render_datasheet
from jpkr_data.schema import load_package


def _script():
    spec = importlib.util.spec_from_file_location("reliability", ROOT / "curation" / "reliability.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_figures_equal_a_fresh_run():
    rel = _script()
    committed = list(csv.DictReader(io.StringIO((ROOT / "curation" / "reliability.csv").read_text(encoding="utf-8"))))
    assert committed == rel.figures(), "run: python curation/reliability.py --write"
    assert [r["attribute"] for r in committed] == list(rel.ATTRIBUTES)
    for r in committed:
        assert int(r["agreeing"]) <= int(r["items"])
        assert r["alpha"] == "" or -1 <= float(r["alpha"]) <= 1


def test_units_are_one_to_one_matches_read_as_received():
    """The read's own words decide its values: E44 (art002 officials' warning) is aimed at Japan A01 in the read, as in the tables."""
    units = {u["read_item"]: u for u in _script().units()}
    assert len(units) == len({u["event_id"] for u in units.values()}) > 30
    e44 = units["E44"]
    assert (e44["event_id"], e44["read_target"], e44["read_date_window"]) == ("ev_kor_warns_gsomia_review", "jpn", "..2019-08-01")
    assert units["E14"]["read_date_window"] == "2019-07-04..2019-07-04"  # "On July 4"


def test_alpha_is_krippendorffs():
    rel = _script()
    assert rel.alpha([("a", "a"), ("b", "b"), ("a", "a")]) == 1.0
    assert rel.alpha([("a", "b"), ("b", "a")]) < 0
    assert rel.alpha([]) is None and rel.alpha([("a", "a")]) is None


def test_the_datasheet_shows_the_committed_table(con):
    sheet = render_datasheet(load_package(ROOT / "datapackage.json"), con.cursor())
    for r in csv.DictReader(io.StringIO((ROOT / "curation" / "reliability.csv").read_text(encoding="utf-8"))):
        assert f"| {r['read']} | {r['attribute']} | {r['items']} | {r['agreeing']} | {r['alpha'] or 'n/a'} |" in sheet
