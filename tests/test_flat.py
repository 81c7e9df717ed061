"""The views as flat files (CSV + Parquet, described by datapackage-views.json) and the Hugging Face dataset card."""
from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import duckdb
import pytest
from built_release import built_release
from conftest import ROOT, read_rows

from jpkr_data.publication.card import size_category
from jpkr_data.publication.flat import field_type
from jpkr_data.views import View, discover_views

VIEWS = [v.name for v in discover_views(ROOT)]


@pytest.fixture(scope="module")
def release() -> Path:
    return built_release()


@pytest.fixture(scope="module")
def views_descriptor(release) -> dict:
    return json.loads((release / "datapackage-views.json").read_text(encoding="utf-8"))


def test_views_descriptor_is_valid_for_frictionless(release):
    frictionless = pytest.importorskip("frictionless")
    report = frictionless.Package(str(release / "datapackage-views.json")).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_every_view_is_a_csv_and_a_parquet_file_with_all_its_rows(release, views_descriptor, con):
    assert [r["name"] for r in views_descriptor["resources"]] == VIEWS
    pq = duckdb.connect()
    for res in views_descriptor["resources"]:
        name = res["name"]
        data = (release / res["path"]).read_bytes()
        assert res["hash"] == "sha256:" + hashlib.sha256(data).hexdigest() and res["bytes"] == len(data)
        with (release / res["path"]).open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        expected = con.execute(f'SELECT * FROM jpkr.main."{name}"').fetchall()
        columns = [d[0] for d in con.execute(f'SELECT * FROM jpkr.main."{name}" LIMIT 0').description]
        assert len(rows) == len(expected) and list(rows[0]) == columns == [f["name"] for f in res["schema"]["fields"]]
        parquet = pq.execute(f"SELECT * FROM '{release / res['jpkr:parquet']}'").fetchall()
        assert sorted(map(repr, parquet)) == sorted(map(repr, expected))
        types = dict(pq.execute(f"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM '{release / res['jpkr:parquet']}')").fetchall())
        assert [field_type(types[c]) for c in columns] == [f["type"] for f in res["schema"]["fields"]]


def test_list_columns_are_json_arrays_in_csv_and_lists_in_parquet(release):
    pq = duckdb.connect()
    by_id = {r[0]: r[1] for r in pq.execute(f"SELECT event_id, actor_ids FROM '{release}/views/timeline.parquet'").fetchall()}
    with (release / "views" / "timeline.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert rows and all(json.loads(r["actor_ids"]) == by_id[r["event_id"]] for r in rows)
    assert any(len(json.loads(r["actor_ids"])) > 1 for r in rows)
    codes = {r["cameo_code"] for r in rows}
    assert any(c.startswith("0") for c in codes)  # CSV keeps the leading zero of CAMEO codes


def test_view_columns_have_descriptions_from_the_header(views_descriptor):
    """Columns the view header describes carry that text; the rest fall back to a same-named table column (said so)."""
    views = {v.name: v for v in discover_views(ROOT)}
    for res in views_descriptor["resources"]:
        own = views[res["name"]].columns
        for f in res["schema"]["fields"]:
            if f["name"] in own:
                assert f["description"] == own[f["name"]]
            elif f["description"]:
                assert "(as in " in f["description"]
    timeline = next(r for r in views_descriptor["resources"] if r["name"] == "timeline")
    assert {f["name"]: f for f in timeline["schema"]["fields"]}["date_basis"]["description"]


def test_header_column_block_parser(tmp_path):
    sql = ("-- Who met whom?\n--\n-- Some prose.\n-- Columns:\n--   source_id: the actor who acts\n--   n_events: how many events,\n"
           "--       counted once each\n-- DuckDB-specific: list().\nCREATE VIEW dyads AS SELECT 1;\n")
    v = View("dyads", tmp_path / "30_dyads.sql", sql)
    assert v.columns == {"source_id": "the actor who acts", "n_events": "how many events, counted once each"}


def test_card_front_matter_names_every_table_and_view(release):
    yaml = pytest.importorskip("yaml")
    text = (release / "README.md").read_text(encoding="utf-8")
    assert text.startswith("---\n")
    meta = yaml.safe_load(text.split("---\n", 2)[1])
    d = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
    assert meta["license"] == "cc-by-4.0" and meta["language"] == ["en"] and meta["pretty_name"] == d["title"]
    assert meta["task_categories"] and meta["size_categories"] == [size_category(sum(len(read_rows(r["name"])) for r in d["resources"]))]
    configs = {c["config_name"]: c for c in meta["configs"]}
    assert [c for c in configs if "-loo-" not in c] == [r["name"] for r in d["resources"]] + VIEWS
    for c in (c for name, c in configs.items() if "-loo-" not in name):
        [files] = c["data_files"]
        assert files["split"] == "test" and (release / files["path"]).is_file()  # an evaluation set: all rows in `test` (tests/test_card.py)
    assert [c for c in configs if configs[c].get("default")] == ["timeline"]
    assert "# jpkr-data" in text.split("---\n", 2)[2]


def test_datasets_loads_each_table_and_view_by_name(release, tmp_path, con, monkeypatch):
    for var in ("HF_DATASETS_OFFLINE", "HF_HUB_OFFLINE"):
        monkeypatch.setenv(var, "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    datasets = pytest.importorskip("datasets")
    for name in ("timeline", "statements_full", "disagreements", "dyads", "events", "cameo_codes"):
        ds = datasets.load_dataset(str(release), name, cache_dir=str(tmp_path / "hf"))["test"]
        assert ds.num_rows == con.execute(f'SELECT count(*) FROM jpkr.main."{name}"').fetchone()[0]
    codes = datasets.load_dataset(str(release), "cameo_codes", cache_dir=str(tmp_path / "hf"))["test"]["cameo_code"]
    loo = datasets.load_dataset(str(release), "statements-loo-art002", cache_dir=str(tmp_path / "hf"))
    assert set(loo["test"]["article_id"]) == {"art002"} and "art002" not in set(loo["train"]["article_id"])
    assert loo["train"].num_rows + loo["test"].num_rows == con.execute("SELECT count(*) FROM jpkr.main.statements").fetchone()[0]
    assert all(isinstance(c, str) for c in codes) and any(c.startswith("0") for c in codes)


def test_sizes_and_sums_cover_the_new_files(release):
    sums = (release / "SHA256SUMS").read_text(encoding="utf-8")
    for name in ["datapackage-views.json", "jpkr-data.xlsx", "DATASHEET.md", "README.md"] + [f"views/{v}.{ext}" for v in VIEWS for ext in ("csv", "parquet")]:
        assert f"  {name}\n" in sums
    assert size_category(999) == "n<1K" and size_category(1000) == "1K<n<10K"


def test_parquet_views_carry_their_descriptions(release, views_descriptor):
    pq = duckdb.connect()
    for res in views_descriptor["resources"]:
        meta = {k.decode(): v.decode() for k, v in pq.execute(f"SELECT key, value FROM parquet_kv_metadata('{release / res['jpkr:parquet']}')").fetchall()}
        assert meta["jpkr:view"] == res["name"] and meta["jpkr:question"] == res["title"]
        assert json.loads(meta["jpkr:columns"]) == {f["name"]: f["description"] for f in res["schema"]["fields"]}
