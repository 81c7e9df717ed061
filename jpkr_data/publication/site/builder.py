"""Write every page of the explorer: home, one page per event, actor, article and agreement, statements, search, months."""
from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import duckdb
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from ...schema import Package
from ...validator.paths import SAFE_ID  # ids that become file names: one pattern for every writer
from ..jsonld import dataset_jsonld, jsonld_text
from ..safe_text import safe_url
from .charts import STATUS_STYLE, network_svg, timeline_svg
from .dates import MONTHS, day_words
from .downloads import file_entries, human_size, later_entries
from .model import SiteModel, load_model
from .search import KINDS, index_script, search_documents
from .threads import LABELS, THREADS

HERE = Path(__file__).parent
YEAR = 2019  # the dispute's year: drawn on its own axis; earlier events form the background panel




class SiteError(ValueError):
    """The package holds something the site cannot publish safely (e.g. an id that is not a safe file name)."""


def check_page_ids(m: SiteModel) -> None:
    """Every id that names a page file must be a safe file name, whatever the package's own schema allows."""
    for table, field, rows in (("events", "event_id", m.events), ("actors", "actor_id", m.actors), ("articles", "article_id", m.articles),
                               ("agreements", "agreement_id", m.agreements)):
        for value in rows:
            if not isinstance(value, str) or not SAFE_ID.fullmatch(value):
                raise SiteError(f"data/{table}.csv: field {field}: value {value!r} cannot name a page of the site "
                                "(expected lower-case letters, digits and '_', starting with a letter or digit, at most 100 characters)")


def environment() -> Environment:
    """Jinja2 with autoescaping on for every template."""
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["size"] = human_size
    env.filters["url"] = safe_url  # every href/src from the package goes through it: http(s) or relative only
    env.filters["words"] = lambda v: str(v).replace("_", " ") if v is not None else ""
    env.filters["day"] = lambda d: day_words(d) if isinstance(d, dt.date) else (d or "")
    return env


def coverage(m: SiteModel) -> tuple[dt.date, dt.date]:
    """Earliest and latest day any event's window touches."""
    days = [d for e in m.events.values() for d in (e["date_start"], e["date_end"]) if d]
    return min(days), max(days)


def countries(m: SiteModel) -> list[str]:
    """Names of the states where events took place or that took part (from the data)."""
    states = {a["country_iso3"]: a["name"] for a in m.actors.values() if a["actor_type"] == "state" and a["country_iso3"]}
    seen = {e["location_country_iso3"] for e in m.events.values() if e["location_country_iso3"]}
    seen |= {"JPN", "KOR"} & set(states)
    return [states.get(c, c) for c in sorted(seen)]


def month_pages(m: SiteModel) -> list[dict[str, Any]]:
    """One zoomed timeline per month of the dispute's year that has an event in it."""
    out = []
    for month in range(1, 13):
        lo = dt.date(YEAR, month, 1)
        hi = dt.date(YEAR + month // 12, month % 12 + 1, 1)
        evs = [e for e in m.events.values() if _overlaps(e, lo, hi)]
        if evs:
            out.append({"key": f"{YEAR}-{month:02d}", "label": f"{MONTHS[month - 1]} {YEAR}", "lo": lo, "hi": hi, "events": evs})
    return out


def _overlaps(e: dict[str, Any], lo: dt.date, hi: dt.date) -> bool:
    """Whether an event's window (an open side counts as its known day) touches lo..hi (hi exclusive)."""
    start = e["date_start"] or e["date_end"]
    end = e["date_end"] or e["date_start"]
    return bool(start and end and start < hi and end >= lo)


def build_site(con: duckdb.DuckDBPyConnection, pkg: Package, release: Path) -> Path:
    """Write `release/site/` (and `release/dataset.jsonld`) from the release database; returns the site folder."""
    m = load_model(con, pkg)
    check_page_ids(m)
    site = release / "site"
    if site.exists():
        shutil.rmtree(site)
    (site / "static").mkdir(parents=True)
    cov = coverage(m)
    files = file_entries(release)
    ld_files = {f["path"]: f for f in files}
    ld = dataset_jsonld(pkg, ld_files, cov, countries(m), base_url="")
    (release / "dataset.jsonld").write_text(json.dumps(ld, indent=2, ensure_ascii=False) + "\n", encoding="utf-8", newline="\n")
    files = file_entries(release)  # now with dataset.jsonld
    downloads = files + later_entries(m.version)
    env = environment()
    common = {"m": m, "site_title": "jpkr-data explorer", "version": m.version, "threads": LABELS, "status_style": STATUS_STYLE,
              "kinds": KINDS, "homepage": pkg.descriptor.get("homepage", "")}

    def write(rel: str, template: str, **ctx: Any) -> None:
        depth = rel.count("/")
        html = env.get_template(template).render(**common, root="../" * depth, path=rel, **ctx)
        target = site / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html, encoding="utf-8", newline="\n")

    background = [e for e in m.events.values() if (e["date_end"] or e["date_start"]) < dt.date(YEAR, 1, 1)]
    current = [e for e in m.events.values() if e not in background]
    cur_days = [d for e in current for d in (e["date_start"], e["date_end"]) if d]
    lo, hi = min(cur_days) - dt.timedelta(days=12), max(cur_days) + dt.timedelta(days=40)
    months = month_pages(m)
    charts = {
        "background": timeline_svg(background, dt.date(min(e["date_start"] or e["date_end"] for e in background).year - 5, 1, 1),
                                   dt.date(YEAR + 5, 1, 1), "Timeline before 2019: the background", group=False),
        "current": timeline_svg(current, lo, hi, f"Timeline of {YEAR}, grouped by thread"),
        "network": network_svg(m.dyads, m.actors, "Who met or acted on whom"),
        "series": _series_chart(con),
    }
    authors = ", ".join(c.get("title", "") for c in pkg.descriptor.get("contributors", [])) or "jpkr-data contributors"
    year = str(pkg.descriptor.get("created", ""))[:4]
    citation = f"{authors} ({year}). {m.title} (version {m.version}) [Data set]. {m.license.get('title', m.license.get('name', ''))}."
    if pkg.descriptor.get("homepage"):
        citation += " " + pkg.descriptor["homepage"]
    write("index.html", "index.html", charts=charts, months=months, downloads=downloads, jsonld=jsonld_text(ld), citation=citation,
          cite_cff=_cff(release), rule=THREADS, background=background, current=current, series_rows=_series_rows(con))
    write("datasheet.html", "datasheet.html", body=_datasheet_html(release))
    for e in m.events.values():
        write(f"events/{e['event_id']}.html", "event.html", e=e)
    for a in m.actors.values():
        write(f"actors/{a['actor_id']}.html", "actor.html", a=a)
    for a in m.articles.values():
        write(f"articles/{a['article_id']}.html", "article.html", a=a)
    for g in m.agreements.values():
        write(f"agreements/{g['agreement_id']}.html", "agreement.html", g=g)
    for mo in months:
        write(f"timeline/{mo['key']}.html", "month.html", mo=mo, months=months,
              chart=timeline_svg(mo["events"], mo["lo"] - dt.timedelta(days=3), mo["hi"] + dt.timedelta(days=2), f"Timeline of {mo['label']}",
                                 link="../events/{}.html"))
    write("statements.html", "statements.html", facets=_facets(m))
    write("search.html", "search.html")
    for name in ("site.css", "site.js"):
        shutil.copyfile(HERE / "static" / name, site / "static" / name)
    (site / "static" / "search-index.js").write_text(index_script(search_documents(m)), encoding="utf-8", newline="\n")
    return site


def _series_chart(con: duckdb.DuckDBPyConnection) -> str:
    """The weekly Japan-South Korea Goldstein chart as inline SVG (empty when the package has no event_series view)."""
    if not _has_view(con, "event_series"):
        return ""
    from ..plot import series_svg

    svg = series_svg(con)
    return svg[svg.index("<svg"):]  # drop the XML declaration and doctype: the SVG is inlined in HTML


def _series_rows(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    """The rows the chart draws, for the table beside it."""
    if not _has_view(con, "event_series"):
        return []
    from ..plot import series

    return series(con, "JPN", "KOR", dt.date(2019, 6, 1), dt.date(2019, 12, 31), "week")


def _has_view(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """Whether the database has a view of that name."""
    return bool(con.execute("SELECT count(*) FROM duckdb_views() WHERE view_name = ? AND NOT internal", [name]).fetchone()[0])


def _datasheet_html(release: Path) -> str:
    """DATASHEET.md of the release as HTML (raw HTML in it is escaped, not passed through)."""
    from markdown_it import MarkdownIt

    p = release / "DATASHEET.md"
    text = p.read_text(encoding="utf-8") if p.is_file() else "# Datasheet\n\nThis release has no datasheet."
    return MarkdownIt("commonmark", {"html": False}).enable("table").render(text)


def _cff(release: Path) -> str:
    """CITATION.cff as written in the release (empty if absent)."""
    p = release / "CITATION.cff"
    return p.read_text(encoding="utf-8") if p.is_file() else ""


def _facets(m: SiteModel) -> dict[str, list[tuple[str, str]]]:
    """The values each statement filter offers: (value, label), in a stable order."""
    sts = list(m.statements.values())
    speakers = sorted({(s["speaker_id"], s["speaker_name"]) for s in sts}, key=lambda x: x[1].lower())
    country_names = {a["country_iso3"]: a["name"] for a in m.actors.values() if a["actor_type"] == "state"}
    cs = sorted({s["country"] for s in sts if s["country"]})
    outlets = sorted({s["outlet_name"] for s in sts})
    mos = sorted({s["month"] for s in sts if s["month"] != "undated"})
    return {"speaker": speakers, "country": [(c, country_names.get(c, c)) for c in cs], "outlet": [(o, o) for o in outlets],
            "month": [(k, f"{MONTHS[int(k[5:]) - 1]} {k[:4]}") for k in mos] + [("undated", "not known to the month")],
            "mode": [("direct", "direct (quoted)"), ("indirect", "indirect (reported)")]}
