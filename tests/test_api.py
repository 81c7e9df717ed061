"""The accessor: read-only package, user's own tables, unknown names, DataFrames, light import."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import ROOT


def test_writes_to_package_tables_fail_clearly(con):
    import jpkr_data
    from jpkr_data.api import query

    before = query("SELECT count(*) AS n FROM events", con=con)["n"][0]
    for sql in ("DELETE FROM events", "INSERT INTO actors (actor_id, name, actor_type) VALUES ('x', 'x', 'state')",
                "DROP VIEW timeline", "UPDATE articles SET outlet = 'x'", "CREATE TABLE jpkr.main.mine (x INT)"):
        with pytest.raises(jpkr_data.ReadOnlyError, match="read-only"):
            query(sql, con=con)
    assert query("SELECT count(*) AS n FROM events", con=con)["n"][0] == before


def test_users_can_make_their_own_tables_and_views(con):
    from jpkr_data.api import query

    con.execute("CREATE TEMP TABLE my_events AS SELECT event_id FROM events WHERE status = 'scheduled'")
    con.execute("CREATE VIEW my_view AS SELECT count(*) AS n FROM my_events")
    assert query("SELECT n FROM my_view", con=con)["n"][0] >= 2


def test_unknown_name_lists_the_valid_ones(con):
    import jpkr_data

    with pytest.raises(jpkr_data.UnknownNameError) as err:
        jpkr_data.table("timelines", con=con)
    assert "timeline" in str(err.value) and "statements_full" in str(err.value)


def test_dataframes_have_dates_and_lists(con):
    import pandas as pd

    import jpkr_data

    df = jpkr_data.table("timeline", con=con)
    assert pd.api.types.is_datetime64_any_dtype(df["date_start"])
    row = df[df.event_id == "ev_bangkok_kang_kono"].iloc[0]
    assert list(row["actor_ids"]) == ["kang_kyung_wha", "taro_kono"]
    assert row["date_start"] == pd.Timestamp("2019-08-01")


def test_query_with_parameters(con):
    from jpkr_data.api import query

    df = query("SELECT speaker_id FROM statements WHERE article_id = ? AND mode = 'direct' ORDER BY char_start", ["art003"], con=con)
    assert list(df.speaker_id) == ["kor", "kang_kyung_wha", "toshimitsu_motegi"]


def test_import_is_light():
    code = "import sys, jpkr_data; print('pandas' in sys.modules, 'duckdb' in sys.modules, jpkr_data.__version__)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out[:2] == ["False", "False"]


def test_works_from_another_directory(tmp_path):
    code = "import jpkr_data; print(len(jpkr_data.table('timeline')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path).stdout
    n_events = sum(1 for _ in (ROOT / "data" / "events.csv").open(encoding="utf-8")) - 1
    assert int(out) == n_events


def test_validate_returns_a_real_report():
    import jpkr_data

    report = jpkr_data.validate()
    assert report.valid, report.to_text()
    assert len(report.checks) >= 20


def test_versions_agree():
    """The package, the wheel metadata and the data package carry one version."""
    import tomllib

    import jpkr_data

    descriptor = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert descriptor["version"] == project["version"] == jpkr_data.__version__


def test_list_columns_come_back_as_python_lists(con, tmp_path):
    import csv

    import jpkr_data

    df = jpkr_data.table("timeline", con=con)
    row = df[df.event_id == "ev_bangkok_kang_kono"].iloc[0]
    assert type(row["actor_ids"]) is list and row["actor_ids"] == ["kang_kyung_wha", "taro_kono"]
    assert json.loads(json.dumps(df["actor_ids"].tolist())) == df["actor_ids"].tolist()
    nested = jpkr_data.query("SELECT [[1, 2], [3]] AS ll, {'a': [DATE '2019-08-01']} AS s, MAP {'k': [1]} AS m", con=con)
    assert nested["ll"][0] == [[1, 2], [3]] and type(nested["s"][0]["a"]) is list and nested["m"][0] == {"k": [1]}
    out = tmp_path / "t.csv"
    df[["event_id", "actor_ids"]].to_csv(out, index=False)
    written = {r["event_id"]: r["actor_ids"] for r in csv.DictReader(out.open(encoding="utf-8"))}
    assert written["ev_bangkok_kang_kono"] == "['kang_kyung_wha', 'taro_kono']"


def test_connect_returns_a_guarded_session_not_a_raw_connection(con):
    import duckdb

    import jpkr_data

    assert isinstance(con, jpkr_data.Session)
    assert not isinstance(con, duckdb.DuckDBPyConnection)
    with jpkr_data.connect() as s:
        assert s.execute("SELECT count(*) FROM events").fetchone()[0] == sum(
            1 for _ in (ROOT / "data" / "events.csv").open(encoding="utf-8")) - 1
        assert [d[0] for d in s.execute("SELECT 1 AS a, 2 AS b").description] == ["a", "b"]
        assert s.sql("SELECT 42 AS x").df()["x"][0] == 42
        assert s.table("events").fetchall()[0][0].startswith("ev_")
    with pytest.raises(duckdb.Error):
        s.execute("SELECT 1")


def test_query_accepts_only_sessions(con):
    import duckdb

    import jpkr_data

    with pytest.raises(TypeError):
        jpkr_data.query("SELECT 1", con=duckdb.connect())
