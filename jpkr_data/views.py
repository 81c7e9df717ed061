"""The SQL views in sql/: discovery, header comments, and creation of exactly one CREATE VIEW per file.

A view file is data from the package, never code to run as given: DuckDB's parser splits it
into statements, the file must hold exactly one `CREATE [OR REPLACE] VIEW <name> AS <query>`
named after the file, and only that query is run, inside a statement this module writes, on a
connection whose external access is off (no file, network or extension can be reached).
"""
from __future__ import annotations

import re
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from .schema import quote_ident
from .timelimit import TimeLimitError, time_limit, view_seconds
from .validator.paths import resolve_inside
from .validator.report import Problem, Report

if TYPE_CHECKING:
    from .dialects import SqliteProbe  # sqlglot is imported only when a view is translated

VIEW_FILE = re.compile(r"^\d{2}_([a-z_]+)\.sql$")
MAX_VIEW_BYTES = 1 << 20  # a view file larger than this is refused unread
# Table functions that read files or the network: refused by name, before DuckDB's external-access
# setting refuses them again at run time (a clearer message, and a second wall).
FILE_READERS = frozenset("""
read_text read_blob read_csv read_csv_auto sniff_csv read_json read_json_auto read_json_objects read_json_objects_auto
read_ndjson read_ndjson_auto read_ndjson_objects read_parquet parquet_scan parquet_metadata parquet_schema parquet_file_metadata
parquet_kv_metadata parquet_bloom_probe glob read_xlsx st_read st_read_meta iceberg_scan iceberg_metadata iceberg_snapshots delta_scan
postgres_scan postgres_query mysql_scan mysql_query sqlite_scan sqlite_attach read_avro query query_table httpfs_get
""".split())


# The views a release reads by name (datasheet, exports, site): a package without them validates as invalid,
# so that validate and build agree (tests/test_attack_field_length.py checks the list against the code).
RELEASE_VIEWS = frozenset("""
agreement_status article_contributions claim_variants disagreements dyad_summary dyads event_dyads_coded event_pairs
event_placement event_series statements_full timeline
""".split())

COLUMN_LINE = re.compile(r"^--   ([a-z_][a-z0-9_]*): (\S.*)$")
CONTINUATION = re.compile(r"^--\s{4,}(\S.*)$")  # a column description carried on to the next line
NOTE = "-- DuckDB-specific:"  # the header line naming the view's non-portable DuckDB constructs


@dataclass(frozen=True)
class View:
    """One view file: its name, path and SQL (header comment included)."""
    name: str
    path: Path
    sql: str

    @property
    def header(self) -> list[str]:
        """The leading '--' comment lines, as written."""
        lines = []
        for line in self.sql.splitlines():
            if not line.startswith("--"):
                break
            lines.append(line)
        return lines

    @property
    def description(self) -> str:
        """The header without its comment markers: the question, the prose and the columns."""
        return "\n".join(line[2:].strip() for line in self.header).strip()

    @property
    def question(self) -> str:
        """The first header line: the question the view answers."""
        return self.header[0][2:].strip() if self.header else ""

    @property
    def prose(self) -> str:
        """The header's text between the question and '-- Columns:', as one paragraph."""
        lines = [line[2:].strip() for line in self.header[2:]]
        lines = lines[: lines.index("Columns:")] if "Columns:" in lines else lines
        return " ".join(line for line in lines if line)

    @property
    def columns(self) -> dict[str, str]:
        """Column name -> description, from the header's '-- Columns:' block ('--   name: description' lines)."""
        lines = self.header
        try:
            start = next(i for i, line in enumerate(lines) if line.rstrip() == "-- Columns:") + 1
        except StopIteration:
            return {}
        out: dict[str, str] = {}
        for line in lines[start:]:
            m = COLUMN_LINE.match(line.rstrip())
            more = CONTINUATION.match(line.rstrip())
            if m is not None:
                out[m.group(1)] = m.group(2).strip()
            elif more is not None and out:
                last = next(reversed(out))
                out[last] += " " + more.group(1).strip()
            else:
                break
        return out

    @property
    def duckdb_note(self) -> str | None:
        """The text of the header's '-- DuckDB-specific:' line, or None when the header has none."""
        for line in self.header:
            if line.startswith(NOTE):
                return line[len(NOTE):].strip()
        return None

    def header_problems(self) -> list[str]:
        """What the header lacks or repeats, against the format: question, '--', prose, '-- Columns:', one line per column."""
        lines, problems = self.header, []
        if len(lines) < 2 or not lines[0][2:].strip() or lines[1].rstrip() != "--":
            problems.append("the header must start with '-- <question>' and then a line '--'")
        if "-- Columns:" not in [line.rstrip() for line in lines]:
            problems.append("the header has no '-- Columns:' block")
        names = [m.group(1) for m in (COLUMN_LINE.match(line.rstrip()) for line in lines) if m]
        problems += [f"column {n!r} is described twice" for n in sorted({n for n in names if names.count(n) > 1})]
        return problems


def _view_files(root: Path) -> list[tuple[Path, str | None]]:
    """Each *.sql entry of sql/ in name order, with why it cannot be a view file (None when it can)."""
    folder = root / "sql"
    if folder.is_symlink() or not folder.is_dir() or resolve_inside(root, "sql") is None:
        return []
    out = []
    for path in sorted(folder.glob("*.sql")):
        if not VIEW_FILE.match(path.name):
            out.append((path, "a view file must be named NN_name.sql (two digits, then the view's name in lower case)"))
        elif path.is_symlink() or resolve_inside(root, f"sql/{path.name}") is None:
            out.append((path, "a view file must be a regular file inside the package, not a symbolic link"))
        elif not path.is_file():
            out.append((path, "not a regular file"))
        elif path.stat().st_size > MAX_VIEW_BYTES:
            out.append((path, f"larger than {MAX_VIEW_BYTES} bytes"))
        else:
            out.append((path, None))
    return out


def _read_view(path: Path) -> tuple[str | None, str | None]:
    """(the view file's text, None), or (None, why it cannot be read as a view: not UTF-8, a byte order mark, unreadable).

    A BOM is refused rather than stripped: it would hide the header from every reader that does not strip it."""
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, f"not UTF-8: byte offset {exc.start}"
    except OSError as exc:
        return None, f"cannot be read: {exc.strerror or exc}"
    if text.startswith("\ufeff"):
        return None, "starts with a UTF-8 byte order mark (BOM), which hides its header: save it as UTF-8 without a BOM"
    return text, None


def discover_views(root: Path) -> list[View]:
    """Views in file-name order (the two-digit prefix orders dependencies); files that cannot be view files are left out
    (check_view_files reports them)."""
    views = []
    for path, why in _view_files(root):
        text, why = _read_view(path) if why is None else (None, why)
        if text is not None:
            views.append(View(VIEW_FILE.match(path.name).group(1), path, text))
    return views


def check_view_files(root: Path, report: Report) -> None:
    """Report every *.sql file that cannot be a view file (its name, a symlink, its size, its encoding, a BOM), and
    every view the release reads (RELEASE_VIEWS) that no view file creates."""
    for path, why in _view_files(root):
        if why is None:
            _, why = _read_view(path)
        if why:
            report.add(Problem("view", f"sql/{path.name}", why))
    names = {VIEW_FILE.match(p.name).group(1) for p, _ in _view_files(root) if VIEW_FILE.match(p.name)}
    if missing := sorted(RELEASE_VIEWS - names):
        report.add(Problem("view", "sql/", f"the release reads the views {', '.join(missing)}, which no view file creates "
                           "(a package holds its views in sql/NN_name.sql)"))


def _tokens(sql: str) -> list[tuple[str, str]]:
    """(text, kind) of each token of one statement, comments left out."""
    raw = duckdb.tokenize(sql)
    out = []
    for k, (start, kind) in enumerate(raw):
        end = raw[k + 1][0] if k + 1 < len(raw) else len(sql)
        if kind.name != "comment":
            out.append((sql[start:end].strip(), kind.name))
    return out


def _unquote(token: str) -> str:
    """An identifier token's name (a quoted identifier unquoted)."""
    if len(token) >= 2 and token[0] == token[-1] == '"':
        return token[1:-1].replace('""', '"')
    return token


def view_query(view: View) -> tuple[str | None, str | None]:
    """(the view's query, None) when the file is exactly one CREATE VIEW named after it, else (None, why)."""
    try:
        statements = duckdb.extract_statements(view.sql)
    except duckdb.Error as exc:
        return None, f"does not parse: {str(exc).splitlines()[0]}"
    if len(statements) != 1:
        kinds = ", ".join(s.type.name for s in statements) or "none"
        return None, f"a view file holds exactly one CREATE VIEW statement; this one holds {len(statements)} ({kinds})"
    stmt = statements[0]
    query = stmt.query
    words = [(t.upper() if kind == "keyword" else t, kind) for t, kind in _tokens(query)]
    head = [w for w, _ in words[:6]]
    i = 1
    if head[:1] != ["CREATE"]:
        return None, f"a view file holds exactly one CREATE VIEW statement, not {stmt.type.name}"
    if head[1:3] == ["OR", "REPLACE"]:
        i = 3
    if head[i:i + 1] != ["VIEW"] or len(head) < i + 3 or head[i + 2] != "AS":
        return None, "the statement must read CREATE [OR REPLACE] VIEW <name> AS <query> (no TEMP, TABLE, MACRO, SECRET, IF NOT EXISTS or column list)"
    name = _unquote(words[i + 1][0])
    if name.lower() != view.name:
        return None, f"the file must create the view {view.name!r} (named after the file), not {name!r}"
    if why := _reads_a_file(words):
        return None, why
    return query[_as_position(query):].strip(), None


def _reads_a_file(words: list[tuple[str, str]]) -> str | None:
    """Why the tokens read a file (a file-reading function, or a string used as a table), or None."""
    for k, (word, kind) in enumerate(words):
        nxt = words[k + 1][0] if k + 1 < len(words) else ""
        if kind in ("identifier", "keyword") and nxt == "(" and _unquote(word).lower() in FILE_READERS:
            return f"the view calls {word}(), which reads files or other databases: a view reads only the package's tables"
        if kind == "string_const" and k and words[k - 1][0] in ("FROM", "JOIN"):
            return f"the view reads {word} as a table (a file): a view reads only the package's tables"
    return None


def _as_position(query: str) -> int:
    """Offset just after the AS that ends `CREATE [OR REPLACE] VIEW <name> AS`."""
    raw = duckdb.tokenize(query)
    seen = 0
    for k, (start, kind) in enumerate(raw):
        if kind.name == "comment":
            continue
        end = raw[k + 1][0] if k + 1 < len(raw) else len(query)
        seen += 1
        if query[start:end].strip().upper() == "AS" and seen >= 4:
            return start + 2
    raise ValueError("no AS")  # unreachable: view_query checked the header


def create_views(con: duckdb.DuckDBPyConnection, root: Path, report: Report, temporary: bool = False,
                 tables: frozenset[str] = frozenset()) -> list[View]:
    """Create every view and run it once; report those that are not one CREATE VIEW, fail to compile or run, cannot be
    translated to SQLite or Spark (dialects.py), or whose '-- DuckDB-specific:' note disagrees with the parse.

    temporary=True (validation) creates them as TEMP views over the checked tables; every view is
    run to the end within the time limit of timelimit.py, so that validation finds a view too slow
    for a build or connect() (a view that later views read is run once, into a TEMP table they read:
    _Runs). `tables` are the package's table names, which
    a view may not take. The caller turns external access off first (run_pipeline does)."""
    created = []
    report.ran("view")
    check_view_files(root, report)
    from .dialects import SqliteProbe

    taken = {t.lower() for t in tables}
    schema = {t: {r[0]: r[1] for r in con.execute(f"DESCRIBE SELECT * FROM {quote_ident(t)}").fetchall()} for t in sorted(tables)}
    views = discover_views(root)
    runs = _Runs(con, views) if temporary else None
    found: list[tuple[Report, Future | None]] = []  # each view's problems, in view order, then its translation's
    # The translations (sqlglot and the SQLite probe: Python) run in a second thread, one view after another,
    # while DuckDB runs the next views (it releases the GIL); the probe lives in that thread (sqlite3 requires it).
    with ThreadPoolExecutor(max_workers=1) as translator:
        lite = translator.submit(SqliteProbe, dict(schema))
        try:
            for view in views:
                local = Report(descriptor=report.descriptor)
                made, translated = _create_view(con, view, local, temporary, taken, schema, lite, runs, translator)
                found.append((local, translated))
                if made:
                    taken.add(view.name)
                    created.append(view)
                if runs is not None:
                    runs.done_with(view)
        finally:
            translator.submit(lambda: lite.result().close())
            if runs is not None:
                runs.release_all()
    for local, translated in found:
        for problem in local.problems:
            report.add(problem)
        report.not_listed += local.not_listed
        for problem in translated.result() if translated is not None else []:
            report.add(problem)
    return created


class _Runs:
    """Runs each view once in validation, however many later views read it.

    Run alone, a view that reads other views computes them again (event_series reads
    event_dyads_coded twice, which reads event_pairs and event_placement): at scale, most of
    validation's time went there. So a view that later views read is run to the end into a TEMP
    table (`view:NAME`; a ':' cannot occur in a view name) and pointed at that table until its last
    reader has run; then the table is dropped and the view has its own query again. Only a pass
    is taken from these runs: a view whose run fails, or takes longer than the time limit less
    what the materialised views it reads cost (once per mention, as inlining them would), is run
    again the original way (every view it reads inlined, the whole time limit), and that run's
    outcome is reported. So each verdict is that of running the view alone."""

    def __init__(self, con: duckdb.DuckDBPyConnection, views: list[View]):
        self.con = con
        self.order = {v.name: k for k, v in enumerate(views)}
        self.queries: dict[str, str] = {}
        self.mentions: dict[str, dict[str, int]] = {}
        for v in views:
            query, _ = view_query(v)
            self.queries[v.name] = query or ""
            words = [_unquote(t).lower() for t, _ in _tokens(query)] if query else []
            self.mentions[v.name] = {w: words.count(w) for w in set(words)}
        self.last_reader: dict[str, int] = {}
        for v in views:
            readers = [k for k, r in enumerate(views) if k > self.order[v.name] and self.mentions[r.name].get(v.name)]
            if readers:
                self.last_reader[v.name] = max(readers)
        self.seconds: dict[str, float] = {}  # materialised view -> what running it inlined costs (its run + the views it reads)

    def reads(self, view: View) -> dict[str, int]:
        """The materialised views `view` mentions, each with how many times."""
        return {n: c for n, c in self.mentions.get(view.name, {}).items() if n in self.seconds}

    def run(self, view: View, rel: str) -> bool:
        """The shared run of `view` (into its table when later views read it); True when it passed; else False, with
        everything as before it (the caller then runs the view the original way)."""
        import time

        reads = self.reads(view)
        keep = view.name in self.last_reader
        if not reads and not keep:
            return False
        before = sum(c * self.seconds[n] for n, c in reads.items())
        if before >= view_seconds():
            return False
        table = quote_ident(f"view:{view.name}")
        start = time.perf_counter()
        try:
            with time_limit(self.con, rel, view_seconds() - before):
                if keep:
                    self.con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT * FROM {quote_ident(view.name)}")
                else:
                    self.con.execute(f"SELECT count(*) FROM {quote_ident(view.name)}").fetchall()
        except (TimeLimitError, duckdb.Error):
            self.con.execute(f"DROP TABLE IF EXISTS {table}")
            return False
        if keep:
            self.con.execute(f"CREATE OR REPLACE TEMP VIEW {quote_ident(view.name)} AS SELECT * FROM {table}")
            self.seconds[view.name] = time.perf_counter() - start + before
        return True

    def inline(self, view: View) -> list[str]:
        """Give the materialised views that `view` reads their own queries back (for its run alone); their names."""
        names = list(self.reads(view))
        for name in names:
            self._restore(name)
        return names

    def reattach(self, names: list[str]) -> None:
        """Point views that inline() gave their queries back at their tables again."""
        for name in names:
            self.con.execute(f"CREATE OR REPLACE TEMP VIEW {quote_ident(name)} AS SELECT * FROM {quote_ident(f'view:{name}')}")

    def _restore(self, name: str) -> None:
        self.con.execute(f"CREATE OR REPLACE TEMP VIEW {quote_ident(name)} AS {self.queries[name]}")

    def done_with(self, view: View) -> None:
        """After `view`: drop the tables that no later view reads."""
        k = self.order[view.name]
        for name in [n for n in self.seconds if self.last_reader[n] <= k]:
            self._release(name)

    def _release(self, name: str) -> None:
        self._restore(name)
        self.con.execute(f"DROP TABLE IF EXISTS {quote_ident(f'view:{name}')}")
        del self.seconds[name]

    def release_all(self) -> None:
        """Every view has its own query again and no table is left."""
        for name in list(self.seconds):
            self._release(name)


def _create_view(con: duckdb.DuckDBPyConnection, view: View, report: Report, temporary: bool, taken: set[str],
                 schema: dict[str, dict[str, str]], lite: Future, runs: _Runs | None,
                 translator: ThreadPoolExecutor) -> tuple[bool, Future | None]:
    """Create and run one view (create_views); report why it cannot be created. (True when created, the future list
    of its translation's problems, run by `translator` with the probe `lite` will hold)."""
    rel = f"sql/{view.path.name}"
    if view.name in taken:
        report.add(Problem("view", rel, f"view {view.name!r} has the name of a table or of an earlier view"))
        return False, None
    query, why = view_query(view)
    if query is None:
        report.add(Problem("view", rel, why))
        return False, None
    from .dialects import view_source_problem

    if why := view_source_problem(query, taken):
        report.add(Problem("view", rel, why))
        return False, None
    sql = f"CREATE OR REPLACE {'TEMP ' if temporary else ''}VIEW {quote_ident(view.name)} AS {query}"
    if len(duckdb.extract_statements(sql)) != 1:
        report.add(Problem("view", rel, "the view's query does not stand alone as one statement"))
        return False, None
    try:
        con.execute(sql)
        if runs is None or not runs.run(view, rel):
            _run_alone(con, view, rel, runs)
    except TimeLimitError as exc:
        report.add(Problem("view", rel, f"view {view.name!r} {str(exc).split(': ', 1)[1]}"))
        return False, None
    except duckdb.Error as exc:
        report.add(Problem("view", rel, f"view {view.name!r} does not compile or run: {str(exc).splitlines()[0]}"))
        return False, None
    schema[view.name] = view_types(con, view)
    snapshot = dict(schema)  # the translation reads the views before this one, as they are now
    return True, translator.submit(lambda: [Problem("view", rel, why) for why in translate_problems(view, query, snapshot, lite.result())])


def _run_alone(con: duckdb.DuckDBPyConnection, view: View, rel: str, runs: _Runs | None) -> None:
    """Run the view to the end within the time limit, every view it reads inlined (TimeLimitError, duckdb.Error)."""
    names = runs.inline(view) if runs is not None else []
    try:
        with time_limit(con, rel):  # run to the end, in validation too: a view too slow for a build fails here first
            con.execute(f"SELECT count(*) FROM {quote_ident(view.name)}").fetchall()
    finally:
        if names:
            runs.reattach(names)


def duckdb_note_problems(view: View, tree) -> list[str]:
    """Where the header's '-- DuckDB-specific:' note and the constructs the parse finds disagree (one message each)."""
    from .dialects import CONSTRUCTS, constructs_in

    found = {c.key for c in constructs_in(tree)}
    note = view.duckdb_note
    named = {c.key for c in CONSTRUCTS if note is not None and c.note.lower() in note.lower()}
    words = {c.key: c.note for c in CONSTRUCTS}
    problems = [f"the header's '{NOTE}' note must name {words[k]} (the view uses it)" for k in sorted(found - named, key=list(words).index)]
    problems += [f"the header's '{NOTE}' note names {words[k]}, which the view does not use" for k in sorted(named - found, key=list(words).index)]
    if note is not None and not found:
        problems.append(f"the header has a '{NOTE}' line, but the view uses nothing DuckDB-specific: remove the line")
    return problems


def dependency_order(views: list[View]) -> list[View]:
    """Views ordered so that each comes after the views it reads (file order among the rest)."""
    import sqlglot
    from sqlglot import exp

    names = {v.name for v in views}
    reads: dict[str, set[str]] = {}
    for v in views:
        query, _ = view_query(v)
        try:
            tree = sqlglot.parse_one(query or "SELECT 1", read="duckdb")
        except sqlglot.errors.SqlglotError:
            reads[v.name] = set()
            continue
        ctes = {c.alias_or_name for c in tree.find_all(exp.CTE)}
        reads[v.name] = {t.name for t in tree.find_all(exp.Table)} & names - ctes - {v.name}
    done: list[View] = []
    pending = list(views)
    while pending:
        ready = next((v for v in pending if reads[v.name] <= {d.name for d in done}), pending[0])
        done.append(ready)
        pending.remove(ready)
    return done


def view_statements(tables, views: list[View], dialect: str) -> list[str]:
    """Every view's CREATE VIEW for `dialect` (duckdb, sqlite, spark), in dependency order, each under its header comment.

    `tables` are the package's schema.Table objects (their types let the translation see dates and lists).
    Raises dialects.TranslationError naming the file and the construct when a view cannot be translated."""
    from .dialects import DIALECTS, TranslationError, create_view, output_types, package_schema, parse_query, translate_query

    if dialect not in DIALECTS:
        raise ValueError(f"unknown dialect {dialect!r}; supported: {', '.join(DIALECTS)}")
    schema = package_schema(tables)
    out = []
    for v in dependency_order(views):
        rel = f"sql/{v.path.name}"
        query, why = view_query(v)
        if query is None:
            raise TranslationError(rel, dialect, why)
        tree = parse_query(query, schema, rel)
        schema[v.name] = output_types(tree)
        body = query.rstrip().rstrip(";").rstrip() if dialect == "duckdb" else translate_query(tree, dialect, rel)
        out.append("\n".join(v.header) + "\n" + create_view(v.name, body, dialect))
    return out


def translation_problems(con: duckdb.DuckDBPyConnection, view: View, query: str, schema: dict[str, dict[str, str]], probe: SqliteProbe) -> list[str]:
    """Why the view cannot be translated to SQLite or Spark (or its SQLite translation does not run in SQLite: `probe`
    is a dialects.SqliteProbe), and where its DuckDB-specific note is wrong; records the view's column types (from
    DuckDB) in `schema` for the views after it."""
    schema[view.name] = view_types(con, view)
    return translate_problems(view, query, schema, probe)


def view_types(con: duckdb.DuckDBPyConnection, view: View) -> dict[str, str]:
    """The view's columns and their DuckDB types."""
    return {r[0]: r[1] for r in con.execute(f"DESCRIBE SELECT * FROM {quote_ident(view.name)}").fetchall()}


def translate_problems(view: View, query: str, schema: dict[str, dict[str, str]], probe: SqliteProbe) -> list[str]:
    """translation_problems once the view's types are in `schema` (Python and SQLite only: no DuckDB)."""
    from .dialects import TranslationError, parse_query, translate_query

    rel = f"sql/{view.path.name}"
    try:
        tree = parse_query(query, schema, rel)
        translate_query(tree, "spark", rel)
        why = probe.problem(view.name, translate_query(tree, "sqlite", rel))
    except TranslationError as exc:
        return [f"cannot be translated to {exc.dialect}: {exc.construct}"]
    except (ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError) as exc:  # sqlglot failing on a hostile view
        return [f"cannot be translated to SQLite and Spark: sqlglot fails on it ({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''})"]
    return ([why] if why else []) + duckdb_note_problems(view, tree)
