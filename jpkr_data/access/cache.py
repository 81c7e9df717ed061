"""The per-user cache of built databases: where it lives, when an entry is trusted, locking, cleaning, pruning.

Location: $JPKR_DATA_CACHE, else $XDG_CACHE_HOME/jpkr-data (when absolute, as the XDG spec says), else ~/.cache/jpkr-data;
it must be an absolute path; created 0700 and
refused when it is not a folder owned by this user or is writable by group or others (another user could
plant rows there). An entry `jpkr-<content key>.duckdb` is trusted only when its manifest (artifact.py)
names the key and its size and SHA-256 match. Hashing the file on every connect would cost more than
the query, so a full check writes a stamp (`.verified`) with the file's inode, size, mtime and ctime;
while those are unchanged (any write to the file changes ctime, which no user can set back) the
stamp stands for the hash. A `.wal` or `.tmp` beside an entry (artifact.sidecars) would change what
DuckDB answers from unchanged bytes, so it makes the entry untrusted, stamp or not, and it is removed
with the entry when that is rebuilt. Builds hold `.build.lock` (flock), so under it every temporary file is a
leftover of a killed build and is removed; old entries are pruned after a build.
"""
from __future__ import annotations

import contextlib
import fcntl
import json
import os
import stat
import time
from collections.abc import Iterator
from pathlib import Path

from .. import artifact
from .errors import CacheError

LOCK_NAME = ".build.lock"
STAMP_SUFFIX = ".verified"
KEEP_ENTRIES = 4            # entries kept beyond the current one, most recently used first ...
KEEP_RECENT_SECONDS = 3600  # ... and any entry used within the last hour (another process may be using it)
MAX_AGE_SECONDS = 30 * 86400
TOUCH_EVERY_SECONDS = 3600
LEFTOVER_PATTERNS = ("*.duckdb.tmp", "*.duckdb.tmp.wal", ".*.manifest.json.*.tmp", "*.duckdb.wal", ".*.verified.*.tmp")


def cache_dir() -> Path:
    """The configured cache folder (not yet checked or created)."""
    env = os.environ.get("JPKR_DATA_CACHE")
    if env:
        return Path(env)  # prepare_dir refuses it unless absolute
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    base = xdg if os.path.isabs(xdg) else os.path.join(os.path.expanduser("~"), ".cache")  # the XDG spec: a relative value is ignored
    return Path(base) / "jpkr-data"


def prepare_dir(folder: Path) -> Path:
    """Create the cache folder (0700) if needed and check it is absolute, ours and private; CacheError names it otherwise.

    A folder that is not writable (a read-only file system) still serves its verified entries (writable() tells)."""
    if not folder.is_absolute():
        raise CacheError(f"{folder}: the cache folder must be an absolute path (a relative one would depend on the current folder)")
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        st = folder.stat()
    except OSError as exc:
        raise CacheError(f"{folder}: cannot use as the cache folder: {exc.strerror or exc}") from None
    if not stat.S_ISDIR(st.st_mode):
        raise CacheError(f"{folder}: the cache folder is not a folder")
    if st.st_uid != os.getuid():
        raise CacheError(f"{folder}: the cache folder belongs to another user (uid {st.st_uid}); set JPKR_DATA_CACHE to a folder of your own")
    if st.st_mode & 0o022:
        raise CacheError(f"{folder}: the cache folder is writable by group or others (mode {stat.S_IMODE(st.st_mode):o}); "
                         "run chmod 700 on it or set JPKR_DATA_CACHE to a private folder")
    if not os.access(folder, os.X_OK):
        raise CacheError(f"{folder}: the cache folder cannot be entered")
    return folder


def writable(folder: Path) -> bool:
    """True when new entries can be built in `folder` (False on a read-only file system or folder)."""
    return os.access(folder, os.W_OK | os.X_OK)


def entry_path(folder: Path, key: str) -> Path:
    """The cache entry for one content key."""
    return folder / f"jpkr-{key}.duckdb"


def stamp_path(db: Path) -> Path:
    """The stamp recording that `db` was fully verified, and as which file."""
    return db.with_name(db.name + STAMP_SUFFIX)


def _identity(st: os.stat_result) -> list[int]:
    """What changes whenever a file's content is changed or replaced."""
    return [st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns]


def is_trusted(db: Path, key: str | None, stamp: Path | None = None) -> bool:
    """True when `db` matches its manifest (and key); a valid stamp stands in for re-hashing the file."""
    stamp = stamp or stamp_path(db)
    manifest = artifact.read_manifest(db)
    if manifest is None or (key is not None and manifest.content_key != key) or artifact.sidecars(db):
        return False
    try:
        st = db.stat()
        recorded = json.loads(stamp.read_text(encoding="utf-8"))
        if recorded == {"identity": _identity(st), "sha256": manifest.sha256}:
            return True
    except (OSError, ValueError):
        pass
    if not artifact.verify(db, key):
        return False
    write_stamp(db, stamp, manifest.sha256)
    return True


def write_stamp(db: Path, stamp: Path, sha256: str) -> None:
    """Record (best effort) that `db`, as it is now, was verified against `sha256`."""
    try:
        tmp = stamp.with_name(f".{stamp.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"identity": _identity(db.stat()), "sha256": sha256}), encoding="utf-8")
        os.replace(tmp, stamp)
    except OSError:
        pass


def mark_used(db: Path) -> None:
    """Note (at most hourly, best effort) that an entry was used, for pruning."""
    stamp = stamp_path(db)
    try:
        if time.time() - stamp.stat().st_mtime > TOUCH_EVERY_SECONDS:
            os.utime(stamp)
    except OSError:
        pass


def forget(db: Path) -> None:
    """Remove an entry's manifest, stamp and sidecars so it is no longer trusted (best effort; a sidecar
    folder is removed only when empty, and one that stays keeps every later build of the entry untrusted)."""
    for p in (artifact.manifest_path(db), stamp_path(db), *artifact.sidecars(db)):
        with contextlib.suppress(OSError):
            if p.is_dir() and not p.is_symlink():
                p.rmdir()
            else:
                p.unlink()


@contextlib.contextmanager
def build_lock(folder: Path) -> Iterator[None]:
    """Hold the folder's build lock (other builders wait; a killed holder releases it)."""
    fd = os.open(folder / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def remove_leftovers(folder: Path) -> list[Path]:
    """Delete temporary files of killed builds; call only while holding the build lock."""
    removed = []
    for pattern in LEFTOVER_PATTERNS:
        for p in folder.glob(pattern):
            with contextlib.suppress(OSError):
                p.unlink()
                removed.append(p)
    return removed


def _last_used(db: Path) -> float:
    """When an entry was last used (its stamp's mtime, else the file's)."""
    times = []
    for p in (db, stamp_path(db)):
        with contextlib.suppress(OSError):
            times.append(p.stat().st_mtime)
    return max(times, default=0.0)


def prune(folder: Path, keep: Path, now: float | None = None) -> list[Path]:
    """Delete entries unused for 30 days, and beyond the KEEP_ENTRIES most recent those unused for an hour."""
    now = time.time() if now is None else now
    others = sorted((p for p in folder.glob("jpkr-*.duckdb") if p != keep), key=_last_used, reverse=True)
    removed = []
    for rank, db in enumerate(others):
        age = now - _last_used(db)
        if age > MAX_AGE_SECONDS or (rank >= KEEP_ENTRIES and age > KEEP_RECENT_SECONDS):
            forget(db)
            with contextlib.suppress(OSError):
                db.unlink()
            removed.append(db)
    return removed
