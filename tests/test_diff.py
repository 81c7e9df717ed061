"""`jpkr-data diff` and the generated "Data changes" section: by primary key, typed, safe on hostile packages; the id policy."""
from __future__ import annotations

import csv
import json
import os
import shutil
from pathlib import Path

import pytest
from built_release import built_release
from conftest import ROOT, read_rows
from hypothesis import given, settings
from hypothesis import strategies as st

from jpkr_data.cli import main
from jpkr_data.publication.diff import DiffError, diff_packages, identifier_policy_problems, merge_changelog, previous_snapshot, read_retired


def run(capsys, *args: str) -> tuple[int, str, str]:
    rc = main(list(args))
    out, err = capsys.readouterr()
    return rc, out, err


def write_rows(path: Path, rows: list[dict[str, str]], header: list[str]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, header, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


@pytest.fixture()
def changed_copy(package_copy) -> tuple[Path, dict]:
    """A valid package copy with one claim removed, one changed, one added; returns what was done."""
    claims = read_rows("claims", package_copy)
    released = {r["claim_id"] for r in read_rows("claims", ROOT / "releases" / "0.2.0")}  # a removal is of a released id
    gone = claims.pop(next(i for i in range(len(claims) - 1, 0, -1) if claims[i]["claim_id"] in released
                           and not any(claims[i]["claim_id"] in c["notes"] for c in claims)))  # no note cites it (cited-id)
    claims[0]["value"] += " (revised)"
    new_claim = dict(gone, claim_id="cl_999", value="a new value")  # the removed claim's span, so no span is claimed twice
    write_rows(package_copy / "data" / "claims.csv", claims + [new_claim], list(claims[0]))
    return package_copy, {"removed_claim": gone["claim_id"], "changed_claim": claims[0]["claim_id"], "added_claim": "cl_999"}


def test_snapshot_of_0_2_0_is_the_released_data():
    snap = previous_snapshot(ROOT, "0.2.0")
    assert snap == ROOT / "releases" / "0.2.0"
    d = json.loads((snap / "datapackage.json").read_text(encoding="utf-8"))
    assert d["version"] == "0.2.0" and all((snap / r["path"]).is_file() for r in d["resources"])
    assert previous_snapshot(ROOT, "0.1.9") is None and previous_snapshot(ROOT, "0.2.9") == snap and previous_snapshot(ROOT, "0.10.0") == ROOT / "releases" / "0.4.0"


def test_diff_reports_exactly_what_changed(changed_copy, capsys):
    pkg, done = changed_copy
    rc, out, err = run(capsys, "diff", str(ROOT), str(pkg), "--format", "json")
    assert rc == 0, err
    result = json.loads(out)
    tables = {t["table"]: t for t in result["tables"]}
    assert tables["claims"]["removed"] == [done["removed_claim"]] and tables["claims"]["added"] == [done["added_claim"]]
    [change] = tables["claims"]["changed"]
    assert change["key"] == done["changed_claim"] and list(change["fields"]) == ["value"]
    assert change["fields"]["value"]["new"] == change["fields"]["value"]["old"] + " (revised)"
    untouched = [t for n, t in tables.items() if n != "claims"]
    assert untouched and all(t["status"] == "same" and t["rows_old"] == t["rows_new"] == len(read_rows(t["table"])) for t in untouched)
    assert result["summary"] == {"added": 1, "removed": 1, "changed": 1}
    rc, text, _ = run(capsys, "diff", str(ROOT), str(pkg))
    assert rc == 0 and f"  - {done['removed_claim']}" in text and f"  ~ {done['changed_claim']}: value:" in text


def test_new_side_defaults_to_the_working_package(capsys):
    rc, out, err = run(capsys, "diff", str(ROOT / "releases" / "0.2.0"), "--format", "json")
    result = json.loads(out)
    assert rc == 0 and result["new"]["path"] == str(ROOT / "datapackage.json") and result["old"]["version"] == "0.2.0"


def test_composite_keys_and_typed_cells(package_copy):
    """Integers compare as numbers ('018' == '18'); a composite key is reported as {column: value}."""
    mentions = read_rows("event_mentions", package_copy)
    header = list(mentions[0])
    mentions[0]["char_end"] = "0" + mentions[0]["char_end"]
    mentions[1]["reported_status"] = "expected" if mentions[1]["reported_status"] != "expected" else "occurred"
    write_rows(package_copy / "data" / "event_mentions.csv", mentions, header)
    t = {x["table"]: x for x in diff_packages(ROOT, package_copy)["tables"]}["event_mentions"]
    assert len(t["changed"]) == 1
    key = t["changed"][0]["key"]
    assert key == {"event_id": mentions[1]["event_id"], "article_id": mentions[1]["article_id"], "char_start": int(mentions[1]["char_start"])}


def test_release_changelog_has_the_generated_section():
    rel = built_release()
    prev = previous_snapshot(ROOT, json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))["version"]).name
    text = (rel / "CHANGELOG.md").read_text(encoding="utf-8")
    assert text.startswith(f"# Changelog\n\n## Data changes since {prev} (generated)")
    assert text.index(f"## Data changes since {prev}") < text.index(f"## {prev} (")
    for name in ("events", "claims", "statements"):
        old, new = len(read_rows(name, ROOT / "releases" / prev)), len(read_rows(name))
        assert f"| {name} | {old} | {new} |" in text
    result = json.loads((rel / f"changes-since-{prev}.json").read_text(encoding="utf-8"))
    assert result["old"]["version"] == prev and {t["table"] for t in result["tables"]} == {r["name"] for r in json.loads((ROOT / "datapackage.json").read_text())["resources"]}
    assert f"changes-since-{prev}.json" in (rel / "SHA256SUMS").read_text(encoding="utf-8")


def test_changelog_section_lists_removed_ids(changed_copy, tmp_path):
    pkg, done = changed_copy
    shutil.copytree(ROOT / "releases", pkg / "releases")
    from jpkr_data.publication.release import build_release

    rel = build_release(tmp_path / "rel", pkg)
    text = (rel / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"- removed `{done['removed_claim']}`" in text and f"- added `{done['added_claim']}`" in text
    assert f"- changed `{done['changed_claim']}`: `value`" in text


def test_identifier_policy_holds_now():
    assert identifier_policy_problems(ROOT) == []


def test_identifier_policy_catches_unlisted_removal_and_reuse(changed_copy):
    pkg, done = changed_copy
    shutil.copytree(ROOT / "releases", pkg / "releases")
    problems = identifier_policy_problems(pkg)
    assert problems and all(done["removed_claim"] in p and "not listed" in p for p in problems)  # once per snapshot holding it
    with (pkg / "releases" / "retired_ids.csv").open("a", encoding="utf-8", newline="") as fh:
        fh.write(f"claims,{done['removed_claim']},0.3.0,test\n")
    assert ("claims", done["removed_claim"]) in read_retired(pkg)
    assert identifier_policy_problems(pkg) == []
    with (pkg / "releases" / "retired_ids.csv").open("a", encoding="utf-8", newline="") as fh:
        fh.write(f"claims,{done['added_claim']},0.3.0,retired then reused\n")
    problems = identifier_policy_problems(pkg)
    assert len(problems) == 1 and done["added_claim"] in problems[0] and "used again" in problems[0]


def _hostile(pkg: Path, how: str, tmp_path: Path) -> None:
    d = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    res = next(r for r in d["resources"] if r["name"] == "events")
    secret = tmp_path / "secret.csv"
    secret.write_text("event_id\nSECRET\n", encoding="utf-8")
    if how == "dotdot":
        res["path"] = "../../" + secret.name
    elif how == "absolute":
        res["path"] = str(secret)
    elif how == "url":
        res["path"] = "file:///etc/passwd.csv"
    elif how == "symlink":
        (pkg / "data" / "events.csv").unlink()
        os.symlink(secret, pkg / "data" / "events.csv")
    elif how == "missing":
        (pkg / "data" / "events.csv").unlink()
    elif how == "duplicate key":
        rows = (pkg / "data" / "events.csv").read_text(encoding="utf-8").splitlines(keepends=True)
        (pkg / "data" / "events.csv").write_text("".join(rows + rows[1:2]), encoding="utf-8")
    elif how == "ragged":
        with (pkg / "data" / "events.csv").open("a", encoding="utf-8") as fh:
            fh.write("ev_x,too,few\n")
    elif how == "not utf-8":
        (pkg / "data" / "events.csv").write_bytes((pkg / "data" / "events.csv").read_bytes() + b"ev_\xff\n")
    elif how == "bad json":
        (pkg / "datapackage.json").write_text("{", encoding="utf-8")
        return
    elif how == "no resources":
        d = {"name": "x"}
    elif how == "key column missing":
        res["schema"]["primaryKey"] = ["no_such_column"]
    (pkg / "datapackage.json").write_text(json.dumps(d), encoding="utf-8")


@pytest.mark.parametrize("how, says", [("dotdot", "outside"), ("absolute", "outside"), ("url", "outside"), ("symlink", "outside"),
                                       ("missing", "missing"), ("duplicate key", "appears twice"), ("ragged", f"row {len(read_rows('events')) + 2} has"),
                                       ("not utf-8", "not UTF-8"), ("bad json", "not valid UTF-8 JSON"), ("no resources", "not a data package"),
                                       ("key column missing", "no_such_column")])
def test_hostile_or_broken_sides_give_clear_errors(how, says, package_copy, tmp_path, capsys):
    _hostile(package_copy, how, tmp_path)
    for args in ((str(ROOT), str(package_copy)), (str(package_copy), str(ROOT))):
        rc, out, err = run(capsys, "diff", *args)
        assert rc == 1 and says in err and "Traceback" not in err and "SECRET" not in out + err, err
        with pytest.raises(DiffError):
            diff_packages(*args)


def test_missing_side(tmp_path, capsys):
    rc, _, err = run(capsys, "diff", str(tmp_path / "nope"), str(ROOT))
    assert rc == 1 and "no such datapackage.json" in err


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=0, max_size=30))
def test_text_output_never_carries_control_characters(value):
    """A hostile cell (escape sequences, newlines) is shown escaped in the text report, on one line."""
    from jpkr_data.publication.diff import render_text

    result = {"old": {"path": "a", "name": "n", "version": "1"}, "new": {"path": "b", "name": "n", "version": "2"},
              "summary": {"added": 0, "removed": 0, "changed": 1},
              "tables": [{"table": "t", "status": "changed", "rows_old": 1, "rows_new": 1, "added": [], "removed": [], "fields_added": [],
                          "fields_removed": [], "changed": [{"key": value, "fields": {"f": {"old": value, "new": "x"}}}]}]}
    lines = render_text(result).splitlines()
    assert len(lines) == 4 and all(c.isprintable() for line in lines for c in line)


def test_merge_changelog_places_the_section_before_the_first_release():
    assert merge_changelog("# Changelog\n\n## 1.0\n- x\n", "## Data\n") == "# Changelog\n\n## Data\n\n## 1.0\n- x\n"
    assert merge_changelog("no headings\n", "## Data\n") == "no headings\n\n## Data\n"


def test_release_zip_is_a_side(capsys):
    rel = built_release()
    [zipped] = rel.glob("jpkr-data-*.zip")
    rc, out, err = run(capsys, "diff", str(zipped), str(ROOT), "--format", "json")
    assert rc == 0, err
    result = json.loads(out)
    version = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))["version"]
    assert result["summary"] == {"added": 0, "removed": 0, "changed": 0} and result["old"]["path"].endswith(f"!jpkr-data-{version}/datapackage.json")
    assert all(t["rows_old"] == len(read_rows(t["table"])) for t in result["tables"])


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    import zipfile

    with zipfile.ZipFile(path, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    return path


@pytest.mark.parametrize("case, says", [("dotdot", "outside"), ("absolute", "outside"), ("missing member", "missing"),
                                        ("no descriptor", "no datapackage.json"), ("not a zip", "not a readable zip"),
                                        ("too big", "allowed")])
def test_hostile_zips_are_refused(case, says, tmp_path, capsys, monkeypatch):
    import jpkr_data.publication.diff as diff

    desc = {"name": "x", "resources": [{"name": "t", "path": "data/t.csv", "schema": {"fields": [{"name": "id"}], "primaryKey": ["id"]}}]}
    members = {"rel/datapackage.json": json.dumps(desc).encode(), "rel/data/t.csv": b"id\n1\n", "secret.csv": b"id\nSECRET\n"}
    if case == "dotdot":
        desc["resources"][0]["path"] = "../secret.csv"
    elif case == "absolute":
        desc["resources"][0]["path"] = "/secret.csv"
    elif case == "missing member":
        del members["rel/data/t.csv"]
    elif case == "no descriptor":
        del members["rel/datapackage.json"]
    elif case == "too big":
        monkeypatch.setattr(diff, "MAX_MEMBER", 4)
    if case in ("dotdot", "absolute"):
        members["rel/datapackage.json"] = json.dumps(desc).encode()
    target = tmp_path / "r.zip"
    if case == "not a zip":
        target.write_bytes(b"PK\x03\x04 not really")
    else:
        _zip(target, members)
    rc, out, err = run(capsys, "diff", str(target), str(target))
    assert rc == 1 and says in err and "Traceback" not in err and "SECRET" not in out + err, err


def _package(root: Path, rows: dict[str, str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "data").mkdir(exist_ok=True)
    desc = {"name": "p", "version": "1", "resources": [{"name": "t", "path": "data/t.csv", "schema": {
        "fields": [{"name": "id", "type": "string"}, {"name": "n", "type": "integer"}, {"name": "s", "type": "string"}], "primaryKey": ["id"]}}]}
    (root / "datapackage.json").write_text(json.dumps(desc), encoding="utf-8")
    with (root / "data" / "t.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n", quoting=csv.QUOTE_ALL)  # a lone CR in a cell must be quoted
        w.writerow(["id", "n", "s"])
        w.writerows([k, *v.split("|", 1)] for k, v in rows.items())
    return root


ids = st.text(alphabet="abcxyz_0123", min_size=1, max_size=4)
values = st.tuples(st.integers(-5, 5), st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=6).filter(lambda x: "|" not in x))


@settings(max_examples=60, deadline=None)
@given(old=st.dictionaries(ids, values, max_size=8), new=st.dictionaries(ids, values, max_size=8))
def test_diff_matches_a_set_computation(old, new, tmp_path_factory):
    """For any two versions of a table, added/removed/changed are exactly the set differences, changed fields exactly the differing cells."""
    tmp = tmp_path_factory.mktemp("p")
    a = _package(tmp / "a", {k: f"{n}|{s}" for k, (n, s) in old.items()})
    b = _package(tmp / "b", {k: f"{n}|{s}" for k, (n, s) in new.items()})
    [t] = diff_packages(a, b)["tables"]
    assert t["added"] == sorted(new.keys() - old.keys(), key=lambda k: json.dumps(k))
    assert t["removed"] == sorted(old.keys() - new.keys(), key=lambda k: json.dumps(k))
    expected = {}
    for k in old.keys() & new.keys():
        fields = {f for f, x, y in (("n", old[k][0], new[k][0]), ("s", old[k][1] or None, new[k][1] or None)) if x != y}
        if fields:
            expected[k] = fields
    assert {c["key"]: set(c["fields"]) for c in t["changed"]} == expected
