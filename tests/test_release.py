"""The release: `jpkr-data build --out DIR` artifacts, atomicity, reproducibility, and the page in Chromium."""
from __future__ import annotations

import csv
import hashlib
import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import duckdb
import pytest
from conftest import read_rows

from jpkr_data.publication.database_file import BLOCK_SIZE, STORAGE_VERSION
from jpkr_data.publication.release import build_release
from jpkr_data.validator.report import ValidationError


@pytest.fixture(scope="module")
def release(tmp_path_factory) -> Path:
    return build_release(tmp_path_factory.mktemp("rel") / "out")


def test_release_is_a_valid_frictionless_package_with_hashes(release):
    frictionless = pytest.importorskip("frictionless")
    assert frictionless.Package(str(release / "datapackage.json")).validate().valid
    d = json.loads((release / "datapackage.json").read_text(encoding="utf-8"))
    for res in d["resources"]:
        data = (release / res["path"]).read_bytes()
        assert res["hash"] == "sha256:" + hashlib.sha256(data).hexdigest() and res["bytes"] == len(data)
    assert d["version"] and d["licenses"] and d["contributors"] and d["sources"]


def test_parquet_tables_are_typed_and_complete(release):
    con = duckdb.connect()
    for name in ("events", "statements", "event_mentions"):
        n = con.execute(f"SELECT count(*) FROM '{release}/data/{name}.parquet'").fetchone()[0]
        assert n == len(read_rows(name))
    types = dict(con.execute(f"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM '{release}/data/events.parquet')").fetchall())
    assert types["date_start"] == "DATE" and types["event_id"] == "VARCHAR"
    d = json.loads((release / "datapackage-parquet.json").read_text(encoding="utf-8"))
    assert all(r["path"].endswith(".parquet") and (release / r["path"]).is_file() for r in d["resources"])


def test_duckdb_file_has_views_comments_and_old_storage(release):
    con = duckdb.connect(str(release / "jpkr.duckdb"), read_only=True)
    # DuckDB 2.0 tags the 'v1.1.0' format as 'v1.0.0+' (the serialization did not change between them); the block size is ours
    assert con.execute("SELECT tags['storage_version'] FROM duckdb_databases() WHERE database_name = 'jpkr'").fetchone()[0] == "v1.0.0+"
    assert STORAGE_VERSION == "v1.1.0" and con.execute("SELECT block_size FROM pragma_database_size()").fetchone()[0] == BLOCK_SIZE
    comment = con.execute("SELECT comment FROM duckdb_columns() WHERE table_name = 'events' AND column_name = 'date_basis'").fetchone()[0]
    assert "stated" in comment and "inferred" in comment
    assert con.execute("SELECT n_articles FROM event_sources WHERE event_id = 'ev_bangkok_kang_kono'").fetchone()[0] == 3
    assert con.execute("SELECT comment FROM duckdb_views() WHERE view_name = 'disagreements'").fetchone()[0].startswith("Where do the sources disagree?")


def test_codebook_lists_every_column_and_enum_meaning(release, descriptor):
    book = (release / "CODEBOOK.md").read_text(encoding="utf-8")
    for res in descriptor["resources"]:
        assert f"### {res['name']}" in book
        for f in res["schema"]["fields"]:
            assert f"| `{f['name']}` |" in book
    assert "| `cross_article` |" in book and f"Rows: {len(read_rows('events'))}." in book


def test_citation_and_checksums(release):
    cff = (release / "CITATION.cff").read_text(encoding="utf-8")
    assert cff.startswith("cff-version: 1.2.0") and "type: dataset" in cff and re.search(r"^date-released: \d{4}-\d\d-\d\d$", cff, re.M)
    for line in (release / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
        digest, name = line.split("  ", 1)
        assert hashlib.sha256((release / name).read_bytes()).hexdigest() == digest, name


def test_sources_left_out_unless_asked(release, tmp_path):
    assert not (release / "data" / "sources").exists()
    version = json.loads((release / "datapackage.json").read_text(encoding="utf-8"))["version"]
    with zipfile.ZipFile(release / f"jpkr-data-{version}.zip") as z:
        assert not any("/data/sources/" in n for n in z.namelist()) and any(n.endswith("CODEBOOK.md") for n in z.namelist())
    full = build_release(tmp_path / "full", include_sources=True)
    assert (full / "data" / "sources" / "NOTICE.txt").is_file()
    assert len(list((full / "data" / "sources").glob("*.txt"))) == len(read_rows("articles")) + 1


def test_reproducible(release, tmp_path):
    again = build_release(tmp_path / "again")
    for rel in ["datapackage.json", "CODEBOOK.md", "CITATION.cff", "data/events.csv", "croissant.json", "stata/events.dta", "stata/timeline.dta"]:
        assert (release / rel).read_bytes() == (again / rel).read_bytes(), rel
    site = sorted(p.relative_to(release) for p in (release / "site").rglob("*") if p.is_file())
    assert site == sorted(p.relative_to(again) for p in (again / "site").rglob("*") if p.is_file())
    db_hashes = {hashlib.sha256((r / name).read_bytes()).hexdigest() for r in (release, again) for name in ("jpkr.duckdb", "jpkr.duckdb.manifest.json", "dataset.jsonld")}

    from jpkr_data.publication.site.downloads import human_size

    db_sizes = {(r / name).stat().st_size for r in (release, again) for name in ("jpkr.duckdb", "jpkr.duckdb.manifest.json", "dataset.jsonld")}

    def masked(path: Path) -> str:  # the DuckDB file is not byte-reproducible; its checksum and size are on the home page and in dataset.jsonld
        text = path.read_text(encoding="utf-8")
        for h in db_hashes:
            text = text.replace(h, "DB")
        for n in db_sizes:
            text = text.replace(f'"{n} B"', '"DB-SIZE"').replace(f">{human_size(n)}<", ">DB-SIZE<")
        return text
    for rel in site + [Path("dataset.jsonld")]:
        assert masked(release / rel) == masked(again / rel), rel
    con = duckdb.connect()
    for name in ("events", "claims"):
        a = con.execute(f"SELECT * FROM '{release}/data/{name}.parquet'").fetchall()
        assert a == con.execute(f"SELECT * FROM '{again}/data/{name}.parquet'").fetchall()


def test_invalid_package_leaves_earlier_release_untouched(release, package_copy, tmp_path):
    out = tmp_path / "keep"
    shutil.copytree(release, out)
    before = sorted((p.relative_to(out), p.read_bytes()) for p in out.rglob("*") if p.is_file())
    rows = list(csv.reader((package_copy / "data" / "events.csv").open(encoding="utf-8")))
    rows[1][6] = "not a date"
    with (package_copy / "data" / "events.csv").open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    with pytest.raises(ValidationError):
        build_release(out, package_copy)
    assert sorted((p.relative_to(out), p.read_bytes()) for p in out.rglob("*") if p.is_file()) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_cli_build(tmp_path):
    r = subprocess.run([sys.executable, "-m", "jpkr_data.cli", "build", "--out", str(tmp_path / "cli")], capture_output=True, text=True)
    assert r.returncode == 0 and (tmp_path / "cli" / "jpkr.duckdb").is_file() and r.stderr == ""
