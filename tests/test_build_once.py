"""A release database is written by the one database writer, from a package parsed once and validated once."""
from __future__ import annotations

import duckdb
from conftest import ROOT

import jpkr_data.schema as schema
import jpkr_data.validator.pipeline as pipeline
from jpkr_data import artifact, database
from jpkr_data.publication import database_file, release


def test_release_database_parses_once_and_validates_once(tmp_path, monkeypatch):
    reads, runs, writes = [], [], []
    real_read, real_run, real_build = schema.read_descriptor, pipeline.run_pipeline, database.build_database
    monkeypatch.setattr(schema, "read_descriptor", lambda p: reads.append(p) or real_read(p))
    monkeypatch.setattr(pipeline, "run_pipeline", lambda *a, **k: runs.append(a) or real_run(*a, **k))
    monkeypatch.setattr(database_file, "build_database", lambda *a, **k: writes.append(a) or real_build(*a, **k))
    descriptor = ROOT / "datapackage.json"
    pkg = release.check_package(descriptor, None)
    db = release.write_release_database(pkg, tmp_path / "jpkr.duckdb", None)
    assert len(reads) == 1 and len(runs) == 1 and len(writes) == 1
    assert artifact.verify(db, database.content_key(pkg))
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("SELECT block_size FROM pragma_database_size()").fetchone()[0] == database.BLOCK_SIZE
        assert con.execute("SELECT count(*) FROM events").fetchone()[0] > 0
    finally:
        con.close()


def test_cache_entry_is_written_like_the_release_file(tmp_path):
    pkg = schema.load_package(ROOT / "datapackage.json")
    db = database.build_database(pkg.path, tmp_path / "entry.duckdb", pkg=pkg)
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("SELECT block_size FROM pragma_database_size()").fetchone()[0] == database.BLOCK_SIZE
        assert con.execute("SELECT count(*) FROM duckdb_constraints() WHERE constraint_type = 'FOREIGN KEY'").fetchone()[0] == 0
        first = con.execute("SELECT event_id FROM events LIMIT 1").fetchone()[0]
        assert first == con.execute("SELECT min(event_id) FROM events").fetchone()[0]  # rows in primary-key order
    finally:
        con.close()
