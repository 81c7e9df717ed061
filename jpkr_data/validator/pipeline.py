"""validate(): every check the package promises, in DuckDB, with a report naming file, row and field.

Order matters for safety: the descriptor is checked before anything is read; the CSV files are
staged through paths checked to lie inside the package; then DuckDB's external access is turned
off for good on this connection, and only then are the tables built and the package's views run.
"""
from __future__ import annotations

import os
from pathlib import Path

import duckdb

from ..schema import DescriptorError, Package, load_package, quote_ident
from ..views import create_views
from .descriptor import check_descriptor
from .integrity import run_integrity_checks
from .paths import copied_files
from .report import Problem, Report
from .schema_checks import run_schema_checks, typed_name
from .staging import stage_package

# Errors a check can raise on a package whose tables do not have the columns or types the
# dataset's own checks read (e.g. an `events` table without `date_start`): reported, never raised.
CHECK_ERRORS = (duckdb.Error, TypeError, ValueError, KeyError, AttributeError, IndexError)


def alias_typed(con: duckdb.DuckDBPyConnection, pkg: Package) -> None:
    """For validation only: expose each checked table under its own name, without copying it."""
    for table in pkg.tables:
        con.execute(f"CREATE OR REPLACE TEMP VIEW {quote_ident(table.name)} AS SELECT {table.load_columns()} FROM {typed_name(table)}")


def disable_external_access(con: duckdb.DuckDBPyConnection) -> None:
    """No file, network or extension can be reached from this connection any more (irreversible)."""
    con.execute("SET enable_external_access = false")
    con.execute("SET autoinstall_known_extensions = false")
    con.execute("SET autoload_known_extensions = false")


def _guarded(report: Report, file: str, what: str, step, *args) -> bool:
    """Run one step; an error it raises becomes a problem in the report. True when it ran through."""
    try:
        step(*args)
    except CHECK_ERRORS as exc:
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        report.add(Problem(what, file, f"the {what} checks could not run on this package: {detail} "
                                       "(its tables lack columns or types these checks read)"))
        return False
    return True


def _package(package: Path | Package) -> Package:
    """The package to validate: parsed from its path, or a parsed one whose patterns are now also compiled with RE2
    (DescriptorError either way when the descriptor is malformed). The descriptor file is read once per build."""
    if not isinstance(package, Package):
        return load_package(package, re2=True)
    if not package.patterns_checked:
        problems = check_descriptor(package.descriptor, package.path.name, True)
        if problems:
            raise DescriptorError(package.path, problems)
    return package


def run_pipeline(con: duckdb.DuckDBPyConnection, package: Path | Package, build: bool = False) -> tuple[Report, Package | None]:
    """Stage and check; when valid, expose each table under its own name (TEMP views over the typed copies)
    and run the package's views. build=True then writes the tables and views into the connection's current
    catalog, through the one writer (database.write_tables)."""
    descriptor = package.path if isinstance(package, Package) else package
    report = Report(descriptor=str(descriptor))
    con.execute("SET enable_progress_bar = false")  # a long check must not draw on the user's terminal
    try:
        pkg = _package(package)
    except DescriptorError as exc:
        for p in exc.problems:
            report.add(p)
        return report, None
    except FileNotFoundError as exc:
        report.add(Problem("descriptor", str(descriptor), str(exc)))
        return report, None
    for problem in copied_files(pkg.root, [])[1]:  # what a build would copy: regular files, no symbolic link (paths.py)
        report.add(Problem("file", problem.split(": ", 1)[0], problem.split(": ", 1)[1]))
    staged = stage_package(con, pkg, report)
    disable_external_access(con)
    name = pkg.path.name
    if _guarded(report, name, "schema", run_schema_checks, con, staged, report):
        _guarded(report, name, "integrity", run_integrity_checks, con, pkg, staged, report)
    if report.valid and _guarded(report, name, "build", alias_typed, con, pkg):
        create_views(con, pkg.root, report, temporary=True, tables=frozenset(pkg.names))
    if build and report.valid:
        from ..database import write_tables
        from ..views import discover_views

        write_tables(con, pkg, discover_views(pkg.root))
    return report, pkg


def validate(path: str | os.PathLike[str] | None = None) -> Report:
    """Validate a data package (default: the bundled one). Reads files only; writes nothing; never raises
    for a bad package (the report says what is wrong)."""
    from ..paths import resolve_descriptor

    try:
        descriptor = resolve_descriptor(path)
    except (OSError, ValueError) as exc:
        report = Report(descriptor=str(path))
        report.add(Problem("descriptor", str(path), f"cannot locate datapackage.json: {exc}"))
        return report
    con = duckdb.connect(":memory:")
    try:
        report, _ = run_pipeline(con, descriptor, build=False)
    finally:
        con.close()
    return report
