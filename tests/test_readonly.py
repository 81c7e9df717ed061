"""Read-only for real: no statement through connect(), query(), table() or a Session's methods changes the
package, the cache, a file or the session; users' objects never change what the package's views return.

Every attack checks "nothing changed" by hashing the cache file, the package files and a canary file
before and after, and that the session still answers with the package's real row counts."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

import duckdb
import pytest
from conftest import ROOT, read_rows
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import jpkr_data
from jpkr_data.access.errors import QueryError, ReadOnlyError

N_EVENTS = len(read_rows("events"))
N_MENTIONS = len(read_rows("event_mentions"))
PACKAGE_FILES = sorted([ROOT / "datapackage.json", *(ROOT / "data").glob("*.csv"), *(ROOT / "sql").glob("*.sql")])


def _digest(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


@pytest.fixture(scope="module")
def session():
    s = jpkr_data.connect()
    yield s
    s.close()


@pytest.fixture(scope="module")
def canary(tmp_path_factory) -> Path:
    p = tmp_path_factory.mktemp("canary") / "canary.csv"
    p.write_text("a,b\n1,2\n", encoding="utf-8")
    return p


@pytest.fixture(scope="module")
def state(session, canary):
    """A function returning the hashes of everything that must not change."""
    db = session.database
    assert db is not None and db.is_file()
    home_duckdb = Path(os.path.expanduser("~")) / ".duckdb"

    def snapshot() -> dict:
        files = [db, canary, *PACKAGE_FILES]
        out = {str(p): _digest(p) for p in files}
        out["cache folder"] = sorted(p.name for p in db.parent.iterdir() if not p.name.endswith(".verified"))
        out["stray"] = [p.name for p in (canary.parent / "out.csv", canary.parent / "x.duckdb", canary.parent / "export") if p.exists()]
        out["~/.duckdb/extensions"] = sorted(str(p) for p in (home_duckdb / "extensions").rglob("*")) if home_duckdb.exists() else None
        return out

    return snapshot


def _still_the_package(con) -> None:
    assert con.execute("SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM timeline)").fetchone() == (N_EVENTS, N_EVENTS)


def attacks(db: Path, canary: Path) -> list[str]:
    """Statements that would change the cache, the package, a file or the session if they ran."""
    out = canary.parent / "out.csv"
    return [
        # DETACH + ATTACH of the cache read-write, with odd quoting and spelling
        f"DETACH jpkr; ATTACH '{db}' AS rw; UPDATE rw.main.events SET title = 'Nothing happened'",
        f'ATTACH "{db}" AS rw',
        f"attach   database\n'{db}'   as rw (READ_WRITE)",
        f"/* harmless */ ATTACH IF NOT EXISTS '{db}' AS rw",
        f"ATTACH '{canary.parent / 'x.duckdb'}' AS fresh; CREATE TABLE fresh.t AS SELECT 1",
        "ATTACH ':memory:' AS jpkr2",
        "DETACH DATABASE IF EXISTS jpkr",
        # COPY in every position
        f"COPY events TO '{out}'",
        f"SELECT 1; -- a comment\nCOPY (SELECT 'owned') TO '{canary}'",
        f"SELECT 1;/*x*/COPY (SELECT 1) TO '{db}'",
        "COPY events TO 'data/events.csv'",
        f"COPY events FROM '{canary}'",
        "COPY FROM DATABASE jpkr TO memory",
        f"EXPLAIN ANALYZE COPY (SELECT 1) TO '{out}'",
        f"EXPLAIN (ANALYZE) COPY (SELECT 1) TO '{out}'",
        f"EXPLAIN /* c */ ANALYZE COPY (SELECT 1) TO '{out}'",
        f"EXPORT DATABASE '{canary.parent / 'export'}'",
        f"IMPORT DATABASE '{canary.parent}'",
        # prepared statements hiding a write
        f"PREPARE p AS COPY (SELECT 1) TO '{out}'; EXECUTE p",
        "EXECUTE p",
        # settings, USE, RESET, pragmas that write or change settings
        "SET search_path = 'memory.main'",
        "SET GLOBAL enable_external_access = true",
        "SET SESSION lock_configuration = false",
        "RESET search_path",
        "RESET ALL",
        "USE memory",
        "SET VARIABLE v = 1",
        "PRAGMA memory_limit = '1MB'",
        "PRAGMA enable_profiling = 'json'",
        f"PRAGMA profile_output = '{out}'",
        "PRAGMA threads = 1",
        "pragma   Enable_Checkpoint_On_Shutdown",
        "PRAGMA force_checkpoint",
        # transactions
        "BEGIN", "BEGIN TRANSACTION; DELETE FROM events", "COMMIT", "ROLLBACK", "ABORT", "START TRANSACTION",
        # storage maintenance
        "CHECKPOINT", "FORCE CHECKPOINT", "CHECKPOINT jpkr", "CALL checkpoint('jpkr')", "VACUUM", "VACUUM ANALYZE", "ANALYZE",
        "CALL pragma_version()",
        # extensions and secrets
        "INSTALL httpfs", "LOAD httpfs", "FORCE INSTALL json", "UPDATE EXTENSIONS", "LOAD 'somewhere/x.duckdb_extension'",
        "CREATE PERSISTENT SECRET s (TYPE s3, KEY_ID 'k', SECRET 'v')",
        # files read through table functions, replacement scans and globs
        "SELECT * FROM read_csv('/etc/passwd')",
        "SELECT * FROM read_parquet('/etc/hostname')",
        "SELECT content FROM read_text('/etc/host*')",
        "SELECT * FROM glob('/etc/*')",
        "SELECT * FROM read_blob('data/sources/*')",
        "SELECT * FROM 'data/events.csv'",
        f"SELECT * FROM '{canary}'",
        f"SELECT * FROM read_json_auto('{canary}')",
        f"SELECT * FROM sniff_csv('{canary}')",
        # writes to the package, also wrapped in CTEs and second statements
        "DELETE FROM events", "UPDATE articles SET outlet = 'x'", "INSERT INTO cameo_codes SELECT * FROM cameo_codes LIMIT 1",
        "DROP VIEW timeline", "DROP TABLE jpkr.main.events CASCADE", "ALTER TABLE events RENAME TO evts",
        "ALTER TABLE events ADD COLUMN x INT", "COMMENT ON TABLE events IS 'x'", "TRUNCATE events",
        "CREATE TABLE jpkr.main.mine (x INT)", "CREATE OR REPLACE VIEW jpkr.main.timeline AS SELECT 1 AS x",
        "CREATE INDEX i ON events(title)",
        "WITH x AS (SELECT 1) INSERT INTO events SELECT * FROM events LIMIT 1",
        "WITH d AS (DELETE FROM events RETURNING *) SELECT count(*) FROM d",
        "SELECT 1; UPDATE jpkr.main.events SET title = 'x'",
        "MERGE INTO events USING (SELECT 'x' AS event_id) s ON events.event_id = s.event_id WHEN MATCHED THEN DELETE",
        "CREATE SEQUENCE jpkr.main.s",
    ]


@pytest.fixture(scope="module")
def attack_list(session, canary):
    return attacks(session.database, canary)


def test_every_attack_is_refused_and_changes_nothing(session, state, attack_list):
    before = state()
    accepted = []
    for sql in attack_list:
        try:
            session.execute(sql)
            accepted.append(sql)
        except (ReadOnlyError, QueryError, duckdb.Error):
            pass
        _still_the_package(session)
    assert state() == before
    assert accepted == []


@pytest.mark.parametrize("sql", [
    "DETACH jpkr", "COPY events TO 'x.csv'", "ATTACH 'x.duckdb'", "SET search_path = 'memory.main'", "BEGIN",
    "EXPORT DATABASE 'x'", "INSTALL httpfs", "CHECKPOINT", "USE memory", "PRAGMA memory_limit = '1MB'",
    "DELETE FROM events", "DROP VIEW timeline", "CREATE TABLE jpkr.main.t (x INT)",
    "SELECT * FROM read_text('/etc/hostname')",
])
def test_refusal_is_readonlyerror_saying_what_to_do_instead(session, sql):
    with pytest.raises(ReadOnlyError) as err:
        session.execute(sql)
    assert "read-only" in str(err.value) and "TEMP" in str(err.value)


def test_a_refused_statement_in_a_string_stops_everything_before_it_runs(session):
    with pytest.raises(ReadOnlyError):
        session.execute("CREATE TEMP TABLE before_copy AS SELECT 1 AS x; COPY events TO 'x.csv'")
    assert session.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'before_copy'").fetchone()[0] == 0


def test_the_same_attacks_through_query_and_the_default_session_change_nothing(state, attack_list):
    before = state()
    for sql in attack_list[:20]:
        with pytest.raises((ReadOnlyError, QueryError, duckdb.Error)):
            jpkr_data.query(sql)
    assert len(jpkr_data.table("timeline")) == N_EVENTS
    assert state() == before


def test_cursor_is_guarded_like_the_session(session, state, attack_list):
    before = state()
    cur = session.cursor()
    for sql in attack_list:
        with pytest.raises((ReadOnlyError, QueryError, duckdb.Error)):
            cur.execute(sql)
    _still_the_package(cur)
    with pytest.raises(ReadOnlyError):
        cur.execute("SELECT * FROM read_text('/etc/hostname')")  # the settings reach cursors too
    cur.close()
    assert state() == before


def test_sql_executemany_and_relations_are_guarded(session, state, canary):
    before = state()
    with pytest.raises(ReadOnlyError):
        session.sql(f"SELECT 1; COPY events TO '{canary}'")
    with pytest.raises(ReadOnlyError):
        session.executemany("UPDATE events SET title = ?", [["a"], ["b"]])
    rel = session.sql("SELECT count(*) AS n FROM events")
    assert rel.fetchall() == [(N_EVENTS,)]
    for escape in ("query", "execute", "to_csv", "write_csv", "to_parquet", "create", "insert_into", "to_table", "create_view"):
        assert not hasattr(rel, escape), escape
    assert state() == before


def test_session_exposes_no_raw_duckdb_connection(session):
    """No public attribute or method result is the raw connection (Python cannot hide private ones: unsupported)."""
    for name in dir(session):
        if name.startswith("_"):
            continue
        value = getattr(session, name, None)
        assert not isinstance(value, duckdb.DuckDBPyConnection), name


def test_register_refuses_package_names(session):
    import pandas as pd

    df = pd.DataFrame({"event_id": ["x"]})
    for name in ("events", "Timeline", "EVENT_SOURCES"):
        with pytest.raises(ReadOnlyError):
            session.register(name, df)
    session.register("my_frame", df)
    assert session.execute("SELECT count(*) FROM my_frame").fetchone()[0] == 1
    assert len(jpkr_data.table("timeline", con=session)) == N_EVENTS


def test_table_function_checkpoint_leaves_the_cache_byte_identical(session, state):
    before = state()
    with pytest.raises(ReadOnlyError, match="checkpoint"):  # not an allow-listed table function (access/guard.py)
        session.execute("SELECT * FROM checkpoint('jpkr')").fetchall()
    assert state() == before


def test_users_own_temp_objects_work(session):
    s = session.cursor()
    s.execute("CREATE TEMP TABLE mine AS SELECT event_id FROM events WHERE status = 'scheduled'")
    s.execute("INSERT INTO mine VALUES ('extra'); UPDATE mine SET event_id = upper(event_id) WHERE event_id = 'extra'")
    s.execute("DELETE FROM mine WHERE event_id = 'EXTRA'")
    s.execute("CREATE TEMP VIEW mine_n AS SELECT count(*) AS n FROM mine")
    s.execute("CREATE TABLE own_main AS SELECT 1 AS x; ALTER TABLE own_main RENAME TO own_main2; DROP TABLE own_main2")
    expected = sum(1 for e in read_rows("events") if e["status"] == "scheduled")
    assert s.execute("SELECT n FROM mine_n").fetchone()[0] == expected
    s.execute("DROP VIEW mine_n; DROP TABLE mine")
    s.close()


# -- the views always mean the package ---------------------------------------------------------------------

SHADOWS = [
    "CREATE TEMP TABLE events AS SELECT * FROM jpkr.main.events LIMIT 3",
    "CREATE TEMP TABLE Events AS SELECT * FROM jpkr.main.events LIMIT 3",
    'CREATE TEMP TABLE "EVENTS" AS SELECT * FROM jpkr.main.events LIMIT 3',
    "CREATE TEMP TABLE temp.main.event_mentions AS SELECT * FROM jpkr.main.event_mentions LIMIT 1",
    "CREATE TEMPORARY VIEW event_mentions AS SELECT * FROM jpkr.main.event_mentions LIMIT 1",
    "CREATE OR REPLACE TEMP VIEW event_sources AS SELECT event_id, 0 AS n_articles, 0 AS n_outlets FROM jpkr.main.events",
    "CREATE TEMP TABLE mine AS SELECT * FROM jpkr.main.cameo_codes LIMIT 0; ALTER TABLE mine RENAME TO Cameo_Codes",
    "CREATE TEMP VIEW v1 AS SELECT * FROM jpkr.main.event_actors LIMIT 0; ALTER VIEW v1 RENAME TO event_actors",
    "CREATE TEMP TABLE ok_first AS SELECT 1 AS x; CREATE TEMP TABLE event_actors AS SELECT * FROM jpkr.main.event_actors LIMIT 0",
    "CREATE TABLE memory.main.events AS SELECT * FROM jpkr.main.events LIMIT 3",
    "CREATE TEMP MACRO count(x) AS 1000",
    "CREATE MACRO len(x) AS 1000",
    "CREATE TEMP MACRO events() AS TABLE SELECT 1",
    "CREATE SCHEMA jpkr",
    "CREATE TEMP SEQUENCE s1; CREATE TEMP TABLE timeline (x INT DEFAULT nextval('s1'))",
]


@pytest.fixture(scope="module")
def truth(session):
    """What the package's views return, from a fresh session."""
    return {v: session.execute(f"SELECT * FROM jpkr.main.{v} ORDER BY ALL").fetchall() for v in ("timeline", "event_sources", "dyads")}


@pytest.mark.parametrize("sql", SHADOWS)
def test_users_objects_cannot_change_what_the_views_return(session, truth, sql):
    s = session.cursor()
    with pytest.raises(ReadOnlyError, match="name|tables and views"):
        s.execute(sql)
    for view, rows in truth.items():
        assert s.execute(f"SELECT * FROM {view} ORDER BY ALL").fetchall() == rows, view
    assert len(jpkr_data.table("timeline", con=s)) == N_EVENTS
    s.close()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(["events", "event_mentions", "event_sources", "timeline", "cameo_codes", "event_actors"]),
       flips=st.lists(st.booleans(), min_size=20, max_size=20),
       kind=st.sampled_from(["TEMP TABLE {} AS SELECT 1 AS x", "TEMP VIEW {} AS SELECT 1 AS x", "TABLE {} (x INT)",
                             "OR REPLACE TEMP VIEW {} AS SELECT 2 AS y"]),
       quoted=st.booleans())
def test_any_spelling_of_a_package_name_is_refused(session, truth, name, flips, kind, quoted):
    spelled = "".join(c.upper() if f else c for c, f in zip(name, flips))
    ident = '"' + spelled + '"' if quoted else spelled
    with pytest.raises(ReadOnlyError):
        session.execute("CREATE " + kind.format(ident))
    assert session.execute("SELECT * FROM timeline ORDER BY ALL").fetchall() == truth["timeline"]


FRAGMENTS = [
    "SELECT 1", "SELECT count(*) FROM events", "DETACH jpkr", "ATTACH '{db}' AS rw", "UPDATE rw.main.events SET title = 'x'",
    "COPY events TO '{db}'", "COPY (SELECT 1) TO '{canary}'", "CHECKPOINT", "BEGIN", "ROLLBACK", "COMMIT", "SET search_path = 'memory.main'",
    "CREATE TEMP TABLE events AS SELECT 1", "CREATE TEMP TABLE t1 AS SELECT 1 AS a", "INSERT INTO t1 VALUES (2)", "DROP TABLE t1",
    "DELETE FROM events", "EXPLAIN ANALYZE COPY (SELECT 1) TO '{canary}'", "PRAGMA table_info('events')", "VACUUM", "USE memory",
    "EXPORT DATABASE '{dir}'", "INSTALL httpfs", "SELECT * FROM read_text('{canary}')",
]
GLUE = ["; ", ";\n", " -- c\n; ", "/* x */;", ";;", "; /* ; */ "]


def _identity(p: Path) -> tuple:
    st_ = p.stat()
    return st_.st_ino, st_.st_size, st_.st_mtime_ns, st_.st_ctime_ns


@pytest.fixture(scope="module")
def initial(state):
    """Everything's hashes before the fragment test; compared once at its end (hashing per example is slow)."""
    return state()


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parts=st.lists(st.tuples(st.sampled_from(FRAGMENTS), st.sampled_from(GLUE)), min_size=1, max_size=5))
def test_statement_strings_from_fragments_never_change_anything(session, initial, canary, parts):
    before = _identity(session.database), canary.read_bytes()
    values = {"db": str(session.database), "canary": str(canary), "dir": str(canary.parent / "export")}
    sql = "".join(f.format(**values) + g for f, g in parts)
    s = session.cursor()
    try:
        s.execute(sql)
    except (ReadOnlyError, QueryError, duckdb.Error):
        pass
    _still_the_package(s)
    s.close()
    assert (_identity(session.database), canary.read_bytes()) == before  # any write changes ctime


def test_after_all_fragments_every_hash_is_unchanged(state, initial):
    assert state() == initial
