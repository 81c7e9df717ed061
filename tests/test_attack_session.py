"""Attack class 1: a user session allows, it does not deny.

A session may create tables and views of its own and nothing else; whatever a user tries to create,
under whatever name the package's views use (tables, views, functions, casts) or DuckDB's own catalog
views, the package's views return what they returned before: from one thread, across threads, and in
the in-memory fallback. The outcome is checked, not the mechanism."""
from __future__ import annotations

import re
import threading

import duckdb
import pytest
from conftest import ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import jpkr_data
from jpkr_data.access import session as session_mod
from jpkr_data.access.errors import QueryError, ReadOnlyError
from jpkr_data.api import default_session
from jpkr_data.database import build_into
from jpkr_data.schema import load_package

BLIND_FUNCTIONS = ("CREATE TEMP MACRO duckdb_functions() AS TABLE SELECT NULL::VARCHAR AS database_name, "
                   "NULL::VARCHAR AS function_name, NULL::BOOLEAN AS internal WHERE false")
BLIND_TABLES = ("CREATE TEMP MACRO duckdb_tables() AS TABLE SELECT NULL::VARCHAR AS database_name, NULL::VARCHAR AS schema_name, "
                "NULL::VARCHAR AS table_name WHERE false")
REFUSED = (ReadOnlyError, QueryError, duckdb.Error)


@pytest.fixture(scope="module")
def base():
    s = jpkr_data.connect()
    yield s
    s.close()


def _views(s) -> list[str]:
    return sorted(n for n, kind in s.names().items() if kind == "view")


def results(s) -> dict[str, list[str]]:
    """Every view's rows (as text, sorted: row order is not part of the comparison), through unqualified names."""
    return {v: sorted(map(repr, s.execute(f'SELECT * FROM "{v}"').fetchall())) for v in _views(s)}


@pytest.fixture(scope="module")
def truth(base):
    return results(base.cursor())


def names_the_views_use(s) -> list[str]:
    """Package tables and views, built-in functions and types called in sql/*.sql, DuckDB's catalog views."""
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "sql").glob("*.sql")))
    words = {w.lower() for w in re.findall(r"[A-Za-z_][A-Za-z_0-9]*", text)}
    functions = {r[0] for r in s.execute("SELECT DISTINCT function_name FROM system.main.duckdb_functions() "
                                         "WHERE database_name = 'system'").fetchall()}
    types = {r[0].lower() for r in s.execute("SELECT DISTINCT type_name FROM system.main.duckdb_types()").fetchall()}
    used = sorted((words & functions) | (words & types))
    assert {"round", "count", "sum"} <= set(used), used  # the views do call these
    return sorted(s.names()) + used + ["duckdb_tables", "duckdb_functions", "duckdb_views", "duckdb_columns", "lower"]


# Every kind of object a DuckDB 2 session can create (TEMP and not), as a template taking a name.
KINDS = [
    "CREATE TEMP TABLE {n} AS SELECT * FROM jpkr.main.events LIMIT 1",
    "CREATE TABLE {n} (x INT)",
    "CREATE OR REPLACE TEMP VIEW {n} AS SELECT 42 AS x",
    "CREATE VIEW memory.main.{n} AS SELECT 42 AS x",
    "CREATE TEMP MACRO {n}(x) AS 42",
    "CREATE MACRO {n}(x, y) AS 42",
    "CREATE OR REPLACE TEMP FUNCTION {n}() AS 42",
    "CREATE TEMP MACRO {n}() AS TABLE SELECT 42 AS x",
    "CREATE TYPE {n} AS VARCHAR",
    "CREATE TYPE temp.main.{n} AS ENUM ('a')",
    "CREATE TEMP SEQUENCE {n}",
    "CREATE SCHEMA {n}",
    "CREATE TEMP TABLE ok_{n}_src AS SELECT 1 AS x; CREATE INDEX {n} ON ok_{n}_src(x)",
    "CREATE TEMP TABLE mine_{n} AS SELECT 1 AS x; ALTER TABLE mine_{n} RENAME TO {n}",
    "CREATE TEMP VIEW mine_v_{n} AS SELECT 1 AS x; ALTER VIEW mine_v_{n} RENAME TO \"{N}\"",
]


def attack_everything(s, names: list[str]) -> list[str]:
    """Run every kind under every name (and an upper-case spelling); return the statements that were accepted."""
    accepted = []
    for n in names:
        for kind in KINDS:
            sql = kind.format(n=f'"{n}"' if "{n}(" not in kind else n, N=n.upper())
            try:
                s.execute(sql)
                accepted.append(sql)
            except REFUSED:
                pass
    return accepted


def _allowed(sql: str) -> bool:
    """An accepted attack must only have made a user table or view (e.g. a TEMP table named like a function)."""
    return bool(re.match(r"CREATE (OR REPLACE )?(TEMP )?(TABLE|VIEW) ", sql))


def test_report_repro_blinded_check_then_round_macro(base, truth):
    s = base.cursor()
    with pytest.raises(ReadOnlyError):
        s.execute(BLIND_FUNCTIONS + ";\nCREATE TEMP MACRO round(x, n) AS 42;\nSELECT 1")
    assert results(s)["dyad_summary"] == truth["dyad_summary"]


def test_report_repro_blinded_table_list_then_temp_events(base, truth):
    s = base.cursor()
    for sql in (BLIND_FUNCTIONS, BLIND_TABLES, "CREATE TEMP TABLE events AS SELECT * FROM jpkr.main.events WHERE event_id = 'ev_colonial_rule'",
                "UPDATE events SET title = 'Nothing happened'"):
        with pytest.raises(REFUSED):
            s.execute(sql)
    assert s.execute("SELECT count(*) FROM timeline").fetchone()[0] == len(truth["timeline"])
    assert results(s) == truth


def test_report_repro_date_trunc_macro_cannot_move_periods(base, truth):
    s = base.cursor()
    with pytest.raises(ReadOnlyError):
        s.execute("CREATE TEMP MACRO date_trunc(p, d) AS DATE '1999-01-01'")
    assert results(s)["event_series"] == truth["event_series"]


def test_every_kind_under_every_name_the_views_use_leaves_them_unchanged(base, truth):
    s = base.cursor()
    names = names_the_views_use(s)
    accepted = attack_everything(s, names)
    assert all(_allowed(sql) for sql in accepted), [a for a in accepted if not _allowed(a)][:5]
    assert results(s) == truth
    kinds = {r[0] for r in s.execute(session_mod._USER_OBJECTS).fetchall()}
    assert kinds <= {"table", "view"}, kinds


def test_attacks_from_other_threads_change_nothing_in_this_one(truth):
    names = names_the_views_use(jpkr_data.connect())
    errors: list[BaseException] = []

    def attacker(part: list[str]) -> None:
        try:
            for n in part:  # query() shares one database per process; non-TEMP objects land in memory.main
                for sql in (f"CREATE MACRO {n}(x, n) AS 42", f"CREATE MACRO {n}(x) AS 42", f'CREATE TABLE "{n}" AS SELECT 42 AS x',
                            BLIND_FUNCTIONS.replace("TEMP ", ""), f'CREATE VIEW "{n}" AS SELECT 42 AS x'):
                    try:
                        jpkr_data.query(sql)
                    except REFUSED:
                        pass
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=attacker, args=(names[i::3],)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert jpkr_data.table("dyad_summary")["goldstein_sum"].tolist() == jpkr_data.connect().table("dyad_summary").df()["goldstein_sum"].tolist()
    seen: dict[str, dict] = {}
    checker = threading.Thread(target=lambda: seen.update(r=results(default_session())))
    checker.start()
    checker.join()
    assert seen["r"] == truth


def test_register_under_a_catalog_view_name_is_refused(base):
    import pandas as pd

    s = base.cursor()
    for name in ("duckdb_tables", "Duckdb_Views", "events", "JPKR"):
        with pytest.raises(ReadOnlyError):
            s.register(name, pd.DataFrame({"x": [1]}))


def test_a_comment_inside_the_create_keywords_is_refused_not_guessed(base):
    s = base.cursor()
    for sql in ("CREATE /* TABLE */ MACRO m1(x) AS x", "CREATE TEMP/**/MACRO m2(x) AS x", "CREATE -- TABLE\n MACRO m3(x) AS x"):
        with pytest.raises(ReadOnlyError):
            s.execute(sql)


def test_secrets_and_persistent_objects_are_refused(base):
    s = base.cursor()
    for sql in ("CREATE TEMP SECRET s1 (TYPE s3, KEY_ID 'a', SECRET 'b')", "CREATE PERSISTENT SECRET s2 (TYPE s3)",
                "CREATE OR REPLACE SECRET s3 (TYPE http)"):
        with pytest.raises(REFUSED):
            s.execute(sql)


def test_own_tables_views_and_pivot_still_work(base):
    s = base.cursor()
    s.execute("CREATE TEMP TABLE my_counts AS SELECT event_type, count(*) AS n FROM events GROUP BY event_type")
    s.execute("CREATE VIEW my_top AS SELECT * FROM my_counts ORDER BY n DESC LIMIT 3")
    s.execute("CREATE TEMP TABLE round_table AS SELECT 1 AS x")  # a table named like a function is no shadow
    assert len(s.execute("SELECT * FROM my_top").fetchall()) == 3
    s.execute("PIVOT (SELECT status, 1 AS one FROM events) ON status USING sum(one)")  # accepted: its own enum type is allowed
    s.execute("DROP VIEW my_top; DROP TABLE my_counts; DROP TABLE round_table")


@pytest.fixture(scope="module")
def in_memory():
    """The fallback session (no writable place): the package built in memory, attached read-write."""
    pkg = load_package(ROOT / "datapackage.json")
    s = session_mod.open_in_memory(lambda con: build_into(con, pkg))
    yield s
    s.close()


def test_in_memory_fallback_refuses_writes_to_the_package(in_memory, truth):
    s = in_memory.cursor()
    for sql in ("UPDATE jpkr.main.events SET title = 'Nothing happened'", "DELETE FROM jpkr.main.event_mentions WHERE article_id <> 'art000'",
                "CREATE TYPE jpkr.main.mytype AS VARCHAR", "CREATE TABLE jpkr.backup_events AS SELECT * FROM jpkr.main.events",
                "CREATE SCHEMA jpkr.backup", "DROP VIEW jpkr.main.timeline", "ALTER TABLE jpkr.main.events RENAME TO events_old",
                "INSERT INTO jpkr.main.events SELECT * FROM jpkr.main.events LIMIT 1", "CREATE VIEW jpkr.main.zz AS SELECT 1 AS x",
                "TRUNCATE jpkr.main.claims"):
        with pytest.raises(REFUSED):
            s.execute(sql)
    assert results(s) == truth


def test_in_memory_fallback_report_repro_snapshot_then_shadow_then_update(in_memory, truth):
    s = in_memory.cursor()
    steps = ["CREATE TEMP TABLE snap_t AS SELECT * FROM duckdb_tables()",
             "CREATE TEMP MACRO duckdb_tables() AS TABLE SELECT * FROM snap_t",
             "CREATE TEMP MACRO duckdb_functions() AS TABLE SELECT * FROM system.main.duckdb_functions() WHERE false",
             "UPDATE jpkr.main.events SET title = 'Nothing happened'"]
    for sql in steps:
        try:
            s.execute(sql)
        except REFUSED:
            pass
    assert results(s) == truth


def test_in_memory_fallback_accepts_every_kind_as_the_file_session_does(base, in_memory, truth):
    names = ["events", "round", "duckdb_functions", "mine_new"]
    on_file = attack_everything(jpkr_data.connect(), names)  # a fresh database: memory.main is shared by cursors
    in_mem = attack_everything(in_memory.cursor(), names)
    assert on_file == in_mem
    assert results(in_memory.cursor()) == truth


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from(KINDS), name=st.sampled_from(["events", "timeline", "round", "date_trunc", "count", "duckdb_tables",
                                                         "dyad_summary", "sum", "coalesce", "varchar"]),
       flips=st.lists(st.booleans(), min_size=14, max_size=14))
def test_any_kind_under_any_spelling_leaves_the_views_unchanged(base, truth, kind, name, flips):
    s = base.cursor()
    spelled = "".join(c.upper() if f else c for c, f in zip(name, flips))
    try:
        s.execute(kind.format(n=f'"{spelled}"' if "{n}(" not in kind else spelled, N=spelled.upper()))
    except REFUSED:
        pass
    assert results(s) == truth
    assert {r[0] for r in s.execute(session_mod._USER_OBJECTS).fetchall()} <= {"table", "view"}
    s.close()


# M1: a session reads the package and DuckDB's catalog, never where the package is stored or how DuckDB is set up.
LOCATING = [
    "PRAGMA database_list", "SELECT path FROM duckdb_databases()", "SELECT * FROM duckdb_settings()",
    "SELECT current_setting('secret_directory')",  # the report's four
    "SELECT * FROM pragma_database_list", "SELECT path FROM duckdb_databases", "SELECT path FROM system.main.duckdb_databases()",
    "SELECT * FROM pg_catalog.pg_settings", "SELECT * FROM pg_catalog.pg_database",
    "SELECT \"current_setting\"('home_directory')", "SELECT 'temp_directory'.current_setting()",
    "SELECT current_setting /* between */ ('allowed_directories')", "SELECT * FROM query('SELECT path FROM duckdb_databases()')",
    "SELECT * FROM query_table('duckdb_settings')", "SELECT * FROM duckdb_temporary_files()", "SELECT * FROM duckdb_extensions()",
    "SELECT * FROM duckdb_secrets()", "SELECT * FROM which_secret('s3://bucket/x', 's3')", "SELECT * FROM duckdb_logs",
    "SELECT user_agent()", "SELECT * FROM duckdb_memory()",
    "CREATE TEMP TABLE mine AS SELECT * FROM duckdb_settings()", "WITH x AS (SELECT * FROM duckdb_databases()) SELECT * FROM x",
    "EXPLAIN SELECT * FROM duckdb_settings()", "DESCRIBE SELECT path FROM duckdb_databases()", "SUMMARIZE SELECT * FROM duckdb_settings()",
    "SELECT * FROM events WHERE title = current_setting('home_directory')",
]


def _places(s) -> list[str]:
    import os

    return [p for p in {str(s.database.parent) if s.database else "", os.path.expanduser("~"), os.getcwd(), str(ROOT)} if len(p) > 1]


@pytest.mark.parametrize("sql", LOCATING)
def test_location_and_settings_are_refused_naming_no_path(base, in_memory, sql):
    for s in (base.cursor(), in_memory.cursor()):
        with pytest.raises(ReadOnlyError) as info:
            s.execute(sql).fetchall()
        assert not any(p in str(info.value) for p in _places(s)), str(info.value)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(["duckdb_settings", "duckdb_databases", "current_setting", "pragma_database_list", "query", "duckdb_extensions"]),
       flips=st.lists(st.booleans(), min_size=24, max_size=24), quoted=st.booleans(), qualified=st.booleans())
def test_any_spelling_of_a_locating_name_is_refused(base, name, flips, quoted, qualified):
    spelled = "".join(c.upper() if f else c for c, f in zip(name, flips + [False] * len(name)))
    ref = (f'"{spelled}"' if quoted else spelled)
    ref = f"system.main.{ref}" if qualified and name != "current_setting" else ref
    sql = f"SELECT * FROM {ref}('x')" if name in ("current_setting", "query") else f"SELECT * FROM {ref}" + ("" if "pragma" in name else "()")
    with pytest.raises(ReadOnlyError):
        base.cursor().execute(sql).fetchall()


def test_catalog_of_tables_views_and_functions_stays_readable(base):
    s = base.cursor()
    assert s.execute("SELECT count(*) FROM duckdb_tables() WHERE database_name = 'jpkr'").fetchone()[0] == len(
        [n for n, k in s.names().items() if k == "table"])
    assert s.execute("SELECT count(*) FROM information_schema.columns WHERE table_name = 'events'").fetchone()[0] > 5
    assert s.execute("SELECT count(*) FROM duckdb_functions() WHERE function_name = 'sum'").fetchone()[0] >= 1
    assert s.execute("SELECT count(*) FROM range(5)").fetchone()[0] == 5
    assert ("events",) in s.execute("SHOW TABLES").fetchall()
    assert s.execute("SELECT 'current_setting(x)' AS words").fetchone()[0] == "current_setting(x)"  # a string is data
