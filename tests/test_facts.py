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


def test_meeting_duration_is_kept_per_source_and_compatible(con):
    rows = one(con, "SELECT article_id, value, group_verdict FROM claim_variants WHERE subject_id = 'ev_bangkok_kang_kono' "
                    "AND attribute = 'duration' ORDER BY 1")
    assert rows == [("art002", "55 minutes", "compatible"), ("art004", "about an hour", "compatible")]


def test_one_court_ruling_is_a_member_of_the_series_not_a_disagreement(con):
    # Reuters' "a South Korean court ruling last year" is at least one ruling, not the only one (second claims audit F3)
    rows = one(con, "SELECT article_id, comparable, group_verdict FROM claim_variants WHERE subject_id = 'ev_court_rulings_2018' "
                    "AND attribute = 'number_of_rulings' ORDER BY 1")
    assert rows == [("art000", "2.. ruling", "compatible"), ("art001", "2.. ruling", "compatible"), ("art002", "1.. ruling", "compatible")]
    assert one(con, "SELECT count(*) FROM disagreements WHERE subject_id = 'ev_court_rulings_2018'") == [(0,)]


def test_headline_and_body_of_one_article_do_not_disagree_on_summit(con):
    rows = one(con, "SELECT value, group_verdict FROM claim_variants WHERE subject_id = 'ev_formal_talks_december' AND attribute = 'form' ORDER BY value")
    assert rows == [("formal talks", "compatible"), ("summit", "compatible")]  # one article, one voice


def test_gsomia_threats_differ_by_source_and_date(con):
    rows = one(con, "SELECT article_id, published_date, value, group_verdict FROM claim_variants "
                    "WHERE subject_id = 'ag_gsomia' AND attribute = 'threatened_action' ORDER BY published_date, value")
    # what was said is worded as reported speech (second claims audit R2)
    assert ("art000", dt.date(2019, 8, 21), "South Korea suggested it may pull out", "compatible") in rows
    assert ("art002", dt.date(2019, 8, 1), "South Korean officials warned they may reconsider if the feud worsens", "compatible") in rows  # F7: condition kept
    assert rows[-1][0] == "art003"  # the November article reports the lapse it had indicated


def test_low_point_of_relations_is_a_dyad_claim(con):
    rows = one(con, "SELECT article_id, evidence_text FROM claim_variants WHERE subject_table = 'dyads' AND subject_id = 'jpn-kor' "
                    "AND attribute = 'state_of_relations' ORDER BY claim_id")
    assert ("art000", "as relations sink to their lowest point in years") in rows
    assert any(a == "art002" and "since they normalized ties in 1965" in t for a, t in rows)
    assert one(con, "SELECT count(*) FROM disagreements WHERE subject_id = 'jpn-kor'") == [(0,)]  # every wording says relations are bad


def test_us_mediation_is_a_possibility_not_a_disagreement(con):
    # KBS: "Whether Washington will successfully play a mediating role remains to be seen" (second claims audit F1)
    assert one(con, "SELECT count(*) FROM disagreements WHERE subject_id = 'usa'") == [(0,)]
    rows = one(con, "SELECT article_id, comparable, group_verdict FROM claim_variants WHERE subject_id = 'usa' AND attribute = 'mediation' ORDER BY claim_id")
    assert ("art004", "mediation_possible", "compatible") in rows and ("art002", "not_asked_to_mediate", "compatible") in rows


def test_japan_and_seoul_disagree_on_the_purpose_of_the_export_controls(con):
    rows = one(con, "SELECT a_article_id, a_asserted_by, a_value, b_article_id, b_asserted_by, b_value FROM disagreements "
                    "WHERE subject_id = 'ev_jpn_export_controls' AND attribute = 'purpose' ORDER BY a_claim_id, b_claim_id")
    assert len(rows) == 5
    for _, a_who, a_value, _, b_who, b_value in rows:
        seoul, japan = (a_value, b_value) if a_who == "South Korea" else (b_value, a_value)
        assert {a_who, b_who} == {"Japan", "South Korea"} and seoul.startswith("retaliation (as Seoul says")
        assert "security" in japan or "inadequate management" in japan
    # the one conflict (second claims audit 0.5b, R1): Saito's remarks are not KBS's briefing, so no briefing conflict
    assert one(con, "SELECT count(*) FROM disagreements WHERE subject_id <> 'ev_jpn_export_controls'") == [(0,)]


def test_1965_settlement_and_japans_briefing_are_not_conflicts(con):
    verdicts = one(con, "SELECT subject_id, verdict FROM claim_verdicts WHERE subject_id IN ('ag_1965_accord', 'ev_bangkok_japan_briefing', "
                        "'ev_saito_bangkok_remarks') AND attribute IN ('outcome', 'content')")
    assert verdicts == []  # the 1965 group has Japan's claims only; KBS's briefing and Saito's remarks are two events (0.5b R1)
    (title, parent), = one(con, "SELECT title, parent_event_id FROM events WHERE event_id = 'ev_saito_bangkok_remarks'")
    assert "Saito" in title and parent == "ev_bangkok_asean_fmm"
    children = one(con, "SELECT event_id FROM events WHERE parent_event_id = 'ev_saito_bangkok_remarks' ORDER BY 1")
    assert children == [("ev_saito_accuses_ruling",), ("ev_saito_urges_mutual_resolution",)]


def test_warning_of_countermeasures_is_an_act_and_the_countermeasures_are_threatened(con):
    act = one(con, "SELECT status, parent_event_id, cameo_code FROM events WHERE event_id = 'ev_kang_warns_countermeasures'")
    # "Kang said she urged Kono": the act happened, placed at the day's talks by inference (audit of 2026-12-03, consistency)
    assert act == [("occurred", "ev_bangkok_kang_kono", "130")]
    action = one(con, "SELECT status, date_start, date_end FROM events WHERE event_id = 'ev_kor_countermeasures'")
    assert action == [("threatened", dt.date(2019, 8, 1), None)]
    link = one(con, "SELECT relation, basis, evidence_text FROM event_relations WHERE event_id = 'ev_kang_warns_countermeasures'")
    assert link == [("threatens", "stated", "or it would force South Korea to craft countermeasures")]
    about = one(con, "SELECT event_id, basis FROM statement_events WHERE statement_id = "
                     "(SELECT statement_id FROM statements WHERE speaker_id = 'kang_kyung_wha' AND text LIKE 'she urged Kono%craft countermeasures') ORDER BY 1")
    # the report is also about the meeting where she urged (inferred; second audit of 2026-12-03, statements O4)
    assert about == [("ev_bangkok_kang_kono", "inferred"), ("ev_jpn_whitelist_removal", "inferred"), ("ev_kang_warns_countermeasures", "stated"),
                     ("ev_kor_countermeasures", "stated")]
    # the urging itself, nested in her report (0.5.0): said to Kono at the act, embedded in the report's text
    nested = one(con, "SELECT s.source_text, s.cue_text, s.text, s.occasion_event_id, p.text LIKE 'she urged Kono%', a.addressee_id "
                      "FROM statements s JOIN statements p ON p.statement_id = s.embedded_in_statement_id "
                      "JOIN statement_addressees a ON a.statement_id = s.statement_id WHERE s.text LIKE 'to stop that process%'")
    assert nested == [("she", "urged", "to stop that process or it would force South Korea to craft countermeasures",
                       "ev_kang_warns_countermeasures", True, "taro_kono")]
    rel = one(con, "SELECT related_event_id, basis FROM event_relations WHERE event_id = 'ev_kor_countermeasures' AND relation = 'responds_to'")
    assert rel == [("ev_jpn_whitelist_removal", "inferred")]  # "that process" is resolved by the curator


def test_every_gsomia_warning_occurred_and_threatens_its_own_action(con):
    rows = one(con, "SELECT a.event_id, a.status, a.cameo_code, r.relation, t.status FROM event_relations r "
                    "JOIN events a ON a.event_id = r.event_id JOIN events t ON t.event_id = r.related_event_id "
                    "WHERE r.relation IN ('threatens', 'announces') AND list_contains(t.plover_contexts, 'intelligence') ORDER BY 1")
    assert rows == [("ev_gsomia_termination_indicated", "occurred", "1313", "announces", "cancelled"),  # "let it lapse": averted
                    ("ev_kang_warns_security_review", "occurred", "1313", "threatens", "threatened"),  # "no option but to review"
                    ("ev_kor_suggests_gsomia_exit", "occurred", "1313", "threatens", "threatened"),
                    ("ev_kor_warns_gsomia_review", "occurred", "1313", "threatens", "threatened")]


def test_what_each_side_said_about_the_export_controls(con):
    rows = one(con, "SELECT speaker_country, text, said_date_end FROM statements_about WHERE event_id = 'ev_jpn_export_controls'")
    sides = {c for c, _, _ in rows}
    assert {"JPN", "KOR"} <= sides
    assert any(c == "KOR" and "retaliation" in t for c, t, _ in rows)  # art000: Seoul "saying the measures are retaliation"
    assert any(c == "JPN" and "inadequate management of sensitive items" in t for c, t, _ in rows)  # art002, Japan's accusation
    ends = [d for _, _, d in rows]
    assert ends == sorted(ends)  # in the order they were said


def test_statement_said_before_the_trip_is_not_placed_at_the_meeting(con):
    row = one(con, "SELECT occasion_event_id, said_date_end FROM statements WHERE text LIKE 'she will once again actively relay%'")
    assert row == [(None, dt.date(2019, 8, 20))]  # "Before leaving for Beijing on Tuesday"
    about = one(con, "SELECT event_id, link_basis FROM statements_about WHERE text LIKE 'she will once again actively relay%' ORDER BY 1")
    assert about == [("ev_beijing_kang_kono", "inferred"), ("ev_jpn_export_controls", "stated")]


def test_occasions_contain_their_statements(con):
    bad = one(con, "SELECT s.statement_id FROM statements s JOIN events e ON e.event_id = s.occasion_event_id "
                   "WHERE (e.date_start IS NOT NULL AND (s.said_date_start IS NULL OR s.said_date_start < e.date_start)) "
                   "OR (e.date_end IS NOT NULL AND s.said_date_end > e.date_end)")
    assert bad == []
    n = one(con, "SELECT count(*) FROM statements WHERE occasion_event_id IS NOT NULL")[0][0]
    assert n > 40


def test_1965_accord_is_named_neutrally_and_settlement_is_japans_claim(con):
    title = one(con, "SELECT title FROM events WHERE event_id = 'ev_1965_accord'")[0][0]
    name = one(con, "SELECT name FROM agreements WHERE agreement_id = 'ag_1965_accord'")[0][0]
    assert "settl" not in title.lower() and "settl" not in name.lower()
    said = one(con, "SELECT DISTINCT speaker_country FROM statements_about WHERE event_id = 'ev_1965_accord' AND text LIKE '%settled%'")
    assert said == [("JPN",)]


def test_whitelist_removal_decided_is_not_revoked(con):
    rows = dict(one(con, "SELECT agreement_id, status FROM agreements WHERE agreement_type = 'trade_designation'"))
    assert rows == {"ag_jpn_whitelist": "removal_decided", "ag_kor_whitelist": "revoked"}  # "decided to remove" vs "has since taken Japan off"


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
    assert status_on(dt.date(2019, 8, 15)) == [("in_force",)]  # 1 August's warnings were conditional (audit 2026-12-03, R2)
    assert status_on(dt.date(2019, 11, 23)) == [("in_force",)]


def test_every_agreement_effect_value_has_a_status_rule(descriptor):
    res = next(r for r in descriptor["resources"] if r["name"] == "agreement_events")
    effects = next(f for f in res["schema"]["fields"] if f["name"] == "effect")["constraints"]["enum"]
    sql = (ROOT / "sql" / "40_agreement_status.sql").read_text(encoding="utf-8")
    unchanged = sql.split("ELSE NULL")[1].split("\n")[0]
    for effect in effects:
        assert f"WHEN '{effect}' THEN" in sql or effect in unchanged, effect


def test_kang_said_grave_ramifications_at_her_briefing(con):
    rows = one(con, "SELECT speaker_name, speaker_country, mode, occasion_event_id, said_date FROM statements_full WHERE text = 'grave ramifications'")
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
    tl = one(con, "SELECT event_id, placed_date FROM timeline")  # ordered by the one dating rule (event_placement)
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
