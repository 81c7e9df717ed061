"""Attack class 4: the cache is what was verified.

A file beside a verified cache entry (a WAL left by a process that died, a crafted WAL, a temporary file)
must not change what connect() answers, and validate and connect() never disagree about the data.
Only the public API is used: connect(), validate and the cache folder named by JPKR_DATA_CACHE."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, read_rows

import jpkr_data
from jpkr_data.validator import validate

EVENT = "ev_colonial_rule"
TITLE = next(r["title"] for r in read_rows("events") if r["event_id"] == EVENT)


@pytest.fixture()
def entry(tmp_path, monkeypatch) -> Path:
    """A fresh private cache holding one verified entry for the package; returns the entry's file."""
    monkeypatch.setenv("JPKR_DATA_CACHE", str(tmp_path / "cache"))
    with jpkr_data.connect(ROOT) as s:
        db = s.database
    assert db is not None and db.is_file()
    return db


def _title() -> str:
    with jpkr_data.connect(ROOT) as s:
        return s.execute("SELECT title FROM events WHERE event_id = ?", [EVENT]).fetchone()[0]


def _write_and_die(db: Path, sql: str) -> None:
    """Open `db` read-write in another process, change it, and die before any checkpoint (kill -9): a WAL stays behind."""
    code = ("import duckdb, os, signal, sys; c = duckdb.connect(sys.argv[1]); c.execute('SET checkpoint_threshold = \\'1GB\\''); "
            "c.execute(sys.argv[2]); os.kill(os.getpid(), signal.SIGKILL)")
    subprocess.run([sys.executable, "-c", code, str(db), sql], timeout=120)


def test_report_repro_wal_left_by_a_killed_writer_changes_nothing(entry):
    _write_and_die(entry, f"UPDATE events SET title = 'TAMPERED' WHERE event_id = '{EVENT}'")
    assert entry.with_name(entry.name + ".wal").exists()
    assert _title() == TITLE
    assert validate(ROOT).valid


def test_wal_deleting_rows_changes_nothing(entry):
    _write_and_die(entry, "DELETE FROM event_mentions")
    with jpkr_data.connect(ROOT) as s:
        assert s.execute("SELECT count(*) FROM event_mentions").fetchone()[0] == len(read_rows("event_mentions"))


def test_wal_replacing_a_view_changes_nothing(entry):
    _write_and_die(entry, "CREATE OR REPLACE VIEW timeline AS SELECT 'x' AS event_id")
    with jpkr_data.connect(ROOT) as s:
        assert s.execute("SELECT count(*) FROM timeline").fetchone()[0] == len(read_rows("events"))


def _crafted_wal(entry: Path, tmp_path: Path, title: str) -> Path:
    """A WAL written against a copy of the entry (setting `title`), ready to plant beside the real entry."""
    copy = tmp_path / "copy.duckdb"
    shutil.copy2(entry, copy)
    _write_and_die(copy, f"UPDATE events SET title = '{title}' WHERE event_id = '{EVENT}'")
    return copy.with_name(copy.name + ".wal")


def test_wal_crafted_on_a_copy_and_planted_beside_the_entry(entry, tmp_path):
    shutil.copy2(_crafted_wal(entry, tmp_path, "PLANTED"), entry.with_name(entry.name + ".wal"))
    assert _title() == TITLE


def test_wal_that_is_a_symlink_to_a_crafted_wal(entry, tmp_path):
    os.symlink(_crafted_wal(entry, tmp_path, "LINKED"), entry.with_name(entry.name + ".wal"))
    assert _title() == TITLE


def test_garbage_temporary_files_beside_the_entry_change_nothing(entry):
    for name in (entry.name + ".tmp", "." + entry.name + ".tmp", entry.name + ".wal.tmp", entry.name + ".verified.tmp"):
        entry.with_name(name).write_bytes(b"\0garbage" * 100)
    assert _title() == TITLE


def test_validate_and_connect_agree_after_tampering(entry):
    _write_and_die(entry, f"UPDATE events SET title = 'TAMPERED' WHERE event_id = '{EVENT}'")
    assert validate(ROOT).valid and _title() == TITLE


# M3: the cache is an absolute folder of this user's, or none (a note, then a build in memory); a read-only cache
# still serves the entries it verified.
@pytest.mark.parametrize("xdg", ["relcache", "./cache", "../up/cache", "~/cache", ""])
def test_relative_xdg_cache_home_is_ignored(xdg, tmp_path, monkeypatch):
    from jpkr_data.access import cache

    monkeypatch.delenv("JPKR_DATA_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", xdg)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache.cache_dir() == tmp_path / "home" / ".cache" / "jpkr-data"


def test_absolute_xdg_cache_home_is_used(tmp_path, monkeypatch):
    from jpkr_data.access import cache

    monkeypatch.delenv("JPKR_DATA_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.cache_dir() == tmp_path / "xdg" / "jpkr-data"


@pytest.mark.parametrize("home", ["relhome", ""])
def test_relative_home_gives_no_cache_not_a_folder_here(home, tmp_path, monkeypatch):
    from jpkr_data.access import cache
    from jpkr_data.access.errors import CacheError

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("JPKR_DATA_CACHE", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", home)
    folder = cache.cache_dir()
    if not folder.is_absolute():
        with pytest.raises(CacheError, match="absolute"):
            cache.prepare_dir(folder)
    assert list(tmp_path.iterdir()) == []


def test_relative_jpkr_data_cache_is_a_note_and_an_in_memory_session(tmp_path, monkeypatch):
    from jpkr_data.database import CacheWarning

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("JPKR_DATA_CACHE", "relcache")
    with pytest.warns(CacheWarning, match="absolute"), jpkr_data.connect(ROOT) as s:
        assert s.execute("SELECT title FROM events WHERE event_id = ?", [EVENT]).fetchone()[0] == TITLE
        assert s.database is None or not str(s.database).startswith(str(tmp_path))
    assert not (tmp_path / "relcache").exists()


def test_read_only_cache_serves_its_verified_entry(entry, monkeypatch):
    import warnings

    from jpkr_data.access import cache

    folder = entry.parent
    monkeypatch.setattr(cache, "writable", lambda f: False)  # as on a read-only file system (root ignores mode bits)
    folder.chmod(0o500)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with jpkr_data.connect(ROOT) as s:
                assert s.database == entry
                assert s.execute("SELECT title FROM events WHERE event_id = ?", [EVENT]).fetchone()[0] == TITLE
    finally:
        folder.chmod(0o700)


def test_read_only_cache_without_an_entry_builds_in_memory_with_a_note(tmp_path, monkeypatch):
    from jpkr_data.access import cache
    from jpkr_data.database import CacheWarning

    folder = tmp_path / "ro"
    folder.mkdir(mode=0o700)
    monkeypatch.setenv("JPKR_DATA_CACHE", str(folder))
    monkeypatch.setattr(cache, "writable", lambda f: False)
    with pytest.warns(CacheWarning, match="not writable"), jpkr_data.connect(ROOT) as s:
        assert s.execute("SELECT title FROM events WHERE event_id = ?", [EVENT]).fetchone()[0] == TITLE
    assert list(folder.iterdir()) == []
