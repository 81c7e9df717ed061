"""DATASHEET.md: every Gebru et al. section answered, every number from the data, the template inert and inside the package."""
from __future__ import annotations

import re
import shutil

import pytest
from built_release import built_release
from conftest import ROOT, read_rows

from jpkr_data.publication.datasheet import DatasheetError, render, render_datasheet, template_path
from jpkr_data.schema import load_package

SECTIONS = ["Motivation", "Composition", "Collection and curation process", "Preprocessing, cleaning, labelling", "Uses",
            "Known limitations and biases", "Distribution and licences", "Maintenance"]


@pytest.fixture(scope="module")
def sheet(con) -> str:
    cur = con.cursor()
    return render_datasheet(load_package(ROOT / "datapackage.json"), cur)


def test_every_section_is_there_and_answers_questions(sheet):
    headings = re.findall(r"^## (.+)$", sheet, re.M)
    assert headings == SECTIONS
    for part in sheet.split("\n## ")[1:]:
        body = part.split("\n", 1)[1]
        assert len(body.split()) > 40, part[:40]  # an answer, not a heading
    assert "{{" not in sheet and "}}" not in sheet


def test_numbers_come_from_the_data(sheet):
    for name in ("articles", "events", "statements", "claims", "actor_aliases", "cameo_codes"):
        assert f"| `{name}` | {len(read_rows(name))} |" in sheet
    statements = read_rows("statements")
    direct = sum(s["mode"] == "direct" for s in statements)
    assert f"{len(statements)} statements ({direct} direct, {len(statements) - direct}" in re.sub(r"\s+", " ", sheet)
    articles = read_rows("articles")
    for a in articles:
        assert re.search(rf"^\| {a['article_id']} \|.*\| {a['published_date']} \| {a['published_date_basis']} \| {a['source_chars']} \|", sheet, re.M)
    chars = sum(int(a["source_chars"]) for a in articles)
    assert f"({chars:,} characters in all)" in sheet
    assert "English (`en`)" in sheet and {a["language"] for a in articles} == {"en"}
    not_stated = sum(e["date_basis"] != "stated" for e in read_rows("events"))
    assert re.search(rf"\b{not_stated} have dates that are not stated", re.sub(r"\s+", " ", sheet))


def test_counts_follow_the_data(package_copy, con, tmp_path):
    """Remove a claim in a copy: the datasheet built from the copy says one claim fewer."""
    import jpkr_data

    claims = (package_copy / "data" / "claims.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in claims if not line.startswith("cl_157,")]  # a claim alone in its group: no verdict goes stale
    (package_copy / "data" / "claims.csv").write_text("".join(kept), encoding="utf-8")
    c = jpkr_data.connect(package_copy)
    text = render_datasheet(load_package(package_copy / "datapackage.json"), c)
    assert f"| `claims` | {len(read_rows('claims')) - 1} |" in text


def test_release_carries_the_datasheet(sheet):
    assert (built_release() / "DATASHEET.md").read_text(encoding="utf-8") == sheet


def test_template_is_inert_and_strict():
    assert render("a {{ x }} b {{y}}", {"x": "1", "y": "2"}) == "a 1 b 2"
    with pytest.raises(DatasheetError, match=r"line 2: no value named 'nope'"):
        render("ok\n{{ nope }}", {})
    code = "{{ __import__('os').system('touch /tmp/pwned') }} {% for x in y %}{{ x.__class__ }}{% endfor %}"
    assert render(code, {"x": "1"}) == code  # nothing that is not a plain name is touched, nothing runs


def test_template_outside_the_package_is_not_read(package_copy, tmp_path):
    secret = tmp_path / "secret.md"
    secret.write_text("SECRET {{ version }}", encoding="utf-8")
    (package_copy / "DATASHEET.md").symlink_to(secret)
    pkg = load_package(package_copy / "datapackage.json")
    assert template_path(pkg) == ROOT / "DATASHEET.md"  # the link is refused, the shipped template is used
    (package_copy / "DATASHEET.md").unlink()
    shutil.copyfile(ROOT / "DATASHEET.md", package_copy / "DATASHEET.md")
    assert template_path(pkg) == package_copy / "DATASHEET.md"
