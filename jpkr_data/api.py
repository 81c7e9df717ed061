"""The accessor: connect, query, table, names. pandas is imported only when a DataFrame is asked for.

connect() returns a guarded Session (access/session.py), never the raw DuckDB connection. query()
and table() without `con` use one default package session per process and a cursor of it per thread,
so threads never share a result and one call's TEMP objects stay in its thread's session.
"""
from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING, Any

from .access.errors import CacheError, QueryError, ReadOnlyError, UnknownNameError
from .access.session import Session

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["connect", "query", "table", "names", "Session", "ReadOnlyError", "UnknownNameError", "QueryError", "CacheError"]

_default: Session | None = None
_default_lock = threading.Lock()
_local = threading.local()


def _open_bundled() -> Session | None:
    """The prebuilt database shipped in the wheel, when present and matching its manifest."""
    from . import artifact
    from .access import session
    from .database import CacheWarning
    from .paths import bundled_database

    db = bundled_database()
    if db is None:
        return None
    trusted = artifact.verify(db)  # a full SHA-256 of a ~1.4 MB file (a few ms); nothing is written, not even a stamp
    if trusted:
        try:
            return session.open_file(db)
        except Exception as exc:  # noqa: BLE001 - any failure to open: fall back to building
            import warnings

            warnings.warn(f"jpkr-data: cannot open the bundled database {db} ({exc}); building it instead", CacheWarning, stacklevel=3)
            return None
    import warnings

    warnings.warn(f"jpkr-data: the bundled database {db} does not match its manifest; building it instead", CacheWarning, stacklevel=3)
    return None


def connect(path: str | os.PathLike[str] | None = None) -> Session:
    """A new read-only Session holding every table and view of the package (attached as `jpkr`).

    `path` is a datapackage.json or its folder (default: the bundled package, whose prebuilt
    database is used when the wheel ships one). The package is validated and built once per
    content into a verified per-user cache (JPKR_DATA_CACHE, else XDG_CACHE_HOME/jpkr-data,
    else ~/.cache/jpkr-data); when no cache is usable, into a private temporary file removed once
    attached, or in memory when nothing is writable (Session.database is then None). An invalid package raises
    ValidationError with the report; a missing one FileNotFoundError naming the path.
    """
    from .access import cache, guard, session
    from .database import ensure_database
    from .paths import resolve_descriptor
    from .schema import load_package

    guard.prefetch_duckdb_objects()  # the session's first statement needs them: listed beside the work below
    if path is None:
        bundled = _open_bundled()
        if bundled is not None:
            return bundled
    descriptor = resolve_descriptor(path)
    if not descriptor.is_file():
        raise FileNotFoundError(f"{descriptor}: no such datapackage.json")
    pkg = load_package(descriptor)
    db = ensure_database(pkg)
    for attempt in range(2):
        if db is None:
            return _open_private(pkg)
        try:
            return session.open_file(db)
        except Exception as exc:  # noqa: BLE001 - a verified file DuckDB cannot open: rebuild once, then name it
            if attempt:
                raise CacheError(f"{db}: DuckDB cannot open this cache file ({str(exc).splitlines()[0]}); delete it and retry") from None
            cache.forget(db)
            db = ensure_database(pkg)
    raise AssertionError("unreachable")


def _open_private(pkg) -> Session:
    """No usable cache: build into a private temporary folder (0700, removed once attached READ_ONLY), or,
    when nothing is writable, in memory (then every write is rolled back by a fingerprint check)."""
    import shutil
    import tempfile
    from pathlib import Path

    import duckdb

    from .access import session
    from .database import build_database, build_into

    try:
        folder = tempfile.mkdtemp(prefix="jpkr-data-")
    except OSError:
        return session.open_in_memory(lambda con: build_into(con, pkg))
    try:
        db = build_database(pkg.path, Path(folder) / "jpkr.duckdb", pkg=pkg)
        s = session.open_file(db)
        s.database = None  # not kept on disk: the folder goes now, the open file stays readable
        return s
    except (OSError, duckdb.Error):
        return session.open_in_memory(lambda con: build_into(con, pkg))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def default_session() -> Session:
    """This thread's session on the default package (one shared database per process, a cursor per thread)."""
    global _default
    cur = getattr(_local, "session", None)
    if cur is not None and getattr(_local, "base", None) is _default and _default is not None:
        return cur
    with _default_lock:
        if _default is None:
            _default = connect()
        base = _default
        cur = base.cursor()
    _local.session, _local.base = cur, base
    return cur


def _session(con: Session | None) -> Session:
    """The given Session, or this thread's default one; anything else is a TypeError."""
    if con is None:
        return default_session()
    if not isinstance(con, Session):
        raise TypeError(f"con must be a jpkr_data Session from jpkr_data.connect(), not {type(con).__name__}")
    return con


def names(con: Session | None = None) -> dict[str, str]:
    """Every table and view of the package: name -> 'table' or 'view'."""
    return _session(con).names()


def query(sql: str, params: Any = None, con: Session | None = None) -> pd.DataFrame:
    """Run SQL (every statement; the last one's result) and return a pandas DataFrame.

    Columns come back as DuckDB's pandas conversion gives them (DATE and TIMESTAMP as datetime64,
    VARCHAR as pandas strings, integers with NULLs as nullable integers), except that LIST and
    ARRAY values are Python lists (recursively, also inside STRUCT/MAP dicts) rather than numpy
    arrays, so `json.dumps` and `to_csv` work on them. Statements that change the package, the
    cache, files or settings raise ReadOnlyError before anything runs.
    """
    s = _session(con)
    with s._lock:
        return s.execute(sql, params).df()


def table(name: str, con: Session | None = None) -> pd.DataFrame:
    """A table or view as a DataFrame (see query() for the column types); an unknown name raises UnknownNameError."""
    s = _session(con)
    with s._lock:
        return s.table(name).df()
