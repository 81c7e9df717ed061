"""Facts the audit of 2026-12-03 (events) established, checked through the tables and the views (CURATION.md §8)."""
from __future__ import annotations

import datetime as dt

from conftest import read_rows

AUG1 = dt.date(2019, 8, 1)


def q(con, sql, params=None):
    return con.execute(sql, params or []).fetchall()


def test_asean_meeting_window_is_not_narrowed_to_its_one_attested_day(con):
    (row,) = q(con, "SELECT t.date_start, t.date_end, t.date_precision, e.date_span_type FROM timeline t JOIN events e USING (event_id) WHERE event_id = 'ev_bangkok_asean_fmm'")
    start, end, precision, span = row
    assert precision == "includes" and span == "period"  # under way on 1 August; its own first and last days are not given
    assert start <= AUG1 <= end
    ongoing = q(con, "SELECT event_id, date_precision FROM events WHERE status = 'ongoing' AND date_span_type = 'period' ORDER BY 1")
    # the ASEAN meeting (final events audit F6) and "have sprung up": attested under way, no end given
    assert ongoing == [("ev_bangkok_asean_fmm", "includes"), ("ev_boycotts", "includes")]


def test_one_day_periods_are_always_includes(con):
    assert q(con, "SELECT event_id FROM events WHERE date_span_type = 'period' AND date_start = date_end AND date_precision <> 'includes'") == []


def test_security_review_answers_japans_trade_restrictions_by_the_stated_relation(con, texts):
    rows = q(con, "SELECT related_event_id, basis, article_id, char_start, char_end, evidence_text FROM event_relations "
                  "WHERE event_id = 'ev_kor_security_cooperation_review' AND relation = 'responds_to' ORDER BY 1")
    by_target = {r[0]: r for r in rows}
    target, basis, art, a, b, words = by_target["ev_jpn_export_controls"]
    assert basis == "stated" and texts[art][a:b] == words
    assert words.startswith("As Japan cited security reasons for its trade restrictions") and "no option but to review" in words
    assert by_target["ev_jpn_whitelist_removal"][1] == "inferred"
    threat = q(con, "SELECT event_id FROM event_relations WHERE relation = 'threatens' AND related_event_id = 'ev_kor_security_cooperation_review'")
    assert threat == [("ev_kang_warns_security_review",)]


def test_acts_of_saying_with_a_named_target_are_in_the_dyad_views(con):
    directed = set(q(con, "SELECT event_id, source_country, target_country FROM event_dyads_coded WHERE dyad_kind = 'directed'"))
    for fact in [("ev_jpn_refuses_export_talks", "JPN", "KOR"), ("ev_wang_urges_dialogue", "CHN", "JPN"), ("ev_wang_urges_dialogue", "CHN", "KOR"),
                 ("ev_kor_warns_repercussions", "KOR", "JPN"), ("ev_kang_warns_security_review", "KOR", "JPN"),
                 ("ev_kang_warns_grave_ramifications", "KOR", "JPN"), ("ev_wang_urges_free_trade", "CHN", "JPN")]:
        assert fact in directed, fact
    # the 20 August refusal is dated to the day and counted in the Japan -> South Korea series
    (row,) = q(con, "SELECT counted, placed_date FROM event_dyads_coded WHERE event_id = 'ev_jpn_refuses_export_talks' AND target_country = 'KOR'")
    assert row == (True, dt.date(2019, 8, 20))
    in_dyads = {e for (ids,) in q(con, "SELECT event_ids FROM dyads WHERE dyad_kind = 'directed'") for e in ids}
    acts = {e["event_id"] for e in read_rows("events") if e["cameo_code"][:2] in ("02", "10", "11", "12", "13")}
    assert acts <= in_dyads  # every appeal, demand, criticism, refusal and threat has its source and target


def test_south_korean_import_restrictions_are_coded_and_counted_like_japans_white_list_decision(con):
    rows = dict((r[0], r[1:]) for r in q(con, "SELECT event_id, cameo_code, event_type, status FROM events WHERE event_id IN "
                                             "('ev_jpn_whitelist_removal', 'ev_kor_import_restrictions', 'ev_kor_whitelist_removal')"))
    assert set(rows.values()) == {("163", "policy_measure", "occurred")}
    (ids,) = q(con, "SELECT event_ids FROM event_series WHERE level = 'state' AND period = 'month' AND period_start = DATE '2019-08-01' "
                    "AND source = 'KOR' AND target = 'JPN'")[0]
    assert {"ev_kor_import_restrictions", "ev_kor_whitelist_removal"} <= set(ids)
    announced = q(con, "SELECT t.status FROM event_relations r JOIN events t ON t.event_id = r.related_event_id "
                       "WHERE r.event_id = 'ev_kor_import_restrictions' AND r.relation = 'announces'")
    assert announced == [("announced",)]  # no article says the restrictions took effect


def test_tit_for_tat_restrictions_answer_both_japanese_measures_as_candidates(con):
    rows = q(con, "SELECT related_event_id, basis FROM event_relations WHERE event_id = 'ev_kor_import_restrictions_measure' "
                  "AND relation = 'responds_to' ORDER BY 1")
    assert rows == [("ev_jpn_export_controls", "inferred"), ("ev_jpn_whitelist_removal", "inferred")]
    # "Tokyo's decision to tighten trade controls ... the measures": the July controls and the August decision are the
    # two candidates, each inferred (0.5b events audit F1)
    rows = q(con, "SELECT related_event_id, basis FROM event_relations WHERE event_id = 'ev_kor_criticises_export_controls' ORDER BY 1")
    assert rows == [("ev_jpn_export_controls", "inferred"), ("ev_jpn_whitelist_removal", "inferred")]


def test_forced_labour_names_no_coercer(con):
    roles = q(con, "SELECT actor_id, role, evidence_text FROM event_actors WHERE event_id = 'ev_forced_labour' ORDER BY role")
    assert ("jpn_companies", "employer", "the Koreans forced to work for them") in roles
    assert not [r for r in roles if r[1] == "initiator"]


def test_roles_stay_within_what_the_text_says(con):
    assert q(con, "SELECT event_id FROM event_actors WHERE role = 'mediator'") == [("ev_us_mediation",)]
    assert q(con, "SELECT status FROM events WHERE event_id = 'ev_us_mediation'") == [("hypothetical",)]
    assert q(con, "SELECT DISTINCT actor_id FROM event_actors WHERE event_id = 'ev_gsomia_signed_2016' ORDER BY 1") == [("jpn",), ("kor",)]
    assert q(con, "SELECT role FROM agreement_parties WHERE agreement_id = 'ag_gsomia' AND actor_id = 'usa'") == [("promoter",)]
    assert q(con, "SELECT actor_id FROM event_actors WHERE event_id = 'ev_colonial_rule'") == [("jpn",)]
    # "Boycotts of Japanese products": the makers, not the firms ordered to pay compensation (events F4)
    assert q(con, "SELECT actor_id, role, role_basis FROM event_actors WHERE event_id = 'ev_boycotts'") == [("jpn_business", "target", "inferred")]
    assert q(con, "SELECT source_actor_id FROM dyads WHERE source_actor_id = target_actor_id") == []
    assert ("chn", "chn") not in set(q(con, "SELECT source, target FROM dyad_summary WHERE level = 'state'"))


def test_bangkok_understandings_are_concluded_by_acts_of_agreeing_at_the_meeting(con):
    rows = q(con, "SELECT a.agreement_id, e.event_type, e.parent_event_id, e.date_start FROM agreement_events a JOIN events e USING (event_id) "
                  "WHERE a.effect = 'concluded' AND a.agreement_id LIKE 'ag_bangkok%' ORDER BY 1")
    assert rows == [("ag_bangkok_diplomatic_channels", "agreement_action", "ev_bangkok_kang_kono", AUG1),
                    ("ag_bangkok_nk_cooperation", "agreement_action", "ev_bangkok_kang_kono", AUG1)]
    (title,) = q(con, "SELECT title FROM events WHERE event_id = 'ev_bangkok_agree_channels'")[0]
    assert "Japan's account" in title  # art004: Japan "said only that the two sides agreed"


def test_the_dramatic_reversal_is_linked_to_both_candidates(con):
    rows = q(con, "SELECT related_event_id, basis FROM event_relations WHERE event_id = 'ev_kor_hails_breakthrough' ORDER BY 1")
    assert rows == [("ev_agree_formal_talks", "inferred"), ("ev_gsomia_kor_decides_keep", "inferred")]


def test_series_of_rulings_is_not_given_one_rulings_year(con):
    (row,) = q(con, "SELECT date_start, date_end, date_precision, date_span_type FROM events WHERE event_id = 'ev_court_rulings_2018'")
    assert row == (None, dt.date(2019, 8, 21), "open_start", "period")
    # claims audit of 2026-12-03 (0.5), F1: "last year" dates the one ruling art002 reports, not the series
    assert q(con, "SELECT value FROM claims WHERE subject_id = 'ev_court_rulings_2018' AND attribute = 'date'") == []
    assert q(con, "SELECT value FROM claims WHERE subject_id = 'ev_court_ruling_last_year' AND attribute = 'date'") == [("last year",)]


def test_accusation_goes_with_the_july_curbs(con):
    (row,) = q(con, "SELECT date_start, date_end, date_precision FROM events WHERE event_id = 'ev_jpn_accuses_kor_export_management'")
    assert row == (dt.date(2019, 7, 1), dt.date(2019, 7, 31), "month")
    (ids,) = q(con, "SELECT event_ids FROM event_series WHERE level = 'state' AND period = 'month' AND period_start = DATE '2019-07-01' "
                    "AND source = 'JPN' AND target = 'KOR'")[0]
    assert "ev_jpn_accuses_kor_export_management" in ids


def test_averted_expiry_is_titled_as_the_expiry(con):
    assert q(con, "SELECT title, status FROM events WHERE event_id = 'ev_gsomia_expiry_nov'") == [
        ("Expiry of GSOMIA at midnight on 22 November 2019 (averted)", "cancelled")]


def test_urgings_about_an_earlier_event_respond_to_it(con):
    rows = set(q(con, "SELECT event_id, related_event_id, basis FROM event_relations WHERE relation = 'responds_to'"))
    assert {("ev_kono_urges_rectify", "ev_court_ruling_last_year", "stated"), ("ev_jpn_urges_intervention_beijing", "ev_court_rulings_2018", "stated"),
            ("ev_kang_urges_negotiation_beijing", "ev_jpn_export_controls", "stated")} <= rows


def test_boycotts_target_japanese_businesses_through_their_products(con, texts):
    (actor,) = q(con, "SELECT actor_type, country_iso3 FROM actors WHERE actor_id = 'jpn_business'")
    assert actor == ("business_group", "JPN")
    (alias,) = q(con, "SELECT article_id, char_start, char_end, basis FROM actor_aliases WHERE actor_id = 'jpn_business'")
    assert alias[3] == "inferred" and texts[alias[0]][alias[1]:alias[2]] == "Japanese products"
    assert q(con, "SELECT cameo_actor_code FROM actor_codes WHERE actor_id = 'jpn_business'") == [("JPNBUS",)]
    assert "jpn_business" not in {r[0] for r in q(con, "SELECT actor_id FROM event_actors WHERE event_id = 'ev_court_rulings_2018'")}


def test_director_generals_meeting_is_coded_through_its_two_members(con):
    rows = set(q(con, "SELECT source_actor_id, target_actor_id, source_actor_code, target_actor_code FROM event_dyads_coded "
                      "WHERE event_id = 'ev_dg_meeting_aug20' AND dyad_kind = 'mutual'"))
    assert ("kor_director_general_001", "jpn_director_general_001", "KORGOV", "JPNGOV") in rows
    assert ("jpn_director_general_001", "kor_director_general_001", "JPNGOV", "KORGOV") in rows
    bases = q(con, "SELECT role_basis, evidence_text FROM event_actors WHERE event_id = 'ev_dg_meeting_aug20' AND actor_id LIKE '%director_general_001'")
    assert bases == [("inferred", "their director-generals' meeting")] * 2


def test_the_dramatic_reversal_mentions_both_candidates(con):
    rows = q(con, "SELECT event_id FROM event_mentions WHERE article_id = 'art003' AND evidence_text = 'The dramatic reversal' ORDER BY 1")
    assert rows == [("ev_agree_formal_talks",), ("ev_gsomia_kor_decides_keep",)]
    notes = q(con, "SELECT notes FROM event_mentions WHERE article_id = 'art003' AND evidence_text = 'The dramatic reversal'")
    assert all("one of two candidates" in n for (n,) in notes)


# ---------------------------------------------------------------- second audit of 2026-12-03 (0.4), events

def test_director_generals_meeting_pairs_no_side_with_itself(con):
    parts = {r[0] for r in q(con, "SELECT actor_id FROM event_actors WHERE event_id = 'ev_dg_meeting_aug20'")}
    assert parts == {"kor_director_general_001", "jpn_director_general_001"}
    pairs = q(con, "SELECT DISTINCT source_actor_code, target_actor_code FROM event_dyads_coded WHERE event_id = 'ev_dg_meeting_aug20'")
    assert pairs and all(a != b for a, b in pairs)


def test_the_reaffirmation_expected_in_beijing_is_its_own_act(con):
    (row,) = q(con, "SELECT status, event_type, parent_event_id, date_start FROM events WHERE event_id = 'ev_beijing_reaffirm_nk_cooperation'")
    assert row == ("expected", "agreement_action", "ev_beijing_kang_kono", dt.date(2019, 8, 21))
    assert q(con, "SELECT event_id FROM agreement_events WHERE effect = 'reaffirmation_expected'") == [("ev_beijing_reaffirm_nk_cooperation",)]


def test_the_counted_import_decision_answers_japans_measures(con):
    rows = q(con, "SELECT related_event_id, basis, evidence_text FROM event_relations WHERE event_id = 'ev_kor_import_restrictions' AND relation = 'responds_to' ORDER BY 1")
    assert rows == [("ev_jpn_export_controls", "inferred", "The tit-for-tat measures"), ("ev_jpn_whitelist_removal", "inferred", "The tit-for-tat measures")]


def test_undated_acts_of_saying_are_instants(con):
    rows = q(con, "SELECT event_id FROM events WHERE event_id IN ('ev_kor_warns_gsomia_review', 'ev_us_calls_work_out', 'ev_us_pressure_gsomia') "
                  "AND date_span_type <> 'instant'")
    assert rows == []
    assert q(con, "SELECT event_type FROM events WHERE event_id = 'ev_pompeo_says_will_encourage'") == [("diplomatic_action",)]


# ---------------------------------------------------------------- final audit of 2026-12-03 (0.4), events

def test_the_ruling_dated_last_year_is_its_own_event_and_the_series_is_undated(con, texts):
    (row,) = q(con, "SELECT date_start, date_end, date_precision, date_basis, parent_event_id FROM events WHERE event_id = 'ev_court_ruling_last_year'")
    assert row == (dt.date(2018, 1, 1), dt.date(2018, 12, 31), "year", "inferred", "ev_court_rulings_2018")
    (ev,) = q(con, "SELECT char_start, char_end FROM event_mentions WHERE event_id = 'ev_court_ruling_last_year' AND char_start = 3794")
    assert texts["art002"][ev[0]:ev[1]].startswith("a South Korean court ruling last year")
    placed = dict(q(con, "SELECT event_id, placed_date FROM event_placement WHERE event_id IN ('ev_court_rulings_2018', 'ev_court_ruling_last_year')"))
    assert placed == {"ev_court_rulings_2018": None, "ev_court_ruling_last_year": dt.date(2018, 7, 2)}
    august = q(con, "SELECT count(*) FROM event_dyads_coded WHERE event_id = 'ev_court_rulings_2018' AND placed_date IS NOT NULL")
    assert august == [(0,)]  # the series is in no week: only 2018 is a date any text gives a ruling


def test_bilateral_visits_are_coded_from_the_hosts_side(con):
    rows = q(con, "SELECT event_id, cameo_code FROM events WHERE event_id IN ('ev_nagoya_kang_motegi', 'ev_wang_kang_meeting_aug20') ORDER BY 1")
    assert rows == [("ev_nagoya_kang_motegi", "043"), ("ev_wang_kang_meeting_aug20", "043")]
    roles = dict(q(con, "SELECT actor_id, role FROM event_actors WHERE event_id = 'ev_nagoya_kang_motegi'"))
    assert roles == {"toshimitsu_motegi": "host", "kang_kyung_wha": "participant"}


def test_us_appeals_to_the_allies_are_coded_alike(con):
    codes = {r[0] for r in q(con, "SELECT cameo_code FROM events WHERE event_id IN ('ev_us_pressure_gsomia', 'ev_us_calls_work_out', 'ev_us_urges_standstill')")}
    assert codes == {"027"}


def test_children_of_located_events_share_their_place(con):
    rows = q(con, "SELECT c.event_id FROM events c JOIN events p ON p.event_id = c.parent_event_id "
                  "WHERE p.location_country_iso3 IS NOT NULL AND c.location_country_iso3 IS DISTINCT FROM p.location_country_iso3")
    assert rows == []
    (country,) = q(con, "SELECT location_country_iso3 FROM events WHERE event_id = 'ev_us_official_warns_liquidation'")
    assert country == ("USA",)


def test_titles_of_closed_accounts_name_them(con):
    titles = dict(q(con, "SELECT event_id, title FROM events WHERE event_id IN ('ev_suh_hoon_calls_caution', 'ev_wang_urges_dialogue')"))
    assert titles["ev_suh_hoon_calls_caution"].endswith("(Lee Eun-jae's account)")
    assert titles["ev_wang_urges_dialogue"].endswith("(reported)")


def test_forced_labours_window_is_inferred_and_the_asean_meeting_ongoing(con):
    assert q(con, "SELECT date_basis FROM events WHERE event_id = 'ev_forced_labour'") == [("inferred",)]
    assert q(con, "SELECT status FROM events WHERE event_id = 'ev_bangkok_asean_fmm'") == [("ongoing",)]


def test_wang_yi_has_one_role_at_the_trilateral(con):
    assert q(con, "SELECT DISTINCT role FROM event_actors WHERE event_id = 'ev_beijing_trilateral_fmm' AND actor_id = 'wang_yi'") == [("host",)]


def test_resolved_pronouns_are_inferred(con):
    rows = q(con, "SELECT event_id, role_basis FROM event_actors WHERE evidence_text IN ('He urged Seoul and Tokyo', 'accusing its neighbor', "
                  "'she is expected to have continued urging Japan', 'he said') ORDER BY 1")
    assert rows and all(basis == "inferred" for _, basis in rows)


def test_saitos_charge_and_appeal_are_acts(con):
    rows = dict(q(con, "SELECT event_id, cameo_code FROM events WHERE event_id IN ('ev_saito_accuses_ruling', 'ev_saito_urges_mutual_resolution')"))
    assert rows == {"ev_saito_accuses_ruling": "111", "ev_saito_urges_mutual_resolution": "027"}
    assert q(con, "SELECT related_event_id FROM event_relations WHERE event_id = 'ev_saito_accuses_ruling' AND relation = 'responds_to'") == [
        ("ev_court_ruling_last_year",)]
    pairs = q(con, "SELECT DISTINCT source_country, target_country FROM event_dyads_coded WHERE event_id = 'ev_saito_accuses_ruling'")
    assert pairs == [("JPN", "KOR")]


def test_conference_participants_and_the_nullifications_sides(con):
    asean = {r[0] for r in q(con, "SELECT actor_id FROM event_actors WHERE event_id = 'ev_bangkok_asean_fmm' AND role = 'participant'")}
    g20 = {r[0] for r in q(con, "SELECT actor_id FROM event_actors WHERE event_id = 'ev_g20_fmm_nagoya' AND role = 'participant'")}
    assert asean == {"kang_kyung_wha", "taro_kono"} and g20 == {"kang_kyung_wha", "toshimitsu_motegi"}
    sides = dict(q(con, "SELECT role, actor_id FROM event_actors WHERE event_id = 'ev_gsomia_nullification'"))
    assert sides == {"initiator": "kor", "target": "jpn"}


def test_wartime_labour_lies_within_colonial_rule_and_is_not_placed_in_1910(con):
    """0.5 events audit F1: the enclosing period's bounds are not the labour's span, and no view puts it on a day."""
    assert q(con, "SELECT date_start, date_end, date_precision FROM events WHERE event_id = 'ev_forced_labour'") == [
        (dt.date(1910, 1, 1), dt.date(1945, 12, 31), "within")]
    assert q(con, "SELECT placement, placed_date FROM event_placement WHERE event_id = 'ev_forced_labour'") == [(None, None)]


def test_mutual_appeals_target_every_side_the_text_names(con):
    """0.5 events audit F2: "both authorities" and "the three countries" include the speaker's own side."""
    assert set(q(con, "SELECT actor_id FROM event_actors WHERE event_id = 'ev_saito_urges_mutual_resolution' AND role = 'target'")) == {("jpn",), ("kor",)}
    assert set(q(con, "SELECT actor_id FROM event_actors WHERE event_id = 'ev_wang_urges_free_trade' AND role = 'target'")) == {("chn",), ("jpn",), ("kor",)}


def test_missile_tests_of_recent_weeks_are_not_placed_on_a_conventional_first_day(con):
    """0.5b events audit RF1: "in recent weeks" gives the tests no start, so no view puts them in late June."""
    assert q(con, "SELECT date_start, date_end, date_precision, date_span_type FROM events WHERE event_id = 'ev_nk_missile_tests'") == [
        (None, dt.date(2019, 8, 21), "open_start", "period")]
    assert q(con, "SELECT placement, placed_date FROM event_placement WHERE event_id = 'ev_nk_missile_tests'") == [(None, None)]


def test_links_on_inferred_or_candidate_referents_are_inferred(con):
    """0.5b events audit F1, F2, F5: a merge, a candidate and a paraphrase taken as remarks are readings, not statements."""
    rel = dict(q(con, "SELECT event_id || ' ' || related_event_id, basis FROM event_relations WHERE event_id IN "
                      "('ev_kor_criticises_export_controls', 'ev_kang_remarks_nagoya')"))
    assert rel["ev_kor_criticises_export_controls ev_jpn_export_controls"] == "inferred"
    assert rel["ev_kor_criticises_export_controls ev_jpn_whitelist_removal"] == "inferred"
    assert rel["ev_kang_remarks_nagoya ev_motegi_remarks_nagoya"] == "inferred"
    assert q(con, "SELECT role_basis FROM event_actors WHERE event_id = 'ev_bangkok_kang_briefing' AND article_id = 'art002'") == [("inferred",)]


def test_stated_successions_and_roles_the_audit_found_missing(con, texts):
    """0.5b events audit O2-O5: each added row rests on its own words."""
    for table, where in (
        ("event_relations", "event_id = 'ev_jpn_whitelist_removal' AND relation = 'follows' AND related_event_id = 'ev_bangkok_kang_kono'"),
        ("event_relations", "event_id = 'ev_kor_whitelist_removal' AND relation = 'follows' AND related_event_id = 'ev_jpn_whitelist_removal'"),
        ("event_relations", "event_id = 'ev_kor_import_restrictions' AND relation = 'follows' AND related_event_id = 'ev_jpn_whitelist_removal'"),
        ("event_actors", "event_id = 'ev_gsomia_signed_2016' AND actor_id = 'jpn' AND article_id = 'art004'"),
        ("event_actors", "event_id = 'ev_forced_labour' AND actor_id = 'jpn_companies' AND article_id = 'art003'"),
    ):
        basis = "basis" if table == "event_relations" else "role_basis"
        ((b, art, a, z, words),) = q(con, f"SELECT {basis}, article_id, char_start, char_end, evidence_text FROM {table} WHERE {where}")
        assert b == "stated" and texts[art][a:z] == words
    # "tit-for-tat": both Japanese measures are candidates for Seoul's white-list removal too, each inferred
    assert set(q(con, "SELECT related_event_id, basis FROM event_relations WHERE event_id = 'ev_kor_whitelist_removal' AND relation = 'responds_to'")) == {
        ("ev_jpn_whitelist_removal", "inferred"), ("ev_jpn_export_controls", "inferred")}


def test_the_trip_to_beijing_is_in_no_dyad_and_the_liquidation_answers_the_dated_ruling(con):
    """0.5b events audit F7, F6."""
    assert q(con, "SELECT actor_id, role FROM event_actors WHERE event_id = 'ev_kang_departs_beijing'") == [("kang_kyung_wha", "initiator")]
    assert q(con, "SELECT count(*) FROM event_dyads_coded WHERE event_id = 'ev_kang_departs_beijing'") == [(0,)]
    assert q(con, "SELECT related_event_id FROM event_relations WHERE event_id = 'ev_assets_liquidation' AND relation = 'outcome_of'") == [
        ("ev_court_ruling_last_year",)]
