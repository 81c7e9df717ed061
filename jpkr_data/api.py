"""The accessor: connect, query, table, names. pandas is imported only when a DataFrame is asked for."""
from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, Any

import duckdb

from .artifact import verify
from .database import ensure_database, open_readonly
from .paths import bundled_database, resolve_descriptor

if TYPE_CHECKING:
    import pandas as pd

_default: duckdb.DuckDBPyConnection | None = None


class ReadOnlyError(PermissionError):
    """Raised when SQL tries to change the package's tables or views."""


class UnknownNameError(KeyError):
    """Raised for a table or view name the package does not have."""

    def __str__(self) -> str:
        return str(self.args[0])


def connect(path: str | os.PathLike[str] | None = None) -> duckdb.DuckDBPyConnection:
    """A new DuckDB connection holding every table and view, read-only.

    `path` is a datapackage.json or its folder (default: the bundled package). The package
    is validated and built once per content into a cache (JPKR_DATA_CACHE, else
    ~/.cache/jpkr-data); an invalid package raises ValidationError with the report.
    """
    descriptor = resolve_descriptor(path)
    bundled = bundled_database()
    if bundled is not None and bundled.parent == descriptor.parent and verify(bundled):
        return open_readonly(bundled)  # an installed wheel: validated at build time, nothing to build
    return open_readonly(ensure_database(descriptor))


def _connection() -> duckdb.DuckDBPyConnection:
    global _default
    if _default is None:
        _default = connect()
    return _default


def names(con: duckdb.DuckDBPyConnection | None = None) -> dict[str, str]:
    """Every table and view of the package: name -> 'table' or 'view'."""
    con = con or _connection()
    rows = con.execute(
        "SELECT table_name, 'table' FROM duckdb_tables() WHERE database_name = 'jpkr' "
        "UNION ALL SELECT view_name, 'view' FROM duckdb_views() WHERE database_name = 'jpkr' AND NOT internal "
        "ORDER BY 1").fetchall()
    return dict(rows)


def _run(con: duckdb.DuckDBPyConnection, sql: str, params: Any = None) -> duckdb.DuckDBPyConnection:
    try:
        return con.execute(sql, params) if params is not None else con.execute(sql)
    except duckdb.Error as exc:
        if re.search(r"read-only mode", str(exc)):
            raise ReadOnlyError(
                "jpkr-data's tables and views are read-only: write to tables of your own "
                f"(CREATE TEMP TABLE mine AS SELECT ...) instead. DuckDB said: {str(exc).splitlines()[0]}"
            ) from None
        raise


def query(sql: str, params: Any = None, con: duckdb.DuckDBPyConnection | None = None) -> pd.DataFrame:
    """Run SQL against the package and return a pandas DataFrame (DATE as datetime64, lists as lists)."""
    return _run(con or _connection(), sql, params).df()


def table(name: str, con: duckdb.DuckDBPyConnection | None = None) -> pd.DataFrame:
    """A table or view as a DataFrame; an unknown name raises UnknownNameError listing the valid ones."""
    con = con or _connection()
    known = names(con)
    if name not in known:
        raise UnknownNameError(f"unknown table or view {name!r}; valid names: {', '.join(known)}")
    return _run(con, f'SELECT * FROM jpkr.main."{name}"').df()
