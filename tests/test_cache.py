"""The cache is verified before it is trusted, lives in a private per-user folder (else the database is
built in memory), cleans up after killed builds, prunes old entries, and the wheel's prebuilt database is
used when it matches its manifest."""
from __future__ import annotations

import json
import os
import shutil
import warnings
from pathlib import Path

import duckdb
import pytest
from conftest import ROOT, read_rows

import jpkr_data
from jpkr_data import artifact, database
from jpkr_data.access import cache
from jpkr_data.access.errors import ReadOnlyError
from jpkr_data.schema import load_package

N_EVENTS = len(read_rows("events"))
TITLE = {e["event_id"]: e["title"] for e in read_rows("events")}["ev_jpn_export_controls"]


def _answers_right(s) -> None:
    assert s.execute("SELECT count(*) FROM timeline").fetchone()[0] == N_EVENTS
    assert s.execute("SELECT title FROM events WHERE event_id = 'ev_jpn_export_controls'").fetchone()[0] == TITLE


@pytest.fixture(scope="module")
def golden(tmp_path_factory) -> Path:
    """One cache folder built once; tests copy it and damage the copy."""
    folder = tmp_path_factory.mktemp("golden")
    folder.chmod(0o700)
    old = os.environ.get("JPKR_DATA_CACHE")
    os.environ["JPKR_DATA_CACHE"] = str(folder)
    try:
        jpkr_data.connect().close()
    finally:
        os.environ["JPKR_DATA_CACHE"] = old or ""
    return folder


@pytest.fixture()
def fast_build(golden, monkeypatch) -> list:
    """Replace the (slow) real build by an atomic copy of the golden entry; records each call."""
    calls = []

    def build(descriptor, target, storage_version=None, pkg=None):
        calls.append(target)
        tmp = target.with_name(target.name + ".fake.duckdb.tmp")
        shutil.copyfile(_entry(golden), tmp)
        os.replace(tmp, target)
        return target

    monkeypatch.setattr(database, "build_database", build)
    return calls


@pytest.fixture()
def cache_copy(golden, tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    shutil.copytree(golden, folder)
    folder.chmod(0o700)
    monkeypatch.setenv("JPKR_DATA_CACHE", str(folder))
    return folder


def _entry(folder: Path) -> Path:
    (db,) = folder.glob("jpkr-*.duckdb")
    return db


def test_cache_entry_records_content_key_and_checksum(golden):
    db = _entry(golden)
    m = artifact.read_manifest(db)
    assert m is not None and db.name == f"jpkr-{m.content_key}.duckdb"
    assert m.content_key == database.content_key(load_package(ROOT / "datapackage.json"))
    assert m.sha256 == artifact.file_sha256(db) and m.bytes == db.stat().st_size
    assert oct(golden.stat().st_mode & 0o777) == "0o700"


def _truncate(db: Path) -> None:
    with db.open("r+b") as fh:
        fh.truncate(db.stat().st_size // 2)


def _zero_block(db: Path) -> None:
    with db.open("r+b") as fh:
        fh.seek(8192)
        fh.write(b"\0" * 4096)


def _garbage_header(db: Path) -> None:
    with db.open("r+b") as fh:
        fh.write(os.urandom(4096))


def _flip_one_byte_keep_mtime(db: Path) -> None:
    st = db.stat()
    with db.open("r+b") as fh:
        fh.seek(st.st_size - 100)
        b = fh.read(1)
        fh.seek(st.st_size - 100)
        fh.write(bytes([b[0] ^ 1]))
    os.utime(db, ns=(st.st_atime_ns, st.st_mtime_ns))  # same size and mtime: only ctime tells


def _edit_rows_with_duckdb(db: Path) -> None:
    con = duckdb.connect(str(db))
    con.execute("UPDATE events SET title = 'Nothing happened'")
    con.close()


def _append(db: Path) -> None:
    with db.open("ab") as fh:
        fh.write(b"x")


def _empty_file(db: Path) -> None:
    db.write_bytes(b"")


def _no_manifest(db: Path) -> None:
    artifact.manifest_path(db).unlink()


def _manifest_of_other_key(db: Path) -> None:
    p = artifact.manifest_path(db)
    raw = json.loads(p.read_text())
    raw["content_key"] = "0" * 24
    p.write_text(json.dumps(raw))


def _manifest_garbage(db: Path) -> None:
    artifact.manifest_path(db).write_bytes(b"\xff\xfe{not json")


def _replaced_by_another_database(db: Path) -> None:
    db.unlink()
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE events AS SELECT 'x' AS event_id")
    con.close()


def _directory_in_its_place(db: Path) -> None:
    db.unlink()
    db.mkdir()


def _wal_of_a_killed_writer(db: Path) -> None:
    """A process opened the entry read-write, changed a row and died before checkpointing: the main file is
    unchanged (inode, size, times), the change waits in jpkr-<key>.duckdb.wal, which any ATTACH replays."""
    import subprocess
    import sys

    code = ("import duckdb, os, signal, sys; c = duckdb.connect(sys.argv[1]); "
            "c.execute(\"UPDATE events SET title = 'TAMPERED' WHERE event_id = 'ev_jpn_export_controls'\"); os.kill(os.getpid(), signal.SIGKILL)")
    before = cache._identity(db.stat())
    subprocess.run([sys.executable, "-c", code, str(db)], check=False)
    assert db.with_name(db.name + ".wal").stat().st_size > 0 and cache._identity(db.stat()) == before


def _stray_wal(db: Path) -> None:
    db.with_name(db.name + ".wal").write_bytes(os.urandom(512))


def _tmp_file_beside(db: Path) -> None:
    db.with_name(db.name + ".tmp").write_bytes(b"spilled")


def _tmp_folder_beside(db: Path) -> None:
    db.with_name(db.name + ".tmp").mkdir()


def _replaced_same_size_and_mtime(db: Path) -> None:
    """Another file moved into its place: same size and mtime, one byte changed (only the inode and ctime tell)."""
    st = db.stat()
    other = db.with_name("other.bin")
    shutil.copyfile(db, other)
    with other.open("r+b") as fh:
        fh.seek(st.st_size - 100)
        b = fh.read(1)
        fh.seek(st.st_size - 100)
        fh.write(bytes([b[0] ^ 1]))
    os.utime(other, ns=(st.st_atime_ns, st.st_mtime_ns))
    os.replace(other, db)
    assert db.stat().st_size == st.st_size and db.stat().st_mtime_ns == st.st_mtime_ns


DAMAGE = [_truncate, _zero_block, _garbage_header, _flip_one_byte_keep_mtime, _edit_rows_with_duckdb, _append, _empty_file,
          _no_manifest, _manifest_of_other_key, _manifest_garbage, _replaced_by_another_database,
          _wal_of_a_killed_writer, _stray_wal, _tmp_file_beside, _tmp_folder_beside, _replaced_same_size_and_mtime]


@pytest.mark.parametrize("damage", DAMAGE, ids=lambda f: f.__name__.strip("_"))
def test_damaged_or_tampered_cache_is_rebuilt(cache_copy, fast_build, damage):
    db = _entry(cache_copy)
    damage(db)
    with pytest.warns(database.CacheWarning, match=str(db.name)):
        s = jpkr_data.connect()
    assert s.database == db and fast_build == [db]
    _answers_right(s)
    s.close()
    assert artifact.verify(db, artifact.read_manifest(db).content_key) and artifact.sidecars(db) == []


def test_the_cache_serves_what_validate_checked_after_a_killed_writer(cache_copy):
    """The attack report's W1, end to end with the real build: validate and connect() agree on the rows."""
    db = _entry(cache_copy)
    jpkr_data.connect().close()  # stamp written: the fast path is what is attacked
    _wal_of_a_killed_writer(db)
    assert jpkr_data.validate(ROOT).valid
    with pytest.warns(database.CacheWarning, match=db.name):
        s = jpkr_data.connect()
    _answers_right(s)
    s.close()
    assert artifact.sidecars(db) == []


def test_a_sidecar_that_cannot_be_removed_keeps_the_entry_untrusted(cache_copy, fast_build):
    db = _entry(cache_copy)
    wal = db.with_name(db.name + ".wal")
    wal.mkdir()
    (wal / "kept").write_text("a folder cannot be unlinked")
    with pytest.warns(database.CacheWarning):
        s = jpkr_data.connect()
    assert s.database != db  # built elsewhere: the entry beside its sidecar is never opened
    _answers_right(s)
    s.close()


def test_directory_in_place_of_the_entry_falls_back_to_memory_naming_it(cache_copy, fast_build):
    db = _entry(cache_copy)
    _directory_in_its_place(db)
    with pytest.warns(database.CacheWarning, match=db.name):
        assert database.ensure_database(load_package(ROOT / "datapackage.json")) is None


def test_warm_cache_is_not_rehashed_while_its_stamp_holds(cache_copy, monkeypatch):
    calls = []
    real = artifact.file_sha256
    monkeypatch.setattr(artifact, "file_sha256", lambda p: calls.append(p) or real(p))
    jpkr_data.connect().close()
    assert len(calls) == 1  # a copied file is another inode: the copied stamp does not hold, one full check
    jpkr_data.connect().close()
    assert len(calls) == 1  # the new stamp holds
    calls.clear()
    cache.stamp_path(_entry(cache_copy)).unlink()
    jpkr_data.connect().close()
    assert len(calls) == 1  # stamp missing: one full check, which writes a new stamp
    jpkr_data.connect().close()
    assert len(calls) == 1


def test_descriptor_is_parsed_once_per_connect(cache_copy, monkeypatch):
    import jpkr_data.schema as schema

    calls = []
    real = schema.load_package
    monkeypatch.setattr(schema, "load_package", lambda p: calls.append(p) or real(p))
    jpkr_data.connect().close()
    assert len(calls) == 1


def test_content_key_follows_the_data(package_copy):
    pkg = load_package(package_copy / "datapackage.json")
    before = database.content_key(pkg)
    assert before == database.content_key(load_package(ROOT / "datapackage.json"))
    p = package_copy / "data" / "events.csv"
    p.write_text(p.read_text(encoding="utf-8").replace(TITLE, TITLE + "!"), encoding="utf-8")
    assert database.content_key(pkg) != before
    (package_copy / "sql" / "99_extra.sql").write_text("-- x\nCREATE VIEW extra AS SELECT 1 AS x;\n", encoding="utf-8")
    assert len({before, database.content_key(pkg)}) == 2


def test_content_key_reads_no_file_outside_the_package(package_copy, tmp_path, monkeypatch):
    outside = tmp_path / "secret.csv"
    outside.write_text("secret", encoding="utf-8")
    pkg = load_package(package_copy / "datapackage.json")
    pkg.tables[0].path = "../secret.csv"
    opened = []
    real = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: opened.append(self.resolve()) or real(self))
    database.content_key(pkg)
    assert outside.resolve() not in opened


# -- where the cache may live -----------------------------------------------------------------------------

def _in_memory_and_read_only(s, errors=(ReadOnlyError,)) -> None:
    """Writes to the package are refused and change nothing; the user's own TEMP tables work."""
    from jpkr_data.access.session import package_fingerprint

    assert s.database is None
    _answers_right(s)
    before = package_fingerprint(s._Session__con)
    for sql in ("UPDATE events SET title = 'x'", "DELETE FROM events", "DROP VIEW timeline", "CREATE TABLE jpkr.main.t (x INT)",
                "CREATE OR REPLACE VIEW jpkr.main.timeline AS SELECT 1 AS x", "COMMENT ON TABLE events IS 'x'",
                "ALTER TABLE events RENAME TO e2", "INSERT INTO cameo_codes SELECT * FROM cameo_codes",
                "UPDATE statements SET text = upper(text)", "DELETE FROM quotations", "ALTER TABLE claims ADD COLUMN x INT",
                "CREATE MACRO jpkr.main.m(x) AS x", "CREATE SEQUENCE jpkr.main.sq"):
        with pytest.raises(errors):
            s.execute(sql)
        assert package_fingerprint(s._Session__con) == before, sql
    s.execute("CREATE TEMP TABLE mine AS SELECT 1 AS x; INSERT INTO mine VALUES (2)")
    assert s.execute("SELECT count(*) FROM mine").fetchone()[0] == 2
    _answers_right(s)


def test_group_or_world_writable_cache_folder_is_refused(tmp_path, monkeypatch):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    monkeypatch.setenv("JPKR_DATA_CACHE", str(shared))
    with pytest.warns(database.CacheWarning, match="writable by group or others"):
        s = jpkr_data.connect()
    _in_memory_and_read_only(s)
    assert list(shared.iterdir()) == []
    assert not [p for p in Path(__import__("tempfile").gettempdir()).glob("jpkr-data-*") if p.stat().st_uid == os.getuid()
                and (p / "jpkr.duckdb").exists()]  # the private build folder is gone


def test_nothing_writable_builds_in_memory_and_rolls_back_every_write(tmp_path, monkeypatch):
    """In memory the package cannot be attached READ_ONLY: a write is rolled back, refused with ReadOnlyError
    or by DuckDB itself first (a foreign key, a dependency), and the package's fingerprint never changes."""
    import tempfile

    f = tmp_path / "file"
    f.write_text("x")
    monkeypatch.setenv("JPKR_DATA_CACHE", str(f))
    monkeypatch.setattr(tempfile, "tempdir", str(f))  # no temporary folder either
    with pytest.warns(database.CacheWarning):
        s = jpkr_data.connect()
    _in_memory_and_read_only(s, errors=(ReadOnlyError, duckdb.ConstraintException, duckdb.DependencyException, duckdb.CatalogException))


def test_cache_folder_of_another_user_is_refused(tmp_path, monkeypatch):
    if os.getuid() != 0:
        pytest.skip("needs root to give a folder to another user")
    other = tmp_path / "other"
    other.mkdir(mode=0o700)
    os.chown(other, 65534, 65534)
    monkeypatch.setenv("JPKR_DATA_CACHE", str(other))
    with pytest.warns(database.CacheWarning, match="another user"):
        assert database.ensure_database(load_package(ROOT / "datapackage.json")) is None
    assert list(other.iterdir()) == []


def test_xdg_cache_home_pointing_at_a_file_builds_in_memory(tmp_path, monkeypatch):
    f = tmp_path / "file"
    f.write_text("x")
    monkeypatch.delenv("JPKR_DATA_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(f))
    with pytest.warns(database.CacheWarning, match=str(f)):
        assert database.ensure_database(load_package(ROOT / "datapackage.json")) is None


def test_cache_location_order(monkeypatch, tmp_path):
    monkeypatch.setenv("JPKR_DATA_CACHE", str(tmp_path / "a"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "b"))
    assert cache.cache_dir() == tmp_path / "a"
    monkeypatch.delenv("JPKR_DATA_CACHE")
    assert cache.cache_dir() == tmp_path / "b" / "jpkr-data"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache.cache_dir() == tmp_path / "home" / ".cache" / "jpkr-data"


@pytest.mark.parametrize("errno_name", ["ENOSPC", "EROFS", "EACCES", "EDQUOT", "EIO"])
def test_full_disk_or_read_only_file_system_builds_in_memory(cache_copy, monkeypatch, errno_name):
    import errno

    _entry(cache_copy).unlink()

    def fail(*a, **k):
        raise OSError(getattr(errno, errno_name), os.strerror(getattr(errno, errno_name)))

    monkeypatch.setattr(database, "build_database", fail)
    with pytest.warns(database.CacheWarning, match="in memory"):
        assert database.ensure_database(load_package(ROOT / "datapackage.json")) is None
    assert list(cache_copy.glob("*.tmp")) == []


def test_duckdb_io_error_while_building_builds_in_memory(cache_copy, monkeypatch):
    _entry(cache_copy).unlink()

    def fail(*a, **k):
        raise duckdb.IOException("IO Error: No space left on device")

    monkeypatch.setattr(database, "build_database", fail)
    with pytest.warns(database.CacheWarning):
        assert database.ensure_database(load_package(ROOT / "datapackage.json")) is None


def test_unreadable_cache_file_is_rebuilt(cache_copy):
    if os.getuid() == 0:
        pytest.skip("root reads any file")
    db = _entry(cache_copy)
    db.chmod(0)
    with pytest.warns(database.CacheWarning):
        s = jpkr_data.connect()
    _answers_right(s)


def test_invalid_package_raises_validation_error_and_writes_no_entry(package_copy, tmp_path, monkeypatch):
    from jpkr_data.validator.report import ValidationError

    folder = tmp_path / "c"
    monkeypatch.setenv("JPKR_DATA_CACHE", str(folder))
    p = package_copy / "data" / "events.csv"
    p.write_text(p.read_text(encoding="utf-8").replace("2019-07-04,2019-07-04", "2019-07-04,2019-07-40"), encoding="utf-8")
    with pytest.raises(ValidationError):
        jpkr_data.connect(package_copy)
    assert list(folder.glob("*.duckdb*")) == []


def test_missing_package_path_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such datapackage.json"):
        jpkr_data.connect(tmp_path / "nothing")


# -- build safety: fsync, leftovers, pruning ------------------------------------------------------------

def test_build_fsyncs_the_file_before_the_rename(cache_copy, monkeypatch):
    events = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(os, "fsync", lambda fd: events.append(("fsync", os.readlink(f"/proc/self/fd/{fd}"))) or real_fsync(fd))
    monkeypatch.setattr(os, "replace", lambda a, b: events.append(("replace", str(a))) or real_replace(a, b))
    _entry(cache_copy).unlink()
    jpkr_data.connect().close()
    replaced = next(i for i, e in enumerate(events) if e[0] == "replace" and e[1].endswith(".duckdb.tmp"))
    tmp = events[replaced][1]
    assert ("fsync", tmp) in events[:replaced]
    assert any(e == ("fsync", str(cache_copy)) for e in events[replaced:])  # the folder entry too


def test_leftovers_of_killed_builds_are_removed_by_the_next_build(cache_copy, fast_build):
    leftovers = [cache_copy / ".jpkr-abc.duckdb.x1y2.duckdb.tmp", cache_copy / ".jpkr-abc.duckdb.x1y2.duckdb.tmp.wal",
                 cache_copy / ".jpkr-abc.duckdb.manifest.json.123.tmp", cache_copy / "jpkr-abc.duckdb.wal"]
    for p in leftovers:
        p.write_bytes(b"half a build")
    keep = cache_copy / "notes.txt"
    keep.write_text("mine")
    _entry(cache_copy).unlink()
    jpkr_data.connect().close()
    assert [p for p in leftovers if p.exists()] == []
    assert keep.exists()


def test_leftovers_are_not_touched_while_another_build_holds_the_lock(cache_copy, fast_build):
    import fcntl
    import threading

    tmp = cache_copy / ".jpkr-x.duckdb.busy.duckdb.tmp"
    tmp.write_bytes(b"in progress")
    _entry(cache_copy).unlink()
    fd = os.open(cache_copy / cache.LOCK_NAME, os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)  # another builder holds the lock (flock: per open file, so also across threads)
    result = []
    t = threading.Thread(target=lambda: result.append(database.ensure_database(load_package(ROOT / "datapackage.json"))))
    t.start()
    try:
        t.join(timeout=2)
        assert t.is_alive() and tmp.exists() and fast_build == []  # waiting, nothing touched
    finally:
        os.close(fd)
    t.join(timeout=60)
    assert result and result[0] is not None and not tmp.exists() and len(fast_build) == 1


def _fake_entry(folder: Path, key: str, age_days: float, now: float) -> Path:
    db = folder / f"jpkr-{key}.duckdb"
    db.write_bytes(b"old")
    artifact.manifest_path(db).write_text("{}")
    t = now - age_days * 86400
    os.utime(db, (t, t))
    return db


def test_prune_removes_old_and_surplus_entries_but_not_recent_ones(tmp_path):
    now = 2_000_000_000.0
    current = _fake_entry(tmp_path, "current", 400, now)
    ancient = _fake_entry(tmp_path, "ancient", 45, now)
    recent = [_fake_entry(tmp_path, f"r{i}", i / 24 / 10, now) for i in range(cache.KEEP_ENTRIES + 3)]  # all used within the hour
    older = [_fake_entry(tmp_path, f"o{i}", 2 + i, now) for i in range(3)]
    removed = cache.prune(tmp_path, keep=current, now=now)
    assert ancient in removed and not ancient.exists() and not artifact.manifest_path(ancient).exists()
    assert current.exists() and all(p.exists() for p in recent)
    assert all(p in removed for p in older)  # beyond the KEEP_ENTRIES most recent, unused for over an hour


def test_prune_runs_after_a_build(cache_copy, fast_build):
    old = _fake_entry(cache_copy, "0123456789abcdef01234567", 60, __import__("time").time())
    _entry_files = [p for p in cache_copy.glob("jpkr-*.duckdb") if p != old]
    _entry_files[0].unlink()
    jpkr_data.connect().close()
    assert not old.exists()


# -- the database shipped in the wheel ------------------------------------------------------------------

@pytest.fixture()
def bundled(golden, tmp_path, monkeypatch) -> Path:
    """A `_package`-like folder holding a prebuilt database and its manifest, as the wheel ships it."""
    import jpkr_data.paths as paths

    here = tmp_path / "jpkr_data"
    (here / "_package").mkdir(parents=True)
    for name in ("datapackage.json",):
        shutil.copy2(ROOT / name, here / "_package" / name)
    shutil.copytree(ROOT / "data", here / "_package" / "data")
    shutil.copytree(ROOT / "sql", here / "_package" / "sql")
    db = here / "_package" / "jpkr.duckdb"
    shutil.copy2(_entry(golden), db)
    artifact.write_manifest(db, artifact.read_manifest(_entry(golden)).content_key, duckdb.__version__)
    monkeypatch.setattr(paths, "_HERE", here)
    monkeypatch.delenv("JPKR_DATA_ROOT", raising=False)
    monkeypatch.setenv("JPKR_DATA_CACHE", str(tmp_path / "cache"))
    return db


def test_bundled_database_is_used_when_it_matches_its_manifest(bundled, tmp_path):
    from jpkr_data.paths import bundled_database

    assert bundled_database() == bundled
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = jpkr_data.connect()
    assert s.database == bundled
    _answers_right(s)
    assert list((tmp_path / "cache").glob("*.duckdb")) == []  # nothing built


def test_tampered_bundled_database_is_not_trusted(bundled, tmp_path, fast_build):
    _edit_rows_with_duckdb(bundled)
    with pytest.warns(database.CacheWarning, match="does not match its manifest"):
        s = jpkr_data.connect()
    assert s.database != bundled
    _answers_right(s)


@pytest.mark.parametrize("sidecar", [".wal", ".tmp"])
def test_bundled_database_with_a_sidecar_is_not_trusted(bundled, fast_build, sidecar):
    bundled.with_name(bundled.name + sidecar).write_bytes(b"left beside the wheel's file")
    with pytest.warns(database.CacheWarning, match="does not match its manifest"):
        s = jpkr_data.connect()
    assert s.database != bundled
    _answers_right(s)


def test_bundled_database_ignored_when_jpkr_data_root_is_set(bundled, monkeypatch, package_copy):
    from jpkr_data.paths import bundled_database

    monkeypatch.setenv("JPKR_DATA_ROOT", str(package_copy))
    assert bundled_database() is None
