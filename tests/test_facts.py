"""Facts from the sources, checked through the tables and the views."""
from __future__ import annotations

import datetime as dt

from conftest import ROOT, read_rows


def one(con, sql, params=None):
    return con.execute(sql, params or []).fetchall()


def test_article_dated_2019_08_01_from_kbs_is_stated(con):
    rows = one(con, "SELECT outlet, published_date_basis, medium FROM articles WHERE article_id = 'art004'")
    assert rows == [("KBS World Radio", "stated", "radio_report")]
    kbs = one(con, "SELECT article_id FROM articles WHERE published_date = DATE '2019-08-01' AND outlet = 'KBS World Radio'")
    assert kbs == [("art004",)]


def test_wire_stories_republished_by_unnamed_sites_say_so(con):
    rows = one(con, "SELECT article_id, wire_agency_id FROM articles WHERE outlet_id IS NULL ORDER BY 1")
    assert rows == [("art000", "kyodo"), ("art002", "reuters"), ("art003", "reuters")]


def test_bangkok_meeting_is_one_event_backed_by_three_articles(con):
    rows = one(con, "SELECT event_id, n_articles, article_ids FROM event_sources WHERE event_id IN "
                    "(SELECT event_id FROM events WHERE event_type = 'meeting' AND date_start = DATE '2019-08-01' AND location = 'Bangkok')")
    assert rows == [("ev_bangkok_kang_kono", 3, ["art000", "art002", "art004"])]


def test_bilateral_meetings_hang_off_their_conferences(con):
    rows = dict(one(con, "SELECT e.event_id, p.event_type FROM events e JOIN events p ON p.event_id = e.parent_event_id WHERE e.event_type = 'meeting'"))
    assert rows["ev_bangkok_kang_kono"] == "conference"
    assert rows["ev_beijing_kang_kono"] == "conference"


def test_meeting_duration_disagreement_is_kept_per_source(con):
    rows = one(con, "SELECT article_id, value FROM disagreements WHERE subject_id = 'ev_bangkok_kang_kono' AND attribute = 'duration' ORDER BY 1")
    assert rows == [("art002", "55 minutes"), ("art004", "about an hour")]


def test_court_rulings_disagreement(con):
    values = {v for (v,) in one(con, "SELECT value FROM disagreements WHERE subject_id = 'ev_court_rulings_2018' AND attribute = 'number_of_rulings'")}
    assert {"a series of decisions", "one ruling"} <= values


def test_headline_and_body_disagree_on_summit(con):
    rows = one(con, "SELECT value FROM disagreements WHERE subject_id = 'ev_formal_talks_december' AND attribute = 'form' ORDER BY value")
    assert rows == [("formal talks",), ("summit",)]


def test_gsomia_threats_differ_by_source_and_date(con):
    rows = one(con, "SELECT d.article_id, d.published_date, d.value FROM disagreements d "
                    "WHERE subject_id = 'ag_gsomia' AND attribute = 'threatened_action' ORDER BY d.published_date, d.value")
    assert ("art000", dt.date(2019, 8, 21), "pull out") in rows and ("art002", dt.date(2019, 8, 1), "reconsider") in rows
    assert rows[-1][0] == "art003"  # the November article reports the lapse it had indicated


def test_low_point_of_relations_is_a_dyad_claim(con):
    rows = one(con, "SELECT article_id, evidence_text FROM disagreements WHERE subject_table = 'dyads' AND subject_id = 'jpn-kor' "
                    "AND attribute = 'state_of_relations' ORDER BY claim_id")
    assert ("art000", "as relations sink to their lowest point in years") in rows
    assert one(con, "SELECT DISTINCT subject_label FROM disagreements WHERE subject_id = 'jpn-kor'") == [("Japan – South Korea",)]
    assert any(a == "art002" and "since they normalized ties in 1965" in t for a, t in rows)


def test_us_mediation_claims_disagree(con):
    rows = dict(one(con, "SELECT article_id, value FROM disagreements WHERE subject_id = 'usa' AND attribute = 'mediation'"))
    assert rows["art002"].startswith("not asked to mediate") and "mediating role" in rows["art004"]


def test_threatened_countermeasures_hang_off_the_bangkok_meeting(con):
    ev = one(con, "SELECT status, parent_event_id, cameo_code FROM events WHERE event_id = 'ev_kor_countermeasures_threatened'")
    assert ev == [("threatened", "ev_bangkok_kang_kono", "130")]
    said = one(con, "SELECT speaker_id, addressee_id FROM statements WHERE event_id = 'ev_kor_countermeasures_threatened'")
    assert said == [("kang_kyung_wha", "taro_kono")]
    rel = one(con, "SELECT relation, basis FROM event_relations WHERE event_id = 'ev_kor_countermeasures_threatened'")
    assert rel == [("responds_to", "inferred")]  # "that process" is resolved by the curator


def test_relative_dates_are_resolved_and_marked(con):
    kono = one(con, "SELECT date_start, date_basis FROM events WHERE event_id = 'ev_kono_remarks_aug20'")
    assert kono == [(dt.date(2019, 8, 20), "inferred")]  # "the previous day" before Wednesday Aug 21
    window = one(con, "SELECT date_start, date_end, date_precision FROM events WHERE event_id = 'ev_kor_whitelist_removal'")
    assert window == [(dt.date(2019, 8, 2), dt.date(2019, 8, 21), "range")]  # "has since"


def test_status_is_as_reported_at_the_time(con):
    rows = dict(one(con, "SELECT article_id, reported_status FROM event_mentions WHERE event_id = 'ev_jpn_whitelist_removal'"))
    assert rows["art000"] == "occurred" and rows["art002"] == "expected" and rows["art004"] == "expected"


def test_gsomia_status_over_time(con):
    def status_on(day):
        return one(con, "SELECT status FROM agreement_status WHERE agreement_id = 'ag_gsomia' AND effective_date <= ? "
                        "AND (valid_until IS NULL OR ? < valid_until)", [day, day])
    assert status_on(dt.date(2017, 1, 1)) == [("in_force",)]
    assert status_on(dt.date(2019, 9, 1)) == [("under_review",)]
    assert status_on(dt.date(2019, 11, 23)) == [("in_force",)]


def test_every_agreement_effect_value_has_a_status_rule(descriptor):
    res = next(r for r in descriptor["resources"] if r["name"] == "agreement_events")
    effects = next(f for f in res["schema"]["fields"] if f["name"] == "effect")["constraints"]["enum"]
    sql = (ROOT / "sql" / "40_agreement_status.sql").read_text(encoding="utf-8")
    unchanged = sql.split("ELSE NULL")[1].split("\n")[0]
    for effect in effects:
        assert f"WHEN '{effect}' THEN" in sql or effect in unchanged, effect


def test_kang_said_grave_ramifications_at_her_briefing(con):
    rows = one(con, "SELECT speaker_name, speaker_country, mode, event_id, said_date FROM statements_full WHERE text = 'grave ramifications'")
    assert rows == [("Kang Kyung-wha", "KOR", "direct", "ev_bangkok_kang_briefing", dt.date(2019, 8, 1))]


def test_relayed_statement(con):
    rows = one(con, "SELECT speaker_id, relayed_by_id FROM statements WHERE text = 'practical benefits and symbolic meanings'")
    assert rows == [("suh_hoon", "lee_eun_jae")]


def test_unnamed_official_is_one_actor(con):
    rows = one(con, "SELECT count(*) FROM actor_aliases WHERE actor_id = 'us_senior_official_002'")
    assert rows[0][0] >= 3
    assert one(con, "SELECT n_statements FROM actor_activity WHERE actor_id = 'us_senior_official_002'")[0][0] >= 5


def test_who_met_whom(con):
    rows = one(con, "SELECT n_events, event_ids FROM dyads WHERE source_actor_id = 'kang_kyung_wha' AND target_actor_id = 'taro_kono' AND event_type = 'meeting'")
    assert rows == [(3, ["ev_bangkok_kang_kono", "ev_bangkok_trilateral_us", "ev_beijing_kang_kono"])]
    us = one(con, "SELECT plover_type FROM dyads WHERE source_actor_id = 'usa' AND target_actor_id = 'kor' AND dyad_kind = 'directed' ORDER BY 1")
    assert ("SUPPORT",) in us


def test_actor_activity_spans_all_five_articles(con):
    rows = one(con, "SELECT n_articles, first_appearance, last_appearance FROM actor_activity WHERE actor_id = 'kang_kyung_wha'")
    assert rows == [(5, dt.date(2019, 8, 1), dt.date(2019, 11, 23))]


def test_article_contributions_match_the_csvs(con):
    stm = read_rows("statements")
    rows = dict(one(con, "SELECT article_id, n_statements FROM article_contributions"))
    for art, n in rows.items():
        assert n == sum(1 for s in stm if s["article_id"] == art)
    assert max(rows, key=rows.get) == "art002"


def test_timeline_is_in_date_order_and_complete(con, rows):
    tl = one(con, "SELECT event_id, coalesce(date_start, date_end) FROM timeline")
    assert len(tl) == len(rows("events"))
    days = [d for _, d in tl if d is not None]
    assert days == sorted(days)
    assert tl[0][0] == "ev_colonial_rule"


def test_nothing_said_after_its_article(con):
    assert one(con, "SELECT count(*) FROM statements s JOIN articles a USING (article_id) WHERE s.said_date_start > a.published_date") == [(0,)]
    assert one(con, "SELECT count(*) FROM event_mentions m JOIN events e USING (event_id) JOIN articles a USING (article_id) "
                    "WHERE m.reported_status = 'occurred' AND e.date_start > a.published_date") == [(0,)]


def test_every_event_has_a_cameo_code_or_is_a_deadline(con):
    assert one(con, "SELECT event_id FROM events WHERE cameo_code IS NULL AND event_type <> 'deadline'") == []
