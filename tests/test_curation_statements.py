"""Facts the 0.4 curation of statements and actors establishes (audit of 2026-12-03), checked through the tables and views."""
from __future__ import annotations

import re

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
    # first occurrence in the article's content, the headline included ("Kang-Kono Meeting Ends Without Results"; final actors audit, F4)
    assert aliases[("kang_kyung_wha", "Kang", "art004")]["char_start"] == "30"
    assert aliases[("taro_kono", "Kono", "art004")]["char_start"] == "35"
    assert aliases[("kor", "South Korea", "art002")]["char_start"] == "0"
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


def test_kang_reporting_her_urging_has_no_addressee_but_kono_urging_kang_does(con):
    # second audit of 2026-12-03, statements F1: "Kang said she urged Kono" at her briefing is a report to reporters
    rows = one(con, "SELECT statement_id, addressee_id, evidence_text FROM statement_addressees WHERE statement_id IN ('st_002_12', 'st_002_21') ORDER BY 1")
    assert rows == [("st_002_21", "kang_kyung_wha", "Kono urged Kang")]
    assert one(con, "SELECT occasion_event_id, addressee_ids FROM statements_full WHERE statement_id = 'st_002_12'") == [("ev_bangkok_kang_briefing", None)]
    # Kono is the target of the act she reports, and the report is linked to the meeting where she made it
    target = one(con, "SELECT a.actor_id FROM statement_events x JOIN event_actors a USING (event_id) "
                      "WHERE x.statement_id = 'st_002_12' AND a.role = 'target' AND x.event_id = 'ev_kang_warns_countermeasures'")
    assert target == [("taro_kono",)]
    assert one(con, "SELECT basis FROM statement_events WHERE statement_id = 'st_002_12' AND event_id = 'ev_bangkok_kang_kono'") == [("inferred",)]


def test_remarks_taken_as_one_briefing_say_so(con):
    # statements F2: words that do not comment on the talks take their day by being the same remarks as those that do
    rows = one(con, "SELECT statement_id, said_date_basis, said_date_reasoning FROM statements "
                    "WHERE statement_id IN ('st_002_10', 'st_002_11', 'st_002_14', 'st_002_22') ORDER BY 1")
    assert [r[0] for r in rows] == ["st_002_10", "st_002_11", "st_002_14", "st_002_22"]
    for sid, basis, reasoning in rows:
        assert reasoning.startswith("Taken as the same remarks"), sid
        # Kang's briefing is dated by art004; Saito's remarks by his own words on the talks in art002 (second claims audit 0.5b, R1)
        assert (basis, "art004" in reasoning) == (("cross_article", True) if sid == "st_002_14" else ("inferred", False)), sid
    # the stock "day of the Bangkok talks" reasoning is left only on words about the talks or an act placed at them
    stock = one(con, "SELECT s.statement_id, bool_or(x.event_id = 'ev_bangkok_kang_kono' OR e.parent_event_id = 'ev_bangkok_kang_kono') "
                     "FROM statements s LEFT JOIN statement_events x USING (statement_id) LEFT JOIN events e USING (event_id) "
                     "WHERE s.said_date_reasoning LIKE 'Said on the day of the Bangkok talks%' GROUP BY 1 ORDER BY 1")
    assert stock and all(about for _, about in stock), stock


def test_the_expected_restatement_at_beijing_is_both_ministers(con):
    # statements O1: "a point they were expected to reinforce in their talks on Wednesday" (art000)
    # 0.5.0: the text is the object "a point", the cue "were expected to reinforce" is outside it
    rows = one(con, "SELECT statement_id, speaker_id, speaker_basis, factuality, text, cue_text, CAST(said_date AS VARCHAR), occasion_event_id "
                    "FROM statements WHERE statement_id IN ('st_000_08', 'st_000_09') ORDER BY 1")
    assert rows == [("st_000_08", "taro_kono", "inferred", "expected", "a point", "were expected to reinforce", "2019-08-21", "ev_beijing_kang_kono"),
                    ("st_000_09", "kang_kyung_wha", "inferred", "expected", "a point", "were expected to reinforce", "2019-08-21", "ev_beijing_kang_kono")]
    about = one(con, "SELECT DISTINCT event_id FROM statement_events WHERE statement_id IN ('st_000_08', 'st_000_09') ORDER BY 1")
    # the point (the agreed cooperation) and the expected act of reinforcing it (final statements audit O2)
    assert about == [("ev_bangkok_agree_nk_cooperation",), ("ev_beijing_reaffirm_nk_cooperation",)]


def test_statements_naming_their_meeting_are_linked_to_it(con):
    # statements O3-O5: the denial of a mediation request, briefings "after the meeting", Kang in Nagoya
    links = set(one(con, "SELECT statement_id, event_id, basis, evidence_text FROM statement_events WHERE statement_id IN "
                         "('st_002_01', 'st_002_04', 'st_003_02', 'st_004_01', 'st_004_02')"))
    assert {("st_002_04", "ev_us_mediation", "stated", "has not been asked to mediate"),
            ("st_004_01", "ev_bangkok_kang_kono", "stated", "In a briefing after the meeting"),
            ("st_004_02", "ev_bangkok_kang_kono", "stated", "In a briefing after the meeting"),
            ("st_003_02", "ev_nagoya_kang_motegi", "stated", "after meeting with her Japanese counterpart")} <= links
    assert ("st_002_01", "ev_jpn_whitelist_removal") in {(s, e) for s, e, _, _ in links}
    # class: every statement whose attribution or sentence says "after the meeting/talks" or "after meeting" is linked to a meeting
    named = one(con, "SELECT s.statement_id FROM statements s WHERE regexp_matches(s.attribution_text, 'after (the )?(meeting|talks)') "
                     "AND NOT EXISTS (SELECT 1 FROM statement_events x JOIN events e USING (event_id) WHERE x.statement_id = s.statement_id "
                     "AND e.event_type = 'meeting')")
    assert named == []
    assert one(con, "SELECT count(*) FROM statements_about WHERE event_id = 'ev_us_mediation' AND statement_id = 'st_002_04'") == [(1,)]


def test_a_governments_own_source_speaks_for_it_without_a_relay(con):
    # statements O2: "A Japanese government source said Tokyo wants", "Washington is concerned ..., the official told reporters"
    rows = one(con, "SELECT s.statement_id, s.speaker_id, a.parent_actor_id, s.relayed_by_id FROM statements s JOIN actors a ON a.actor_id = s.speaker_id "
                    "WHERE s.statement_id IN ('st_002_17', 'st_002_26') ORDER BY 1")
    assert rows == [("st_002_17", "jpn_gov_source_002", "jpn", None), ("st_002_26", "us_senior_official_002", "usa", None)]


def test_hedged_and_inferred_mentions_say_so(con):
    # statements F3, F4
    hedge = one(con, "SELECT reported_status, notes FROM event_mentions WHERE event_id = 'ev_forced_labour' AND article_id = 'art000' AND char_start = 596")
    assert hedge[0][0] == "occurred" and "who say they were forced" in hedge[0][1] and "st_000_07" in hedge[0][1]
    motegi = one(con, "SELECT notes FROM event_mentions WHERE event_id = 'ev_motegi_remarks_nagoya' AND char_start = 1281")
    assert motegi[0][0].startswith("Referent inferred") and "st_003_04" in motegi[0][0]
    # class: every mention of art000's labour hedge, in any table, names the labourers' account
    rows = one(con, "SELECT notes FROM event_mentions WHERE strpos(evidence_text, ' who say ') > 0")
    assert rows and all(n and "account" in n for (n,) in rows)


def test_unnamed_officials_who_give_no_news_are_not_sources(con):
    # actors F1: the director-generals take part only
    types = dict(one(con, "SELECT actor_id, actor_type FROM actors WHERE actor_type LIKE 'unnamed%'"))
    assert types["kor_director_general_001"] == types["jpn_director_general_001"] == "unnamed_official"
    sources = {a for a, t in types.items() if t == "unnamed_source"}
    speak = {r for (r,) in one(con, "SELECT speaker_id FROM statements UNION SELECT relayed_by_id FROM statements WHERE relayed_by_id IS NOT NULL "
                                    "UNION SELECT asserted_by_id FROM claims WHERE asserted_by_id IS NOT NULL")}
    assert sources and sources <= speak
    # art001 cites no anonymous source
    assert one(con, "SELECT count(*) FROM actors a WHERE a.actor_type = 'unnamed_source' AND a.actor_id LIKE '%_001'") == [(0,)]


def test_country_bases_rest_on_the_articles_words(con):
    # actors F2, F3
    court = one(con, "SELECT country_iso3, country_basis, reasoning FROM actors WHERE actor_id = 'kor_supreme_court'")
    assert court[0][:2] == ("KOR", "inferred") and "its Supreme Court" in court[0][2]
    official = one(con, "SELECT country_iso3, reasoning FROM actors WHERE actor_id = 'ministry_official_004'")
    assert official[0][0] == "KOR" and "recalcitrance" in official[0][1]
    # class: no reasoning of a non-media actor rests on an outlet's nationality
    outlet = one(con, "SELECT actor_id FROM actors WHERE actor_type <> 'media' AND regexp_matches(coalesce(reasoning, ''), "
                      "'(?i)broadcaster|news agency|Kyodo is|KBS is|Reuters is')")
    assert outlet == []


def test_credits_and_titles_cite_their_words(con, texts):
    # actors F4: the editing credit cites "Editing by ...", as its role row
    credit = one(con, "SELECT char_start, char_end, evidence_text FROM article_credits WHERE actor_id = 'muralikumar_anantharaman'")
    assert credit == [(2066, 2118, "Editing by Neil Fullick and Muralikumar Anantharaman")]
    assert texts["art003"][2066:2118] == credit[0][2]
    # actors O1, O2: Kang's titles in the art002 caption and art004
    aliases = set(one(con, "SELECT article_id, alias, alias_type FROM actor_aliases WHERE actor_id = 'kang_kyung_wha'"))
    assert {("art002", "South Korean Foreign Minister", "description"), ("art004", "Foreign Minister Kang Kyung-wha", "name")} <= aliases
    # class: every appositive title next to a person's name is inside an alias of that person
    spans = one(con, "SELECT article_id, char_start, char_end FROM actor_aliases a JOIN actors y USING (actor_id) WHERE y.actor_type = 'person'")
    seen = 0
    for art, text in texts.items():
        for m in re.finditer(r"(Foreign Minister|foreign minister|Secretary of State|spy chief|press secretary)", text):
            nearby = text[m.end():m.end() + 3]
            if not (nearby.startswith(" ") and nearby[1:2].isupper() or nearby.startswith(", ")):
                continue  # not an appositive before a name
            assert any(a == art and s <= m.start() and m.end() <= e for a, s, e in spans), (art, m.start(), text[m.start() - 20:m.end() + 20])
            seen += 1
    assert seen >= 8  # Kang (4), Kono, Pompeo (2), Saito, Suh Hoon


def test_article_headline_and_date_argument(texts):
    articles = {r["article_id"]: r for r in read_rows("articles")}
    kbs = articles["art004"]
    assert (kbs["headline_start"], kbs["headline_end"]) == ("30", "68")
    assert texts["art004"][30:68] == kbs["headline"]
    reasoning = articles["art003"]["published_date_reasoning"]
    assert "set to expire at midnight on Friday" in reasoning and "August 24" in reasoning
    assert "Motegi" not in reasoning  # a change of minister does not order the articles (actors audit F6)


def test_merged_briefings_are_inferred_occasions_with_their_mentions(con, texts):
    # final statements audit F1, F2 and the class: art002's remarks to reporters taken as art004's briefings (merged events);
    # Saito's "told reporters in Bangkok" is its own event, named in the attribution (second claims audit 0.5b, R1)
    rows = one(con, "SELECT statement_id, occasion_event_id, occasion_basis FROM statements WHERE statement_id IN ('st_002_14', 'st_002_22', 'st_002_26') ORDER BY 1")
    assert rows == [("st_002_14", "ev_bangkok_kang_briefing", "inferred"), ("st_002_22", "ev_saito_bangkok_remarks", "stated"),
                    ("st_002_26", "ev_us_official_briefing", "inferred")]
    # art004 names its briefings itself: stated there
    assert one(con, "SELECT DISTINCT occasion_basis FROM statements WHERE statement_id IN ('st_004_01', 'st_004_02', 'st_004_06')") == [("stated",)]
    # O6: every inferred occasion is mentioned on its statement's words, with a "Referent inferred" note
    missing = one(con, "SELECT s.statement_id FROM statements s WHERE s.occasion_basis = 'inferred' AND NOT EXISTS (SELECT 1 FROM event_mentions m "
                       "WHERE m.article_id = s.article_id AND m.event_id = s.occasion_event_id AND m.notes LIKE 'Referent inferred%' "
                       "AND m.char_start < greatest(s.char_end, s.attribution_end) AND least(s.char_start, s.attribution_start) < m.char_end)")
    assert missing == []
    said = one(con, "SELECT char_start, char_end, evidence_text FROM event_mentions WHERE event_id = 'ev_pompeo_press_conference' AND notes LIKE 'Referent inferred%'")
    assert said == [(5306, 5358, "U.S. Secretary of State Mike Pompeo said on Thursday")]
    assert texts["art002"][5306:5358] == said[0][2]
    # F3: Pompeo's quotation is dated through the paraphrase it follows, and says so
    reasoning = one(con, "SELECT said_date_reasoning FROM statements WHERE statement_id = 'st_002_32'")[0][0]
    assert reasoning.startswith("Taken as the same remarks as st_002_30")


def test_final_audit_links_and_mentions(con, texts):
    links = set(one(con, "SELECT statement_id, event_id, basis FROM statement_events"))
    # O2: the expected restatement at Beijing; O3: Motegi's "the issue"; O4: Seoul's hope for the Bangkok talks
    assert {("st_000_08", "ev_beijing_reaffirm_nk_cooperation", "stated"), ("st_000_09", "ev_beijing_reaffirm_nk_cooperation", "stated"),
            ("st_003_03", "ev_forced_labour", "inferred"), ("st_004_11", "ev_bangkok_kang_kono", "stated")} <= links
    mentions = set(one(con, "SELECT event_id, article_id, char_start, evidence_text, reported_status FROM event_mentions"))
    # O1, O5: references already used as link evidence are mentions too
    expected = {("ev_us_mediation", "art002", 843, "has not been asked to mediate", "hypothetical"),
                ("ev_bangkok_kang_kono", "art004", 907, "the meeting", "occurred"),
                ("ev_bangkok_kang_kono", "art004", 1855, "the talks", "occurred"),
                ("ev_jpn_export_controls", "art001", 1543, "its export restrictions", "occurred"),
                ("ev_gsomia_renewal_deadline_aug", "art002", 3740, "the renewal of the GSOMIA", "scheduled")}
    assert expected <= mentions
    for _, art, start, words, _ in expected:
        assert texts[art][start:start + len(words)] == words
    # O7: "Japan is also angry about ..." is a sentiment about an object, not a position statement
    angry = texts["art002"].index("Japan is also angry about")
    assert one(con, "SELECT count(*) FROM statements WHERE article_id = 'art002' AND ? BETWEEN attribution_start AND attribution_end", [angry]) == [(0,)]
