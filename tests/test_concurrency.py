"""Threads and processes: query()/table() from many threads never mix results, one call's session state
cannot break the next, and 8 processes on an empty cache end with one correct cache file."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import duckdb
import pytest
from conftest import ROOT, read_rows

import jpkr_data
from jpkr_data import artifact
from jpkr_data.access.errors import QueryError, ReadOnlyError

COUNTS = {t: len(read_rows(t)) for t in ("events", "actors", "event_mentions", "actor_mentions")}  # distinct counts (0.5.0: statements has as many rows as events)


def test_threads_querying_counts_each_get_their_own_answer():
    assert len(set(COUNTS.values())) == len(COUNTS)  # distinct counts: a mixed-up result would show
    errors: list[str] = []

    def work(i: int) -> None:
        names = list(COUNTS)
        for j in range(25):
            t = names[(i + j) % len(names)]
            n = int(jpkr_data.query(f"SELECT count(*) AS n FROM {t}")["n"][0])
            if n != COUNTS[t]:
                errors.append(f"{t}: {n}")

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(work, range(8)))
    assert errors == []


def test_threads_mixing_table_and_query_with_their_own_temp_tables():
    n_events = COUNTS["events"]

    def work(i: int) -> tuple[int, int, int]:
        jpkr_data.query(f"CREATE OR REPLACE TEMP TABLE mine AS SELECT * FROM events LIMIT {i}")
        tl = jpkr_data.table("timeline")
        mine = int(jpkr_data.query("SELECT count(*) AS n FROM mine")["n"][0])
        return i, len(tl), mine

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(work, range(1, 17)))
    assert all(n == n_events and mine == i for i, n, mine in results)


def test_cursors_of_one_session_in_threads(con):
    def work(i: int) -> int:
        cur = con.cursor()
        try:
            return sum(cur.execute(f"SELECT count(*) FROM {t}").fetchone()[0] == n for t, n in COUNTS.items())
        finally:
            cur.close()

    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(work, range(32))) == [len(COUNTS)] * 32


def test_one_session_shared_by_threads_serialises_query_calls(con):
    """query(con=...) holds the session's lock from execute to fetch, so even a shared Session gives right answers."""
    def work(t: str) -> int:
        return int(jpkr_data.query(f"SELECT count(*) AS n FROM {t}", con=con)["n"][0])

    names = list(COUNTS) * 20
    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(work, names)) == [COUNTS[t] for t in names]


@pytest.mark.parametrize("poison", [
    "SET search_path = 'memory.main'", "SET memory_limit = '1MB'", "SET lock_configuration = false", "BEGIN",
    "BEGIN; SELECT error('x')", "DETACH jpkr", "USE memory", "RESET ALL", "SELECT * FROM no_such_table",
    "SELECT CAST('x' AS INT)", "SELECT error('boom')", "CREATE TEMP TABLE events AS SELECT 1", "SET VARIABLE x = 1",
    "PRAGMA threads = 1",
])
def test_one_calls_session_state_cannot_break_the_next(poison):
    with pytest.raises((ReadOnlyError, QueryError, duckdb.Error)):
        jpkr_data.query(poison)
    assert len(jpkr_data.table("timeline")) == COUNTS["events"]
    assert int(jpkr_data.query("SELECT count(*) AS n FROM events")["n"][0]) == COUNTS["events"]
    assert "timeline" in jpkr_data.names()


def test_a_half_fetched_result_does_not_block_the_next_call(con):
    con.execute("SELECT * FROM range(100000)")
    con.fetchone()
    assert len(jpkr_data.table("events", con=con)) == COUNTS["events"]
    con.execute("SELECT * FROM range(100000)")
    con.fetchmany(10)
    assert con.sql("SELECT count(*) FROM actors").fetchall() == [(COUNTS["actors"],)]


def test_a_failed_statement_inside_a_checked_transaction_leaves_no_transaction_open(con):
    with pytest.raises(duckdb.Error):
        con.execute("CREATE TEMP TABLE broken AS SELECT CAST('x' AS INT) AS x")
    con.execute("CREATE TEMP TABLE fine AS SELECT 1 AS x")
    assert con.execute("SELECT count(*) FROM fine").fetchone()[0] == 1
    con.execute("DROP TABLE fine")


def test_eight_processes_on_an_empty_cache_end_with_one_correct_file(tmp_path):
    folder = tmp_path / "cache"
    code = ("import jpkr_data; s = jpkr_data.connect(); "
            "print(s.execute('SELECT count(*) FROM timeline').fetchone()[0], s.database)")
    env = os.environ | {"JPKR_DATA_CACHE": str(folder), "PYTHONPATH": str(ROOT)}
    procs = [subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
             for _ in range(8)]
    outs = [p.communicate(timeout=600) for p in procs]
    assert [p.returncode for p in procs] == [0] * 8, [e for _, e in outs]
    assert all("Traceback" not in e for _, e in outs)
    (db,) = folder.glob("*.duckdb")
    assert {o.split()[0] for o, _ in outs} == {str(COUNTS["events"])}
    assert {o.split()[1] for o, _ in outs} == {str(db)}
    assert artifact.verify(db, artifact.read_manifest(db).content_key)
    assert sorted(p.name for p in folder.iterdir() if not p.name.startswith(db.name)) == [".build.lock"]


def test_default_session_is_one_per_thread():
    from jpkr_data.api import default_session

    seen: dict[int, object] = {}
    alive = threading.Barrier(4)  # all four threads live at once, so no thread id is reused

    def work(k: int) -> None:
        seen[k] = default_session()
        assert default_session() is seen[k]
        alive.wait(timeout=60)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({id(s) for s in seen.values()}) == 4
