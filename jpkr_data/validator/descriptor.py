"""Structural checks of datapackage.json: every malformed part is reported with its JSON path.

The descriptor is data from anyone: nothing here assumes a type before checking it, so a
JSON array, a string where an object belongs or an enum of the wrong type gives a Problem
(e.g. at `resources[3].schema.foreignKeys[0].reference.fields`), never a traceback. Only a
descriptor with no problem is parsed into a Package (schema.parse_descriptor).
"""
from __future__ import annotations

import datetime as dt
import functools
import math
import re
import threading
from typing import Any

from .paths import name_problem, path_problem
from .report import Problem

SUPPORTED_TYPES = ("string", "integer", "number", "boolean", "date", "datetime", "year")
RESERVED_FIELDS = ("_row",)  # the staging tables' row-number column
RESERVED_RESOURCES = ("_sources",)  # the temporary table of source texts
CONSTRAINTS = ("required", "unique", "enum", "pattern", "minimum", "maximum", "minLength", "maxLength")
DIALECT = {"delimiter": ",", "quoteChar": '"', "doubleQuote": True, "header": True, "skipInitialSpace": False,
           "headerRowCount": 1, "caseSensitiveHeader": False}
DIALECT_FREE = ("lineTerminator", "csvddfVersion", "$schema")  # line endings are read whatever they are
SPAN_KEYS = {"article": str, "start": str, "end": str, "text": str, "region": str, "text_optional": bool}
REGIONS = ("content", "file", "any")
BIGINT = 2 ** 63
METADATA = {  # key: (one of these is required, keys whose values must be strings)
    "licenses": (("name", "path"), ("name", "path", "title")),
    "sources": (("title",), ("title", "path", "email")),
    "contributors": (("title",), ("title", "path", "email", "role", "organization")),
}
PACKAGE_PROFILES = ("data-package", "tabular-data-package")
RESOURCE_PROFILES = ("data-resource", "tabular-data-resource")
_re2 = None  # one in-memory DuckDB connection that compiles patterns (RE2), opened on first use
_re2_lock = threading.Lock()


def json_type(value: Any) -> str:
    """The JSON name of a parsed value's type."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


class DescriptorChecker:
    """Collects the problems of one descriptor; `check()` returns them."""

    def __init__(self, descriptor: Any, file: str, re2: bool = True):
        self.re2 = re2
        self.d = descriptor
        self.file = file
        self.problems: list[Problem] = []

    def bad(self, path: str, message: str, value: Any = None) -> None:
        """Record a problem at a JSON path."""
        shown = None if value is None else str(value)[:200]
        self.problems.append(Problem("descriptor", self.file, message, value=shown, json_path=path or "(top level)"))

    def check(self) -> list[Problem]:
        """Every structural problem of the descriptor."""
        if not isinstance(self.d, dict):
            self.bad("", f"the descriptor must be a JSON object, not {json_type(self.d)}")
            return self.problems
        for key in ("name", "title", "version", "description", "created", "homepage"):
            if key in self.d and not isinstance(self.d[key], str):
                self.bad(key, f"must be a string, not {json_type(self.d[key])}")
        if "profile" in self.d and self.d["profile"] not in PACKAGE_PROFILES:
            self.bad("profile", f"must be one of {', '.join(PACKAGE_PROFILES)}", self.d["profile"])
        for key in ("keywords",):
            if key in self.d and not (isinstance(self.d[key], list) and all(isinstance(k, str) for k in self.d[key])):
                self.bad(key, "must be an array of strings")
        self.metadata("", self.d)
        if isinstance(self.d.get("created"), str) and not _is_datetime(self.d["created"]):
            self.bad("created", "must be an ISO 8601 date-time (e.g. 2019-08-21T00:00:00Z)", self.d["created"])
        resources = self.d.get("resources")
        if not isinstance(resources, list) or not resources:
            self.bad("resources", "must be a non-empty array of resources" if "resources" in self.d else "is missing: a package needs an array of resources",
                     None if resources is None else json_type(resources))
            return self.problems
        names: dict[str, int] = {}
        for i, res in enumerate(resources):
            name = self.resource(f"resources[{i}]", res)
            if name is None:
                continue
            if name in names:
                self.bad(f"resources[{i}].name", f"duplicate resource name {name!r} (also resources[{names[name]}])", name)
            else:
                names[name] = i
        if not self.problems:
            self.keys(resources, names)
        return self.problems

    def resource(self, p: str, res: Any) -> str | None:
        """One resource: name, path, format, dialect and schema. Returns its name when usable."""
        if not isinstance(res, dict):
            self.bad(p, f"a resource must be an object, not {json_type(res)}")
            return None
        name = res.get("name")
        if not isinstance(name, str):
            self.bad(f"{p}.name", "a resource needs a name (a string)" if name is None else f"must be a string, not {json_type(name)}")
            name = None
        elif (why := name_problem(name)) or name in RESERVED_RESOURCES:
            self.bad(f"{p}.name", why or f"resource name {name!r} is reserved by the validator", name)
        path = res.get("path")
        if isinstance(path, list):
            self.bad(f"{p}.path", "a list of paths (a multipart resource) is not supported: give one CSV file")
        elif not isinstance(path, str):
            self.bad(f"{p}.path", "a resource needs a path (inline data is not supported)" if path is None else f"must be a string, not {json_type(path)}")
        elif why := path_problem(path):
            self.bad(f"{p}.path", why, path)
        if "profile" in res and res["profile"] not in RESOURCE_PROFILES:
            self.bad(f"{p}.profile", f"must be one of {', '.join(RESOURCE_PROFILES)}", res["profile"])
        for key in ("title", "description", "mediatype"):
            if key in res and not isinstance(res[key], str):
                self.bad(f"{p}.{key}", f"must be a string, not {json_type(res[key])}")
        if "format" in res and res["format"] != "csv":
            self.bad(f"{p}.format", "only CSV resources are supported", res["format"])
        if "encoding" in res and not (isinstance(res["encoding"], str) and res["encoding"].lower().replace("_", "-") in ("utf-8", "utf8")):
            self.bad(f"{p}.encoding", "only UTF-8 is supported", res["encoding"])
        if "compression" in res:
            self.bad(f"{p}.compression", "compressed resources are not supported")
        self.metadata(f"{p}.", res)
        self.dialect(f"{p}.dialect", res.get("dialect"))
        schema = res.get("schema")
        if isinstance(schema, str):
            self.bad(f"{p}.schema", "a schema given by path or URL is not supported: put the Table Schema inline", schema)
        elif not isinstance(schema, dict):
            self.bad(f"{p}.schema", "a resource needs a Table Schema (an object)" if schema is None else f"must be an object, not {json_type(schema)}")
        else:
            self.schema(f"{p}.schema", schema)
        return name

    def metadata(self, p: str, owner: dict) -> None:
        """licenses, sources and contributors (of the package or a resource): arrays of objects with string values."""
        for key, (required, keys) in METADATA.items():
            if key not in owner:
                continue
            items = owner[key]
            if not isinstance(items, list):
                self.bad(f"{p}{key}", f"must be an array of objects, not {json_type(items)}")
                continue
            for k, item in enumerate(items):
                q = f"{p}{key}[{k}]"
                if not isinstance(item, dict):
                    self.bad(q, f"must be an object, not {json_type(item)}")
                    continue
                if not any(r in item for r in required):
                    self.bad(q, f"needs {' or '.join(required)}")
                for name in keys:
                    if name in item and not isinstance(item[name], str):
                        self.bad(f"{q}.{name}", f"must be a string, not {json_type(item[name])}", item[name])

    def dialect(self, p: str, dialect: Any) -> None:
        """A CSV dialect may only state the defaults this validator reads (comma, double quote, header)."""
        if dialect is None:
            return
        if not isinstance(dialect, dict):
            self.bad(p, f"must be an object, not {json_type(dialect)}")
            return
        for key, value in dialect.items():
            if key in DIALECT_FREE:
                continue
            if key not in DIALECT:
                self.bad(f"{p}.{key}", "this dialect option is not supported", value)
            elif value != DIALECT[key] or type(value) is not type(DIALECT[key]):
                self.bad(f"{p}.{key}", f"only {DIALECT[key]!r} is supported", value)

    def schema(self, p: str, schema: dict) -> None:
        """Fields, primary key and the jpkr:spans extension of one Table Schema."""
        fields = schema.get("fields")
        if not isinstance(fields, list) or not fields:
            self.bad(f"{p}.fields", "a Table Schema needs a non-empty array of fields" if fields is None else "must be a non-empty array of fields",
                     None if fields is None else json_type(fields))
            return
        seen: dict[str, int] = {}
        types: dict[str, str] = {}
        for j, f in enumerate(fields):
            name = self.field(f"{p}.fields[{j}]", f)
            if name is None:
                continue
            if name.lower() in seen:
                self.bad(f"{p}.fields[{j}].name", f"duplicate field name {name!r} (also fields[{seen[name.lower()]}]; DuckDB names ignore case)", name)
            seen[name.lower()] = j
            types[name] = f.get("type", "string") if isinstance(f.get("type", "string"), str) else "?"
        if "primaryKey" in schema:
            self.field_list(f"{p}.primaryKey", schema["primaryKey"], types, "the primary key")
        if "foreignKeys" in schema and not isinstance(schema["foreignKeys"], list):
            self.bad(f"{p}.foreignKeys", f"must be an array, not {json_type(schema['foreignKeys'])}")
        if "uniqueKeys" in schema:
            self.bad(f"{p}.uniqueKeys", "uniqueKeys is not supported: mark a single field unique in its constraints")
        if "missingValues" in schema and schema["missingValues"] != [""]:
            self.bad(f"{p}.missingValues", 'only [""] (an empty cell is missing) is supported', schema["missingValues"])
        spans = schema.get("jpkr:spans", [])
        if not isinstance(spans, list):
            self.bad(f"{p}.jpkr:spans", f"must be an array, not {json_type(spans)}")
            return
        for k, span in enumerate(spans):
            self.span(f"{p}.jpkr:spans[{k}]", span, types)

    def field(self, p: str, f: Any) -> str | None:
        """One field: name, type, format and constraints. Returns its name when usable."""
        if not isinstance(f, dict):
            self.bad(p, f"a field must be an object, not {json_type(f)}")
            return None
        name = f.get("name")
        if not isinstance(name, str):
            self.bad(f"{p}.name", "a field needs a name (a string)" if name is None else f"must be a string, not {json_type(name)}")
            return None
        if not name:
            self.bad(f"{p}.name", "a field name must not be empty (DuckDB cannot name a column '')")
            return None
        if "\x00" in name:
            self.bad(f"{p}.name", "a field name must not hold a NUL character")
            return None
        if name.lower() in RESERVED_FIELDS:
            self.bad(f"{p}.name", f"field name {name!r} is reserved by the validator (the row number column)", name)
        ftype = f.get("type", "string")
        if not isinstance(ftype, str) or ftype not in SUPPORTED_TYPES:
            self.bad(f"{p}.type", f"unsupported field type; supported: {', '.join(SUPPORTED_TYPES)}", ftype)
            ftype = None
        if f.get("format", "default") != "default":
            self.bad(f"{p}.format", "only the default format is supported", f["format"])
        for key in ("title", "description"):
            if key in f and not isinstance(f[key], str):
                self.bad(f"{p}.{key}", f"must be a string, not {json_type(f[key])}")
        if "constraints" in f:
            self.constraints(f"{p}.constraints", f["constraints"], ftype)
        if "jpkr:separator" in f:
            sep = f["jpkr:separator"]
            if ftype != "string" or not isinstance(sep, str) or len(sep) != 1:
                self.bad(f"{p}.jpkr:separator", f"field {name!r}: a list separator is one character on a string field", sep)
        return name

    def constraints(self, p: str, c: Any, ftype: str | None) -> None:
        """Constraint values of the right JSON type for the field's type (required: "false" is an error)."""
        if not isinstance(c, dict):
            self.bad(p, f"must be an object, not {json_type(c)}")
            return
        for key, value in c.items():
            q = f"{p}.{key}"
            if key not in CONSTRAINTS:
                self.bad(q, f"unknown or unsupported constraint; supported: {', '.join(CONSTRAINTS)}")
            elif key in ("required", "unique"):
                if not isinstance(value, bool):
                    self.bad(q, f"must be true or false, not {json_type(value)}", value)
            elif key in ("minLength", "maxLength"):
                if ftype not in (None, "string"):
                    self.bad(q, f"applies only to string fields, not {ftype}")
                elif isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < BIGINT:
                    self.bad(q, "must be a non-negative integer", value)
            elif key == "pattern":
                if ftype not in (None, "string"):
                    self.bad(q, f"applies only to string fields, not {ftype}")
                elif not isinstance(value, str):
                    self.bad(q, f"must be a string, not {json_type(value)}", value)
                elif why := regex_problem(value, self.re2):
                    self.bad(q, f"invalid regular expression: {why}", value)
            elif key in ("minimum", "maximum"):
                if ftype in ("string", "boolean"):
                    self.bad(q, f"does not apply to {ftype} fields")
                elif ftype and (why := value_problem(value, ftype)):
                    self.bad(q, why, value)
            elif key == "enum":
                if not isinstance(value, list) or not value:
                    self.bad(q, "must be a non-empty array of allowed values", value)
                elif ftype:
                    for k, v in enumerate(value):
                        if why := value_problem(v, ftype):
                            self.bad(f"{q}[{k}]", why, v)

    def field_list(self, p: str, value: Any, types: dict[str, str], what: str) -> list[str] | None:
        """A field name or a non-empty array of distinct names that all exist in `types`."""
        names = [value] if isinstance(value, str) else value
        if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
            self.bad(p, f"{what} must be a field name or a non-empty array of field names", value)
            return None
        ok = True
        if len(set(names)) != len(names):
            self.bad(p, f"{what} names a field twice", names)
            ok = False
        for n in names:
            if n not in types:
                self.bad(p, f"{what} names {n!r}, which is not a field of this table", n)
                ok = False
        return names if ok else None

    def span(self, p: str, span: Any, types: dict[str, str]) -> None:
        """A jpkr:spans entry: four existing fields (article and text strings, offsets integers) and a region."""
        if not isinstance(span, dict):
            self.bad(p, f"must be an object, not {json_type(span)}")
            return
        for key, kind in SPAN_KEYS.items():
            if key not in span and key != "text_optional":
                self.bad(f"{p}.{key}", "is missing")
            elif key in span and not isinstance(span[key], kind):
                self.bad(f"{p}.{key}", f"must be {'a string' if kind is str else 'true or false'}", span[key])
        for key in span:
            if key not in SPAN_KEYS:
                self.bad(f"{p}.{key}", "unknown key")
        for key, want in (("article", "string"), ("text", "string"), ("start", "integer"), ("end", "integer")):
            name = span.get(key)
            if isinstance(name, str) and types.get(name) != want:
                self.bad(f"{p}.{key}", f"must name a {want} field of this table", name)
        if isinstance(span.get("region"), str) and span["region"] not in REGIONS:
            self.bad(f"{p}.region", f"must be one of {', '.join(REGIONS)}", span["region"])

    def keys(self, resources: list[dict], names: dict[str, int]) -> None:
        """Foreign keys (run once every resource is well formed): fields, target resource and target fields exist."""
        tables = {r["name"]: r["schema"] for r in resources}
        for i, res in enumerate(resources):
            schema = res["schema"]
            types = {f["name"]: f.get("type", "string") for f in schema["fields"]}
            for k, fk in enumerate(schema.get("foreignKeys", [])):
                p = f"resources[{i}].schema.foreignKeys[{k}]"
                if not isinstance(fk, dict):
                    self.bad(p, f"a foreign key must be an object, not {json_type(fk)}")
                    continue
                local = self.field_list(f"{p}.fields", fk.get("fields"), types, "a foreign key")
                ref = fk.get("reference")
                if not isinstance(ref, dict):
                    self.bad(f"{p}.reference", "must be an object with resource and fields" if ref is not None else "is missing", ref)
                    continue
                target = ref.get("resource", "")
                if not isinstance(target, str):
                    self.bad(f"{p}.reference.resource", f"must be a string, not {json_type(target)}", target)
                    continue
                target = target or res["name"]
                if target not in tables:
                    self.bad(f"{p}.reference.resource", f"no resource is named {target!r}", target)
                    continue
                tschema = tables[target]
                ttypes = {f["name"]: f.get("type", "string") for f in tschema["fields"]}
                remote = self.field_list(f"{p}.reference.fields", ref.get("fields"), ttypes, f"the reference to {target}")
                if local is None or remote is None:
                    continue
                if len(local) != len(remote):
                    self.bad(f"{p}.reference.fields", f"the foreign key has {len(local)} field(s) but references {len(remote)}", remote)
                    continue
                for a, b in zip(local, remote):
                    if types[a] != ttypes[b]:
                        self.bad(f"{p}.fields", f"field {a!r} ({types[a]}) references {target}.{b} ({ttypes[b]}): the types must be the same", a)
                if not is_key(tschema, remote):
                    self.bad(f"{p}.reference.fields", f"{target}.{', '.join(remote)} is neither the primary key of {target} nor a unique field "
                             "(a DuckDB foreign key needs one)", remote)
        if not self.problems and (cycle := fk_cycle(tables)):
            self.bad(f"resources[{names[cycle[0]]}].schema.foreignKeys", f"foreign keys form a cycle: {' -> '.join(cycle)} (the tables cannot be loaded in order)")


def _is_datetime(value: str) -> bool:
    """True for an ISO 8601 date-time such as 2026-11-23T00:00:00Z."""
    try:
        dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return "T" in value


def is_key(schema: dict, fields: list[str]) -> bool:
    """True when `fields` are the schema's primary key or one unique field."""
    pk = schema.get("primaryKey", [])
    pk = [pk] if isinstance(pk, str) else pk
    if sorted(pk) == sorted(fields):
        return True
    return len(fields) == 1 and any(f["name"] == fields[0] and isinstance(f.get("constraints"), dict) and f["constraints"].get("unique") is True
                                    for f in schema["fields"])


def fk_cycle(tables: dict[str, dict]) -> list[str] | None:
    """A cycle of foreign keys between different tables (self-references excluded), or None."""
    edges = {name: {fk["reference"].get("resource") or name for fk in s.get("foreignKeys", [])} - {name} for name, s in tables.items()}
    state: dict[str, int] = {}
    for start in edges:
        stack = [(start, iter(sorted(edges[start])))]
        path = [start]
        state[start] = 1
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                state[node] = 2
                stack.pop()
                path.pop()
            elif state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            elif nxt not in state:
                state[nxt] = 1
                stack.append((nxt, iter(sorted(edges[nxt]))))
                path.append(nxt)
    return None


def value_problem(value: Any, ftype: str) -> str | None:
    """Why `value` is not a valid constraint value (enum, minimum, maximum) for a field of `ftype`, or None."""
    if ftype == "string":
        return None if isinstance(value, str) else f"must be a string (the field is a string), not {json_type(value)}"
    if ftype == "boolean":
        return None if isinstance(value, bool) else f"must be true or false (the field is boolean), not {json_type(value)}"
    if ftype in ("integer", "year"):
        if isinstance(value, bool) or not isinstance(value, int):
            return f"must be an integer (the field is {ftype}), not {json_type(value)}"
        return None if -BIGINT <= value < BIGINT else "is out of the 64-bit integer range"
    if ftype == "number":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return f"must be a number (the field is a number), not {json_type(value)}"
        return None if math.isfinite(value) and abs(value) < 1e300 else "must be a finite number"
    if ftype in ("date", "datetime"):
        if not isinstance(value, str):
            return f"must be an ISO 8601 {ftype} string, not {json_type(value)}"
        try:
            (dt.date.fromisoformat if ftype == "date" else dt.datetime.fromisoformat)(value)
        except ValueError:
            return f"is not a valid ISO 8601 {ftype}"
        if ftype == "date" and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return "must be written YYYY-MM-DD"
        return None
    return None


@functools.lru_cache(maxsize=1024)
def regex_problem(pattern: str, re2: bool = True) -> str | None:
    """Why a pattern is rejected by Python (frictionless) or, with re2, by RE2 (DuckDB, which runs it), or None."""
    try:
        re.compile(pattern)
    except (re.error, RecursionError, OverflowError) as exc:
        return f"Python: {exc}"
    if not re2:
        return None
    import duckdb

    global _re2
    with _re2_lock:
        if _re2 is None:
            _re2 = duckdb.connect(":memory:")
            _re2.execute("SET enable_external_access = false")
        try:
            _re2.execute("SELECT regexp_full_match('', ?)", [pattern]).fetchall()
        except duckdb.Error as exc:
            return f"RE2 (DuckDB): {str(exc).splitlines()[0]}"
    return None


def check_descriptor(descriptor: Any, file: str, re2: bool = True) -> list[Problem]:
    """Every structural problem of a parsed descriptor, each with its JSON path (re2=False: patterns
    are compiled by Python only, which spares opening DuckDB when the package was validated before)."""
    return DescriptorChecker(descriptor, file, re2).check()
