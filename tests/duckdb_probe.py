"""Run by each DuckDB version under test: open a release database read-only and dump every table and view as JSON.

Usage: python duckdb_probe.py FILE. Uses only what DuckDB 1.0 already had, so every version runs the same code.
"""
import json
import sys

import duckdb


def rows(con, name):
    """Every row of a table or view, as sortable JSON-ready lists (order-independent)."""
    out = [json.loads(json.dumps(list(r), default=str)) for r in con.execute('SELECT * FROM "' + name.replace('"', '""') + '"').fetchall()]
    return sorted(out, key=json.dumps)


def main(path):
    """Print {version, tables, views, comments} for the database at `path`."""
    con = duckdb.connect(path, read_only=True)
    tables = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()]
    views = [r[0] for r in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal ORDER BY 1").fetchall()]
    comments = [c for c in con.execute("SELECT table_name, column_name, comment FROM duckdb_columns() ORDER BY 1, 2").fetchall()
                if c[0] in tables or c[0] in views]
    print(json.dumps({"version": duckdb.__version__, "tables": {t: rows(con, t) for t in tables},
                      "views": {v: rows(con, v) for v in views},
                      "comments": [list(c) for c in comments]}))


if __name__ == "__main__":
    main(sys.argv[1])
