"""Read the Table Schemas in datapackage.json and derive DuckDB DDL from them.

This module is the only place that maps Table Schema to SQL: types, NOT NULL, enum,
pattern, minimum/maximum, unique, primary and foreign keys all come from the descriptor.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DUCKDB_TYPES = {
    "string": "VARCHAR",
    "integer": "BIGINT",
    "number": "DOUBLE",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "datetime": "TIMESTAMP",
    "year": "INTEGER",
}


def quote_ident(name: str) -> str:
    """The one way a name reaches SQL: a double-quoted identifier with inner quotes doubled."""
    return '"' + name.replace('"', '""') + '"'


def sql_literal(value: Any) -> str:
    """The one way a value reaches SQL as a literal: NULL, TRUE/FALSE, a number or a quoted string."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else f"CAST('{value!r}' AS DOUBLE)"
    return "'" + str(value).replace("'", "''") + "'"


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    description: str
    constraints: dict[str, Any]
    separator: str | None = None  # custom 'jpkr:separator' on a string field: the CSV cell holds a list joined by it

    @property
    def sql_type(self) -> str:
        """The DuckDB type: a list field is VARCHAR[] (its CSV cell stays one joined string)."""
        return "VARCHAR[]" if self.separator else DUCKDB_TYPES[self.type]

    def load_expr(self) -> str:
        """SQL turning the checked CSV value into the typed table's value (a list field is split)."""
        col = quote_ident(self.name)
        return f"string_split({col}, {sql_literal(self.separator)})" if self.separator else col

    @property
    def required(self) -> bool:
        return bool(self.constraints.get("required"))

    @property
    def enum(self) -> list[Any] | None:
        return self.constraints.get("enum")


@dataclass(frozen=True)
class ForeignKey:
    fields: list[str]
    resource: str
    ref_fields: list[str]


@dataclass(frozen=True)
class Span:
    """A custom 'jpkr:spans' entry: columns that address verbatim text in a source article."""
    article: str
    start: str
    end: str
    text: str
    region: str  # "content" (body or content segments), "file" (anywhere outside boilerplate) or "any"
    text_optional: bool = False  # offsets may be given without the text (boilerplate segments)


@dataclass
class Table:
    name: str
    path: str
    title: str
    description: str
    fields: list[Field]
    primary_key: list[str]
    foreign_keys: list[ForeignKey] = field(default_factory=list)
    spans: list[Span] = field(default_factory=list)

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]

    def load_columns(self) -> str:
        """The SELECT list that turns checked CSV columns into the typed table's columns (list fields split)."""
        return ", ".join(f"{f.load_expr()} AS {quote_ident(f.name)}" for f in self.fields)

    def field(self, name: str) -> Field:
        """The field called `name` (KeyError if there is none)."""
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"{self.name} has no field {name!r}")

    def check_clauses(self, f: Field) -> list[str]:
        """SQL CHECK expressions for one field's enum, pattern and range constraints (a list field's on its joined text)."""
        col = quote_ident(f.name)
        if f.separator:
            col = f"array_to_string({col}, {sql_literal(f.separator)})"
        out = []
        c = f.constraints
        if f.enum is not None:
            out.append(f"{col} IN ({', '.join(sql_literal(v) for v in f.enum)})")
        if "pattern" in c:
            out.append(f"regexp_full_match({col}, {sql_literal(c['pattern'])})")
        if "minimum" in c:
            out.append(f"{col} >= {sql_literal(c['minimum'])}")
        if "maximum" in c:
            out.append(f"{col} <= {sql_literal(c['maximum'])}")
        if "minLength" in c:
            out.append(f"length({col}) >= {int(c['minLength'])}")
        if "maxLength" in c:
            out.append(f"length({col}) <= {int(c['maxLength'])}")
        return out

    def create_sql(self) -> str:
        """CREATE TABLE with types and constraints from the schema.

        Self-referencing foreign keys (a parent actor, a parent event) are left to the
        validator: DuckDB cannot check them while rows are inserted in one statement.
        """
        lines = []
        for f in self.fields:
            parts = [quote_ident(f.name), f.sql_type]
            if f.required:
                parts.append("NOT NULL")
            if f.constraints.get("unique") and self.primary_key != [f.name]:
                parts.append("UNIQUE")
            for check in self.check_clauses(f):
                parts.append(f"CHECK ({check})")
            lines.append(" ".join(parts))
        if self.primary_key:
            lines.append(f"PRIMARY KEY ({', '.join(map(quote_ident, self.primary_key))})")
        for fk in self.foreign_keys:
            if fk.resource == self.name:
                continue
            lines.append(
                f"FOREIGN KEY ({', '.join(map(quote_ident, fk.fields))}) REFERENCES "
                f"{quote_ident(fk.resource)} ({', '.join(map(quote_ident, fk.ref_fields))})"
            )
        body = ",\n  ".join(lines)
        return f"CREATE TABLE {quote_ident(self.name)} (\n  {body}\n)"


@dataclass
class Package:
    path: Path
    descriptor: dict[str, Any]
    tables: list[Table]
    patterns_checked: bool = False  # the descriptor's patterns were also compiled with RE2 (parse_descriptor(re2=True))

    @property
    def root(self) -> Path:
        return self.path.parent

    @property
    def names(self) -> list[str]:
        return [t.name for t in self.tables]

    def table(self, name: str) -> Table:
        for t in self.tables:
            if t.name == name:
                return t
        raise KeyError(name)

    def load_order(self) -> list[Table]:
        """Tables ordered so that every referenced table comes before its referrers."""
        done: list[str] = []
        pending = {t.name: t for t in self.tables}
        while pending:
            ready = [
                t for t in pending.values()
                if all(fk.resource == t.name or fk.resource in done or fk.resource not in pending
                       for fk in t.foreign_keys)
            ]
            if not ready:
                raise ValueError(f"foreign keys form a cycle among {sorted(pending)}")
            for t in ready:
                done.append(t.name)
                del pending[t.name]
        return [self.table(n) for n in done]


def _as_list(value: str | list[str]) -> list[str]:
    """A field name or list of names as a list."""
    return [value] if isinstance(value, str) else list(value)


class DescriptorError(ValueError):
    """The descriptor cannot be read or is malformed; `problems` locate each fault by JSON path."""

    def __init__(self, path: Path, problems: list):
        self.problems = problems
        lines = "\n".join(str(p) for p in problems[:10])
        more = f"\n... and {len(problems) - 10} more" if len(problems) > 10 else ""
        super().__init__(f"{path}: the descriptor is malformed:\n{lines}{more}")


def parse_descriptor(descriptor: Any, path: Path, re2: bool = False) -> Package:
    """Check the descriptor's structure (DescriptorError with JSON paths), then build a Package from it.

    re2=True (validation) also compiles every pattern with DuckDB's RE2, which runs them."""
    from .validator.descriptor import check_descriptor

    problems = check_descriptor(descriptor, path.name, re2)
    if problems:
        raise DescriptorError(path, problems)
    tables = []
    for res in descriptor["resources"]:
        schema = res["schema"]
        fields = [Field(f["name"], f.get("type", "string"), f.get("description", ""), dict(f.get("constraints", {})), f.get("jpkr:separator"))
                  for f in schema["fields"]]
        fks = [ForeignKey(_as_list(fk["fields"]), fk["reference"].get("resource") or res["name"], _as_list(fk["reference"]["fields"]))
               for fk in schema.get("foreignKeys", [])]
        spans = [Span(**s) for s in schema.get("jpkr:spans", [])]
        tables.append(Table(res["name"], res["path"], res.get("title", res["name"]), res.get("description", ""), fields,
                            _as_list(schema.get("primaryKey", [])), fks, spans))
    return Package(path, descriptor, tables, re2)


MAX_DESCRIPTOR_BYTES = 16 << 20  # a datapackage.json larger than this is refused unread (this one is under 1 MB)


def read_descriptor(path: Path) -> Any:
    """The parsed JSON of a descriptor file; every way it can fail becomes FileNotFoundError or DescriptorError."""
    from .validator.report import Problem

    def fail(message: str) -> DescriptorError:
        return DescriptorError(path, [Problem("descriptor", path.name, message)])

    try:
        if (size := path.stat().st_size) > MAX_DESCRIPTOR_BYTES:  # before reading: a sparse file costs nothing on disk
            raise fail(f"has {size} bytes, over the cap of {MAX_DESCRIPTOR_BYTES} bytes; not read")
        raw = path.read_bytes()
    except FileNotFoundError:
        raise FileNotFoundError(f"{path}: no such datapackage.json") from None
    except IsADirectoryError:
        raise fail("is a directory, not a datapackage.json file") from None
    except PermissionError:
        raise fail("cannot be read: permission denied") from None
    except OSError as exc:
        raise fail(f"cannot be read: {exc.strerror or exc}") from None
    try:
        return json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise fail(f"not UTF-8: byte 0x{raw[exc.start]:02x} at offset {exc.start}") from None
    except RecursionError:
        raise fail("JSON nested too deeply to read") from None
    except ValueError as exc:  # JSONDecodeError, or an integer of more than 4300 digits
        raise fail(f"not valid JSON: {exc}") from None


def load_package(path: Path, re2: bool = False) -> Package:
    """Read, check and parse datapackage.json (FileNotFoundError, or DescriptorError naming each fault)."""
    return parse_descriptor(read_descriptor(path), path, re2)
