"""croissant.json: valid for mlcroissant, records loaded offline from the release's files, RAI answers from the datasheet."""
from __future__ import annotations

import hashlib
import json
import logging
import re
import socket
from pathlib import Path

import duckdb
import pytest
from built_release import built_release

from jpkr_data.publication.croissant import DATA_TYPES, RAI_QUESTIONS, datasheet_answers, rai_properties

mlc = pytest.importorskip("mlcroissant")
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def release() -> Path:
    return built_release()


@pytest.fixture(scope="module")
def doc(release) -> dict:
    return json.loads((release / "croissant.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def db(release):
    con = duckdb.connect(str(release / "jpkr.duckdb"), read_only=True)
    yield con
    con.close()


@pytest.fixture()
def offline(monkeypatch):
    """No network: any connection attempt fails the test."""
    def refuse(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args}")
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def test_mlcroissant_validates_with_no_error_or_warning(release, offline, caplog):
    with caplog.at_level(logging.WARNING):
        ds = mlc.Dataset(jsonld=str(release / "croissant.json"))
    assert not ds.metadata.ctx.issues.errors and not ds.metadata.ctx.issues.warnings, ds.metadata.ctx.issues.report()
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], [r.getMessage() for r in caplog.records]
    assert ds.metadata.version == json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))["version"] and ds.metadata.name == "jpkr-data"


def test_records_load_offline_with_the_tables_rows_and_values(release, db, offline):
    ds = mlc.Dataset(jsonld=str(release / "croissant.json"))
    for name in ("events", "cameo_codes", "statements", "timeline", "disagreements"):
        records = list(ds.records(name))
        assert len(records) == db.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0], name
    cameo = {r["cameo_codes/cameo_code"]: r for r in ds.records("cameo_codes")}
    assert cameo[b"040"]["cameo_codes/quad_class"] == 1 and cameo[b"040"]["cameo_codes/goldstein"] == 1.0  # "040" keeps its zero
    events = {r["events/event_id"]: r for r in ds.records("events")}
    accord = events[b"ev_1965_accord"]
    assert accord["events/plover_contexts"] == [b"diplomatic", b"economic", b"historical"] and accord["events/cameo_code"] == b"057"
    assert str(events[b"ev_bangkok_kang_kono"]["events/date_start"])[:10] == "2019-08-01"
    timeline = {r["timeline/event_id"]: r for r in ds.records("timeline")}
    assert timeline[b"ev_1965_accord"]["timeline/actor_ids"] == [b"jpn", b"kor"]


def test_every_table_and_view_has_a_record_set_with_every_column(doc, release, db):
    tables = json.loads((release / "datapackage.json").read_text(encoding="utf-8"))["resources"]
    views = json.loads((release / "datapackage-views.json").read_text(encoding="utf-8"))["resources"]
    sets = {rs["@id"]: rs for rs in doc["recordSet"]}
    assert list(sets) == [r["name"] for r in tables + views]
    files = {f["@id"]: f for f in doc["distribution"]}
    sums = dict(reversed(line.split("  ", 1)) for line in (release / "SHA256SUMS").read_text(encoding="utf-8").splitlines())
    for res in tables + views:
        rs = sets[res["name"]]
        columns = [r[0] for r in db.execute(f'DESCRIBE "{res["name"]}"').fetchall()]
        assert [f["name"] for f in rs["field"]] == columns == [f["name"] for f in res["schema"]["fields"]]
        for field, spec in zip(rs["field"], res["schema"]["fields"]):
            assert field["dataType"] == DATA_TYPES[spec["type"]] and field["source"]["extract"]["column"] == spec["name"]
            assert field["description"] == spec.get("description", "")
        file = files[rs["field"][0]["source"]["fileObject"]["@id"]]
        data = (release / file["contentUrl"]).read_bytes()
        assert file["sha256"] == hashlib.sha256(data).hexdigest() == sums[file["contentUrl"]]
        assert rs.get("key", []) == [{"@id": f"{res['name']}/{k}"} for k in res["schema"].get("primaryKey", [])]
    assert sets["events"]["key"] == [{"@id": "events/event_id"}]
    assert len(sets["event_actors"]["key"]) == 4


def test_rai_answers_are_the_datasheets_own_words(doc, release):
    sheet = " ".join((release / "DATASHEET.md").read_text(encoding="utf-8").split())
    rai = {k: v for k, v in doc.items() if k.startswith("rai:")}
    assert set(rai) == set(RAI_QUESTIONS)  # this datasheet answers every question mapped
    for prop, text in rai.items():
        for question in RAI_QUESTIONS[prop]:
            text = text.replace(question + " ", "", 1)
        for part in re.split(r"(?<=[.)]) (?=[A-Z])", text):
            assert part in sheet, (prop, part[:80])
    assert "public figures" in rai["rai:personalSensitiveInformation"]
    assert rai["rai:dataUseCases"].startswith("Intended uses. Teaching and studying the 2019 dispute")
    assert doc["citeAs"].startswith("jpkr-data curators (2026). jpkr-data:") and doc["conformsTo"] == "http://mlcommons.org/croissant/1.0"


def test_a_question_the_datasheet_does_not_answer_gives_no_property():
    sheet = "# Datasheet\n\n## Uses\n\n**Intended uses.** Teaching.\n\n**Out of scope.**\n\n## Maintenance\n\nBy the curators.\n"
    assert datasheet_answers(sheet) == {"Intended uses.": "Teaching.", "Maintenance": "By the curators."}
    props = rai_properties(sheet)
    assert props == {"rai:dataUseCases": "Intended uses. Teaching.", "rai:dataReleaseMaintenancePlan": "By the curators."}


def test_readme_python_block_loads_events(release, db, monkeypatch, offline):
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = next(b for b in re.findall(r"```python\n(.*?)```", text, re.S) if "mlcroissant" in b)
    monkeypatch.chdir(release.parent)
    scope: dict = {}
    exec(compile(block, "README.md", "exec"), scope)  # noqa: S102 (the README's own example)
    assert len(scope["events"]) == db.execute("SELECT count(*) FROM events").fetchone()[0]


def test_croissant_json_is_rebuilt_byte_for_byte(release):
    """The document is a function of the release's files (test_release checks that two builds give the same croissant.json)."""
    from jpkr_data.publication.croissant import croissant
    from jpkr_data.schema import load_package

    descriptor = json.loads((release / "datapackage.json").read_text(encoding="utf-8"))
    views = json.loads((release / "datapackage-views.json").read_text(encoding="utf-8"))
    doc = croissant(load_package(ROOT / "datapackage.json"), descriptor, views, (release / "DATASHEET.md").read_text(encoding="utf-8"), release)
    assert json.dumps(doc, indent=2, ensure_ascii=False) + "\n" == (release / "croissant.json").read_text(encoding="utf-8")
