"""Flat files for the views: views/<name>.csv and views/<name>.parquet, described by datapackage-views.json.

List columns (e.g. `timeline.actor_ids`) are JSON arrays in the CSV files (Table Schema type `array`,
so frictionless and any JSON parser read them back as lists) and real lists in Parquet.
The views live in their own descriptor because `datapackage.json` is the package of source tables
that jpkr-data validates and builds from; the views are derived from it.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from .. import validator as _validator  # noqa: F401  (views imports the validator: load it first, no import cycle)
from ..schema import Package, quote_ident, sql_literal
from ..timelimit import time_limit
from ..views import View, discover_views

FRICTIONLESS_TYPES = {"VARCHAR": "string", "BIGINT": "integer", "INTEGER": "integer", "HUGEINT": "integer", "SMALLINT": "integer",
                      "TINYINT": "integer", "UBIGINT": "integer", "DOUBLE": "number", "FLOAT": "number", "BOOLEAN": "boolean",
                      "DATE": "date", "TIMESTAMP": "datetime"}
DESCRIPTOR = "datapackage-views.json"


def field_type(duckdb_type: str) -> str:
    """The Table Schema type of a DuckDB column type (lists and structs are JSON: `array` / `object`)."""
    if duckdb_type.endswith("]"):
        return "array"
    if duckdb_type.startswith(("STRUCT", "MAP")):
        return "object"
    if duckdb_type.startswith("DECIMAL"):
        return "number"
    return FRICTIONLESS_TYPES.get(duckdb_type, "string")


def column_descriptions(view: View, pkg: Package, columns: list[str]) -> dict[str, str]:
    """Each column's description: the view header's, else the same-named table column's (said so), else empty."""
    own = view.columns
    table_desc: dict[str, str] = {}
    for t in pkg.tables:
        for f in t.fields:
            if f.description:
                table_desc.setdefault(f.name, f"{f.description} (as in {t.name}.{f.name})")
    return {c: own.get(c) or table_desc.get(c, "") for c in columns}


def _cell(value: Any) -> str:
    """A value as a CSV cell: lists and structs as JSON, dates ISO, missing empty."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple, dict)):
        return json.dumps(value, ensure_ascii=False, default=lambda v: v.isoformat() if isinstance(v, dt.date) else str(v))
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


@contextmanager
def one_thread(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Run with one thread, so rows that tie in a view's ORDER BY come out in the same order on every build."""
    before = con.execute("SELECT current_setting('threads')").fetchone()[0]
    con.execute("SET threads = 1")
    try:
        yield
    finally:
        con.execute(f"SET threads = {int(before)}")


def view_columns(con: duckdb.DuckDBPyConnection, name: str) -> list[tuple[str, str]]:
    """(column, DuckDB type) of a view."""
    return [(r[0], r[1]) for r in con.execute(f"DESCRIBE SELECT * FROM {quote_ident(name)}").fetchall()]


def _export_view(con: duckdb.DuckDBPyConnection, pkg: Package, view: View, folder: Path) -> dict[str, Any]:
    """One view as views/<name>.csv and .parquet; returns its Frictionless resource."""
    cols = view_columns(con, view.name)
    names = [c for c, _ in cols]
    desc = column_descriptions(view, pkg, names)
    cur = con.execute(f"SELECT * FROM {quote_ident(view.name)}")
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(names)
    writer.writerows([_cell(v) for v in row] for row in cur.fetchall())
    data = buf.getvalue().encode("utf-8")
    (folder / f"{view.name}.csv").write_bytes(data)
    meta = {"jpkr:view": view.name, "jpkr:question": view.question, "jpkr:columns": json.dumps(desc, ensure_ascii=False)}
    kv = ", ".join(f"{sql_literal(k)}: {sql_literal(v)}" for k, v in meta.items())
    pq_path = folder / f"{view.name}.parquet"
    con.execute(f"COPY (SELECT * FROM {quote_ident(view.name)}) TO {sql_literal(str(pq_path))} "
                f"(FORMAT parquet, COMPRESSION zstd, KV_METADATA {{{kv}}})")
    fields = [{"name": c, "type": field_type(t), "description": desc[c]} for c, t in cols]
    return {"name": view.name, "title": view.question, "description": view.description, "path": f"views/{view.name}.csv",
            "profile": "tabular-data-resource", "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
            "hash": f"sha256:{hashlib.sha256(data).hexdigest()}", "bytes": len(data), "schema": {"fields": fields},
            "jpkr:parquet": f"views/{view.name}.parquet", "jpkr:sql": f"sql/{view.path.name}"}


def export_views(con: duckdb.DuckDBPyConnection, pkg: Package, out: Path) -> dict[str, Any]:
    """Write every view as CSV and Parquet under out/views and return the views' Frictionless descriptor."""
    folder = out / "views"
    folder.mkdir(parents=True, exist_ok=True)
    resources = []
    with one_thread(con):
        for view in discover_views(pkg.root):
            with time_limit(con, f"sql/{view.path.name}"):  # the same limit validate applied (timelimit.py)
                resources.append(_export_view(con, pkg, view, folder))
    d = pkg.descriptor
    return {"profile": "tabular-data-package", "name": f"{d['name']}-views", "title": f"{d.get('title', d['name'])}: views as flat files",
            "description": "Every SQL view of the release as a flat table (CSV here, Parquet beside each CSV), computed from the tables "
                           "of datapackage.json. List columns are JSON arrays in the CSV files and lists in Parquet.",
            "version": d.get("version"), "created": d.get("created"), "licenses": d.get("licenses", []),
            "contributors": d.get("contributors", []), "resources": resources}


def write_views(con: duckdb.DuckDBPyConnection, pkg: Package, out: Path) -> Path:
    """Export the views and write datapackage-views.json beside them."""
    descriptor = export_views(con, pkg, out)
    target = out / DESCRIPTOR
    target.write_text(json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n", encoding="utf-8", newline="\n")
    return target
