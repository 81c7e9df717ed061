"""validate(): every check the package promises, in DuckDB, with a report naming file, row and field."""
from __future__ import annotations

import os
from pathlib import Path

import duckdb

from ..schema import Package, load_package, quote_ident
from ..views import create_views
from .integrity import run_integrity_checks
from .report import Problem, Report
from .schema_checks import run_schema_checks, typed_name
from .staging import stage_package


def materialize(con: duckdb.DuckDBPyConnection, pkg: Package) -> None:
    """Create the typed tables (constraints from the schemas) and fill them from staging."""
    for table in pkg.load_order():
        con.execute(table.create_sql())
        con.execute(f"INSERT INTO {quote_ident(table.name)} SELECT {table.load_columns()} FROM {typed_name(table)} ORDER BY _row")


def alias_typed(con: duckdb.DuckDBPyConnection, pkg: Package) -> None:
    """For validation only: expose each checked table under its own name, without copying it."""
    for table in pkg.tables:
        con.execute(f"CREATE OR REPLACE TEMP VIEW {quote_ident(table.name)} AS SELECT {table.load_columns()} FROM {typed_name(table)}")


def run_pipeline(con: duckdb.DuckDBPyConnection, descriptor: Path, build: bool = True) -> tuple[Report, Package | None]:
    """Stage and check; when valid, create the tables (build=True: typed tables with their
    constraints; False: light aliases, enough to prove the views compile and run) and the views."""
    report = Report(descriptor=str(descriptor))
    try:
        pkg = load_package(descriptor)
    except (FileNotFoundError, ValueError) as exc:
        report.add(Problem("descriptor", str(descriptor), str(exc)))
        return report, None
    staged = stage_package(con, pkg, report)
    run_schema_checks(con, staged, report)
    run_integrity_checks(con, pkg, staged, report)
    if report.valid:
        if build:
            materialize(con, pkg)
        else:
            alias_typed(con, pkg)
        create_views(con, pkg.root, report, temporary=not build)
    return report, pkg


def validate(path: str | os.PathLike[str] | None = None) -> Report:
    """Validate a data package (default: the bundled one). Reads files only; writes nothing."""
    from ..paths import resolve_descriptor

    descriptor = resolve_descriptor(path)
    con = duckdb.connect(":memory:")
    try:
        report, _ = run_pipeline(con, descriptor, build=False)
    finally:
        con.close()
    return report
