"""Load CSV files into DuckDB as text (staging) after checking their encoding, header and shape.

Every value is kept as VARCHAR with its CSV row number (`_row`, header = row 1), so that the
schema checks can name the row and field of each error and nothing is coerced silently.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import duckdb

from ..schema import Package, Table, quote_ident, sql_literal
from . import csvscan
from .report import Problem, Report

BOM = b"\xef\xbb\xbf"


def staging_name(table: Table) -> str:
    return quote_ident(f"stg_{table.name}")


def _check_bytes(raw: bytes, rel: str, report: Report) -> str | None:
    """Decode as UTF-8; report a BOM or the line of the first bad byte."""
    if raw.startswith(BOM):
        report.add(Problem("encoding", rel, "file starts with a UTF-8 byte-order mark; save it without BOM", row=1))
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        report.add(Problem("encoding", rel, f"not UTF-8: byte 0x{raw[exc.start]:02x} at byte offset {exc.start} (line {line}); save the file as UTF-8",
                           row=line))
        return None


def _lines(text: str) -> Iterator[str]:
    """The lines of `text`, newline kept, cut only as far as the reader asks."""
    start = 0
    while start < len(text):
        end = text.find("\n", start) + 1 or len(text)
        yield text[start:end]
        start = end


def _check_header(header: list[str] | None, table: Table, rel: str, report: Report) -> bool:
    if header is None:
        report.add(Problem("header", rel, "file is empty: expected a header row", row=1))
        return False
    expected = table.field_names
    ok = True
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        report.add(Problem("header", rel, f"duplicate header name(s): {', '.join(dupes)}", row=1))
        ok = False
    if header != expected:
        missing = [f for f in expected if f not in header]
        extra = [h for h in header if h not in expected]
        detail = []
        if missing:
            detail.append(f"missing {missing}")
        if extra:
            detail.append(f"unexpected {extra}")
        if not missing and not extra:
            detail.append("same names in a different order")
        report.add(Problem("header", rel, f"header does not match the schema ({'; '.join(detail)}); expected {expected}",
                           row=1, value=",".join(header)))
        ok = False
    return ok


def scan_rows(raw: bytes, text: str, table: Table, rel: str, report: Report) -> bool:
    """CSV syntax and ragged rows of a file (its bytes and decoded text). Large files are first
    checked with numpy (csvscan); the csv module parses the text when that check is not sure,
    and locates any problem row by row."""
    width = len(table.field_names)
    if len(raw) >= csvscan.FAST_MIN_BYTES and csvscan.widths_certainly_ok(raw, width):
        return True
    try:
        widths = set(map(len, csv.reader(io.StringIO(text, newline=""), strict=True)))  # C speed; locate only on failure
        if widths <= {width}:
            return True
    except csv.Error:
        pass
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    ok = True
    try:
        next(reader, None)
        for rownum, row in enumerate(reader, start=2):
            if len(row) != width:
                report.add(Problem("ragged-row", rel, f"row has {len(row)} cells, expected {width}", row=rownum))
                ok = False
    except csv.Error as exc:
        report.add(Problem("csv-syntax", rel, f"malformed CSV: {exc}", row=reader.line_num))
        return False
    return ok


def check_csv_shape(table: Table, path: Path, rel: str, report: Report) -> tuple[bytes, str] | None:
    """Encoding and header (fast: the first record only). Returns the file's bytes and text when loadable."""
    report.ran("csv-hygiene")
    if not path.is_file():
        report.add(Problem("missing-file", rel, f"data file for table {table.name!r} does not exist"))
        return None
    raw = path.read_bytes()
    text = _check_bytes(raw, rel, report)
    if text is None:
        return None
    reader = csv.reader(_lines(text), strict=True)  # lazily: a StringIO would copy the whole file
    try:
        header = next(reader, None)
    except csv.Error as exc:
        report.add(Problem("csv-syntax", rel, f"malformed CSV header: {exc}", row=1))
        return None
    return (raw, text) if _check_header(header, table, rel, report) else None


def stage_table(con: duckdb.DuckDBPyConnection, table: Table, path: Path) -> int:
    """Copy one CSV into a VARCHAR staging table with its row numbers; return the row count."""
    columns = "{" + ", ".join(f"{sql_literal(n)}: 'VARCHAR'" for n in table.field_names) + "}"
    cols = ", ".join(quote_ident(n) for n in table.field_names)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {staging_name(table)} AS "
        f"SELECT row_number() OVER () + 1 AS _row, {cols} FROM read_csv({sql_literal(str(path))}, "
        f"header = true, auto_detect = false, delim = ',', quote = '\"', escape = '\"', "
        f"columns = {columns}, strict_mode = true, parallel = false)"
    )
    return con.execute(f"SELECT count(*) FROM {staging_name(table)}").fetchone()[0]


def stage_package(con: duckdb.DuckDBPyConnection, pkg: Package, report: Report) -> dict[str, Table]:
    """Stage every table whose CSV is well formed; return those that were staged.

    Every file's shape is checked before DuckDB reads it (numpy for large files, else or when
    unsure Python's csv module): DuckDB 2.0's strict mode silently drops an unclosed quote at
    the end of a file and extra cells in some rows, so it cannot be trusted alone to reject a
    malformed file.
    """
    staged: dict[str, Table] = {}
    for table in pkg.tables:
        path = pkg.root / table.path
        loaded = check_csv_shape(table, path, table.path, report)
        if loaded is None:
            continue
        if not scan_rows(*loaded, table, table.path, report):
            continue
        try:
            report.tables[table.name] = stage_table(con, table, path)
        except duckdb.Error as exc:
            report.add(Problem("csv-syntax", table.path, f"DuckDB could not read the file: {str(exc).splitlines()[0]}"))
            continue
        staged[table.name] = table
    return staged
