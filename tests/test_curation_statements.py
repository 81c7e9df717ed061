"""Facts the 0.4 curation of statements and actors establishes (audit of 2026-12-03), checked through the tables and views."""
from __future__ import annotations

from conftest import read_rows


def one(con, sql, params=None):
    return con.execute(sql, params or []).fetchall()


def test_wang_yi_urged_both_seoul_and_tokyo(con):
    rows = one(con, "SELECT addressee_id, basis, evidence_text FROM statement_addressees WHERE statement_id = 'st_001_10' ORDER BY 1")
    assert rows == [("jpn", "stated", "He urged Seoul and Tokyo"), ("kor", "stated", "He urged Seoul and Tokyo")]
    full = one(con, "SELECT speaker_id, addressee_ids FROM statements_full WHERE statement_id = 'st_001_10'")
    assert full == [("wang_yi", "jpn;kor")]


def test_every_addressee_is_named_by_words_of_its_statement_paragraph(con):
    rows = one(con, "SELECT a.statement_id, a.article_id = s.article_id FROM statement_addressees a JOIN statements s USING (statement_id)")
    assert rows and all(same for _, same in rows)
    # "the two allies" resolved to both, and said so
    pressed = one(con, "SELECT addressee_id, basis FROM statement_addressees WHERE statement_id = 'st_003_07' ORDER BY 1")
    assert pressed == [("jpn", "inferred"), ("kor", "inferred")]


def test_appeals_with_their_content_are_statements(con):
    # statements O2 and O3: the U.S. pressure over GSOMIA and Japan's arbitration request have their words
    rows = one(con, "SELECT statement_id, speaker_id, text, occasion_event_id FROM statements WHERE statement_id IN ('st_002_34', 'st_003_07') ORDER BY 1")
    assert rows == [("st_002_34", "jpn", "to seek international arbitration to resolve the dispute", "ev_jpn_requests_arbitration"),
                    ("st_003_07", "usa", "to set aside their feud and maintain the pact", "ev_us_pressure_gsomia")]
    assert one(con, "SELECT addressee_ids FROM statements_full WHERE statement_id = 'st_002_34'") == [("kor",)]
    # the U.S. urging the official relays has its words, to both sides
    urged = one(con, "SELECT speaker_id, relayed_by_id, occasion_event_id, addressee_ids FROM statements_full WHERE statement_id = 'st_002_37'")
    assert urged == [("usa", "us_senior_official_002", "ev_us_urges_standstill", "jpn;kor")]


def test_the_labourers_own_account_is_their_statement(con):
    rows = one(con, "SELECT s.speaker_id, s.attribution_text, x.event_id FROM statements s JOIN statement_events x USING (statement_id) "
                    "WHERE s.statement_id = 'st_000_07'")
    assert rows == [("kor_forced_labourers", "South Koreans who say", "ev_forced_labour")]
    about = one(con, "SELECT speaker_id FROM statements_about WHERE event_id = 'ev_forced_labour' AND speaker_id = 'kor_forced_labourers'")
    assert about == [("kor_forced_labourers",)]


def test_the_reporters_sentence_is_not_the_officials_statement(con):
    # statements F1: "The U.S. government is worried ..." is attributed to the U.S. government, in its own sentence
    rows = one(con, "SELECT speaker_id, speaker_basis, attribution_text, occasion_event_id FROM statements WHERE statement_id = 'st_002_03'")
    assert rows == [("usa", "stated", "The U.S. government is worried", None)]


def test_a_bare_said_is_not_narrowed_to_the_articles_day(con):
    # statements F2: "A South Korean ministry official said" gives no day
    rows = one(con, "SELECT statement_id, said_date, said_date_start, CAST(said_date_end AS VARCHAR) FROM statements "
                    "WHERE statement_id IN ('st_002_08', 'st_002_09') ORDER BY 1")
    assert rows == [("st_002_08", None, None, "2019-08-01"), ("st_002_09", None, None, "2019-08-01")]


def test_relayed_positions_name_their_relay(con):
    rows = dict(one(con, "SELECT statement_id, relayed_by_id FROM statements WHERE speaker_id = 'jpn' AND relayed_by_id IS NOT NULL"))
    assert rows == {"st_002_35": "us_senior_official_002", "st_002_36": "kang_kyung_wha", "st_004_10": "kang_kyung_wha"}


def test_about_links_cite_their_words(con):
    assert one(con, "SELECT count(*) FROM statement_events WHERE evidence_text IS NULL") == [(0,)]
    rows = one(con, "SELECT event_id, basis, evidence_text FROM statement_events WHERE statement_id = 'st_000_04' ORDER BY 1")
    assert rows == [("ev_jpn_export_controls", "stated", "Tokyo's decision to tighten trade controls on its neighbour"),
                    ("ev_jpn_whitelist_removal", "inferred", "the measures")]
    assert one(con, "SELECT link_evidence FROM statements_about WHERE statement_id = 'st_000_02' AND event_id = 'ev_forced_labour'") == [("the matter",)]


def test_inferred_aliases_and_roles_carry_basis_and_reasoning():
    aliases = {(r["actor_id"], r["alias"], r["article_id"]): r for r in read_rows("actor_aliases")}
    foe = aliases[("jpn", "the old foe", "art002")]
    assert foe["basis"] == "inferred" and "1910-1945" in foe["reasoning"]
    assert aliases[("us_senior_official_002", "the official", "art002")]["basis"] == "inferred"
    assert all(r["reasoning"].strip() for r in aliases.values() if r["basis"] == "inferred")
    roles = read_rows("actor_roles")
    assert all(r["notes"].strip() for r in roles if r["basis"] == "inferred")
    anchor = [r for r in roles if r["actor_id"] == "kbs_anchor_004"]
    assert [(r["role_title"], r["basis"], r["evidence_text"]) for r in anchor] == [("Anchor, KBS World Radio", "inferred", "Anchor:")]


def test_actor_attributes_say_how_they_were_worked_out():
    actors = {r["actor_id"]: r for r in read_rows("actors")}
    assert all(r["reasoning"].strip() for r in actors.values() if r["country_basis"] in ("inferred", "external") or r["parent_basis"] == "inferred")
    assert {a for a, r in actors.items() if r["country_basis"] == "external"} == {"kyodo", "reuters", "arirang", "kbs_world_radio"}
    assert all(bool(r["parent_actor_id"]) == bool(r["parent_basis"]) for r in actors.values())


def test_unnamed_presenter_two_country_group_and_attitude_have_their_forms():
    actors = {r["actor_id"]: r for r in read_rows("actors")}
    assert actors["kbs_anchor_004"]["actor_type"] == "unnamed_journalist"
    dg = actors["director_generals_001"]
    assert (dg["actor_type"], dg["country_iso3"]) == ("joint_group", "")
    members = {r["member_actor_id"]: r for r in read_rows("actor_members") if r["group_actor_id"] == "director_generals_001"}
    assert {actors[m]["country_iso3"] for m in members} == {"KOR", "JPN"}
    codes = {r["actor_id"]: r["cameo_actor_code"] for r in read_rows("actor_codes")}
    assert "director_generals_001" not in codes
    assert {codes[m] for m in members} == {"KORGOV", "JPNGOV"}
    # an attitude ("domestic opposition toward military cooperation") is no actor
    assert not [r for r in read_rows("actor_aliases") if r["alias"].startswith("domestic opposition")]
    assert "gsomia_domestic_opposition" not in actors


def test_every_unnamed_actor_and_credited_person_has_a_role():
    roles = {r["actor_id"] for r in read_rows("actor_roles")}
    actors = {r["actor_id"]: r for r in read_rows("actors")}
    credited = {r["actor_id"] for r in read_rows("article_credits") if actors[r["actor_id"]]["actor_type"] == "person"}
    unnamed = {a for a, r in actors.items() if r["actor_type"] in ("unnamed_source", "unnamed_journalist", "unnamed_official")}
    assert credited and unnamed and (credited | unnamed) <= roles


def test_aliases_at_their_first_occurrence_and_typed():
    aliases = {(r["actor_id"], r["alias"], r["article_id"]): r for r in read_rows("actor_aliases")}
    assert aliases[("kang_kyung_wha", "Kang", "art004")]["char_start"] == "920"
    assert aliases[("taro_kono", "Kono", "art004")]["char_start"] == "1713"
    assert aliases[("wang_yi", "Minister Wang Yi", "art001")]["alias_type"] == "name"


def test_kbs_headline_is_the_displayed_title_and_the_second_its_caption():
    segs = {r["segment_no"]: r for r in read_rows("article_segments") if r["article_id"] == "art004"}
    assert (segs["3"]["segment_type"], segs["3"]["text"]) == ("headline", "Kang-Kono Meeting Ends Without Results")
    assert segs["5"]["segment_type"] == "caption"


def test_statements_link_to_the_acts_the_events_audit_added(con):
    rows = set(one(con, "SELECT statement_id, event_id, basis FROM statement_events WHERE event_id IN "
                    "('ev_wang_urges_free_trade', 'ev_us_official_criticises_seoul', 'ev_bangkok_agree_channels', 'ev_agree_formal_talks')"))
    assert rows == {("st_001_11", "ev_wang_urges_free_trade", "stated"), ("st_002_26", "ev_us_official_criticises_seoul", "stated"),
                    ("st_002_27", "ev_us_official_criticises_seoul", "inferred"), ("st_002_28", "ev_us_official_criticises_seoul", "inferred"),
                    ("st_002_29", "ev_us_official_criticises_seoul", "inferred"), ("st_004_06", "ev_bangkok_agree_channels", "stated"),
                    ("st_003_01", "ev_agree_formal_talks", "inferred")}
    # "The dramatic reversal" keeps both candidates, each said to be one
    both = one(con, "SELECT event_id, notes FROM statement_events WHERE statement_id = 'st_003_01' ORDER BY 1")
    assert [e for e, _ in both] == ["ev_agree_formal_talks", "ev_gsomia_kor_decides_keep"]
    assert all("One of two candidate referents" in n for _, n in both)
    # the criticism is said at the briefing, and is about the act
    assert one(con, "SELECT occasion_event_id FROM statements WHERE statement_id = 'st_002_26'") == [("ev_us_official_briefing",)]


def test_kang_urged_kono_names_its_addressee_as_kono_urged_kang_does(con):
    rows = one(con, "SELECT statement_id, addressee_id, evidence_text FROM statement_addressees WHERE statement_id IN ('st_002_12', 'st_002_21') ORDER BY 1")
    assert rows == [("st_002_12", "taro_kono", "she urged Kono"), ("st_002_21", "kang_kyung_wha", "Kono urged Kang")]


def test_article_headline_and_date_argument(texts):
    articles = {r["article_id"]: r for r in read_rows("articles")}
    kbs = articles["art004"]
    assert (kbs["headline_start"], kbs["headline_end"]) == ("30", "68")
    assert texts["art004"][30:68] == kbs["headline"]
    reasoning = articles["art003"]["published_date_reasoning"]
    assert "set to expire at midnight on Friday" in reasoning and "August 24" in reasoning
    assert "Motegi" not in reasoning  # a change of minister does not order the articles (actors audit F6)
