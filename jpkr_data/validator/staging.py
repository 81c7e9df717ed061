"""Load CSV files into DuckDB (staging) after checking their path, encoding, header and shape.

Each file is read once, into its typed table (`typed:NAME`, in an in-memory database of its own,
compressed after each file): every field cast to its type (NULL when the text does not fit), the
text of every non-string field kept beside it, and the CSV row number (`_row`, header = row 1), so
that the schema checks can name the row, field and value of each error and nothing is coerced
silently. A file over 1 MB is read by DuckDB's parallel reader and its row numbers come from the
rows' positions (`typed:NAME` is then a view); it is read again the serial way when that read
fails or the file's shape check is not sure. `stg:NAME` is a view giving every field's text as
read. Each file is read only through a path checked to lie inside the package.
"""
from __future__ import annotations

import codecs
import csv
import io
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import duckdb

from ..schema import Field, Package, Table, quote_ident, sql_literal
from . import csvscan
from .paths import resolve_inside
from .report import Problem, Report

BOM = b"\xef\xbb\xbf"
MAX_PER_FILE = 200  # shape errors listed per file before the rest are counted
DUCKDB_LINE = 2_097_152  # DuckDB's default max_line_size: longer records need the option raised
SHOWN_NAMES = 10  # header names listed in one message
UTF8_CHUNK = 1 << 24  # bytes decoded at a time when only checking that a file is UTF-8

# Values a field of each type must look like before it is cast (frictionless defaults).
TYPE_PATTERNS = {
    "integer": r"[+-]?[0-9]+",
    "number": r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?|NaN|INF|-INF",
    "date": r"[0-9]{4}-[0-9]{2}-[0-9]{2}",
    "boolean": r"true|True|TRUE|1|false|False|FALSE|0",
    "year": r"[0-9]{4}",
}


def staging_name(table: Table) -> str:
    """The view of `table`'s fields as text, as read (a ':' cannot occur in a resource name, so no resource can take it)."""
    return quote_ident(f"stg:{table.name}")


# The typed tables live in an in-memory database of their own, stored compressed (a ':' cannot occur in a
# resource or view name, so no package object can take its name or theirs). DuckDB keeps TEMP tables
# uncompressed: at 1.7 M rows they held 500 MB; compressed after each file (CHECKPOINT), a tenth of it.
STAGE = quote_ident("jpkr:stage")


def attach_stage(con: duckdb.DuckDBPyConnection) -> None:
    """Attach the in-memory, compressed database of the typed tables (nothing is written to disk); uncompressed with a
    DuckDB that has no compressed in-memory database (1.3 and older)."""
    try:
        con.execute(f"ATTACH IF NOT EXISTS ':memory:' AS {STAGE} (COMPRESS)")
    except duckdb.Error:  # "Unrecognized option for attach" before 1.4
        con.execute(f"ATTACH IF NOT EXISTS ':memory:' AS {STAGE}")


def detach_stage(con: duckdb.DuckDBPyConnection) -> None:
    """Drop the typed tables and their database (after a build has copied them; validate's connection just closes)."""
    con.execute(f"DETACH DATABASE IF EXISTS {STAGE}")


def typed_name(table: Table) -> str:
    """The typed copy of `table`, in the staging database (a ':' cannot occur in a resource name, so no resource can take it)."""
    return f"{STAGE}.main.{quote_ident(f'typed:{table.name}')}"


def text_column(table: Table, f: Field) -> str:
    """The quoted column of the typed table that holds `f`'s text as read: the field itself for a string, else a
    column beside it named `raw:K` (K its position), with as many leading '_' as keep it apart from every field name."""
    if f.type == "string":
        return quote_ident(f.name)
    taken = {n.lower() for n in table.field_names}
    prefix = "raw:"
    while any(n.startswith(prefix) for n in taken):
        prefix = "_" + prefix
    return quote_ident(f"{prefix}{table.fields.index(f)}")


def typed_expr(f: Field) -> str:
    """SQL that turns the staged VARCHAR into the field's type (NULL when it does not fit)."""
    col = quote_ident(f.name)
    if f.type == "string":
        return col
    if f.type == "boolean":
        return f"CASE WHEN {col} IN ('true','True','TRUE','1') THEN TRUE WHEN {col} IN ('false','False','FALSE','0') THEN FALSE END"
    pattern = TYPE_PATTERNS.get(f.type)
    cast = f"TRY_CAST({col} AS {f.sql_type})"
    if pattern:
        return f"CASE WHEN regexp_full_match({col}, {sql_literal(pattern)}) THEN {cast} END"
    return cast


def _typed_select(table: Table) -> str:
    """The SELECT list of a typed table over a relation of the fields' text: _row, every field typed, the text of non-strings."""
    cols = [f"{typed_expr(f)} AS {quote_ident(f.name)}" for f in table.fields]
    cols += [f"{quote_ident(f.name)} AS {text_column(table, f)}" for f in table.fields if f.type != "string"]
    return "_row, " + ", ".join(cols)


def _create_text_view(con: duckdb.DuckDBPyConnection, table: Table) -> None:
    """stg:NAME, every field's text as read, with its row number (a view over the typed table: no copy)."""
    cols = ", ".join(f"{text_column(table, f)} AS {quote_ident(f.name)}" for f in table.fields)
    con.execute(f"CREATE OR REPLACE TEMP VIEW {staging_name(table)} AS SELECT _row, {cols} FROM {typed_name(table)}")


def _is_utf8(raw: bytes, rel: str, report: Report) -> bool:
    """Report a BOM or the line of the first byte that is not UTF-8; True when there is none.
    The file is decoded in chunks and the text dropped: a large file is never held twice."""
    if raw.startswith(BOM):
        report.add(Problem("encoding", rel, "file starts with a UTF-8 byte-order mark; save it without BOM", row=1))
        return False
    if raw.isascii():
        return True
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    view = memoryview(raw)
    try:
        for i in range(0, len(raw), UTF8_CHUNK):
            decoder.decode(view[i:i + UTF8_CHUNK], final=i + UTF8_CHUNK >= len(raw))
        return True
    except UnicodeDecodeError:
        pass
    try:
        raw.decode("utf-8")  # only to locate the first bad byte
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        report.add(Problem("encoding", rel, f"not UTF-8: byte 0x{raw[exc.start]:02x} at byte offset {exc.start} (line {line}); save the file as UTF-8",
                           row=line))
    return False


_LIMITS: list[int] = []  # the limits asked for by the _field_limit blocks open now (in any thread)
_LIMITS_BASE: list[int] = []  # the csv module's limit before the first of them
_LIMITS_LOCK = threading.Lock()


@contextmanager
def _field_limit(size: int) -> Iterator[None]:
    """Let the csv module read fields up to `size` characters (its default stops at 131,072), then restore the limit.

    The limit is global to the process and validation reads files in threads: the blocks open at once are counted
    under a lock, so the limit is the largest one open and returns to the original when the last closes (saving
    and restoring per block let overlapping blocks leave a raised limit behind, which disabled diff's field cap)."""
    want = min(size + 1, sys.maxsize)
    with _LIMITS_LOCK:
        if not _LIMITS:
            _LIMITS_BASE[:] = [csv.field_size_limit()]
        _LIMITS.append(want)
        csv.field_size_limit(max([_LIMITS_BASE[0], *_LIMITS]))
    try:
        yield
    finally:
        with _LIMITS_LOCK:
            _LIMITS.remove(want)
            csv.field_size_limit(max([_LIMITS_BASE[0], *_LIMITS]))


def _first_record(raw: bytes) -> list[str] | None:
    """The header record of a UTF-8 file, parsed without decoding the file (a header may span lines inside quotes)."""
    end = 0
    while True:
        nl = raw.find(b"\n", end)
        end = len(raw) if nl < 0 else nl + 1
        chunk = raw[:end]
        if chunk.count(b'"') % 2 == 0 or end == len(raw):
            break
    rows = list(csv.reader(io.StringIO(chunk.decode("utf-8"), newline=""), strict=True))
    return rows[0] if rows else None


def _names(names: list[str]) -> str:
    """At most SHOWN_NAMES names, then how many more."""
    shown = ", ".join(repr(n[:80]) for n in names[:SHOWN_NAMES])
    return shown + (f" and {len(names) - SHOWN_NAMES} more" if len(names) > SHOWN_NAMES else "")


def _check_header(header: list[str] | None, table: Table, rel: str, report: Report) -> bool:
    """The header names the schema's fields in order; linear in the number of columns."""
    if header is None or header == []:
        report.add(Problem("header", rel, "file is empty: expected a header row", row=1))
        return False
    expected = table.field_names
    if header == expected:
        return True
    dupes = sorted(h for h, n in Counter(header).items() if n > 1)
    if dupes:
        report.add(Problem("header", rel, f"duplicate header name(s): {_names(dupes)}", row=1))
    have, want = set(header), set(expected)
    missing = [f for f in expected if f not in have]
    extra = [h for h in header if h not in want]
    detail = []
    if missing:
        detail.append(f"missing {_names(missing)}")
    if extra:
        detail.append(f"unexpected {_names(extra)}")
    if not missing and not extra:
        detail.append("same names in a different order")
    shown = ",".join(header[:50])
    report.add(Problem("header", rel, f"header does not match the schema ({'; '.join(detail)}); expected {expected}",
                       row=1, value=shown[:500]))
    return False


class _CountingReader:
    """A csv reader that counts records (csv's line_num counts lines, which differ inside quoted newlines)."""

    def __init__(self, text: str):
        self._reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        self._jpkr_count = 0

    def __iter__(self):
        return self

    def __next__(self) -> list[str]:
        row = next(self._reader)
        self._jpkr_count += 1
        return row

    @property
    def line_num(self) -> int:
        return self._jpkr_count


def scan_rows(raw: bytes, table: Table, rel: str, report: Report) -> bool:
    """CSV syntax and ragged rows of a UTF-8 file. Large files are first checked with numpy (csvscan);
    the csv module parses the decoded text when that check is not sure, and locates any problem row by row."""
    width = len(table.field_names)
    if len(raw) >= csvscan.FAST_MIN_BYTES and csvscan.widths_certainly_ok(raw, width):
        return True
    text = raw.decode("utf-8")
    with _field_limit(len(text)):
        try:
            widths = set(map(len, csv.reader(io.StringIO(text, newline=""), strict=True)))  # C speed; locate only on failure
            if widths <= {width}:
                return True
        except csv.Error:
            pass
        reader = _CountingReader(text)
        bad = 0
        try:
            next(reader, None)
            for row in reader:
                if len(row) != width:
                    bad += 1
                    if bad <= MAX_PER_FILE:
                        report.add(Problem("ragged-row", rel, f"row has {len(row)} cells, expected {width}", row=reader.line_num))
        except csv.Error as exc:
            report.add(Problem("csv-syntax", rel, f"malformed CSV: {exc}", row=reader.line_num + 1))
            return False
    if bad > MAX_PER_FILE:
        report.add(Problem("ragged-row", rel, f"{bad - MAX_PER_FILE} more rows have a number of cells other than {width}"))
    return bad == 0


def data_file(pkg: Package, table: Table, report: Report) -> Path | None:
    """A table's CSV file, when its path stays inside the package and names a regular file (else a problem, None)."""
    rel = table.path
    path = resolve_inside(pkg.root, rel)
    if path is None:
        report.add(Problem("path", rel, f"the path of table {table.name!r} leads outside the package (through '..' or a symbolic link)"))
        return None
    if not path.exists():
        report.add(Problem("missing-file", rel, f"data file for table {table.name!r} does not exist"))
        return None
    if not path.is_file():
        kind = "a directory" if path.is_dir() else "not a regular file (a device, a FIFO or a socket)"
        report.add(Problem("missing-file", rel, f"the data file of table {table.name!r} is {kind}"))
        return None
    return path


MAX_DATA_BYTES = 256 << 20  # a table's CSV larger than this is refused unread (the largest today is under 1 MB)


def read_data_file(path: Path, table: Table, report: Report) -> bytes | None:
    """The bytes of a checked data file (a problem naming it, and None, when it cannot be read)."""
    try:
        size = path.stat().st_size
        if size > MAX_DATA_BYTES:  # before reading: a sparse file costs nothing on disk and everything in memory
            report.add(Problem("data-size", table.path, f"the data file of table {table.name!r} has {size} bytes, over the cap of "
                               f"{MAX_DATA_BYTES} bytes; not read"))
            return None
        return path.read_bytes()
    except OSError as exc:
        report.add(Problem("missing-file", table.path, f"the data file of table {table.name!r} cannot be read: {exc.strerror or exc}"))
        return None


def _large_file_ok(table: Table, path: Path) -> bool:
    """A large file read in chunks, never held whole: True when it is certainly fine (no byte-order mark, UTF-8,
    the schema's header, no carriage return, every record as wide as the header; csvscan); False when not sure,
    and the caller then checks the whole file the usual way, which names each problem."""
    scan = csvscan.ShapeScan(len(table.field_names))
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    try:
        with path.open("rb") as fh:
            for k, chunk in enumerate(iter(lambda: fh.read(csvscan.CHUNK), b"")):
                if k == 0 and (chunk.startswith(BOM) or _first_record(chunk) != table.field_names):
                    return False
                decoder.decode(chunk)
                scan.feed(chunk)
                if not scan.ok:
                    return False
        decoder.decode(b"", final=True)
    except (OSError, UnicodeDecodeError, csv.Error):
        return False
    return scan.finish()


def stage_table(con: duckdb.DuckDBPyConnection, pkg: Package, table: Table, raw: bytes | None) -> int:
    """Read one CSV into its typed table (fields cast, text of non-strings kept, row numbers) and its text view;
    return the row count.

    DuckDB reads the file unless its line endings are mixed or CR-only (DuckDB's reader takes one
    kind per file): those files are parsed by the csv module, as frictionless parses them. raw=None:
    a large file whose bytes are not held, read by DuckDB alone. A record longer than DuckDB's
    default line size is read again with the limit raised to the file's size."""
    path = resolve_inside(pkg.root, table.path)
    drop_typed(con, table)  # a parallel read of this file may have left a view (when its shape check was not sure)
    cols = ", ".join(quote_ident(n) for n in table.field_names)
    cr = 0 if raw is None else raw.count(b"\r")
    if cr and not (cr == raw.count(b"\r\n") == raw.count(b"\n")):
        rows = _stage_parsed(con, table, raw.decode("utf-8"))
    else:
        columns = "{" + ", ".join(f"{sql_literal(n)}: 'VARCHAR'" for n in table.field_names) + "}"

        def read(options: str) -> None:
            con.execute(
                f"CREATE OR REPLACE TABLE {typed_name(table)} AS SELECT {_typed_select(table)} FROM "
                f"(SELECT row_number() OVER () + 1 AS _row, {cols} FROM read_csv({sql_literal(str(path))}, "
                f"header = true, auto_detect = false, delim = ',', quote = '\"', escape = '\"', "
                f"columns = {columns}, strict_mode = true, parallel = false{options}))"
            )

        size = len(raw) if raw is not None else path.stat().st_size
        if raw is None and _read_in_parallel(con, table, path, columns):
            rows = con.execute(f"SELECT count(*) FROM {typed_name(table)}").fetchone()[0]
            _create_text_view(con, table)
            return rows
        try:
            read("")
        except duckdb.Error as exc:
            if size < DUCKDB_LINE or "line size" not in str(exc).lower():
                raise
            read(f", max_line_size = {size + 1}, buffer_size = {size + 2}")
        rows = con.execute(f"SELECT count(*) FROM {typed_name(table)}").fetchone()[0]
    _create_text_view(con, table)
    return rows


def _base_name(table: Table) -> str:
    """The typed table of a large file read in parallel, without its row numbers (typed_name is then a view adding them)."""
    return f"{STAGE}.main.{quote_ident(f'base:{table.name}')}"


def _read_in_parallel(con: duckdb.DuckDBPyConnection, table: Table, path: Path, columns: str) -> bool:
    """A large file read by DuckDB's parallel reader (both cores; it holds less of the file than the serial one).

    The rows keep the file's order (DuckDB preserves insertion order), so a row's number is its rowid + 2
    (header = row 1), given by the view typed_name over the table: the serial read numbers rows with a window
    over the whole file, which holds all of it once more. Only a pass is taken from this read: on any error
    (or a field named rowid, which would hide DuckDB's) the file is read the serial way, whose outcome is reported.
    True when the typed view stands."""
    if any(n.lower() == "rowid" for n in table.field_names):
        return False
    try:
        con.execute(
            f"CREATE OR REPLACE TABLE {_base_name(table)} AS SELECT {_typed_select(table).removeprefix('_row, ')} FROM "
            f"read_csv({sql_literal(str(path))}, header = true, auto_detect = false, delim = ',', quote = '\"', escape = '\"', "
            f"columns = {columns}, strict_mode = true, parallel = true)")
        con.execute(f"CREATE OR REPLACE VIEW {typed_name(table)} AS SELECT rowid + 2 AS _row, * FROM {_base_name(table)}")
    except duckdb.Error:
        drop_typed(con, table)
        return False
    return True


def drop_typed(con: duckdb.DuckDBPyConnection, table: Table) -> None:
    """Drop the typed table (or view and its table) of `table`, and its text view."""
    con.execute(f"DROP VIEW IF EXISTS {staging_name(table)}")
    for kind, name in (("VIEW", typed_name(table)), ("TABLE", typed_name(table)), ("TABLE", _base_name(table))):
        try:
            con.execute(f"DROP {kind} IF EXISTS {name}")
        except duckdb.CatalogException:  # the name is an object of the other kind
            pass


def _stage_parsed(con: duckdb.DuckDBPyConnection, table: Table, text: str) -> int:
    """Stage rows parsed by the csv module (empty cells become NULL, as DuckDB's reader makes them)."""
    with _field_limit(len(text)):
        rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))[1:]
    columns = [[cell or None for cell in col] for col in zip(*rows)] or [[] for _ in table.field_names]
    parts = ", ".join(f"unnest(${k + 2}::VARCHAR[]) AS {quote_ident(n)}" for k, n in enumerate(table.field_names))
    con.execute(f"CREATE OR REPLACE TABLE {typed_name(table)} AS SELECT {_typed_select(table)} FROM "
                f"(SELECT unnest(range(2, $1 + 2)) AS _row, {parts})", [len(rows), *columns])
    return len(rows)


def _shape(pkg: Package, table: Table, raw: bytes) -> tuple[bool, Report]:
    """Encoding, header and record shape of one file, into a report of its own (run beside DuckDB's read)."""
    local = Report(descriptor="")
    rel = table.path
    if not _is_utf8(raw, rel, local):
        return False, local
    with _field_limit(len(raw)):
        try:
            header = _first_record(raw)
        except csv.Error as exc:
            local.add(Problem("csv-syntax", rel, f"malformed CSV header: {exc}", row=1))
            return False, local
    if not _check_header(header, table, rel, local):
        return False, local
    return scan_rows(raw, table, rel, local), local


def stage_package(con: duckdb.DuckDBPyConnection, pkg: Package, report: Report) -> dict[str, Table]:
    """Stage every table whose CSV is well formed; return those that were staged.

    Every file's shape is checked (numpy for large files, else or when unsure Python's csv
    module): DuckDB 2.0's strict mode silently drops an unclosed quote at the end of a file and
    extra cells in some rows, so it cannot be trusted alone to reject a malformed file. The check
    runs in a second thread while DuckDB reads the same file (both release the GIL for the bulk
    of their work); a file the check rejects is dropped from staging. A large file is checked in
    chunks and never held whole (unless that check is not sure). Files are read only through
    paths checked to stay inside the package, one at a time.
    """
    staged: dict[str, Table] = {}
    attach_stage(con)
    with ThreadPoolExecutor(max_workers=1) as pool:
        for table in pkg.tables:
            report.ran("csv-hygiene")
            path = data_file(pkg, table, report)
            if path is None:
                continue
            result = _stage_large(con, pkg, table, path, pool) if _size(path) >= csvscan.FAST_MIN_BYTES else None
            if result is None:
                raw = read_data_file(path, table, report)
                if raw is None:
                    continue
                result = _stage_checked(con, pkg, table, raw, pool)
            rows, error, ok, local = result
            for problem in local.problems:
                report.add(problem)
            report.not_listed += local.not_listed
            if not ok or error is not None:
                drop_typed(con, table)
                if ok:
                    report.add(Problem("csv-syntax", table.path, f"DuckDB could not read the file: {error}"))
                continue
            report.tables[table.name] = rows
            staged[table.name] = table
            compress(con, table)
    return staged


def compress(con: duckdb.DuckDBPyConnection, table: Table) -> None:
    """Compress the typed table just read (CHECKPOINT of the staging database), before the next file is read."""
    con.execute(f"CHECKPOINT {STAGE}")


def _size(path: Path) -> int:
    """A file's size (0 when it cannot be read: it is then read, and reported, the usual way)."""
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _read_by_duckdb(con: duckdb.DuckDBPyConnection, pkg: Package, table: Table, raw: bytes | None) -> tuple[int, str | None]:
    """stage_table, with DuckDB's error (if any) as its first line."""
    try:
        return stage_table(con, pkg, table, raw), None
    except (duckdb.Error, UnicodeDecodeError) as exc:
        return 0, str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def _stage_checked(con, pkg: Package, table: Table, raw: bytes, pool: ThreadPoolExecutor) -> tuple[int, str | None, bool, Report]:
    """Stage a file whose bytes are held, its shape checked in the second thread meanwhile."""
    shape = pool.submit(_shape, pkg, table, raw)
    rows, error = _read_by_duckdb(con, pkg, table, raw)
    ok, local = shape.result()
    return rows, error, ok, local


def _stage_large(con, pkg: Package, table: Table, path: Path, pool: ThreadPoolExecutor) -> tuple[int, str | None, bool, Report] | None:
    """Stage a large file without holding its bytes, checked in chunks in the second thread meanwhile;
    None when that check is not sure (the caller then reads the bytes and checks the usual way)."""
    fine = pool.submit(_large_file_ok, table, path)
    rows, error = _read_by_duckdb(con, pkg, table, None)
    if not fine.result():
        return None
    return rows, error, True, Report(descriptor="")
