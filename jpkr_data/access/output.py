"""Printing query results for the command line: aligned text, CSV or JSON, streamed in batches.

JSON is always valid (RFC 8259): DATE/TIME/TIMESTAMP as ISO 8601 strings, INTERVAL as an ISO 8601
duration string, DECIMAL as an exact JSON number, HUGEINT as an integer, BLOB as base64 text, UUID
as text, LIST as arrays, STRUCT and MAP as objects (map keys as text), NaN and +-Infinity as null.
CSV cannot carry a NUL character: a value holding one stops the output with an error naming its row
and column (use --format json). The text table escapes control characters and aligns columns on the
first batch of rows; later rows are printed as they come, cut at the same widths.
"""
from __future__ import annotations

import base64
import codecs
import csv
import datetime as dt
import decimal
import json
import math
import uuid
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TextIO

BATCH = 10_000
_CONTROL = {i: f"\\x{i:02x}" for i in [*range(0x20), 0x7F]}
_CONTROL.update({ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t"})


class OutputError(ValueError):
    """A value the chosen output format cannot carry."""


def _duration(td: dt.timedelta) -> str:
    """A timedelta as an ISO 8601 duration (days and seconds), e.g. P90DT0S, -P1DT3600.5S."""
    us = td // dt.timedelta(microseconds=1)
    sign = "-" if us < 0 else ""
    days, rest = divmod(abs(us), 86_400_000_000)
    seconds = rest / 1_000_000
    return f"{sign}P{days}DT{seconds:g}S"


def json_text(value: Any) -> str:
    """One DuckDB value as JSON text."""
    if value is None or value is True or value is False:
        return json.dumps(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else "null"
    if isinstance(value, decimal.Decimal):
        if not value.is_finite():
            return "null"
        text = format(value, "f") if -30 < value.adjusted() < 30 else format(value, "E")
        return text if text.lstrip("-")[:1].isdigit() else "null"
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return json.dumps(value.isoformat())
    if isinstance(value, dt.timedelta):
        return json.dumps(_duration(value))
    if isinstance(value, (bytes, bytearray, memoryview)):
        return json.dumps(base64.b64encode(bytes(value)).decode("ascii"))
    if isinstance(value, uuid.UUID):
        return json.dumps(str(value))
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(_key(k), ensure_ascii=False)}: {json_text(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(json_text(v) for v in value) + "]"
    tolist = getattr(value, "tolist", None)
    if callable(tolist):  # numpy scalar or array
        return json_text(tolist())
    return json.dumps(str(value), ensure_ascii=False)


def _key(k: Any) -> str:
    """A MAP key as JSON object key text."""
    if isinstance(k, str):
        return k
    text = json_text(k)
    return json.loads(text) if text.startswith('"') else text


def cell(value: Any) -> str:
    """One value as text for CSV: NULL empty, lists in brackets, dates ISO, blobs as escaped bytes."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(cell(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{cell(k)}: {cell(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return str(bytes(value))[2:-1]
    return str(value)


def batches(fetchmany: Callable[[int], list[tuple]], size: int = BATCH) -> Iterator[list[tuple]]:
    """Rows in batches until the result is exhausted."""
    while True:
        rows = fetchmany(size)
        if not rows:
            return
        yield rows


def write_csv(columns: list[str], chunks: Iterable[list[tuple]], out: TextIO) -> int:
    """CSV with a header; a NUL in any value raises OutputError naming the row (header = row 1) and column."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    n = 0
    for rows in chunks:
        lines = [[cell(v) for v in r] for r in rows]
        for i, line in enumerate(lines):
            for col, text in zip(columns, line):
                if "\x00" in text:
                    writer.writerows(lines[:i])
                    raise OutputError(f"row {n + i + 2}, column {col!r}: the value holds a NUL character, which CSV cannot carry; "
                                      "use --format json")
        writer.writerows(lines)
        n += len(lines)
    return n


def write_json(columns: list[str], chunks: Iterable[list[tuple]], out: TextIO) -> int:
    """A JSON array of row objects, written row by row."""
    keys = [json.dumps(c, ensure_ascii=False) for c in columns]
    out.write("[")
    n = 0
    for rows in chunks:
        for r in rows:
            out.write(("," if n else "") + "\n {" + ", ".join(f"{k}: {json_text(v)}" for k, v in zip(keys, r)) + "}")
            n += 1
    out.write("\n]\n" if n else "]\n")
    return n


def write_table(columns: list[str], chunks: Iterable[list[tuple]], out: TextIO, width: int = 60) -> int:
    """Aligned text: widths from the first batch, control characters escaped, long values cut with '…'."""
    def fit(text: str, w: int) -> str:
        text = text.translate(_CONTROL)
        return text if len(text) <= w else text[: max(w - 1, 0)] + "…"

    heads = [fit(c, width) for c in columns]
    widths: list[int] | None = None
    n = 0
    for rows in chunks:
        cells = [[fit(cell(v), width) for v in r] for r in rows]
        if widths is None:
            widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(heads)]
            out.write("  ".join(h.ljust(w) for h, w in zip(heads, widths)).rstrip() + "\n")
            out.write("  ".join("-" * w for w in widths) + "\n")
        for r in cells:
            out.write("  ".join(fit(c, w).ljust(w) for c, w in zip(r, widths)).rstrip() + "\n")
        n += len(cells)
    if widths is None:
        out.write("  ".join(heads).rstrip() + "\n" + "  ".join("-" * len(h) for h in heads) + "\n")
    out.write(f"({n} rows)\n")
    return n


WRITERS = {"csv": write_csv, "json": write_json, "table": write_table}


def _json_escape(exc: UnicodeError) -> tuple[str, int]:
    """Codec error handler: a character the output encoding lacks becomes a JSON \\uXXXX escape (surrogate pairs beyond U+FFFF)."""
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    out = []
    for ch in exc.object[exc.start:exc.end]:
        data = ch.encode("utf-16-be", "surrogatepass")
        out += [f"\\u{int.from_bytes(data[i:i + 2], 'big'):04x}" for i in range(0, len(data), 2)]
    return "".join(out), exc.end


codecs.register_error("jpkr-json", _json_escape)
# How each format meets an output encoding that lacks a character (PYTHONIOENCODING=ascii, a Latin-1 console):
# JSON escapes it (the value decodes back unchanged); CSV stops with an error (a changed value would be silent);
# the text table, for reading only, shows a visible \\x escape.
ENCODING_ERRORS = {"json": "jpkr-json", "csv": "strict", "table": "backslashreplace"}


def configure_stream(stream: TextIO, fmt: str | None) -> None:
    """Set how `stream` handles characters its encoding cannot carry, for output format `fmt` (see ENCODING_ERRORS)."""
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is not None:
        try:
            reconfigure(errors=ENCODING_ERRORS.get(fmt or "table", "backslashreplace"))
        except (ValueError, OSError):
            pass


def print_rows(columns: list[str], rows: list[tuple], fmt: str, out: TextIO, width: int = 60) -> int:
    """Print an in-memory result (small listings: tables, describe)."""
    if fmt == "table":
        return write_table(columns, [rows], out, width)
    return WRITERS[fmt](columns, [rows], out)
