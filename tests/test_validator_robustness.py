"""The validator never crashes and never guesses: malformed descriptors are located by JSON path,
valid CSV is accepted whatever its size or line endings, and hostile files give capped reports."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import duckdb
import pytest
from conftest import ROOT

from jpkr_data.validator import Report, validate
from jpkr_data.validator.pipeline import run_pipeline
from jpkr_data.validator.report import MAX_PROBLEMS
from jpkr_data.validator.staging import MAX_PER_FILE

DESCRIPTOR = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
NAMES = [r["name"] for r in DESCRIPTOR["resources"]]
MENTIONS = NAMES.index("event_mentions")
ACTORS = NAMES.index("actors")


def write_descriptor(pkg: Path, d) -> None:
    (pkg / "datapackage.json").write_text(json.dumps(d, ensure_ascii=False), encoding="utf-8")


def problems_at(pkg: Path) -> dict[str, str]:
    """JSON path -> message of every descriptor problem validate() reports."""
    report = validate(pkg)
    assert not report.valid
    return {p.json_path: p.message for p in report.problems if p.check == "descriptor"}


def changed(change) -> dict:
    d = json.loads(json.dumps(DESCRIPTOR))
    change(d)
    return d


def fld(d: dict, table: str, name: str) -> dict:
    return next(f for f in d["resources"][NAMES.index(table)]["schema"]["fields"] if f["name"] == name)


def fk(d: dict, k: int = 0) -> dict:
    return d["resources"][MENTIONS]["schema"]["foreignKeys"][k]


# ---------------------------------------------------------------- malformed descriptors, located by JSON path

M = f"resources[{MENTIONS}].schema.foreignKeys[0]"
CASES = {
    "descriptor_is_an_array": ([DESCRIPTOR], "(top level)"),
    "descriptor_is_null": (None, "(top level)"),
    "descriptor_is_a_number": (42, "(top level)"),
    "descriptor_is_a_string": ("datapackage", "(top level)"),
    "resources_not_a_list": (changed(lambda d: d.update(resources={"a": 1})), "resources"),
    "resources_empty": (changed(lambda d: d.update(resources=[])), "resources"),
    "resources_missing": (changed(lambda d: d.pop("resources")), "resources"),
    "resource_not_an_object": (changed(lambda d: d["resources"].__setitem__(0, "articles")), "resources[0]"),
    "schema_missing": (changed(lambda d: d["resources"][0].pop("schema")), "resources[0].schema"),
    "schema_a_string": (changed(lambda d: d["resources"][0].update(schema="schema.json")), "resources[0].schema"),
    "fields_not_a_list": (changed(lambda d: d["resources"][0]["schema"].update(fields={"name": "x"})), "resources[0].schema.fields"),
    "field_without_name": (changed(lambda d: d["resources"][0]["schema"]["fields"][0].pop("name")), "resources[0].schema.fields[0].name"),
    "field_name_a_number": (changed(lambda d: d["resources"][0]["schema"]["fields"][0].update(name=7)), "resources[0].schema.fields[0].name"),
    "field_not_an_object": (changed(lambda d: d["resources"][0]["schema"]["fields"].__setitem__(0, "article_id")), "resources[0].schema.fields[0]"),
    "reference_a_string": (changed(lambda d: fk(d).update(reference="events")), f"{M}.reference"),
    "fk_from_missing_field": (changed(lambda d: fk(d).update(fields=["nope"])), f"{M}.fields"),
    "fk_to_missing_field": (changed(lambda d: fk(d)["reference"].update(fields=["nope"])), f"{M}.reference.fields"),
    "fk_two_fields_one_referenced": (changed(lambda d: fk(d).update(fields=["event_id", "article_id"])), f"{M}.reference.fields"),
    "fk_to_missing_resource": (changed(lambda d: fk(d)["reference"].update(resource="nowhere")), f"{M}.reference.resource"),
    "fk_reference_resource_a_number": (changed(lambda d: fk(d)["reference"].update(resource=3)), f"{M}.reference.resource"),
    "fk_to_a_field_that_is_not_a_key": (changed(lambda d: fk(d)["reference"].update(fields=["title"])), f"{M}.reference.fields"),
    "fk_between_types": (changed(lambda d: fk(d)["reference"].update(resource="articles", fields=["source_bytes"])), f"{M}.fields"),
    "foreign_keys_not_a_list": (changed(lambda d: d["resources"][MENTIONS]["schema"].update(foreignKeys={})), f"resources[{MENTIONS}].schema.foreignKeys"),
    "primary_key_missing_field": (changed(lambda d: d["resources"][ACTORS]["schema"].update(primaryKey=["nobody"])), f"resources[{ACTORS}].schema.primaryKey"),
    "primary_key_a_number": (changed(lambda d: d["resources"][ACTORS]["schema"].update(primaryKey=1)), f"resources[{ACTORS}].schema.primaryKey"),
    "path_a_list": (changed(lambda d: d["resources"][0].update(path=["a.csv", "b.csv"])), "resources[0].path"),
    "path_a_number": (changed(lambda d: d["resources"][0].update(path=3)), "resources[0].path"),
    "path_absolute": (changed(lambda d: d["resources"][0].update(path=str(ROOT / "data" / "articles.csv"))), "resources[0].path"),
    "dialect_semicolon": (changed(lambda d: d["resources"][0].update(dialect={"delimiter": ";"})), "resources[0].dialect.delimiter"),
    "encoding_latin1": (changed(lambda d: d["resources"][0].update(encoding="latin-1")), "resources[0].encoding"),
    "profile_unknown": (changed(lambda d: d.update(profile="weird")), "profile"),
    "source_title_not_a_string": (changed(lambda d: d["sources"][0].update(title=None)), "sources[0].title"),
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_malformed_descriptor_is_located_by_json_path(package_copy, case):
    d, path = CASES[case]
    write_descriptor(package_copy, d)
    found = problems_at(package_copy)
    assert path in found, found


ACTOR_NAME = f"resources[{ACTORS}].schema.fields[{[f['name'] for f in DESCRIPTOR['resources'][ACTORS]['schema']['fields']].index('name')}]"
CHAR_START = f"resources[{MENTIONS}].schema.fields[{[f['name'] for f in DESCRIPTOR['resources'][MENTIONS]['schema']['fields']].index('char_start')}]"


@pytest.mark.parametrize("constraints,where", [
    ({"enum": [1, 2, None, True]}, f"{ACTOR_NAME}.constraints.enum[0]"),
    ({"enum": ["a", None]}, f"{ACTOR_NAME}.constraints.enum[1]"),
    ({"enum": []}, f"{ACTOR_NAME}.constraints.enum"),
    ({"enum": "a"}, f"{ACTOR_NAME}.constraints.enum"),
    ({"pattern": "[a-"}, f"{ACTOR_NAME}.constraints.pattern"),
    ({"pattern": "(?=a)a"}, f"{ACTOR_NAME}.constraints.pattern"),
    ({"pattern": 5}, f"{ACTOR_NAME}.constraints.pattern"),
    ({"maxLength": "ten"}, f"{ACTOR_NAME}.constraints.maxLength"),
    ({"minLength": -1}, f"{ACTOR_NAME}.constraints.minLength"),
    ({"minLength": True}, f"{ACTOR_NAME}.constraints.minLength"),
    ({"required": "false"}, f"{ACTOR_NAME}.constraints.required"),
    ({"required": 0}, f"{ACTOR_NAME}.constraints.required"),
    ({"unique": "yes"}, f"{ACTOR_NAME}.constraints.unique"),
    ({"minimum": 3}, f"{ACTOR_NAME}.constraints.minimum"),
    ({"nonsense": 1}, f"{ACTOR_NAME}.constraints.nonsense"),
    ("required", f"{ACTOR_NAME}.constraints"),
], ids=["enum_mixed_types_on_string", "enum_null", "enum_empty", "enum_not_a_list", "regex_python_invalid", "regex_re2_invalid",
        "pattern_not_a_string", "max_length_string", "min_length_negative", "min_length_boolean", "required_string_false",
        "required_zero", "unique_string", "minimum_on_a_string", "unknown_constraint", "constraints_a_string"])
def test_bad_constraint_on_a_string_field_is_located(package_copy, constraints, where):
    write_descriptor(package_copy, changed(lambda d: fld(d, "actors", "name").update(constraints=constraints)))
    assert where in problems_at(package_copy)


@pytest.mark.parametrize("constraints,where", [
    ({"enum": ["abc"]}, f"{CHAR_START}.constraints.enum[0]"),
    ({"enum": [1.5]}, f"{CHAR_START}.constraints.enum[0]"),
    ({"minimum": "zero"}, f"{CHAR_START}.constraints.minimum"),
    ({"minimum": 2 ** 70}, f"{CHAR_START}.constraints.minimum"),
    ({"maximum": False}, f"{CHAR_START}.constraints.maximum"),
    ({"pattern": "\\d+"}, f"{CHAR_START}.constraints.pattern"),
], ids=["enum_string_on_integer", "enum_float_on_integer", "minimum_string", "minimum_beyond_bigint", "maximum_boolean", "pattern_on_integer"])
def test_bad_constraint_on_an_integer_field_is_located(package_copy, constraints, where):
    write_descriptor(package_copy, changed(lambda d: fld(d, "event_mentions", "char_start").update(constraints=constraints)))
    assert where in problems_at(package_copy)


def test_required_false_given_as_a_string_is_never_read_as_true(package_copy):
    """A schema saying required: "false" is refused, not taken as required (nor as optional)."""
    write_descriptor(package_copy, changed(lambda d: fld(d, "actors", "name")["constraints"].update(required="false")))
    found = problems_at(package_copy)
    assert "must be true or false" in found[f"{ACTOR_NAME}.constraints.required"]


def test_a_foreign_key_cycle_between_tables_is_reported_not_raised(package_copy):
    def cycle(d):
        d["resources"][NAMES.index("articles")]["schema"]["foreignKeys"].append(
            {"fields": ["article_id"], "reference": {"resource": "event_mentions", "fields": ["article_id"]}})
    write_descriptor(package_copy, changed(cycle))
    found = problems_at(package_copy)
    assert any("cycle" in m or "neither the primary key" in m for m in found.values()), found


@pytest.mark.parametrize("text", ["[" * 100_000 + "]" * 100_000, '{"resources": ' + "[" * 50_000 + "]" * 50_000 + "}",
                                  '{"name": ' + "9" * 5000 + "}", "{", "", "\ufeff{}", '{"resources": NaN}'],
                         ids=["deeply_nested_array", "deeply_nested_value", "integer_of_5000_digits", "truncated", "empty", "bom", "nan"])
def test_unreadable_json_gives_a_report(package_copy, text):
    (package_copy / "datapackage.json").write_text(text, encoding="utf-8")
    report = validate(package_copy)
    assert not report.valid and report.problems[0].check == "descriptor"


def test_descriptor_that_is_not_utf8_gives_a_report(package_copy):
    (package_copy / "datapackage.json").write_bytes(b'{"name": "\xff"}')
    assert "not UTF-8" in validate(package_copy).problems[0].message


def test_unreadable_descriptor_gives_a_report(package_copy, monkeypatch):
    """A permission error (simulated: the tests may run as root, which reads anything) is a report, not a traceback."""
    real = Path.read_bytes

    def deny(self):
        if self.name == "datapackage.json":
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)
    monkeypatch.setattr(Path, "read_bytes", deny)
    report = validate(package_copy)
    assert not report.valid and "permission denied" in report.problems[0].message


def test_unreadable_data_file_is_named_in_the_report(package_copy, monkeypatch):
    real = Path.read_bytes

    def deny(self):
        if self.name == "actors.csv":
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)
    monkeypatch.setattr(Path, "read_bytes", deny)
    errs = [p for p in validate(package_copy).problems if p.file == "data/actors.csv"]
    assert errs and "cannot be read" in errs[0].message


def test_descriptor_that_is_a_directory_gives_a_report(tmp_path):
    (tmp_path / "datapackage.json").mkdir()
    report = validate(tmp_path)
    assert not report.valid and "directory" in report.problems[0].message


def test_data_file_that_is_a_directory_is_named(package_copy):
    (package_copy / "data" / "cameo_codes.csv").unlink()
    (package_copy / "data" / "cameo_codes.csv").mkdir()
    errs = [p for p in validate(package_copy).problems if p.file == "data/cameo_codes.csv"]
    assert errs and "directory" in errs[0].message


def test_missing_package_gives_a_report(tmp_path):
    report = validate(tmp_path / "nowhere")
    assert not report.valid and "no such datapackage.json" in report.problems[0].message


def test_absolute_paths_to_validate_are_accepted(package_copy):
    assert validate(str(package_copy.resolve())).valid
    assert validate(package_copy.resolve() / "datapackage.json").valid


def test_tables_missing_what_the_dataset_checks_read_give_a_report(package_copy):
    """A package whose `events` dates are strings cannot run the date checks: reported, not raised."""
    def as_strings(d):
        for name in ("date_start", "date_end"):
            fld(d, "events", name)["type"] = "string"
    write_descriptor(package_copy, changed(as_strings))
    report = validate(package_copy)
    assert not report.valid and any(p.check == "integrity" for p in report.problems), report.to_text()


# ---------------------------------------------------------------- valid CSV is accepted whatever its size or line endings

def set_note(pkg: Path, value: str, row: int = 2) -> None:
    """Put `value` in cameo_codes.crosswalk_note of one row (a free-text field)."""
    path = pkg / "data" / "cameo_codes.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    rows[row - 1][rows[0].index("crosswalk_note")] = value
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


def staged_notes(pkg: Path) -> list:
    """crosswalk_note as the validator staged it, in file order."""
    con = duckdb.connect(":memory:")
    try:
        report, _ = run_pipeline(con, pkg / "datapackage.json", build=False)
        assert report.valid, report.to_text()
        return [r[0] for r in con.execute('SELECT crosswalk_note FROM "stg:cameo_codes" ORDER BY _row').fetchall()]
    finally:
        con.close()


def frictionless_accepts(pkg: Path) -> bool:
    frictionless = pytest.importorskip("frictionless")
    return frictionless.Package(str(pkg / "datapackage.json")).validate().valid


@pytest.mark.parametrize("size", [200_000, 3_000_000], ids=["200k_chars", "3M_chars"])
def test_long_field_is_accepted_whole(package_copy, size):
    value = ("word, \"quoted\" " * (size // 15 + 1))[:size]
    set_note(package_copy, value)
    assert staged_notes(package_copy)[0] == value


def test_long_field_is_accepted_by_frictionless_too(package_copy):
    set_note(package_copy, "x" * 200_000)
    assert frictionless_accepts(package_copy)


def line_endings(pkg: Path, change) -> None:
    path = pkg / "data" / "cameo_codes.csv"
    path.write_bytes(change(path.read_bytes()))


@pytest.mark.parametrize("change", [
    lambda b: b.replace(b"\n", b"\r\n", 3),
    lambda b: b.replace(b"\n", b"\r"),
    lambda b: b.replace(b"\n", b"\r", 2).replace(b"\n", b"\r\n", 2),
], ids=["mixed_lf_crlf", "cr_only", "cr_crlf_and_lf"])
def test_line_endings_frictionless_accepts_are_accepted_with_the_same_values(package_copy, change):
    expected = [r["crosswalk_note"] or None for r in csv.DictReader((package_copy / "data" / "cameo_codes.csv").open(encoding="utf-8", newline=""))]
    line_endings(package_copy, change)
    assert frictionless_accepts(package_copy)
    assert staged_notes(package_copy) == expected


def test_carriage_return_inside_a_quoted_field_is_kept(package_copy):
    set_note(package_copy, "first line\r\nsecond line\rthird")
    assert staged_notes(package_copy)[0] == "first line\r\nsecond line\rthird"


# ---------------------------------------------------------------- hostile files: capped reports, linear header check

def ragged(problems) -> list:
    return [p for p in problems if p.check == "ragged-row"]


def test_a_megabyte_of_blank_lines_gives_a_capped_report_with_a_count(package_copy):
    with (package_copy / "data" / "actors.csv").open("ab") as fh:
        fh.write(b"\n" * 1_000_000)
    report = validate(package_copy)
    rows = ragged(report.problems)
    assert len(rows) == MAX_PER_FILE + 1
    assert f"{1_000_000 - MAX_PER_FILE} more rows" in rows[-1].message


def test_five_megabytes_of_ragged_rows_give_a_capped_report(package_copy):
    with (package_copy / "data" / "actors.csv").open("ab") as fh:
        fh.write(b"a,b\n" * 1_250_000)
    report = validate(package_copy)
    rows = ragged(report.problems)
    assert len(rows) == MAX_PER_FILE + 1 and "more rows" in rows[-1].message
    assert rows[0].row == sum(1 for _ in (ROOT / "data" / "actors.csv").open(encoding="utf-8")) + 1


def test_errors_are_capped_in_total(package_copy):
    """Six files with hundreds of errors each: the report keeps MAX_PROBLEMS and counts the rest."""
    for name in ("actors", "events", "claims", "statements", "event_mentions", "article_segments"):
        with (package_copy / "data" / f"{name}.csv").open("ab") as fh:
            fh.write(b"\n" * 1000)
    report = validate(package_copy)
    assert len(report.problems) == MAX_PROBLEMS and report.not_listed > 0
    assert f"{report.not_listed} more errors not listed" in report.to_text()
    assert report.to_dict()["error_count"] == MAX_PROBLEMS + report.not_listed


def test_a_header_of_a_million_columns_is_checked_quickly_and_reported_briefly(package_copy):
    path = package_copy / "data" / "actors.csv"
    path.write_text(",".join(f"c{i}" for i in range(1_000_000)) + "\n", encoding="utf-8")
    errs = [p for p in validate(package_copy).problems if p.file == "data/actors.csv"]
    assert errs and errs[0].check == "header"
    assert "and 999990 more" in errs[0].message and len(str(errs[0])) < 5000


def test_a_header_of_duplicates_is_reported_once(package_copy):
    path = package_copy / "data" / "actors.csv"
    path.write_text(",".join(["x"] * 200_000) + "\n", encoding="utf-8")
    errs = [p for p in validate(package_copy).problems if p.file == "data/actors.csv"]
    assert any("duplicate header name(s): 'x'" in p.message for p in errs)


def test_report_of_a_valid_package_lists_nothing_more():
    report = validate(ROOT)
    assert isinstance(report, Report) and report.valid and report.not_listed == 0
