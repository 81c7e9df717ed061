"""The explorer's pages as built files (no browser): every page exists and links resolve, facts shown as the data says, hostile text escaped."""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import html
import itertools
import json
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from conftest import read_rows
from hypothesis import given
from hypothesis import strategies as st
from site_release import built_release, read_page

from jpkr_data.publication.dates import event_date_label, window_words
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
            if target.name == "disagreements.html" and not (site / "disagreements.html").exists():
                continue  # the disagreements page is written by the claims work (branch `claims`); once merged, its links are checked too
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
       st.sampled_from(["day", "month", "year", "range", "open_start", "open_end", "unknown", "includes", "within"]), st.booleans(), st.booleans())
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
    saito = {f"statements.html#{s['statement_id']}" for s in read_rows("statements") if "tense moment" in s["text"]}
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
    index = read_page(release / "site" / "timeline.html")
    shown = {a["data-event"]: set(a["data-threads"].split()) for tag, a in index.elements if tag == "li" and "data-event" in a}
    for e in events:
        contexts = set(e["plover_contexts"].split(";"))
        want = {k for k, r in THREADS.items() if contexts & r["contexts"] or e["event_type"] in r["event_types"]}
        if not want and e["parent_event_id"]:
            want = set(threads_of(parents[e["parent_event_id"]]))
        assert shown[e["event_id"]] == (want or {"other"}), e["event_id"]
    assert {t for v in shown.values() for t in v} == set(THREADS) | {"other"}


def test_timeline_draws_each_event_by_its_precision(release):
    svg = (release / "site" / "timeline.html").read_text(encoding="utf-8")
    for e, prefix in itertools.product(read_rows("events"), ("tl", "tln")):  # the wide chart and the phone's (titles above their marks)
        eid = e["event_id"]
        assert f'id="{prefix}-{eid}"' in svg and f'href="events/{eid}.html"' in svg, eid
        has_span = f'id="{prefix}-{eid}-span"' in svg
        assert has_span == (e["date_precision"] not in ("day", "open_start", "open_end") and bool(e["date_start"] and e["date_end"])), eid
        label = re.search(rf'<g id="{prefix}-{eid}-label"[^>]*>(.*?)</g>', svg, re.S).group(1)
        without_title = re.sub(r"<title>.*?</title>", "", label, flags=re.S)
        words = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", without_title)).split())
        assert words == " ".join(e["title"].split()), (eid, words)  # wrapped at word boundaries, never cut
        date = re.search(rf'<g id="{prefix}-{eid}-date"[^>]*>(.*?)</g>', svg, re.S)
        if date and e["status"] != "occurred":
            assert e["status"] in date.group(1), (eid, prefix)  # the status in words beside the date, not only by colour


def test_network_links_every_actor_and_weights_edges(release, con):
    svg = (release / "site" / "network.html").read_text(encoding="utf-8")
    dyads = con.execute("SELECT DISTINCT source_actor_id, target_actor_id, unnest(event_ids) FROM dyads").fetchall()
    pairs: dict[tuple, set] = {}
    for a, b, ev in dyads:
        pairs.setdefault(tuple(sorted((a, b))), set()).add(ev)
    for (a, b), evs in pairs.items():
        m = re.search(rf'<g id="edge-{a}--{b}"[^>]*data-n="(\d+)"', svg)
        assert m and int(m.group(1)) == len(evs), (a, b)
        assert f'href="actors/{a}.html"' in svg and f'href="actors/{b}.html"' in svg


def test_downloads_list_every_release_file_with_its_checksum(release, pages):
    home = (release / "site" / "downloads.html").read_text(encoding="utf-8")
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
    assert min(days) == "1910-01-01" and max(days) == "2019-12-31"
    assert doc["temporalCoverage"] == "1910/2019-12"  # colonial rule is known to the year, the December talks to the month: no invented day
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
    assert sum(1 for tag, _ in home.elements if tag == "script") == 2
    assert "X " + attack in read_page(out / "site" / "actors" / "jpn.html").title
    assert "X " + attack in read_page(out / "site" / "network.html").text  # in the network's label, as text
    assert json.loads((out / "site" / "actors" / "jpn.json").read_text(encoding="utf-8"))["record"]["name"] == "X " + attack
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
    """The series page's weekly Japan-South Korea table is the event_series view's rows (issue #14's worked example)."""
    import duckdb

    con = duckdb.connect()
    con.execute(f"ATTACH '{release / 'jpkr.duckdb'}' AS r (READ_ONLY)")
    rows = con.execute("SELECT period_start, source, target, goldstein_sum FROM r.main.event_series WHERE level = 'state' AND period = 'week' "
                       "AND ((source = 'JPN' AND target = 'KOR') OR (source = 'KOR' AND target = 'JPN')) "
                       "AND period_start BETWEEN DATE '2019-06-01' AND DATE '2019-12-31' ORDER BY 1, 2").fetchall()
    con.close()
    section = (release / "site" / "series.html").read_text(encoding="utf-8")
    shown = re.findall(r"<tr><td>([^<]+)</td><td>([A-Z]{3})</td><td>([A-Z]{3})</td><td class=\"num\">([^<]+)</td>", section)
    shown = [r for r in shown if not r[0].startswith("no week")]  # a row without a period (if the view gives one) is shown, not compared here
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
    assert "South Korea, as Kyodo News reports: Seoul, meanwhile" in text  # the export controls' purpose: retaliation, as Seoul says
    assert "ev_jpn_export_controls--purpose" in page.ids and "usa--mediation" not in page.ids  # a possibility is no conflict
    assert "ag_1965_accord--outcome" not in page.ids  # final claims audit R1
    assert "ev_bangkok_japan_briefing--content" not in page.ids  # second claims audit 0.5b R1: two events, no conflict


def test_wording_variants_are_collapsed_on_event_pages(pages):
    page = pages["events/ev_bangkok_kang_kono.html"]
    assert "duration--" not in page.text and "ev_bangkok_kang_kono--duration" in page.ids
    details = [a for tag, a in page.elements if tag == "details"]
    assert details and all("open" not in a for a in details)
    claims = {a["data-claim"] for tag, a in page.elements if tag == "li" and "data-claim" in a}
    assert {"cl_001", "cl_002", "cl_096", "cl_097", "cl_152"} <= claims  # duration and date wordings, each source's


def _cell(value, separator: str | None) -> str:
    """A JSON value as the CSV cell writes it: lists joined by the field's separator, no value as empty, numbers and booleans as text."""
    if value is None:
        return ""
    if isinstance(value, list):
        return (separator or ";").join(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def test_json_api_records_equal_the_tables(release, descriptor):
    """Beside each event, actor, article and agreement page a .json holds its table row exactly, its links, and the index lists them all."""
    site = release / "site"
    index = json.loads((site / "api" / "index.json").read_text(encoding="utf-8"))
    seps = {r["name"]: {f["name"]: f.get("jpkr:separator") for f in r["schema"]["fields"]} for r in descriptor["resources"]}
    listed = {(e["kind"], e["id"]) for e in index["records"]}
    for table, key, folder, kind in [("events", "event_id", "events", "event"), ("actors", "actor_id", "actors", "actor"),
                                     ("articles", "article_id", "articles", "article"), ("agreements", "agreement_id", "agreements", "agreement")]:
        for row in read_rows(table):
            doc = json.loads((site / folder / f"{row[key]}.json").read_text(encoding="utf-8"))
            assert (kind, row[key]) in listed and doc["kind"] == kind and doc["id"] == row[key]
            assert {k: _cell(v, seps[table][k]) for k, v in doc["record"].items()} == row, (table, row[key])
            assert doc["links"] == {"html": f"{folder}/{row[key]}.html", "json": f"{folder}/{row[key]}.json"}  # no site URL: relative to the site root
            assert (site / doc["links"]["html"]).is_file()
    bangkok = json.loads((site / "events" / "ev_bangkok_kang_kono.json").read_text(encoding="utf-8"))
    actors = {a["actor_id"]: a for a in bangkok["related"]["actors"]}
    assert {"kang_kyung_wha", "taro_kono"} <= set(actors) and actors["taro_kono"]["actor"]["json"] == "actors/taro_kono.json"
    mentions = {(m["article_id"], m["evidence_text"]) for m in read_rows("event_mentions") if m["event_id"] == "ev_bangkok_kang_kono"}
    assert {(m["article_id"], m["evidence_text"]) for m in bangkok["related"]["mentions"]} == mentions
    kang = json.loads((site / "actors" / "kang_kyung_wha.json").read_text(encoding="utf-8"))
    said = {s["statement_id"] for s in read_rows("statements") if s["speaker_id"] == "kang_kyung_wha"}
    assert {s["statement_id"] for s in kang["related"]["statements"]} == said and all(s["html"].startswith("statements.html#st_") for s in kang["related"]["statements"])
    assert '<link rel="alternate" type="application/json" href="ev_bangkok_kang_kono.json">' in (site / "events" / "ev_bangkok_kang_kono.html").read_text(encoding="utf-8")


def test_nothing_absolute_is_invented_without_a_site_url(release, pages):
    assert not (release / "site" / "sitemap.xml").exists()
    assert "url:" not in (release / "CITATION.cff").read_text(encoding="utf-8").replace("repository-code:", "")
    for name, page in pages.items():
        assert not any(t == "link" and a.get("rel") == "canonical" for t, a in page.elements), name
        assert "og:url" not in page.meta, name


def test_site_url_gives_canonical_permalinks_a_sitemap_and_a_citation_url(package_copy, tmp_path):
    from jpkr_data.publication.release import build_release
    from jpkr_data.publication.site import SiteError

    url = "https://example.org/jpkr/site"
    out = build_release(tmp_path / "rel", package_copy, site_url=url)
    site = out / "site"
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    for rel in pages:
        page = read_page(site / rel)
        want = url + "/" + ("" if rel == "index.html" else rel)
        assert [a.get("href") for t, a in page.elements if t == "link" and a.get("rel") == "canonical"] == [want], rel
        assert page.meta["og:url"] == want
    locs = re.findall(r"<loc>([^<]+)</loc>", (site / "sitemap.xml").read_text(encoding="utf-8"))
    assert sorted(locs) == sorted(url + "/" + ("" if p == "index.html" else p) for p in pages)
    assert f'url: "{url}/"' in (out / "CITATION.cff").read_text(encoding="utf-8")
    doc = json.loads((site / "events" / "ev_bangkok_kang_kono.json").read_text(encoding="utf-8"))
    assert doc["links"]["html"] == f"{url}/events/ev_bangkok_kang_kono.html"
    assert f"{url}/events/ev_bangkok_kang_kono.html" in read_page(site / "events" / "ev_bangkok_kang_kono.html").text  # the permalink a reporter copies
    assert url in read_page(site / "index.html").text and url in (out / "CODEBOOK.md").read_text(encoding="utf-8")
    for bad in ("javascript:alert(1)", "ftp://example.org/", "https://example.org/?q=1", 'https://example.org/"><script>', "example.org"):
        with pytest.raises(SiteError, match="--site-url"):
            build_release(tmp_path / "bad", package_copy, site_url=bad)
        assert not (tmp_path / "bad").exists()


def test_how_to_cite_names_dataset_version_date_curators_and_outlets(release, pages, descriptor):
    credits = {a["outlet"] or a["wire_agency_id"] or a["outlet_id"] for a in read_rows("articles")}
    names = {a["actor_id"]: a["name"] for a in read_rows("actors")}
    outlets = {names.get(c, c) for c in credits}
    released = dt.date.fromisoformat(descriptor["created"][:10])
    for text in (pages["index.html"].text, (release / "CODEBOOK.md").read_text(encoding="utf-8")):
        section = text[text.index("How to cite"):]
        assert descriptor["title"] in section and f"version {descriptor['version']}" in section and f"released {released.day} {released:%B %Y}" in section
        assert "jpkr-data curators" in section and descriptor["homepage"] in section
        for outlet in outlets:
            assert outlet in section, outlet
    assert "Reuters (1 August 2019, 23 November 2019)" in pages["index.html"].text
    assert "\\u2013" not in (release / "CITATION.cff").read_text(encoding="utf-8")  # readable text, not escapes


def test_front_page_says_what_the_articles_cannot_cover(pages):
    """The gap is computed: no event window has a bound inside it, and the open-start events that may fall in it are named."""
    text = pages["index.html"].text
    assert "No event is dated between 24 August 2019 and 22 November 2019 (nothing at all in September or October)" in text
    events = read_rows("events")
    inside = [e["event_id"] for e in events for d in (e["date_start"], e["date_end"]) if d and "2019-08-24" < d < "2019-11-22"]
    assert inside == []
    maybe = [e for e in events if not e["date_start"] and e["date_end"] > "2019-08-24"]
    assert maybe and all(e["title"] in text for e in maybe)
    assert "Events that none of these articles reports are absent" in text and "from 1910 to December 2019" in text


def test_generated_text_is_no_more_precise_than_the_data(release, pages):
    datasheet = (release / "DATASHEET.md").read_text(encoding="utf-8")
    assert "The span of events runs from\n1910 to December 2019." in datasheet and "1910-01-01" not in datasheet and "2019-12-31" not in datasheet
    year_precise = {e["date_start"] for e in read_rows("events") if e["date_precision"] in ("year", "month")}
    for name, page in pages.items():
        for day in year_precise:  # a window known to the year or month is never printed as its first day
            # (the series page labels weeks by their Monday: "week of 1 July 2019" is a period's first day, not an event's date)
            assert dt.date.fromisoformat(day).strftime("%-d %B %Y") not in page.text or name.startswith(("articles/", "actors/")) or name == "series.html", (name, day)


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 1, 1)), st.sampled_from(["year", "month", "day", "range", "open_start"]))
def test_a_bound_is_said_to_its_precision(day, precision):
    from jpkr_data.publication.dates import bound_iso, bound_words

    words, iso = bound_words(day, precision), bound_iso(day, precision)
    assert str(day.year) in words and iso.startswith(f"{day.year:04d}")
    if precision == "year":
        assert words == str(day.year) and iso == f"{day.year:04d}"
    elif precision == "month":
        assert not re.match(r"\d", words) and len(iso) == 7
    else:
        assert words.startswith(str(day.day) + " ") and iso == day.isoformat()


def test_statements_say_how_they_are_reported_everywhere(pages):
    """Only quoted words stand in quotation marks; a paraphrase says so, an expected statement says 'reported as expected'."""
    rows = read_rows("statements")
    statements_page = (pages["statements.html"])
    expected = [r for r in rows if r["factuality"] == "expected"]
    assert expected
    for r in rows:
        row_html = re.search(rf'<tr id="{r["statement_id"]}"[^>]*>(.*?)</tr>', _raw(pages, "statements.html"), re.S).group(1)
        text = " ".join(html.unescape(r["text"]).split())
        if r["mode"] == "direct":
            assert "<q>" in row_html and "quoted words" in row_html, r["statement_id"]
        else:
            assert "<q>" not in row_html and "paraphrase" in row_html, r["statement_id"]
        assert ("reported as expected" in row_html) == (r["factuality"] == "expected"), r["statement_id"]
        assert text in statements_page.text
    kang = _raw(pages, "actors/kang_kyung_wha.html")
    for r in rows:
        if r["speaker_id"] == "kang_kyung_wha":
            block = re.search(rf'<article class="statement" id="{r["statement_id"]}"(.*?)</article>', kang, re.S).group(1)
            assert ("paraphrase" in block) == (r["mode"] == "indirect") and ("reported as expected" in block) == (r["factuality"] == "expected")


def _raw(pages, name):
    return pages[name].raw


def test_events_show_their_status_in_every_list(pages):
    status = {e["event_id"]: e["status"] for e in read_rows("events")}
    checked = 0
    for name, page in pages.items():
        for m in re.finditer(r'<li[^>]*>(?:(?!</li>).)*?<a href="(?:\.\./)?events/([a-z0-9_]+)\.html">[^<]*</a>(.*?)</li>', page.raw, re.S):
            event_id, rest = m.group(1), m.group(2)
            assert f'class="badge status-{status[event_id]}"' in rest[:400], (name, event_id)
            checked += 1
    assert checked > len(status)


def test_search_knows_spelling_variants_and_puts_claims_last(release):
    docs = _index(release)

    def found(q):
        return [d for d in docs if matches(d["n"], q)]
    for a, b in [("whitelist", "white list"), ("labor", "labour"), ("GSOMIA", "General Security of Military Information Agreement"),
                 ("forced labor", "forced labour"), ("Kōno", "Kono")]:
        assert {d["u"] for d in found(a)} == {d["u"] for d in found(b)} and found(a), (a, b)
    assert len(found("whitelist")) >= 10
    for q in ("Kono", "GSOMIA"):
        hits = found(q)
        assert sum(d["k"] == "claim" for d in hits) * 4 < len(hits), q  # wording differences are a small part, not most of the results
    events = {e["event_id"]: e for e in read_rows("events")}
    said = {r["statement_id"]: r for r in read_rows("statements")}
    for d in docs:
        if d["k"] == "event":
            assert d["b"] == events[d["u"][len("events/"):-len(".html")]]["status"]
        if d["k"] == "statement":
            r = said[d["u"].split("#")[1]]
            wrapped = d["t"].endswith(f": “{r['text']}”")
            assert wrapped == (r["mode"] == "direct") and d["b"].startswith("quoted words" if wrapped else "paraphrase"), d["t"]
            assert ("reported as expected" in d["b"]) == (r["factuality"] == "expected")


def test_readme_cites_as_every_release_does(con):
    """The README's "How to cite" is the generated reference of this version and credits every outlet as the release does."""
    from conftest import ROOT

    from jpkr_data.publication.citation import citation_text, outlet_credits
    from jpkr_data.schema import load_package

    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    section = readme[readme.index("## How to cite"):]
    assert citation_text(load_package(ROOT / "datapackage.json")) in section
    for outlet, days in outlet_credits(con.cursor()):
        assert f"{outlet} ({', '.join(days)})" in section, outlet


@given(st.lists(st.tuples(st.dates(min_value=dt.date(2019, 1, 1), max_value=dt.date(2019, 12, 31)), st.integers(0, 60),
                          st.sampled_from(["day", "range", "open_start", "open_end"])), min_size=1, max_size=12))
def test_coverage_gaps_are_exactly_the_long_stretches_without_a_known_day(spec):
    from jpkr_data.publication.site.coverage import GAP_DAYS, gaps, known_days

    events = []
    for start, length, precision in spec:
        end = min(start + dt.timedelta(days=length), dt.date(2019, 12, 31))
        events.append({"date_start": None if precision == "open_start" else start, "date_end": None if precision == "open_end" else end,
                       "date_precision": precision, "event_id": f"e{len(events)}", "title": "t"})
    days = known_days(events, 2019)
    found = gaps(events, 2019)
    want = [(a, b) for a, b in zip(days, days[1:]) if (b - a).days - 1 > GAP_DAYS]
    assert [(g["before"], g["after"]) for g in found] == want
    for g in found:
        assert not [d for d in days if g["before"] < d < g["after"]]
        assert all(not e["date_start"] and e["date_end"] > g["before"] for e in g["maybe"])
