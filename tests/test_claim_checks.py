"""Claim checks (jpkr_data/validator/claim_checks.py): each rule rejects the faults of its class, at the right row and field."""
from __future__ import annotations

import pytest
from test_semantics import assert_reported_where_it_is, both, copy_row, edit, remove

from jpkr_data.validator import validate

CL, CV, AE, AP, EV = "claims", "claim_verdicts", "agreement_events", "agreement_parties", "events"
OWN = {"voice": "own", "asserted_by_id": "", "attribution_text": "", "attribution_start": "", "attribution_end": ""}
FAULTS = [
    # (name, mutation, check, table, field)
    # the kind of comparable value is the attribute's, with its columns only (audit 2026-12-03 R1: values a machine can compare)
    ("duration_as_label", edit(CL, {"claim_id": "cl_001"}, {"value_kind": "label"}), "claim-kind", CL, "value_kind"),
    ("duration_in_dollars", edit(CL, {"claim_id": "cl_002"}, {"range_unit": "usd"}), "claim-kind", CL, "range_unit"),
    ("date_without_a_window", edit(CL, {"claim_id": "cl_036"}, {"date_start": "", "date_end": ""}), "claim-kind", CL, "date_start"),
    ("label_claim_with_a_date", edit(CL, {"claim_id": "cl_004"}, {"date_start": "2019-08-01"}), "claim-kind", CL, "date_start"),
    ("range_upside_down", edit(CL, {"claim_id": "cl_002"}, {"range_low": "75", "range_high": "45"}), "claim-kind", CL, "range_high"),
    ("label_claim_without_label", edit(CL, {"claim_id": "cl_065"}, {"label": ""}), "claim-kind", CL, "label"),
    ("inferred_window_without_reasoning", edit(CL, {"claim_id": "cl_038"}, {"comparable_reasoning": ""}), "claim-basis", CL, "comparable_reasoning"),
    # a date window inside what the evidence allows
    ("thursday_on_a_friday", edit(CL, {"claim_id": "cl_096"}, {"date_start": "2019-08-02", "date_end": "2019-08-02"}), "claim-window", CL, "date_start"),
    ("july_4_in_august", edit(CL, {"claim_id": "cl_036"}, {"date_start": "2019-08-04", "date_end": "2019-08-04"}), "claim-window", CL, "date_start"),
    ("year_2016_as_2015", edit(CL, {"claim_id": "cl_099"}, {"date_start": "2015-01-01", "date_end": "2015-12-31"}), "claim-window", CL, "date_start"),
    ("period_ends_after_its_year", edit(CL, {"claim_id": "cl_146"}, {"date_end": "1946-12-31"}), "claim-window", CL, "date_end"),
    # who asserts it (F1, F2, M1, M6: relayed words recorded as the outlet's own)
    ("us_official_recorded_as_reuters", edit(CL, {"claim_id": "cl_064"}, OWN), "relayed-words", CL, "notes"),
    ("japan_briefing_recorded_as_kbs", edit(CL, {"claim_id": "cl_007"}, OWN), "relayed-words", CL, "notes"),
    ("kang_paraphrase_recorded_as_kbs", edit(CL, {"claim_id": "cl_166"}, OWN), "relayed-words", CL, "notes"),
    ("tokyo_position_recorded_as_kyodo", edit(CL, {"claim_id": "cl_028"}, OWN), "relayed-words", CL, "notes"),
    ("briefing_agreement_without_whose_words", edit(AE, {"agreement_id": "ag_bangkok_diplomatic_channels"}, {"notes": ""}),
     "relayed-words", AE, "notes"),
    ("relayed_without_actor", edit(CL, {"claim_id": "cl_064"}, {"asserted_by_id": ""}), "claim-voice", CL, "asserted_by_id"),
    ("own_voice_with_an_actor", edit(CL, {"claim_id": "cl_001"}, {"asserted_by_id": "jpn"}), "claim-voice", CL, "asserted_by_id"),
    ("asserted_by_nobody", edit(CL, {"claim_id": "cl_064"}, {"asserted_by_id": "nobody_002"}), "foreign-key", CL, "asserted_by_id"),
    # one voice rule for words inside reported speech (second claims audit: names the outlet's, assertions the speaker's)
    ("seoul_reason_recorded_as_kyodo", edit(CL, {"claim_id": "cl_086"}, {**OWN, "notes": "Own voice: Kyodo's explanation (st_000_05)."}),
     "relayed-words", CL, "voice"),
    ("outlet_name_in_a_paraphrase_relayed", edit(CL, {"claim_id": "cl_133"}, {"voice": "relayed", "asserted_by_id": "kang_kyung_wha",
     "attribution_text": "She also told Japan that", "attribution_start": "1568", "attribution_end": "1592"}), "relayed-words", CL, "voice"),
    # the relay chain is recorded (F7)
    ("lawmakers_relay_of_suh_hoon_lost", edit(CL, {"claim_id": "cl_172"}, {"notes": "Suh Hoon."}), "relay-chain", CL, "notes"),
    ("kangs_relay_of_japan_lost", edit(CL, {"claim_id": "cl_039"}, {"notes": ""}), "relay-chain", CL, "notes"),
    # what was said is worded as reported speech (F4, R2)
    ("briefing_content_in_reuters_voice", edit(CL, {"claim_id": "cl_048"}, {
     "value": "candid, extensive and professional discussions; the court ruling violates international law"}), "reported-speech", CL, "value"),
    ("threat_without_who_said_it", edit(CL, {"claim_id": "cl_049"}, {"value": "pull out"}), "reported-speech", CL, "value"),
    ("content_label_in_outlet_voice", edit("claim_labels", {"label": "diplomatic_channels_only"}, {
     "definition": "Only that the two sides agreed to communicate closely through diplomatic channels."}), "reported-speech", "claim_labels", "definition"),
    # verdicts cross-checked against siblings and event statuses (F1, F2)
    ("bangkok_outcome_conflict_against_its_siblings", edit(CV, {"subject_id": "ev_bangkok_kang_kono", "label_a": "agreed_nk_cooperation",
     "label_b": "no_result"}, {"verdict": "conflict", "reasoning": "KBS says the talks ended without results (art004)."}),
     "verdict-siblings", CV, "verdict"),
    ("outcome_only_read_literally", edit(CV, {"subject_id": "ev_bangkok_kang_kono", "label_a": "agreed_nk_cooperation", "label_b": "no_result"},
     {"verdict": "conflict", "reasoning": "KBS says the two only reaffirmed their differences (art004); Kyodo reports an agreement (art000)."}),
     "verdict-only", CV, "verdict"),
    # second claims audit of 2026-12-03 (0.5b), R1: "said only" is read by scope like every "only" of a report
    ("said_only_read_as_a_complete_list", both(edit(CL, {"claim_id": "cl_048"}, {"subject_id": "ev_bangkok_japan_briefing"}),
     copy_row(CV, {"subject_id": "usa", "label_a": "mediation_possible", "label_b": "not_asked_to_mediate"}, {
         "subject_table": "events", "subject_id": "ev_bangkok_japan_briefing", "attribute": "content",
         "label_a": "candid_discussions_ruling_called_illegal", "label_b": "diplomatic_channels_only", "verdict": "conflict",
         "reasoning": "KBS: the briefing said only the channels point; Reuters: Saito said more."})), "verdict-only", CV, "verdict"),
    # R1: two press events are one only when the texts tie them (a party named in each article), not by city and day
    ("saito_merged_into_japans_briefing_again", both(
        edit("event_mentions", {"event_id": "ev_saito_bangkok_remarks", "article_id": "art002", "char_start": "4406"},
             {"event_id": "ev_bangkok_japan_briefing"}),
        both(edit("event_mention_arguments", {"event_id": "ev_saito_bangkok_remarks", "mention_start": "4406"},
                  {"event_id": "ev_bangkok_japan_briefing"}),
             edit(EV, {"event_id": "ev_bangkok_japan_briefing"}, {}))), "merge-speaker", EV, "event_id"),
    # F9: the attribution holds the attributing verb, not only the act criticised
    ("tokyo_railed_without_saying", edit(CL, {"claim_id": "cl_028"}, {
     "attribution_text": "Tokyo has railed against a series of South Korean court decisions", "attribution_end": "794"}),
     "claim-attribution", CL, "attribution_text"),
    # F3 (repeated problem 2): a label no claim carries is dropped
    ("label_no_claim_carries", copy_row("claim_labels", {"label": "not_asked_to_mediate"}, {"label": "mediating",
     "definition": "Plays a mediating role."}), "label-used", "claim_labels", "label"),
    ("mediation_possibility_against_a_fact", edit(CV, {"subject_id": "usa", "label_a": "mediation_possible", "label_b": "pressing_both_sides"},
     {"verdict": "conflict"}), "verdict-status", CV, "verdict"),
    # labels from the documented list of their attribute (M9: attributes stretched to hold characterisations)
    ("characterisation_labelled_as_purpose", edit(CL, {"claim_id": "cl_035"}, {"label": "security"}), "claim-label", CL, "label"),
    ("label_not_in_the_list", edit(CL, {"claim_id": "cl_089"}, {"label": "bangkok_thailand"}), "claim-label", CL, "label"),
    # a verdict for every pair that needs one, and none stale
    ("mediation_pair_without_verdict",
     remove(CV, {"subject_id": "usa", "label_a": "mediation_possible", "label_b": "not_asked_to_mediate"}, (CL, {"claim_id": "cl_065"})),
     "claim-verdict", CL, "label"),
    ("new_outcome_wording_without_verdict", edit(CL, {"claim_id": "cl_134"}, {"label": "expected_difficult"}), "claim-verdict", CL, "label"),
    ("verdict_on_a_pair_no_one_gives",
     copy_row(CV, {"subject_id": "usa", "label_a": "mediation_possible", "label_b": "not_asked_to_mediate"}, {"subject_table": "events", "subject_id": "ev_bangkok_kang_kono"}),
     "claim-verdict", CV, "label_a"),
    ("verdict_labels_out_of_order",
     copy_row(CV, {"subject_id": "usa", "label_a": "mediation_possible", "label_b": "not_asked_to_mediate"},
             {"label_a": "not_asked_to_mediate", "label_b": "mediation_possible"}),
     "claim-verdict", CV, "label_b"),
    # claims audit of 2026-12-03 (0.5), F1, F3: a series' dated member, not the series; a date claim where its event can be
    ("ruling_of_last_year_dated_on_the_series", edit(CL, {"claim_id": "cl_101"}, {"subject_id": "ev_court_rulings_2018"}),
     "claim-date-subject", CL, "date_start"),
    ("saitos_court_ruling_on_the_series", edit(CL, {"claim_id": "cl_193"}, {"subject_id": "ev_court_rulings_2018"}),
     "series-member", CL, "subject_id"),
    ("a_start_for_an_undated_indication", edit(CL, {"claim_id": "cl_180"}, {"date_start": "2019-11-01"}), "claim-date-subject", CL, "date_start"),
    ("nagoya_agreement_dated_in_december", edit(CL, {"claim_id": "cl_102"}, {"subject_id": "ev_formal_talks_december"}),
     "claim-date-subject", CL, "subject_id"),
    ("member_dated_by_another_claim", both(edit(EV, {"event_id": "ev_court_ruling_last_year"}, {
     "date_reasoning": "art002 (2019-08-01): the year before the article's (the article's date claim cl_100)."}),
     edit(CL, {"claim_id": "cl_100"}, {})), "claim-date-subject", CL, "subject_id"),
    # F4, F5, F6, F7: a value says no more than its span; a shared span says which reading; no window by convention
    ("wartime_start_by_convention", edit(CL, {"claim_id": "cl_072"}, {"date_start": "1937-07-07", "comparable_reasoning":
     "By convention (a choice, not what the wording fixes) the window starts in 1937."}), "claim-window", CL, "comparable_reasoning"),
    ("reversal_hailed_without_its_hedge", edit(CL, {"claim_id": "cl_175"}, {"value": "a breakthrough (as South Korea hailed it)"}),
     "shared-span", CL, "value"),
    ("standstill_without_consider", edit(CL, {"claim_id": "cl_064"}, {"value": "not asked to mediate; urged a standstill agreement"}),
     "value-hedge", CL, "value"),
    ("all_of_seouls_actions", edit(CL, {"claim_id": "cl_199"}, {"value": "Seoul's actions have undermined trust between Tokyo and Seoul"}),
     "value-hedge", CL, "value"),
    # F2, F11: a label's contested words are its claims' words
    ("kono_given_forced_labourers", edit("claim_labels", {"label": "discuss_compensation"}, {
     "definition": "To discuss the issue of compensation for the forced labourers."}), "label-words", "claim_labels", "definition"),
    ("free_trade_called_unfair", both(edit(CL, {"claim_id": "cl_188"}, {"label": "unfair"}), edit("claim_labels", {"label": "unfair"}, {})),
     "label-words", "claim_labels", "definition"),
    # F14, F15, F16: parties named or inferred; agreement evidence cites the words it overlaps; whose account in the name
    ("the_two_countries_as_stated", edit(AP, {"agreement_id": "ag_gsomia", "actor_id": "jpn"}, {"role_basis": "stated"}),
     "party-named", AP, "role_basis"),
    ("proposer_not_in_its_span", edit(AP, {"agreement_id": "ag_standstill", "actor_id": "usa"}, {
     "char_start": "877", "char_end": "909", "evidence_text": "has urged both sides to consider"}), "party-named", AP, "role_basis"),
    ("lapse_indicated_without_whose_words", edit(AE, {"agreement_id": "ag_gsomia", "event_id": "ev_gsomia_termination_indicated"}, {"notes": ""}),
     "relayed-words", AE, "notes"),
    ("japans_account_not_in_the_name", edit("agreements", {"agreement_id": "ag_bangkok_diplomatic_channels"}, {
     "name": "Understanding to communicate closely through diplomatic channels (Bangkok)"}), "account-name", "agreements", "name"),
    # M10: an agreement between ministers is also their countries'
    ("ministers_agreement_without_countries",
     both(remove(AP, {"agreement_id": "ag_bangkok_nk_cooperation", "actor_id": "jpn"}, ("agreements", {"agreement_id": "ag_bangkok_nk_cooperation"})),
          remove(AP, {"agreement_id": "ag_bangkok_nk_cooperation", "actor_id": "kor"}, ("agreements", {"agreement_id": "ag_bangkok_nk_cooperation"}))),
     "agreement-state", "agreements", "agreement_id"),
]


@pytest.mark.parametrize("fault", FAULTS, ids=[f[0] for f in FAULTS])
def test_claim_fault_is_reported_where_it_is(fault, package_copy):
    assert_reported_where_it_is(fault, package_copy)


def test_the_curated_claims_pass_every_claim_check():
    report = validate()
    assert report.valid, report.to_text()
    for check in ("claim-kind", "claim-label", "claim-basis", "claim-window", "claim-voice", "relayed-words", "claim-verdict", "agreement-state",
                  "relay-chain", "reported-speech", "verdict-siblings", "verdict-status", "verdict-only", "series-member",
                  "claim-date-subject", "value-hedge", "shared-span", "label-words", "party-named", "account-name"):
        assert check in report.checks, check
