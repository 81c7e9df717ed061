"""The statement gate: which SQL statements a user session accepts, decided by DuckDB's own parser.

Accepted (see ACCEPTED): queries (SELECT, FROM, WITH, VALUES, DESCRIBE, SHOW, SUMMARIZE, PIVOT),
EXPLAIN of a query (also EXPLAIN ANALYZE), a few read-only PRAGMAs, and statements on the user's own
tables and views: CREATE [OR REPLACE] [TEMP] TABLE/VIEW, INSERT, UPDATE, DELETE, MERGE, DROP, ALTER.
A CREATE of any other kind (MACRO, FUNCTION, TYPE, SEQUENCE, INDEX, SCHEMA, SECRET ...) is refused here,
and the session checks after every CREATE/ALTER that the user holds only tables and views under names
that are not the package's (session.user_object_problem). Writes to the package fail because it is
attached READ_ONLY (in memory: a fingerprint of the package is compared after the statement).
Everything else is refused with ReadOnlyError: ATTACH, DETACH, COPY, EXPORT, IMPORT, INSTALL, LOAD,
SET, RESET, USE, CALL (CHECKPOINT), VACUUM, ANALYZE, transactions, PREPARE/EXECUTE, unknown types.
"""
from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import duckdb

from .errors import QueryError, ReadOnlyError

ST = duckdb.StatementType

QUERY_TYPES = frozenset({ST.SELECT})
OWN_OBJECT_TYPES = frozenset({ST.CREATE, ST.ALTER, ST.DROP, ST.INSERT, ST.UPDATE, ST.DELETE})
if hasattr(ST, "MERGE_INTO"):
    OWN_OBJECT_TYPES = OWN_OBJECT_TYPES | {ST.MERGE_INTO}
CATALOG_CHANGING = frozenset({ST.CREATE, ST.ALTER})  # may create or rename a user object: checked after running
READ_PRAGMAS = frozenset({"table_info", "show", "show_tables", "show_tables_expanded", "show_databases",
                          "version", "platform", "functions", "collations", "database_size", "storage_info", "metadata_info"})

_PRAGMA = re.compile(r"PRAGMA\s+([A-Za-z_][A-Za-z_0-9]*)\s*(\(.*\))?\s*;?\s*\Z", re.IGNORECASE | re.DOTALL)
_EXPLAIN = re.compile(r"EXPLAIN\s+(?:(?:ANALY[SZ]E)\s+)?(?:\([^()]*\)\s*)?(.*)\Z", re.IGNORECASE | re.DOTALL)
_PIVOT = re.compile(r"(UN)?PIVOT\b", re.IGNORECASE)
# What a CREATE may make: a table or a view (allow-list on the statement's kind; anything else, a comment
# inside the keywords included, is refused).
_CREATE_ALLOWED = re.compile(r"CREATE\s+(?:OR\s+REPLACE\s+)?(?:(?:GLOBAL|LOCAL)\s+)?(?:(?:TEMP|TEMPORARY)\s+)?(?:TABLE|VIEW)\s",
                             re.IGNORECASE)
_CREATE_KIND = re.compile(r"CREATE\s+(?:OR\s+REPLACE\s+)?(?:(?:GLOBAL|LOCAL|TEMP|TEMPORARY|PERSISTENT|UNIQUE)\s+)*([A-Za-z]+)",
                          re.IGNORECASE)

# What a session may read of DuckDB itself (M1): the catalog of tables, views, columns, types and functions, never
# where the database lives or how DuckDB is configured (paths, settings, secrets, extensions, logs, environment).
# Table functions and DuckDB's system views are allow-listed; every other one DuckDB has is refused by name, as are
# the scalar functions below that read settings or the environment. Names are found with DuckDB's tokenizer in
# Python, and the lists of what DuckDB has come from a private instance, so no user object can change either.
USER_TABLE_FUNCTIONS = frozenset("""
range generate_series unnest repeat repeat_row json_each json_tree summary histogram histogram_values
duckdb_tables duckdb_views duckdb_columns duckdb_constraints duckdb_functions duckdb_indexes duckdb_keywords duckdb_schemas
duckdb_sequences duckdb_types duckdb_dependencies pragma_table_info pragma_show pragma_storage_info pragma_metadata_info
pragma_database_size pragma_collations pragma_version pragma_platform icu_calendar_names pg_timezone_names
""".split())
USER_SYSTEM_VIEWS = frozenset("""
duckdb_columns duckdb_constraints duckdb_indexes duckdb_schemas duckdb_tables duckdb_types duckdb_views
sqlite_master sqlite_schema sqlite_temp_master sqlite_temp_schema
character_sets check_constraints columns constraint_column_usage constraint_table_usage key_column_usage
referential_constraints schemata table_constraints tables views
pg_am pg_attrdef pg_attribute pg_class pg_collation pg_constraint pg_depend pg_description pg_enum pg_index pg_indexes
pg_namespace pg_proc pg_sequence pg_sequences pg_tables pg_type pg_views
""".split())
ENVIRONMENT_SCALARS = frozenset("""
current_setting getenv user_agent extension_versions database_list json_execute_serialized_sql write_log
""".split())


_OBJECTS_LOCK = threading.Lock()
_objects: list[tuple[frozenset[str], frozenset[str]]] = []  # DuckDB's table functions and system views, once listed
_PREFETCH: list[threading.Thread] = []  # the thread listing them, when one was started


def _duckdb_objects() -> tuple[frozenset[str], frozenset[str]]:
    """(DuckDB's table functions, DuckDB's system views), listed once per process (waiting for prefetch_duckdb_objects;
    when nothing listed them, by a private in-memory instance no user can reach)."""
    for thread in list(_PREFETCH):
        thread.join()  # done before any use: no thread is left inside DuckDB when the caller goes on (or exits)
    with _OBJECTS_LOCK:
        if not _objects:
            _objects.append(_list_duckdb_objects(None))
        return _objects[0]


def prefetch_duckdb_objects() -> None:
    """Start listing DuckDB's objects (a private instance and a scan of every function: about as long as the rest of
    a first query) in a second thread, beside connect()'s own work (DuckDB releases the GIL). A failure there is not
    kept: the first check lists them again (and raises). The thread is not a daemon and shares no connection: an
    interpreter that exits first waits for it (a thread stopped inside DuckDB at exit aborts the process), and a
    session closes whatever the thread is doing."""
    if _objects or any(t.is_alive() for t in _PREFETCH):
        return

    def work() -> None:
        try:
            with _OBJECTS_LOCK:
                if not _objects:
                    _objects.append(_list_duckdb_objects(None))
        except duckdb.Error:
            pass

    thread = threading.Thread(target=work, name="jpkr-data guard lists", daemon=False)
    _PREFETCH[:] = [thread]
    thread.start()


def _list_duckdb_objects(con: duckdb.DuckDBPyConnection | None) -> tuple[frozenset[str], frozenset[str]]:
    """(DuckDB's table functions, DuckDB's system views) of the system catalog, listed through `con` or, when None,
    a private in-memory instance."""
    own = con is None
    con = duckdb.connect(":memory:") if own else con
    try:
        functions = {r[0] for r in con.execute("SELECT DISTINCT function_name FROM system.main.duckdb_functions() "
                                              "WHERE function_type IN ('table', 'table_macro') AND database_name = 'system'").fetchall()}
        views = {r[0] for r in con.execute("SELECT view_name FROM system.main.duckdb_views() WHERE database_name = 'system'").fetchall()}
    finally:
        if own:
            con.close()
    return frozenset(functions), frozenset(views)


def environment_problem(text: str) -> str | None:
    """The name in `text` that reads DuckDB's configuration or the machine (outside the lists above), or None."""
    functions, views = _duckdb_objects()
    try:
        raw = duckdb.tokenize(text)
    except (duckdb.Error, RuntimeError):
        return None  # DuckDB's parser already accepted the text; it refuses what it cannot tokenize
    words = [(text[start:(raw[k + 1][0] if k + 1 < len(raw) else len(text))].strip(), kind.name) for k, (start, kind) in enumerate(raw)]
    words = [w for w in words if w[1] != "comment"]
    for k, (word, kind) in enumerate(words):
        if kind not in ("identifier", "keyword"):
            continue
        name = word[1:-1].replace('""', '"').lower() if len(word) >= 2 and word[0] == word[-1] == '"' else word.lower()
        call = k + 1 < len(words) and words[k + 1][0] == "("
        if call and ((name in functions and name not in USER_TABLE_FUNCTIONS) or name in ENVIRONMENT_SCALARS):
            return f"{name}()"
        if name in views and name not in USER_SYSTEM_VIEWS:
            return name
    return None


INSTEAD = {
    "ATTACH": "the package is already attached as `jpkr`; open another database in a DuckDB connection of your own",
    "DETACH": "the package stays attached for the whole session",
    "COPY": "fetch the result (query(...).to_csv(path), or `jpkr-data sql ... --format csv > file`) instead of COPY",
    "EXPORT": "use `jpkr-data build --out DIR` for a full copy of the package",
    "LOAD": "extensions cannot be installed or loaded in a jpkr-data session",
    "SET": "settings, USE and RESET are fixed in a jpkr-data session; qualify names (jpkr.main.events) instead of USE",
    "TRANSACTION": "every statement runs in its own transaction; send the statements one after another",
    "CALL": "call table functions with SELECT * FROM function(...)",
    "VACUUM": "the package's statistics are fixed",
    "PRAGMA": f"only read-only PRAGMAs are accepted ({', '.join(sorted(READ_PRAGMAS))})",
    "PREPARE": "pass parameters with execute(sql, [values]) instead of PREPARE/EXECUTE",
    "EXECUTE": "pass parameters with execute(sql, [values]) instead of PREPARE/EXECUTE",
    "EXPLAIN": "EXPLAIN is accepted only for a query",
    "CREATE": "a jpkr-data session may create tables and views of its own (CREATE TEMP TABLE / CREATE TEMP VIEW), nothing else",
}
GENERIC = "jpkr-data sessions are read-only: query the package and write your own TEMP tables (CREATE TEMP TABLE mine AS SELECT ...)"


@dataclass(frozen=True)
class Statement:
    """One accepted statement: its text as DuckDB split it, and what kind it is."""
    sql: str
    type: duckdb.StatementType

    @property
    def returns_rows(self) -> bool:
        """True for statements whose result is a table (queries, EXPLAIN, PRAGMA)."""
        return self.type in (ST.SELECT, ST.EXPLAIN, ST.PRAGMA) or (self.type == ST.MULTI)

    @property
    def changes_catalog(self) -> bool:
        """True when the statement may create or rename an object (checked after it runs)."""
        return self.type in CATALOG_CHANGING or self.type == ST.MULTI


def ensure_text(sql: object) -> str:
    """The SQL as a str DuckDB can take: refuse non-strings and text that is not valid UTF-8 (e.g. surrogates from argv)."""
    if not isinstance(sql, str):
        raise QueryError(f"SQL must be a string, not {type(sql).__name__}")
    try:
        sql.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise QueryError(f"the SQL is not valid UTF-8 (character {exc.start + 1} cannot be encoded: {sql[exc.start:exc.end]!r})") from None
    if "\x00" in sql:
        raise QueryError(f"the SQL holds a NUL character (at character {sql.index(chr(0)) + 1})")
    return sql


Parser = Callable[[str], Sequence[duckdb.Statement]]


def _parse(sql: str, parser: Parser | None = None) -> list[duckdb.Statement]:
    """DuckDB's split of a string into statements; a parse error is a QueryError.

    Pass a connection's `extract_statements` as `parser`: the module-level function opens DuckDB's
    default connection on first use, a new database instance that costs about 20 ms."""
    try:
        return list((parser or duckdb.extract_statements)(sql))
    except duckdb.Error as exc:
        raise QueryError(str(exc).splitlines()[0]) from None


def _refuse(kind: str, text: str) -> ReadOnlyError:
    """A ReadOnlyError naming the refused statement and what to do instead."""
    first = " ".join(text.split())[:80]
    hint = INSTEAD.get(kind.split()[0], GENERIC)
    return ReadOnlyError(f"{kind} statements are not accepted in a read-only jpkr-data session ({first!r}): {hint}. {GENERIC}.")


def _keyword(text: str) -> str:
    """The statement's first word, upper-case (DuckDB strips leading comments from each statement's text)."""
    m = re.match(r"\s*([A-Za-z]+)", text)
    return m.group(1).upper() if m else "?"


def classify(stmt: duckdb.Statement, parser: Parser | None = None) -> Statement:
    """Accept one parsed statement or raise ReadOnlyError saying why and what to do instead."""
    try:
        t, text = stmt.type, stmt.query
    except ValueError as exc:  # the parser knows a statement type the Python enum does not
        raise ReadOnlyError(f"statement of an unknown kind refused ({exc}). {GENERIC}.") from None
    if name := environment_problem(text):
        raise ReadOnlyError(f"{name} is not accepted in a read-only jpkr-data session: a session reads the package and DuckDB's "
                            "catalog of tables, views, columns and functions, not files, where the package is stored or how DuckDB "
                            f"is configured. {GENERIC}.")
    if t == ST.CREATE and not _CREATE_ALLOWED.match(text.lstrip()):
        m = _CREATE_KIND.match(text.lstrip())
        raise _refuse(f"CREATE {m.group(1).upper()}" if m else "CREATE", text)
    if t in QUERY_TYPES or t in OWN_OBJECT_TYPES:
        return Statement(text, t)
    if t == ST.MULTI and _PIVOT.match(text.lstrip()):
        return Statement(text, t)
    if t == ST.EXPLAIN:
        m = _EXPLAIN.match(text.lstrip())
        try:
            inner = _parse(m.group(1), parser) if m else []
            accepted = len(inner) == 1 and inner[0].type == ST.SELECT
        except (QueryError, ValueError):
            accepted = False
        if accepted:
            return Statement(text, t)
        raise _refuse("EXPLAIN", text)
    if t == ST.PRAGMA:
        m = _PRAGMA.match(text.lstrip())
        if m and m.group(1).lower() in READ_PRAGMAS and _keyword(text) == "PRAGMA":
            return Statement(text, t)
        kw = _keyword(text)
        raise _refuse("PRAGMA" if kw == "PRAGMA" else kw, text)
    names = {ST.SET: "SET", ST.TRANSACTION: "TRANSACTION", ST.ATTACH: "ATTACH", ST.DETACH: "DETACH", ST.COPY: "COPY",
             ST.EXPORT: "EXPORT", ST.LOAD: "LOAD", ST.CALL: "CALL", ST.VACUUM: "VACUUM", ST.PREPARE: "PREPARE",
             ST.EXECUTE: "EXECUTE"}
    raise _refuse(names.get(t, _keyword(text)), text)


def gate(sql: object, parser: Parser | None = None) -> list[Statement]:
    """Split SQL into statements and accept every one, or refuse the whole string before anything runs."""
    text = ensure_text(sql)
    parsed = _parse(text, parser)
    if not parsed:
        raise QueryError("no SQL statement given (the text is empty, blank, only comments or only ';')")
    return [classify(s, parser) for s in parsed]


def gate_one(sql: str, parser: Parser | None = None) -> Statement:
    """Re-check a single statement's own text right before it runs: exactly one statement, accepted."""
    stmts = gate(sql, parser)
    if len(stmts) != 1:
        raise QueryError("internal: a statement's text split into several statements")
    return stmts[0]
