"""The guarded connection users get from connect(): every SQL string passes the gate, the package cannot change.

Layers, each enough on its own for its class of attack:
- the package database is attached READ_ONLY (writes to it fail inside DuckDB);
- external access is off and the configuration locked after attaching (no file is read or written,
  no extension installed, no setting changed; also for cursors, which share the database instance);
- the statement gate (guard.py) accepts a listed set of statement kinds (a CREATE only of a table or view)
  and refuses everything else (ATTACH, COPY, SET, CREATE MACRO/TYPE/SEQUENCE ...) before anything runs;
- statements that can create or rename objects run in a transaction that is rolled back unless the user's
  objects are only tables and views under names outside a snapshot taken when the session opened (package
  tables and views, DuckDB's catalog views): DuckDB searches the TEMP catalog before the package's own when
  it runs the package's views. The check lists objects through fully qualified system.main.duckdb_*()
  functions, which no user object can stand in for;
- in-memory fallback (no writable cache): the package is not attachable READ_ONLY, so every statement
  but a query runs in a transaction rolled back when a fingerprint of the package (rows, schema, types,
  comments; read through system.main functions) changed.
"""
from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from ..schema import quote_ident, sql_literal
from . import guard
from .errors import ReadOnlyError, UnknownNameError
from .results import plain_frame

if TYPE_CHECKING:
    import pandas as pd

CATALOG = "jpkr"
SEARCH_PATH = "SET search_path = 'memory.main,jpkr.main'"
RESERVED_SCHEMAS = ("jpkr", "memory", "temp", "system", "main")
_WRITE_HINT = ("jpkr-data's tables and views are read-only: write to tables of your own "
               "(CREATE TEMP TABLE mine AS SELECT ...) instead.")


def _first_line(exc: BaseException) -> str:
    """The first line of a DuckDB error message."""
    return (str(exc).splitlines() or [""])[0]


def package_names(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Every table and view of the attached package: name -> 'table' or 'view', in name order."""
    rows = con.execute(
        "SELECT table_name, 'table' FROM system.main.duckdb_tables() WHERE database_name = 'jpkr' "
        "UNION ALL SELECT view_name, 'view' FROM system.main.duckdb_views() WHERE database_name = 'jpkr' AND NOT internal "
        "ORDER BY 1").fetchall()
    return dict(rows)


def protected_names(con: duckdb.DuckDBPyConnection) -> frozenset[str]:
    """Lower-cased names a user table or view may not take: the package's, and DuckDB's own views (duckdb_tables ...).

    Read when the session opens, before any user statement, through fully qualified system.main functions."""
    rows = con.execute(
        "SELECT table_name FROM system.main.duckdb_tables() WHERE database_name IN ('jpkr', 'system') "
        "UNION ALL SELECT view_name FROM system.main.duckdb_views() WHERE database_name IN ('jpkr', 'system')").fetchall()
    return frozenset(r[0].lower() for r in rows) | frozenset(RESERVED_SCHEMAS)


# The user's objects, listed through fully qualified system functions (a user object cannot take a system.main name).
_USER_OBJECTS = (
    "SELECT 'table', database_name, schema_name, table_name FROM system.main.duckdb_tables() WHERE database_name <> 'jpkr' "
    "UNION ALL SELECT 'view', database_name, schema_name, view_name FROM system.main.duckdb_views() "
    "  WHERE database_name NOT IN ('jpkr', 'system') AND NOT internal "
    "UNION ALL SELECT 'macro or function', database_name, schema_name, function_name FROM system.main.duckdb_functions() "
    "  WHERE database_name NOT IN ('jpkr', 'system') AND NOT internal "
    "UNION ALL SELECT 'type', database_name, schema_name, type_name FROM system.main.duckdb_types() "
    "  WHERE database_name NOT IN ('jpkr', 'system') AND NOT internal "
    "UNION ALL SELECT 'sequence', database_name, schema_name, sequence_name FROM system.main.duckdb_sequences() WHERE database_name <> 'jpkr' "
    "UNION ALL SELECT 'index', database_name, schema_name, index_name FROM system.main.duckdb_indexes() WHERE database_name <> 'jpkr' "
    "UNION ALL SELECT 'schema', database_name, schema_name, schema_name FROM system.main.duckdb_schemas() "
    "  WHERE database_name NOT IN ('jpkr', 'system') AND schema_name <> 'main' AND NOT internal")
# PIVOT without an IN list makes a TEMP enum type of this name (a UUID) for its own use.
_PIVOT_TYPE = re.compile(r"__pivot_enum_[0-9a-f-]{36}")


def user_object_problem(con: duckdb.DuckDBPyConnection, protected: frozenset[str]) -> str | None:
    """Why the user's objects are not allowed (a kind other than table/view, or a protected name), or None.

    Allow-list: a session may hold tables and views of its own (TEMP or in memory.main) under names that
    are not the package's or DuckDB's; any other object (macro, function, type, sequence, index, schema)
    is refused, so nothing of the user's can stand in for a name the package's views use."""
    for kind, database, schema, name in con.execute(_USER_OBJECTS).fetchall():
        if kind in ("table", "view"):
            if database in ("temp", "memory") and name.lower() not in protected:
                continue
            return (f"your {kind} {name!r} would take the name of a jpkr-data table or view or of a DuckDB catalog view, "
                    "and would change what the package's views return: choose another name")
        if kind == "type" and database == "temp" and _PIVOT_TYPE.fullmatch(name):
            continue
        return (f"a jpkr-data session may create only tables and views of its own; your {kind} {database}.{schema}.{name} "
                "is not accepted (it could stand in for a name the package's views use)")
    return None


def package_fingerprint(con: duckdb.DuckDBPyConnection) -> tuple:
    """Rows, definitions, types and comments of the package catalog: changes whenever anything in it changes.

    Every function is called fully qualified (system.main.*), so no object of the user's can stand in for it."""
    meta = con.execute(
        "SELECT system.main.list((table_name, sql, comment) ORDER BY table_name)::VARCHAR FROM system.main.duckdb_tables() WHERE database_name = 'jpkr' "
        "UNION ALL SELECT system.main.list((view_name, sql, comment) ORDER BY view_name)::VARCHAR FROM system.main.duckdb_views() "
        "  WHERE database_name = 'jpkr' AND NOT internal "
        "UNION ALL SELECT system.main.list((table_name, column_name, comment) ORDER BY table_name, column_index)::VARCHAR "
        "  FROM system.main.duckdb_columns() WHERE database_name = 'jpkr' "
        "UNION ALL SELECT system.main.list((function_name, macro_definition) ORDER BY function_name)::VARCHAR "
        "  FROM system.main.duckdb_functions() WHERE database_name = 'jpkr' "
        "UNION ALL SELECT system.main.list((schema_name, type_name) ORDER BY type_name)::VARCHAR "
        "  FROM system.main.duckdb_types() WHERE database_name = 'jpkr' AND NOT internal "
        "UNION ALL SELECT system.main.list((schema_name, sequence_name) ORDER BY sequence_name)::VARCHAR "
        "  FROM system.main.duckdb_sequences() WHERE database_name = 'jpkr' "
        "UNION ALL SELECT system.main.list((schema_name, index_name) ORDER BY index_name)::VARCHAR "
        "  FROM system.main.duckdb_indexes() WHERE database_name = 'jpkr' "
        "UNION ALL SELECT system.main.list(schema_name ORDER BY schema_name)::VARCHAR FROM system.main.duckdb_schemas() "
        "  WHERE database_name = 'jpkr'").fetchall()
    tables = con.execute("SELECT schema_name, table_name FROM system.main.duckdb_tables() WHERE database_name = 'jpkr' "
                         "ORDER BY schema_name, table_name").fetchall()
    rows = [con.execute(f"SELECT system.main.count(*), system.main.bit_xor(system.main.hash(t)) "
                        f"FROM jpkr.{quote_ident(sch)}.{quote_ident(name)} t").fetchone()
            for sch, name in tables]
    return (tuple(map(repr, meta)), tuple(rows))


def seal(con: duckdb.DuckDBPyConnection) -> None:
    """Fix the session: names resolve to the user's objects then the package; no file access, settings locked."""
    con.execute(SEARCH_PATH)
    for setting in ("autoinstall_known_extensions", "autoload_known_extensions"):
        try:
            con.execute(f"SET {setting} = false")
        except duckdb.Error:  # a build without extension support
            pass
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")


class Relation:
    """A lazy query result from Session.sql()/table(): each fetch runs it (DuckDB 2 relations keep no result).

    It offers only fetching (df, fetchall, fetchnumpy, arrow), columns, types, description and show():
    a DuckDB relation's query(), to_csv(), create() ... would run SQL or write files past the gate."""

    def __init__(self, rel: duckdb.DuckDBPyRelation, session: Session) -> None:
        self.__rel = rel
        self.__session = session

    def _call(self, method: str, *args: Any) -> Any:
        """Run the relation (again: relations keep no result) with the session's error mapping."""
        with self.__session._lock:
            self.__session._abort_pending()
            return self.__session._mapped(lambda: getattr(self.__rel, method)(*args))

    def df(self) -> pd.DataFrame:
        """The whole result as a DataFrame (lists as Python lists, DATE as datetime64)."""
        return plain_frame(self._call("df"))

    fetchdf = to_df = df

    def fetchall(self) -> list[tuple]:
        """Every row as a tuple of Python values."""
        return self._call("fetchall")

    def fetchnumpy(self) -> dict:
        """The result as a dict of numpy arrays."""
        return self._call("fetchnumpy")

    def arrow(self) -> Any:
        """The result as a pyarrow Table (needs pyarrow)."""
        return self._call("fetch_arrow_table")

    fetch_arrow_table = arrow

    @property
    def columns(self) -> list[str]:
        """Column names."""
        return list(self.__rel.columns)

    @property
    def types(self) -> list[str]:
        """DuckDB type of each column, as text."""
        return [str(t) for t in self.__rel.types]

    @property
    def description(self) -> list[tuple]:
        """DB-API description: (name, type, None, ...) per column."""
        return list(self.__rel.description)

    def show(self) -> None:
        """Print a preview of the result."""
        self._call("show")

    def __repr__(self) -> str:
        return self._call("__str__")

    __str__ = __repr__


class Session:
    """A DuckDB connection to the package that accepts only what the statement gate accepts.

    Offers execute/executemany/sql/query/table/df/fetchdf/fetchall/fetchone/fetchmany/fetchnumpy/
    arrow/description/register/unregister/names/cursor/close and works as a context manager. One
    Session is for one thread at a time: give each thread its own with `cursor()`.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, database: Path | None, fingerprint: tuple | None = None,
                 names: dict[str, str] | None = None, protected: frozenset[str] | None = None) -> None:
        self.__con = con
        self.database = database  # the attached file (None: built in memory)
        self._fingerprint = fingerprint
        self.__names = names
        # taken before any statement of the user's runs, so nothing of theirs can be in it
        self._protected = protected if protected is not None else protected_names(con)
        self._lock = threading.RLock()
        self._closed = False

    @property
    def _names(self) -> dict[str, str]:
        """The package's tables and views, read on first use (a plain query does not need them)."""
        if self.__names is None:
            self.__names = package_names(self.__con)
        return self.__names

    # -- running SQL ----------------------------------------------------------------------------
    def _mapped(self, call: Callable[[], Any]) -> Any:
        """Run a DuckDB call; writes to the package and file access become ReadOnlyError with a hint."""
        if self._closed:
            raise duckdb.ConnectionException("Connection already closed!")
        try:
            return call()
        except duckdb.PermissionException as exc:
            raise ReadOnlyError(f"a jpkr-data session reads no file and writes none: {_first_line(exc)}. {_WRITE_HINT}") from None
        except duckdb.Error as exc:
            msg = str(exc)
            if "read-only mode" in msg or "read only mode" in msg or "configuration has been locked" in msg:
                raise ReadOnlyError(f"{_WRITE_HINT} DuckDB said: {_first_line(exc)}") from None
            raise

    def _abort_pending(self) -> None:
        """Discard an unfinished result of execute(): DuckDB refuses other work on the connection until then."""
        if not self._closed:
            try:
                self.__con.abort()
            except duckdb.Error:
                pass

    def _check_after(self, st: guard.Statement) -> None:
        """Refuse the statement's effect (inside its transaction) when it shadows or changed the package."""
        if st.changes_catalog:
            problem = user_object_problem(self.__con, self._protected)
            if problem:
                raise ReadOnlyError(f"{problem} (the package's names: {', '.join(self._names)}).")
        if self._fingerprint is not None and package_fingerprint(self.__con) != self._fingerprint:
            raise ReadOnlyError(_WRITE_HINT)

    def _run(self, st: guard.Statement, params: Any = None, many: bool = False) -> None:
        """Run one accepted statement; those that may change the catalog run in a checked transaction."""
        con = self.__con
        fn = con.executemany if many else con.execute
        args = (st.sql,) if params is None else (st.sql, params)
        checked = st.changes_catalog or (self._fingerprint is not None and st.type != guard.ST.SELECT)
        if not checked:
            self._mapped(lambda: fn(*args))
            return
        con.execute("BEGIN TRANSACTION")
        try:
            self._mapped(lambda: fn(*args))
            self._check_after(st)
        except BaseException:
            with contextlib.suppress(duckdb.Error):  # never hide the statement's own error
                con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")

    def statements(self, sql: Any) -> list[guard.Statement]:
        """The statements of `sql` as the gate accepts them (ReadOnlyError or QueryError otherwise); runs nothing."""
        if self._closed:
            raise duckdb.ConnectionException("Connection already closed!")
        return guard.gate(sql, self.__con.extract_statements)

    def _statements(self, sql: Any, params: Any) -> list[guard.Statement]:
        """Gate the whole string; parameters are accepted with exactly one statement."""
        stmts = self.statements(sql)
        if params is not None and len(stmts) != 1:
            raise guard.QueryError("parameters can be given with one statement only")
        return stmts

    def execute(self, sql: str, params: Any = None) -> Session:
        """Run every statement of `sql` (parameters: one statement only); fetch the last one's result from this Session."""
        with self._lock:
            for st in self._statements(sql, params):
                self._run(guard.gate_one(st.sql, self.__con.extract_statements), params)
        return self

    def executemany(self, sql: str, params: Sequence[Any]) -> Session:
        """Run one statement once per parameter set."""
        with self._lock:
            (st,) = self._statements(sql, params)
            self._run(guard.gate_one(st.sql, self.__con.extract_statements), params, many=True)
        return self

    def sql(self, sql: str, params: Any = None) -> Relation | None:
        """Like DuckDB's sql(): statements before the last run now; a final query comes back as a lazy Relation."""
        with self._lock:
            stmts = self._statements(sql, params)
            for st in stmts[:-1]:
                self._run(guard.gate_one(st.sql, self.__con.extract_statements))
            last = guard.gate_one(stmts[-1].sql, self.__con.extract_statements)
            if last.type == guard.ST.SELECT:
                self._abort_pending()
                rel = self._mapped(lambda: self.__con.sql(last.sql, params=params))
                return Relation(rel, self) if rel is not None else None
            self._run(last, params)
            return None

    query = sql

    def table(self, name: str) -> Relation:
        """A package table or view by its exact name; an unknown name raises UnknownNameError listing the valid ones."""
        if not isinstance(name, str) or name not in self._names:
            raise UnknownNameError(f"unknown table or view {name!r}; valid names: {', '.join(self._names)}")
        return self.sql(f"SELECT * FROM jpkr.main.{quote_ident(name)}")

    def names(self) -> dict[str, str]:
        """Every table and view of the package: name -> 'table' or 'view'."""
        return dict(self._names)

    # -- fetching the last result -------------------------------------------------------------------
    def df(self) -> pd.DataFrame:
        """The last result as a DataFrame (lists as Python lists, DATE as datetime64)."""
        with self._lock:
            return plain_frame(self._mapped(self.__con.df))

    fetchdf = df

    def fetchall(self) -> list[tuple]:
        """Every remaining row of the last result."""
        with self._lock:
            return self._mapped(self.__con.fetchall)

    def fetchone(self) -> tuple | None:
        """The next row of the last result, or None."""
        with self._lock:
            return self._mapped(self.__con.fetchone)

    def fetchmany(self, size: int = 1) -> list[tuple]:
        """The next `size` rows of the last result."""
        with self._lock:
            return self._mapped(lambda: self.__con.fetchmany(size))

    def fetchnumpy(self) -> dict:
        """The last result as a dict of numpy arrays."""
        with self._lock:
            return self._mapped(self.__con.fetchnumpy)

    def arrow(self) -> Any:
        """The last result as a pyarrow Table (needs pyarrow)."""
        with self._lock:
            return self._mapped(self.__con.fetch_arrow_table)

    fetch_arrow_table = arrow

    @property
    def description(self) -> list[tuple] | None:
        """DB-API description of the last result (None when it has no columns)."""
        return self.__con.description

    @property
    def rowcount(self) -> int:
        """DB-API rowcount (always -1, as in DuckDB)."""
        return self.__con.rowcount

    # -- the user's own data frames -------------------------------------------------------------------
    def register(self, name: str, data: Any) -> Session:
        """Make a pandas DataFrame (or Arrow table) queryable under `name`; package and built-in names are refused."""
        if not isinstance(name, str) or not name.strip():
            raise guard.QueryError("register() needs a non-empty name")
        guard.ensure_text(name)
        if name.lower() in self._protected:
            raise ReadOnlyError(f"{name!r} is a jpkr-data name: register your data under another name")
        with self._lock:
            self._mapped(lambda: self.__con.register(name, data))
        return self

    def unregister(self, name: str) -> Session:
        """Forget a registered DataFrame."""
        with self._lock:
            self._mapped(lambda: self.__con.unregister(name))
        return self

    # -- life cycle ---------------------------------------------------------------------------------------
    def cursor(self) -> Session:
        """A new Session on the same database (its own TEMP objects and results): one per thread."""
        with self._lock:
            cur = self._mapped(self.__con.cursor)
            cur.execute(SEARCH_PATH)
        return Session(cur, self.database, self._fingerprint, self.__names, self._protected)

    def close(self) -> None:
        """Close the connection (further calls raise)."""
        with self._lock:
            if not self._closed:
                self._closed = True
                self.__con.close()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        where = str(self.database) if self.database else "built in memory"
        return f"<jpkr_data Session: package {where}, read-only{', closed' if self._closed else ''}>"


def open_file(db: Path) -> Session:
    """A guarded session with the database file attached READ_ONLY as `jpkr`."""
    con = duckdb.connect(":memory:")
    try:
        con.execute(f"ATTACH {sql_literal(str(db))} AS jpkr (READ_ONLY)")
        seal(con)
        return Session(con, db)
    except BaseException:
        con.close()
        raise


def open_in_memory(build: Callable[[duckdb.DuckDBPyConnection], None]) -> Session:
    """A guarded session whose package is built in memory by `build` (called with a cursor USE'd on `jpkr`)."""
    con = duckdb.connect(":memory:")
    try:
        con.execute("ATTACH ':memory:' AS jpkr")
        builder = con.cursor()  # its TEMP objects (staging) vanish with it
        try:
            builder.execute("USE jpkr")
            build(builder)
        finally:
            builder.close()
        seal(con)
        return Session(con, None, package_fingerprint(con))
    except BaseException:
        con.close()
        raise
