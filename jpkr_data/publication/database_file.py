"""The release's DuckDB file: built in memory from the validated package, written small and readable by DuckDB 1.1+.

The file carries every table with its primary key, UNIQUE, NOT NULL and CHECK constraints, every
view, and a comment on every table, view and column (view columns from the view files' headers).
Foreign keys stay in datapackage.json and are checked by the validator: DuckDB stores each as an
index block, which would more than double the file for no reader's benefit.
DuckDB 1.0 cannot open it: it reads only 256 KiB blocks, and 20 such blocks (17 tables) are over 5 MB;
it also fails on any primary-key index written by DuckDB 2.0. DuckDB 2.0 reports the 'v1.1.0' format
as 'v1.0.0+' (the serialization is the same); the 16 KiB blocks are what needs 1.1.
"""
from __future__ import annotations

import dataclasses
import os
import shutil
import tempfile
from pathlib import Path

import duckdb

from ..artifact import read_manifest, verify, write_manifest
from ..database import add_comments
from ..schema import Package, quote_ident, sql_literal
from ..validator.pipeline import run_pipeline
from ..validator.report import ValidationError
from ..views import View, discover_views

STORAGE_VERSION = "v1.1.0"
BLOCK_SIZE = 16384  # bytes; DuckDB's default 256 KiB block per table, index and view made the file 18.6 MB
MIN_DUCKDB = "1.1"


class ViewHeaderError(ValueError):
    """A view's header does not describe exactly the columns the view returns."""


def view_column_problems(con: duckdb.DuckDBPyConnection, view: View) -> list[str]:
    """Columns the view returns but its header does not describe, and described columns it does not return."""
    returned = [row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {quote_ident(view.name)}").fetchall()]
    described = view.columns
    problems = [f"sql/{view.path.name}: {p}" for p in view.header_problems()]
    problems += [f"sql/{view.path.name}: column {c!r} is not described in the header's '-- Columns:' block" for c in returned if c not in described]
    problems += [f"sql/{view.path.name}: the header describes {c!r}, which the view does not return" for c in described if c not in returned]
    return problems


def write_database(con: duckdb.DuckDBPyConnection, pkg: Package, target: Path, tmp: Path) -> Path:
    """Copy the validated in-memory build into the catalog `release` (the file `tmp`, attached before validation
    turned external access off), then move `tmp` to `target`: small blocks, no FK constraints."""
    views = discover_views(pkg.root)
    problems = [p for v in views for p in view_column_problems(con, v)]
    if problems:
        raise ViewHeaderError("view headers do not match the views:\n  " + "\n  ".join(problems))
    con.execute("USE release")
    try:
        for t in pkg.load_order():
            con.execute(dataclasses.replace(t, foreign_keys=[]).create_sql())
            cols = ", ".join(quote_ident(n) for n in t.field_names)
            order = ", ".join(quote_ident(n) for n in t.primary_key) or cols
            con.execute(f"INSERT INTO release.main.{quote_ident(t.name)} SELECT {cols} FROM memory.main.{quote_ident(t.name)} ORDER BY {order}")
        for v in views:
            con.execute(v.sql)
        add_comments(con, pkg, views)
    finally:
        con.execute("USE memory")
        con.execute("DETACH release")
    os.replace(tmp, target)
    return target


def release_database(descriptor: Path, target: Path, content_key: str) -> Path:
    """Validate the package and write its release database and manifest to `target`; raise ValidationError if invalid.

    The file is attached before validation starts, because validation turns DuckDB's external access off
    (for the package's views) and nothing can be attached after that."""
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    os.unlink(name)
    tmp = Path(name)
    con = duckdb.connect(":memory:")
    try:
        con.execute(f"ATTACH {sql_literal(str(tmp))} AS release (STORAGE_VERSION {sql_literal(STORAGE_VERSION)}, BLOCK_SIZE {BLOCK_SIZE})")
        con.execute("USE memory")
        report, pkg = run_pipeline(con, descriptor)
        if not report.valid or pkg is None:
            raise ValidationError(report)
        write_database(con, pkg, target, tmp)
    finally:
        con.close()
        for leftover in (tmp, Path(str(tmp) + ".wal")):
            if leftover.exists():
                leftover.unlink()
    write_manifest(target, content_key, duckdb.__version__)
    return target


class ArtifactError(ValueError):
    """The bundled database is missing, changed, or does not match its manifest."""


def copy_verified(artifact: Path, target: Path) -> Path:
    """Copy a bundled database and its manifest after checking the file against the manifest."""
    manifest = read_manifest(artifact)
    if manifest is None or not verify(artifact):
        raise ArtifactError(f"{artifact}: the bundled database does not match its manifest (changed or damaged); reinstall jpkr-data")
    shutil.copyfile(artifact, target)
    write_manifest(target, manifest.content_key, manifest.duckdb)
    return target
