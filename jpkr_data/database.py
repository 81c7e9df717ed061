"""Build the DuckDB database from the package, into a verified per-user cache (or in memory), and open it.

The descriptor is parsed once per connect() and per build: the Package is passed to the content key, the
validator, the writer and the comments. build_database is the one writer of database files (cache entry,
private copy, release file, the wheel's copy); build_into, which it calls, also fills the in-memory fallback. The validator is imported only when a build is needed, so a warm connect stays light.
"""
from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import os
import stat
import warnings
from collections.abc import Callable
from pathlib import Path

import duckdb

from . import artifact
from .access import cache
from .access.errors import CacheError
from .schema import Package, load_package, quote_ident, sql_literal
from .validator.paths import resolve_inside

SCHEMA_VERSION = "3"  # bump when the build procedure changes


class CacheWarning(UserWarning):
    """The cache could not be used as configured; jpkr-data carried on (in memory, or after a rebuild)."""


def content_key(pkg: Package) -> str:
    """Hash of everything the database is built from: descriptor, tables, sources, view files, versions."""
    root = pkg.root
    h = hashlib.sha256(SCHEMA_VERSION.encode())
    h.update(duckdb.__version__.encode())
    h.update(pkg.path.read_bytes())
    files: list[tuple[str, Path | None]] = [(str(t.path), resolve_inside(root, str(t.path))) for t in pkg.tables]
    for folder, pattern in (("data/sources", "*"), ("sql", "*.sql")):
        d = root / folder
        files += [(f"{folder}/{p.name}", p) for p in sorted(d.glob(pattern))] if d.is_dir() else []
    for rel, f in files:
        h.update(b"\0" + rel.encode("utf-8", "surrogateescape") + b"\0")
        _hash_file(h, f)
    return h.hexdigest()[:24]


def _hash_file(h, f: Path | None) -> None:
    """Add one package file to the content key, read in blocks; a file over the validator's caps is not read (validation
    refuses it or never reads it) and counts by its size and times, which any write changes."""
    from .sources import MAX_SOURCE_BYTES

    try:
        st = f.stat() if f is not None else None
        if st is None or not stat.S_ISREG(st.st_mode):
            h.update(b"<missing>")
        elif st.st_size > MAX_SOURCE_BYTES:
            h.update(f"<over the cap: {st.st_size} bytes, {st.st_mtime_ns}, {st.st_ctime_ns}>".encode())
        else:
            with f.open("rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    h.update(block)
    except OSError:
        h.update(b"<unreadable>")


def add_comments(con: duckdb.DuckDBPyConnection, pkg: Package, views: list | None = None) -> None:
    """COMMENT ON every table, column, view and view column (the current catalog), from the schemas and the views' headers."""
    from .views import discover_views

    for t in pkg.tables:
        con.execute(f"COMMENT ON TABLE {quote_ident(t.name)} IS {sql_literal(t.description)}")
        for f in t.fields:
            con.execute(f"COMMENT ON COLUMN {quote_ident(t.name)}.{quote_ident(f.name)} IS {sql_literal(f.description)}")
    for v in discover_views(pkg.root) if views is None else views:
        con.execute(f"COMMENT ON VIEW {quote_ident(v.name)} IS {sql_literal(v.description)}")
        for column, text in v.columns.items():
            con.execute(f"COMMENT ON COLUMN {quote_ident(v.name)}.{quote_ident(column)} IS {sql_literal(text)}")


STORAGE_VERSION = "v1.1.0"  # readable by DuckDB 1.1 and later (the release's promise; the cache uses the same format)
BLOCK_SIZE = 16384  # bytes; DuckDB's default 256 KiB block per table, index and view made the file 18.6 MB


def write_tables(con: duckdb.DuckDBPyConnection, pkg: Package, views: list) -> None:
    """Copy the validated package (the validator's typed tables) into the connection's current catalog: every table
    with its primary key, UNIQUE, NOT NULL and CHECK constraints, rows in primary-key order, every view, every comment.

    Foreign keys stay in datapackage.json and are checked by the validator: DuckDB stores each as an index
    block, which would more than double the file for no reader's benefit. The validator's TEMP aliases of
    the tables and views are dropped first, so that the views bind to the copied tables."""
    from .validator.schema_checks import typed_name

    for name in [*pkg.names, *(v.name for v in views)]:
        con.execute(f"DROP VIEW IF EXISTS temp.main.{quote_ident(name)}")
    for t in pkg.load_order():
        con.execute(dataclasses.replace(t, foreign_keys=[]).create_sql())
        order = ", ".join(quote_ident(n) for n in t.primary_key) or "_row"
        con.execute(f"INSERT INTO {quote_ident(t.name)} SELECT {t.load_columns()} FROM {typed_name(t)} ORDER BY {order}")
    for v in views:
        con.execute(v.sql)
    add_comments(con, pkg, views)


def build_into(con: duckdb.DuckDBPyConnection, pkg: Package, before_write: Callable | None = None) -> None:
    """Validate the package once and write it into the connection's current catalog (ValidationError if invalid).

    `before_write(con, views)` runs after validation, before anything is written (the release checks the
    views' headers there)."""
    from .validator.pipeline import run_pipeline
    from .validator.report import ValidationError
    from .validator.staging import detach_stage
    from .views import discover_views

    catalog = con.execute("SELECT current_database()").fetchone()[0]
    try:
        report, _ = run_pipeline(con, pkg, build=False)
        if not report.valid:
            raise ValidationError(report)
        views = discover_views(pkg.root)
        if before_write is not None:
            before_write(con, views)
        con.execute(f"USE {quote_ident(catalog)}")
        write_tables(con, pkg, views)
    finally:
        detach_stage(con)  # the typed tables, copied now, are not left in an in-memory session


def _fsync(path: Path, directory: bool = False) -> None:
    """Flush a file (or a folder's entries) to disk."""
    fd = os.open(path, os.O_RDONLY | (os.O_DIRECTORY if directory else 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def build_database(descriptor: Path, target: Path, storage_version: str | None = None, pkg: Package | None = None,
                   before_write: Callable | None = None) -> Path:
    """The one database writer (cache entry, private copy, release file): validate once and write the package to a
    DuckDB file atomically (temp file beside `target`, fsync, rename, fsync of the folder); ValidationError if invalid.

    The file is attached before validation starts, because validation turns DuckDB's external access off
    (for the package's views) and nothing can be attached after that. It is written small (16 KiB blocks,
    no foreign-key indexes) and readable by DuckDB 1.1 and later."""
    import tempfile

    pkg = pkg or load_package(descriptor)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".duckdb.tmp", dir=target.parent)
    os.close(fd)
    os.unlink(tmp_name)
    tmp = Path(tmp_name)
    try:
        options = f"STORAGE_VERSION {sql_literal(storage_version or STORAGE_VERSION)}, BLOCK_SIZE {BLOCK_SIZE}"
        con = duckdb.connect(":memory:")
        try:
            con.execute(f"ATTACH {sql_literal(str(tmp))} AS build ({options})")
            con.execute("USE build")
            build_into(con, pkg, before_write)
            con.execute("USE memory")
            con.execute("DETACH build")
        finally:
            con.close()
        _fsync(tmp)
        os.replace(tmp, target)
        _fsync(target.parent, directory=True)
    finally:
        for leftover in (tmp, *artifact.sidecars(tmp)):
            with contextlib.suppress(OSError):
                leftover.unlink()
    return target


def _warn(message: str) -> None:
    """Tell the user the cache was not used as configured."""
    warnings.warn(message, CacheWarning, stacklevel=4)


def ensure_database(pkg: Package) -> Path | None:
    """The verified cache entry for this package's content, built (under the folder's lock) if missing or damaged.

    None when no cache can be used (unsafe or unwritable folder, read-only file system, full disk):
    the caller then builds in memory. An invalid package raises ValidationError.
    """
    key = content_key(pkg)
    try:
        folder = cache.prepare_dir(cache.cache_dir())
    except CacheError as exc:
        _warn(f"jpkr-data: {exc}; building the database in memory instead")
        return None
    db = cache.entry_path(folder, key)
    if cache.is_trusted(db, key):
        cache.mark_used(db)
        return db
    if not cache.writable(folder):  # a read-only cache still served the verified entry above
        _warn(f"jpkr-data: {folder}: the cache folder is not writable; building the database in memory instead")
        return None
    try:
        with cache.build_lock(folder):
            if cache.is_trusted(db, key):  # another process built it while we waited
                return db
            cache.remove_leftovers(folder)
            if db.exists() or os.path.lexists(db):
                _warn(f"jpkr-data: {db} does not match its manifest (damaged, changed or unfinished); rebuilding it")
            cache.forget(db)
            build_database(pkg.path, db, pkg=pkg)
            manifest = artifact.write_manifest(db, key, duckdb.__version__)
            cache.write_stamp(db, cache.stamp_path(db), manifest.sha256)
            cache.prune(folder, keep=db)
            if artifact.sidecars(db):  # a sidecar that could not be removed keeps the entry untrusted
                raise OSError(f"cannot remove {', '.join(p.name for p in artifact.sidecars(db))} beside it")
    except (OSError, duckdb.Error) as exc:  # ValidationError (an invalid package) passes through
        _warn(f"jpkr-data: cannot write the cache entry {db} ({str(exc).splitlines()[0] if str(exc) else type(exc).__name__}); "
              "building the database in memory instead")
        return None
    return db
