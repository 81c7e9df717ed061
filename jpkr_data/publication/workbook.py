"""jpkr-data.xlsx: one sheet per table and per view, a first sheet that explains them (openpyxl).

Text stays text (CAMEO "040" keeps its zero, a value starting with '=' is never a formula), dates are
Excel dates, lists are joined with "; ", the header row is frozen and filterable. The file is
byte-reproducible: document properties and zip timestamps come from the package's `created` date.
"""
from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path
from typing import Any

import duckdb
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from .. import validator as _validator  # noqa: F401  (views imports the validator: load it first, no import cycle)
from ..schema import Package, quote_ident
from ..views import discover_views
from .flat import column_descriptions, one_thread, view_columns

ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # characters XML 1.0 (and so .xlsx) cannot hold
MAX_CELL = 32767  # Excel's limit on characters in a cell
LIST_SEPARATOR = "; "
INVALID_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def sheet_title(name: str, taken: set[str]) -> str:
    """A valid, unique sheet name: no []:*?/\\, at most 31 characters."""
    base = INVALID_SHEET_CHARS.sub("_", name).strip("'") or "sheet"
    title, n = base[:31], 1
    while title.lower() in taken:
        n += 1
        suffix = f"~{n}"
        title = base[: 31 - len(suffix)] + suffix
    taken.add(title.lower())
    return title


def text_value(value: str) -> str:
    """A string Excel can hold: control characters shown as \\xNN, cut at Excel's cell limit (marked)."""
    value = ILLEGAL.sub(lambda m: f"\\x{ord(m.group()):02x}", value)
    return value if len(value) <= MAX_CELL else value[: MAX_CELL - 12] + " [truncated]"


def put(ws, row: int, col: int, value: Any) -> Cell:
    """Write one cell with its honest type: strings always as text, dates as dates, lists joined."""
    cell = ws.cell(row=row, column=col)
    if value is None:
        return cell
    if isinstance(value, (list, tuple)):
        value = LIST_SEPARATOR.join("" if v is None else (v.isoformat() if isinstance(v, dt.date) else str(v)) for v in value)
    if isinstance(value, str):
        cell.value = text_value(value)
        cell.data_type = "s"  # never a formula, never a number
    elif isinstance(value, dt.datetime):
        cell.value, cell.number_format = value, "yyyy-mm-dd hh:mm:ss"
    elif isinstance(value, dt.date):
        cell.value, cell.number_format = value, "yyyy-mm-dd"
    elif isinstance(value, (bool, int, float)):
        cell.value = value
    else:
        cell.value = text_value(str(value))
        cell.data_type = "s"
    return cell


def fill_sheet(ws, columns: list[str], rows: list[tuple], descriptions: dict[str, str]) -> None:
    """Header (bold, frozen, filter, column description as comment-free tooltip row), then the rows."""
    bold = Font(bold=True)
    for j, c in enumerate(columns, start=1):
        put(ws, 1, j, c).font = bold
    for i, r in enumerate(rows, start=2):
        for j, v in enumerate(r, start=1):
            put(ws, i, j, v)
    ws.freeze_panes = "A2"
    if columns:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(1, len(rows) + 1)}"
    for j, c in enumerate(columns, start=1):
        longest = max([len(c)] + [len(str(r[j - 1])) for r in rows[:200] if r[j - 1] is not None])
        ws.column_dimensions[get_column_letter(j)].width = min(60, max(8, longest + 2))


def build_workbook(pkg: Package, con: duckdb.DuckDBPyConnection) -> Workbook:
    """The workbook: 'About' sheet, then one sheet per table and per view."""
    d = pkg.descriptor
    wb = Workbook()
    about = wb.active
    about.title = "About"
    taken = {"about"}
    sheets: list[tuple[str, str, str, int, str]] = []  # (sheet, kind, name, rows, description)
    items = [("table", t.name, t.description, [f.name for f in t.fields], {f.name: f.description for f in t.fields}) for t in pkg.tables]
    for v in discover_views(pkg.root):
        cols = [c for c, _ in view_columns(con, v.name)]
        items.append(("view", v.name, v.question, cols, column_descriptions(v, pkg, cols)))
    for kind, name, description, cols, descs in items:
        with one_thread(con):
            rows = con.execute(f"SELECT {', '.join(quote_ident(c) for c in cols)} FROM {quote_ident(name)}").fetchall()
        title = sheet_title(name, taken)
        fill_sheet(wb.create_sheet(title), cols, rows, descs)
        sheets.append((title, kind, name, len(rows), description))
    lic = ", ".join(x.get("name", "") for x in d.get("licenses", [])) or "CC-BY-4.0"
    authors = ", ".join(c.get("title", "") for c in d.get("contributors", [])) or "jpkr-data contributors"
    intro = [
        (d.get("title", d["name"]),), (f"Version {d.get('version', '')}, {str(d.get('created', ''))[:10]}",),
        (d.get("description", ""),), (),
        (f"Licence: {lic} (curated data). The source news articles are not included and are not relicensed.",),
        (f"Cite as: {authors} ({str(d.get('created', ''))[:4]}). {d.get('title', d['name'])}, version {d.get('version', '')}. "
         f"{d.get('homepage', '')} (see CITATION.cff).",),
        ("Text cells are text: codes such as CAMEO 040 keep their leading zeros. Dates are dates. Lists are joined with '; '. "
         "Offsets count Unicode code points into the source article. Every column is described in CODEBOOK.md.",), (),
    ]
    for i, line in enumerate(intro, start=1):
        for j, v in enumerate(line, start=1):
            put(about, i, j, v)
    about["A1"].font = Font(bold=True, size=14)
    start = len(intro) + 1
    fill_sheet_rows = [(s, k, n, r, desc) for s, k, n, r, desc in sheets]
    header = ["sheet", "kind", "name", "rows", "what it is"]
    for j, h in enumerate(header, start=1):
        put(about, start, j, h).font = Font(bold=True)
    for i, r in enumerate(fill_sheet_rows, start=start + 1):
        for j, v in enumerate(r, start=1):
            put(about, i, j, v)
    for col, width in zip("ABCDE", (24, 8, 24, 8, 100)):
        about.column_dimensions[col].width = width
    when = dt.datetime.fromisoformat(str(d.get("created", "2000-01-01T00:00:00Z")).replace("Z", "+00:00")).replace(tzinfo=None)
    wb.properties.created = wb.properties.modified = when
    wb.properties.creator = authors
    wb.properties.title = d.get("title", d["name"])
    return wb


def write_workbook(pkg: Package, con: duckdb.DuckDBPyConnection, target: Path) -> Path:
    """Save the workbook with fixed zip timestamps, so two builds of one package give the same bytes."""
    buf = io.BytesIO()
    build_workbook(pkg, con).save(buf)
    when = dt.datetime.fromisoformat(str(pkg.descriptor.get("created", "2000-01-01T00:00:00Z")).replace("Z", "+00:00"))
    stamp = (max(when.year, 1980), when.month, when.day, 0, 0, 0)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            new = zipfile.ZipInfo(info.filename, stamp)
            new.compress_type, new.external_attr = zipfile.ZIP_DEFLATED, 0o644 << 16
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps 'modified' with the clock on save
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                              lambda m: m.group(1) + when.strftime("%Y-%m-%dT%H:%M:%SZ").encode() + m.group(2), data)
            dst.writestr(new, data)
    target.write_bytes(out.getvalue())
    return target
