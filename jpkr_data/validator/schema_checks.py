"""Table Schema checks as set-based DuckDB queries over the staging tables.

One query per check and field, so validation is a few scans, not a loop over rows.
"""
from __future__ import annotations

import duckdb

from ..schema import Field, Table, quote_ident, sql_literal
from .report import Problem, Report
from .staging import TYPE_PATTERNS, staging_name, text_column, typed_expr, typed_name

__all__ = ["TYPE_PATTERNS", "TYPE_WORDS", "typed_expr", "typed_name", "staging_name", "collect", "collect_many", "check_fields",
           "check_keys", "run_schema_checks"]

TYPE_WORDS = {
    "integer": "an integer", "number": "a number", "date": "a date as YYYY-MM-DD",
    "boolean": "true or false", "year": "a four-digit year", "datetime": "an ISO 8601 date-time",
}
MAX_PER_CHECK = 200  # errors listed per check and field before the rest are summarised


def staged_with(staged: dict[str, Table], name: str, *fields: str) -> bool:
    """The table was staged and declares every field the check reads (a check skips a table it cannot read)."""
    return name in staged and all(f in staged[name].field_names for f in fields)


def collect(con, sql: str, report: Report, check: str, table: Table, field: str | None, message: str) -> None:
    """Report the first MAX_PER_CHECK rows that `sql` (selecting _row and a value) returns, then how many more."""
    rows = con.execute(sql + f" ORDER BY _row LIMIT {MAX_PER_CHECK + 1}").fetchall()
    for row, value in rows[:MAX_PER_CHECK]:
        report.add(Problem(check, table.path, message, row=row, field=field,
                           value=None if value is None else str(value)))
    if len(rows) > MAX_PER_CHECK:
        total = con.execute(f"SELECT count(*) FROM ({sql})").fetchone()[0]
        report.add(Problem(check, table.path, f"{total - MAX_PER_CHECK} more rows fail this check", field=field))


def collect_many(con, specs: list[tuple[str, str, Table, str | None, str]], report: Report) -> None:
    """Like collect() for many checks at once: one query, so small tables do not pay a round trip per check.

    Each spec is (sql selecting (_row, value), check, table, field, message)."""
    if not specs:
        return
    parts = [f"SELECT {i} AS _k, #1 AS _row, CAST(#2 AS VARCHAR) AS _v FROM ({sql})" for i, (sql, *_) in enumerate(specs)]
    rows = con.execute(f"SELECT _k, _row, _v, count(*) OVER (PARTITION BY _k) AS _n FROM ({' UNION ALL '.join(parts)}) "
                       f"QUALIFY row_number() OVER (PARTITION BY _k ORDER BY _row) <= {MAX_PER_CHECK} ORDER BY _k, _row").fetchall()
    for k, row, value, _total in rows:
        _, check, table, field, message = specs[k]
        report.add(Problem(check, table.path, message, row=row, field=field, value=value))
    for k, total in sorted({(k, n) for k, _, _, n in rows if n > MAX_PER_CHECK}):
        _, check, table, field, _ = specs[k]
        report.add(Problem(check, table.path, f"{total - MAX_PER_CHECK} more rows fail this check", field=field))


def check_fields(con: duckdb.DuckDBPyConnection, table: Table, report: Report) -> None:
    """Types, required, enum, pattern, ranges and stray whitespace in key fields (one query per table)."""
    typed = typed_name(table)
    key_fields = set(table.primary_key) | {n for fk in table.foreign_keys for n in fk.fields}
    specs: list[tuple[str, str, Table, str | None, str]] = []
    for f in table.fields:
        col, text = quote_ident(f.name), text_column(table, f)
        report.ran("type")
        if f.type != "string":  # the text was read and cast once, at staging: a value that did not fit is NULL beside its text
            specs.append((f"SELECT _row, {text} FROM {typed} WHERE {text} IS NOT NULL AND {col} IS NULL",
                          "type", table, f.name, f"expected {TYPE_WORDS[f.type]}"))
        report.ran("required")
        if f.required or f.name in table.primary_key:
            specs.append((f"SELECT _row, {text} FROM {typed} WHERE {text} IS NULL", "required", table, f.name, "a value is required"))
        for check_sql, check, message in _constraint_checks(f):
            report.ran(check)
            specs.append((f"SELECT _row, {col} FROM {typed} WHERE {col} IS NOT NULL AND NOT ({check_sql})", check, table, f.name, message))
        if f.type == "string" and (f.name in key_fields or f.constraints.get("unique")):
            report.ran("whitespace")
            specs.append((f"SELECT _row, {col} FROM {typed} WHERE {col} <> trim({col})", "whitespace", table, f.name,
                          "key value has leading or trailing white space"))
    collect_many(con, specs, report)


def _constraint_checks(f: Field) -> list[tuple[str, str, str]]:
    col = quote_ident(f.name)
    c = f.constraints
    out = []
    if f.enum is not None:
        allowed = ", ".join(sql_literal(v) for v in f.enum)
        out.append((f"{col} IN ({allowed})", "enum", f"not one of the allowed values: {', '.join(map(str, f.enum))}"))
    if "pattern" in c:
        out.append((f"regexp_full_match({col}, {sql_literal(c['pattern'])})", "pattern", f"does not match the pattern {c['pattern']}"))
    if "minimum" in c:
        out.append((f"{col} >= {sql_literal(c['minimum'])}", "minimum", f"below the minimum {c['minimum']}"))
    if "maximum" in c:
        out.append((f"{col} <= {sql_literal(c['maximum'])}", "maximum", f"above the maximum {c['maximum']}"))
    if "minLength" in c:
        out.append((f"length({col}) >= {int(c['minLength'])}", "min-length", f"shorter than {c['minLength']} characters"))
    if "maxLength" in c:
        out.append((f"length({col}) <= {int(c['maxLength'])}", "max-length", f"longer than {c['maxLength']} characters"))
    return out


def check_keys(con: duckdb.DuckDBPyConnection, table: Table, staged: dict[str, Table], report: Report) -> None:
    """Primary keys, unique fields and foreign keys (self-references included)."""
    typed = typed_name(table)
    key_sets = []
    if table.primary_key:
        key_sets.append(("primary-key", table.primary_key))
    key_sets += [("unique", [f.name]) for f in table.fields
                 if f.constraints.get("unique") and table.primary_key != [f.name]]
    for check, fields in key_sets:
        report.ran(check)
        cols = ", ".join(quote_ident(n) for n in fields)
        not_null = " AND ".join(f"{quote_ident(n)} IS NOT NULL" for n in fields)
        shown = " || '|' || ".join(f"CAST({quote_ident(n)} AS VARCHAR)" for n in fields)
        if not con.execute(f"SELECT 1 FROM {typed} WHERE {not_null} GROUP BY {cols} HAVING count(*) > 1 LIMIT 1").fetchall():
            continue  # no duplicate: a hash aggregate proves it faster than locating rows with a window
        collect(con, f"SELECT _row, {shown} FROM {typed} WHERE {not_null} QUALIFY row_number() OVER (PARTITION BY {cols} ORDER BY _row) > 1",
                 report, check, table, ",".join(fields), f"duplicate {check.replace('-', ' ')} ({', '.join(fields)})")
    for fk in table.foreign_keys:
        report.ran("foreign-key")
        parent = staged.get(fk.resource)
        if parent is None:
            continue  # the parent's own problems are already reported
        cond = " AND ".join(f"p.{quote_ident(r)} = c.{quote_ident(f)}" for f, r in zip(fk.fields, fk.ref_fields))
        not_null = " AND ".join(f"c.{quote_ident(n)} IS NOT NULL" for n in fk.fields)
        shown = " || '|' || ".join(f"CAST(c.{quote_ident(n)} AS VARCHAR)" for n in fk.fields)
        collect(con, f"SELECT c._row AS _row, {shown} FROM {typed} c WHERE {not_null} AND NOT EXISTS "
                      f"(SELECT 1 FROM {typed_name(parent)} p WHERE {cond})",
                 report, "foreign-key", table, ",".join(fk.fields),
                 f"no row in {fk.resource} has {', '.join(fk.ref_fields)} equal to this value")


def run_schema_checks(con: duckdb.DuckDBPyConnection, staged: dict[str, Table], report: Report) -> None:
    """Check every staged (and already typed) table's fields and keys."""
    for table in staged.values():
        check_fields(con, table, report)
        check_keys(con, table, staged, report)
