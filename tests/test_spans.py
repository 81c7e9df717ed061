"""Every evidence span equals its source slice; every quoted span in every body is accounted for."""
from __future__ import annotations

import re

import pytest
from conftest import ROOT, read_rows

SPAN_TABLES = [(r["name"], s) for r in __import__("json").loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))["resources"]
               for s in r["schema"].get("jpkr:spans", [])]


def test_every_table_with_evidence_declares_its_spans():
    names = {name for name, _ in SPAN_TABLES}
    assert {"event_mentions", "statements", "claims", "agreements", "event_actors", "quotations", "actor_aliases"} <= names


@pytest.mark.parametrize("table,span", SPAN_TABLES, ids=[f"{t}.{s['start']}" for t, s in SPAN_TABLES])
def test_span_text_equals_source_slice(table, span, texts, descriptor):
    checked = 0
    rows = read_rows(table)
    for i, row in enumerate(rows, start=2):
        if row[span["start"]] == "":
            continue
        start, end = int(row[span["start"]]), int(row[span["end"]])
        if span.get("text_optional") and row[span["text"]] == "":
            assert 0 <= start <= end <= len(texts[row[span["article"]]])
            continue
        assert texts[row[span["article"]]][start:end] == row[span["text"]], f"data/{table}.csv row {i}"
        checked += 1
    # an empty layer is allowed only where the schema allows it: a table with no rows yet, or an optional span column
    fields = next(r for r in descriptor["resources"] if r["name"] == table)["schema"]["fields"]
    required = next(f for f in fields if f["name"] == span["start"]).get("constraints", {}).get("required", False)
    assert checked > 0 or not rows or not required, f"{table}.{span['start']} is required but no row sets it"


def test_body_bounds_cut_off_boilerplate(texts):
    arts = {a["article_id"]: a for a in read_rows("articles")}
    kbs = texts["art004"][int(arts["art004"]["body_start"]):int(arts["art004"]["body_end"])]
    assert kbs.startswith("Anchor: South Korea and Japan held foreign ministerial talks")
    assert "cookies" not in kbs and "Menu Content" not in kbs
    reuters = texts["art002"][int(arts["art002"]["body_start"]):int(arts["art002"]["body_end"])]
    assert "Login" not in reuters and "Mandatory credit" not in reuters


def _content_ranges(article_id: str) -> list[tuple[int, int]]:
    art = next(a for a in read_rows("articles") if a["article_id"] == article_id)
    ranges = [(int(art["body_start"]), int(art["body_end"]))]
    ranges += [(int(s["char_start"]), int(s["char_end"])) for s in read_rows("article_segments")
               if s["article_id"] == article_id and s["text"]]
    return ranges


@pytest.mark.parametrize("table", ["event_mentions", "statements", "claims", "event_actors", "agreements", "actor_aliases", "agreement_events"])
def test_nothing_is_drawn_from_boilerplate(table):
    for i, row in enumerate(read_rows(table), start=2):
        s, e = int(row["char_start"]), int(row["char_end"])
        assert any(a <= s and e <= b for a, b in _content_ranges(row["article_id"])), f"data/{table}.csv row {i}"


QUOTE = re.compile(r'["\u201c\u201d]')


def _quoted_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """An independent pairing: quote marks of any shape, paired in order inside each paragraph."""
    spans = []
    for para in re.finditer(r"[^\n]+", text[start:end]):
        marks = [start + para.start() + m.start() for m in QUOTE.finditer(para.group())]
        assert len(marks) % 2 == 0, f"odd number of quote marks in paragraph {para.group()[:60]!r}"
        spans += [(a + 1, b) for a, b in zip(marks[::2], marks[1::2])]
    return spans


def test_every_quoted_span_is_a_statement_or_a_term(texts):
    quotations = {(q["article_id"], int(q["char_start"]), int(q["char_end"])): q for q in read_rows("quotations")}
    direct = {s["statement_id"]: s for s in read_rows("statements") if s["mode"] == "direct"}
    found = 0
    for art in read_rows("articles"):
        for s, e in _quoted_spans(texts[art["article_id"]], int(art["body_start"]), int(art["body_end"])):
            q = quotations.pop((art["article_id"], s, e), None)
            assert q is not None, f"{art['article_id']} {s}..{e} {texts[art['article_id']][s:e]!r} is not classified"
            if q["quote_kind"] == "statement":
                st = direct.pop(q["statement_id"])
                assert (int(st["char_start"]), int(st["char_end"])) == (s, e)
            else:
                assert q["quote_kind"] == "term" and q["notes"]
            found += 1
    assert not quotations, f"quotation rows that match no pair of marks: {list(quotations)}"
    assert not direct, f"direct statements with no quotation row: {list(direct)}"
    assert found >= 20


def test_mismatched_marks_are_kept_exactly(texts):
    q = next(q for q in read_rows("quotations") if q["text"] == "grave ramifications")
    assert (q["open_mark"], q["close_mark"]) == ('"', "\u201d")
    assert texts["art004"][int(q["char_start"]) - 1] == '"'
