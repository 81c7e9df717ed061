"""A package is data, never code: hostile views, names and paths are refused or quoted, and nothing outside the package is touched.

Each test plants an attack in a copy of the package and checks the real outcome: the report
names the file, no file appears or changes outside the package, no table the attack tried
to create exists in the built database.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
from pathlib import Path

import duckdb
import pytest
from conftest import ROOT

from jpkr_data import dialects, views
from jpkr_data.database import build_database
from jpkr_data.validator import Report, validate
from jpkr_data.validator.paths import path_problem, resolve_inside


def snapshot(root: Path) -> dict[str, str]:
    """SHA-256 of every file under root."""
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*")) if p.is_file()}


def descriptor(pkg: Path) -> dict:
    return json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))


def save(pkg: Path, d: dict) -> None:
    (pkg / "datapackage.json").write_text(json.dumps(d, ensure_ascii=False), encoding="utf-8")


def resource(d: dict, name: str) -> dict:
    return next(r for r in d["resources"] if r["name"] == name)


def view_errors(pkg: Path, name: str, sql: str) -> list:
    """Problems validate() reports for one planted view file (the whole package is validated)."""
    (pkg / "sql" / name).write_text(sql, encoding="utf-8")
    report = validate(pkg)
    return [p for p in report.problems if p.file == f"sql/{name}"]


@pytest.fixture(scope="module")
def checked(tmp_path_factory):
    """A connection holding the validated package (external access off, as run_pipeline leaves it) and its table names."""
    from jpkr_data.validator.pipeline import run_pipeline

    con = duckdb.connect(":memory:")
    report, pkg = run_pipeline(con, ROOT / "datapackage.json", build=False)
    assert report.valid
    yield con, frozenset(pkg.names)
    con.close()


def planted_view_errors(checked, tmp_path: Path, name: str, sql: str) -> list:
    """Problems create_views reports for one view file planted beside the validated tables (cheap: no re-validation)."""
    con, tables = checked
    (tmp_path / "sql").mkdir(exist_ok=True)
    (tmp_path / "sql" / name).write_text(sql, encoding="utf-8")
    report = Report(descriptor="test")
    views.create_views(con, tmp_path, report, temporary=True, tables=tables)
    return [p for p in report.problems if p.file == f"sql/{name}"]


# ---------------------------------------------------------------- view files run nothing but one CREATE VIEW

@pytest.fixture()
def outside(tmp_path) -> Path:
    """A folder outside the package that no attack may write into."""
    d = tmp_path / "outside"
    d.mkdir()
    return d


def test_view_file_with_a_second_statement_copying_a_file_out_is_refused_and_the_copy_never_runs(package_copy, outside):
    target = outside / "stolen.txt"
    errs = view_errors(package_copy, "70_evil.sql",
                       f"CREATE VIEW evil AS SELECT 1 AS x; COPY (SELECT content FROM read_text('/etc/hostname')) TO '{target}';")
    assert errs and "exactly one" in errs[0].message and "COPY" in errs[0].message
    assert not target.exists()


@pytest.mark.parametrize("sql", [
    "CREATE TABLE evil AS SELECT 1 AS x;",
    "CREATE MACRO evil(a) AS a + 1;",
    "CREATE SECRET evil (TYPE s3, KEY_ID 'k', SECRET 's');",
    "CREATE TEMP VIEW evil AS SELECT 1 AS x;",
    "CREATE VIEW IF NOT EXISTS evil AS SELECT 1 AS x;",
    "CREATE VIEW evil (x) AS SELECT 1;",
    "CREATE VIEW main.evil AS SELECT 1 AS x;",
    "PRAGMA enable_profiling;",
    "SET memory_limit = '1MB';",
    "ATTACH ':memory:' AS other;",
    "INSTALL httpfs;",
    "SELECT 1;",
    "CREATE VIEW other_name AS SELECT 1 AS x;",
    "",
    "-- only a comment",
    "CREATE VIEW evil AS SELECT 1 AS x; CREATE VIEW evil2 AS SELECT 2 AS y;",
    "CREATE VIEW evil AS SELECT 1 AS x; DROP TABLE events;",
    "CREATE VIEW evil AS SELEC 1;",
], ids=["create_table", "create_macro", "create_secret", "temp_view", "if_not_exists", "column_list", "qualified_name", "pragma", "set",
        "attach", "install", "bare_select", "misnamed", "empty_file", "comment_only", "two_views", "view_then_drop", "syntax_error"])
def test_view_file_that_is_not_exactly_one_create_view_named_after_it_is_refused(checked, tmp_path, sql):
    assert planted_view_errors(checked, tmp_path, "70_evil.sql", sql)


def test_a_well_formed_view_file_is_accepted_by_the_same_check(checked, tmp_path):
    assert planted_view_errors(checked, tmp_path, "70_fine.sql", "-- q\nCREATE OR REPLACE VIEW fine AS SELECT count(*) AS n FROM events; -- end") == []


@pytest.mark.parametrize("query", [
    "SELECT * FROM read_text('/etc/hostname')",
    "SELECT content FROM READ_TEXT('/etc/hostname')",
    "SELECT * FROM \"read_text\"('/etc/hostname')",
    "SELECT * FROM read_csv('data/events.csv')",
    "SELECT * FROM glob('*')",
    "SELECT * FROM 'data/events.csv'",
    "SELECT * FROM events JOIN 'data/actors.csv' a ON true",
    "WITH f AS (SELECT * FROM read_blob('/etc/passwd')) SELECT * FROM f",
    "SELECT (SELECT count(*) FROM read_parquet('x.parquet')) AS n",
    "SELECT * FROM query('SELECT 1')",
], ids=["read_text", "upper_case", "quoted_name", "read_csv", "glob", "replacement_scan", "replacement_scan_join", "in_cte", "in_subquery",
        "query_function"])
def test_view_that_reads_files_is_refused(checked, tmp_path, query):
    errs = planted_view_errors(checked, tmp_path, "70_evil.sql", f"CREATE VIEW evil AS {query};")
    assert errs, query


@pytest.mark.parametrize("query", ["SELECT content FROM read_text('/etc/hostname')", "SELECT * FROM read_csv('/etc/passwd')",
                                   "SELECT * FROM glob('/*')", "SELECT * FROM '/etc/passwd'"])
def test_file_reads_are_refused_at_run_time_even_past_the_name_check(checked, tmp_path, monkeypatch, query):
    """The second wall: with the name checks emptied, DuckDB's external access being off still refuses the read."""
    monkeypatch.setattr(views, "FILE_READERS", frozenset())
    monkeypatch.setattr(views, "_reads_a_file", lambda words: None)
    monkeypatch.setattr(dialects, "view_source_problem", lambda query, readable: None)  # the function allow-list too
    errs = planted_view_errors(checked, tmp_path, "70_evil.sql", f"CREATE VIEW evil AS {query};")
    assert errs and "does not compile or run" in errs[0].message


def test_a_view_may_not_take_a_table_name(checked, tmp_path):
    assert planted_view_errors(checked, tmp_path, "70_events.sql", "CREATE VIEW events AS SELECT 1 AS x;")


@pytest.mark.parametrize("name", ["evil.sql", "70_Evil.sql", "7_evil.sql"])
def test_sql_file_not_named_like_a_view_is_reported_not_ignored(checked, tmp_path, name):
    assert planted_view_errors(checked, tmp_path, name, "SELECT 1;")


def test_view_file_symlinked_to_a_file_outside_is_refused_unread(package_copy, outside):
    secret = outside / "secret.sql"
    secret.write_text("CREATE VIEW evil AS SELECT 'secret' AS x;", encoding="utf-8")
    (package_copy / "sql" / "70_evil.sql").symlink_to(secret)
    errs = [p for p in validate(package_copy).problems if p.file == "sql/70_evil.sql"]
    assert errs and "symbolic link" in errs[0].message


def test_view_file_that_is_not_utf8_is_reported(checked, tmp_path):
    (tmp_path / "sql").mkdir()
    (tmp_path / "sql" / "70_evil.sql").write_bytes(b"CREATE VIEW evil AS SELECT '\xff' AS x;")
    report = Report(descriptor="test")
    views.create_views(checked[0], tmp_path, report, temporary=True, tables=checked[1])
    assert report.problems and "UTF-8" in report.problems[0].message


def test_build_of_a_package_with_a_hostile_view_writes_nothing_outside(package_copy, outside, tmp_path):
    (package_copy / "sql" / "70_evil.sql").write_text(
        f"CREATE VIEW evil AS SELECT 1 AS x; COPY (SELECT 42) TO '{outside / 'owned.csv'}';", encoding="utf-8")
    from jpkr_data.validator import ValidationError

    with pytest.raises(ValidationError, match="70_evil.sql"):
        build_database(package_copy / "datapackage.json", tmp_path / "out" / "db.duckdb")
    assert list(outside.iterdir()) == []
    assert not (tmp_path / "out" / "db.duckdb").exists()


# ---------------------------------------------------------------- names reach SQL only quoted

INJECTION = "a\" IS 'x'; COPY (SELECT 'owned') TO '{target}'; CREATE TABLE pwned AS SELECT 42 AS v; --"


def rename_field(pkg: Path, table: str, old: str, new: str) -> None:
    """Rename a field in the descriptor and in the CSV header."""
    d = descriptor(pkg)
    res = resource(d, table)
    for f in res["schema"]["fields"]:
        if f["name"] == old:
            f["name"] = new
    save(pkg, d)
    path = pkg / res["path"]
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    rows[0] = [new if h == old else h for h in rows[0]]
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


@pytest.mark.parametrize("name", [INJECTION, 'say "hi"', "it's", "名前 (名); DROP TABLE events; --", "x" * 10_000, "new\nline\\"],
                         ids=["injection", "double_quote", "single_quote", "cjk_and_drop", "very_long", "newline_backslash"])
def test_hostile_field_name_is_quoted_everywhere_and_the_build_holds_it(package_copy, outside, tmp_path, name):
    """Any string is a field name: validation and the build quote it, so the injection is inert."""
    name = name.replace("{target}", str(outside / "owned.csv"))
    rename_field(package_copy, "cameo_codes", "crosswalk_note", name)
    report = validate(package_copy)
    assert report.valid, report.to_text()
    db = build_database(package_copy / "datapackage.json", tmp_path / "db.duckdb")
    assert list(outside.iterdir()) == []
    con = duckdb.connect(str(db), read_only=True)
    try:
        columns = [r[0] for r in con.execute("SELECT column_name FROM duckdb_columns() WHERE table_name = 'cameo_codes'").fetchall()]
        tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        comment = con.execute("SELECT comment FROM duckdb_columns() WHERE table_name = 'cameo_codes' AND column_name = ?", [name]).fetchone()
    finally:
        con.close()
    assert name in columns and "pwned" not in tables
    assert comment is not None


@pytest.mark.parametrize("first,second", [("a", "a"), ("note", "NOTE")])
def test_duplicate_field_names_are_an_error_even_when_only_the_case_differs(package_copy, first, second):
    d = descriptor(package_copy)
    fields = resource(d, "cameo_codes")["schema"]["fields"]
    fields[-1]["name"], fields[-2]["name"] = first, second
    save(package_copy, d)
    report = validate(package_copy)
    assert any(p.check == "descriptor" and "duplicate field name" in p.message and ".fields[" in p.json_path for p in report.problems), report.to_text()


def test_empty_field_name_is_an_error_at_its_json_path(package_copy):
    d = descriptor(package_copy)
    idx = d["resources"].index(resource(d, "cameo_codes"))
    resource(d, "cameo_codes")["schema"]["fields"][-1]["name"] = ""
    save(package_copy, d)
    paths = [p.json_path for p in validate(package_copy).problems]
    assert f"resources[{idx}].schema.fields[{len(resource(d, 'cameo_codes')['schema']['fields']) - 1}].name" in paths


def test_field_named_like_the_row_number_column_is_refused(package_copy):
    rename_field(package_copy, "cameo_codes", "crosswalk_note", "_ROW")
    assert any("reserved" in p.message for p in validate(package_copy).problems)


def test_source_modules_build_no_sql_with_an_unquoted_name():
    """Every identifier reaches SQL through quote_ident: no f-string writes "{...}" between double quotes."""
    pattern = re.compile(r"""f'[^']*"\{""")  # a double-quoted identifier built inside a single-quoted f-string
    mine = [ROOT / "jpkr_data" / n for n in ("schema.py", "views.py", "database.py")] + sorted((ROOT / "jpkr_data" / "validator").glob("*.py"))
    offenders = [f"{p.name}:{i}" for p in mine for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if pattern.search(line)]
    assert offenders == []


# ---------------------------------------------------------------- resource names and paths

@pytest.mark.parametrize("name", ["../../escaped", "/abs", "a//b", "./x", "Events", "a b", "événements", "a;b", "", "a\"b", "_sources"])
def test_unsafe_or_invalid_resource_name_is_refused(package_copy, name):
    d = descriptor(package_copy)
    resource(d, "cameo_codes")["name"] = name
    save(package_copy, d)
    report = validate(package_copy)
    assert any(p.check == "descriptor" and p.json_path.endswith(".name") for p in report.problems), report.to_text()


def test_duplicate_resource_names_are_an_error_naming_both(package_copy):
    d = descriptor(package_copy)
    second = d["resources"].index(resource(d, "cameo_codes"))
    d["resources"][second]["name"] = "actors"
    save(package_copy, d)
    errs = [p for p in validate(package_copy).problems if "duplicate resource name" in p.message]
    assert errs and errs[0].json_path == f"resources[{second}].name"


UNSAFE_PATHS = ["../victim/important.csv", "/etc/passwd", "../../../../etc/passwd", "data/../../x.csv", "file:///etc/passwd",
                "~/x.csv", "~root/x.csv", "$HOME/x.csv", "%USERPROFILE%/x.csv", "C:/x.csv", "c:x.csv", "data\\cameo_codes.csv",
                "https://example.com/x.csv", "s3://bucket/x.csv", "", "data/\x00.csv", "//server/share.csv"]


@pytest.mark.parametrize("path", UNSAFE_PATHS)
def test_unsafe_resource_path_is_refused_without_reading_or_writing_anything(package_copy, outside, path):
    victim = outside / "important.csv"
    victim.write_text("precious\n", encoding="utf-8")
    d = descriptor(package_copy)
    idx = d["resources"].index(resource(d, "cameo_codes"))
    d["resources"][idx]["path"] = path
    save(package_copy, d)
    before = snapshot(outside)
    report = validate(package_copy)
    assert any(p.json_path == f"resources[{idx}].path" for p in report.problems), report.to_text()
    assert snapshot(outside) == before


@pytest.mark.parametrize("path", ["../victim/important.csv", "/etc/passwd", "file:///etc/passwd", "~/x.csv"])
def test_frictionless_refuses_the_unsafe_paths_we_refuse(package_copy, path):
    frictionless = pytest.importorskip("frictionless")
    d = descriptor(package_copy)
    resource(d, "cameo_codes")["path"] = path
    save(package_copy, d)
    with pytest.raises(frictionless.FrictionlessException, match="not safe"):
        frictionless.Package(str(package_copy / "datapackage.json")).validate()


def test_safe_paths_pass_the_path_check():
    assert all(path_problem(p) is None for p in ["data/events.csv", "events.csv", "a/b/c.csv", "data/./x.csv", "a..b.csv"])


@pytest.mark.parametrize("value", [["data/a.csv", "data/b.csv"], 42, None, {"path": "x"}], ids=["list", "number", "null", "object"])
def test_resource_path_that_is_not_a_string_is_a_located_error(package_copy, value):
    d = descriptor(package_copy)
    idx = d["resources"].index(resource(d, "cameo_codes"))
    d["resources"][idx]["path"] = value
    save(package_copy, d)
    assert any(p.json_path == f"resources[{idx}].path" for p in validate(package_copy).problems)


def test_data_file_symlinked_outside_the_package_is_refused_unread(package_copy, outside):
    target = outside / "cameo_codes.csv"
    (package_copy / "data" / "cameo_codes.csv").rename(target)
    (package_copy / "data" / "cameo_codes.csv").symlink_to(target)
    errs = [p for p in validate(package_copy).problems if p.file == "data/cameo_codes.csv"]
    assert errs and errs[0].check == "path" and "outside the package" in errs[0].message


def test_data_folder_symlinked_outside_the_package_is_refused(package_copy, outside):
    (package_copy / "data").rename(outside / "data")
    (package_copy / "data").symlink_to(outside / "data")
    report = validate(package_copy)
    assert not report.valid and all(p.check == "path" for p in report.problems if p.file.startswith("data/") and p.file.endswith(".csv"))


def test_symlink_that_stays_inside_the_package_is_followed(package_copy):
    (package_copy / "data" / "codes").mkdir()
    (package_copy / "data" / "cameo_codes.csv").rename(package_copy / "data" / "codes" / "cameo.csv")
    (package_copy / "data" / "cameo_codes.csv").symlink_to(Path("codes") / "cameo.csv")
    assert validate(package_copy).valid


def test_resolve_inside_refuses_a_symlink_loop(tmp_path):
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    assert resolve_inside(tmp_path, "a") is None


def test_source_file_name_leading_out_of_the_package_is_refused_unread(package_copy):
    path = package_copy / "data" / "articles.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    col = rows[0].index("source_file")
    for k, value in enumerate(["../../../../etc/hostname", "/etc/hostname"], start=1):
        rows[k][col] = value
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")
    errs = [p for p in validate(package_copy).problems if p.check == "source-file"]
    assert {p.row for p in errs} >= {2, 3} and all("not a file name inside data/sources/" in p.message for p in errs if p.row in (2, 3))


def test_validation_writes_nothing_anywhere(package_copy, tmp_path, monkeypatch):
    """validate() of a package full of attacks leaves the package and the working folder as they were."""
    monkeypatch.chdir(tmp_path)
    (package_copy / "sql" / "70_evil.sql").write_text("CREATE VIEW evil AS SELECT 1 AS x; COPY (SELECT 1) TO 'owned.csv';", encoding="utf-8")
    before_pkg, before_cwd = snapshot(package_copy), sorted(os.listdir(tmp_path))
    validate(package_copy)
    assert snapshot(package_copy) == before_pkg and sorted(os.listdir(tmp_path)) == before_cwd
