"""Where the sources really disagree: claim_pairs, disagreements (conflicts only) and claim_variants (every wording, with a verdict)."""
from __future__ import annotations

import datetime as dt

import duckdb
from conftest import ROOT
from hypothesis import given, settings
from hypothesis import strategies as st


def one(con, sql, params=None):
    return con.execute(sql, params or []).fetchall()


def groups(con, verdict):
    return {(s, a) for s, a in one(con, "SELECT DISTINCT subject_id, attribute FROM claim_variants WHERE group_verdict = ?", [verdict])}


def test_same_dates_in_other_words_are_not_disagreements(con):
    # "On July 4" (Kyodo), "on July fourth" (KBS), "last month" (Reuters); "Thursday", "August 1, 2019", "earlier this month"
    for subject in ("ev_jpn_export_controls", "ev_bangkok_kang_kono", "ev_jpn_whitelist_removal", "ev_gsomia_kor_decides_keep"):
        assert one(con, "SELECT count(*) FROM disagreements WHERE subject_id = ? AND attribute = 'date'", [subject]) == [(0,)], subject
    assert ("ev_jpn_export_controls", "date") in groups(con, "compatible")  # July 4 lies in July
    assert ("ev_gsomia_kor_decides_keep", "date") in groups(con, "same")  # "on Friday" and "a day after" (F3)


def test_export_controls_windows(con):
    rows = one(con, "SELECT article_id, comparable FROM claim_variants WHERE subject_id = 'ev_jpn_export_controls' AND attribute = 'date' ORDER BY 1")
    assert rows == [("art000", "2019-07-04..2019-07-04"), ("art002", "2019-07-01..2019-07-31"), ("art004", "2019-07-04..2019-07-04")]


def test_the_export_controls_purpose_is_a_conflict_of_the_two_governments(con):
    rows = one(con, "SELECT a_claim_id, a_voice, a_asserted_by_id, b_claim_id, b_voice, b_asserted_by_id, why FROM disagreements "
                    "WHERE subject_id = 'ev_jpn_export_controls' AND attribute = 'purpose' AND (a_claim_id = 'cl_041' OR b_claim_id = 'cl_041')")
    assert rows
    for a, a_voice, a_who, b, b_voice, b_who, why in rows:
        assert (a_voice, b_voice) == ("relayed", "relayed") and {a_who, b_who} == {"jpn", "kor"}, (a, b)
        assert "retaliation" in why


def test_the_1965_settlement_is_japans_position_and_no_conflict(con):
    # final claims audit R1: Kang's "a solution ... requires time" is a future about the compensation issue, not about the accord
    assert one(con, "SELECT count(*) FROM disagreements WHERE subject_id = 'ag_1965_accord'") == [(0,)]
    assert one(con, "SELECT DISTINCT asserted_by_id FROM claims WHERE subject_id = 'ag_1965_accord' AND attribute = 'outcome'") == [("jpn",)]
    kang = one(con, "SELECT subject_id, attribute, label, asserted_by_id FROM claims WHERE evidence_text LIKE '%solution to the issue of compensation%'")
    assert kang == [("ev_forced_labour", "expectation", "solution_needs_time", "kang_kyung_wha")]
    notes = one(con, "SELECT notes FROM agreements WHERE agreement_id = 'ag_1965_accord'")[0][0]
    assert "court orders" in notes and "no text states South Korea's side" in notes


def test_hedged_scoped_and_singular_wordings_are_not_conflicts(con):
    # second claims audit F1-F3: a possibility, an outcome about the dispute, a singular reference
    for subject, attribute in (("usa", "mediation"), ("ev_bangkok_kang_kono", "outcome"), ("ev_court_rulings_2018", "number_of_rulings")):
        assert (subject, attribute) in groups(con, "compatible"), subject
        assert one(con, "SELECT count(*) FROM disagreements WHERE subject_id = ? AND attribute = ?", [subject, attribute]) == [(0,)]
    assert one(con, "SELECT label FROM claims WHERE claim_id = 'cl_065'") == [("mediation_possible",)]
    assert one(con, "SELECT range_low, range_high FROM claims WHERE claim_id = 'cl_014'") == [(1, None)]


def test_saitos_remarks_are_not_japans_briefing_and_only_is_read_by_scope(con):
    # second claims audit of 2026-12-03 (0.5b), R1: Reuters' Saito and KBS's briefing are two events; every "only" is read by scope
    subjects = dict(one(con, "SELECT claim_id, subject_id FROM claims WHERE claim_id IN ('cl_047', 'cl_048')"))
    assert subjects == {"cl_047": "ev_bangkok_japan_briefing", "cl_048": "ev_saito_bangkok_remarks"}
    assert one(con, "SELECT count(*) FROM claim_verdicts WHERE subject_id IN ('ev_bangkok_japan_briefing', 'ev_saito_bangkok_remarks')") == [(0,)]
    assert one(con, "SELECT count(*) FROM disagreements WHERE attribute = 'content'") == [(0,)]
    (verdict, why), = one(con, "SELECT verdict, reasoning FROM claim_verdicts WHERE subject_id = 'ev_bangkok_kang_kono' "
                               "AND label_a = 'agreed_nk_cooperation' AND label_b = 'no_result'")
    assert verdict == "compatible" and "scope" in why
    # F1: the evidence runs to "he said", which attributes the violation sentence to Saito
    assert one(con, "SELECT evidence_text FROM claims WHERE claim_id = 'cl_048'")[0][0].endswith("which Kono urged Kang to rectify, he said")


def test_the_ruling_of_last_year_is_not_the_series(con):
    # claims audit of 2026-12-03 (0.5), F1, F3: "last year" and "the court ruling" are the one ruling art002 reports
    rows = one(con, "SELECT claim_id, subject_id FROM claims WHERE claim_id IN ('cl_101', 'cl_193', 'cl_016') ORDER BY 1")
    assert rows == [("cl_016", "ev_court_ruling_last_year"), ("cl_101", "ev_court_ruling_last_year"), ("cl_193", "ev_court_ruling_last_year")]
    assert one(con, "SELECT count(*) FROM claims WHERE subject_id = 'ev_court_rulings_2018' AND value_kind = 'date_window'") == [(0,)]
    assert ("ev_court_rulings_2018", "number_of_rulings") in groups(con, "compatible")  # the count stays the series'


def test_55_minutes_and_about_an_hour_are_compatible(con):
    rows = one(con, "SELECT verdict, verdict_basis, why FROM claim_pairs WHERE claim_a = 'cl_001' AND claim_b = 'cl_002'")
    assert rows == [("compatible", "computed", "the ranges 55..55 minute and 45..75 minute overlap")]
    assert one(con, "SELECT count(*) FROM disagreements WHERE attribute = 'duration'") == [(0,)]


def test_the_conflicts_are_the_real_ones(con):
    assert groups(con, "conflict") == {
        ("ev_jpn_export_controls", "purpose"),  # Japan's security reasons vs Seoul's retaliation
    }
    assert one(con, "SELECT count(*) FROM disagreements WHERE subject_id = 'ag_1965_accord'") == [(0,)]  # final claims audit R1
    sides = one(con, "SELECT DISTINCT a_asserted_by_id, b_asserted_by_id FROM disagreements WHERE attribute = 'purpose'")
    assert all({"kor"} == {a, b} - {"jpn"} for a, b in sides)  # Japan against South Korea, not outlet against outlet


def test_every_group_has_a_verdict_and_nothing_is_lost(con):
    assert one(con, "SELECT count(*) FROM claim_variants WHERE group_verdict IS NULL") == [(0,)]
    assert one(con, "SELECT count(*) FROM claim_variants") == one(con, "SELECT count(*) FROM claims")
    assert one(con, "SELECT count(*) FROM claim_pairs WHERE verdict IS NULL OR why IS NULL") == [(0,)]


def test_one_article_in_one_voice_never_conflicts(con):
    assert one(con, "SELECT count(*) FROM claim_pairs WHERE same_voice AND verdict = 'conflict'") == [(0,)]
    assert one(con, "SELECT count(*) FROM disagreements WHERE a_article_id = b_article_id AND a_asserted_by_id = b_asserted_by_id") == [(0,)]


def test_every_conflict_says_why_and_quotes_both_sides(con, texts):
    rows = one(con, "SELECT why, a_article_id, a_char_start, a_char_end, a_evidence_text, b_article_id, b_char_start, b_char_end, "
                    "b_evidence_text, a_asserted_by, b_asserted_by FROM disagreements")
    assert rows
    for why, a_art, a_s, a_e, a_text, b_art, b_s, b_e, b_text, a_who, b_who in rows:
        assert why and a_who and b_who
        assert texts[a_art][a_s:a_e] == a_text and texts[b_art][b_s:b_e] == b_text


def test_relayed_words_are_attributed(con):
    rows = dict(one(con, "SELECT claim_id, asserted_by_id FROM claims WHERE voice = 'relayed'"))
    assert rows["cl_064"] == "us_senior_official_002"  # F1
    assert rows["cl_007"] == "jpn"  # F2: Japan's briefing, not KBS's outcome
    assert rows["cl_166"] == "kang_kyung_wha"  # M1: KBS's paraphrase of Kang (what she asserts)
    assert rows["cl_148"] == "kor" and rows["cl_086"] == "kor"  # second claims audit F6 and the one voice rule
    assert "cl_133" not in rows  # KBS's name for the labour inside its paraphrase is KBS's, as Kyodo's hedge is Kyodo's
    assert rows["cl_028"] == "jpn"  # M6: inside Tokyo's "saying"


def test_audit_omissions_are_claimed(con):
    def claimed(subject, attribute, words):
        return one(con, "SELECT count(*) FROM claims WHERE subject_id = ? AND attribute = ? AND evidence_text LIKE ?",
                   [subject, attribute, f"%{words}%"])[0][0] == 1
    assert claimed("usa", "mediation", "by themselves")  # Pompeo
    assert claimed("ev_forced_labour", "name", "laborers from the Korean peninsula")  # Motegi
    assert claimed("ev_jpn_whitelist_removal", "expectation", "no need to speculate")  # Saito
    assert claimed("ev_bangkok_kang_kono", "outcome", "virtually no change")  # South Korea's side of the debrief
    assert claimed("jpn-kor", "state_of_relations", "tense moment")
    assert claimed("ev_dg_meeting_aug20", "outcome", "will not resume talks")
    assert claimed("ev_kor_whitelist_removal", "date", "has since")
    # second claims audit omissions
    assert claimed("ev_jpn_export_controls", "purpose", "prompted the export")  # O1
    assert claimed("ev_court_ruling_last_year", "characterisation", "violation of international law")  # O3 (on the one ruling: 0.5 F3)
    assert claimed("ev_bangkok_japan_briefing", "date", "after the talks")  # O5
    assert claimed("ev_kor_hails_breakthrough", "date", "later hailed")  # O6
    assert claimed("usa", "mediation", "allies to \"find a path forward")  # O7 (art004)
    # second claims audit of 2026-12-03 (0.5b) omissions
    assert claimed("ev_kor_whitelist_removal", "characterisation", "tit-for-tat")  # O1, both measures
    assert claimed("ev_kor_import_restrictions", "characterisation", "tit-for-tat")
    assert claimed("ev_gsomia_kor_decides_keep", "outcome", "bought time")  # O2 (Kang)
    assert claimed("ev_gsomia_kor_decides_keep", "characterisation", "welcomed by Washington")  # O3
    assert claimed("ev_beijing_trilateral_press_conference", "content", "free trade and multilateralism")  # O4
    assert claimed("jpn-kor", "state_of_relations", "undermining trust")  # O8
    assert claimed("ev_bangkok_kang_kono", "characterisation", "candid, extensive")  # O9
    assert claimed("ev_bangkok_kang_briefing", "content", "grave ramifications")  # O10
    assert claimed("ev_beijing_kang_kono", "date", "about an hour ago")  # O11
    # claims audit of 2026-12-03 (0.5) omissions
    assert claimed("ag_gsomia", "characterisation", "domestic opposition")  # O1
    assert claimed("ev_bangkok_kang_briefing", "content", "craft countermeasures")  # O2: Reuters' account of the same briefing
    assert claimed("ev_bangkok_kang_kono", "outcome", "recalcitrance")  # O3
    assert claimed("ev_beijing_kang_kono", "outcome", "negative outlook")  # O4
    assert claimed("ev_beijing_kang_kono", "purpose", "handle it appropriately")  # O5, Kono's own words
    assert claimed("ev_nagoya_kang_motegi", "purpose", "discuss the issue frankly")  # O5, Motegi's indirect words
    assert one(con, "SELECT event_id FROM agreement_events WHERE agreement_id = 'ag_1965_accord' AND effect = 'invoked'") == [
        ("ev_jpn_criticises_rulings",)]
    assert one(con, "SELECT actor_id FROM agreement_parties WHERE agreement_id = 'ag_bangkok_nk_cooperation' ORDER BY 1") == [
        ("jpn",), ("kang_kyung_wha",), ("kor",), ("taro_kono",)]


def test_gsomia_is_not_under_review_on_conditional_warnings(con):
    status = one(con, "SELECT status FROM agreement_status WHERE agreement_id = 'ag_gsomia' AND effective_date <= DATE '2019-08-21' "
                      "ORDER BY effective_date DESC, event_id DESC LIMIT 1")
    assert status == [("in_force",)]  # R2: "may reconsider ... if the feud worsens" is a warning, not a review


# The pair rule of claim_pairs, for date windows, against its definition: overlap (an empty bound is open) is
# compatible, no overlap is conflict, equal windows are the same, and one voice never conflicts.
DAY = st.one_of(st.none(), st.dates(min_value=dt.date(2019, 7, 1), max_value=dt.date(2019, 8, 31)))


def _window(a, b):
    return (a, b) if a is None or b is None or a <= b else (b, a)


@settings(max_examples=60, deadline=None)
@given(w1=st.tuples(DAY, DAY).map(lambda t: _window(*t)), w2=st.tuples(DAY, DAY).map(lambda t: _window(*t)), same_article=st.booleans())
def test_date_pair_rule_matches_its_definition(w1, w2, same_article):
    if w1 == (None, None) or w2 == (None, None):
        return  # a window has at least one bound (checked by validation)
    db = duckdb.connect()
    db.execute("CREATE TABLE claims (claim_id VARCHAR, subject_table VARCHAR, subject_id VARCHAR, attribute VARCHAR, value_kind VARCHAR, "
               "date_start DATE, date_end DATE, range_low BIGINT, range_high BIGINT, range_unit VARCHAR, label VARCHAR, "
               "article_id VARCHAR, asserted_by_id VARCHAR)")
    db.execute("CREATE TABLE claim_verdicts (subject_table VARCHAR, subject_id VARCHAR, attribute VARCHAR, label_a VARCHAR, label_b VARCHAR, "
               "verdict VARCHAR, reasoning VARCHAR)")
    for i, (s, e) in enumerate((w1, w2)):
        db.execute("INSERT INTO claims VALUES (?, 'events', 'ev_x', 'date', 'date_window', ?, ?, NULL, NULL, NULL, NULL, ?, NULL)",
                   [f"cl_00{i}", s, e, "art000" if same_article or i == 0 else "art001"])
    db.execute((ROOT / "sql" / "60_claim_pairs.sql").read_text(encoding="utf-8"))
    verdict = db.execute("SELECT verdict FROM claim_pairs").fetchone()[0]
    lo, hi = dt.date.min, dt.date.max
    overlap = (w1[0] or lo) <= (w2[1] or hi) and (w2[0] or lo) <= (w1[1] or hi)
    expected = "same" if w1 == w2 else "compatible" if same_article or overlap else "conflict"
    assert verdict == expected


def test_claims_audit_05_wordings_and_parties(con):
    # claims audit of 2026-12-03 (0.5): values no stronger than their spans, neutral label definitions, parties resolved by inference
    value = dict(one(con, "SELECT claim_id, value FROM claims WHERE claim_id IN ('cl_064', 'cl_199', 'cl_175', 'cl_203')"))
    assert "consider" in value["cl_064"] and value["cl_199"].startswith("some of Seoul's actions")  # F6, F7
    assert all("candidate" in value[c] for c in ("cl_175", "cl_203"))  # F5
    define = dict(one(con, "SELECT label, definition FROM claim_labels"))
    assert "forced" not in define["discuss_compensation"].split() and "accusation" in define["export_management"]  # F2, F12
    assert "hard-won" not in define["valuable"] and one(con, "SELECT label FROM claims WHERE claim_id = 'cl_173'") == [("hard_won",)]  # F11
    bases = one(con, "SELECT DISTINCT role_basis FROM agreement_parties WHERE (agreement_id IN ('ag_1965_accord', 'ag_gsomia') AND role = 'party') "
                     "OR actor_id IN ('taro_kono', 'kang_kyung_wha')")
    assert bases == [("inferred",)]  # F14: "bilateral", "The two countries", "They"
    assert "Japan's account" in one(con, "SELECT name FROM agreements WHERE agreement_id = 'ag_bangkok_diplomatic_channels'")[0][0]  # F16
    assert one(con, "SELECT date_start, date_end FROM claims WHERE claim_id = 'cl_072'") == [(None, dt.date(1945, 9, 2))]  # F4
