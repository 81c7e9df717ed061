"""CODEBOOK.md, generated from the Table Schemas, the views' header comments and row counts."""
from __future__ import annotations

import re

from ..schema import Package
from ..views import discover_views


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
    return text.replace("|", "\\|").replace("\n", " ")


def enum_meanings(field) -> list[tuple[str, str]]:
    """(value, meaning) for each allowed value, read from the field's 'Values: `v`: meaning; ...' description."""
    desc = field.description or ""
    meanings = dict(re.findall(r"`([^`]+)`:\s*([^;`]+?)(?=;\s*`|\.?$)", desc.split("Values:", 1)[1])) if "Values:" in desc else {}
    return [(str(v), meanings.get(str(v), "").strip().rstrip(".")) for v in (field.enum or [])]


def render_codebook(pkg: Package, row_counts: dict[str, int]) -> str:
    d = pkg.descriptor
    out = [f"# {d.get('title', d['name'])}: codebook", "", f"Version {d.get('version', '')}. Generated from `datapackage.json` "
           "and `sql/`; do not edit by hand.", "", d.get("description", ""), ""]
    conventions = d.get("jpkr:conventions", [])
    if conventions:
        out += ["## Conventions", ""] + [f"- {c}" for c in conventions] + [""]
    out += ["## Tables", "", "| table | rows | description |", "|---|---:|---|"]
    out += [f"| [{t.name}](#{t.name}) | {row_counts.get(t.name, 0)} | {_cell(t.description)} |" for t in pkg.tables]
    out += ["", "## Views", "", "| view | question |", "|---|---|"]
    views = discover_views(pkg.root)
    out += [f"| [{v.name}](#view-{v.name.replace('_', '-')}) | {_cell(v.question)} |" for v in views]
    for t in pkg.tables:
        out += ["", f"### {t.name}", "", t.description, "", f"Rows: {row_counts.get(t.name, 0)}. File: `{t.path}`. "
                f"Primary key: `{', '.join(t.primary_key)}`."]
        for fk in t.foreign_keys:
            out.append(f"Foreign key: `{', '.join(fk.fields)}` → `{fk.resource}({', '.join(fk.ref_fields)})`.")
        out += ["", "| column | type | constraints | description |", "|---|---|---|---|"]
        for f in t.fields:
            desc = (f.description or "").split(" Values:", 1)[0]
            out.append(f"| `{f.name}` | {f.type} | {_cell(_constraints(f))} | {_cell(desc)} |")
        for f in t.fields:
            if f.enum:
                out += ["", f"Allowed values of `{t.name}.{f.name}`:", "", "| value | meaning |", "|---|---|"]
                out += [f"| `{v}` | {_cell(m)} |" for v, m in enum_meanings(f)]
    out += ["", "## View definitions"]
    for v in views:
        out += ["", f"### view {v.name}", "", "```", v.description, "```"]
    return "\n".join(out).rstrip() + "\n"
