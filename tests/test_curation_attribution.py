"""Attribution spans (0.5.0): source, cue and content of every statement, PARC-shaped, checked against the texts (CURATION §4)."""
from __future__ import annotations


def one(con, sql, params=None):
    return con.execute(sql, params or []).fetchall()


SPANS = ("source", "cue", "text")


def spans(con):
    """Every statement's source, cue and content as (id, article, kind, start, end), empty sources left out."""
    rows = one(con, "SELECT statement_id, article_id, source_start, source_end, cue_start, cue_end, char_start, char_end, "
                    "embedded_in_statement_id, part_of_statement_id FROM statements")
    return rows, [(r[0], r[1], kind, r[2 + 2 * i], r[3 + 2 * i]) for r in rows for i, kind in enumerate(SPANS) if r[2 + 2 * i] is not None]


def test_every_statement_has_a_cue_and_a_source_and_they_stay_out_of_its_content(con):
    rows, _ = spans(con)
    assert rows and all(r[4] is not None for r in rows), "every statement has a cue"
    assert all(r[2] is not None for r in rows), "every statement in the five texts has a source mention"
    for sid, _art, ss, se, cs, ce, ts, te, _e, _p in rows:
        pairs = ((ss, se, cs, ce), (ss, se, ts, te), (cs, ce, ts, te))
        assert not any(a < d and c < b for a, b, c, d in pairs), sid


def test_spans_of_two_statements_nest_or_are_disjoint(con):
    _, flat = spans(con)
    for i, (s1, a1, k1, b1, e1) in enumerate(flat):
        for s2, a2, k2, b2, e2 in flat[i + 1:]:
            if a1 == a2 and s1 != s2 and b1 < e2 and b2 < e1:
                assert (b1 <= b2 and e2 <= e1) or (b2 <= b1 and e1 <= e2), (s1, k1, s2, k2)


def test_a_cue_inside_another_statements_content_is_embedded_in_it_or_shares_its_frame(con):
    rows, _ = spans(con)
    by_id = {r[0]: r for r in rows}
    for sid, art, _ss, _se, cs, ce, *_rest, _embedded, part in rows:
        holders = [o[0] for o in rows if o[1] == art and o[0] != sid and o[6] <= cs and ce <= o[7]]
        for holder in holders:
            chain, cur = set(), by_id[sid]
            while cur and cur[8]:
                chain.add(cur[8])
                cur = by_id.get(cur[8])
            assert holder in chain or holder == part, (sid, holder)


def test_the_trial_reports_examples_are_fixed(con):
    got = dict((r[0], r[1:]) for r in one(con, "SELECT statement_id, source_text, cue_text, text FROM statements WHERE statement_id IN "
                                              "('st_000_03', 'st_001_06', 'st_001_11', 'st_002_33', 'st_004_05', 'st_002_21')"))
    assert got["st_000_03"][:2] == ("Tokyo", "saying")  # the real cue, not "has railed against"
    assert got["st_001_06"] == ("the ministers", "highlighted", "the importance of their trilateral cooperation")
    assert got["st_001_11"][:2] == ("He", "said")  # the source in the clause before "and said"
    assert got["st_002_33"][:2] == ("Japan", "accusing")
    assert got["st_004_05"] == ("Japan", "reiterated its claim", "security concerns prompted the export restrictions")
    assert got["st_002_21"] == ("Kono", "urged", "to rectify")


def test_nested_attributions_are_their_own_rows(con):
    rows = one(con, "SELECT s.source_text, s.cue_text, s.speaker_id, s.embedded_in_statement_id FROM statements s "
                    "WHERE s.embedded_in_statement_id IS NOT NULL AND s.mode = 'indirect' ORDER BY s.statement_id")
    nested = {(src, cue, who) for src, cue, who, _ in rows}
    # the three the NLP trial named, and the acts of saying reported inside a report
    assert {("Japan", "believes", "jpn"), ("South Koreans", "say", "kor_forced_labourers"), ("I", "said", "kang_kyung_wha"),
            ("she", "urged", "kang_kyung_wha"), ("she", "spoke of", "kang_kyung_wha"), ("Kono", "urged", "taro_kono")} <= nested
    # Suh Hoon's testimony sits inside the lawmaker's report, which is its own statement
    outer = one(con, "SELECT DISTINCT p.speaker_id FROM statements s JOIN statements p ON p.statement_id = s.embedded_in_statement_id "
                     "WHERE s.speaker_id = 'suh_hoon'")
    assert outer == [("lee_eun_jae",)]
