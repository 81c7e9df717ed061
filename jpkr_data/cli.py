"""The jpkr-data command line: validate, sql, tables, describe, timeline, build, views, locate, fill-offsets."""
from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import sys
from collections.abc import Sequence

EXIT_INVALID = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


def print_rows(columns: list[str], rows: list[tuple], fmt: str, out=None, width: int = 60) -> None:
    """Print a small in-memory result as an aligned text table, CSV or JSON (a list of objects)."""
    from .access.output import print_rows as _print

    _print(columns, rows, fmt, out or sys.stdout, width)


def cmd_validate(args: argparse.Namespace) -> int:
    from .validator import validate

    report = validate(args.path)
    print(report.to_json() if args.format == "json" else report.to_text())
    return 0 if report.valid else EXIT_INVALID


def _run_sql(sql: str, fmt: str) -> int:
    """Run every statement; print each result that has rows (json: one array, or an array of arrays for several)."""
    from . import api
    from .access import guard, output

    guard.ensure_text(sql)
    con = api.connect()
    stmts = con.statements(sql)  # refuses the whole string before anything runs
    shown = [st for st in stmts if st.returns_rows]
    out = sys.stdout
    if fmt == "json" and len(shown) > 1:
        out.write("[\n")
    printed = 0
    for st in stmts:
        con.execute(st.sql)
        if not st.returns_rows:
            continue
        if printed:
            out.write(",\n" if fmt == "json" else "\n")
        columns = [d[0] for d in con.description or []]
        output.WRITERS[fmt](columns, output.batches(con.fetchmany), out)
        printed += 1
    if fmt == "json" and len(shown) > 1:
        out.write("]\n")
    return 0


def cmd_sql(args: argparse.Namespace) -> int:
    return _run_sql(args.query, args.format)


def _package_and_session():
    """The default package (parsed once) and a session on it."""
    from . import api
    from .paths import package_root
    from .schema import load_package

    pkg = load_package(package_root() / "datapackage.json")
    return pkg, api.connect()


def cmd_tables(args: argparse.Namespace) -> int:
    from .schema import quote_ident
    from .views import discover_views

    pkg, con = _package_and_session()
    rows = []
    for t in pkg.tables:
        n = con.execute(f"SELECT count(*) FROM jpkr.main.{quote_ident(t.name)}").fetchone()[0]
        rows.append(("table", t.name, n, t.title))
    for v in discover_views(pkg.root):
        n = con.execute(f"SELECT count(*) FROM jpkr.main.{quote_ident(v.name)}").fetchone()[0]
        rows.append(("view", v.name, n, v.question))
    print_rows(["kind", "name", "rows", "description"], rows, args.format, width=90)
    return 0


def cmd_describe(args: argparse.Namespace) -> int:
    from .schema import quote_ident
    from .views import discover_views

    pkg, con = _package_and_session()
    if args.name in pkg.names:
        t = pkg.table(args.name)
        print(f"{t.name}: {t.description}\nprimary key: {', '.join(t.primary_key)}")
        for fk in t.foreign_keys:
            print(f"foreign key: {', '.join(fk.fields)} -> {fk.resource}({', '.join(fk.ref_fields)})")
        rows = [(f.name, f.type, "yes" if f.required else "", f.description) for f in t.fields]
        print_rows(["field", "type", "required", "description"], rows, args.format, width=200)
        return 0
    views = {v.name: v for v in discover_views(pkg.root)}
    if args.name in views:
        v = views[args.name]
        print(v.description)
        cur = con.execute(f"DESCRIBE jpkr.main.{quote_ident(v.name)}")
        print_rows(["column", "type"], [(r[0], r[1]) for r in cur.fetchall()], args.format)
        return 0
    valid = ", ".join(pkg.names + list(views))
    print(f"error: unknown table or view {args.name!r}; valid names: {valid}", file=sys.stderr)
    return EXIT_USAGE


def cmd_timeline(args: argparse.Namespace) -> int:
    return _run_sql(
        "SELECT t.date_start, t.date_end, t.date_precision, t.event_id, t.title, t.status, t.n_articles, t.date_basis, t.placed_date "
        "FROM timeline t JOIN event_placement p USING (event_id) ORDER BY p.sort_rank", args.format)


def cmd_build(args: argparse.Namespace) -> int:
    """Build the release into --out; a refused or failed build is one line on stderr naming the path, never a traceback."""
    import duckdb

    from .publication.release import build_release
    from .publication.site import SiteError
    from .publication.target import TargetError
    from .validator.report import ValidationError

    try:
        out = build_release(args.out, args.path, include_sources=args.include_sources, site_url=args.site_url)
    except ValidationError:
        raise
    except (TargetError, SiteError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INVALID
    except (ValueError, FileNotFoundError) as exc:  # a view header that does not match its view, a damaged bundled database, no sources to include
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INVALID
    except (OSError, duckdb.Error) as exc:
        where = getattr(exc, "filename", None) or args.out
        print(f"error: the build into {args.out} failed, the earlier release is unchanged: {where}: {_one_line(exc)}", file=sys.stderr)
        return EXIT_INVALID
    except Exception as exc:  # a hostile package must not produce a traceback either
        print(f"error: the build into {args.out} failed, the earlier release is unchanged: {type(exc).__name__}: {_one_line(exc)}", file=sys.stderr)
        return EXIT_INVALID
    print(f"release written to {out}")
    return 0


def _one_line(exc: BaseException) -> str:
    """An exception's message on one line."""
    text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return " ".join(text.split())


def cmd_locate(args: argparse.Namespace) -> int:
    from .curate import locate

    try:
        for start, end in locate(args.article, args.text, args.path):
            print(f"{start}\t{end}")
    except (KeyError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INVALID
    return 0


def cmd_fill_offsets(args: argparse.Namespace) -> int:
    from .curate import fill_offsets

    problems = fill_offsets(args.path)
    for p in problems:
        print(p, file=sys.stderr)
    return EXIT_INVALID if problems else 0


def cmd_export(args: argparse.Namespace) -> int:
    """Write the events in GDELT 2.0, ICEWS or PLOVER JSONL layout to --out."""
    from . import api
    from .paths import package_root
    from .publication.exports import LOST, ExportError, export
    from .schema import load_package

    created = str(load_package(package_root() / "datapackage.json").descriptor.get("created", ""))[:10]
    try:
        coded = dt.date.fromisoformat(created) if created else None
    except ValueError:
        coded = None
    try:
        n = export(api.connect(), args.format, args.out, header=args.header, coded=coded)
    except ExportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INVALID
    print(f"{n} records written to {args.out} ({args.format})")
    print(f"not held by the {args.format} layout: " + "; ".join(LOST[args.format]))
    return 0


def cmd_plot_series(args: argparse.Namespace) -> int:
    """Plot the weekly (or monthly) Goldstein series of two countries to a PNG."""
    from . import api
    from .publication.plot import PlotError, plot_series

    try:
        start, end = dt.date.fromisoformat(args.start), dt.date.fromisoformat(args.end)
    except ValueError as exc:
        print(f"error: --start/--end must be dates YYYY-MM-DD: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        n = plot_series(api.connect(), args.out, args.a.upper(), args.b.upper(), start, end, args.period)
    except PlotError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INVALID
    except ImportError:
        print("error: plot-series needs matplotlib (pip install matplotlib)", file=sys.stderr)
        return EXIT_INVALID
    print(f"{n} series rows plotted to {args.out}")
    return 0


def cmd_corpus(args: argparse.Namespace) -> int:
    """Write the annotated corpus (JSON Lines + brat standoff) from the articles found in --sources."""
    from . import api
    from .paths import resolve_descriptor
    from .publication.corpus import CorpusError, write_corpus
    from .schema import load_package

    try:
        descriptor = resolve_descriptor(args.path)
        pkg = load_package(descriptor)
        con = api.connect(descriptor)
        try:
            out, brat, records = write_corpus(pkg, con, args.sources, args.out, args.brat, args.bio)
        finally:
            con.close()
    except (CorpusError, ValueError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INVALID
    except OSError as exc:
        print(f"error: {exc.filename or ''}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_INVALID
    n_spans = sum(len(r["spans"]) for r in records)
    bio = f", {args.bio}/ (token BIO)" if args.bio else ""
    print(f"{len(records)} articles, {n_spans} spans: {out} (JSON Lines), {brat}/ (brat standoff){bio}")
    return 0


def cmd_views(args: argparse.Namespace) -> int:
    """Print every view's CREATE VIEW for one engine, translated from sql/ (dialects.py), in dependency order."""
    from .dialects import DIALECTS, TranslationError
    from .paths import resolve_descriptor
    from .schema import load_package
    from .views import discover_views, view_statements

    if args.dialect not in DIALECTS:
        print(f"error: unknown dialect {args.dialect!r}; supported: {', '.join(DIALECTS)}", file=sys.stderr)
        return EXIT_USAGE
    pkg = load_package(resolve_descriptor(args.path))
    try:
        statements = view_statements(pkg.tables, discover_views(pkg.root), args.dialect)
    except TranslationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INVALID
    sys.stdout.write("".join(f"{st};\n\n" for st in statements))
    return 0


def cmd_diff(args: argparse.Namespace) -> int:
    """Compare two releases or packages by primary key."""
    from .paths import resolve_descriptor
    from .publication.diff import DiffError, diff_packages, render_text

    try:
        result = diff_packages(args.old, args.new or resolve_descriptor(None))
    except DiffError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INVALID
    if args.format == "json":
        print(json.dumps(result, ensure_ascii=False, indent=1, default=str))
    else:
        print(render_text(result), end="")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="jpkr-data", description="Query and validate the jpkr-data dataset.")
    sub = p.add_subparsers(dest="command", required=True)
    fmt3 = {"choices": ["table", "csv", "json"], "default": "table", "help": "output format"}

    s = sub.add_parser("validate", help="validate a data package (default: the bundled one)")
    s.add_argument("path", nargs="?", help="datapackage.json or its folder")
    s.add_argument("--format", choices=["text", "json"], default="text")
    s.set_defaults(func=cmd_validate)

    s = sub.add_parser("sql", help="run a read-only SQL query")
    s.add_argument("query")
    s.add_argument("--format", **fmt3)
    s.set_defaults(func=cmd_sql)

    s = sub.add_parser("tables", help="list tables and views with row counts")
    s.add_argument("--format", **fmt3)
    s.set_defaults(func=cmd_tables)

    s = sub.add_parser("describe", help="describe a table or view")
    s.add_argument("name")
    s.add_argument("--format", **fmt3)
    s.set_defaults(func=cmd_describe)

    s = sub.add_parser("timeline", help="the events in date order")
    s.add_argument("--format", **fmt3)
    s.set_defaults(func=cmd_timeline)

    s = sub.add_parser("build", help="validate, then write the release (CSV, Parquet, DuckDB, codebook, site, zip) to --out")
    s.add_argument("--out", required=True, help="release folder (replaced atomically)")
    s.add_argument("--path", help="datapackage.json or its folder (default: the bundled one)")
    s.add_argument("--include-sources", action="store_true", help="also copy the third-party article texts (research use, see NOTICE)")
    s.add_argument("--site-url", help="the public address where the release's site/ folder will be served (e.g. https://example.org/jpkr/site/): "
                   "pages get canonical addresses and og:url, the site a sitemap.xml, CITATION.cff a url; without it nothing absolute is written")
    s.set_defaults(func=cmd_build)

    s = sub.add_parser("corpus", help="write the annotated corpus (JSON Lines + brat) from your copies of the articles")
    s.add_argument("--sources", required=True, help="folder holding the article files (found by SHA-256, any names)")
    s.add_argument("--out", required=True, help="JSON Lines file to write (one article per line)")
    s.add_argument("--brat", help="brat standoff folder (default: <out stem>_brat beside --out)")
    s.add_argument("--bio", help="also write token-level BIO, one CoNLL-style TSV per article, to this folder (README: corpus)")
    s.add_argument("--path", help="datapackage.json or its folder (default: the bundled one)")
    s.set_defaults(func=cmd_corpus)

    s = sub.add_parser("diff", help="compare two releases (or a release and a package) by primary key")
    s.add_argument("old", help="old release folder or zip, package folder or datapackage.json")
    s.add_argument("new", nargs="?", help="new release folder or zip, package folder or datapackage.json (default: the working package)")
    s.add_argument("--format", choices=["text", "json"], default="text")
    s.set_defaults(func=cmd_diff)

    s = sub.add_parser("views", help="print every view's CREATE VIEW for DuckDB, SQLite or Spark (translated by sqlglot)")
    s.add_argument("--dialect", default="duckdb", help="duckdb (default), sqlite or spark")
    s.add_argument("--path", help="datapackage.json or its folder (default: the bundled one)")
    s.set_defaults(func=cmd_views)

    s = sub.add_parser("locate", help="curators: print the offsets of a verbatim text in an article")
    s.add_argument("article", help="article_id, e.g. art002")
    s.add_argument("text", help="the exact text to find")
    s.add_argument("--path", help="datapackage.json or its folder")
    s.set_defaults(func=cmd_locate)

    s = sub.add_parser("fill-offsets", help="curators: fill empty span offsets from the evidence text")
    s.add_argument("path", nargs="?", help="datapackage.json or its folder")
    s.set_defaults(func=cmd_fill_offsets)

    s = sub.add_parser("export", help="write the events in GDELT 2.0, ICEWS or PLOVER (JSONL) layout")
    s.add_argument("--format", required=True, help="gdelt, icews or plover")
    s.add_argument("--out", required=True, help="output file (replaced only when complete)")
    s.add_argument("--header", action="store_true", help="gdelt: write the column names as a first row (GDELT ships none)")
    s.set_defaults(func=cmd_export)

    s = sub.add_parser("plot-series", help="plot the weekly conflict-cooperation series of two countries to a PNG")
    s.add_argument("--out", required=True, help="PNG file")
    s.add_argument("--a", default="JPN", help="first country (ISO3), default JPN")
    s.add_argument("--b", default="KOR", help="second country (ISO3), default KOR")
    s.add_argument("--start", default="2019-06-01")
    s.add_argument("--end", default="2019-12-31")
    s.add_argument("--period", choices=["week", "month"], default="week")
    s.set_defaults(func=cmd_plot_series)
    return p


def _check_text_args(args: argparse.Namespace) -> str | None:
    """The first argument that is not valid UTF-8 (undecodable bytes arrive as surrogates), as an error message."""
    for name, value in vars(args).items():
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError as exc:
                return f"argument {name!r} is not valid UTF-8 (character {exc.start + 1}); pass UTF-8 text"
    return None


def _quiet_warnings() -> None:
    """Print warnings (e.g. the cache fell back to memory) as one 'warning:' line on stderr."""
    import warnings

    warnings.showwarning = lambda message, *a, **k: print(f"warning: {message}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; user errors are one 'error:' line on stderr and exit 1 (2 for usage), never a traceback."""

    args = build_parser().parse_args(argv)
    problem = _check_text_args(args)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return EXIT_USAGE
    _quiet_warnings()

    from .access.output import configure_stream

    configure_stream(sys.stdout, getattr(args, "format", None))
    with _interrupts() as interrupted:
        try:
            code = _dispatch(args, interrupted)
        except KeyboardInterrupt:
            code = EXIT_INTERRUPTED
        if interrupted():
            print("error: interrupted; nothing was left half-written (outputs are replaced only when complete)", file=sys.stderr)
            return EXIT_INTERRUPTED
        return code


@contextlib.contextmanager
def _interrupts():
    """Ctrl-C (SIGINT) while a command runs: remembered, so that the command ends with one line and exit 130.

    DuckDB turns the signal into an 'interrupted' error and Python may raise it inside a finaliser, where it is
    only printed as 'Exception ignored'; both are recognised by the flag, and such prints are suppressed."""
    import signal
    import threading

    hit = [False]

    def on_sigint(signum, frame):
        hit[0] = True
        raise KeyboardInterrupt

    def unraisable(info, previous=sys.unraisablehook):
        if not (hit[0] or issubclass(info.exc_type, KeyboardInterrupt)):
            previous(info)

    main_thread = threading.current_thread() is threading.main_thread()
    old_handler = signal.signal(signal.SIGINT, on_sigint) if main_thread else None
    old_hook, sys.unraisablehook = sys.unraisablehook, unraisable
    try:
        yield lambda: hit[0]
    finally:
        sys.unraisablehook = old_hook
        if main_thread:
            signal.signal(signal.SIGINT, old_handler)


def _dispatch(args: argparse.Namespace, interrupted) -> int:
    """Run the command; every error is one 'error:' line (none while an interrupt is being reported)."""
    import os

    import duckdb

    from .access.errors import CacheError, QueryError, ReadOnlyError, UnknownNameError
    from .access.output import OutputError
    from .validator.report import ValidationError

    try:
        return args.func(args)
    except (ValidationError, ReadOnlyError, QueryError, UnknownNameError, CacheError, OutputError) as exc:
        print(f"error: {exc}", file=sys.stderr)
    except BrokenPipeError:
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except duckdb.Error as exc:
        if interrupted():
            return EXIT_INTERRUPTED
        print(f"error: {(str(exc).splitlines() or [type(exc).__name__])[0]}", file=sys.stderr)
    except UnicodeEncodeError as exc:
        print(f"error: the output encoding ({exc.encoding}) cannot carry {exc.object[exc.start:exc.end]!r}; the output stops here "
              "rather than change a value: set PYTHONIOENCODING=utf-8, or use --format json", file=sys.stderr)
    except RecursionError:
        print("error: the input is nested too deeply to be read (a hostile or damaged file)", file=sys.stderr)
    except (OSError, ValueError, KeyError) as exc:
        print(f"error: {exc}", file=sys.stderr)
    except Exception as exc:  # noqa: BLE001 - last resort: one line, the traceback only on request
        if interrupted():
            return EXIT_INTERRUPTED
        if os.environ.get("JPKR_DATA_DEBUG"):
            raise
        print(f"error: internal error ({type(exc).__name__}: {exc}); set JPKR_DATA_DEBUG=1 for details", file=sys.stderr)
    return EXIT_INVALID


if __name__ == "__main__":
    raise SystemExit(main())
