"""The corpus's NLP layers: JSON Lines and brat give back every field of every row; brat relations and events; BIO aligns.

Round trips run on the curated package and on the synthetic NLP layer of test_nlp_checks (sources, cues, triggers,
mentions and an argument), so the relations, events and BIO columns are exercised whatever the curated layer holds.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import ROOT, read_rows
from hypothesis import given, settings
from hypothesis import strategies as st
from test_nlp_checks import nlp_package  # noqa: F401  (fixture)

from jpkr_data.cli import main
from jpkr_data.publication.corpus import ENRICH
from jpkr_data.text.bio import LAYERS, bio_spans, read_bio, tags
from jpkr_data.text.brat import decode_value, encode_value, read_brat, read_jsonl
from jpkr_data.text.tokens import aligned, tokenize


def build(pkg: Path, tmp: Path, capsys) -> tuple[list[dict], dict, Path]:
    """Run `jpkr-data corpus` on a package (its own sources) with brat and BIO; the records, the brat read back, the BIO folder."""
    rc = main(["corpus", "--path", str(pkg), "--sources", str(pkg / "data" / "sources"), "--out", str(tmp / "c.jsonl"),
               "--brat", str(tmp / "brat"), "--bio", str(tmp / "bio")])
    assert rc == 0, capsys.readouterr().err
    return read_jsonl(tmp / "c.jsonl"), read_brat(tmp / "brat"), tmp / "bio"


@pytest.fixture(scope="module")
def curated(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("corpus")
    rc = main(["corpus", "--sources", str(ROOT / "data" / "sources"), "--out", str(tmp / "c.jsonl"), "--brat", str(tmp / "brat"),
               "--bio", str(tmp / "bio")])
    assert rc == 0
    return read_jsonl(tmp / "c.jsonl"), read_brat(tmp / "brat"), tmp / "bio"


@pytest.fixture(scope="module")
def brat_folder(curated) -> Path:
    return curated[2].parent / "brat"


def csv_text(value) -> str:
    """A JSON value as the CSV holds it."""
    return "" if value is None else ("true" if value else "false") if isinstance(value, bool) else str(value)


def span_tables(root: Path) -> dict[str, dict]:
    d = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    return {r["name"]: r["schema"] for r in d["resources"] if r["schema"].get("jpkr:spans") and r["name"] != "articles"}


def rows_from_spans(spans: list[tuple[str, dict]], schemas: dict[str, dict]) -> dict[str, dict[str, dict[str, str]]]:
    """table -> row key -> the row put back together from its spans (span columns from each span, the rest from attributes)."""
    out: dict[str, dict[str, dict[str, str]]] = {}
    for article, s in spans:
        if s["table"] not in schemas:
            continue
        row = out.setdefault(s["table"], {}).setdefault(json.dumps(s["key"], sort_keys=True), {})
        for k, v in s["attributes"].items():
            if k not in ENRICH.get(s["table"], {}):
                row[k] = csv_text(v)
        for k, v in s["key"].items():
            row[k] = csv_text(v)
        for group in schemas[s["table"]]["jpkr:spans"]:
            if LABEL_OF.get((s["table"], group["text"])) == s["label"]:
                row[group["article"]] = article
                row[group["start"]], row[group["end"]], row[group["text"]] = str(s["start"]), str(s["end"]), s["text"]
    return out


LABEL_OF = {**__import__("jpkr_data.publication.corpus", fromlist=["LABELS"]).LABELS}


def expected_rows(root: Path, table: str, schema: dict) -> dict[str, dict[str, str]]:
    """The table's CSV rows by key; a span whose text the CSV leaves empty (a boilerplate segment) is compared by offsets only."""
    out = {}
    for r in read_rows(table, root):
        key = {k: (int(r[k]) if f["type"] == "integer" else r[k]) for f in schema["fields"] for k in [f["name"]] if k in schema["primaryKey"]}
        out[json.dumps(key, sort_keys=True)] = r
    return out


def assert_every_field_round_trips(root: Path, records: list[dict], brat: dict) -> None:
    schemas = span_tables(root)
    # LABEL_OF lacks "<table>.<text column>" fallbacks; the corpus uses them for span groups not in LABELS
    for t, schema in schemas.items():
        for g in schema["jpkr:spans"]:
            LABEL_OF.setdefault((t, g["text"]), f"{t}.{g['text']}")
    from_json = rows_from_spans([(r["id"], s) for r in records for s in r["spans"]], schemas)
    from_brat = rows_from_spans([(aid, s) for aid, a in brat.items() for s in a["spans"].values()], schemas)
    checked = 0
    for table, schema in schemas.items():
        want = expected_rows(root, table, schema)
        for source, got in (("JSON Lines", from_json), ("brat", from_brat)):
            rows = got.get(table, {})
            assert set(rows) == set(want), (source, table, set(want) ^ set(rows))
            for key, row in rows.items():
                for field in (f["name"] for f in schema["fields"]):
                    expected = want[key][field]
                    if expected == "" and any(g["text"] == field for g in schema["jpkr:spans"]) and row.get(field):
                        continue  # a boilerplate segment stores offsets only; the corpus gives its text from the article
                    assert row.get(field, "") == expected, (source, table, key, field)
                    checked += 1
    assert checked > 1000


def test_json_lines_keep_every_attribute_null_included(curated):
    records, _, _ = curated
    schemas = span_tables(ROOT)
    spans = [s for r in records for s in r["spans"] if s["table"] in schemas]
    for s in spans:
        span_cols = {c for g in schemas[s["table"]]["jpkr:spans"] for c in g.values() if isinstance(c, str)}
        fields = {f["name"] for f in schemas[s["table"]]["fields"]} - span_cols
        assert fields <= set(s["attributes"]), (s["table"], fields - set(s["attributes"]))
    deadline = next(s for s in spans if s["label"] == "event_mention" and s["attributes"]["cameo_code"] is None)
    assert "cameo_code" in deadline["attributes"]  # the 0.3.0 reader's KeyError
    assert any(s["attributes"]["notes"] is None for s in spans if "notes" in s["attributes"])


def test_curated_package_round_trips_every_field(curated):
    records, brat, _ = curated
    assert_every_field_round_trips(ROOT, records, brat)


def test_synthetic_layer_round_trips_with_relations_and_events(nlp_package, tmp_path, capsys):  # noqa: F811
    records, brat, bio = build(nlp_package, tmp_path, capsys)
    assert_every_field_round_trips(nlp_package, records, brat)
    art = brat["art000"]
    by_id = art["spans"]
    kinds = {(k, by_id[a]["label"], by_id[b]["label"]) for k, a, b in art["relations"]}
    assert {("Source", "source", "cue"), ("Content", "cue", "statement"), ("Coref", "actor_mention", "actor_mention")} <= kinds
    source_cue = {(by_id[a]["text"], by_id[b]["text"], by_id[b]["key"]["statement_id"]) for k, a, b in art["relations"] if k == "Source"}
    assert source_cue == {("Mr Kono", "said", "st_000_01"), ("Mr Kono", "told", "st_000_02")}
    coref = [(by_id[a], by_id[b]) for k, a, b in art["relations"] if k == "Coref"]
    # a chain runs in text order (start, then the longer span first: "Japanese Foreign Minister Taro Kono" before its nested title)
    assert all(x["attributes"]["actor_id"] == y["attributes"]["actor_id"] and (y["start"], -y["end"]) < (x["start"], -x["end"]) for x, y in coref)
    (event,) = [e for e in art["events"] if e[2]]  # the one mention with an argument
    assert by_id[event[1]]["text"] == "said" and by_id[event[1]]["brat_label"] == "press_event"
    assert [(role, by_id[t]["text"]) for role, t in event[2]] == [("initiator", "Mr Kono")]
    assert by_id[event[1]]["attributes"]["genericity"] == "specific"  # a trigger's attributes sit on its E line and come back
    conf = (tmp_path / "brat" / "annotation.conf").read_text(encoding="utf-8")
    assert "press_event\tinitiator*:argument" in conf and (tmp_path / "brat" / "visual.conf").is_file()
    rows = read_bio((bio / "art000.tsv").read_text(encoding="utf-8"))
    cue = next(s for r in records for s in r["spans"] if s["label"] == "cue" and s["key"]["statement_id"] == "st_000_01")
    said = next(r for r in rows if int(r["start"]) == cue["start"])
    assert (said["cue"], said["trigger"], said["source"]) == ("B-st_000_01", "B-press_event", "O")
    kono = [r for r in rows if r["token"] in ("Mr", "Kono") and r["source"] != "O"]
    assert [r["source"] for r in kono] == ["B-st_000_01", "I-st_000_01", "B-st_000_02", "I-st_000_02"]
    assert {r["mention"] for r in kono} == {"B-short_name", "I-short_name"}


def test_annotation_conf_declares_everything_used(brat_folder):
    """Every type, relation, event type, role and attribute value in the .ann files is declared, so brat opens the folder as is."""
    conf = (brat_folder / "annotation.conf").read_text(encoding="utf-8")
    sections = {name: [line for line in body.split("\n") if line and not line.startswith("#")]
                for name, body in (part.split("]\n", 1) for part in conf.split("[")[1:])}
    entities, events = set(sections["entities"]), {line.split("\t")[0]: line for line in sections["events"]}
    relations = {line.split("\t")[0] for line in sections["relations"]}
    values = {line.split("\t")[0]: set(line.split("Value:", 1)[1].split("|")) for line in sections["attributes"]}
    for ann in brat_folder.glob("*.ann"):
        for line in ann.read_text(encoding="utf-8").splitlines():
            ident, rest = line.split("\t", 1)
            if ident[0] == "T":
                assert rest.split(" ")[0] in entities | set(events), line
            elif ident[0] == "A":
                name, _, value = rest.split(" ", 2)
                assert value in values[name], line
            elif ident[0] == "R":
                assert rest.split(" ")[0] in relations, line
            elif ident[0] == "E":
                etype, *args = rest.split(" ")
                for arg in args:
                    role = arg.split(":")[0].rstrip("0123456789")
                    assert f"{role}*:argument" in events[etype.split(":")[0]], line
    assert values["alias"] and any("%20" in v for v in values["alias"])  # values with spaces are kept, encoded (0.3.0 dropped them)


@pytest.mark.parametrize("which", ["curated", "synthetic"])
def test_every_layer_span_aligns_to_tokens_and_bio_gives_it_back(which, curated, nlp_package, tmp_path, capsys):  # noqa: F811
    records, _, bio = curated if which == "curated" else build(nlp_package, tmp_path, capsys)
    n = 0
    for r in records:
        toks = tokenize(r["text"])
        rows = read_bio((bio / f"{r['id']}.tsv").read_text(encoding="utf-8"))
        assert all(r["text"][int(x["start"]):int(x["end"])] == x["token"] for x in rows)
        for column, (label, attr) in LAYERS.items():
            want = {(s["start"], s["end"], str(s["attributes"][attr])) for s in r["spans"] if s["label"] == label}
            for start, end, _ in want:
                assert aligned(toks, start, end), (r["id"], label, r["text"][start:end])
            assert bio_spans(rows, column) == want, (r["id"], column)
            n += len(want)
    assert n > 0


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), st.integers(), st.booleans()))
def test_any_attribute_value_survives_brat_encoding(value):
    encoded = encode_value(value)
    assert not any(c.isspace() or c in ",|:" for c in encoded)
    assert decode_value(encoded) == csv_text(value)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 11), st.integers(1, 6), st.sampled_from(["name", "pronoun", "st_1"])), max_size=8))
def test_bio_gives_back_any_nested_spans(raw):
    """Tags written for any set of nesting (never crossing) spans read back as the same set."""
    text = " ".join(f"w{i}" for i in range(12))
    toks = tokenize(text)
    spans: set[tuple[int, int, str]] = set()
    for first, length, value in raw:
        last = min(first + length, len(toks)) - 1
        new = (toks[first].start, toks[last].end, value)
        if all(not (a < new[0] < b < new[1] or new[0] < a < new[1] < b) for a, b, _ in spans):
            spans.add(new)
    ordered = sorted(spans, key=lambda x: (x[0], -x[1], x[2]))
    cells = tags(toks, ordered)
    rows = [{"start": str(t.start), "end": str(t.end), "mention": c} for t, c in zip(toks, cells)]
    assert bio_spans(rows, "mention") == spans
