"""The one "How to cite" text (dataset, version, release date, curators, address) and the outlets to credit, for the site, codebook and README."""
from __future__ import annotations

import datetime as dt

import duckdb

from ..schema import Package
from .dates import day_words


def curators(pkg: Package) -> str:
    """The contributors the descriptor names, as one string ('jpkr-data curators')."""
    names = [c.get("title", "") for c in pkg.descriptor.get("contributors", []) if c.get("title")]
    return ", ".join(names) or "jpkr-data contributors"


def released(pkg: Package) -> str:
    """The release day in words (the descriptor's `created`), or '' when it has none."""
    created = str(pkg.descriptor.get("created", ""))[:10]
    try:
        return day_words(dt.date.fromisoformat(created))
    except ValueError:
        return ""


def citation_text(pkg: Package, site_url: str | None = None) -> str:
    """The reference in one line: curators (year). Title (version V, released D) [Data set]. Licence. Address."""
    d = pkg.descriptor
    lic = (d.get("licenses") or [{}])[0]
    year = str(d.get("created", ""))[:4] or "n.d."
    when = released(pkg)
    text = (f"{curators(pkg)} ({year}). {d.get('title', d['name'])} (version {d.get('version', '0.0.0')}"
            f"{', released ' + when if when else ''}) [Data set]. {lic.get('title', lic.get('name', ''))}.")
    for url in (site_url, d.get("homepage")):
        if url:
            text += f" {url}"
    return text


def outlet_credits(con: duckdb.DuckDBPyConnection) -> list[tuple[str, list[str]]]:
    """(outlet, [days its articles were published]) for every source article, outlets in order of first article."""
    rows = con.execute(
        "SELECT coalesce(o.name, w.name, a.outlet, a.article_id) AS outlet, a.published_date FROM articles a "
        "LEFT JOIN actors o ON o.actor_id = a.outlet_id LEFT JOIN actors w ON w.actor_id = a.wire_agency_id "
        "ORDER BY a.published_date, a.article_id").fetchall()
    out: dict[str, list[str]] = {}
    for outlet, day in rows:
        words = day_words(day) if isinstance(day, dt.date) else "date not known"
        if words not in out.setdefault(outlet, []):
            out[outlet].append(words)
    return list(out.items())


def credit_text(credits: list[tuple[str, list[str]]]) -> str:
    """The sentence that tells a reader whom to credit for the quoted words."""
    named = "; ".join(f"{outlet} ({', '.join(days)})" for outlet, days in credits)
    return (f"The quoted words and evidence passages are those of the source articles and stay the work of their publishers: {named}. "
            "When you quote them, credit the outlet, and read the original article for context.")


def how_to_cite_markdown(pkg: Package, credits: list[tuple[str, list[str]]], site_url: str | None = None) -> list[str]:
    """The "How to cite" section as Markdown lines (codebook; the README carries the same text)."""
    return ["## How to cite", "", citation_text(pkg, site_url), "", credit_text(credits), "",
            "`CITATION.cff` in the release holds the same reference in a machine-readable form."]
