"""Differential tests: frictionless is the oracle for what the Table Schemas declare.

For every corrupted copy, if frictionless rejects it we must reject it too, and every error
frictionless locates (file, row, field) we must locate as well. We check more than the schemas
say (spans, checksums, dates, views, quotations, parent cycles, header order, encoding), so a
copy frictionless accepts may still be invalid for us: those cases are listed in STRICTER with
the reason.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import ROOT
from faults import FAULTS, read, write
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jpkr_data.validator import validate

frictionless = pytest.importorskip("frictionless")

# Faults that only jpkr-data rejects, and why that is right.
STRICTER = {
    "span_text_edited": "spans are a jpkr:spans extension; frictionless does not read source texts",
    "span_offset_shifted": "idem",
    "addressee_span_shifted": "idem (statement_addressees spans, 0.4.0)",
    "about_link_evidence_edited": "idem (statement_events evidence spans, 0.4.0)",
    "span_past_end_of_source": "idem",
    "source_file_edited": "source checksums are checked against the files, which frictionless does not open",
    "checksum_edited": "idem",
    "missing_source_file": "idem",
    "header_wrong_order": "frictionless matches headers to fields by name (schema_sync); we require the schema's order",
    "latin1_file": "frictionless detects and accepts other encodings; the package promises UTF-8",
    "byte_order_mark": "frictionless strips a BOM; we ask for plain UTF-8",
    "view_does_not_compile": "views are not part of the Frictionless model",
    "view_misnamed": "idem",
    "parent_cycle": "Table Schema foreign keys cannot express acyclicity",
    "event_without_mention": "a cross-table cardinality rule, not expressible in Table Schema",
    "dates_reversed": "date coherence across fields is not expressible in Table Schema",
    "inferred_date_without_reasoning": "conditional requirement, not expressible in Table Schema",
    "said_after_article": "cross-table date rule",
    "quotation_unclassified": "quotation completeness needs the source text",
    "evidence_in_boilerplate": "conditional requirement on segment text",
    "body_end_past_source": "needs the source text",
    "event_code_missing": "conditional requirement (code unless a deadline)",
    "claim_subject_missing": "a polymorphic reference (subject_table + subject_id), not expressible as a foreign key",
    "claim_dyad_unordered": "a dyad's two actor ids must be in alphabetical order; a cross-field rule Table Schema cannot state",
    "claim_dyad_unknown_actor": "a dyad's actor ids are checked against actors; a reference packed in one field, not expressible as a foreign key",
    "empty_file": "frictionless reports an empty file differently depending on version; we require a header",
    "header_duplicated": "frictionless may report duplicate labels as a warning-level label error only",
    "whitespace_in_key": "frictionless treats ' art000' as a different string, caught only if a foreign key breaks",
    "header_missing_column": "frictionless reports a missing label; we report the header",
    "view_two_statements": "views are not part of the Frictionless model; a view file holds exactly one CREATE VIEW",
    "view_reads_a_file": "idem; a view reads only the package's tables",
}


def frictionless_errors(pkg: Path) -> tuple[bool, set[tuple[str, int | None, str | None]]]:
    """frictionless' verdict and located errors; a descriptor it refuses to load is a rejection of the descriptor."""
    try:
        report = frictionless.Package(str(pkg / "datapackage.json")).validate()
    except Exception:  # noqa: BLE001 - frictionless raises FrictionlessException, re.error or AttributeError on bad descriptors: all reject
        return False, {("datapackage.json", None, None)}
    located = set()
    for task in report.tasks:
        for err in task.errors:
            located.add((task.place, getattr(err, "row_number", None), getattr(err, "field_name", None) or None))
    return report.valid, located


SHAPE_CHECKS = {"header", "ragged-row", "csv-syntax", "encoding", "missing-file"}


def ours(pkg: Path) -> tuple[bool, set[tuple[str, int | None, str | None]]]:
    """Our verdict and located errors. A file whose shape is broken (header, encoding, ragged
    rows, CSV syntax) is reported once and not checked cell by cell, whereas frictionless goes
    on and reports the cells that the broken shape misaligns: those files are marked with the
    pseudo-location (file, None, '*shape*')."""
    report = validate(pkg)
    located = set()
    for p in report.problems:
        if p.check in SHAPE_CHECKS:
            located.add((p.file, None, "*shape*"))
        for f in (p.field or "").split(","):
            located.add((p.file, p.row, f or None))
    return report.valid, located


def assert_agree(pkg: Path, name: str) -> None:
    fr_valid, fr_errs = frictionless_errors(pkg)
    our_valid, our_errs = ours(pkg)
    if not fr_valid:
        assert not our_valid, f"{name}: frictionless rejects, jpkr-data accepts: {fr_errs}"
    if fr_valid and not our_valid:
        assert name in STRICTER, f"{name}: only jpkr-data rejects; document why in STRICTER"
    ours_rows = {(f, r) for f, r, _ in our_errs}
    for file, row, field in fr_errs:
        if row is None or (file, None, "*shape*") in our_errs:
            continue  # file-level errors, or a file we reject as a whole: the verdict is compared above
        if field is None:  # foreign-key errors carry no field name
            assert (file, row) in ours_rows, f"{name}: frictionless found {file} row {row}; we did not"
        else:
            assert (file, row, field) in our_errs, f"{name}: frictionless found {file} row {row} field {field}; we did not: {sorted(our_errs)[:5]}"


def test_both_accept_the_package():
    assert frictionless_errors(ROOT)[0] and ours(ROOT)[0]


@pytest.mark.parametrize("fault", FAULTS, ids=[f.name for f in FAULTS])
def test_catalogue_agrees_with_frictionless(fault, package_copy):
    fault.mutate(package_copy)
    assert_agree(package_copy, fault.name)


SCHEMA_FAULTS = [f for f in FAULTS if f.name not in STRICTER]


def test_schema_faults_are_rejected_by_both():
    assert len(SCHEMA_FAULTS) >= 10  # types, dates, enums, keys, patterns, ragged rows ...


TABLES = ["events", "event_mentions", "statements", "actors", "claims", "agreements"]
VALUES = st.one_of(
    st.just(""), st.just(" "), st.text(max_size=6),
    st.integers(-5, 10**7).map(str), st.sampled_from(["2019-02-30", "2019-8-1", "1e3", "NaN", "ev_x", "art999", "state", "JPN", "occurred"]),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(table=st.sampled_from(TABLES), row=st.integers(2, 8), col=st.integers(0, 30), value=VALUES)
def test_generated_cell_corruptions_agree(tmp_path_factory, table, row, col, value):
    pkg = tmp_path_factory.mktemp("gen")
    shutil.copy2(ROOT / "datapackage.json", pkg / "datapackage.json")
    shutil.copytree(ROOT / "data", pkg / "data")
    shutil.copytree(ROOT / "sql", pkg / "sql")
    rows = read(pkg, table)
    c = col % len(rows[0])
    rows[row - 1][c] = value
    write(pkg, table, rows)
    fr_valid, _ = frictionless_errors(pkg)
    name = f"{table}[{row}].{rows[0][c]}={value!r}"
    if fr_valid and not ours(pkg)[0]:
        return  # spans, dates and other rules only we check (see STRICTER)
    assert_agree(pkg, name)


# Descriptor rules where we deliberately stay stricter than frictionless (README, "Deliberate differences
# from frictionless"): frictionless accepts each of these packages, we reject each, and why.
def _edit(change):
    def mutate(pkg: Path) -> None:
        import json

        d = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
        change(d)
        (pkg / "datapackage.json").write_text(json.dumps(d), encoding="utf-8")
    return mutate


def _field(d, table, name):
    res = next(r for r in d["resources"] if r["name"] == table)
    return next(f for f in res["schema"]["fields"] if f["name"] == name)


DELIBERATE = {
    "pattern_valid_in_python_not_in_re2": (
        _edit(lambda d: _field(d, "actors", "actor_id")["constraints"].update(pattern="(?=[a-z])[a-z0-9_]+")),
        "DuckDB runs every pattern with RE2, which has no look-around or back-reference: a pattern it cannot run is refused, not skipped"),
    "resource_name_with_a_dot_segment": (
        _edit(lambda d: [r.update(name="./article_credits") for r in d["resources"] if r["name"] == "article_credits"] and None),
        "resource names also name files of a release (data/<name>.parquet): '.', '..' and empty segments are refused"),
    "foreign_key_to_a_field_that_is_not_a_key": (
        _edit(lambda d: next(r for r in d["resources"] if r["name"] == "event_mentions")["schema"]["foreignKeys"].append(
            {"fields": ["article_id"], "reference": {"resource": "", "fields": ["article_id"]}})),
        "a DuckDB foreign key needs the referenced fields to be a primary key or unique, so the build could not hold it"),
}


@pytest.mark.parametrize("name", list(DELIBERATE), ids=list(DELIBERATE))
def test_deliberate_difference_is_real(name, package_copy):
    mutate, _reason = DELIBERATE[name]
    mutate(package_copy)
    assert not ours(package_copy)[0], f"{name}: we must reject"
    assert frictionless_errors(package_copy)[0], f"{name}: frictionless accepts (else it is not a difference)"
