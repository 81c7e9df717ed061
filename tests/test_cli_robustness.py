"""The command line never prints a traceback for user input: odd SQL, several statements, non-UTF-8 arguments,
every DuckDB type in JSON, NUL characters, huge results (streamed), missing packages, closed pipes."""
from __future__ import annotations

import csv
import decimal
import io
import json
import os
import subprocess
import sys

import pytest
from conftest import ROOT, read_rows
from hypothesis import given, settings
from hypothesis import strategies as st

from jpkr_data.access import output

N_EVENTS = len(read_rows("events"))


def cli(*args: str | bytes, env: dict | None = None, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable.encode(), b"-m", b"jpkr_data.cli", *[a.encode() if isinstance(a, str) else a for a in args]],
                          capture_output=True, env=env, **kw)


class Run:
    """An in-process run of main(): exit code, stdout and stderr as bytes (fast: no new interpreter)."""

    def __init__(self, returncode: int, stdout: str, stderr: str) -> None:
        self.returncode = returncode
        self.stdout = stdout.encode("utf-8", "surrogateescape")
        self.stderr = stderr.encode("utf-8", "surrogateescape")


@pytest.fixture()
def run(capsys):
    from jpkr_data import cli as cli_module

    def go(*args: str) -> Run:
        code = cli_module.main(list(args))
        out, err = capsys.readouterr()
        return Run(code, out, err)

    return go


def _clean_failure(r, code: int = 1) -> str:
    err = r.stderr.decode("utf-8", "replace")
    assert r.returncode == code, (r.returncode, err)
    assert "Traceback" not in err and err.startswith("error: ") and err.count("\n") == 1, err
    return err


@pytest.mark.parametrize("sql", ["", "   ", "\n\t", "-- only a comment", "/* block */", ";", " ; ;; ", "-- c\n;"])
def test_empty_sql_is_a_clear_error(run, sql):
    err = _clean_failure(run("sql", sql))
    assert "no SQL statement" in err


@pytest.mark.parametrize("sql", ["SELEC 1", "SELECT 'unclosed", "SELECT * FROM no_such_table", "SELECT CAST('x' AS INT)",
                                 "SELECT error('boom')", "SELECT (", "SELECT 1 +"])
def test_bad_sql_is_one_line(run, sql):
    _clean_failure(run("sql", sql))


def test_several_statements_print_every_result(run):
    r = run("sql", "SELECT 1 AS a; CREATE TEMP TABLE t AS SELECT 2 AS b; SELECT b FROM t", "--format", "csv")
    assert r.returncode == 0
    assert r.stdout.decode().split("\n\n") == ["a\n1", "b\n2\n"]
    r = run("sql", "SELECT 1 AS a; SELECT 'x' AS b", "--format", "json")
    assert json.loads(r.stdout) == [[{"a": 1}], [{"b": "x"}]]
    r = run("sql", "SELECT 1 AS a;", "--format", "json")
    assert json.loads(r.stdout) == [{"a": 1}]


def test_a_refused_statement_among_several_runs_nothing(run, tmp_path):
    target = tmp_path / "owned.csv"
    r = run("sql", f"SELECT 1; COPY (SELECT 'owned') TO '{target}'")
    assert "read-only" in _clean_failure(r) and r.stdout == b"" and not target.exists()


def test_non_utf8_arguments_are_a_clear_error(run):
    err = _clean_failure(cli("sql", b"SELECT '\xff'"), code=2)  # a real argv of bytes, once
    assert "not valid UTF-8" in err
    for arg in (b"SELECT 1 -- \xc3", b"\xed\xa0\x80", b"SELECT '\x80abc'"):  # what Python makes of such argv
        err = _clean_failure(run("sql", arg.decode("utf-8", "surrogateescape")), code=2)
        assert "not valid UTF-8" in err


def test_non_utf8_table_name_is_a_clear_error(run):
    _clean_failure(run("describe", b"ev\xffents".decode("utf-8", "surrogateescape")), code=2)


ALL_TYPES = """SELECT 12345678901234567890.123456789::DECIMAL(38,9) AS dec, 1.50::DECIMAL(4,2) AS dec2, '\\x00\\xff'::BLOB AS blob,
TIME '10:11:12.5' AS t, TIMETZ '10:00:00+02' AS ttz, INTERVAL 3 MONTH + INTERVAL 90 MINUTE AS iv, -INTERVAL 1 DAY AS neg_iv,
'5f75d766-3505-43da-be38-f78924e4ef68'::UUID AS u, 170141183460469231731687303715884105727::HUGEINT AS h,
340282366920938463463374607431768211455::UHUGEINT AS uh, 'nan'::DOUBLE AS nan, 'inf'::DOUBLE AS inf, '-inf'::FLOAT AS ninf,
{'d': DATE '2019-08-01', 'l': [DATE '2019-08-02', NULL]} AS s, MAP {DATE '2019-08-01': [1.5::DECIMAL(3,1)]} AS m,
[[1, 2], [3]] AS ll, [1, 2]::INT[2] AS arr, TIMESTAMP '2019-08-01 10:00:00' AS ts, TIMESTAMPTZ '2019-08-01 10:00:00+09' AS tstz,
'a'::ENUM('a', 'b') AS e, '101'::BIT AS bits, union_value(k := 1) AS un, true AS b, NULL AS n, 'ünï "q" \\ ' || chr(0) || chr(10) AS str,
['nan'::DOUBLE] AS nan_list, -0.0::DOUBLE AS nz, 1e308 * 10 AS overflow"""


def test_every_duckdb_type_gives_valid_json(run):
    r = run("sql", ALL_TYPES, "--format", "json")
    assert r.returncode == 0, r.stderr.decode()
    (row,) = json.loads(r.stdout, parse_float=decimal.Decimal, parse_constant=lambda c: pytest.fail(f"bare {c}"))
    assert row["dec"] == decimal.Decimal("12345678901234567890.123456789") and row["dec2"] == decimal.Decimal("1.50")
    assert row["blob"] == "AP8=" and row["t"] == "10:11:12.500000" and row["u"] == "5f75d766-3505-43da-be38-f78924e4ef68"
    assert row["h"] == 2**127 - 1 and row["uh"] == 2**128 - 1
    assert row["nan"] is None and row["inf"] is None and row["ninf"] is None and row["nan_list"] == [None] and row["overflow"] is None
    assert row["s"] == {"d": "2019-08-01", "l": ["2019-08-02", None]}
    assert row["m"] == {"2019-08-01": [decimal.Decimal("1.5")]}
    assert row["ll"] == [[1, 2], [3]] and row["arr"] == [1, 2] and row["e"] == "a" and row["b"] is True and row["n"] is None
    assert row["iv"].startswith("P") and row["neg_iv"].startswith("-P")
    assert row["ts"] == "2019-08-01T10:00:00" and row["tstz"].startswith("2019-08-01T01:00:00")
    assert row["str"] == 'ünï "q" \\ \x00\n'


@settings(max_examples=60, deadline=None)
@given(st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text() | st.decimals() | st.binary() | st.dates() | st.times()
    | st.datetimes() | st.timedeltas() | st.uuids(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5) | st.integers() | st.dates(), inner, max_size=3),
    max_leaves=8))
def test_json_text_is_always_valid_json(value):
    json.loads(output.json_text(value), parse_constant=lambda c: pytest.fail(f"bare {c}"))


def test_nul_in_csv_is_refused_naming_row_and_column(run):
    r = run("sql", "SELECT * FROM (VALUES (1, 'ok'), (2, 'a' || chr(0) || 'b')) t(id, txt) ORDER BY id", "--format", "csv")
    err = _clean_failure(r)
    assert "row 3" in err and "'txt'" in err and "NUL" in err
    assert r.stdout.decode().splitlines() == ["id,txt", "1,ok"]


def test_nul_in_table_format_is_escaped(run):
    r = run("sql", "SELECT 'a' || chr(0) || chr(10) || 'b' AS x")
    assert r.returncode == 0 and "a\\x00\\nb" in r.stdout.decode()


def test_csv_lists_are_readable(run):
    r = run("sql", "SELECT event_id, actor_ids FROM timeline WHERE event_id = 'ev_bangkok_kang_kono'", "--format", "csv")
    (row,) = list(csv.DictReader(io.StringIO(r.stdout.decode())))
    assert row["actor_ids"] == "[kang_kyung_wha, taro_kono]"


def test_huge_result_is_streamed_in_order():
    n = 200_000
    r = cli("sql", f"SELECT range AS i, 'row ' || range AS s FROM range({n})", "--format", "csv")
    lines = r.stdout.decode().splitlines()
    assert r.returncode == 0 and len(lines) == n + 1 and lines[-1] == f"{n - 1},row {n - 1}"
    r = cli("sql", f"SELECT range AS i FROM range({n // 10})", "--format", "json")
    assert [d["i"] for d in json.loads(r.stdout)] == list(range(n // 10))


def test_results_are_fetched_in_batches(monkeypatch, capsys):
    """The CLI asks for BATCH rows at a time, never for everything."""
    from jpkr_data import cli as cli_module
    from jpkr_data.access.session import Session

    sizes = []
    real = Session.fetchmany
    monkeypatch.setattr(Session, "fetchmany", lambda self, size=1: sizes.append(size) or real(self, size))
    monkeypatch.setattr(Session, "fetchall", lambda self: pytest.fail("fetchall used"))
    assert cli_module.main(["sql", "SELECT * FROM range(25000)", "--format", "csv"]) == 0
    assert sizes and set(sizes) == {output.BATCH} and len(sizes) == 25000 // output.BATCH + 2
    assert len(capsys.readouterr().out.splitlines()) == 25001


def test_closed_pipe_is_quiet():
    p1 = subprocess.Popen([sys.executable, "-m", "jpkr_data.cli", "sql", "SELECT * FROM range(2000000)", "--format", "csv"],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p1.stdout.read(10)
    p1.stdout.close()
    _, err = p1.communicate(timeout=120)
    assert b"Traceback" not in err and b"Exception ignored" not in err


def test_missing_package_is_a_clear_error(tmp_path, monkeypatch, run):
    monkeypatch.setenv("JPKR_DATA_ROOT", str(tmp_path / "nowhere"))
    for args in (("sql", "SELECT 1"), ("tables",), ("describe", "events"), ("timeline",)):
        err = _clean_failure(run(*args))
        assert "nowhere" in err


def test_invalid_package_is_a_clear_error(package_copy, tmp_path, monkeypatch, run):
    (package_copy / "datapackage.json").write_text("[1, 2", encoding="utf-8")
    monkeypatch.setenv("JPKR_DATA_ROOT", str(package_copy))
    monkeypatch.setenv("JPKR_DATA_CACHE", str(tmp_path / "c"))
    r = run("sql", "SELECT 1")
    err = r.stderr.decode("utf-8", "replace")
    assert r.returncode == 1 and "Traceback" not in err and err.startswith("error: "), err
    # the first line names the package; each further line is one problem, named by file (and JSON path)
    assert all("datapackage.json" in line for line in err.strip().splitlines()), err


def test_unusable_cache_still_answers_with_a_warning(tmp_path):
    f = tmp_path / "file"
    f.write_text("x")
    r = cli("sql", "SELECT count(*) AS n FROM timeline", "--format", "csv", env=os.environ | {"JPKR_DATA_CACHE": str(f)})
    assert r.returncode == 0 and r.stdout.decode().splitlines() == ["n", str(N_EVENTS)]
    err = r.stderr.decode()
    assert err.startswith("warning: ") and str(f) in err and "Traceback" not in err


def test_tables_and_describe_quote_names(run):
    r = run("tables", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(r.stdout.decode())))
    assert {row["name"]: int(row["rows"]) for row in rows}["events"] == N_EVENTS
    r = run("describe", "timeline")
    assert r.returncode == 0 and "actor_ids" in r.stdout.decode()
    _clean_failure(run("describe", 'events"; DROP TABLE x; --'), code=2)


def test_sql_arguments_reach_sql_only_through_the_gate(run, tmp_path):
    target = tmp_path / "x.csv"
    for sql in (f"COPY events TO '{target}'", f"EXPORT DATABASE '{tmp_path}'", "INSTALL httpfs", "DETACH jpkr",
                f"SELECT * FROM read_csv('{ROOT / 'data' / 'events.csv'}')"):
        assert "read-only" in _clean_failure(run("sql", sql))
    assert list(tmp_path.iterdir()) == []
