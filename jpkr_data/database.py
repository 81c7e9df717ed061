"""Build the DuckDB database from the package (cached by content) and open it read-only."""
from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

import duckdb

from .schema import load_package, quote_ident, sql_literal
from .validator.paths import resolve_inside
from .validator.pipeline import run_pipeline
from .validator.report import ValidationError
from .views import discover_views

SCHEMA_VERSION = "1"  # bump when the build procedure changes


def content_key(descriptor: Path) -> str:
    """Hash of everything the database is built from: descriptor, tables, sources, views, code version."""
    h = hashlib.sha256(SCHEMA_VERSION.encode())
    h.update(duckdb.__version__.encode())
    h.update(descriptor.read_bytes())
    root = descriptor.parent
    try:
        pkg = load_package(descriptor)
        files = [root / t.path if resolve_inside(root, t.path) else root / "<outside>" for t in pkg.tables]
    except (ValueError, FileNotFoundError):
        files = []
    files += sorted((root / "data" / "sources").glob("*"))
    files += [v.path for v in discover_views(root)]
    for f in files:
        h.update(str(f.relative_to(root)).encode())
        h.update(f.read_bytes() if f.is_file() else b"<missing>")
    return h.hexdigest()[:24]


def cache_dir() -> Path:
    env = os.environ.get("JPKR_DATA_CACHE")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "jpkr-data"


def add_comments(con: duckdb.DuckDBPyConnection, descriptor: Path) -> None:
    """COMMENT ON every table, column and view, from the schemas and the views' header comments."""
    pkg = load_package(descriptor)
    for t in pkg.tables:
        con.execute(f"COMMENT ON TABLE {quote_ident(t.name)} IS {sql_literal(t.description)}")
        for f in t.fields:
            con.execute(f"COMMENT ON COLUMN {quote_ident(t.name)}.{quote_ident(f.name)} IS {sql_literal(f.description)}")
    for v in discover_views(pkg.root):
        con.execute(f"COMMENT ON VIEW {quote_ident(v.name)} IS {sql_literal(v.description)}")


def build_database(descriptor: Path, target: Path, storage_version: str | None = None) -> Path:
    """Validate and write the whole package to a DuckDB file atomically; raise ValidationError if invalid."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(suffix=".duckdb.tmp", dir=target.parent)
    os.close(fd)
    os.unlink(tmp_name)
    tmp = Path(tmp_name)
    try:
        options = f"(STORAGE_VERSION '{storage_version}')" if storage_version else ""
        con = duckdb.connect(":memory:")
        try:
            con.execute(f"ATTACH {sql_literal(str(tmp))} AS build {options}")
            con.execute("USE build")
            report, _ = run_pipeline(con, descriptor)
            if not report.valid:
                raise ValidationError(report)
            add_comments(con, descriptor)
            con.execute("USE memory")
            con.execute("DETACH build")
        finally:
            con.close()
        os.replace(tmp, target)
    finally:
        for leftover in (tmp, Path(str(tmp) + ".wal")):
            if leftover.exists():
                leftover.unlink()
    return target


def ensure_database(descriptor: Path) -> Path:
    """The cached database for this package's content, built if missing."""
    target = cache_dir() / f"jpkr-{content_key(descriptor)}.duckdb"
    if not target.exists():
        try:
            build_database(descriptor, target)
        except PermissionError:
            target = Path(tempfile.gettempdir()) / "jpkr-data" / target.name
            if not target.exists():
                build_database(descriptor, target)
    return target


def open_readonly(db_file: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory session with the package attached read-only as `jpkr`.

    Unqualified names resolve to the user's own session first, then to the package, so
    users can create their own tables and views while the package cannot be changed.
    """
    con = duckdb.connect(":memory:")
    con.execute(f"ATTACH {sql_literal(str(db_file))} AS jpkr (READ_ONLY)")
    con.execute("SET search_path = 'memory.main,jpkr.main'")
    return con
