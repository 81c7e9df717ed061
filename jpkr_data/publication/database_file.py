"""The release's DuckDB file: written by the one database writer (database.build_database), small and readable by DuckDB 1.1+.

The file carries every table with its primary key, UNIQUE, NOT NULL and CHECK constraints, every
view, and a comment on every table, view and column (view columns from the view files' headers).
Foreign keys stay in datapackage.json and are checked by the validator: DuckDB stores each as an
index block, which would more than double the file for no reader's benefit.
DuckDB 1.0 cannot open it: it reads only 256 KiB blocks, and 20 such blocks (17 tables) are over 5 MB;
it also fails on any primary-key index written by DuckDB 2.0. DuckDB 2.0 reports the 'v1.1.0' format
as 'v1.0.0+' (the serialization is the same); the 16 KiB blocks are what needs 1.1.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from ..artifact import read_manifest, verify, write_manifest
from ..database import BLOCK_SIZE, STORAGE_VERSION, build_database
from ..schema import Package, load_package, quote_ident
from ..views import View

__all__ = ["BLOCK_SIZE", "STORAGE_VERSION", "MIN_DUCKDB", "ViewHeaderError", "release_database", "copy_verified", "ArtifactError"]
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


def check_view_headers(con: duckdb.DuckDBPyConnection, views: list[View]) -> None:
    """Every view's header describes exactly the columns it returns (ViewHeaderError listing each mismatch)."""
    problems = [p for v in views for p in view_column_problems(con, v)]
    if problems:
        raise ViewHeaderError("view headers do not match the views:\n  " + "\n  ".join(problems))


def release_database(package: Path | Package, target: Path, content_key: str) -> Path:
    """Validate the package once and write its release database and manifest to `target`, through the one
    database writer (database.build_database); raise ValidationError if invalid, ViewHeaderError if a view's
    header does not describe its columns."""
    pkg = package if isinstance(package, Package) else load_package(package)
    build_database(pkg.path, target, pkg=pkg, before_write=check_view_headers)
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
