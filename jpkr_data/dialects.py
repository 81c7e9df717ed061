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

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError
from sqlglot.optimizer.annotate_types import annotate_types
from sqlglot.optimizer.qualify import qualify

DIALECTS = ("duckdb", "sqlite", "spark")

# Table Schema type -> the sqlglot (DuckDB) type the translator reasons with; a list field is ARRAY<VARCHAR>.
SCHEMA_TYPES = {"string": "VARCHAR", "integer": "BIGINT", "number": "DOUBLE", "boolean": "BOOLEAN",
                "date": "DATE", "datetime": "TIMESTAMP", "year": "INT"}


class TranslationError(ValueError):
    """A view uses a construct that neither sqlglot nor a rule of RULES translates to the target engine."""

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
    Construct("ignore_nulls", "IGNORE NULLS", lambda n: isinstance(n, exp.IgnoreNulls),
              "first_value/last_value(x IGNORE NULLS) OVER w: json_group_array(x) FILTER (WHERE x IS NOT NULL) OVER w, its first/last element",
              "kept (sqlglot)"),
    Construct("split_part", "split_part", lambda n: isinstance(n, exp.SplitPart),
              "substr/instr from the (n-1)-th to the n-th delimiter ('' past the end), for a constant n up to 6", "kept (Spark 3.3+ has it)"),
    Construct("list_index", "list indexing", lambda n: isinstance(n, exp.Bracket),
              "json_extract(list, '$[i]')", "try_element_at (NULL past the end, as in DuckDB)"),
    Construct("list_literal", "list literal", lambda n: isinstance(n, exp.Array), "json_array()", "array()"),
    Construct("date_arithmetic", "date arithmetic", _date_arith,
              "date - date: julianday difference; date + n: date(julianday(date) + n)", "datediff / date_add"),
    Construct("date_trunc", "date_trunc", lambda n: isinstance(n, (exp.TimestampTrunc, exp.DateTrunc)),
              "date(d, 'start of month' | 'start of year' | '-6 days', 'weekday 1')", "trunc(d, unit) on a DATE"),
)


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
        return annotate_types(tree, schema=schema, dialect="duckdb")
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
    if isinstance(node, (exp.Add, exp.Sub)) and (_is_date(node.this) != _is_date(node.expression)):
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


def _sqlite_node(node: exp.Expression, file: str) -> exp.Expression:
    """The node-local SQLite rules: list literals, list indexing, split_part, windowed IGNORE NULLS, plain list()."""
    if isinstance(node, exp.Array):
        return exp.Anonymous(this="json_array", expressions=list(node.expressions))
    if isinstance(node, exp.Bracket):
        (index,) = node.expressions
        if not (isinstance(index, exp.Literal) and not index.is_string and index.to_py() >= 0):
            raise TranslationError(file, "sqlite", f"list indexing by a non-constant or negative index ({_sql(node, 'duckdb')})")
        return exp.Anonymous(this="json_extract", expressions=[node.this, exp.Literal.string(f"$[{index.to_py()}]")])
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


def _sqlite_ordered_lists(select: exp.Select, file: str) -> exp.Expression:
    """SQLite before 3.44 has no ORDER BY inside an aggregate: the query collects each ordered list() unsorted,
    and an outer query rebuilds it from json_each() in the order asked for (a DISTINCT list sorted by its values)."""
    lists = [a for a in select.find_all(exp.ArrayAgg) if a.find_ancestor(exp.Select) is select and _ordering(a)[2]]
    if not lists:
        return select
    post: dict[str, str] = {}
    for agg in lists:
        x, distinct, order = _ordering(agg)
        if not isinstance(agg.parent, exp.Alias) or agg.parent.parent is not select:
            raise TranslationError(file, "sqlite", f"list(... ORDER BY ...) inside an expression ({_sql(agg.parent, 'duckdb')}); select it as a column of its own")
        alias = agg.parent.alias
        keys = [o.this for o in order]
        if distinct:
            if [_sql(k, "sqlite") for k in keys] != [_sql(x, "sqlite")]:
                raise TranslationError(file, "sqlite", "list(DISTINCT x ORDER BY y) with y other than x")
            agg.replace(exp.Anonymous(this="json_group_array", expressions=[x]))
            direction = " DESC" if order[0].args.get("desc") else ""
            nulls = "value IS NULL DESC" if order[0].args.get("nulls_first") else "value IS NULL"
            post[alias] = (f"(SELECT json_group_array(value) FROM (SELECT DISTINCT value FROM json_each({LIST_ALIAS}.{alias}) "
                           f"ORDER BY {nulls}, value{direction}))")
            continue
        agg.replace(exp.Anonymous(this="json_group_array", expressions=[exp.Anonymous(this="json_array", expressions=[*keys, x])]))
        terms = []
        for i, o in enumerate(order):
            k = f"json_extract(value, '$[{i}]')"
            terms.append(f"{k} IS NULL{' DESC' if o.args.get('nulls_first') else ''}, {k}{' DESC' if o.args.get('desc') else ''}")
        post[alias] = (f"(SELECT json_group_array(json_extract(value, '$[{len(keys)}]')) FROM (SELECT value FROM json_each({LIST_ALIAS}.{alias}) "
                       f"ORDER BY {', '.join(terms)}))")
    names = [s.alias_or_name for s in select.selects]
    if len(set(names)) != len(names) or not all(names):
        raise TranslationError(file, "sqlite", "an ordered list() in a query whose columns are not all named once")
    outer = ", ".join(f"{post[n]} AS {n}" if n in post else f"{LIST_ALIAS}.{n} AS {n}" for n in names)
    wrapped = _parse(f"SELECT {outer} FROM (SELECT 1) AS {LIST_ALIAS}", "sqlite")
    wrapped.set("from_", exp.From(this=exp.Subquery(this=select.copy(), alias=exp.TableAlias(this=exp.to_identifier(LIST_ALIAS)))))
    return wrapped


def _group_by_all(select: exp.Select) -> exp.Select:
    """GROUP BY ALL spelled out: every selected expression that holds no aggregate."""
    group = select.args.get("group")
    if group is not None and group.args.get("all"):
        keys = [s.unalias().copy() for s in select.selects if not s.find(exp.AggFunc)]
        select.set("group", exp.Group(expressions=keys))
    return select


def _rewrite(tree: exp.Expression, rule: Callable[[exp.Expression], exp.Expression]) -> exp.Expression:
    """Apply `rule` to every node, children before their parent (a rule sees its arguments already rewritten)."""
    for node in reversed(list(tree.walk(bfs=False))):
        new = rule(node)
        if new is not node:
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
        for select in reversed(list(tree.find_all(exp.Select))):
            new = _sqlite_ordered_lists(select, file)
            if new is not select:
                if select is tree:
                    tree = new
                else:
                    select.replace(new)
        tree = _rewrite(tree, lambda n: _sqlite_node(n, file))
    else:
        tree = _rewrite(tree, lambda n: _spark_list(n, file) if isinstance(n, exp.ArrayAgg) else n)
        tree = _rewrite(tree, lambda n: exp.Anonymous(this="try_element_at", expressions=[n.this, exp.Literal.number(n.expressions[0].to_py() + 1)])
                        if isinstance(n, exp.Bracket) and isinstance(n.expressions[0], exp.Literal) else n)
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
