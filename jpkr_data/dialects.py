"""The views of sql/ translated by sqlglot from DuckDB to SQLite and Apache Spark, with the rules sqlglot lacks.

The view files stay the one definition of every view; nothing here holds a second copy. Each query is
parsed once by sqlglot (DuckDB dialect), its columns qualified and typed from the package's Table Schemas
(and from the views before it), then rewritten by the small rules in RULES where DuckDB has a construct
the target engine lacks, and generated for the target with sqlglot's own translation. Anything neither
sqlglot nor a rule can translate is a TranslationError naming the view file and the construct, never a
view that silently returns other rows.

Representation in SQLite (the release's jpkr.sqlite): a list is a JSON array (text), a date an ISO date
(text), a boolean 0 or 1. In Spark a list is an array, a date a DATE.
"""
from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError
from sqlglot.optimizer.annotate_types import TypeAnnotator
from sqlglot.optimizer.qualify import qualify
from sqlglot.schema import ensure_schema

DIALECTS = ("duckdb", "sqlite", "spark")

# Table Schema type -> the sqlglot (DuckDB) type the translator reasons with; a list field is ARRAY<VARCHAR>.
SCHEMA_TYPES = {"string": "VARCHAR", "integer": "BIGINT", "number": "DOUBLE", "boolean": "BOOLEAN",
                "date": "DATE", "datetime": "TIMESTAMP", "year": "INT"}


class TranslationError(ValueError):
    """A view uses a construct that neither sqlglot nor a rule of this module translates to the target engine."""

    def __init__(self, file: str, dialect: str, construct: str):
        self.file, self.dialect, self.construct = file, dialect, construct
        super().__init__(f"{file}: cannot be translated to {dialect}: {construct}")


@dataclass(frozen=True)
class Construct:
    """A DuckDB construct that is not portable: how the parse finds it, the words a view header's
    'DuckDB-specific:' note uses for it, and what the translation does with it on each engine."""
    key: str
    note: str  # the words a 'DuckDB-specific:' header note must contain
    found: Callable[[exp.Expression], bool]
    sqlite: str
    spark: str


def _is_date(node: exp.Expression) -> bool:
    return node.type is not None and node.type.is_type(exp.DType.DATE)


def _date_arith(node: exp.Expression) -> bool:
    return isinstance(node, (exp.Add, exp.Sub)) and (_is_date(node.this) or _is_date(node.expression))


CONSTRUCTS = (
    Construct("list_agg", "list()", lambda n: isinstance(n, exp.ArrayAgg),
              "json_group_array(); with ORDER BY, an inner query collects the rows and a sorted json_each() rebuilds the array",
              "collect_list of structs (NULLs kept), sorted by array_sort with a comparator for the ORDER BY"),
    Construct("group_by_all", "GROUP BY ALL", lambda n: isinstance(n, exp.Group) and bool(n.args.get("all")),
              "the GROUP BY lists every selected expression that is not an aggregate", "kept (Spark 3.4+ has it)"),
    Construct("ignore_nulls", "IGNORE NULLS", lambda n: isinstance(n, exp.IgnoreNulls) and not isinstance(n.this, exp.AnyValue),
              "first_value/last_value(x IGNORE NULLS) OVER w: json_group_array(x) FILTER (WHERE x IS NOT NULL) OVER w, its first/last element",
              "kept (sqlglot)"),
    Construct("split_part", "split_part", lambda n: isinstance(n, exp.SplitPart),
              "substr/instr from the (n-1)-th to the n-th delimiter ('' past the end), for a constant n up to 6", "kept (Spark 3.3+ has it)"),
    Construct("list_index", "list indexing", lambda n: isinstance(n, exp.Bracket),
              "json_extract(list, '$[i]'), from the end '$[#-i]'", "try_element_at (NULL past the end, as in DuckDB)"),
    Construct("list_literal", "list literal", lambda n: isinstance(n, exp.Array), "json_array()", "array()"),
    Construct("date_arithmetic", "date arithmetic", _date_arith,
              "date - date: julianday difference; date + n: date(julianday(date) + n)", "datediff / date_add"),
    Construct("date_trunc", "date_trunc", lambda n: isinstance(n, (exp.TimestampTrunc, exp.DateTrunc)),
              "date(d, 'start of month' | 'start of year' | '-6 days', 'weekday 1')", "trunc(d, unit) on a DATE"),
)


# DuckDB's date - date is a number of days (sqlglot types it DATE, which would make the date rules misread it).
BINARY_TYPES = {**TypeAnnotator.BINARY_COERCIONS, (exp.DType.DATE, exp.DType.DATE): lambda left, right: exp.DType.BIGINT}


def package_schema(tables: Iterable) -> dict[str, dict[str, str]]:
    """table -> column -> type, from the package's Table Schemas (schema.Table objects)."""
    return {t.name: {f.name: "ARRAY<VARCHAR>" if f.separator else SCHEMA_TYPES.get(f.type, "VARCHAR") for f in t.fields} for t in tables}


def parse_query(query: str, schema: dict[str, dict[str, str]], file: str) -> exp.Expression:
    """The view's query parsed as DuckDB, columns qualified and typed (TranslationError when sqlglot cannot)."""
    try:
        tree = sqlglot.parse_one(query, read="duckdb")
    except SqlglotError as exc:
        raise TranslationError(file, "any engine", f"sqlglot cannot parse the query: {str(exc).splitlines()[0]}") from None
    for fn in tree.find_all(exp.Anonymous):
        raise TranslationError(file, "other engines", f"function {fn.name}() is not known to sqlglot, so it has no translation; use a standard function")
    try:
        tree = qualify(tree, schema=schema, dialect="duckdb", quote_identifiers=False, identify=False, validate_qualify_columns=False)
        return TypeAnnotator(ensure_schema(schema, dialect="duckdb"), binary_coercions=BINARY_TYPES).annotate(tree)
    except SqlglotError as exc:
        raise TranslationError(file, "other engines", f"sqlglot cannot resolve the query's columns: {str(exc).splitlines()[0]}") from None


def constructs_in(tree: exp.Expression) -> list[Construct]:
    """The non-portable DuckDB constructs the parse finds in a view's (typed) query."""
    nodes = list(tree.walk())
    return [c for c in CONSTRUCTS if any(c.found(n) for n in nodes)]


def output_types(tree: exp.Expression) -> dict[str, str]:
    """The view's columns and their types, as the typed parse infers them (for the views that read it)."""
    return {s.alias_or_name: (s.type.sql("duckdb") if s.type else "VARCHAR") for s in tree.selects}


# ---- rules ---------------------------------------------------------------------------------------

def _sql(node: exp.Expression, dialect: str) -> str:
    return node.sql(dialect=dialect)


def _parse(text: str, dialect: str) -> exp.Expression:
    return sqlglot.parse_one(text, read=dialect)


def _date_rules(node: exp.Expression, dialect: str, file: str) -> exp.Expression:
    """date - date is a number of days, date ± n days is a date (DuckDB); Spark and SQLite need functions."""
    if isinstance(node, exp.Sub) and _is_date(node.this) and _is_date(node.expression):
        a, b = node.this, node.expression
        if dialect == "spark":
            return exp.Anonymous(this="datediff", expressions=[a, b])
        return exp.cast(exp.Sub(this=exp.Anonymous(this="julianday", expressions=[a]), expression=exp.Anonymous(this="julianday", expressions=[b])), "INTEGER")
    if isinstance(node, (exp.Add, exp.Sub)) and (_is_date(node.this) != _is_date(node.expression)) \
            and not isinstance(node.this, exp.Interval) and not isinstance(node.expression, exp.Interval):
        d, n = (node.this, node.expression) if _is_date(node.this) else (node.expression, node.this)
        if isinstance(node, exp.Sub):
            if not _is_date(node.this):
                raise TranslationError(file, dialect, f"a number minus a date ({_sql(node, 'duckdb')})")
            n = exp.Neg(this=exp.Paren(this=n))
        if dialect == "spark":
            return exp.Anonymous(this="date_add", expressions=[d, n])
        return exp.Anonymous(this="date", expressions=[exp.Add(this=exp.Anonymous(this="julianday", expressions=[d]), expression=n)])
    if isinstance(node, (exp.TimestampTrunc, exp.DateTrunc)) and _is_date(node.this):
        unit = (node.text("unit") or "").upper()
        if dialect == "spark":
            return exp.Anonymous(this="trunc", expressions=[node.this, exp.Literal.string(unit)])
        modifiers = {"WEEK": ["-6 days", "weekday 1"], "MONTH": ["start of month"], "YEAR": ["start of year"], "DAY": []}
        if unit not in modifiers:
            raise TranslationError(file, dialect, f"date_trunc to {unit.lower()} (SQLite has day, week, month and year)")
        return exp.Anonymous(this="date", expressions=[node.this, *map(exp.Literal.string, modifiers[unit])])
    if dialect == "sqlite" and isinstance(node, exp.Cast) and node.to.is_type(exp.DType.DATE):
        return exp.Anonymous(this="date", expressions=[node.this])  # CAST(x AS DATE) is a number in SQLite
    return node


def _ordering(agg: exp.ArrayAgg) -> tuple[exp.Expression, bool, list[exp.Ordered]]:
    """(the aggregated expression, DISTINCT?, the ORDER BY terms) of list(...) / array_agg(...)."""
    inner, order = agg.this, []
    if isinstance(inner, exp.Order):
        order = list(inner.expressions)
        inner = inner.this
    distinct = isinstance(inner, exp.Distinct)
    if distinct:
        inner = inner.expressions[0]
    return inner, distinct, order


def _spark_list(agg: exp.ArrayAgg, file: str) -> exp.Expression:
    """list(x ORDER BY k...) in Spark: collect_list of structs (which keeps NULL x), sorted by a comparator, then x."""
    x, distinct, order = _ordering(agg)
    keys = [o.this for o in order]
    if distinct and order and [_sql(k, "spark") for k in keys] != [_sql(x, "spark")]:
        raise TranslationError(file, "spark", "list(DISTINCT x ORDER BY y) with y other than x")
    fields = ", ".join(f"'k{i}', {_sql(k, 'spark')}" for i, k in enumerate(keys))
    collected = f"collect_list(named_struct({fields + ', ' if fields else ''}'v', {_sql(x, 'spark')}))"
    cmp = "0"
    for i, o in reversed(list(enumerate(order))):
        first, desc = bool(o.args.get("nulls_first")), bool(o.args.get("desc"))
        lt, gt = ("1", "-1") if desc else ("-1", "1")
        nl, nr = ("-1", "1") if first else ("1", "-1")
        a, b = f"l.k{i}", f"r.k{i}"
        cmp = (f"CASE WHEN {a} IS NULL AND {b} IS NULL THEN {cmp} WHEN {a} IS NULL THEN {nl} WHEN {b} IS NULL THEN {nr} "
               f"WHEN {a} < {b} THEN {lt} WHEN {a} > {b} THEN {gt} ELSE {cmp} END")
    if order:
        collected = f"array_sort({collected}, (l, r) -> {cmp})"
    values = f"transform({collected}, s -> s.v)"
    return _parse(f"array_distinct({values})" if distinct else values, "spark")


def _is_list(node: exp.Expression | None) -> bool:
    return node is not None and node.type is not None and node.type.this == exp.DType.ARRAY


DATE_PARTS = {"YEAR": "%Y", "MONTH": "%m", "DAY": "%d", "DOW": "%w", "DAYOFWEEK": "%w", "DOY": "%j", "DAYOFYEAR": "%j"}
DATE_PART_FUNCS = {exp.Year: "YEAR", exp.Month: "MONTH", exp.Day: "DAY", exp.DayOfWeek: "DOW", exp.DayOfYear: "DOY"}
# Constructs SQLite (3.40, as Python and Datasette ship it) cannot express: refused with the reason, never passed through.
SQLITE_REFUSED = {exp.Interval: "INTERVAL arithmetic (write date + n, a number of days)",
                  exp.RegexpLike: "regular expressions (SQLite has none built in)", exp.RegexpExtract: "regular expressions (SQLite has none built in)",
                  exp.RegexpReplace: "regular expressions (SQLite has none built in)", exp.Explode: "unnest() (a list is a JSON array in SQLite)",
                  exp.Split: "string_split() (it makes a list)", exp.Any: "ANY(list)", exp.Struct: "STRUCT values", exp.Median: "median()"}


def _sqlite_more(node: exp.Expression, file: str) -> exp.Expression:
    """SQLite rules for date parts, concat, starts_with/contains, list length and membership, any_value; refusals."""
    for kind, why in SQLITE_REFUSED.items():
        if isinstance(node, kind):
            raise TranslationError(file, "sqlite", f"{why}: {_sql(node, 'duckdb')}")
    unit = DATE_PART_FUNCS.get(type(node)) or (node.text("this").upper() if isinstance(node, exp.Extract) else None)
    if unit is not None:
        arg = node.expression if isinstance(node, exp.Extract) else node.this
        if unit not in DATE_PARTS:
            raise TranslationError(file, "sqlite", f"the date part {unit.lower()} (SQLite has year, month, day, dow, doy)")
        return exp.cast(exp.Anonymous(this="strftime", expressions=[exp.Literal.string(DATE_PARTS[unit]), arg]), "INTEGER")
    if isinstance(node, exp.Round) and not (node.this.type is not None and node.this.type.is_type(*exp.DataType.INTEGER_TYPES)):
        # DuckDB rounds half away from zero (round(-0.0625, 3) = -0.063); SQLite's round() gives -0.062
        x, digits = _sql(node.this, "sqlite"), node.args.get("decimals")
        scale = "1" if digits is None else (f"1e{digits.to_py()}" if isinstance(digits, exp.Literal) else f"power(10, {_sql(digits, 'sqlite')})")
        return _parse(f"((CASE WHEN {x} < 0 THEN -1 ELSE 1 END) * floor(abs({x}) * {scale} + 0.5) / {scale})", "sqlite")
    if isinstance(node, exp.Concat):  # DuckDB's concat() skips NULLs; || does not
        parts = [exp.Coalesce(this=exp.cast(e, "TEXT"), expressions=[exp.Literal.string("")]) for e in node.expressions]
        out = parts[0]
        for part in parts[1:]:
            out = exp.DPipe(this=out, expression=part)
        return exp.Paren(this=out)
    if isinstance(node, (exp.Length, exp.ArraySize)) and _is_list(node.this):
        return exp.Anonymous(this="json_array_length", expressions=[node.this])
    if isinstance(node, (exp.ArrayContains, exp.Contains)) and _is_list(node.this):
        lst, item = _sql(node.this, "sqlite"), _sql(node.expression, "sqlite")
        return _parse(f"CASE WHEN {lst} IS NULL THEN NULL ELSE EXISTS (SELECT 1 FROM json_each({lst}) WHERE value = {item}) END", "sqlite")
    if isinstance(node, exp.StartsWith):
        return _parse(f"substr({_sql(node.this, 'sqlite')}, 1, length({_sql(node.expression, 'sqlite')})) = {_sql(node.expression, 'sqlite')}", "sqlite")
    if isinstance(node, exp.Contains):
        return _parse(f"instr({_sql(node.this, 'sqlite')}, {_sql(node.expression, 'sqlite')}) > 0", "sqlite")
    if isinstance(node, exp.IgnoreNulls) and isinstance(node.this, exp.AnyValue) and not isinstance(node.parent, exp.Window):
        return exp.Min(this=node.this.this)  # any_value: some non-NULL value of the group; SQLite gives the smallest
    return node


def _list_position(node: exp.Bracket, file: str, dialect: str) -> int:
    """The 1-based position of list[i] (negative: from the end, -1 the last), which must be a constant."""
    (index,) = node.expressions
    value = index.this if isinstance(index, exp.Neg) else index
    if len(node.expressions) != 1 or not (isinstance(value, exp.Literal) and not value.is_string):
        raise TranslationError(file, dialect, f"list indexing by a non-constant index ({_sql(node, 'duckdb')})")
    zero_based = -value.to_py() if isinstance(index, exp.Neg) else value.to_py()  # sqlglot's parse counts from 0
    return zero_based + 1


def _spark_node(node: exp.Expression, file: str) -> exp.Expression:
    """The node-local Spark rules: list indexing, length and membership (DuckDB's semantics: NULL past the end,
    NULL for a NULL list, a NULL element is not a match)."""
    if isinstance(node, exp.ArrayAgg):
        return _spark_list(node, file)
    if isinstance(node, exp.Bracket):
        return exp.Anonymous(this="try_element_at", expressions=[node.this, exp.Literal.number(_list_position(node, file, "spark"))])
    if isinstance(node, exp.DayOfWeek) or (isinstance(node, exp.Extract) and node.text("this").upper() in ("DOW", "DAYOFWEEK")):
        arg = node.this if isinstance(node, exp.DayOfWeek) else node.expression
        return _parse(f"(dayofweek({_sql(arg, 'spark')}) - 1)", "spark")  # DuckDB counts Sunday as 0, Spark as 1
    if isinstance(node, (exp.Length, exp.ArraySize)) and _is_list(node.this):
        lst = _sql(node.this, "spark")
        return _parse(f"CASE WHEN {lst} IS NULL THEN NULL ELSE size({lst}) END", "spark")
    if isinstance(node, (exp.ArrayContains, exp.Contains)) and _is_list(node.this):
        return _parse(f"array_position({_sql(node.this, 'spark')}, {_sql(node.expression, 'spark')}) > 0", "spark")
    return node


def _sqlite_node(node: exp.Expression, file: str) -> exp.Expression:
    """The node-local SQLite rules: list literals, list indexing, split_part, windowed IGNORE NULLS, plain list()."""
    node = _sqlite_more(node, file)
    if isinstance(node, exp.Array):
        return exp.Anonymous(this="json_array", expressions=list(node.expressions))
    if isinstance(node, exp.Bracket):
        i = _list_position(node, file, "sqlite")
        path = f"$[{i - 1}]" if i > 0 else f"$[#{i}]"  # JSON path: 0-based, or counted from the end
        return exp.Anonymous(this="json_extract", expressions=[node.this, exp.Literal.string(path)])
    if isinstance(node, exp.SplitPart):
        delim, part = node.args.get("delimiter"), node.args.get("part_index")
        if not (isinstance(delim, exp.Literal) and delim.is_string and delim.this
                and isinstance(part, exp.Literal) and not part.is_string and 1 <= part.to_py() <= MAX_SPLIT_PART):
            raise TranslationError(file, "sqlite", f"split_part needs a constant delimiter and a constant position from 1 to {MAX_SPLIT_PART} ({_sql(node, 'duckdb')})")
        s, d = _sql(node.this, "sqlite"), _sql(delim, "sqlite")
        rest = f"({s} || {d})"  # the text with a delimiter after its last part: part n ends at the n-th delimiter
        for _ in range(part.to_py() - 1):
            rest = f"substr({rest}, nullif(instr({rest}, {d}), 0) + length({d}))"
        return _parse(f"CASE WHEN {s} IS NULL THEN NULL ELSE coalesce(substr({rest}, 1, instr({rest}, {d}) - 1), '') END", "sqlite")
    if isinstance(node, exp.Window) and isinstance(node.this, exp.IgnoreNulls):
        fn = node.this.this
        if not isinstance(fn, (exp.FirstValue, exp.LastValue)):
            raise TranslationError(file, "sqlite", f"{_sql(fn, 'duckdb')} IGNORE NULLS (the rule covers first_value and last_value)")
        x = fn.this
        window = node.copy()
        window.set("this", exp.Filter(this=exp.Anonymous(this="json_group_array", expressions=[x.copy()]),
                                      expression=exp.Where(this=exp.Not(this=exp.Is(this=x.copy(), expression=exp.Null())))))
        return exp.Anonymous(this="json_extract", expressions=[window, exp.Literal.string("$[0]" if isinstance(fn, exp.FirstValue) else "$[#-1]")])
    if isinstance(node, exp.ArrayAgg):
        x, distinct, order = _ordering(node)
        if not order:
            return exp.Anonymous(this="json_group_array", expressions=[exp.Distinct(expressions=[x]) if distinct else x])
    return node


LIST_ALIAS = "_jpkr_list"
MAX_SPLIT_PART = 6  # the SQLite split_part rule repeats the text 2**(n-1) times


def _needs_wrapper(agg: exp.Expression) -> bool:
    """An ordered list(), or a string_agg() that is ordered or DISTINCT: SQLite 3.40 has no aggregate for either."""
    if isinstance(agg, exp.ArrayAgg):
        return bool(_ordering(agg)[2])
    return isinstance(agg, exp.GroupConcat) and (bool(_ordering(agg)[2]) or _ordering(agg)[1])


def _sqlite_ordered_lists(select: exp.Select, file: str) -> exp.Expression:
    """SQLite before 3.44 has no ORDER BY inside an aggregate: the query collects the rows of each ordered list() or
    string_agg() unsorted, as a JSON array, and an outer query rebuilds the value from json_each() in the order asked for
    (DISTINCT: the distinct values, sorted by themselves)."""
    aggs = [a for a in select.find_all(exp.ArrayAgg, exp.GroupConcat) if a.find_ancestor(exp.Select) is select and _needs_wrapper(a)]
    if not aggs:
        return select
    post: dict[str, str] = {}
    around: dict[str, str] = {}  # column -> the expression around its aggregate (e.g. coalesce(list(...), [])), '{}' standing for it
    for agg in aggs:
        x, distinct, order = _ordering(agg)
        what = "list" if isinstance(agg, exp.ArrayAgg) else "string_agg"
        column = agg
        while column.parent is not select:
            column = column.parent
        outside = [c for c in column.find_all(exp.Column, exp.AggFunc) if c is not agg and not c.find_ancestor(exp.ArrayAgg, exp.GroupConcat)]
        if not isinstance(column, exp.Alias) or column.alias in around or (column.this is not agg and outside):
            raise TranslationError(file, "sqlite", f"{what}(... ORDER BY ...) inside an expression that reads other columns ({_sql(column, 'duckdb')}); "
                                                   "select it as a column of its own")
        alias = column.alias
        if column.this is not agg:
            shell = column.this.copy()
            next(n for n in shell.find_all(type(agg)) if n == agg).replace(exp.column("_jpkr_value_"))
            around[alias] = _sql(shell, "sqlite").replace("_jpkr_value_", "{}")
            column.set("this", agg)
        keys = [o.this for o in order]
        sep = _sql(agg.args.get("separator") or exp.Literal.string(","), "sqlite")
        fold = (lambda v: f"json_group_array({v})") if what == "list" else (lambda v: f"group_concat({v}, {sep})")  # noqa: E731, B023
        if distinct:
            if order and [_sql(k, "sqlite") for k in keys] != [_sql(x, "sqlite")]:
                raise TranslationError(file, "sqlite", f"{what}(DISTINCT x ORDER BY y) with y other than x")
            agg.replace(exp.Anonymous(this="json_group_array", expressions=[x]))
            direction = " DESC" if order and order[0].args.get("desc") else ""
            nulls = "value IS NULL DESC" if order and order[0].args.get("nulls_first") else "value IS NULL"
            post[alias] = (f"(SELECT {fold('value')} FROM (SELECT DISTINCT value FROM json_each({LIST_ALIAS}.{alias}) "
                           f"ORDER BY {nulls}, value{direction}))")
            continue
        agg.replace(exp.Anonymous(this="json_group_array", expressions=[exp.Anonymous(this="json_array", expressions=[*keys, x])]))
        terms = []
        for i, o in enumerate(order):
            k = f"json_extract(value, '$[{i}]')"
            terms.append(f"{k} IS NULL{' DESC' if o.args.get('nulls_first') else ''}, {k}{' DESC' if o.args.get('desc') else ''}")
        post[alias] = (f"(SELECT {fold(f'json_extract(value, {chr(39)}$[{len(keys)}]{chr(39)})')} FROM (SELECT value FROM json_each({LIST_ALIAS}.{alias}) "
                       f"ORDER BY {', '.join(terms)}))")
    names = [s.alias_or_name for s in select.selects]
    if len(set(names)) != len(names) or not all(names):
        raise TranslationError(file, "sqlite", "an ordered list() or string_agg() in a query whose columns are not all named once")
    post = {n: around[n].replace("{}", v) if n in around else v for n, v in post.items()}
    outer = ", ".join(f"{post[n]} AS {n}" if n in post else f"{LIST_ALIAS}.{n} AS {n}" for n in names)
    wrapped = _parse(f"SELECT {outer} FROM (SELECT 1) AS {LIST_ALIAS}", "sqlite")
    wrapped.set("from_", exp.From(this=exp.Subquery(this=select.copy(), alias=exp.TableAlias(this=exp.to_identifier(LIST_ALIAS)))))
    return wrapped


def _group_by_all(select: exp.Select) -> exp.Select:
    """GROUP BY ALL spelled out: every selected expression that holds no aggregate."""
    group = select.args.get("group")
    if group is not None and group.args.get("all"):
        keys = [s.unalias().copy() for s in select.selects if not s.find(exp.AggFunc)]
        select.set("group", exp.Group(expressions=keys) if keys else None)  # only aggregates: one row, no GROUP BY
    return select


def _rewrite(tree: exp.Expression, rule: Callable[[exp.Expression], exp.Expression]) -> exp.Expression:
    """Apply `rule` to every node, children before their parent (a rule sees its arguments already rewritten, and
    typed: a rewritten node keeps the type of the node it replaces)."""
    for node in reversed(list(tree.walk(bfs=False))):
        new = rule(node)
        if new is not node:
            if new.type is None and node.type is not None:
                new.type = node.type
            if node is tree:
                tree = new
            else:
                node.replace(new)
    return tree


def translate_query(tree: exp.Expression, dialect: str, file: str) -> str:
    """A typed parse (parse_query) generated for `dialect`, after the rules; TranslationError names what has none."""
    if dialect not in DIALECTS:
        raise ValueError(f"unknown dialect {dialect!r}; supported: {', '.join(DIALECTS)}")
    if dialect == "duckdb":
        return tree.sql(dialect="duckdb", pretty=True)
    tree = tree.copy()
    for c in tree.find_all(exp.Expression):  # comments stay in the view file; the translation is the query
        c.comments = None
    tree = _rewrite(tree, lambda n: _date_rules(n, dialect, file))
    if dialect == "sqlite":
        tree = tree.transform(lambda n: _group_by_all(n) if isinstance(n, exp.Select) else n, copy=False)
        tree = _rewrite(tree, lambda n: _sqlite_node(n, file))  # ordered aggregates are left for the next step
        for select in reversed(list(tree.find_all(exp.Select))):
            new = _sqlite_ordered_lists(select, file)
            if new is not select:
                if select is tree:
                    tree = new
                else:
                    select.replace(new)
    else:
        tree = _rewrite(tree, lambda n: _spark_node(n, file))
    left = [type(n).__name__ for n in tree.walk() if isinstance(n, (exp.ArrayAgg, exp.Bracket, exp.IgnoreNulls, exp.Struct)) and dialect == "sqlite"]
    if left:
        raise TranslationError(file, dialect, f"no rule for {left[0]} here")
    try:
        return tree.sql(dialect=dialect, pretty=True, unsupported_level=sqlglot.ErrorLevel.RAISE)
    except SqlglotError as exc:
        raise TranslationError(file, dialect, str(exc).splitlines()[0]) from None


def create_view(name: str, query_sql: str, dialect: str) -> str:
    """CREATE VIEW for the engine: DuckDB and Spark replace an earlier view of that name; SQLite has no OR REPLACE."""
    ident = exp.to_identifier(name, quoted=True).sql(dialect=dialect)
    head = "CREATE VIEW" if dialect == "sqlite" else "CREATE OR REPLACE VIEW"
    return f"{head} {ident} AS\n{query_sql}"


class SqliteProbe:
    """An empty in-memory SQLite database with the package's tables, where each translated view is created and
    prepared: what sqlglot passes through but SQLite lacks (a function, a syntax) is found before a release is built."""

    def __init__(self, schema: dict[str, dict[str, str]]):
        self.db = sqlite3.connect(":memory:")
        for table, columns in schema.items():
            names = ", ".join(exp.to_identifier(c, quoted=True).sql("sqlite") for c in columns)
            self.db.execute(f"CREATE TABLE {exp.to_identifier(table, quoted=True).sql('sqlite')} ({names})")

    def problem(self, name: str, query_sql: str) -> str | None:
        """Why the translated view does not compile in SQLite, or None (the view is then kept for the views after it)."""
        try:
            self.db.execute(create_view(name, query_sql, "sqlite"))
            self.db.execute(f"SELECT * FROM {exp.to_identifier(name, quoted=True).sql('sqlite')} LIMIT 0").fetchall()
        except sqlite3.Error as exc:
            return f"its SQLite translation does not run in SQLite {sqlite3.sqlite_version}: {exc}"
        return None

    def close(self) -> None:
        self.db.close()


# What a view may call (S6: views are data): the standard scalar, aggregate and window functions, as sqlglot's
# function classes, and nothing else. A function sqlglot does not know (exp.Anonymous: duckdb_settings(),
# current_setting(), getenv(), query() ...) and a known one that reads the session or the machine
# (CurrentVersion, CurrentDatabase, CurrentUser, CurrentTimestamp ...) are refused by being absent.
VIEW_FUNCTIONS = frozenset(name for name in """
And Or Not If Case Cast TryCast Coalesce Nullif Greatest Least Abs Ceil Floor Round Sqrt Ln Log Exp Pow Sign Mod
Upper Lower Length Substring Trim Concat ConcatWs StrPosition Left Right Pad RegexpLike RegexpExtract RegexpReplace
StartsWith EndsWith Contains Replace Reverse Repeat Initcap
Array ArraySize ArrayContains ArrayToString ArraySort ArrayDistinct Unnest Explode Struct GenerateSeries
DateTrunc TimestampTrunc Extract DateDiff DateAdd DateSub Year Month Day Quarter Week DayOfWeek DayOfYear
TimeToStr StrToDate StrToTime DateStrToDate TsOrDsToDate Date
Count CountIf Sum Avg Min Max ArrayAgg GroupConcat Stddev StddevPop StddevSamp Variance VariancePop Median
PercentileCont PercentileDisc AnyValue LogicalAnd LogicalOr ArgMax ArgMin Corr CovarPop CovarSamp First Last
RowNumber Rank DenseRank PercentRank CumeDist Ntile Lag Lead FirstValue LastValue NthValue
""".split() if isinstance(getattr(exp, name, None), type))


def view_source_problem(query: str, readable: Iterable[str]) -> str | None:
    """Why a view's query reaches beyond the package (a function outside VIEW_FUNCTIONS, or a table that is
    not one of `readable`: the package's tables, earlier views, its own CTEs), or None."""
    try:
        tree = sqlglot.parse_one(query, read="duckdb")
    except (SqlglotError, ValueError, RecursionError) as exc:
        return f"cannot be checked: sqlglot cannot parse the query ({str(exc).splitlines()[0] if str(exc) else type(exc).__name__})"
    for fn in tree.find_all(exp.Func):
        if type(fn).__name__ not in VIEW_FUNCTIONS:
            name = fn.name if isinstance(fn, exp.Anonymous) else (fn.sql_name() if hasattr(fn, "sql_name") else type(fn).__name__)
            return (f"the view calls {name.lower()}(), which is not a standard scalar, aggregate or window function: "
                    "a view reads only the package's tables")
    names = {n.lower() for n in readable} | {c.alias_or_name.lower() for c in tree.find_all(exp.CTE)}
    for table in tree.find_all(exp.Table):
        if not isinstance(table.this, exp.Identifier):
            continue  # a table function: checked as a function above
        if table.args.get("db") or table.args.get("catalog") or table.name.lower() not in names:
            return (f"the view reads {table.sql(dialect='duckdb')}, which is not a table of the package, an earlier view "
                    "or one of its own WITH queries")
    return None
