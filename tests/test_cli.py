"""The jpkr-data command line, run as a user would."""
from __future__ import annotations

import json
import subprocess
import sys

from conftest import read_rows


def cli(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "jpkr_data.cli", *args], capture_output=True, text=True, cwd=cwd)


def test_validate_the_bundled_package(descriptor):
    r = cli("validate")
    assert r.returncode == 0, r.stdout + r.stderr
    rows = sum(len(read_rows(res["name"])) for res in descriptor["resources"])
    assert r.stdout.startswith("valid:") and f"{len(descriptor['resources'])} tables, {rows} rows" in r.stdout


def test_validate_json_report(package_copy):
    (package_copy / "data" / "events.csv").write_text(
        (package_copy / "data" / "events.csv").read_text(encoding="utf-8").replace("2019-07-04,2019-07-04", "2019-07-04,2019-07-40"), encoding="utf-8")
    r = cli("validate", str(package_copy), "--format", "json")
    assert r.returncode == 1
    report = json.loads(r.stdout)
    assert report["valid"] is False
    p = report["errors"][0]
    assert (p["file"], p["field"], p["value"]) == ("data/events.csv", "date_end", "2019-07-40")
    row = next(i for i, e in enumerate(read_rows("events"), start=2) if e["event_id"] == "ev_jpn_export_controls")
    assert p["row"] == row


def test_sql_formats():
    r = cli("sql", "SELECT event_id, n_articles FROM event_sources WHERE event_id = 'ev_bangkok_kang_kono'", "--format", "json")
    assert json.loads(r.stdout) == [{"event_id": "ev_bangkok_kang_kono", "n_articles": 3}]
    r = cli("sql", "SELECT published_date FROM articles WHERE article_id = 'art003'", "--format", "csv")
    assert r.stdout.splitlines() == ["published_date", "2019-11-23"]


def test_sql_that_writes_is_refused():
    r = cli("sql", "DELETE FROM statements")
    assert r.returncode == 1 and "read-only" in r.stderr


def test_sql_error_is_one_clear_line():
    r = cli("sql", "SELECT * FROM no_such_table")
    assert r.returncode == 1 and "no_such_table" in r.stderr and "Traceback" not in r.stderr


def test_tables_lists_every_table_and_view():
    r = cli("tables", "--format", "csv")
    names = {line.split(",")[1] for line in r.stdout.splitlines()[1:]}
    assert {"events", "statements", "timeline", "disagreements", "agreement_status"} <= names


def test_describe_table_and_unknown_name():
    r = cli("describe", "events")
    assert r.returncode == 0 and "date_precision" in r.stdout and "primary key: event_id" in r.stdout
    r = cli("describe", "evnts")
    assert r.returncode == 2 and "valid names:" in r.stderr and "events" in r.stderr


def test_timeline_starts_with_colonial_rule(tmp_path):
    r = cli("timeline", "--format", "csv", cwd=tmp_path)
    lines = r.stdout.splitlines()
    assert lines[1].startswith("1910-01-01,1945-12-31,year,ev_colonial_rule")
    assert len(lines) - 1 == len(read_rows("events"))
