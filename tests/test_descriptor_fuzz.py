"""Random JSON mutations of the real descriptor never produce a traceback, and never pass what frictionless rejects.

Each example changes one to three places of datapackage.json (a value replaced by an odd one of
another type, a key deleted, a key added, a value wrapped in an array) at random JSON paths.
validate() must return a report; when it says valid, frictionless must say valid as well.
"""
from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jpkr_data.validator import Report, validate

DESCRIPTOR = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))


def json_paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path (a tuple of keys and indexes) into a JSON tree, the root excluded."""
    out = []
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else []
    for key, child in items:
        out.append(prefix + (key,))
        out += json_paths(child, prefix + (key,))
    return out


PATHS = json_paths(DESCRIPTOR)
# Paths where a change matters most (resources, schemas, fields, keys), weighted by being listed again.
SCHEMA_PATHS = [p for p in PATHS if p[0] == "resources" and "description" not in p and "title" not in p]

NESTED = [[[[[[[[[[["deep"]]]]]]]]]]]
ODD = st.sampled_from([
    None, True, False, 0, -1, 1.5, 10 ** 30, 1e308, "", "x", "string", "integer", "../../etc/passwd", "/etc/passwd",
    "file:///etc/passwd", 'a"; DROP TABLE events; --', "ü" * 3, "a" * 5000, [], {}, [None], [1, 2, None, True], ["abc"],
    {"resource": "nope", "fields": ["x"]}, {"name": "x"}, NESTED, "[a-", "(?=a)", "zero", "false",
])


def mutate(d: Any, path: tuple, kind: str, value: Any) -> Any:
    """Apply one mutation at `path` of a deep copy's node; return the (possibly new) root."""
    if not path:
        return value
    parent = d
    for key in path[:-1]:
        parent = parent[key]
    key = path[-1]
    if kind == "replace":
        parent[key] = value
    elif kind == "delete":
        del parent[key]
    elif kind == "wrap":
        parent[key] = [parent[key]]
    elif kind == "insert" and isinstance(parent[key], dict):
        parent[key]["jpkr:odd" if value is None else str(value)[:20]] = value
    elif kind == "insert" and isinstance(parent[key], list):
        parent[key].append(value)
    else:
        parent[key] = value
    return d


mutation = st.tuples(st.sampled_from(PATHS + SCHEMA_PATHS * 3), st.sampled_from(["replace", "replace", "delete", "wrap", "insert"]), ODD)


@pytest.fixture(scope="module")
def pkg(tmp_path_factory) -> Path:
    """One writable copy of the package; each example rewrites only its descriptor."""
    dst = tmp_path_factory.mktemp("fuzz")
    shutil.copytree(ROOT / "data", dst / "data")
    shutil.copytree(ROOT / "sql", dst / "sql")
    return dst


def apply(mutations: list) -> Any:
    """The real descriptor with the mutations applied in order (a path made stale by an earlier one is skipped)."""
    d = copy.deepcopy(DESCRIPTOR)
    for path, kind, value in mutations:
        try:
            d = mutate(d, path, kind, copy.deepcopy(value))
        except (KeyError, IndexError, TypeError):
            continue
    return d


def frictionless_valid(descriptor_file: Path) -> bool:
    """frictionless' verdict; a descriptor it cannot even load is a rejection."""
    frictionless = pytest.importorskip("frictionless")
    try:
        return frictionless.Package(str(descriptor_file)).validate().valid
    except Exception:  # noqa: BLE001 - frictionless raises many kinds on a malformed descriptor: all are rejections
        return False


@settings(max_examples=70, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(mutations=st.lists(mutation, min_size=1, max_size=3))
def test_mutated_descriptor_gives_a_report_never_a_traceback(pkg, mutations):
    descriptor = apply(mutations)
    (pkg / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    report = validate(pkg)
    assert isinstance(report, Report)
    assert report.to_text() and report.to_json()
    if report.valid:
        assert frictionless_valid(pkg / "datapackage.json"), f"we accept what frictionless rejects: {mutations}"
    else:
        assert all(p.file for p in report.problems)


@settings(max_examples=40, deadline=None)
@given(value=ODD, where=st.sampled_from(["", "resources", "resources.0", "resources.0.schema", "resources.0.schema.fields",
                                         "resources.0.schema.fields.0", "resources.0.schema.foreignKeys.0.reference"]))
def test_odd_value_at_a_structural_place_is_located_by_json_path(tmp_path_factory, value, where):
    pkg = tmp_path_factory.mktemp("odd")
    path = tuple(int(k) if k.isdigit() else k for k in where.split(".")) if where else ()
    d = mutate(copy.deepcopy(DESCRIPTOR), path, "replace", copy.deepcopy(value))
    (pkg / "datapackage.json").write_text(json.dumps(d), encoding="utf-8")
    report = validate(pkg)
    assert not report.valid
    assert any(p.check == "descriptor" and p.json_path for p in report.problems), report.to_text()
