"""curation/span_agreement.py: exact and overlap matching, labels and B-cubed on hand-made cases and on the kept reads."""
from __future__ import annotations

import csv
import importlib.util
import io
import subprocess
import sys

from conftest import ROOT
from hypothesis import given, settings
from hypothesis import strategies as st

SPEC = importlib.util.spec_from_file_location("span_agreement", ROOT / "curation" / "span_agreement.py")
sa = importlib.util.module_from_spec(SPEC)
sys.modules["span_agreement"] = sa
SPEC.loader.exec_module(sa)


def _layer(*spans: tuple[str, int, int, str]) -> dict:
    return {(a, s, e): {"actor_id": frozenset({actor}), "mention_type": frozenset({"name"})} for a, s, e, actor in spans}


def test_exact_needs_the_same_offsets_and_overlap_pairs_one_to_one():
    cur = _layer(("art000", 0, 5, "jpn"), ("art000", 10, 15, "kor"), ("art001", 0, 5, "jpn"))
    rd = _layer(("art000", 0, 5, "jpn"), ("art000", 10, 14, "kor"), ("art000", 12, 20, "kor"), ("art002", 0, 5, "jpn"))
    assert sa.exact_pairs(cur, rd) == [(("art000", 0, 5), ("art000", 0, 5))]
    # 10..15 overlaps both 10..14 (4 of 5 characters) and 12..20 (3 of 10): one pair, the larger share; never across articles
    assert sa.overlap_pairs(cur, rd) == [(("art000", 0, 5), ("art000", 0, 5)), (("art000", 10, 15), ("art000", 10, 14))]
    c = sa.counts("actor_mention", cur, rd, "art000")
    assert (c["curators"], c["reader"], c["exact_matched"], c["overlap_matched"], c["actor_id_agreeing"]) == (2, 3, 1, 2, 2)
    m = sa.measures("actor_mention", c)
    assert (m["exact_precision"], m["exact_recall"], m["overlap_precision"], round(m["overlap_recall"], 3)) == (0.5, 1 / 3, 1.0, 0.667)
    assert sa.counts("actor_mention", cur, rd, "art001")["overlap_matched"] == 0  # art001 0..5 has no counterpart in art001


def test_a_nested_pair_stays_together():
    """art001 "Seoul's foreign affairs minister" (405..437) and "Seoul" (405..410) against the reader's "Seoul's" (405..412)."""
    text = sa.source_texts()["art001"]
    assert (text[405:437], text[405:410], text[405:412]) == ("Seoul's foreign affairs minister", "Seoul", "Seoul's")
    cur = _layer(("art001", 405, 437, "kang_kyung_wha"), ("art001", 405, 410, "kor"))
    rd = _layer(("art001", 405, 412, "kor"))
    assert sa.overlap_pairs(cur, rd) == [(("art001", 405, 410), ("art001", 405, 412))]
    assert sa.counts("actor_mention", cur, rd, "art001")["actor_id_agreeing"] == 1


def test_rows_of_one_extent_are_one_span_with_every_value():
    rows = [{"article_id": "art000", "s": "35", "e": "81", "actor_id": "taro_kono"},
            {"article_id": "art000", "s": "35", "e": "81", "actor_id": "kang_kyung_wha"},
            {"article_id": "art000", "s": "", "e": "", "actor_id": "jpn"}]
    assert sa.layer(rows, "s", "e", {"actor_id": "actor_id"}) == {("art000", 35, 81): {"actor_id": frozenset({"taro_kono", "kang_kyung_wha"})}}


def test_the_kept_reads_and_the_frozen_mentions():
    layers, _, problems = sa.load()
    assert problems == []
    cur, rd, scopes = layers["actor_mention"]
    # the curators' plural "The foreign ministers of Japan and South Korea" (two rows) is one span of two actors; the reader skipped it
    assert cur[("art000", 35, 81)]["actor_id"] == {"taro_kono", "kang_kyung_wha"} and ("art000", 35, 81) not in rd
    assert ("art000", 35, 81) not in dict(((s, c) for s, c, _ in scopes))["single-actor spans"]
    assert cur[("art000", 511, 518)]["actor_id"] == rd[("art000", 511, 518)]["actor_id"] == {"taro_kono"}  # "Mr Kono"
    assert len(rd) == 342


def test_bcubed_is_one_for_identical_chains_and_penalises_a_merge():
    same = [(frozenset({"a"}), frozenset({"x"})), (frozenset({"a"}), frozenset({"x"})), (frozenset({"b"}), frozenset({"y"}))]
    assert sa.bcubed_sums(same) == (3.0, 3.0)
    merged = [(frozenset({"a"}), frozenset({"x"})), (frozenset({"a"}), frozenset({"y"}))]  # one chain on A, two on B
    assert sa.bcubed_sums(merged) == (1.0, 2.0)


def test_a_span_that_is_not_its_source_text_is_named():
    texts = {"art000": "BEIJING (KYODO)"}
    rows = [{"article_id": "art000", "t": "KYODO", "s": "9", "e": "14"}, {"article_id": "art000", "t": "Kyodo", "s": "9", "e": "14"}]
    assert sa.span_problems(rows, [("t", "s", "e")], "x.csv", texts) == ["x.csv row 3 field t: 'Kyodo' is not the source's text at 9..14"]


spans = st.lists(st.tuples(st.sampled_from(["art000", "art001"]), st.integers(0, 40), st.integers(1, 12),
                           st.sampled_from(["jpn", "kor", "usa"]), st.sampled_from(["name", "pronoun"])), min_size=1, max_size=25)


def _random_layer(items) -> dict:
    rows = [{"article_id": a, "s": str(s), "e": str(s + n), "actor_id": actor, "mention_type": t} for a, s, n, actor, t in items]
    return sa.layer(rows, "s", "e", {"actor_id": "actor_id", "mention_type": "mention_type"})


def _pooled(cur: dict, rd: dict) -> dict:
    per = [sa.counts("actor_mention", cur, rd, a) for a in ("art000", "art001")]
    return sa.measures("actor_mention", {k: sum(c[k] for c in per) for k in per[0]})


@settings(max_examples=150, deadline=None)
@given(spans)
def test_a_layer_agrees_with_itself(items):
    layer = _random_layer(items)
    m = _pooled(layer, layer)
    for k in ("exact_f1", "overlap_f1", "actor_id_agreement", "mention_type_agreement", "bcubed_precision", "bcubed_recall", "bcubed_f1"):
        assert m[k] == 1.0, k


@settings(max_examples=150, deadline=None)
@given(spans, spans)
def test_swapping_the_sides_swaps_precision_and_recall(a, b):
    x, y = _random_layer(a), _random_layer(b)
    m, w = _pooled(x, y), _pooled(y, x)
    for kind in ("exact", "overlap", "bcubed"):
        assert (m[f"{kind}_precision"], m[f"{kind}_recall"]) == (w[f"{kind}_recall"], w[f"{kind}_precision"])
    assert m["overlap_matched"] >= m["exact_matched"]
    assert m["actor_id_agreeing"] == w["actor_id_agreeing"]


def test_committed_figures_are_a_fresh_run_and_check_passes():
    committed = (ROOT / "curation" / "span_agreement.csv").read_text(encoding="utf-8")
    assert committed == sa.csv_text(sa.figures()), "run: python curation/span_agreement.py --write, then python3 dev.py docs"
    r = subprocess.run([sys.executable, str(ROOT / "curation" / "span_agreement.py"), "--check"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(io.StringIO(committed)))
    for r in rows:
        if r["measure"].endswith(("precision", "recall", "f1", "agreement")) and r["value"]:
            assert 0 <= float(r["value"]) <= 1
            assert r["article"] != "all" or float(r["ci_low"]) <= float(r["ci_high"])
