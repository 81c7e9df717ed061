"""Validation runs each view once (views._Runs): the verdicts are those of running every view alone."""
from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from jpkr_data import views
from jpkr_data.validator.report import Report

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def checked():
    """A connection holding the validated bundled package (as run_pipeline leaves it) and its table names."""
    from jpkr_data.validator.pipeline import run_pipeline

    con = duckdb.connect(":memory:")
    report, pkg = run_pipeline(con, ROOT / "datapackage.json", build=False)
    assert report.valid
    yield con, frozenset(pkg.names)
    con.close()


def planted(checked, root: Path, files: dict[str, str], alone: bool = False, monkeypatch=None) -> list[tuple[str, str]]:
    """(file, message) of each problem create_views reports for `files` planted in root/sql; alone=True runs every view
    the original way (each inlining the views it reads)."""
    con, tables = checked
    (root / "sql").mkdir(parents=True, exist_ok=True)
    for name, sql in files.items():
        (root / "sql" / name).write_text(sql, encoding="utf-8")
    if alone:
        monkeypatch.setattr(views._Runs, "run", lambda self, view, rel: False)
    report = Report(descriptor="test")
    views.create_views(con, root, report, temporary=True, tables=tables)
    if alone:
        monkeypatch.undo()
    return [(p.file, p.message) for p in report.problems if p.file.removeprefix("sql/") in files]


CASES = {
    "chain with a failing reader": {
        "10_base.sql": "CREATE VIEW base AS SELECT event_id, title FROM events",
        "20_mid.sql": "CREATE VIEW mid AS SELECT a.event_id, a.title FROM base a JOIN base b USING (event_id)",
        "30_bad.sql": "CREATE VIEW bad AS SELECT title FROM mid WHERE CAST(title AS INTEGER) > 0",
    },
    "an unread column that does not run": {  # counting prunes it; a materialised run would not: the verdict stays the count's
        "10_base.sql": "CREATE VIEW base AS SELECT event_id, CAST(title AS INTEGER) AS n FROM events",
        "20_ok.sql": "CREATE VIEW ok AS SELECT count(*) AS k FROM base",
        "30_bad.sql": "CREATE VIEW bad AS SELECT event_id FROM base WHERE n > 0",
    },
    "a failing view read later": {
        "10_base.sql": "CREATE VIEW base AS SELECT title AS n FROM events WHERE CAST(title AS INTEGER) > 0",
        "20_mid.sql": "CREATE VIEW mid AS SELECT n FROM base",
    },
    "a reader that names a table, a view and itself": {
        "10_base.sql": "CREATE VIEW base AS SELECT event_id FROM events",
        "20_mid.sql": "CREATE VIEW mid AS SELECT e.event_id FROM events e JOIN base b USING (event_id) WHERE e.event_id IN (SELECT event_id FROM base)",
        "30_top.sql": "CREATE VIEW top AS SELECT count(*) AS n FROM mid, base",
    },
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_shared_runs_report_what_runs_alone_report(checked, tmp_path, monkeypatch, case):
    files = CASES[case]
    shared = planted(checked, tmp_path / "a", files)
    alone = planted(checked, tmp_path / "b", files, alone=True, monkeypatch=monkeypatch)
    assert shared == alone


def test_a_failing_reader_is_named_and_nothing_is_left_behind(checked, tmp_path):
    problems = planted(checked, tmp_path, CASES["chain with a failing reader"])
    assert [f for f, _ in problems] == ["sql/30_bad.sql"] and "does not compile or run" in problems[0][1]
    con, _ = checked
    assert not con.execute("SELECT table_name FROM duckdb_tables() WHERE table_name LIKE 'view:%'").fetchall()
    definitions = dict(con.execute("SELECT view_name, sql FROM duckdb_views() WHERE view_name IN ('base', 'mid')").fetchall())
    assert set(definitions) == {"base", "mid"} and not any("view:" in sql for sql in definitions.values())
    assert con.execute("SELECT count(*) FROM mid").fetchone()[0] == con.execute("SELECT count(*) FROM events").fetchone()[0]


def test_an_unread_column_that_does_not_run_stays_a_pass_for_its_view(checked, tmp_path):
    problems = planted(checked, tmp_path, CASES["an unread column that does not run"])
    assert [f for f, _ in problems] == ["sql/30_bad.sql"]


def test_a_read_view_counts_against_the_readers_time_limit(checked, tmp_path, monkeypatch):
    """A reader whose inlined views would use up the limit is run alone, with the whole limit (and passes here)."""
    runs: list[str] = []
    original = views._run_alone

    def spy(con, view, rel, shared):
        runs.append(view.name)
        return original(con, view, rel, shared)

    monkeypatch.setattr(views, "_run_alone", spy)
    monkeypatch.setattr(views._Runs, "reads", lambda self, view: {n: 10**6 for n in self.seconds}
                        if view.name in ("mid", "top") else {})
    problems = planted(checked, tmp_path, CASES["a reader that names a table, a view and itself"])
    assert problems == [] and {"mid", "top"} <= set(runs)
