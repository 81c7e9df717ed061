"""Parallel acts coded alike (jpkr_data/validator/analysis_checks.py): each fault of the class is reported at its row and field."""
from __future__ import annotations

import pytest
from test_semantics import _read, edit, remove

from jpkr_data.validator import validate

EV, EA = "events", "event_actors"


def _event_row(event_id: str):
    return lambda pkg: next(i for i, r in enumerate(_read(pkg, EV), start=2) if r["event_id"] == event_id)


def _then(first, second):
    def mutate(pkg):
        first(pkg)
        return second(pkg)
    return mutate


FAULTS = [
    # (name, mutation, check, table, field)
    ("announced_restrictions_left_to_a_statement",  # 0.3.0: South Korea's announced restrictions coded 010 while Japan's 163 counts
     edit(EV, {"event_id": "ev_kor_import_restrictions"}, {"cameo_code": "010", "event_type": "press_event"}),
     "parallel-measure", EV, "cameo_code"),
    ("announced_measure_coded_as_an_appeal",
     edit(EV, {"event_id": "ev_kor_import_restrictions"}, {"cameo_code": "020"}), "parallel-measure", EV, "cameo_code"),
    ("warning_of_repercussions_aimed_at_nobody",  # 0.3.0: in no dyad, so in no series
     _then(remove(EA, {"event_id": "ev_kor_warns_repercussions", "role": "target"}, (EV, {"event_id": "ev_kor_warns_repercussions"})),
           _event_row("ev_kor_warns_repercussions")),
     "parallel-target", EV, "event_id"),
    ("refusal_to_resume_talks_aimed_at_nobody",
     _then(remove(EA, {"event_id": "ev_jpn_refuses_export_talks", "role": "target"}, (EV, {"event_id": "ev_jpn_refuses_export_talks"})),
           _event_row("ev_jpn_refuses_export_talks")),
     "parallel-target", EV, "event_id"),
    ("threat_of_countermeasures_aimed_at_nobody",
     _then(remove(EA, {"event_id": "ev_kang_warns_countermeasures", "role": "target"}, (EV, {"event_id": "ev_kang_warns_countermeasures"})),
           _event_row("ev_kang_warns_countermeasures")),
     "parallel-target", EV, "event_id"),
]


@pytest.mark.parametrize("fault", FAULTS, ids=[f[0] for f in FAULTS])
def test_parallel_fault_is_reported_where_it_is(fault, package_copy):
    name, mutate, check, table, field = fault
    row = mutate(package_copy)
    report = validate(package_copy)
    hits = [p for p in report.problems if p.check == check and p.file == f"data/{table}.csv"]
    assert hits, f"{name}: expected {check!r} in data/{table}.csv:\n{report.to_text()}"
    assert any(p.field == field and p.row == row for p in hits), [str(p) for p in hits]


def test_a_measure_only_threatened_or_a_background_period_is_not_a_fault(package_copy):
    """A threatened measure stays uncounted, and colonial rule (a background period) is coded by the period rules: no finding."""
    edit(EV, {"event_id": "ev_kor_countermeasures"}, {"event_type": "policy_measure", "cameo_code": "163"})(package_copy)
    report = validate(package_copy)
    assert not [p for p in report.problems if p.check.startswith("parallel-")], report.to_text()


def test_the_curated_tables_have_parallel_acts_coded_alike():
    report = validate()
    assert report.valid, report.to_text()
    assert {"parallel-measure", "parallel-target"} <= set(report.checks)
