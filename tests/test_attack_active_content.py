"""Attack class 6: generated pages and documents carry no active content from the package.

URLs from the descriptor reach a page or document only when they are http(s) or relative (one filter,
safe_text.safe_url, also the site's `url` Jinja filter); descriptor text reaching Markdown is HTML-escaped."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from conftest import ROOT
from hypothesis import given
from hypothesis import strategies as st

from jpkr_data.publication.codebook import render_codebook
from jpkr_data.publication.jsonld import dataset_jsonld
from jpkr_data.publication.safe_text import md_text, safe_url
from jpkr_data.publication.site.builder import environment
from jpkr_data.schema import load_package

HOSTILE_URLS = ["javascript:alert(document.domain)", "JaVaScRiPt:alert(1)", " javascript:alert(1)", "java\tscript:alert(1)",
                "java\nscript:alert(1)", "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)", "//evil.example/x",
                "\\\\evil\\share", "file:///etc/passwd", "http:alert(1)", "https:/\\evil", "jav&#x61;script:alert(1)",
                "x\" onmouseover=\"alert(1)", "blob:https://a/b", "feed:javascript:alert(1)", "javascript\x00:alert(1)"]
GOOD_URLS = ["https://creativecommons.org/licenses/by/4.0/", "http://example.org/a?b=c#d", "LICENSE-DATA", "docs/licence.html",
             "../LICENSE"]


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_hostile_urls_are_dropped(url):
    assert safe_url(url) == ""


@pytest.mark.parametrize("url", GOOD_URLS)
def test_http_and_relative_urls_pass_unchanged(url):
    assert safe_url(url) == url


@given(st.text(max_size=40))
def test_whatever_passes_the_filter_is_http_or_has_no_scheme(text):
    out = safe_url(text)
    assert out in ("", text)
    if out:
        head = out.split("/", 1)[0]
        assert out.lower().startswith(("http://", "https://")) or (":" not in head and not out.startswith("//"))


def test_report_repro_javascript_licence_is_not_a_link_on_the_home_page():
    env = environment()
    tpl = env.from_string("""<a href="{{ path | url }}">x</a>""")
    assert tpl.render(path="javascript:alert(document.domain)") == '<a href="">x</a>'
    assert 'm.license.get(\'path\', \'\') | url' in (ROOT / "jpkr_data/publication/site/templates/index.html").read_text(encoding="utf-8")


def _hostile_package(tmp_path):
    p = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
    p["licenses"][0]["path"] = "javascript:alert(1)"
    p["homepage"] = "data:text/html,<script>alert(1)</script>"
    p["description"] = "<img src=x onerror=alert(1)> and <script>alert(2)</script>"
    p["resources"][0]["description"] = "<svg onload=alert(3)>"
    p["resources"][0]["schema"]["fields"][0]["description"] = "a | <iframe src=javascript:alert(4)>"
    (tmp_path / "datapackage.json").write_text(json.dumps(p), encoding="utf-8")
    for folder in ("data", "sql"):
        (tmp_path / folder).symlink_to(ROOT / folder)
    return load_package(tmp_path / "datapackage.json")


def test_jsonld_carries_no_script_url(tmp_path):
    pkg = _hostile_package(tmp_path)
    events = [{"date_start": dt.date(2019, 1, 1), "date_end": dt.date(2019, 12, 31), "date_precision": "day"}]
    doc = dataset_jsonld(pkg, {}, events, ["JPN", "KOR"], site_url="javascript:alert(1)//")
    text = json.dumps(doc)
    assert "javascript:" not in text and "data:text/html" not in text


def test_codebook_escapes_markup_from_the_descriptor(tmp_path):
    text = render_codebook(_hostile_package(tmp_path), {})
    for raw in ("<img", "<script", "<svg", "<iframe"):
        assert raw not in text
    assert "&lt;script>" in text


def test_markdown_text_is_one_inert_line():
    assert md_text("a\n<b>|c -> d") == "a &lt;b>\\|c -> d"


def test_markdown_links_and_images_cannot_form():
    text = md_text("see [here](javascript:alert(1)) and ![x](https://evil/t.png) and <javascript:alert(2)>")
    assert "](" not in text.replace("\\](", "") and "<" not in text
