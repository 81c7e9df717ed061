"""Exports in GDELT 2.0, ICEWS and PLOVER layouts, read back and checked against each codebook; plot-series."""
from __future__ import annotations

import csv
import io
import json
import os

import pandas as pd
import pytest
from conftest import read_rows
from hypothesis import given
from hypothesis import strategies as st

from jpkr_data.cli import main
from jpkr_data.publication import exports
from jpkr_data.publication.exports import GDELT_COLUMNS, ICEWS_COLUMNS, PLOVER_FIELDS, PLOVER_REQUIRED

# Positions (1-based) of some columns as numbered in the GDELT 2.0 Event Codebook V2.0, and the
# first and last columns of the ICEWS event files: the layout must put them there.
GDELT_POSITIONS = {1: "GLOBALEVENTID", 2: "SQLDATE", 6: "Actor1Code", 16: "Actor2Code", 26: "IsRootEvent", 27: "EventCode",
                   29: "EventRootCode", 30: "QuadClass", 31: "GoldsteinScale", 32: "NumMentions", 35: "AvgTone",
                   36: "Actor1Geo_Type", 52: "ActionGeo_Type", 60: "DATEADDED", 61: "SOURCEURL"}
ICEWS_POSITIONS = {1: "Event ID", 2: "Event Date", 3: "Source Name", 7: "CAMEO Code", 8: "Intensity", 12: "Story ID", 20: "Longitude"}

COUNTED = ("occurred", "ongoing")


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """Each format exported once through the command line."""
    folder = tmp_path_factory.mktemp("exports")
    paths = {}
    for fmt in exports.FORMATS:
        paths[fmt] = folder / f"events.{fmt}"
        assert main(["export", "--format", fmt, "--out", str(paths[fmt])]) == 0
    paths["gdelt_header"] = folder / "events_header.gdelt"
    assert main(["export", "--format", "gdelt", "--out", str(paths["gdelt_header"]), "--header"]) == 0
    return paths


def expected_events() -> set[str]:
    """Events a format can hold: counted status, a CAMEO code, a day the one dating rule places them on (some date bound,
    and not a period of unknown start or one only known to lie within a window, which the rule leaves undated: event_placement)."""
    return {e["event_id"] for e in read_rows("events")
            if e["status"] in COUNTED and e["cameo_code"] and (e["date_start"] or e["date_end"])
            and not (not e["date_start"] and e["date_span_type"] == "period") and e["date_precision"] != "within"}


def test_column_lists_follow_the_codebooks():
    assert len(GDELT_COLUMNS) == 61 and len(set(GDELT_COLUMNS)) == 61
    assert {i: GDELT_COLUMNS[i - 1] for i in GDELT_POSITIONS} == GDELT_POSITIONS
    assert len(ICEWS_COLUMNS) == 20 and {i: ICEWS_COLUMNS[i - 1] for i in ICEWS_POSITIONS} == ICEWS_POSITIONS
    assert set(PLOVER_REQUIRED) <= set(PLOVER_FIELDS)
    assert set(exports.LOST) == set(exports.FORMATS) and all(exports.LOST.values())


def test_gdelt_export_reads_back_with_its_61_columns(exported, con):
    text = exported["gdelt"].read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE))
    assert rows and all(len(r) == 61 for r in rows)
    assert rows[0][0] != "GLOBALEVENTID"  # headerless, as GDELT ships
    df = pd.read_csv(exported["gdelt"], sep="\t", header=None, names=list(GDELT_COLUMNS), dtype=str, keep_default_na=False, quoting=csv.QUOTE_NONE)
    assert set(df["GLOBALEVENTID"]) == expected_events()
    codes = {c["cameo_code"]: c for c in read_rows("cameo_codes")}
    events = {e["event_id"]: e for e in read_rows("events")}
    mentions = {(m["event_id"], m["article_id"]) for m in read_rows("event_mentions")}
    for r in df.itertuples(index=False):
        e = events[r.GLOBALEVENTID]
        assert r.EventCode == e["cameo_code"] and r.EventRootCode == e["cameo_code"][:2] and r.EventBaseCode == e["cameo_code"][:3]
        assert float(r.GoldsteinScale) == float(codes[r.EventCode]["goldstein"]) and r.QuadClass == codes[r.EventCode]["quad_class"]
        assert all((r.GLOBALEVENTID, a) in mentions for a in r.SOURCEURL.split(";"))
        assert len(r.SQLDATE) == 8 and r.MonthYear == r.SQLDATE[:6] and r.Year == r.SQLDATE[:4]
    ec = df[df.GLOBALEVENTID == "ev_jpn_export_controls"]
    assert list(ec[["SQLDATE", "Actor1Code", "Actor2Code", "Actor1CountryCode", "Actor2Type1Code"]].iloc[0]) == ["20190704", "JPNGOV", "KORGOV", "JPN", "GOV"]
    with_header = list(csv.reader(exported["gdelt_header"].open(encoding="utf-8"), delimiter="\t"))
    assert tuple(with_header[0]) == GDELT_COLUMNS and with_header[1:] == rows


def test_icews_export_reads_back_with_its_header(exported):
    df = pd.read_csv(exported["icews"], sep="\t", dtype=str, keep_default_na=False, quoting=csv.QUOTE_NONE)
    assert tuple(df.columns) == ICEWS_COLUMNS
    assert set(df["Event ID"]) == expected_events()
    row = df[df["Event ID"] == "ev_jpn_whitelist_removal"].iloc[0]
    assert (row["Event Date"], row["Source Country"], row["Target Country"], row["CAMEO Code"]) == ("2019-08-02", "Japan", "South Korea", "163")
    codes = {c["cameo_code"]: c for c in read_rows("cameo_codes")}
    assert all(float(i) == float(codes[c]["goldstein"]) and t == codes[c]["label"]
               for i, c, t in zip(df["Intensity"], df["CAMEO Code"], df["Event Text"]))


def test_plover_export_has_the_record_shape(exported, descriptor):
    records = [json.loads(line) for line in exported["plover"].read_text(encoding="utf-8").splitlines()]
    no_plover = {e["event_id"] for e in read_rows("events") if e["cameo_code"][:2] in ("01", "02")}
    assert no_plover and {r["id"] for r in records} == expected_events() - no_plover
    cameo = next(r for r in descriptor["resources"] if r["name"] == "cameo_codes")
    types = next(f for f in cameo["schema"]["fields"] if f["name"] == "plover_type")["constraints"]["enum"]
    events = {e["event_id"]: e for e in read_rows("events")}
    for r in records:
        assert list(r) == list(PLOVER_FIELDS) and all(r[k] not in (None, "") for k in PLOVER_REQUIRED if k != "actor")
        assert len(r["event"]) == 1 and r["event"][0] in types and isinstance(r["actor"], list)
        e = events[r["id"]]
        if e["date_start"] and e["date_end"] and e["date_start"] != e["date_end"]:
            assert (r["date"], r["enddate"]) == (e["date_start"], e["date_end"])  # the window survives in PLOVER
        assert f"date_basis={e['date_basis']}" in r["comment"]
    ids = {r["id"] for r in records}
    disputed = {c["subject_id"] for c in read_rows("claims") if c["subject_table"] == "events"} & ids
    noted = {r["id"] for r in records if "sources disagree" in r["comment"]}
    assert noted and noted <= disputed


def test_scheduled_and_hypothetical_events_are_not_exported(exported):
    left_out = {e["event_id"] for e in read_rows("events") if e["status"] not in COUNTED}
    assert left_out
    for fmt in exports.FORMATS:
        text = exported[fmt].read_text(encoding="utf-8")
        assert not any(e in text for e in left_out), fmt


@pytest.mark.parametrize("args, words", [
    (["--format", "xml", "--out", "x.tsv"], "unknown format 'xml'"),
    (["--format", "gdelt", "--out", "{tmp}/no/such/folder/x.tsv"], "does not exist"),
    (["--format", "icews", "--out", "{tmp}"], "is a directory"),
    (["--format", "plover", "--out", "{tmp}/a\0b.jsonl"], "NUL"),
    (["--format", "gdelt", "--out", "/proc/jpkr-data-export.tsv"], "cannot write"),
    (["--format", "gdelt", "--out", "{tmp}/file.txt/x.tsv"], "does not exist"),
    (["--format", "GDELT", "--out", "x.tsv"], "unknown format"),
])
def test_export_errors_are_one_line(capsys, tmp_path, args, words):
    (tmp_path / "file.txt").write_text("a file, not a folder\n", encoding="utf-8")
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    code, out, err = run(capsys, "export", *args)
    assert code == 1 and out == ""
    assert len(err.strip().splitlines()) == 1 and err.startswith("error: ") and words in err


def test_failed_export_keeps_the_previous_file(tmp_path):
    target = tmp_path / "events.tsv"
    target.write_text("previous good export\n", encoding="utf-8")

    def broken(fh):
        fh.write("half a file")
        raise OSError(28, "No space left on device")

    with pytest.raises(exports.ExportError, match="No space left"):
        exports._write_atomically(target, broken)
    assert target.read_text(encoding="utf-8") == "previous good export\n"
    assert [p.name for p in tmp_path.iterdir()] == ["events.tsv"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write into a read-only folder")
def test_export_into_a_read_only_folder_is_one_line(capsys, tmp_path):
    tmp_path.chmod(0o500)
    try:
        code, _, err = run(capsys, "export", "--format", "plover", "--out", str(tmp_path / "x.jsonl"))
    finally:
        tmp_path.chmod(0o700)
    assert code == 1 and len(err.strip().splitlines()) == 1 and "cannot write" in err


@given(st.text())
def test_cells_never_break_the_tab_layout(value):
    cell = exports._clean(value)
    assert "\t" not in cell and len(cell.splitlines()) <= 1
    assert len(("a\t" + cell + "\tb").split("\t")) == 3


def test_plot_series_writes_a_png(capsys, tmp_path):
    out = tmp_path / "series.png"
    code, stdout, err = run(capsys, "plot-series", "--out", str(out))
    assert code == 0, err
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and out.stat().st_size > 10_000
    assert stdout.split()[0].isdigit() and int(stdout.split()[0]) > 0


@pytest.mark.parametrize("args, words", [
    (["--out", "{tmp}/series.svg"], "PNG"),
    (["--out", "{tmp}/nope/series.png"], "does not exist"),
    (["--out", "{tmp}/s.png", "--start", "2019-13-01"], "YYYY-MM-DD"),
    (["--out", "{tmp}/a\0b.png"], "NUL"),
    (["--out", "/proc/jpkr-series.png"], "cannot write"),
])
def test_plot_series_errors_are_one_line(capsys, tmp_path, args, words):
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    code, _, err = run(capsys, "plot-series", *args)
    assert code != 0 and len(err.strip().splitlines()) == 1 and words in err
    assert not any(p.suffix == ".png" for p in tmp_path.iterdir())


def test_hostile_cells_in_a_package_keep_the_tab_layout(package_copy, tmp_path):
    """Tabs, line breaks and quotes in a package's text cannot add or split GDELT or ICEWS columns."""
    import jpkr_data

    actors = package_copy / "data" / "actors.csv"
    text = actors.read_text(encoding="utf-8")
    assert "\njpn,Japan,state," in text
    actors.write_text(text.replace("\njpn,Japan,state,", '\njpn,"Ja\tpan\r\n""Nippon""\u2028",state,', 1), encoding="utf-8")
    con = jpkr_data.connect(package_copy)
    for fmt, width in (("gdelt", 61), ("icews", 20)):
        out = tmp_path / f"x.{fmt}"
        assert exports.export(con, fmt, out) > 0
        lines = out.read_text(encoding="utf-8").split("\n")[:-1]
        assert all(len(line.split("\t")) == width for line in lines), fmt
        assert any('Ja pan "Nippon"' in line for line in lines), fmt
