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
