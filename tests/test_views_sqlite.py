"""The release's jpkr.sqlite and datasette-metadata.json: every view gives DuckDB's rows in SQLite (python's sqlite3, and
Datasette's JSON API on a loopback port), the tables keep their types and keys, lists are JSON arrays, dates ISO,
and full-text search finds what the titles and texts hold."""
from __future__ import annotations

import json
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import duckdb
import pytest
from built_release import built_release
from conftest import ROOT
from view_rows import assert_same_rows, normalised_rows

from jpkr_data.publication.datasette import write_datasette
from jpkr_data.schema import load_package
from jpkr_data.views import discover_views

PKG = load_package(ROOT / "datapackage.json")
VIEWS = [v.name for v in discover_views(ROOT)]


@pytest.fixture(scope="module")
def release() -> Path:
    return built_release()


@pytest.fixture(scope="module")
def duck(release):
    con = duckdb.connect(str(release / "jpkr.duckdb"), read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="module")
def lite(release):
    con = sqlite3.connect(f"file:{release / 'jpkr.sqlite'}?mode=ro", uri=True)
    yield con
    con.close()


def reference(duck, name: str) -> tuple[list[str], list[str], list[tuple]]:
    """(columns, DuckDB types, normalised rows) of a view in the release's DuckDB file."""
    described = duck.execute(f'DESCRIBE "{name}"').fetchall()
    columns, kinds = [r[0] for r in described], [r[1] for r in described]
    return columns, kinds, normalised_rows(duck.execute(f'SELECT * FROM "{name}"').fetchall(), kinds)


@pytest.mark.parametrize("name", VIEWS)
def test_view_gives_duckdbs_rows_in_sqlite(duck, lite, name):
    columns, kinds, want = reference(duck, name)
    cur = lite.execute(f'SELECT * FROM "{name}"')
    assert [d[0] for d in cur.description] == columns
    assert_same_rows(normalised_rows(cur.fetchall(), kinds), want, name)


def test_tables_keep_types_primary_and_foreign_keys(duck, lite):
    for t in PKG.tables:
        info = {r[1]: r for r in lite.execute(f'PRAGMA table_info("{t.name}")').fetchall()}
        assert list(info) == t.field_names
        assert [n for n, r in sorted(info.items(), key=lambda kv: kv[1][5]) if r[5]] == t.primary_key
        for f in t.fields:
            assert info[f.name][2] == ("TEXT" if f.separator else {"integer": "INTEGER", "number": "REAL", "date": "DATE"}.get(f.type, info[f.name][2]))
            assert bool(info[f.name][3]) == f.required
        fks = {(r[2], r[3], r[4]) for r in lite.execute(f'PRAGMA foreign_key_list("{t.name}")').fetchall()}
        assert fks == {(fk.resource, a, b) for fk in t.foreign_keys for a, b in zip(fk.fields, fk.ref_fields)}
    assert lite.execute("PRAGMA foreign_key_check").fetchall() == []
    for t in PKG.tables:
        assert lite.execute(f'SELECT count(*) FROM "{t.name}"').fetchone() == duck.execute(f'SELECT count(*) FROM "{t.name}"').fetchone(), t.name


def test_release_files_are_what_the_writer_writes_every_time(release, duck, tmp_path):
    """Reproducible: the writer, run again on the release's DuckDB file, gives the release's two files byte for byte."""
    write_datasette(duck, PKG, discover_views(ROOT), tmp_path)
    for name in ("jpkr.sqlite", "datasette-metadata.json"):
        assert (tmp_path / name).read_bytes() == (release / name).read_bytes(), name


def test_lists_are_json_arrays_and_dates_iso(duck, lite):
    contexts = dict(lite.execute("SELECT event_id, plover_contexts FROM events").fetchall())
    assert contexts == {e: (None if c is None else json.dumps(c, ensure_ascii=False)) for e, c in duck.execute("SELECT event_id, plover_contexts FROM events").fetchall()}
    assert any(c and len(json.loads(c)) > 1 for c in contexts.values())
    actors = lite.execute("SELECT actor_ids FROM timeline WHERE event_id = 'ev_bangkok_kang_kono'").fetchone()[0]
    assert json.loads(actors) == duck.execute("SELECT actor_ids FROM timeline WHERE event_id = 'ev_bangkok_kang_kono'").fetchone()[0]
    assert len(json.loads(actors)) > 1
    dates = [r[0] for r in lite.execute("SELECT published_date FROM articles").fetchall()]
    assert dates and all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", d) for d in dates)
    assert lite.execute("SELECT typeof(counted) FROM event_dyads_coded LIMIT 1").fetchone()[0] == "integer"


def test_full_text_search_finds_titles_quotations_statements_and_evidence(lite):
    def search(table: str, column: str, word: str) -> set:
        hits = {r[0] for r in lite.execute(f'SELECT rowid FROM "{table}_fts" WHERE "{table}_fts" MATCH ?', [f'"{column}" : {word}']).fetchall()}
        whole = {r[0] for r in lite.execute(f'SELECT rowid, "{column}" FROM "{table}"').fetchall() if re.search(rf"\b{word}\b", r[1] or "", re.I)}
        assert hits == whole and hits, (table, column, word)
        return hits

    search("events", "title", "GSOMIA")
    search("statements", "text", "Japan")
    search("quotations", "text", "white")
    search("event_mentions", "evidence_text", "export")


@pytest.fixture(scope="module")
def metadata(release) -> dict:
    return json.loads((release / "datasette-metadata.json").read_text(encoding="utf-8"))


def test_metadata_describes_every_table_view_and_column(metadata):
    d = PKG.descriptor
    assert metadata["title"] == d["title"] and metadata["license"] == d["licenses"][0]["title"] and metadata["license_url"].startswith("https://")
    assert metadata["source_url"] == d["homepage"] and "Cite as:" in metadata["description"] and d["version"] in metadata["description"]
    tables = metadata["databases"]["jpkr"]["tables"]
    assert set(tables) == set(PKG.names) | set(VIEWS)
    for t in PKG.tables:
        assert tables[t.name]["description"] == t.description and tables[t.name]["columns"] == {f.name: f.description for f in t.fields}
    for v in discover_views(ROOT):
        assert tables[v.name]["description"] == v.description and list(tables[v.name]["columns"]) and all(tables[v.name]["columns"].values())
    for name in ("events", "statements", "quotations", "event_mentions", "articles"):
        assert tables[name]["fts_table"] == f"{name}_fts"
    assert "status" in tables["events"]["facets"] and {"array": "plover_contexts"} in tables["events"]["facets"]
    assert {"array": "actor_ids"} in tables["timeline"]["facets"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def datasette(release, tmp_path_factory):
    """`datasette jpkr.sqlite -m datasette-metadata.json` on a copy of the release's files, on a loopback port; stopped after."""
    exe = Path(sys.executable).with_name("datasette")
    if not exe.exists():
        pytest.skip("datasette is not installed (python3 dev.py test installs it)")
    folder = tmp_path_factory.mktemp("datasette")
    for name in ("jpkr.sqlite", "datasette-metadata.json"):
        shutil.copyfile(release / name, folder / name)
    port = _free_port()
    proc = subprocess.Popen([str(exe), "jpkr.sqlite", "-m", "datasette-metadata.json", "--host", "127.0.0.1", "--port", str(port)],
                            cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"{base}/-/versions.json", timeout=1).read()
                break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail(f"datasette exited: {proc.stderr.read().decode()[-500:]}")
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def get(base: str, path: str, **params) -> object:
    url = f"{base}{path}?{urllib.parse.urlencode(params)}"
    with urllib.request.urlopen(url, timeout=30) as r:
        return json.loads(r.read().decode("utf-8"))


def test_every_view_gives_duckdbs_rows_through_datasettes_json_api(datasette, duck):
    for name in VIEWS:
        columns, kinds, want = reference(duck, name)
        rows = get(datasette, f"/jpkr/{name}.json", _shape="array", _size="max")
        assert rows and list(rows[0]) == columns, name
        assert_same_rows(normalised_rows([tuple(r[c] for c in columns) for r in rows], kinds), want, name)


def test_datasette_serves_search_facets_and_descriptions(datasette, lite):
    found = get(datasette, "/jpkr/events.json", _search="GSOMIA", _shape="objects")
    assert found["rows"] and all("gsomia" in r["title"].lower() for r in found["rows"])
    facets = get(datasette, "/jpkr/events.json", _shape="objects")["facet_results"]
    facets = facets.get("results", facets)  # the key moved between Datasette releases
    assert "status" in facets and "plover_contexts" in facets
    meta = get(datasette, "/-/metadata.json")
    assert meta["databases"]["jpkr"]["tables"]["timeline"]["columns"]["actor_ids"]


def test_duckdb_statements_recreate_every_view_with_the_same_rows(release, duck):
    """`jpkr-data views --dialect duckdb` is the view files' own queries: run over the release's tables, the same rows."""
    from jpkr_data.views import view_statements

    con = duckdb.connect(":memory:")
    con.execute(f"ATTACH '{release / 'jpkr.duckdb'}' AS r (READ_ONLY)")
    con.execute("SET search_path = 'memory.main,r.main'")
    for statement in view_statements(PKG.tables, discover_views(ROOT), "duckdb"):
        con.execute(statement)
    for name in VIEWS:
        _, kinds, want = reference(duck, name)
        assert_same_rows(normalised_rows(con.execute(f'SELECT * FROM memory.main."{name}"').fetchall(), kinds), want, name)
    con.close()
