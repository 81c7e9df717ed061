"""DATASHEET.md: the curators' prose (the DATASHEET.md template) with every count computed from the data.

The template holds `{{ name }}` placeholders and nothing else: no expressions, no code, so a
template shipped in a package cannot run anything. An unknown or unfilled placeholder is an error.
"""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import duckdb

from ..docs_facts import strip_markers
from ..paths import package_root
from ..schema import Package, quote_ident, sql_literal
from ..validator.integrity import CONTENT_SEGMENTS
from .dates import bound_words, day_words, span
from .protocol import protocol_markdown
from .safe_text import md_text, safe_url

PLACEHOLDER = re.compile(r"\{\{\s*([a-z_][a-z0-9_]*)\s*\}\}")
TEMPLATE = "DATASHEET.md"
LANGUAGE_NAMES = {"en": "English", "ja": "Japanese", "ko": "Korean", "zh": "Chinese"}
RELIABILITY = "curation/reliability.csv"  # written by curation/reliability.py --write
MINISTERS_MEETINGS = {"ev_bangkok_kang_kono": "Bangkok", "ev_beijing_kang_kono": "Beijing", "ev_nagoya_kang_motegi": "Nagoya"}  # the template's prose
AUDITS = "curation/audits.csv"  # written by python3 dev.py docs from the kept audits' summary tables
MAX_RELIABILITY_BYTES = 1 << 16


class DatasheetError(ValueError):
    """The template is missing, unsafe or names a value the data does not give."""


def template_path(pkg: Package) -> Path:
    """The package's own DATASHEET.md if it has one (inside the package), else the one shipped with jpkr-data."""
    for root in (pkg.root, package_root()):
        candidate = root / TEMPLATE
        if candidate.is_file() and candidate.resolve().is_relative_to(root.resolve()):
            return candidate
    raise DatasheetError(f"no {TEMPLATE} template beside {pkg.path} or in jpkr-data")


def _one(con: duckdb.DuckDBPyConnection, sql: str) -> Any:
    return con.execute(sql).fetchone()[0]


def first_sentence(text: str) -> str:
    """Text up to its first full stop or colon (a list that follows a colon is left out)."""
    head = re.split(r"(?<!e\.g\.)(?<!i\.e\.)(?<=\.)\s", text, maxsplit=1)[0]
    return head.split(": ", 1)[0].rstrip(":") + ("." if ": " in head or head.endswith(":") else "")


def _cell(value: Any) -> str:
    return md_text(value)


def curation_rows(pkg: Package, name: str) -> list[dict[str, str]] | None:
    """The rows of a small CSV under the package's curation/ (a regular file inside the package), or None."""
    path = pkg.root / name
    try:
        inside = path.is_file() and not path.is_symlink() and path.resolve().is_relative_to(pkg.root.resolve())
        if not inside or path.stat().st_size > MAX_RELIABILITY_BYTES:
            return None
        return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    except (OSError, UnicodeDecodeError, csv.Error):
        return None


def audits_table(pkg: Package) -> str:
    """The kept audits' per-table figures from curation/audits.csv, or a note."""
    rows = curation_rows(pkg, AUDITS)
    if not rows:
        return "(no audit is kept with this package)"
    lines = ["| audit | table | rows checked | with problems | misleading |", "|---|---|---:|---:|---:|"]
    lines += ["| " + " | ".join(_cell(r.get(k)) for k in ("audit", "table", "rows_checked", "rows_with_problems", "misleading")) + " |"
              for r in rows]
    return "\n".join(lines)


def reliability_table(pkg: Package) -> str:
    """The per-attribute alpha table from the package's curation/reliability.csv (a regular file inside the package), or a note."""
    rows = curation_rows(pkg, RELIABILITY)
    if rows is None:
        return "(not computed for this package)"
    lines = ["| read | attribute | items | agreeing | Krippendorff's alpha | what is compared |", "|---|---|---:|---:|---:|---|"]
    lines += ["| " + " | ".join(_cell(r.get(k)) or ("n/a" if k == "alpha" else "") for k in ("read", "attribute", "items", "agreeing", "alpha", "note"))
              + " |" for r in rows]
    return "\n".join(lines)


def datasheet_values(pkg: Package, con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Every number and generated table the template may use, computed from the tables."""
    d = pkg.descriptor
    counts = {t.name: _one(con, f"SELECT count(*) FROM {quote_ident(t.name)}") for t in pkg.tables}
    v: dict[str, Any] = {f"n_{name}": n for name, n in counts.items()}
    v["version"] = d.get("version", "")
    v["created"] = str(d.get("created", ""))[:10]
    v["n_tables"] = len(pkg.tables)
    v["homepage"] = safe_url(d.get("homepage"))
    rows = ["| table | rows | what a row is |", "|---|---:|---|"]
    rows += [f"| `{t.name}` | {counts[t.name]} | {_cell(first_sentence(t.description or t.title))} |" for t in pkg.tables]
    v["table_counts"] = "\n".join(rows)
    v["n_direct"] = _one(con, "SELECT count(*) FROM statements WHERE mode = 'direct'")
    v["n_indirect"] = _one(con, "SELECT count(*) FROM statements WHERE mode = 'indirect'")
    v["n_disagreement_rows"] = _one(con, "SELECT count(*) FROM disagreements")
    v["n_disagreement_subjects"] = _one(con, "SELECT count(*) FROM (SELECT DISTINCT subject_table, subject_id, attribute FROM disagreements)")
    langs = [r[0] for r in con.execute("SELECT language FROM articles GROUP BY language ORDER BY count(*) DESC, language").fetchall()]
    v["languages"] = " and ".join(f"{LANGUAGE_NAMES.get(code, code)} (`{code}`)" for code in langs)
    v["n_outlets"] = _one(con, "SELECT count(DISTINCT coalesce(wire_agency_id, outlet_id)) FROM articles")
    v["n_source_chars"] = f"{_one(con, 'SELECT sum(source_chars) FROM articles'):,}"
    arts = con.execute(
        "SELECT a.article_id, coalesce(o.name, a.outlet, '(site not named)') AS outlet, coalesce(w.name, '') AS agency, a.medium, a.language, "
        "a.published_date, a.published_date_basis, a.source_chars, "
        "(SELECT count(*) FROM event_mentions m WHERE m.article_id = a.article_id) AS mentions, "
        "(SELECT count(*) FROM statements s WHERE s.article_id = a.article_id) AS statements "
        "FROM articles a LEFT JOIN actors o ON o.actor_id = a.outlet_id LEFT JOIN actors w ON w.actor_id = a.wire_agency_id "
        "ORDER BY a.article_id").fetchall()
    rows = ["| article | published by | wire agency | medium | language | date | date basis | characters | event mentions | statements |",
            "|---|---|---|---|---|---|---|---:|---:|---:|"]
    rows += ["| " + " | ".join(_cell(x) for x in r) + " |" for r in arts]
    v["articles_table"] = "\n".join(rows)
    v["n_republished"] = _one(con, "SELECT count(*) FROM articles WHERE outlet_id IS NULL AND wire_agency_id IS NOT NULL")
    v["first_article"], v["last_article"] = (day_words(x) if x else "an unknown day" for x in
                                             con.execute("SELECT min(published_date), max(published_date) FROM articles").fetchone())
    v["n_events_not_stated"] = _one(con, "SELECT count(*) FROM events WHERE date_basis <> 'stated'")
    v["n_events_undated"] = _one(con, "SELECT count(*) FROM events WHERE date_start IS NULL OR date_end IS NULL")
    events = [dict(zip(("date_start", "date_end", "date_precision"), r)) for r in con.execute("SELECT date_start, date_end, date_precision FROM events").fetchall()]
    ends = span(events)  # each end as precisely as the data knows it ("1910", "December 2019"), never a day the data does not know
    v["first_event"], v["last_event"] = (bound_words(*ends[0]), bound_words(*ends[1])) if ends else ("no dated event", "no dated event")
    content = ", ".join(sql_literal(s) for s in CONTENT_SEGMENTS)
    v["n_boilerplate"] = _one(con, f"SELECT count(*) FROM article_segments WHERE segment_type NOT IN ({content})")
    status = con.execute("SELECT status, count(*) FROM events GROUP BY status ORDER BY count(*) DESC, status").fetchall()
    v["events_by_status"] = ", ".join(f"{n} {s}" for s, n in status)
    by_country = con.execute("SELECT coalesce(a.country_iso3, 'no country'), count(*) FROM statements s JOIN actors a ON a.actor_id = s.speaker_id "
                             "GROUP BY 1 ORDER BY 2 DESC, 1").fetchall()
    v["statements_by_country"] = ", ".join(f"{c} {n}" for c, n in by_country)
    v["reliability_table"] = reliability_table(pkg)
    v["audits_table"] = audits_table(pkg)
    v["evaluation_protocol"] = protocol_markdown(con, pkg)
    v["n_cameo_without_plover"] = _one(con, "SELECT count(*) FROM cameo_codes WHERE plover_type IS NULL")
    meetings: dict[str, set[str]] = {}
    for event, art in con.execute(
            "SELECT e.event_id, m.article_id FROM events e JOIN event_mentions m ON m.event_id = e.event_id "
            f"WHERE e.event_id IN ({', '.join(sql_literal(e) for e in MINISTERS_MEETINGS)}) ORDER BY e.date_start, m.article_id").fetchall():
        meetings.setdefault(MINISTERS_MEETINGS[event], set()).add(art)
    v["meetings_by_article"] = ", ".join(f"{loc} ({', '.join(sorted(arts))}{' only' if len(arts) == 1 else ''})" for loc, arts in meetings.items())
    return {k: str(x) for k, x in v.items()}


def render(template: str, values: dict[str, str]) -> str:
    """Fill every `{{ name }}`; an unknown name is a DatasheetError naming it and its line."""
    def fill(m: re.Match) -> str:
        if m.group(1) not in values:
            line = template.count("\n", 0, m.start()) + 1
            raise DatasheetError(f"{TEMPLATE} line {line}: no value named {m.group(1)!r}")
        return values[m.group(1)]
    return PLACEHOLDER.sub(fill, template)


def render_datasheet(pkg: Package, con: duckdb.DuckDBPyConnection) -> str:
    """The datasheet as Markdown: the template's prose with the counts of this package filled in."""
    path = template_path(pkg)
    try:
        template = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DatasheetError(f"{path}: cannot be read as UTF-8: {exc}") from None
    return strip_markers(render(template, datasheet_values(pkg, con)))
