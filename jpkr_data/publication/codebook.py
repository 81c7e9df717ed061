"""CODEBOOK.md, generated from the Table Schemas, the views' header comments and row counts."""
from __future__ import annotations

import re

from ..schema import Package
from ..views import discover_views
from .safe_text import md_text


def _constraints(field) -> str:
    c = dict(field.constraints)
    parts = []
    if c.pop("required", False):
        parts.append("required")
    if c.pop("unique", False):
        parts.append("unique")
    c.pop("enum", None)
    for key, value in sorted(c.items()):
        parts.append(f"{key} `{value}`")
    return ", ".join(parts)


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell (HTML escaped: a descriptor is data, never markup)."""
    return md_text(text)


def anchor(heading: str) -> str:
    """The fragment GitHub (and most Markdown renderers) give a heading: lower case, punctuation dropped, spaces as '-'."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _type(field) -> str:
    """The field's type as the codebook shows it; a list field names its CSV separator."""
    return f"list of string (`{field.separator}`-separated in the CSV)" if field.separator else field.type


def enum_meanings(field) -> list[tuple[str, str]]:
    """(value, meaning) for each allowed value, read from the field's 'Values: `v`: meaning; ...' description."""
    desc = field.description or ""
    meanings = dict(re.findall(r"`([^`]+)`:\s*([^;`]+?)(?=;\s*`|\.?$)", desc.split("Values:", 1)[1])) if "Values:" in desc else {}
    return [(str(v), meanings.get(str(v), "").strip().rstrip(".")) for v in (field.enum or [])]


def render_codebook(pkg: Package, row_counts: dict[str, int], view_types: dict[str, dict[str, str]] | None = None,
                    how_to_cite: list[str] | None = None) -> str:
    """CODEBOOK.md: how to cite (Markdown lines, when given), tables and their columns, allowed values, and every view with its columns (types from `view_types`)."""
    d = pkg.descriptor
    out = [f"# {d.get('title', d['name'])}: codebook", "", f"Version {d.get('version', '')}. Generated from `datapackage.json` "
           "and `sql/`; do not edit by hand.", "", md_text(d.get("description", "")), ""]
    out += [*how_to_cite, ""] if how_to_cite else []
    conventions = d.get("jpkr:conventions", [])
    if conventions:
        out += ["## Conventions", ""] + [f"- {md_text(c)}" for c in conventions] + [""]
    out += ["## Tables", "", "| table | rows | description |", "|---|---:|---|"]
    out += [f"| [{t.name}](#{anchor(t.name)}) | {row_counts.get(t.name, 0)} | {_cell(t.description)} |" for t in pkg.tables]
    out += ["", "## Views", "", "| view | question |", "|---|---|"]
    views = discover_views(pkg.root)
    out += [f"| [{v.name}](#{anchor('view ' + v.name)}) | {_cell(v.question)} |" for v in views]
    lists = [f"`{t.name}.{f.name}`" for t in pkg.tables for f in t.fields if f.separator]
    if lists:
        out += ["", f"List columns ({', '.join(lists)}): one CSV cell holds the items joined by the separator shown in the column's type "
                "(declared as `jpkr:separator` in `datapackage.json`); DuckDB and Parquet hold a real list (VARCHAR[])."]
    for t in pkg.tables:
        out += ["", f"### {t.name}", "", md_text(t.description), "", f"Rows: {row_counts.get(t.name, 0)}. File: `{t.path}`. "
                f"Primary key: `{', '.join(t.primary_key)}`."]
        for fk in t.foreign_keys:
            out.append(f"Foreign key: `{', '.join(fk.fields)}` → `{fk.resource}({', '.join(fk.ref_fields)})`.")
        out += ["", "| column | type | constraints | description |", "|---|---|---|---|"]
        for f in t.fields:
            desc = (f.description or "").split(" Values:", 1)[0]
            out.append(f"| `{f.name}` | {_type(f)} | {_cell(_constraints(f))} | {_cell(desc)} |")
        for f in t.fields:
            if f.enum:
                out += ["", f"Allowed values of `{t.name}.{f.name}`:", "", "| value | meaning |", "|---|---|"]
                out += [f"| `{v}` | {_cell(m)} |" for v, m in enum_meanings(f)]
    out += ["", "## View definitions"]
    for v in views:
        types = (view_types or {}).get(v.name, {})
        out += ["", f"### view {v.name}", "", f"**{md_text(v.question)}** File: `sql/{v.path.name}`.", ""]
        if v.prose:
            out += [md_text(v.prose), ""]
        out += ["| column | type | description |", "|---|---|---|"]
        out += [f"| `{c}` | {types.get(c, '')} | {_cell(text)} |" for c, text in v.columns.items()]
    from .stata import stata_names_section  # stata.py imports this module

    out += stata_names_section(pkg, view_types or {})
    return "\n".join(out).rstrip() + "\n"
