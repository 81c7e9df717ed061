"""curation/agreement.py: the published agreement figures follow from the mappings, the inventories and the tables."""
from __future__ import annotations

import csv
import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, read_rows

SPEC = importlib.util.spec_from_file_location("agreement", ROOT / "curation" / "agreement.py")
agreement = importlib.util.module_from_spec(SPEC)
sys.modules["agreement"] = agreement
SPEC.loader.exec_module(agreement)


def test_script_checks_clean_and_prints_the_table():
    r = subprocess.run([sys.executable, str(ROOT / "curation" / "agreement.py"), "--check"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    assert r.stdout.strip() == agreement.markdown().strip()


def test_curation_md_publishes_the_current_figures():
    text = (ROOT / "CURATION.md").read_text(encoding="utf-8")
    assert agreement.markdown() in text, "re-run python curation/agreement.py and paste its table into CURATION.md §9"


def test_table_side_counts_are_the_csv_rows(con):
    figs = {read: agreement.figures(read) for read in agreement.READS}
    rows = {"events": len(read_rows("events")), "statements": len(read_rows("statements")),
            "actors": len(read_rows("actors")), "agreements": len(read_rows("agreements"))}
    rows["disagreements"] = con.execute("SELECT count(*) FROM (SELECT DISTINCT subject_table, subject_id, attribute FROM disagreements)").fetchone()[0]
    for read, per_type in figs.items():
        for t, f in per_type.items():
            assert f.table_items == rows[t], (read, t)
            assert f.matched_table + f.table_only == f.table_items, (read, t)  # every table item is matched or explained
            assert f.matched_read + f.rule + f.read_error == f.read_items, (read, t)  # every read item is matched or explained


def test_read_side_counts_are_the_inventories_own_counts():
    # Each inventory states its counts in words; the ids found must agree with them.
    second = (ROOT / "curation" / "second_read_inventory.md").read_text(encoding="utf-8")
    fresh = (ROOT / "curation" / "fresh_read_inventory.md").read_text(encoding="utf-8")
    stated = {
        "second_read": {"events": r"Events: (\d+)", "actors": r"Actors: (\d+)", "agreements": r"Agreements/proposals: (\d+)",
                        "disagreements": r"Disagreements: (\d+)", "statements": r"total statements (\d+)"},
        "fresh_read": {"events": r"- Events: (\d+)", "actors": r"- Actors: (\d+)", "agreements": r"- Agreements: (\d+)",
                       "disagreements": r"- Disagreements: (\d+)", "statements": r"- Statements: (\d+)"},
    }
    for read, text in (("second_read", second), ("fresh_read", fresh)):
        figs = agreement.figures(read)
        for t, pattern in stated[read].items():
            assert figs[t].read_items == int(re.search(pattern, text).group(1)), (read, t)


def test_fresh_read_is_kept_as_received():
    copy = (ROOT / "curation" / "fresh_read_inventory.md").read_text(encoding="utf-8").split("\n", 2)
    assert copy[0].startswith("<!--") and copy[1].startswith("<!--")
    original = Path("/work/reads/fresh_read_inventory.md")
    if original.exists():
        assert copy[2] == original.read_text(encoding="utf-8")


def test_every_explanation_of_an_unmatched_item_names_its_reason():
    for read in agreement.READS:
        for m in agreement.load_mapping(read):
            if m["verdict"] in ("rule", "added"):
                assert re.search(r"CURATION|0\.3\.0|0\.2\.0|audit|claim|statement|event|agreement|actor", m["explanation"]), m


@pytest.fixture()
def copy(tmp_path) -> Path:
    for part in ("data", "curation", "sql"):  # sql: the claim pair rule decides which claims conflict
        shutil.copytree(ROOT / part, tmp_path / part)
    return tmp_path


def _edit(path: Path, change) -> None:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        header, rows = list(reader.fieldnames or []), list(reader)
    rows = change(rows)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=header, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


@pytest.mark.parametrize("fault, expected", [
    (lambda rows: [dict(r, row_id="ev_no_such_event") if r["row_id"] == "ev_boycotts" else r for r in rows], "has no item 'ev_no_such_event'"),
    (lambda rows: [r for r in rows if r["read_item_id"] != "E21"], "item E21 of the inventory is not in the mapping"),
    (lambda rows: [r for r in rows if r["row_id"] != "ev_boycotts"], "item ev_boycotts is neither matched nor explained"),
    (lambda rows: [dict(r, explanation="") if r["read_item_id"] == "E03" else r for r in rows], "needs an explanation"),
    (lambda rows: [dict(r, verdict="maybe") if r["read_item_id"] == "E01" else r for r in rows], "unknown verdict 'maybe'"),
])
def test_inconsistent_mapping_is_reported(copy, fault, expected):
    _edit(copy / "curation" / "mapping_fresh_read.csv", fault)
    problems = agreement.check("fresh_read", copy)
    assert any(expected in p for p in problems), problems


def test_a_removed_table_row_is_reported(copy):
    _edit(copy / "data" / "events.csv", lambda rows: [r for r in rows if r["event_id"] != "ev_flights_cancelled"])
    problems = agreement.check("fresh_read", copy)
    assert any("has no item 'ev_flights_cancelled'" in p for p in problems), problems


def test_an_added_table_row_must_be_explained(copy):
    _edit(copy / "data" / "actors.csv", lambda rows: rows + [dict(rows[0], actor_id="new_actor")])
    problems = agreement.check("second_read", copy)
    assert any("item new_actor is neither matched nor explained" in p for p in problems), problems
