"""jpkr.sqlite and datasette-metadata.json: the release as a SQLite database that Datasette serves as an explorer.

`datasette jpkr.sqlite -m datasette-metadata.json` then browses every table (types, primary and foreign keys) and
every view (translated from sql/ by dialects.py), searches titles, quotations, statements and evidence (FTS5), and
answers the JSON API. In SQLite a list is a JSON array (text), a date an ISO date (text), a boolean 0 or 1.
"""
from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path
from typing import Any

import duckdb

from ..schema import Field, Package, Table, quote_ident
from ..views import View, view_statements

SQLITE_TYPES = {"string": "TEXT", "integer": "INTEGER", "number": "REAL", "boolean": "BOOLEAN", "date": "DATE",
                "datetime": "DATETIME", "year": "INTEGER"}
# Columns indexed for full-text search, wherever a table has them: titles, names, quotation and statement text, evidence.
FTS_COLUMNS = ("title", "headline", "name", "alias", "text", "evidence_text")
MAX_FACETS = 4  # enum columns offered as facets per table or view
NOT_FACETS = ("basis", "_span_type", "_mark")  # enum columns about provenance or typography: kept out of the facets


def facet_worthy(f: Field) -> bool:
    """An enum column a reader filters by (a type, status, role, mode), not one that records provenance."""
    return f.enum is not None and not f.name.endswith(NOT_FACETS)


def sqlite_type(f: Field) -> str:
    """The column's declared SQLite type (a list field is TEXT holding a JSON array)."""
    return "TEXT" if f.separator else SQLITE_TYPES.get(f.type, "TEXT")


def create_table_sql(t: Table) -> str:
    """CREATE TABLE with types, NOT NULL, the primary key and every foreign key of the Table Schema."""
    lines = [f"{quote_ident(f.name)} {sqlite_type(f)}{' NOT NULL' if f.required else ''}" for f in t.fields]
    if t.primary_key:
        lines.append(f"PRIMARY KEY ({', '.join(map(quote_ident, t.primary_key))})")
    for fk in t.foreign_keys:
        lines.append(f"FOREIGN KEY ({', '.join(map(quote_ident, fk.fields))}) REFERENCES {quote_ident(fk.resource)} "
                     f"({', '.join(map(quote_ident, fk.ref_fields))})")
    return f"CREATE TABLE {quote_ident(t.name)} (\n  " + ",\n  ".join(lines) + "\n)"


def sqlite_value(value: Any) -> Any:
    """A DuckDB value as SQLite stores it: lists as JSON arrays, dates ISO, booleans 0/1."""
    if isinstance(value, (list, tuple)):
        return json.dumps([v.isoformat() if isinstance(v, dt.date) else v for v in value], ensure_ascii=False)
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def fts_columns(t: Table) -> list[str]:
    return [f.name for f in t.fields if f.name in FTS_COLUMNS and not f.separator]


def write_sqlite(con: duckdb.DuckDBPyConnection, pkg: Package, views: list[View], target: Path) -> Path:
    """Write `target` (which must not exist): the tables from the DuckDB connection, their FTS5 indexes, and every view."""
    db = sqlite3.connect(target)
    try:
        for t in pkg.load_order():
            db.execute(create_table_sql(t))
            cols = ", ".join(quote_ident(f.name) for f in t.fields)
            order = ", ".join(map(quote_ident, t.primary_key)) or cols
            rows = con.execute(f"SELECT {cols} FROM {quote_ident(t.name)} ORDER BY {order}").fetchall()
            marks = ", ".join("?" for _ in t.fields)
            db.executemany(f"INSERT INTO {quote_ident(t.name)} VALUES ({marks})", [tuple(map(sqlite_value, r)) for r in rows])
            if searchable := fts_columns(t):
                fts = quote_ident(f"{t.name}_fts")
                names = ", ".join(map(quote_ident, searchable))
                db.execute(f"CREATE VIRTUAL TABLE {fts} USING fts5({names}, content={quote_ident(t.name)})")
                db.execute(f"INSERT INTO {fts} (rowid, {names}) SELECT rowid, {names} FROM {quote_ident(t.name)}")
        for statement in view_statements(pkg.tables, views, "sqlite"):
            db.execute(statement)
        for v in views:
            db.execute(f"SELECT count(*) FROM {quote_ident(v.name)}").fetchone()  # every view runs
        db.commit()
        problems = db.execute("PRAGMA foreign_key_check").fetchall()
        if problems:
            raise ValueError(f"{target}: foreign keys broken in SQLite: {problems[:3]}")
    finally:
        db.close()
    return target


def citation(pkg: Package) -> str:
    """How to cite the dataset, in one line."""
    d = pkg.descriptor
    authors = ", ".join(c.get("title", "") for c in d.get("contributors", [])) or "jpkr-data contributors"
    year = str(d.get("created", ""))[:4]
    return f"{authors} ({year}). {d.get('title', d['name'])}, version {d.get('version', '')}. {d.get('homepage', '')}".strip()


def datasette_metadata(pkg: Package, views: list[View], list_columns: dict[str, list[str]]) -> dict[str, Any]:
    """Datasette's metadata: title, licence, source, citation, a description of every table, view and column,
    full-text search where a table has text, and facets on enum and list columns. `list_columns`: view -> its list columns."""
    d = pkg.descriptor
    lic = (d.get("licenses") or [{}])[0]
    enums = {f.name for t in pkg.tables for f in t.fields if facet_worthy(f)}
    tables: dict[str, Any] = {}
    for t in pkg.tables:
        meta: dict[str, Any] = {"title": t.title, "description": t.description, "columns": {f.name: f.description for f in t.fields}}
        facets: list[Any] = [f.name for f in t.fields if facet_worthy(f)][:MAX_FACETS]
        facets += [{"array": f.name} for f in t.fields if f.separator]
        if facets:
            meta["facets"] = facets
        if fts_columns(t):
            meta["fts_table"], meta["fts_pk"], meta["searchmode"] = f"{t.name}_fts", "rowid", "raw"
        tables[t.name] = meta
    for v in views:
        meta = {"title": v.question, "description": v.description, "columns": dict(v.columns)}
        facets = [c for c in v.columns if c in enums][:MAX_FACETS] + [{"array": c} for c in list_columns.get(v.name, [])]
        if facets:
            meta["facets"] = facets
        tables[v.name] = meta
    return {"title": d.get("title", d["name"]), "description": f"{d.get('description', '')}\n\nCite as: {citation(pkg)}",
            "license": lic.get("title") or lic.get("name", ""), "license_url": lic.get("path", ""),
            "source": "jpkr-data", "source_url": d.get("homepage", ""),
            "databases": {"jpkr": {"tables": tables}}}


def write_datasette(con: duckdb.DuckDBPyConnection, pkg: Package, views: list[View], out: Path) -> list[Path]:
    """out/jpkr.sqlite and out/datasette-metadata.json."""
    db = write_sqlite(con, pkg, views, out / "jpkr.sqlite")
    lists = {v.name: [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {quote_ident(v.name)}").fetchall() if r[1].endswith("]")] for v in views}
    meta = out / "datasette-metadata.json"
    meta.write_text(json.dumps(datasette_metadata(pkg, views, lists), indent=2, ensure_ascii=False) + "\n", encoding="utf-8", newline="\n")
    return [db, meta]
