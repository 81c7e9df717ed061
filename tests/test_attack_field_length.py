"""Attack class 7: valid data is never refused by a later step.

A field longer than the csv module's default limit (131,072 characters), and one longer than DuckDB's
default line size (2,097,152 bytes), with commas, quotes, line breaks and non-ASCII text inside, passes
validate, build (which diffs against the previous snapshot), diff, corpus, the exports and the query layer."""
from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from conftest import ROOT

import jpkr_data
from jpkr_data.cli import main
from jpkr_data.publication.diff import diff_packages
from jpkr_data.publication.exports import export
from jpkr_data.validator import validate

PIECE = 'long note, "quoted", 日本と韓国\n'
LONG = {"report": "long note " * 20000, "huge": PIECE * 90_000}  # 200,000 and 2,700,000 characters


def _copy_package(tmp: Path) -> Path:
    """A full copy of the package (documents, data, views, earlier releases) in tmp/pkg."""
    d = tmp / "pkg"
    d.mkdir()
    for name in ("datapackage.json", "README.md", "LICENSE", "LICENSE-DATA", "CHANGELOG.md", "CURATION.md"):
        shutil.copy2(ROOT / name, d / name)
    for folder in ("data", "sql", "releases"):
        shutil.copytree(ROOT / folder, d / folder)
    return d


def _package(tmp: Path, notes: list[str]) -> tuple[Path, dict[str, str]]:
    """A copy of the package whose first events' notes are `notes`; returns it and {event id: note}."""
    d = _copy_package(tmp)
    p = d / "data" / "events.csv"
    with p.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    for i, note in enumerate(notes, start=1):
        rows[i][rows[0].index("notes")] = note
    with p.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    return d, {rows[i][rows[0].index("event_id")]: note for i, note in enumerate(notes, start=1)}


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    """The package with the report's 200,000-character note in one event and a 2.7 M-character one in another."""
    return _package(tmp_path_factory.mktemp("long"), [LONG["report"], LONG["huge"]])


def test_validates(big):
    d, _ = big
    report = validate(d)
    assert report.valid, report.to_text()


def test_report_repro_diff_against_the_previous_snapshot(big):
    d, notes = big
    result = diff_packages(ROOT / "releases" / "0.2.0", d)
    events = next(t for t in result["tables"] if t["table"] == "events")
    got = {c["key"]: c["fields"]["notes"]["new"] for c in events["changed"] if "notes" in c["fields"]}
    assert all(got.get(k) == v for k, v in notes.items())


def test_query_layer_returns_the_whole_field(big):
    d, notes = big
    with jpkr_data.connect(d) as s:
        for event_id, note in notes.items():
            assert s.execute("SELECT notes FROM events WHERE event_id = ?", [event_id]).fetchone()[0] == note


@pytest.mark.parametrize("fmt", ["gdelt", "icews", "plover"])
def test_every_export_format_writes(big, tmp_path, fmt):
    d, _ = big
    with jpkr_data.connect(d) as s:
        assert export(s, fmt, tmp_path / f"out.{fmt}") > 0


def test_sql_csv_output_carries_the_field_unchanged(big, tmp_path, capsys):
    d, notes = big
    with jpkr_data.connect(d) as s:
        rows = s.execute("SELECT notes FROM events WHERE event_id IN (SELECT unnest(?)) ORDER BY event_id", [sorted(notes)]).fetchall()
    from jpkr_data.access.output import write_csv

    out = tmp_path / "o.csv"
    with out.open("w", encoding="utf-8", newline="") as fh:
        write_csv(["notes"], [rows], fh)
    old = csv.field_size_limit(10 << 20)
    try:
        with out.open(encoding="utf-8", newline="") as fh:
            assert [r[0] for r in list(csv.reader(fh))[1:]] == [notes[k] for k in sorted(notes)]
    finally:
        csv.field_size_limit(old)  # the limit is global: a raised one would disable diff's field cap in later tests


def test_corpus_writes(big, tmp_path, capsys):
    d, _ = big
    rc = main(["corpus", "--path", str(d), "--sources", str(d / "data" / "sources"), "--out", str(tmp_path / "c.jsonl")])
    assert rc == 0, capsys.readouterr().err


def test_report_repro_build_writes_the_release_with_the_whole_field(big, tmp_path, capsys):
    d, notes = big
    rc = main(["build", "--path", str(d), "--out", str(tmp_path / "rel")])
    assert rc == 0, capsys.readouterr().err
    old = csv.field_size_limit(10 << 20)
    try:
        with (tmp_path / "rel" / "data" / "events.csv").open(encoding="utf-8", newline="") as fh:
            assert {r["event_id"]: r["notes"] for r in csv.DictReader(fh) if r["event_id"] in notes} == notes
    finally:
        csv.field_size_limit(old)
    changes = json.loads(next((tmp_path / "rel").glob("changes-since-*.json")).read_text(encoding="utf-8"))
    assert changes["summary"]["changed"] >= 1


# R2: validate and build agree on the view files: a byte order mark, or views the release reads but the package
# lacks, is a validation error naming the file (or the views), never a later build failure.
@pytest.fixture()
def views_pkg(tmp_path) -> Path:
    return _copy_package(tmp_path)


def _both_refuse(pkg: Path, tmp: Path, capsys, *names: str) -> None:
    """validate is invalid and names every one of `names`; build refuses the same and writes nothing."""
    text = validate(pkg).to_text()
    assert all(n in text for n in names), text
    capsys.readouterr()
    assert main(["build", "--path", str(pkg), "--out", str(tmp / "rel")]) != 0
    assert not (tmp / "rel").exists()


@pytest.mark.parametrize("view,prefix", [("20_timeline.sql", b"\xef\xbb\xbf"), ("72_dyad_summary.sql", b"\xef\xbb\xbf"),
                                         ("10_event_sources.sql", b"\xef\xbb\xbf\xef\xbb\xbf")])
def test_view_with_a_byte_order_mark_is_refused_by_both(views_pkg, tmp_path, capsys, view, prefix):
    p = views_pkg / "sql" / view
    p.write_bytes(prefix + p.read_bytes())
    _both_refuse(views_pkg, tmp_path, capsys, f"sql/{view}", "byte order mark")


def test_view_in_utf16_with_its_bom_is_not_utf8(views_pkg, tmp_path, capsys):
    p = views_pkg / "sql" / "30_dyads.sql"
    p.write_bytes(p.read_text(encoding="utf-8").encode("utf-16"))
    _both_refuse(views_pkg, tmp_path, capsys, "sql/30_dyads.sql", "not UTF-8")


@pytest.mark.parametrize("how", ["empty sql folder", "no sql folder", "only other files"])
def test_package_without_views_is_refused_by_both(views_pkg, tmp_path, capsys, how):
    shutil.rmtree(views_pkg / "sql")
    if how != "no sql folder":
        (views_pkg / "sql").mkdir()
    if how == "only other files":
        (views_pkg / "sql" / "README.txt").write_text("views go here\n", encoding="utf-8")
    _both_refuse(views_pkg, tmp_path, capsys, "the release reads the views", "disagreements", "timeline")


def test_one_missing_release_view_is_named(views_pkg, tmp_path, capsys):
    (views_pkg / "sql" / "71_event_series.sql").unlink()
    text = validate(views_pkg).to_text()
    assert "event_series" in text and "disagreements" not in text.split("the release reads the views", 1)[1].split("\n")[0]


def test_release_views_are_every_view_the_publication_code_reads():
    import re

    from jpkr_data.views import RELEASE_VIEWS, discover_views

    names = {v.name for v in discover_views(ROOT)}
    code = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "jpkr_data" / "publication").rglob("*") if p.suffix in (".py", ".html"))
    read = {n for n in names if re.search(rf"(FROM|JOIN)\s+{n}\b|table\(\s*['\"]{n}['\"]", code)}
    assert read <= RELEASE_VIEWS <= names, (read - RELEASE_VIEWS, RELEASE_VIEWS - names)
