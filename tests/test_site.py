"""The explorer in a real headless Chromium (Debian's, driven by Playwright): no console errors, search, filters in the URL, no-JS, layout."""
from __future__ import annotations

import itertools
import shutil
from pathlib import Path

import pytest
from conftest import ROOT, read_rows
from site_release import built_release

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (Debian: apt-get install chromium)")
SHOTS = ROOT / "test-output" / "screenshots"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return built_release(tmp_path_factory) / "site"


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        yield b
        b.close()


@pytest.fixture()
def page(browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = ctx.new_page()
    pg.errors = []
    pg.on("console", lambda m: pg.errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    pg.on("requestfailed", lambda r: pg.errors.append("failed: " + r.url))
    pg.on("request", lambda r: pg.errors.append("external: " + r.url) if not r.url.startswith(("file:", "data:")) else None)
    yield pg
    ctx.close()


def test_no_console_error_on_any_page(site, page):
    pages = sorted(site.rglob("*.html"))
    assert len(pages) >= len(read_rows("events")) + len(read_rows("actors")) + 4
    for p in pages:
        page.goto(p.as_uri(), wait_until="domcontentloaded")
        assert page.get_attribute("html", "data-ready") == "yes", p
        assert page.errors == [], (p, page.errors)


@pytest.mark.parametrize("query, expect", [
    ("Kang Kono", "events/ev_bangkok_kang_kono.html"),
    ("Reuters", "articles/art002.html"),
    ("tense moment", "statements.html#st_002_22"),
    ('"grave ramifications"', "statements.html#st_004_02"),
    ("KYUNG-WHA kang", "actors/kang_kyung_wha.html"),
])
def test_search_finds_names_outlets_and_quotes(site, page, query, expect):
    assert expect.split("#")[0] and (site / expect.split("#")[0]).is_file()
    page.goto((site / "index.html").as_uri())
    page.fill("#home-q", query)
    page.press("#home-q", "Enter")
    page.wait_for_selector("#search-count")
    hrefs = page.eval_on_selector_all("#search-results a", "els => els.map(e => e.getAttribute('href'))")
    assert expect in hrefs, (query, hrefs[:10])
    kinds = page.eval_on_selector_all("#search-results section", "els => els.map(e => e.dataset.kind)")
    assert kinds and len(kinds) == len(set(kinds))
    page.reload()
    page.wait_for_selector("#search-count")
    assert page.input_value("#search-q") == query and expect in page.eval_on_selector_all("#search-results a", "els => els.map(e => e.getAttribute('href'))")
    assert page.errors == []


def test_every_event_reachable_from_the_timeline(site, page):
    page.goto((site / "timeline.html").as_uri())
    linked = page.eval_on_selector_all("svg.timeline a", "els => els.map(e => e.getAttribute('href') || e.getAttribute('xlink:href'))")
    ids = {h[len("events/"):-len(".html")] for h in linked}
    assert ids == {e["event_id"] for e in read_rows("events")}
    with page.expect_navigation():
        page.click('svg.timeline g#tl-ev_bangkok_kang_kono-label a')
    assert page.url.endswith("events/ev_bangkok_kang_kono.html") and "Kang Kyung-wha and Taro Kono meet in Bangkok" in page.title()


def test_timeline_filter_survives_a_reload(site, page):
    page.goto((site / "timeline.html").as_uri())
    page.uncheck("#timeline-filters input[value=meetings]")
    page.fill("#timeline-filters input[name=q]", "gsomia")
    url = page.evaluate("location.href")
    assert "threads=" in url and "q=gsomia" in url
    dimmed = set(page.eval_on_selector_all("ol.events li.dim", "els => els.map(e => e.dataset.event)"))
    page.reload()
    assert not page.is_checked("#timeline-filters input[value=meetings]") and page.input_value("#timeline-filters input[name=q]") == "gsomia"
    assert set(page.eval_on_selector_all("ol.events li.dim", "els => els.map(e => e.dataset.event)")) == dimmed
    shown = set(page.eval_on_selector_all("ol.events li:not(.dim)", "els => els.map(e => e.dataset.event)"))
    assert shown and all("gsomia" in (e["title"] + " " + " ".join(m["evidence_text"] for m in read_rows("event_mentions") if m["event_id"] == e["event_id"])).lower()
                         for e in read_rows("events") if e["event_id"] in shown)
    assert page.eval_on_selector_all("svg.timeline g.ev.dim", "els => els.length") > 0


def test_statement_filters_survive_a_reload(site, page):
    rows = read_rows("statements")
    page.goto((site / "statements.html").as_uri())
    page.select_option("select[name=speaker]", "kang_kyung_wha")
    page.select_option("select[name=mode]", "direct")
    visible = page.eval_on_selector_all("#statements-table tbody tr:not(.hidden)", "els => els.map(e => e.id)")
    assert set(visible) == {r["statement_id"] for r in rows if r["speaker_id"] == "kang_kyung_wha" and r["mode"] == "direct"} and visible
    url = page.evaluate("location.href")
    assert "speaker=kang_kyung_wha" in url and "mode=direct" in url
    page.goto("about:blank")
    page.goto(url)
    assert page.input_value("select[name=speaker]") == "kang_kyung_wha" and page.input_value("select[name=mode]") == "direct"
    assert page.eval_on_selector_all("#statements-table tbody tr:not(.hidden)", "els => els.map(e => e.id)") == visible
    page.goto((site / "statements.html").as_uri() + "#outlet=Reuters&month=2019-08&q=" + "tense%20moment")
    assert page.eval_on_selector_all("#statements-table tbody tr:not(.hidden)", "els => els.map(e => e.id)") == ["st_002_22"]
    assert page.errors == []


def test_pages_work_without_javascript(site, browser):
    """With JavaScript off a reader goes from the front page to every page by its links, and each page holds its content."""
    ctx = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    pg = ctx.new_page()
    for link, check in [("Timeline", "ol.events"), ("Who said what", "#statements-table"), ("Weekly series", "table.series"),
                        ("Network", "svg.network"), ("Datasheet", "article.prose"), ("Downloads", "details.files")]:
        pg.goto((site / "index.html").as_uri())
        with pg.expect_navigation():
            pg.click(f"header.top nav a:text-is('{link}')")
        assert pg.is_visible(check), link
    pg.goto((site / "index.html").as_uri())
    with pg.expect_navigation():
        pg.click("#start a:has-text('Timeline')")
    links = set(pg.eval_on_selector_all("ol.events a", "els => els.map(e => e.getAttribute('href'))"))
    assert links == {f"events/{e['event_id']}.html" for e in read_rows("events")}
    assert pg.is_visible("svg.timeline")
    with pg.expect_navigation():
        pg.click("ol.events a[href='events/ev_bangkok_kang_kono.html']")
    assert "Kang Kyung-wha and Taro Kono meet in Bangkok" in pg.inner_text("h1")
    pg.goto((site / "disagreements.html").as_uri())
    assert pg.is_visible("table.sides")
    pg.goto((site / "statements.html").as_uri())
    assert pg.eval_on_selector_all("#statements-table tbody tr", "els => els.filter(e => e.offsetParent !== null).length") == len(read_rows("statements"))
    assert "we have to see the situation" in pg.inner_text("#statements-table")
    pg.goto((site / "events" / "ev_saito_bangkok_remarks.html").as_uri())  # his remarks, not the briefing art004 reports (0.5b R1)
    assert "Jun Saito" in pg.inner_text("main")
    ctx.close()


def test_network_labels_do_not_overlap(site, page):
    page.goto((site / "network.html").as_uri())
    boxes = page.eval_on_selector_all("svg.network g.node-label", "els => els.map(e => { const r = e.getBoundingClientRect(); return [e.dataset.actor, r.left, r.top, r.right, r.bottom]; })")
    assert len(boxes) >= 10
    for a, b in itertools.combinations(boxes, 2):
        overlap = min(a[3], b[3]) - max(a[1], b[1]) > 0.5 and min(a[4], b[4]) - max(a[2], b[2]) > 0.5
        assert not overlap, (a[0], b[0])
    hrefs = page.eval_on_selector_all("svg.network a", "els => els.map(e => e.getAttribute('href') || e.getAttribute('xlink:href'))")
    assert {h.split("/")[1][:-5] for h in hrefs} == {b[0] for b in boxes}
    assert all((site / h).is_file() for h in hrefs)


def test_keyboard_and_phone_width(site, browser):
    """At 400 px no page scrolls sideways and every chart fits (scaled by its viewBox, so dots stay beside their labels)."""
    ctx = browser.new_context(viewport={"width": 400, "height": 800}, is_mobile=True)
    pg = ctx.new_page()
    for rel in ["index.html", "timeline.html", "series.html", "network.html", "downloads.html", "datasheet.html", "statements.html",
                "search.html#q=GSOMIA", "events/ev_bangkok_kang_kono.html", "actors/jun_saito.html", "agreements/ag_gsomia.html",
                "articles/art002.html", "timeline/2019-08.html"]:
        path, _, fragment = rel.partition("#")
        pg.goto((site / path).as_uri() + ("#" + fragment if fragment else ""))
        width = pg.evaluate("document.documentElement.scrollWidth")
        assert width <= 400, (rel, width)
        charts = pg.eval_on_selector_all("figure.chart svg", "els => els.map(e => e.getBoundingClientRect().right)")
        assert all(right <= 400 for right in charts), (rel, charts)
    pg.goto((site / "timeline.html").as_uri())
    assert not pg.is_visible("svg.timeline.wide") and pg.is_visible("svg.timeline.narrow")
    for e in read_rows("events"):  # on a phone each title stands right above its mark, in words a reader can read
        dot = pg.eval_on_selector(f"svg.timeline.narrow g#tln-{e['event_id']}", "e => e.getBoundingClientRect().toJSON()")
        label = pg.eval_on_selector(f"svg.timeline.narrow g#tln-{e['event_id']}-label", "e => e.getBoundingClientRect().toJSON()")
        assert 0 <= label["left"] and label["right"] <= 400 and 0 <= dot["left"] and dot["right"] <= 400, e["event_id"]
        assert label["bottom"] <= dot["top"] + 2 and dot["top"] - label["bottom"] < 25, e["event_id"]
    size = pg.eval_on_selector("svg.timeline.narrow g#tln-ev_jpn_export_controls-label text", "e => e.getBoundingClientRect().height")
    assert size >= 8, size
    pg.goto((site / "index.html").as_uri())
    pg.keyboard.press("Tab")
    assert pg.evaluate("document.activeElement.className") == "skip"
    pg.keyboard.press("Enter")
    assert pg.url.endswith("#main")
    ctx.close()


def test_front_page_is_short_and_leads_to_every_part(site, page):
    page.goto((site / "index.html").as_uri())
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 2600, height  # 0.3.0's home page was 22,678 px tall at 1280 px
    hrefs = page.eval_on_selector_all("#start a", "els => els.map(e => e.getAttribute('href'))")
    assert hrefs == ["timeline.html", "statements.html", "disagreements.html", "series.html", "network.html", "datasheet.html", "downloads.html"]
    assert page.is_visible("#cite") and page.is_visible("#coverage")


def _search(page, site, query):
    page.goto((site / "search.html").as_uri() + "#q=" + query)
    page.wait_for_selector("#search-count")
    return page.eval_on_selector_all("#search-results li", "els => els.map(e => [e.dataset.kind, e.querySelector('a').getAttribute('href'), e.innerText])")


@pytest.mark.parametrize("a, b", [("whitelist", "white%20list"), ("labor", "labour"), ("GSOMIA", "General%20Security%20of%20Military%20Information%20Agreement"),
                                  ("K%C5%8Dno", "Kono")])
def test_search_treats_spelling_variants_as_one(site, page, a, b):
    hits_a, hits_b = _search(page, site, a), _search(page, site, b)
    assert hits_a and sorted(h[1] for h in hits_a) == sorted(h[1] for h in hits_b)


@pytest.mark.parametrize("query", ["Kono", "GSOMIA"])
def test_search_ranks_events_and_statements_and_labels_each_hit(site, page, query):
    hits = _search(page, site, query)
    kinds = [h[0] for h in hits]
    assert kinds[0] == "event" and kinds.count("claim") * 4 < len(kinds) and "claim" not in kinds[:-kinds.count("claim") or None]
    assert page.eval_on_selector_all("#search-results section[data-kind=claim] details:not([open])", "els => els.length") <= 1  # conflicts, folded when present
    statements = {s["statement_id"]: s for s in read_rows("statements")}
    events = {e["event_id"]: e for e in read_rows("events")}
    for kind, href, text in hits:
        if kind == "statement":
            s = statements[href.split("#")[1]]
            assert ("paraphrase" in text) == (s["mode"] == "indirect") and (f"“{s['text']}”" in text) == (s["mode"] == "direct"), text
        if kind == "event":
            assert events[href[len("events/"):-len(".html")]]["status"] in text.split("\n")[0], text
    assert page.errors == []


def test_a_search_result_lands_on_its_section(site, page):
    hits = _search(page, site, "tense%20moment")
    with page.expect_navigation():
        page.click("#search-results a[href='statements.html#st_002_22']")
    box = page.eval_on_selector("#st_002_22", "e => e.getBoundingClientRect().toJSON()")
    assert -5 <= box["top"] < 900 and page.eval_on_selector("#st_002_22", "e => e.classList.contains('target')")
    _search(page, site, "retaliation")  # a side of a conflict (the purpose of the export controls): lands on disagreements.html
    href = page.eval_on_selector("#search-results section[data-kind=claim] a", "e => e.getAttribute('href')")
    if page.query_selector("#search-results section[data-kind=claim] summary"):  # folded only when other kinds matched too
        page.click("#search-results section[data-kind=claim] summary")
    with page.expect_navigation():
        page.click("#search-results section[data-kind=claim] a")
    anchor = href.split("#")[1]
    assert -5 <= page.eval_on_selector(f"#{anchor}", "e => e.getBoundingClientRect().top") < 200  # the section is at the top of the window
    assert hits


def test_screenshots(site, browser):
    """Desktop and phone screenshots of the main pages, for a person to look at (test-output/screenshots/)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1280, 400):
        ctx = browser.new_context(viewport={"width": width, "height": 900})
        pg = ctx.new_page()
        for name, rel in [("front", "index.html"), ("timeline", "timeline.html"), ("statements", "statements.html"), ("series", "series.html"),
                          ("search", "search.html#q=GSOMIA"), ("event", "events/ev_bangkok_kang_kono.html"), ("actor", "actors/kang_kyung_wha.html")]:
            path, _, fragment = rel.partition("#")
            pg.goto((site / path).as_uri() + ("#" + fragment if fragment else ""))
            shot = SHOTS / f"{name}-{width}.png"
            pg.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 10_000
        ctx.close()


def test_an_event_is_fetched_by_its_permalink_as_json(site, page):
    """The JSON beside an event page opens by its address alone (no server, no script of the site) and holds the event's row."""
    row = next(e for e in read_rows("events") if e["event_id"] == "ev_gsomia_kor_decides_keep")
    page.goto((site / "events" / "ev_gsomia_kor_decides_keep.json").as_uri())
    doc = page.evaluate("JSON.parse(document.body.innerText)")
    assert doc["record"]["title"] == row["title"] and doc["record"]["date_start"] == row["date_start"] and doc["record"]["status"] == row["status"]
    index = page.goto((site / "api" / "index.json").as_uri()) and page.evaluate("JSON.parse(document.body.innerText)")
    assert {"kind": "event", "id": row["event_id"], "title": row["title"], "html": f"events/{row['event_id']}.html",
            "json": f"events/{row['event_id']}.json"} in index["records"]
