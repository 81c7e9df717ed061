"""The translation of the views (jpkr_data/dialects.py): each rule on a small table in DuckDB and SQLite, its
failures (named file and construct), the DuckDB-specific header notes checked by the parse, and `jpkr-data views`."""
from __future__ import annotations

import datetime as dt
import sqlite3
import subprocess
import sys

import duckdb
import pytest
from conftest import ROOT
from hypothesis import given, settings
from hypothesis import strategies as st
from view_rows import CASES, T_ROWS, T_SCHEMA, assert_same_rows, normalised_rows

from jpkr_data.dialects import DIALECTS, TranslationError, output_types, package_schema, parse_query, translate_query
from jpkr_data.publication.datasette import sqlite_value
from jpkr_data.schema import load_package
from jpkr_data.validator import validate
from jpkr_data.views import View, dependency_order, discover_views, duckdb_note_problems, view_query, view_statements

PKG = load_package(ROOT / "datapackage.json")


def translated(sql: str, dialect: str) -> str:
    return translate_query(parse_query(sql, {"t": dict(T_SCHEMA)}, "case.sql"), dialect, "case.sql")


@pytest.fixture(scope="module")
def engines():
    duck = duckdb.connect(":memory:")
    duck.execute("CREATE TABLE t (" + ", ".join(f"{c} {k}" for c, k in T_SCHEMA.items()) + ")")
    duck.executemany("INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?)", T_ROWS)
    lite = sqlite3.connect(":memory:")
    lite.execute("CREATE TABLE t (g TEXT, x TEXT, y INTEGER, d DATE, e DATE, s TEXT, l TEXT)")
    lite.executemany("INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?)", [tuple(map(sqlite_value, r)) for r in T_ROWS])
    yield duck, lite
    duck.close()
    lite.close()


def duckdb_rows(duck, sql: str) -> tuple[list[tuple], list[str]]:
    kinds = [r[1] for r in duck.execute(f"DESCRIBE {sql}").fetchall()]
    return normalised_rows(duck.execute(sql).fetchall(), kinds), kinds


@pytest.mark.parametrize("name", sorted(CASES))
def test_rule_gives_duckdbs_rows_in_sqlite(engines, name):
    duck, lite = engines
    want, kinds = duckdb_rows(duck, CASES[name])
    got = normalised_rows(lite.execute(translated(CASES[name], "sqlite")).fetchall(), kinds)
    assert_same_rows(got, want, name)


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet='ab-"\\ é\n', max_size=12), st.integers(min_value=1, max_value=6))
def test_split_part_rule_on_any_text(text, part):
    """split_part in SQLite (a JSON array split on the delimiter) equals DuckDB's for any text, quotes and backslashes included."""
    sql = f"SELECT split_part(s, '-', {part}) AS v FROM t"
    want = duckdb.execute(f"SELECT split_part(s, '-', {part}) AS v FROM (SELECT ? AS s) t", [text]).fetchone()[0]
    lite = sqlite3.connect(":memory:")
    lite.execute("CREATE TABLE t (s TEXT)")
    lite.execute("INSERT INTO t VALUES (?)", [text])
    assert lite.execute(translated(sql, "sqlite")).fetchone()[0] == want


@pytest.mark.parametrize("sql, dialect, construct", [
    ("SELECT bar(y, 0, 10) AS v FROM t", "sqlite", "function BAR() is not known to sqlglot"),
    ("SELECT g, coalesce(list(x ORDER BY x), [g]) AS v FROM t GROUP BY g", "sqlite", "list(... ORDER BY ...) inside an expression that reads other columns"),
    ("SELECT g, list(DISTINCT x ORDER BY y) AS v FROM t GROUP BY g", "sqlite", "list(DISTINCT x ORDER BY y)"),
    ("SELECT g, list(DISTINCT x ORDER BY y) AS v FROM t GROUP BY g", "spark", "list(DISTINCT x ORDER BY y)"),
    ("SELECT split_part(s, x, 1) AS v FROM t", "sqlite", "split_part needs a constant delimiter"),
    ("SELECT split_part(s, '-', 7) AS v FROM t", "sqlite", "position from 1 to 6"),
    ("SELECT l[y] AS v FROM t", "sqlite", "list indexing by a non-constant"),
    ("SELECT l[y] AS v FROM t", "spark", "list indexing by a non-constant"),
    ("SELECT CAST(date_trunc('quarter', d) AS DATE) AS v FROM t", "sqlite", "date_trunc to quarter"),
    ("SELECT nth_value(x IGNORE NULLS, 2) OVER (ORDER BY y) AS v FROM t", "sqlite", "IGNORE NULLS (the rule covers first_value and last_value)"),
    ("SELECT d + INTERVAL 1 DAY AS v FROM t", "sqlite", "INTERVAL arithmetic (write date + n"),
    ("SELECT regexp_matches(s, '^a') AS v FROM t", "sqlite", "regular expressions"),
    ("SELECT unnest(l) AS v FROM t", "sqlite", "unnest()"),
    ("SELECT g, median(y) AS v FROM t GROUP BY g", "sqlite", "median()"),
    ("SELECT extract(quarter FROM d) AS v FROM t", "sqlite", "the date part quarter"),
])
def test_untranslatable_construct_is_named(sql, dialect, construct):
    with pytest.raises(TranslationError) as err:
        translated(sql, dialect)
    assert str(err.value).startswith("case.sql: cannot be translated to") and construct.lower() in str(err.value).lower()


def test_every_view_translates_and_its_note_matches_the_parse():
    schema = package_schema(PKG.tables)
    for v in dependency_order(discover_views(ROOT)):
        tree = parse_query(view_query(v)[0], schema, v.path.name)
        schema[v.name] = output_types(tree)
        assert duckdb_note_problems(v, tree) == [], v.name
        for dialect in DIALECTS:
            assert translate_query(tree, dialect, v.path.name)


def test_note_check_finds_missing_extra_and_needless_notes(tmp_path):
    header = "-- Q?\n--\n-- Columns:\n--   g: g\n--   n: n\n"
    cases = {"-- DuckDB-specific: list().\n": ["must name GROUP BY ALL", "names list(), which the view does not use"],
             "": ["must name GROUP BY ALL"], "-- DuckDB-specific: GROUP BY ALL.\n": []}
    for note, expected in cases.items():
        v = View("v", tmp_path / "10_v.sql", header + note + "CREATE VIEW v AS SELECT g, count(*) AS n FROM t GROUP BY ALL;\n")
        problems = duckdb_note_problems(v, parse_query(view_query(v)[0], {"t": dict(T_SCHEMA)}, "10_v.sql"))
        assert len(problems) == len(expected) and all(e in p for e, p in zip(expected, problems)), problems
    plain = View("v", tmp_path / "10_v.sql", header + "-- DuckDB-specific: list().\nCREATE VIEW v AS SELECT g, count(*) AS n FROM t GROUP BY g;\n")
    assert any("remove the line" in p for p in duckdb_note_problems(plain, parse_query(view_query(plain)[0], {"t": dict(T_SCHEMA)}, "10_v.sql")))


def test_validate_names_the_file_and_construct_of_an_untranslatable_view(package_copy):
    header = "-- Q?\n--\n-- One row.\n-- Columns:\n--   n: n\n"
    (package_copy / "sql" / "80_bad.sql").write_text(header + "CREATE VIEW bad AS SELECT bar(1, 0, 10) AS n;\n", encoding="utf-8")
    (package_copy / "sql" / "81_unflagged.sql").write_text(header + "CREATE VIEW unflagged AS SELECT count(*) AS n FROM events GROUP BY ALL;\n", encoding="utf-8")
    report = validate(package_copy)
    found = {(p.file, p.message) for p in report.problems}
    # bar() is refused by the view function allow-list before translation (it is no standard function either way)
    assert any(f == "sql/80_bad.sql" and "bar()" in msg for f, msg in found), found
    assert ("sql/81_unflagged.sql", "the header's '-- DuckDB-specific:' note must name GROUP BY ALL (the view uses it)") in found
    assert len(report.problems) == 2


def test_validate_runs_each_sqlite_translation_in_sqlite(package_copy):
    """A construct sqlglot passes through to SQLite but SQLite lacks is found by validate, not by a Datasette user."""
    header = "-- Q?\n--\n-- One row.\n-- Columns:\n--   n: n\n"
    (package_copy / "sql" / "80_lacking.sql").write_text(header + "CREATE VIEW lacking AS SELECT stddev_samp(goldstein) AS n FROM cameo_codes;\n", encoding="utf-8")
    problems = [str(p) for p in validate(package_copy).problems]
    assert problems == [f"sql/80_lacking.sql: [view] its SQLite translation does not run in SQLite {sqlite3.sqlite_version}: no such function: STDDEV_SAMP"]


def test_views_come_in_dependency_order_whatever_the_file_order():
    views = discover_views(ROOT)
    names = [v.name for v in dependency_order(list(reversed(views)))]
    for before, after in [("event_sources", "timeline"), ("event_dyads_coded", "event_series"), ("event_dyads_coded", "dyad_summary")]:
        assert names.index(before) < names.index(after)


def test_views_command_prints_each_view_once_per_engine():
    for dialect in DIALECTS:
        r = subprocess.run([sys.executable, "-m", "jpkr_data.cli", "views", "--dialect", dialect], capture_output=True, text=True, cwd=ROOT)
        assert r.returncode == 0 and r.stderr == ""
        statements = [s for s in r.stdout.split(";\n\n") if s.strip()]
        assert len(statements) == len(discover_views(ROOT))
        assert all(f'VIEW "{v.name}" AS' in r.stdout or f"VIEW `{v.name}` AS" in r.stdout for v in discover_views(ROOT))
    duck = view_statements(PKG.tables, discover_views(ROOT), "duckdb")
    assert "list(DISTINCT m.article_id ORDER BY m.article_id)" in duck[0]  # DuckDB gets the view file's own query


def test_unknown_dialect_lists_the_supported_ones():
    r = subprocess.run([sys.executable, "-m", "jpkr_data.cli", "views", "--dialect", "oracle"], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.strip() == "error: unknown dialect 'oracle'; supported: duckdb, sqlite, spark"


def test_sqlite_values_are_json_lists_iso_dates_and_integers():
    assert [sqlite_value(v) for v in (["jpn", "kor"], [], dt.date(2019, 8, 22), True, None, 1.5)] == ['["jpn", "kor"]', "[]", "2019-08-22", 1, None, 1.5]
