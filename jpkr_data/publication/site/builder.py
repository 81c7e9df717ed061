"""Write every page of the explorer: home, one page per event, actor, article and agreement, statements, search, months."""
from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit
from xml.sax.saxutils import escape as xml_escape

import duckdb
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from ...schema import Package
from ...validator.paths import SAFE_ID  # ids that become file names: one pattern for every writer
from ..citation import citation_text, credit_text, outlet_credits
from ..datasheet import LANGUAGE_NAMES
from ..dates import MONTHS, day_words, span_words, window_words
from ..jsonld import dataset_jsonld, jsonld_text
from ..safe_text import safe_url
from .api import Api
from .charts import STATUS_STYLE, network_svg, timeline_svg
from .coverage import gaps, published
from .downloads import file_entries, human_size, later_entries
from .model import FACTUALITY_WORDS, MODE_WORDS, SiteModel, load_model
from .model import rows as query_rows
from .search import KINDS, SYNONYMS, index_script, search_documents
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
    env.globals["window"] = lambda start, end: window_words(start, end, "range")
    return env


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


def check_site_url(url: str | None) -> str | None:
    """The site's public address, ending in '/', or None; anything but a plain http(s) address is a SiteError."""
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment or re.search(r"[\s\"'<>\\]", url):
        raise SiteError(f"--site-url: {url!r} is not a plain http(s) address (expected e.g. https://example.org/jpkr/, no query or fragment)")
    return url if url.endswith("/") else url + "/"


def build_site(con: duckdb.DuckDBPyConnection, pkg: Package, release: Path, site_url: str | None = None) -> Path:
    """Write `release/site/` (and `release/dataset.jsonld`) from the release database; returns the site folder.

    With `site_url` (where `site/` will be served), every page gets its canonical address and og:url, the site a
    sitemap.xml and the JSON files absolute links; without it nothing absolute is written.
    """
    site_url = check_site_url(site_url)
    m = load_model(con, pkg)
    check_page_ids(m)
    site = release / "site"
    if site.exists():
        shutil.rmtree(site)
    (site / "static").mkdir(parents=True)
    files = file_entries(release)
    ld_files = {f["path"]: f for f in files}
    release_url = urljoin(site_url, "../") if site_url else ""
    ld = dataset_jsonld(pkg, ld_files, list(m.events.values()), countries(m), base_url=release_url, site_url=site_url)
    (release / "dataset.jsonld").write_text(json.dumps(ld, indent=2, ensure_ascii=False) + "\n", encoding="utf-8", newline="\n")
    files = file_entries(release)  # now with dataset.jsonld
    downloads = files + later_entries(m.version)
    env = environment()
    common = {"m": m, "site_title": "jpkr-data explorer", "version": m.version, "threads": LABELS, "status_style": STATUS_STYLE,
              "kinds": KINDS, "homepage": pkg.descriptor.get("homepage", "")}
    written: list[str] = []

    def write(rel: str, template: str, **ctx: Any) -> None:
        depth = rel.count("/")
        canonical = (site_url if rel == "index.html" else site_url + rel) if site_url else ""
        stem = rel[:-len(".html")]
        alternate = (stem.rsplit("/", 1)[-1] + ".json") if "/" in rel and rel.split("/")[0] in ("events", "actors", "articles", "agreements") else ""
        html = env.get_template(template).render(**common, root="../" * depth, path=rel, canonical=canonical, alternate=alternate, **ctx)
        target = site / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html, encoding="utf-8", newline="\n")
        written.append(rel)

    background = [e for e in m.events.values() if (e["date_end"] or e["date_start"]) < dt.date(YEAR, 1, 1)]
    current = [e for e in m.events.values() if e not in background]
    cur_days = [d for e in current for d in (e["date_start"], e["date_end"]) if d]
    lo, hi = min(cur_days) - dt.timedelta(days=12), max(cur_days) + dt.timedelta(days=40)
    months = month_pages(m)
    citation = citation_text(pkg, site_url)
    credits = outlet_credits(con)
    thread_counts = {k: sum(1 for e in m.events.values() if k in e["threads"]) for k in LABELS}
    langs = sorted({a["language"] for a in m.articles.values() if a.get("language")})
    write("index.html", "index.html", languages=" and ".join(LANGUAGE_NAMES.get(c, c) for c in langs), jsonld=jsonld_text(ld), citation=citation, credit=credit_text(credits), cite_cff=_cff(release),
          published=published(list(m.articles.values())), gaps=gaps(list(m.events.values()), YEAR), thread_counts=thread_counts,
          background=background, current=current, span=span_words(list(m.events.values())), year=YEAR)
    write("timeline.html", "timeline.html", rule=THREADS, background=background, current=current, months=months, charts={
        "background": timeline_pair(background, dt.date(min(e["date_start"] or e["date_end"] for e in background).year - 5, 1, 1),
                                   dt.date(YEAR + 5, 1, 1), "Timeline before 2019: the background", group=False),
        "current": timeline_pair(current, lo, hi, f"Timeline of {YEAR}, grouped by thread")})
    write("network.html", "network.html", chart=network_svg(m.dyads, m.actors, "Who met or acted on whom"))
    series_cols, series_rows = _series_table(con)
    write("series.html", "series.html", chart=_series_chart(con), series_cols=series_cols, series_rows=series_rows, open_dated=_series_open(con),
          gaps=gaps(list(m.events.values()), YEAR))
    write("downloads.html", "downloads.html", downloads=downloads)
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
              chart=timeline_pair(mo["events"], mo["lo"] - dt.timedelta(days=3), mo["hi"] + dt.timedelta(days=2), f"Timeline of {mo['label']}",
                                 link="../events/{}.html"))
    write("statements.html", "statements.html", facets=_facets(m))
    write("search.html", "search.html", synonyms=SYNONYMS)
    write("disagreements.html", "disagreements.html")
    for name in ("site.css", "site.js"):
        shutil.copyfile(HERE / "static" / name, site / "static" / name)
    (site / "static" / "search-index.js").write_text(index_script(search_documents(m)), encoding="utf-8", newline="\n")
    Api(pkg, m, site, site_url).write_all()
    if site_url:
        (site / "sitemap.xml").write_text(sitemap(site_url, written), encoding="utf-8", newline="\n")
    return site


def timeline_pair(*args: Any, **kwargs: Any) -> str:
    """The timeline twice: wide (shown on a large screen) and narrow (titles above their marks, shown on a phone); CSS shows one."""
    return timeline_svg(*args, **kwargs) + timeline_svg(*args, **kwargs, narrow=True)


def sitemap(site_url: str, pages: list[str]) -> str:
    """sitemap.xml: the absolute address of every page (sitemaps.org 0.9)."""
    urls = "".join(f"  <url><loc>{xml_escape(site_url if p == 'index.html' else site_url + p)}</loc></url>\n" for p in sorted(pages))
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{urls}</urlset>\n'


def _series_chart(con: duckdb.DuckDBPyConnection) -> str:
    """The weekly Japan-South Korea Goldstein chart as inline SVG (empty when the package has no event_series view)."""
    if not _has_view(con, "event_series"):
        return ""
    from ..plot import series_svg

    svg = series_svg(con)
    return svg[svg.index("<svg"):]  # drop the XML declaration and doctype: the SVG is inlined in HTML


SERIES_SHOWN = ["period_start", "source", "target", "goldstein_sum", "n_events", "n_window_placed"]
SERIES_HIDDEN = {"level", "period", "event_ids", "goldstein_mean", "n_verbal_coop", "n_material_coop", "n_verbal_conflict", "n_material_conflict",
                 "n_date_not_stated"}


def _series_table(con: duckdb.DuckDBPyConnection) -> tuple[list[str], list[dict[str, Any]]]:
    """The weekly Japan-South Korea rows of event_series in 2019 (and any row without a period): the chart's columns, then any column the view adds."""
    if not _has_view(con, "event_series"):
        return [], []
    found = query_rows(con, "SELECT * FROM event_series WHERE level = 'state' AND period = 'week' AND ((source = 'JPN' AND target = 'KOR') OR (source = 'KOR' AND target = 'JPN')) "
                      "AND (period_start IS NULL OR period_start BETWEEN DATE '2019-06-01' AND DATE '2019-12-31') ORDER BY period_start NULLS LAST, source")
    cols = [c for c in SERIES_SHOWN if not found or c in found[0]]
    cols += [c for c in (found[0] if found else {}) if c not in SERIES_SHOWN and c not in SERIES_HIDDEN]
    return cols, found


def _series_open(con: duckdb.DuckDBPyConnection) -> dict[str, int] | None:
    """Counted Japan-South Korea events with no place in the weekly series (an open date), and how many of them are conflict; None when the views cannot tell."""
    try:
        n, conflict = con.execute(
            "SELECT count(DISTINCT event_id), count(DISTINCT CASE WHEN quad_class IN (3, 4) THEN event_id END) FROM event_dyads_coded "
            "WHERE counted AND placed_date IS NULL AND source_country IN ('JPN', 'KOR') AND target_country IN ('JPN', 'KOR') "
            "AND source_country <> target_country").fetchone()
    except duckdb.Error:
        return None
    return {"n": n, "conflict": conflict}


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
            "mode": [(k, v) for k, v in MODE_WORDS.items()],
            "factuality": [("asserted", "reported as said")] + [(k, v) for k, v in FACTUALITY_WORDS.items() if v]}
