"""The explorer's pages as built files (no browser): every page exists and links resolve, facts shown as the data says, hostile text escaped."""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import html
import json
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from conftest import read_rows
from hypothesis import given
from hypothesis import strategies as st
from site_release import built_release, read_page

from jpkr_data.publication.site.dates import event_date_label, window_words
from jpkr_data.publication.site.search import matches, norm
from jpkr_data.publication.site.threads import THREADS, threads_of


@pytest.fixture(scope="module")
def release(tmp_path_factory) -> Path:
    return built_release(tmp_path_factory)


@pytest.fixture(scope="module")
def pages(release) -> dict[str, object]:
    site = release / "site"
    return {p.relative_to(site).as_posix(): read_page(p) for p in site.rglob("*.html")}


def _date(s: str) -> dt.date | None:
    return dt.date.fromisoformat(s) if s else None


def test_one_page_per_event_actor_article_agreement(pages):
    for table, key, folder in [("events", "event_id", "events"), ("actors", "actor_id", "actors"), ("articles", "article_id", "articles"),
                               ("agreements", "agreement_id", "agreements")]:
        ids = {r[key] for r in read_rows(table)}
        assert {p[len(folder) + 1:-5] for p in pages if p.startswith(folder + "/")} == ids, table


def test_every_link_resolves_and_nothing_is_fetched_from_elsewhere(release, pages):
    site = release / "site"
    for name, page in pages.items():
        for href in page.links:
            parts = urlsplit(href)
            if parts.scheme in ("http", "https"):
                continue  # a link the reader may follow (licence, homepage); never loaded by the page
            assert not parts.scheme and not href.startswith("//"), (name, href)
            if not parts.path:
                continue
            target = (site / name).parent / unquote(parts.path)
            assert target.resolve().is_file(), (name, href)
            if parts.fragment and target.suffix == ".html" and "=" not in parts.fragment:
                assert parts.fragment in pages[target.resolve().relative_to(site.resolve()).as_posix()].ids, (name, href)
        for src in page.srcs:
            assert not urlsplit(src).scheme and (site / name).parent.joinpath(src).resolve().is_file(), (name, src)
        for tag, attrs in page.elements:
            if tag == "link":
                assert not urlsplit(attrs.get("href", "")).scheme, (name, attrs)


def test_each_event_page_has_its_own_title_description_and_facts(pages):
    mentions = {}
    for m in read_rows("event_mentions"):
        mentions.setdefault(m["event_id"], []).append(m["evidence_text"])
    titles = set()
    for e in read_rows("events"):
        page = pages[f"events/{e['event_id']}.html"]
        assert page.title.startswith(e["title"]) and page.meta["og:title"] == page.title
        assert e["title"] in page.meta["description"] and page.meta["og:description"] == page.meta["description"]
        titles.add(page.title)
        for text in mentions[e["event_id"]]:
            assert " ".join(text.split()) in page.text, (e["event_id"], text)
    assert len(titles) == len(read_rows("events"))


def test_dates_are_shown_as_their_precision_allows(pages):
    expect = {"ev_court_rulings_2018": "by 21 August 2019 (inferred", "ev_bangkok_asean_fmm": "under way on 1 August 2019", "ev_formal_talks_december": "December 2019",
              "ev_assets_frozen": "by 1 August 2019", "ev_pompeo_press_conference": "1 August 2019 (inferred: ‘told a news conference in Bangkok’)",
              "ev_colonial_rule": "1910–1945"}
    for event_id, words in expect.items():
        assert f"Date {words}" in pages[f"events/{event_id}.html"].text, event_id
    for e in read_rows("events"):
        row = {**e, "date_start": _date(e["date_start"]), "date_end": _date(e["date_end"])}
        label = event_date_label(row)
        assert label in pages[f"events/{e['event_id']}.html"].text
        if e["date_precision"] != "day" and e["date_start"]:
            assert e["date_start"] not in label and "-01-01" not in label


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 1, 1)), st.integers(0, 800),
       st.sampled_from(["day", "month", "year", "range", "open_start", "open_end", "unknown", "includes"]), st.booleans(), st.booleans())
def test_window_words_never_invents_precision(start, length, precision, has_start, has_end):
    end = start + dt.timedelta(days=length)
    lo, hi = (start if has_start else None), (end if has_end else None)
    words = window_words(lo, hi, precision)
    assert words and "None" not in words
    if precision == "open_start" and hi:
        assert words.startswith("by ") and str(hi.year) in words
    if precision == "includes" and lo and hi:
        assert words.startswith("under way ")
    if precision == "year" and lo and hi:
        assert re.fullmatch(r"\d{4}(–\d{4})?", words)
    if not lo and not hi:
        assert words == "date unknown"
    assert not re.search(r"\d{4}-\d\d-\d\d", words)


def test_statements_page_lists_every_statement_with_its_words(pages):
    page = pages["statements.html"]
    rows = read_rows("statements")
    assert {r["statement_id"] for r in rows} <= page.ids
    for r in rows:
        assert " ".join(r["text"].split()) in page.text, r["statement_id"]
    assert "Jun Saito" in page.text and "grave ramifications" in page.text
    speakers = {a: attrs for tag, attrs in page.elements if tag == "tr" and (a := attrs.get("id", "")).startswith("st_")}
    for r in rows:
        assert speakers[r["statement_id"]]["data-speaker"] == r["speaker_id"] and speakers[r["statement_id"]]["data-mode"] == r["mode"]


def _index(release: Path) -> list[dict]:
    text = (release / "site" / "static" / "search-index.js").read_text(encoding="utf-8")
    return json.loads(text.split("window.JPKR_INDEX = ", 1)[1].rstrip().rstrip(";"))


def test_search_index_finds_names_outlets_and_quotes(release):
    docs = _index(release)

    def found(q):
        return {d["u"] for d in docs if matches(d["n"], q)}
    assert "events/ev_bangkok_kang_kono.html" in found("Kang Kono") and "events/ev_bangkok_kang_kono.html" in found("kono KANG")
    reuters = {f"articles/{a['article_id']}.html" for a in read_rows("articles") if a["wire_agency_id"] == "reuters"}
    assert reuters and reuters <= found("Reuters")
    saito = {f"statements.html#id={s['statement_id']}" for s in read_rows("statements") if "tense moment" in s["text"]}
    assert saito and saito <= found('"tense moment"') and saito <= found("moment tense")
    assert not found('"moment tense"') and not found("Kang Kono zzzz")
    aliases = [a for a in read_rows("actor_aliases") if a["alias_type"] == "metonym"]
    for a in aliases:
        assert f"actors/{a['actor_id']}.html" in found(a["alias"]), a


@given(st.lists(st.text(alphabet="abcdeéèüöçñ ÀÉ", min_size=1, max_size=8), min_size=1, max_size=5))
def test_search_is_case_and_accent_insensitive_and_order_free(words):
    text = " ".join(words)
    doc = norm(text)
    plain = "".join(c for c in text.upper() if c.isalpha() or c == " ")
    query = " ".join(reversed(plain.split()))
    if query.strip():
        folded = query.translate(str.maketrans("ÉÈÜÖÇÑÀ", "EEUOCNA"))
        assert matches(doc, query) and matches(doc, folded)


def test_threads_follow_the_documented_rule(release):
    events = read_rows("events")
    parents = {e["event_id"]: e for e in events}
    index = read_page(release / "site" / "index.html")
    shown = {a["data-event"]: set(a["data-threads"].split()) for tag, a in index.elements if tag == "li" and "data-event" in a}
    for e in events:
        contexts = set(e["plover_contexts"].split(";"))
        want = {k for k, r in THREADS.items() if contexts & r["contexts"] or e["event_type"] in r["event_types"]}
        if not want and e["parent_event_id"]:
            want = set(threads_of(parents[e["parent_event_id"]]))
        assert shown[e["event_id"]] == (want or {"other"}), e["event_id"]
    assert {t for v in shown.values() for t in v} == set(THREADS) | {"other"}


def test_timeline_draws_each_event_by_its_precision(release):
    svg = (release / "site" / "index.html").read_text(encoding="utf-8")
    for e in read_rows("events"):
        eid = e["event_id"]
        assert f'id="tl-{eid}"' in svg and f'href="events/{eid}.html"' in svg, eid
        has_span = f'id="tl-{eid}-span"' in svg
        assert has_span == (e["date_precision"] not in ("day", "open_start", "open_end") and bool(e["date_start"] and e["date_end"])), eid
        label = re.search(rf'<g id="tl-{eid}-label"[^>]*>(.*?)</g>', svg, re.S).group(1)
        without_title = re.sub(r"<title>.*?</title>", "", label, flags=re.S)
        words = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", without_title)).split())
        assert words == " ".join(e["title"].split()), (eid, words)  # wrapped at word boundaries, never cut


def test_network_links_every_actor_and_weights_edges(release, con):
    svg = (release / "site" / "index.html").read_text(encoding="utf-8")
    dyads = con.execute("SELECT DISTINCT source_actor_id, target_actor_id, unnest(event_ids) FROM dyads").fetchall()
    pairs: dict[tuple, set] = {}
    for a, b, ev in dyads:
        pairs.setdefault(tuple(sorted((a, b))), set()).add(ev)
    for (a, b), evs in pairs.items():
        m = re.search(rf'<g id="edge-{a}--{b}"[^>]*data-n="(\d+)"', svg)
        assert m and int(m.group(1)) == len(evs), (a, b)
        assert f'href="actors/{a}.html"' in svg and f'href="actors/{b}.html"' in svg


def test_downloads_list_every_release_file_with_its_checksum(release, pages):
    home = (release / "site" / "index.html").read_text(encoding="utf-8")
    rows = re.findall(r'<tr><td><a href="\.\./([^"]+)">[^<]*</a></td><td>[^<]*</td><td class="num">([^<]*)</td><td><code class="hash">([^<]*)</code>', home)
    listed = {path: digest for path, _, digest in rows}
    on_disk = [p for p in release.rglob("*") if p.is_file() and not p.relative_to(release).as_posix().startswith("site/")
               and p.name != ".jpkr-release"]  # the build's marker, written when the release is published
    for p in on_disk:
        rel = p.relative_to(release).as_posix()
        assert rel in listed, rel
        if rel not in ("SHA256SUMS",) and not rel.endswith(".zip"):
            assert listed[rel] == hashlib.sha256(p.read_bytes()).hexdigest(), rel


def test_jsonld_is_a_schema_org_dataset(release, pages):
    pyld = pytest.importorskip("pyld")
    scripts = [body for attrs, body in pages["index.html"].scripts if attrs.get("type") == "application/ld+json"]
    assert len(scripts) == 1
    doc = json.loads(scripts[0])
    assert doc == json.loads((release / "dataset.jsonld").read_text(encoding="utf-8"))
    events = read_rows("events")
    days = [d for e in events for d in (e["date_start"], e["date_end"]) if d]
    assert doc["temporalCoverage"] == f"{min(days)}/{max(days)}"
    assert doc["version"] == json.loads((release / "datapackage.json").read_text(encoding="utf-8"))["version"]
    for d in doc["distribution"]:
        assert (release / d["contentUrl"]).is_file() and d["@type"] == "DataDownload"
        if "sha256" in d:
            assert d["sha256"] == hashlib.sha256((release / d["contentUrl"]).read_bytes()).hexdigest()
    inline = {**doc, "@context": {"@vocab": "https://schema.org/"}}
    expanded = pyld.jsonld.expand(inline)
    assert expanded[0]["@type"] == ["https://schema.org/Dataset"]
    for key in ("name", "description", "version", "license", "creator", "temporalCoverage", "spatialCoverage", "keywords", "distribution"):
        assert f"https://schema.org/{key}" in expanded[0], key
    kinds = [x["@type"] for x in expanded[0]["https://schema.org/distribution"]]
    assert kinds == [["https://schema.org/DataDownload"]] * len(doc["distribution"])


def test_hostile_text_is_escaped_everywhere(package_copy, tmp_path):
    """A package is data: markup in a title, an alias or a quote reaches the pages as text, never as markup or script."""
    from jpkr_data.publication.release import build_release

    attack = '</script><script>alert(1)</script><img src=x onerror=alert(2)>"\'&'
    path = package_copy / "data" / "events.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    header = rows[0]
    rows[1][header.index("title")] = "Colonial rule " + attack
    rows[1][header.index("notes")] = attack
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    for table, key, column in (("actors", "jpn", "name"), ("claims", None, "value")):  # an actor's name (network, pages, index), a claim
        p = package_copy / "data" / f"{table}.csv"
        with p.open(encoding="utf-8", newline="") as fh:
            trows = list(csv.reader(fh))
        target = next(i for i, r in enumerate(trows) if i and (key is None or r[0] == key))
        trows[target][trows[0].index(column)] = "X " + attack
        with p.open("w", encoding="utf-8", newline="") as fh:
            csv.writer(fh, lineterminator="\n").writerows(trows)
    d = json.loads((package_copy / "datapackage.json").read_text(encoding="utf-8"))
    d["description"] = d["description"] + " " + attack
    (package_copy / "datapackage.json").write_text(json.dumps(d, ensure_ascii=False, indent=2), encoding="utf-8")
    out = build_release(tmp_path / "rel", package_copy)
    for p in (out / "site").rglob("*"):
        if p.is_file():
            text = p.read_text(encoding="utf-8")
            assert "<script>alert" not in text and "<img src=x" not in text, p
    page = read_page(out / "site" / "events" / f"{rows[1][0]}.html")
    assert attack in page.text and attack in page.title
    home = read_page(out / "site" / "index.html")
    ld = [body for attrs, body in home.scripts if attrs.get("type") == "application/ld+json"][0]
    assert attack in json.loads(ld)["description"]
    assert sum(1 for tag, _ in home.elements if tag == "script") == 3
    assert "X " + attack in read_page(out / "site" / "actors" / "jpn.html").title
    assert "X " + attack in home.text  # in the network's label, as text
    assert "X " + attack in read_page(out / "site" / "disagreements.html").text  # Japan asserts a side of a conflict


@pytest.mark.parametrize("bad_id", ["../../escaped", "Kang_Kyung_wha", "a/b", "con.html", "x" * 101, "", "ev_ok\n", "évé"])
def test_page_ids_must_be_safe_file_names(bad_id):
    from jpkr_data.publication.site.builder import SiteError, check_page_ids
    from jpkr_data.publication.site.model import SiteModel

    model = SiteModel(title="t", description="d", version="1", license={}, events={"ev_fine": {}}, actors={bad_id: {}})
    with pytest.raises(SiteError, match="data/actors.csv: field actor_id"):
        check_page_ids(model)
    check_page_ids(SiteModel(title="t", description="d", version="1", license={}, events={"ev_fine": {}}, actors={"kang_kyung_wha": {}}))


def test_an_id_that_cannot_name_a_page_is_refused_before_anything_is_written(package_copy, tmp_path):
    """A hostile descriptor may drop the id patterns; the site still never writes outside its folder, nor two pages on one file."""
    import subprocess
    import sys

    bad_id = "../../escaped"
    d = json.loads((package_copy / "datapackage.json").read_text(encoding="utf-8"))
    for res in d["resources"]:
        for f in res["schema"]["fields"]:
            if f["name"] == "actor_id":
                f.get("constraints", {}).pop("pattern", None)
    (package_copy / "datapackage.json").write_text(json.dumps(d, ensure_ascii=False, indent=2), encoding="utf-8")
    for p in sorted((package_copy / "data").glob("*.csv")):
        p.write_text(p.read_text(encoding="utf-8").replace("neil_fullick", bad_id), encoding="utf-8")
    out = tmp_path / "rel"
    r = subprocess.run([sys.executable, "-m", "jpkr_data.cli", "build", "--out", str(out), "--path", str(package_copy)], capture_output=True, text=True)
    assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
    assert "data/actors.csv" in r.stderr and "actor_id" in r.stderr and repr(bad_id) in r.stderr
    assert not out.exists() and not list(tmp_path.glob("**/escaped*")) and sorted(p.name for p in tmp_path.iterdir()) == ["pkg"]


def test_datasheet_page_shows_every_question_of_the_release_datasheet(release, pages):
    """The datasheet is on the site (issue #12): each of its headings and questions appears on the page, raw HTML never passes through."""
    md = (release / "DATASHEET.md").read_text(encoding="utf-8")
    page = pages["datasheet.html"]
    headings = [line.lstrip("#").strip() for line in md.splitlines() if line.startswith("## ")]
    questions = re.findall(r"\*\*([^*]+\?)\*\*", md)
    assert len(headings) >= 7 and len(questions) >= 10
    for words in headings + questions:
        assert " ".join(words.split()) in page.text, words
    assert "datasheet.html" in " ".join(pages["index.html"].links)


def test_weekly_series_on_the_home_page_matches_the_view(release, pages):
    """The home page's weekly Japan-South Korea table is the event_series view's rows (issue #14's worked example)."""
    import duckdb

    con = duckdb.connect()
    con.execute(f"ATTACH '{release / 'jpkr.duckdb'}' AS r (READ_ONLY)")
    rows = con.execute("SELECT period_start, source, target, goldstein_sum FROM r.main.event_series WHERE level = 'state' AND period = 'week' "
                       "AND ((source = 'JPN' AND target = 'KOR') OR (source = 'KOR' AND target = 'JPN')) "
                       "AND period_start BETWEEN DATE '2019-06-01' AND DATE '2019-12-31' ORDER BY 1, 2").fetchall()
    con.close()
    home = (release / "site" / "index.html").read_text(encoding="utf-8")
    section = home[home.index('id="series"'):home.index('id="browse"')]
    shown = re.findall(r"<tr><td>([^<]+)</td><td>([A-Z]{3})</td><td>([A-Z]{3})</td><td class=\"num\">([^<]+)</td>", section)
    assert len(rows) >= 4 and len(shown) == len(rows)
    for (day, src, tgt, total), (label, s2, t2, shown_total) in zip(rows, shown):
        assert (src, tgt) == (s2, t2) and str(day.day) in label and float(shown_total) == pytest.approx(total, abs=0.05)
    assert section.count("<svg") == 1


def test_disagreements_page_shows_conflicts_only_each_side_attributed(pages, con):
    page = pages["disagreements.html"]
    shown = {a["data-claim"] for tag, a in page.elements if tag == "tr" and "data-claim" in a}
    sides = {c for (c,) in con.execute("SELECT a_claim_id FROM disagreements UNION SELECT b_claim_id FROM disagreements").fetchall()}
    assert shown == sides and "cl_001" not in shown  # 55 minutes / about an hour: compatible, not shown
    text = page.text.replace(" ,", ",")
    assert "Japan, as Reuters reports: Japan says" in text  # whether the 1965 accord settled compensation
    assert "ag_1965_accord--outcome" in page.ids and "usa--mediation" not in page.ids  # a possibility is no conflict


def test_wording_variants_are_collapsed_on_event_pages(pages):
    page = pages["events/ev_bangkok_kang_kono.html"]
    assert "duration--" not in page.text and "ev_bangkok_kang_kono--duration" in page.ids
    details = [a for tag, a in page.elements if tag == "details"]
    assert details and all("open" not in a for a in details)
    claims = {a["data-claim"] for tag, a in page.elements if tag == "li" and "data-claim" in a}
    assert {"cl_001", "cl_002", "cl_096", "cl_097", "cl_152"} <= claims  # duration and date wordings, each source's
