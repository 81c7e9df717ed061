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
    ("tense moment", "statements.html#id=st_002_22"),
    ('"grave ramifications"', "statements.html#id=st_004_02"),
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
    page.goto((site / "index.html").as_uri())
    linked = page.eval_on_selector_all("svg.timeline a", "els => els.map(e => e.getAttribute('href') || e.getAttribute('xlink:href'))")
    ids = {h[len("events/"):-len(".html")] for h in linked}
    assert ids == {e["event_id"] for e in read_rows("events")}
    with page.expect_navigation():
        page.click('svg.timeline g#tl-ev_bangkok_kang_kono-label a')
    assert page.url.endswith("events/ev_bangkok_kang_kono.html") and "Kang Kyung-wha and Taro Kono meet in Bangkok" in page.title()


def test_timeline_filter_survives_a_reload(site, page):
    page.goto((site / "index.html").as_uri())
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
    ctx = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    pg = ctx.new_page()
    pg.goto((site / "index.html").as_uri())
    links = set(pg.eval_on_selector_all("ol.events a", "els => els.map(e => e.getAttribute('href'))"))
    assert links == {f"events/{e['event_id']}.html" for e in read_rows("events")}
    assert pg.is_visible("svg.timeline") and pg.is_visible("svg.network")
    pg.goto((site / "disagreements.html").as_uri())
    assert pg.is_visible("#usa--mediation table.sides")
    pg.goto((site / "statements.html").as_uri())
    assert pg.eval_on_selector_all("#statements-table tbody tr", "els => els.filter(e => e.offsetParent !== null).length") == len(read_rows("statements"))
    assert "we have to see the situation" in pg.inner_text("#statements-table")
    pg.goto((site / "events" / "ev_bangkok_japan_briefing.html").as_uri())
    assert "Jun Saito" in pg.inner_text("main")
    ctx.close()


def test_network_labels_do_not_overlap(site, page):
    page.goto((site / "index.html").as_uri())
    boxes = page.eval_on_selector_all("svg.network g.node-label", "els => els.map(e => { const r = e.getBoundingClientRect(); return [e.dataset.actor, r.left, r.top, r.right, r.bottom]; })")
    assert len(boxes) >= 10
    for a, b in itertools.combinations(boxes, 2):
        overlap = min(a[3], b[3]) - max(a[1], b[1]) > 0.5 and min(a[4], b[4]) - max(a[2], b[2]) > 0.5
        assert not overlap, (a[0], b[0])
    hrefs = page.eval_on_selector_all("svg.network a", "els => els.map(e => e.getAttribute('href') || e.getAttribute('xlink:href'))")
    assert {h.split("/")[1][:-5] for h in hrefs} == {b[0] for b in boxes}
    assert all((site / h).is_file() for h in hrefs)


def test_keyboard_and_phone_width(site, browser):
    ctx = browser.new_context(viewport={"width": 400, "height": 800})
    pg = ctx.new_page()
    for rel in ["index.html", "events/ev_bangkok_kang_kono.html", "actors/jun_saito.html", "statements.html", "search.html"]:
        pg.goto((site / rel).as_uri())
        width = pg.evaluate("document.documentElement.scrollWidth")
        assert width <= 400, (rel, width)
    pg.goto((site / "index.html").as_uri())
    pg.keyboard.press("Tab")
    assert pg.evaluate("document.activeElement.className") == "skip"
    pg.keyboard.press("Enter")
    assert pg.url.endswith("#main")
    ctx.close()


def test_screenshots(site, browser):
    """Desktop and phone screenshots of the main pages, for a person to look at (test-output/screenshots/)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1280, 400):
        ctx = browser.new_context(viewport={"width": width, "height": 900})
        pg = ctx.new_page()
        for name, rel in [("home", "index.html"), ("event", "events/ev_bangkok_kang_kono.html"), ("actor", "actors/kang_kyung_wha.html"),
                          ("statements", "statements.html")]:
            pg.goto((site / rel).as_uri())
            shot = SHOTS / f"{name}-{width}.png"
            pg.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 10_000
        ctx.close()
