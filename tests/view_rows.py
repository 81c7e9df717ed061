"""Shared by the tests of the translated views: a small typed table for one-line rule cases, and row normalisation.

Rows from DuckDB, SQLite and Spark differ only in representation (a date is a date or ISO text, a list a list
or a JSON array, a boolean True or 1, a float within 1e-9); `normalise` removes exactly those differences,
guided by the DuckDB column types, and nothing else.
"""
from __future__ import annotations

import datetime as dt
import json
import math
from typing import Any

# The table `t` the rule cases read: every construct the rules translate has a column to work on.
T_SCHEMA = {"g": "VARCHAR", "x": "VARCHAR", "y": "BIGINT", "d": "DATE", "e": "DATE", "s": "VARCHAR", "l": "VARCHAR[]"}
T_ROWS = [
    ("a", "b", 2, dt.date(2019, 7, 3), dt.date(2019, 7, 10), "jpn-kor", ["x", "y"]),
    ("a", "a", 3, dt.date(2019, 7, 1), dt.date(2019, 7, 31), "a-b-c", ["z"]),
    ("a", "b", 1, None, dt.date(2019, 8, 1), None, []),
    ("b", None, None, dt.date(2019, 12, 31), dt.date(2020, 1, 2), "-x-", None),
    ("b", "c", 5, dt.date(2020, 2, 29), dt.date(2020, 2, 29), "no dash", ["p", None]),
]

# One line per rule: a DuckDB query whose rows every engine must return (DuckDB's are the reference).
CASES = {
    "list_distinct_sorted": "SELECT g, list(DISTINCT x ORDER BY x) AS v FROM t GROUP BY g",
    "list_by_other_key_desc": "SELECT g, list(x ORDER BY y DESC) AS v FROM t GROUP BY g",
    "list_nulls_first": "SELECT g, list(y ORDER BY y NULLS FIRST) AS v FROM t GROUP BY g",
    "list_two_keys": "SELECT g, list(s ORDER BY x, y DESC) AS v FROM t GROUP BY g",
    "list_in_an_expression": "SELECT g, coalesce(list(y ORDER BY y DESC), []) AS v, count(*) AS n FROM t WHERE x IS NOT NULL GROUP BY g",
    "list_length_of_ordered_list": "SELECT g, len(list(x ORDER BY x)) AS n, list(x ORDER BY x)[1] AS first FROM t GROUP BY g",
    "list_in_correlated_subquery": "SELECT y, (SELECT list(u.x ORDER BY u.x) FROM t u WHERE u.g = t.g) AS v FROM t",
    "list_literal": "SELECT y, coalesce(l, []) AS v FROM t",
    "group_by_all": "SELECT g, x, count(*) AS n, max(y) AS m FROM t GROUP BY ALL",
    "group_by_all_aggregates_only": "SELECT count(*) AS n, max(y) AS m FROM t GROUP BY ALL",
    "string_agg_ordered": "SELECT g, string_agg(x, '; ' ORDER BY y DESC) AS v FROM t GROUP BY g",
    "string_agg_distinct": "SELECT g, string_agg(DISTINCT x, ',' ORDER BY x) AS v FROM t GROUP BY g",
    "date_parts": "SELECT d, year(d) AS y, month(d) AS m, extract(day FROM d) AS dd, dayofweek(d) AS w, extract(dow FROM d) AS w2 FROM t",
    "concat_skips_nulls": "SELECT y, concat(s, '/', x) AS v FROM t",
    "list_length_and_membership": "SELECT y, len(l) AS n, array_length(l) AS m, list_contains(l, 'x') AS has_x FROM t",
    "starts_with_contains": "SELECT y, starts_with(s, 'a') AS a, contains(s, '-') AS b FROM t",
    "any_value": "SELECT g, any_value(g) AS v FROM t GROUP BY g",
    "last_value_ignore_nulls": "SELECT y, last_value(x IGNORE NULLS) OVER (PARTITION BY g ORDER BY y ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS v FROM t",
    "first_value_ignore_nulls": "SELECT y, first_value(y IGNORE NULLS) OVER (PARTITION BY g ORDER BY d NULLS FIRST) AS v FROM t",
    "split_part": "SELECT s, split_part(s, '-', 1) AS a, split_part(s, '-', 2) AS b, split_part(s, '-', 4) AS c FROM t",
    "list_index": "SELECT y, l[1] AS first, l[2] AS second, l[3] AS third FROM t",
    "list_index_from_end": "SELECT y, l[-1] AS last, l[-2] AS before_last FROM t",
    "date_minus_date": "SELECT y, e - d AS days, CAST(floor((e - d) / 2) AS INTEGER) AS half FROM t",
    "days_from_a_subquery": "WITH x AS (SELECT y, d, e - d AS days FROM t) SELECT y, days + 1 AS a, d + CAST(days AS INTEGER) AS b FROM x",
    "date_plus_days": "SELECT y, d + 3 AS later, d - 2 AS earlier, d + CAST(floor((e - d) / 2) AS INTEGER) AS middle FROM t",
    "date_trunc": "SELECT d, CAST(date_trunc('week', d) AS DATE) AS w, CAST(date_trunc('month', d) AS DATE) AS m, CAST(date_trunc('year', d) AS DATE) AS yr FROM t",
    "round_half_away_from_zero": "SELECT y, round(-y / 16, 3) AS a, round(y / 16, 3) AS b, round(y * 2.5, 0) AS c, round(-2.5) AS d FROM t",
    "count_filter": "SELECT g, count(*) FILTER (WHERE y > 1) AS n, round(avg(y), 3) AS a FROM t GROUP BY g",
}


def _scalar(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == "DATE":
        return value.isoformat() if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)).isoformat()
    if kind == "BOOLEAN":
        return bool(value)
    if kind in ("DOUBLE", "FLOAT") or kind.startswith("DECIMAL"):
        return float(value)
    if kind in ("BIGINT", "INTEGER", "HUGEINT", "SMALLINT"):
        return int(value)
    return value


def normalise(value: Any, kind: str) -> Any:
    """One value in a representation all engines share, given its DuckDB type."""
    if kind.endswith("[]"):
        if value is None:
            return None
        items = json.loads(value) if isinstance(value, str) else list(value)
        return tuple(_scalar(v, kind[:-2]) for v in items)
    return _scalar(value, kind)


def normalised_rows(rows: list, kinds: list[str]) -> list[tuple]:
    """Rows normalised, in a canonical order (the engines may order ties differently)."""
    out = [tuple(normalise(v, k) for v, k in zip(row, kinds, strict=True)) for row in rows]
    return sorted(out, key=lambda r: json.dumps([round(v, 6) if isinstance(v, float) else v for v in r], default=str))


def assert_same_rows(got: list[tuple], want: list[tuple], what: str) -> None:
    """Equal rows, floats within 1e-9."""
    assert len(got) == len(want), f"{what}: {len(got)} rows, DuckDB has {len(want)}"
    for i, (g, w) in enumerate(zip(got, want)):
        same = len(g) == len(w) and all(
            (isinstance(a, float) and isinstance(b, float) and math.isclose(a, b, abs_tol=1e-9)) or a == b for a, b in zip(g, w))
        assert same, f"{what}, row {i}: {g} != DuckDB's {w}"
