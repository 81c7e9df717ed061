"""Stata files: stata/<name>.dta (format 118, UTF-8) for every table and view, with variable, value and dataset labels.

Written with pandas' `DataFrame.to_stata` (already a dependency; format 118 is Stata 14's UTF-8 format,
which Stata 14 and later, haven and pandas read). What each column becomes:

- a code with allowed values (a string `enum` in datapackage.json) is an integer 1..n in the order of the
  enum, with a value label that gives back the code itself (1 "day", 2 "month", ...); an integer enum
  (QuadClass 1-4) keeps its numbers and its value label gives their meanings; a view column is coded
  like the table column its header names (`events.date_precision`), else like the first table column of
  its name and type whose allowed values hold all of its values; any other text stays a string (Stata's
  missing string is "");
- a DATE is a Stata date (%td), a TIMESTAMP a Stata datetime (%tc); a BOOLEAN is 0/1 labelled false/true;
- a list is one string, its items joined by "; " (the variable label ends with "[list, '; ']");
- every variable has a label: its description (the Table Schema's, or the view header's), cut to
  Stata's 80 characters at a word and ended with "…" when longer (CODEBOOK.md has the full text);
- the dataset label names the dataset, version, table and how to cite it (80 characters at most).

Names Stata cannot take are renamed by `stata_names` (the rule is in its docstring); CODEBOOK.md lists
every renamed column.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from .. import validator as _validator  # noqa: F401  (views imports the validator: load it first, no import cycle)
from ..schema import Field, Package, quote_ident, sql_literal
from ..views import View, discover_views
from .codebook import _cell as cell
from .codebook import enum_meanings
from .flat import column_descriptions, one_thread, view_columns
from .workbook import LIST_SEPARATOR

FOLDER = "stata"
VERSION = 118
MAX_NAME = 32  # characters in a variable name
MAX_LABEL = 80  # characters in a variable label or dataset label
MAX_STR = 2045  # bytes in a fixed-width str column; longer text is a strL
# Stata's reserved names (help reswords), which no variable may take; str1..str2045 are reserved too.
RESERVED = frozenset("_all _b byte _coef _cons double float if in int long _n _N _pi _pred _rc _skip strL using with".split())
LIST_NOTE = f" [list, '{LIST_SEPARATOR}']"
BOOLEAN_LABELS = {0: "false", 1: "true"}
REFERENCE = re.compile(r"\b([A-Za-z_][A-Za-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_]*)\b")


def _valid(name: str) -> bool:
    """A name Stata takes as it is: ASCII letters, digits and '_', not starting with a digit, at most 32, not reserved."""
    return (bool(re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,31}", name)) and name not in RESERVED
            and not re.fullmatch(r"str[0-9]+", name))


def stata_names(columns: list[str]) -> dict[str, str]:
    """Each column's Stata name; a name Stata takes is kept, every other one is renamed by this rule.

    1. every character other than an ASCII letter, digit or '_' becomes '_'; a name that then starts
       with a digit, or is empty, gets the prefix 'v_';
    2. a reserved word (`if`, `in`, `byte`, `str12`, ...) gets the suffix '_';
    3. the name is cut to its first 32 characters;
    4. if the name is taken in the same file (by a kept name, or by an earlier renamed column), its first
       30 characters get the suffix '_2', or '_3', ... (first 29 for '_10' on), the first that is free.
    Kept names are taken first, so a renamed column never takes a name a kept column has; names are
    compared ignoring case (as DuckDB does), so no two variables differ only by case.
    """
    out = {c: c for c in columns if _valid(c)}
    taken = {c.lower() for c in out}
    for c in columns:
        if c in out:
            continue
        base = re.sub(r"[^A-Za-z0-9_]", "_", c)
        if not base or base[0].isdigit():
            base = "v_" + base
        if base in RESERVED or re.fullmatch(r"str[0-9]+", base):
            base += "_"
        name, n = base[:MAX_NAME], 1
        while name.lower() in taken:
            n += 1
            name = base[: MAX_NAME - len(f"_{n}")] + f"_{n}"
        out[c] = name
        taken.add(name.lower())
    return {c: out[c] for c in columns}


def fit(text: str, limit: int = MAX_LABEL) -> str:
    """Text on one line, at most `limit` characters: cut at a word and ended with '…' when longer."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip(" ,;:.(") + "…"


def variable_label(column: str, stata_name: str, description: str, is_list: bool) -> str:
    """The variable label: the description without its 'Values:' list (a renamed column's label starts with its own name)."""
    text = (description or "").split(" Values:", 1)[0].strip() or column
    if stata_name != column:
        text = f"{column}: {text}"
    note = LIST_NOTE if is_list else ""
    return fit(text, MAX_LABEL - len(note)) + note


@dataclass(frozen=True)
class Variable:
    """One column as it goes to Stata."""
    column: str
    name: str
    duckdb_type: str
    label: str
    codes: dict[str, int] | None = None  # a string code -> its integer
    value_labels: dict[int, str] | None = None


def enum_coding(f: Field) -> tuple[dict[str, int] | None, dict[int, str] | None]:
    """(codes, value labels) of an enumerated field: strings become 1..n labelled with themselves; integers keep their
    numbers, labelled with their meanings; any other enum (numbers with fractions, lists) is left as it is."""
    values = f.enum or []
    if not values or f.separator:
        return None, None
    if f.type == "string" and all(isinstance(v, str) for v in values):
        return {v: i for i, v in enumerate(values, start=1)}, {i: v for i, v in enumerate(values, start=1)}
    if f.type == "integer" and all(isinstance(v, int) and not isinstance(v, bool) and -(2**31) < v < 2**31 for v in values):
        return None, {int(v): (m or v) for v, m in enum_meanings(f)}
    return None, None


def _variable(column: str, name: str, duckdb_type: str, description: str, coded: Field | None = None) -> Variable:
    codes, labels = enum_coding(coded) if coded is not None else (None, None)
    if kind(duckdb_type) == "boolean":
        labels = BOOLEAN_LABELS
    return Variable(column, name, duckdb_type, variable_label(column, name, description, kind(duckdb_type) == "list"), codes, labels)


def table_variables(pkg: Package, table: str, types: dict[str, str]) -> list[Variable]:
    """A table's variables, in the order of its fields (types as the database has them)."""
    t = next(t for t in pkg.tables if t.name == table)
    names = stata_names(t.field_names)
    return [_variable(f.name, names[f.name], types[f.name], f.description, f if f.enum else None) for f in t.fields]


def view_enum(pkg: Package, column: str, description: str, values: set, field_type: str) -> Field | None:
    """The table field whose allowed values code a view column: the one its header names, else the first of its
    name, of the same type (`string` or `integer`), whose allowed values hold every value of the column; else None."""
    fields = {(t.name, f.name): f for t in pkg.tables for f in t.fields}
    named = [fields[m] for m in REFERENCE.findall(description or "") if m in fields]
    same = [f for t in pkg.tables for f in t.fields if f.name == column]
    for f in named + same:
        if f.type == field_type and f.enum and not f.separator and enum_coding(f) != (None, None) and values <= set(f.enum):
            return f
    return None


def view_variables(con: duckdb.DuckDBPyConnection, pkg: Package, view: View) -> list[Variable]:
    """A view's variables: labels from its header (or the same-named table column), codes from view_enum."""
    cols = view_columns(con, view.name)
    names = stata_names([c for c, _ in cols])
    descriptions = column_descriptions(view, pkg, [c for c, _ in cols])
    rows = con.execute(f"SELECT * FROM {quote_ident(view.name)}").fetchall()  # one run of the view for every column's values
    out = []
    for j, (c, type_) in enumerate(cols):
        coded = None
        field_type = "string" if type_ == "VARCHAR" else "integer" if kind(type_) == "integer" else None
        values = {r[j] for r in rows if r[j] is not None} if field_type else set()
        if values:
            coded = view_enum(pkg, c, view.columns.get(c, ""), values, field_type)
        out.append(_variable(c, names[c], type_, descriptions[c], coded))
    return out


INTEGERS = ("BIGINT", "INTEGER", "SMALLINT", "TINYINT", "UINTEGER", "USMALLINT", "UTINYINT")  # exact in a Stata double or long


def kind(duckdb_type: str) -> str:
    """How a DuckDB column type goes to Stata: list, date, datetime, boolean, integer, float or text (anything else, as text)."""
    if duckdb_type.endswith("]"):
        return "list"
    if duckdb_type == "DATE":
        return "date"
    if duckdb_type.startswith("TIMESTAMP"):
        return "datetime"
    if duckdb_type == "BOOLEAN":
        return "boolean"
    if duckdb_type in INTEGERS:
        return "integer"
    if duckdb_type in ("DOUBLE", "FLOAT") or duckdb_type.startswith("DECIMAL"):
        return "float"
    return "text"


def select_expr(v: Variable) -> str:
    """The SQL that reads one column in the form `frame` takes: lists joined, datetimes in UTC, decimals as doubles, others as text."""
    col = quote_ident(v.column)
    k = kind(v.duckdb_type)
    if k == "list":
        return f"array_to_string({col}, {sql_literal(LIST_SEPARATOR)})"
    if k == "datetime":
        return f"CAST(timezone('UTC', {col}) AS TIMESTAMP)" if "TIME ZONE" in v.duckdb_type else f"CAST({col} AS TIMESTAMP)"
    if k == "float":
        return f"CAST({col} AS DOUBLE)"
    if k == "text" and v.duckdb_type != "VARCHAR":
        return f"CAST({col} AS VARCHAR)"
    return col


def frame(con: duckdb.DuckDBPyConnection, relation: str, variables: list[Variable], order: list[str]) -> pd.DataFrame:
    """The rows of a table or view, one pandas column per variable (named as in Stata, codes as integers)."""
    cols = ", ".join(select_expr(v) for v in variables)
    order_by = f" ORDER BY {', '.join(quote_ident(c) for c in order)}" if order else ""
    with one_thread(con):
        rows = con.execute(f"SELECT {cols} FROM {quote_ident(relation)}{order_by}").fetchall()
    data = {}
    for j, v in enumerate(variables):
        values = [r[j] for r in rows]
        k = kind(v.duckdb_type)
        if v.codes is not None:
            data[v.name] = pd.array([None if x is None else v.codes[x] for x in values], dtype="Int32")
        elif k == "boolean":
            data[v.name] = pd.array([None if x is None else int(x) for x in values], dtype="Int8")
        elif k in ("date", "datetime"):
            data[v.name] = pd.to_datetime(pd.Series(values, dtype="object"))
        elif k == "integer":
            data[v.name] = pd.array(values, dtype="Int64")
        elif k == "float":
            data[v.name] = pd.array(values, dtype="Float64")
        else:
            data[v.name] = pd.array(values, dtype="string")
    return pd.DataFrame(data, index=pd.RangeIndex(len(rows)))


def dataset_label(pkg: Package, name: str) -> str:
    """'jpkr-data 0.4.0: events. Cite: jpkr-data curators (2026), CITATION.cff', cut to 80 characters."""
    d = pkg.descriptor
    authors = ", ".join(c.get("title", "") for c in d.get("contributors", [])) or f"{d['name']} contributors"
    return fit(f"{d['name']} {d.get('version', '')}: {name}. Cite: {authors} ({str(d.get('created', ''))[:4]}), CITATION.cff")


def write_dta(df: pd.DataFrame, variables: list[Variable], label: str, when: dt.datetime, target: Path) -> Path:
    """One .dta file (format 118), with its labels, Stata dates and strL for text longer than 2045 bytes."""
    dates = {v.name: {"date": "td", "datetime": "tc"}[kind(v.duckdb_type)] for v in variables if kind(v.duckdb_type) in ("date", "datetime")}
    strl = [v.name for v in variables if pd.api.types.is_string_dtype(df[v.name].dtype)
            and max((len(s.encode("utf-8")) for s in df[v.name].dropna()), default=0) > MAX_STR]  # an all-null column (a layer not yet curated) too
    empty = [c for c in df.columns if pd.api.types.is_string_dtype(df[c].dtype) and not df[c].notna().any()]
    if empty:  # Stata's missing string is "", which pandas writes for None only beside some string: give an all-null column its ""
        df = df.assign(**{c: pd.array([""] * len(df), dtype="string") for c in empty})
    df.to_stata(target, version=VERSION, write_index=False, convert_dates=dates, data_label=label,
                variable_labels={v.name: v.label for v in variables}, time_stamp=when.replace(tzinfo=None),
                value_labels={v.name: v.value_labels for v in variables if v.value_labels} or None, convert_strl=strl or None)
    return target


def write_stata(con: duckdb.DuckDBPyConnection, pkg: Package, out: Path, when: dt.datetime) -> list[Path]:
    """stata/<table>.dta for every table (rows in primary-key order) and stata/<view>.dta for every view (rows as the view orders them)."""
    folder = out / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for t in pkg.tables:
        types = {c: ty for c, ty in view_columns(con, t.name)}
        variables = table_variables(pkg, t.name, types)
        df = frame(con, t.name, variables, t.primary_key)
        written.append(write_dta(df, variables, dataset_label(pkg, t.name), when, folder / f"{t.name}.dta"))
    for view in discover_views(pkg.root):
        variables = view_variables(con, pkg, view)
        df = frame(con, view.name, variables, [])
        written.append(write_dta(df, variables, dataset_label(pkg, view.name), when, folder / f"{view.name}.dta"))
    return written


def renamed_columns(pkg: Package, view_types: dict[str, dict[str, str]]) -> list[tuple[str, str, str]]:
    """(table or view, column, Stata name) for every column whose Stata name differs from its own."""
    items = [(t.name, t.field_names) for t in pkg.tables] + [(v, list(cols)) for v, cols in view_types.items()]
    return [(name, c, s) for name, cols in items for c, s in stata_names(cols).items() if c != s]


def stata_names_section(pkg: Package, view_types: dict[str, dict[str, str]]) -> list[str]:
    """'## Stata names': the renaming rule of stata/*.dta and every column it renames (or that none is)."""
    renamed = renamed_columns(pkg, view_types)
    out = ["", "## Stata and R files (`stata/*.dta`)", "",
           "A code with allowed values (a column whose allowed values are listed above) is an integer there: its position in that list "
           "(1 for the first), with a value label that gives the code itself, so Stata's `decode` and R's `haven::as_factor` return the "
           "text of the CSV. QuadClass columns keep their numbers, labelled with their meanings. Dates are Stata dates; lists are one string, "
           "items joined by `; `.", "", "### Stata names", "",
           f"A variable has its column's name unless Stata cannot take it (more than {MAX_NAME} characters, characters other than ASCII "
           "letters, digits and `_`, a leading digit, or a reserved word such as `in`); such a name is made valid (other characters become "
           "`_`, a leading digit gets `v_`, a reserved word a trailing `_`) and cut to its first 32 characters, or to its first 30 and `_2`, "
           "`_3`, ... if that is taken in the same file. The variable label of a renamed variable starts with the column's own name."]
    if not renamed:
        return out + ["", "No column is renamed in this version: every Stata variable has its column's name."]
    out += ["", "| table or view | column | Stata name |", "|---|---|---|"]
    return out + [f"| {name} | `{cell(c)}` | `{s}` |" for name, c, s in renamed]
