"""Semantic checks (jpkr_data/validator/semantics.py): each rule rejects the faults of its class, at the right row and field."""
from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest
from conftest import ROOT
from hypothesis import given, settings
from hypothesis import strategies as st

from jpkr_data.schema import load_package
from jpkr_data.validator import validate
from jpkr_data.validator.report import Report
from jpkr_data.validator.schema_checks import typed_name
from jpkr_data.validator.semantics import LOADED_WORDS, check_occasions
from jpkr_data.validator.staging import attach_stage

Mutation = Callable[[Path], int]  # mutates a package copy, returns the CSV row (header = 1) the error must name


def _read(pkg: Path, table: str) -> list[dict[str, str]]:
    with (pkg / "data" / f"{table}.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _write(pkg: Path, table: str, rows: list[dict[str, str]]) -> None:
    path = pkg / "data" / f"{table}.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        header = next(csv.reader(fh))
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=header, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


def edit(table: str, match: dict[str, str], values: dict[str, str]) -> Mutation:
    """Set cells of the one row matching `match`; the error must name that row."""
    def mutate(pkg: Path) -> int:
        rows = _read(pkg, table)
        hits = [i for i, r in enumerate(rows) if all(r[k] == v for k, v in match.items())]
        assert len(hits) == 1, (table, match, hits)
        rows[hits[0]].update(values)
        _write(pkg, table, rows)
        return hits[0] + 2
    return mutate


def remove(table: str, match: dict[str, str], then_row_of: tuple[str, dict[str, str]]) -> Mutation:
    """Delete the matching row; the error must name the row of `then_row_of` (table, match)."""
    def mutate(pkg: Path) -> int:
        rows = _read(pkg, table)
        kept = [r for r in rows if not all(r[k] == v for k, v in match.items())]
        assert len(kept) == len(rows) - 1
        _write(pkg, table, kept)
        other, key = then_row_of
        return next(i for i, r in enumerate(_read(pkg, other), start=2) if all(r[k] == v for k, v in key.items()))
    return mutate


def copy_row(table: str, match: dict[str, str], values: dict[str, str]) -> Mutation:
    """Append a copy of the matching row with some cells changed; the error must name the copy."""
    def mutate(pkg: Path) -> int:
        rows = _read(pkg, table)
        src = next(r for r in rows if all(r[k] == v for k, v in match.items()))
        rows.append(dict(src, **values))
        _write(pkg, table, rows)
        return len(rows) + 1
    return mutate


def both(first: Mutation, second: Mutation) -> Mutation:
    def mutate(pkg: Path) -> int:
        first(pkg)
        return second(pkg)
    return mutate


EV, MEN, REL, ST, SE = "events", "event_mentions", "event_relations", "statements", "statement_events"
FAULTS: list[tuple[str, Mutation, str, str, str]] = [
    # (name, mutation, check, table, field)
    ("warning_marked_threatened", edit(EV, {"event_id": "ev_kor_warns_gsomia_review"}, {"status": "threatened"}), "act-status", EV, "status"),
    ("threat_act_marked_hypothetical", edit(EV, {"event_id": "ev_kang_warns_countermeasures"}, {"status": "hypothetical"}), "act-status", EV, "status"),
    ("non_threat_event_recoded_as_threat_while_proposed",
     edit(EV, {"event_id": "ev_formal_talks_december"}, {"cameo_code": "130", "status": "proposed"}), "act-status", EV, "status"),
    ("mention_of_act_reported_threatened",
     edit(MEN, {"event_id": "ev_kor_suggests_gsomia_exit"}, {"reported_status": "threatened"}), "act-status", MEN, "reported_status"),
    ("threatened_action_without_its_act",
     remove(REL, {"event_id": "ev_kor_suggests_gsomia_exit", "relation": "threatens"}, (EV, {"event_id": "ev_kor_gsomia_pullout"})),
     "threat-link", EV, "status"),
    ("threatened_action_linked_only_by_follows",
     both(edit(REL, {"event_id": "ev_kang_warns_countermeasures", "relation": "threatens"}, {"relation": "follows"}),
          lambda pkg: next(i for i, r in enumerate(_read(pkg, EV), start=2) if r["event_id"] == "ev_kor_countermeasures")),
     "threat-link", EV, "status"),
    ("announced_measure_without_its_announcement",
     remove(REL, {"event_id": "ev_kor_import_restrictions", "relation": "announces"}, (EV, {"event_id": "ev_kor_import_restrictions_measure"})),
     "threat-link", EV, "status"),
    ("threatens_from_a_meeting",
     edit(REL, {"event_id": "ev_kor_warns_gsomia_review", "relation": "threatens"}, {"event_id": "ev_bangkok_kang_kono"}),
     "threat-link", REL, "event_id"),
    ("announcing_act_not_taken_place",
     both(edit(EV, {"event_id": "ev_gsomia_termination_indicated"}, {"status": "expected"}),
          lambda pkg: next(i for i, r in enumerate(_read(pkg, REL), start=2) if r["relation"] == "announces")),
     "threat-link", REL, "event_id"),
    ("threatened_action_before_its_act",
     both(edit(EV, {"event_id": "ev_kor_import_restrictions_measure"},
               {"date_start": "2019-07-01", "date_end": "2019-07-31", "date_precision": "month", "date_span_type": "instant"}),
          lambda pkg: next(i for i, r in enumerate(_read(pkg, REL), start=2)
                           if r["event_id"] == "ev_kor_import_restrictions" and r["relation"] == "announces")),
     "threat-link", REL, "related_event_id"),
    ("occasion_without_basis", edit(ST, {"statement_id": "st_004_02"}, {"occasion_basis": ""}), "occasion", ST, "occasion_basis"),
    ("basis_without_occasion", edit(ST, {"statement_id": "st_002_17"}, {"occasion_basis": "stated"}), "occasion", ST, "occasion_basis"),
    ("said_at_a_scheduled_meeting",
     edit(ST, {"statement_id": "st_004_08"}, {"occasion_event_id": "ev_bangkok_trilateral_us", "occasion_basis": "inferred"}),
     "occasion", ST, "occasion_event_id"),
    ("said_before_its_occasion",  # "Before leaving for Beijing on Tuesday" placed at Wednesday's meeting (audit finding 6)
     edit(ST, {"statement_id": "st_001_01"}, {"occasion_event_id": "ev_beijing_kang_kono", "occasion_basis": "stated"}),
     "occasion", ST, "occasion_event_id"),
    ("open_said_window_at_a_dated_occasion",
     edit(ST, {"statement_id": "st_000_03"}, {"occasion_event_id": "ev_kono_remarks_aug20", "occasion_basis": "inferred"}),
     "occasion", ST, "occasion_event_id"),
    ("said_after_a_dated_occasion",
     edit(ST, {"statement_id": "st_003_02"}, {"occasion_event_id": "ev_gsomia_kor_decides_keep", "occasion_basis": "inferred"}),
     "occasion", ST, "occasion_event_id"),
    ("inferred_about_link_without_reasoning",
     edit(SE, {"statement_id": "st_002_12", "event_id": "ev_jpn_whitelist_removal"}, {"notes": " "}), "inferred-link", SE, "notes"),
    ("inferred_relation_without_reasoning",
     edit(REL, {"event_id": "ev_kor_countermeasures", "relation": "responds_to"}, {"notes": ""}), "inferred-link", REL, "notes"),
    ("inferred_actor_role_without_reasoning",
     edit("event_actors", {"event_id": "ev_us_pressure_gsomia", "actor_id": "jpn"}, {"notes": ""}), "inferred-link", "event_actors", "notes"),
    ("claim_recorded_twice", copy_row("claims", {"claim_id": "cl_005"}, {"claim_id": "cl_999", "value": "no results"}),
     "claim-once", "claims", "char_start"),
    ("title_takes_a_side", edit(EV, {"event_id": "ev_1965_accord"}, {"title": "Japan and South Korea conclude the 1965 accord settling compensation"}),
     "neutral-title", EV, "title"),
    ("agreement_name_takes_a_side", edit("agreements", {"agreement_id": "ag_1965_accord"}, {"name": "1965 accord (claims settlement)"}),
     "neutral-title", "agreements", "name"),
    # post-fix audit (2026-11-24): a parent whose window does not hold the child (finding 3)
    ("child_after_its_parent_conference", edit(EV, {"event_id": "ev_bangkok_kang_kono"}, {"date_start": "2019-08-02", "date_end": "2019-08-02"}),
     "parent-window", EV, "parent_event_id"),
    ("child_with_open_start_under_a_dated_parent", edit(EV, {"event_id": "ev_kang_remarks_nagoya"}, {"date_start": "", "date_precision": "open_start"}),
     "parent-window", EV, "parent_event_id"),
    ("scheduled_trilateral_put_back_under_the_one_day_conference",
     edit(EV, {"event_id": "ev_bangkok_trilateral_us"}, {"parent_event_id": "ev_bangkok_asean_fmm"}), "parent-window", EV, "parent_event_id"),
    # a place for an action that has not happened (finding 6)
    ("threatened_pullout_given_a_country", edit(EV, {"event_id": "ev_kor_gsomia_pullout"}, {"location_country_iso3": "KOR"}),
     "unplaced-action", EV, "location_country_iso3"),
    ("hypothetical_liquidation_given_a_place", edit(EV, {"event_id": "ev_assets_liquidation"}, {"location": "Seoul"}),
     "unplaced-action", EV, "location_country_iso3"),
    # a ruling whose agent no text names (finding 8)
    ("unnamed_freezing_typed_as_ruling", edit(EV, {"event_id": "ev_assets_frozen"}, {"event_type": "legal_ruling"}),
     "ruling-agent", EV, "event_type"),
    ("ruling_without_its_courts",
     both(lambda pkg: _write(pkg, "event_actors", [r for r in _read(pkg, "event_actors")
                                                   if not (r["event_id"] == "ev_court_rulings_2018" and r["role"] == "initiator")]),
          lambda pkg: next(i for i, r in enumerate(_read(pkg, EV), start=2) if r["event_id"] == "ev_court_rulings_2018")),
     "ruling-agent", EV, "event_type"),
    # a note or reasoning citing a row that is gone (finding 2: notes not carried through edits)
    ("note_cites_a_removed_statement", edit(EV, {"event_id": "ev_jpn_requests_arbitration"}, {"notes": "Its words are st_002_24."}),
     "cited-id", EV, "notes"),
    ("reasoning_cites_a_renamed_event",
     edit(ST, {"statement_id": "st_002_21"}, {"said_date_reasoning": "Urged at ev_kor_countermeasures_threatened of 2019-08-01."}),
     "cited-id", ST, "said_date_reasoning"),
    ("claim_note_cites_a_dropped_claim", edit("claims", {"claim_id": "cl_009"}, {"notes": "See cl_118 and ag_gsomia."}),
     "cited-id", "claims", "notes"),
    # audit of 2026-12-03, events: a conference known from one day stored as a one-day span (finding 1, rule finding)
    ("conference_narrowed_to_its_attested_day", edit(EV, {"event_id": "ev_bangkok_asean_fmm"}, {"date_precision": "day"}),
     "includes-window", EV, "date_precision"),
    ("meeting_marked_includes", edit(EV, {"event_id": "ev_bangkok_kang_kono"}, {"date_precision": "includes"}),
     "includes-window", EV, "date_precision"),
    ("ongoing_boycotts_given_an_end", edit(EV, {"event_id": "ev_boycotts"}, {"date_start": "", "date_precision": "open_start"}),
     "includes-window", EV, "date_precision"),
    # acts of saying without the target the text names (omission 2)
    ("conditional_warning_without_its_target",
     remove("event_actors", {"event_id": "ev_kor_warns_repercussions", "role": "target"}, (EV, {"event_id": "ev_kor_warns_repercussions"})),
     "act-target", EV, "event_id"),
    ("refusal_at_a_bilateral_meeting_without_its_target",
     remove("event_actors", {"event_id": "ev_jpn_refuses_export_talks", "role": "target"}, (EV, {"event_id": "ev_jpn_refuses_export_talks"})),
     "act-target", EV, "event_id"),
    # roles beyond what the event is (findings 5, and the hearing's host)
    ("initiating_recorded_as_mediation",
     copy_row("event_actors", {"event_id": "ev_gsomia_signed_2016", "actor_id": "jpn"}, {"actor_id": "usa", "role": "mediator", "role_basis": "inferred",
                                                                                    "notes": "closest role"}),
     "role-fit", "event_actors", "role"),
    ("panel_made_host_of_an_appeal",
     edit("event_actors", {"event_id": "ev_suh_hoon_calls_caution", "actor_id": "kor_parliament_intel_panel"}, {"role": "host"}),
     "role-fit", "event_actors", "role"),
    # a side paired with itself: a state beside its own official, a joint group beside its member (second events audit F1)
    ("state_beside_its_own_director_general",
     copy_row("event_actors", {"event_id": "ev_dg_meeting_aug20", "actor_id": "jpn_director_general_001"},
              {"actor_id": "jpn", "role_basis": "stated", "notes": ""}),
     "own-side-pair", "event_actors", "actor_id"),
    ("joint_group_beside_its_members",
     copy_row("event_actors", {"event_id": "ev_dg_meeting_aug20", "actor_id": "kor_director_general_001"},
              {"actor_id": "director_generals_001", "role_basis": "stated", "notes": ""}),
     "own-side-pair", "event_actors", "actor_id"),
    ("china_beside_wang_yi_as_host",
     copy_row("event_actors", {"event_id": "ev_wang_kang_meeting_aug20", "actor_id": "wang_yi"}, {"actor_id": "chn", "role": "participant"}),
     "own-side-pair", "event_actors", "actor_id"),
    # one actor with two roles in one event (final events audit F7)
    ("wang_yi_host_and_participant_of_the_trilateral",
     copy_row("event_actors", {"event_id": "ev_beijing_trilateral_fmm", "actor_id": "wang_yi"}, {"role": "participant", "role_basis": "stated", "notes": ""}),
     "one-role", "event_actors", "role"),
    ("kang_initiator_and_target_of_her_own_urging",
     copy_row("event_actors", {"event_id": "ev_kang_urges_negotiation_beijing", "actor_id": "kang_kyung_wha"}, {"role": "target"}),
     "one-role", "event_actors", "role"),
    # a child of a located parent without a place of its own (final events audit F3)
    ("expected_urging_at_beijing_without_the_parents_place",
     edit(EV, {"event_id": "ev_kang_urges_negotiation_beijing"}, {"location": "", "location_country_iso3": ""}),
     "child-place", EV, "location_country_iso3"),
    ("washington_warning_without_the_briefings_place",
     edit(EV, {"event_id": "ev_us_official_warns_liquidation"}, {"location": "", "location_country_iso3": ""}),
     "child-place", EV, "location_country_iso3"),
    # a response dated before what it answers
    ("urging_responds_to_a_later_decision",
     edit(REL, {"event_id": "ev_kono_urges_rectify", "relation": "responds_to"}, {"related_event_id": "ev_jpn_whitelist_removal"}),
     "response-order", REL, "related_event_id"),
    # uneven coding: an announced measure coded as a mere statement (trial-political-scientist, b7)
    ("announced_import_restrictions_coded_as_a_statement",
     both(edit(EV, {"event_id": "ev_kor_import_restrictions"}, {"cameo_code": "010", "event_type": "press_event"}),
          lambda pkg: next(i for i, r in enumerate(_read(pkg, REL), start=2)
                           if r["event_id"] == "ev_kor_import_restrictions" and r["relation"] == "announces")),
     "measure-announcement", REL, "event_id"),
    # an agreement concluded by the meeting, not by an act of agreeing (omission 4)
    ("understanding_concluded_by_the_meeting",
     edit("agreement_events", {"agreement_id": "ag_bangkok_nk_cooperation", "effect": "concluded"}, {"event_id": "ev_bangkok_kang_kono"}),
     "agreement-act", "agreement_events", "event_id"),
    ("about_link_to_missing_statement", copy_row(SE, {"statement_id": "st_000_04"}, {"statement_id": "st_009_99"}),
     "foreign-key", SE, "statement_id"),
    # audit of 2026-12-03 (statements and actors): an inferred value without its reasoning
    ("inferred_alias_without_reasoning", edit("actor_aliases", {"actor_id": "jpn", "alias": "the old foe"}, {"reasoning": ""}),
     "inferred-reason", "actor_aliases", "reasoning"),
    ("inferred_role_without_reasoning", edit("actor_roles", {"actor_id": "kbs_anchor_004"}, {"notes": " "}), "inferred-reason", "actor_roles", "notes"),
    ("outside_knowledge_country_without_reasoning", edit("actors", {"actor_id": "kyodo"}, {"reasoning": ""}), "inferred-reason", "actors", "reasoning"),
    ("inferred_parent_without_reasoning", edit("actors", {"actor_id": "kor_supreme_court"}, {"reasoning": ""}), "inferred-reason", "actors", "reasoning"),
    ("parent_without_its_basis", edit("actors", {"actor_id": "kor_mofa"}, {"parent_basis": ""}), "inferred-reason", "actors", "parent_basis"),
    ("inferred_addressee_without_reasoning", edit("statement_addressees", {"statement_id": "st_003_07", "addressee_id": "kor"}, {"notes": ""}),
     "inferred-reason", "statement_addressees", "notes"),
    ("inferred_member_without_reasoning", edit("actor_members", {"member_actor_id": "jpn_director_general_001"}, {"reasoning": ""}),
     "inferred-reason", "actor_members", "reasoning"),
    # links cited away from their statement
    ("addressee_cited_from_another_paragraph",
     edit("statement_addressees", {"statement_id": "st_004_04"}, {"char_start": "213", "char_end": "218", "evidence_text": "Japan"}),
     "statement-link", "statement_addressees", "char_start"),
    ("about_link_cited_from_another_paragraph",
     edit(SE, {"statement_id": "st_000_04", "event_id": "ev_jpn_whitelist_removal"}, {"char_start": "60", "char_end": "65", "evidence_text": "Japan"}),
     "statement-link", SE, "char_start"),
    # statements F1: the reporter's sentence given the attribution of the next one
    ("attribution_borrowed_from_the_next_sentence",
     edit(ST, {"statement_id": "st_002_03"}, {"speaker_id": "us_senior_official_002", "char_start": "764", "char_end": "824",
                                              "text": "The U.S. government is worried the tensions could get worse.", "attribution_start": "963",
                                              "attribution_end": "1029", "attribution_text": "a senior U.S. administration official told reporters in Washington"}),
     "attribution-sentence", ST, "attribution_start"),
    # actors F2: a group of officials of two countries
    ("joint_group_given_a_country", edit("actors", {"actor_id": "director_generals_001"}, {"country_iso3": "KOR", "country_basis": "inferred"}),
     "joint-group", "actors", "country_iso3"),
    ("joint_group_with_one_member",
     remove("actor_members", {"member_actor_id": "jpn_director_general_001"}, ("actors", {"actor_id": "director_generals_001"})),
     "joint-group", "actors", "actor_type"),
    ("joint_group_given_a_code", copy_row("actor_codes", {"actor_id": "kor_director_general_001"}, {"actor_id": "director_generals_001"}),
     "joint-group", "actor_codes", "actor_id"),
    ("member_that_is_a_group", edit("actor_members", {"member_actor_id": "kor_director_general_001"}, {"member_actor_id": "director_generals_001"}),
     "joint-group", "actor_members", "group_actor_id"),
    # the consistency rule: every unnamed actor and credited person has its role
    ("unnamed_source_without_role", remove("actor_roles", {"actor_id": "jpn_gov_source_002"}, ("actors", {"actor_id": "jpn_gov_source_002"})),
     "role-coverage", "actors", "actor_id"),
    ("credited_writer_without_role", remove("actor_roles", {"actor_id": "david_dolan"}, ("actors", {"actor_id": "david_dolan"})),
     "role-coverage", "actors", "actor_id"),
    # second statements audit F1: Kang's report at her briefing of what she urged Kono, given Kono as addressee
    ("report_at_a_briefing_given_the_acts_target",
     copy_row("statement_addressees", {"statement_id": "st_002_21"},
              {"statement_id": "st_002_12", "addressee_id": "taro_kono", "char_start": "2407", "char_end": "2421", "evidence_text": "she urged Kono"}),
     "briefing-addressee", "statement_addressees", "addressee_id"),
    # second actors audit F1: the types of unnamed officials follow whether they give news
    ("participant_typed_as_a_source", edit("actors", {"actor_id": "kor_director_general_001"}, {"actor_type": "unnamed_source"}),
     "source-gives-news", "actors", "actor_type"),
    ("speaking_official_typed_as_a_participant", edit("actors", {"actor_id": "jpn_gov_source_002"}, {"actor_type": "unnamed_official"}),
     "source-gives-news", "actors", "actor_type"),
    # second actors audit F4: a credit citing the bare name cut out of its byline
    ("credit_citing_a_bare_name", edit("article_credits", {"actor_id": "muralikumar_anantharaman"},
                                       {"char_start": "2094", "char_end": "2118", "evidence_text": "Muralikumar Anantharaman"}),
     "credit-evidence", "article_credits", "char_start"),
    # 0.5 actors audit F1, F2, F5: what rests on an inferred country or a possessive is inferred
    ("countryless_description_alias_stated", edit("actor_aliases", {"actor_id": "lee_eun_jae", "alias": "a lawmaker who attended the meeting"},
                                                  {"basis": "stated"}), "inferred-country", "actor_aliases", "basis"),
    ("possessive_alias_stated", edit("actor_aliases", {"actor_id": "director_generals_001"}, {"basis": "stated"}),
     "inferred-country", "actor_aliases", "basis"),
    ("code_note_silent_on_inferred_country", edit("actor_codes", {"actor_id": "ministry_official_004"}, {"notes": "a ministry official is government: GOV."}),
     "inferred-country", "actor_codes", "notes"),
    # 0.5 statements audit F3: a speaker resolved from "He" marked stated
    ("pronoun_speaker_stated", edit(ST, {"statement_id": "st_001_10"}, {"speaker_basis": "stated"}), "speaker-basis", ST, "speaker_basis"),
    # second statements audit F4: a mention of an inferred occasion without its note
    ("inferred_referent_mention_without_note", edit("event_mentions", {"event_id": "ev_motegi_remarks_nagoya", "char_start": "1281"}, {"notes": ""}),
     "mention-referent", "event_mentions", "notes"),
    # final statements audit F1, F2, O6: an occasion's basis and its mention's referent note agree
    ("referent_mention_with_another_note",
     edit(MEN, {"event_id": "ev_bangkok_kang_briefing", "article_id": "art002", "char_start": "3020"}, {"notes": "Kang's remarks to reporters."}),
     "mention-referent", MEN, "notes"),
    ("inferred_occasion_without_its_mention",
     remove(MEN, {"event_id": "ev_us_official_briefing", "char_start": "5237"}, (ST, {"statement_id": "st_002_27"})),
     "mention-referent", ST, "occasion_event_id"),
    ("merged_briefing_occasion_labelled_stated",  # art002's Kang remarks, taken as art004's briefing (Saito's are his own event: 0.5b R1)
     edit(ST, {"statement_id": "st_002_14"}, {"occasion_basis": "stated"}), "mention-referent", ST, "occasion_basis"),
    ("same_official_occasion_labelled_stated",
     edit(ST, {"statement_id": "st_002_26"}, {"occasion_basis": "stated"}), "mention-referent", ST, "occasion_basis"),
    # second events audit of 0.5 RF1: "in recent weeks" stored as the tests' own eight-week span, placed on 26 June
    ("recent_weeks_convention_stored_as_a_span",
     edit(EV, {"event_id": "ev_nk_missile_tests"}, {"date_start": "2019-06-26", "date_precision": "range"}), "convention-span", EV, "date_start"),
    # second events audit of 0.5 F1, F2, F5: a role or link on words whose referent is inferred or open, marked stated
    ("merged_briefing_role_stated",
     edit("event_actors", {"event_id": "ev_bangkok_kang_briefing", "article_id": "art002"}, {"role_basis": "stated"}),
     "inferred-referent", "event_actors", "role_basis"),
    ("candidate_referent_link_stated",
     edit(REL, {"event_id": "ev_kor_criticises_export_controls", "related_event_id": "ev_jpn_export_controls"}, {"basis": "stated"}),
     "inferred-referent", REL, "basis"),
    ("succession_on_an_inferred_related_event_stated",
     edit(REL, {"event_id": "ev_kang_remarks_nagoya", "related_event_id": "ev_motegi_remarks_nagoya"}, {"basis": "stated"}), "inferred-referent", REL, "basis"),
    # second events audit of 0.5 F7: the trip to Beijing given China as target (the stay is the host's meeting)
    ("trip_given_its_destination_as_target",
     copy_row("event_actors", {"event_id": "ev_kang_departs_beijing", "actor_id": "kang_kyung_wha"},
              {"actor_id": "chn", "role": "target", "role_basis": "inferred", "evidence_text": "Beijing", "char_start": "771", "char_end": "778",
               "notes": "The destination."}),
     "visit-side", "event_actors", "role"),
]


def assert_reported_where_it_is(fault: tuple[str, Mutation, str, str, str], package_copy: Path) -> None:
    """Apply the fault to a package copy; validation must fail with the fault's check at its table, row and field."""
    name, mutate, check, table, field = fault
    row = mutate(package_copy)
    report = validate(package_copy)
    assert not report.valid, name
    hits = [p for p in report.problems if p.check == check and p.file == f"data/{table}.csv"]
    assert hits, f"expected {check!r} in data/{table}.csv:\n{report.to_text()}"
    if check == "foreign-key":
        return  # FK errors carry no field name (frictionless)
    assert any(p.field == field and p.row == row for p in hits), [str(p) for p in hits]


@pytest.mark.parametrize("fault", FAULTS, ids=[f[0] for f in FAULTS])
def test_semantic_fault_is_reported_where_it_is(fault, package_copy):
    assert_reported_where_it_is(fault, package_copy)


def test_the_curated_tables_pass_every_semantic_check():
    report = validate()
    assert report.valid, report.to_text()
    for check in ("act-status", "threat-link", "occasion", "inferred-link", "claim-once", "neutral-title",
                  "parent-window", "unplaced-action", "ruling-agent", "cited-id", "inferred-reason", "statement-link",
                  "attribution-sentence", "joint-group", "role-coverage", "source-gives-news", "briefing-addressee", "credit-evidence",
                  "mention-referent", "inferred-country", "speaker-basis", "convention-span", "inferred-referent", "visit-side"):
        assert check in report.checks, check


def test_no_title_or_name_uses_a_loaded_word(rows):
    for table, column in (("events", "title"), ("agreements", "name")):
        for r in rows(table):
            assert not any(w in r[column].lower() for w in LOADED_WORDS), r[column]


# ---------- the occasion window rule, property-tested against a plain Python statement of it

DAY = st.one_of(st.none(), st.dates(min_value=dt.date(2019, 7, 1), max_value=dt.date(2019, 9, 30)))


def _contains(ev_start, ev_end, s_start, s_end) -> bool:
    """The occasion window [ev_start, ev_end] (None: unbounded) contains the said window [s_start, s_end]."""
    if ev_start is not None and (s_start is None or s_start < ev_start):
        return False
    if ev_end is not None and (s_end is None or s_end > ev_end):
        return False
    return True


@pytest.fixture(scope="module")
def tables():
    pkg = load_package(ROOT / "datapackage.json")
    return {n: pkg.table(n) for n in ("statements", "events")}


@settings(max_examples=150, deadline=None)
@given(ev_start=DAY, ev_end=DAY, s_start=DAY, s_end=st.dates(min_value=dt.date(2019, 7, 1), max_value=dt.date(2019, 9, 30)))
def test_occasion_window_rule_matches_its_definition(tables, ev_start, ev_end, s_start, s_end):
    con = duckdb.connect()
    attach_stage(con)  # where the typed tables live
    con.execute(f"CREATE TABLE {typed_name(tables['events'])} (_row INTEGER, event_id VARCHAR, status VARCHAR, date_start DATE, date_end DATE)")
    con.execute(f"CREATE TABLE {typed_name(tables['statements'])} (_row INTEGER, occasion_event_id VARCHAR, occasion_basis VARCHAR, "
                "said_date_start DATE, said_date_end DATE)")
    con.execute(f"INSERT INTO {typed_name(tables['events'])} VALUES (2, 'ev_x', 'occurred', ?, ?)", [ev_start, ev_end])
    con.execute(f"INSERT INTO {typed_name(tables['statements'])} VALUES (7, 'ev_x', 'stated', ?, ?)", [s_start, s_end])
    report = Report(descriptor="test")
    check_occasions(con, tables, report)
    flagged = any(p.check == "occasion" and p.row == 7 for p in report.problems)
    assert flagged == (not _contains(ev_start, ev_end, s_start, s_end))
    con.close()
