"""`jpkr-data corpus`: articles found by checksum under any names, every span round-trips in JSON Lines and brat."""
from __future__ import annotations

import hashlib
import json
import re
import secrets
import shutil
from pathlib import Path

import pytest
from conftest import ROOT, read_rows
from hypothesis import given, settings
from hypothesis import strategies as st

from jpkr_data.cli import main
from jpkr_data.publication.corpus import brat_ann, brat_fragments, write_brat
from jpkr_data.text.brat import decode_value


@pytest.fixture()
def renamed_sources(tmp_path) -> Path:
    """The five sources under random names (some in a subfolder), plus decoys of the same sizes and other files."""
    folder = tmp_path / "my articles"
    (folder / "sub").mkdir(parents=True)
    for i, a in enumerate(read_rows("articles")):
        data = (ROOT / "data" / "sources" / a["source_file"]).read_bytes()
        where = folder / "sub" if i % 2 else folder
        (where / f"{secrets.token_hex(6)}.{secrets.choice(['txt', 'html', 'bin', ''])}").write_bytes(data)
        (folder / f"decoy-{i}.txt").write_bytes(data[:-1] + b"#")  # same size, other checksum
    (folder / "notes.md").write_text("unrelated", encoding="utf-8")
    return folder


def run(capsys, *args: str) -> tuple[int, str, str]:
    rc = main(list(args))
    out, err = capsys.readouterr()
    return rc, out, err


def parse_ann(ann: str) -> tuple[dict[str, dict], list[tuple[str, str, str]], list[tuple[str, str]], dict[str, str]]:
    """An independent reader of brat standoff: T (text-bound), A (attribute) and # (note) lines, and each E line's trigger T;
    R and E lines are checked for shape."""
    spans, attrs, notes, trigger = {}, [], [], {}
    for line in ann.splitlines():
        ident, rest = line.split("\t", 1)
        if ident.startswith("T"):
            head, text = rest.split("\t", 1)
            label, offsets = head.split(" ", 1)
            frags = [tuple(int(x) for x in part.split(" ")) for part in offsets.split(";")]  # noqa: C409
            spans[ident] = {"label": label, "frags": frags, "text": text}
        elif ident.startswith("A"):
            name, target, value = rest.split(" ", 2)
            attrs.append((name, target, value))
        elif ident.startswith("#"):
            kind_target, note = rest.split("\t", 1)
            notes.append((kind_target.split(" ")[1], note))
        elif ident.startswith("R"):
            assert re.fullmatch(r"(Source|Content|Nested|Coref) Arg1:T\d+ Arg2:T\d+", rest), line
        elif ident.startswith("E"):
            assert re.fullmatch(r"[\w.-]+:T\d+( [A-Za-z_]+\d*:T\d+)*", rest), line
            trigger[ident] = rest.split(" ")[0].split(":")[1]
        else:
            raise AssertionError(f"unexpected brat line {line!r}")
    return spans, attrs, notes, trigger


def test_corpus_from_renamed_sources_round_trips_every_span(renamed_sources, tmp_path, capsys):
    out = tmp_path / "corpus.jsonl"
    rc, stdout, err = run(capsys, "corpus", "--sources", str(renamed_sources), "--out", str(out))
    assert rc == 0, err
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    articles = {a["article_id"]: a for a in read_rows("articles")}
    assert [r["id"] for r in records] == sorted(articles)
    for r in records:
        a = articles[r["id"]]
        assert hashlib.sha256(r["text"].encode("utf-8")).hexdigest() == a["source_sha256"] == r["source_sha256"]
        assert len(r["text"]) == int(a["source_chars"]) and r["date"] == a["published_date"]
        actors = {x["actor_id"]: x["name"] for x in read_rows("actors")}
        assert r["outlet"] == (a["outlet"] or None) and r["wire_agency"] == actors.get(a["wire_agency_id"])
        for s in r["spans"]:
            assert r["text"][s["start"]:s["end"]] == s["text"], (r["id"], s)
    n_spans = sum(len(r["spans"]) for r in records)
    assert f"{n_spans} spans" in stdout


def test_corpus_spans_carry_their_rows(renamed_sources, tmp_path, capsys):
    out = tmp_path / "c.jsonl"
    assert run(capsys, "corpus", "--sources", str(renamed_sources), "--out", str(out))[0] == 0
    by_label: dict[str, list[tuple[str, dict]]] = {}
    for line in out.read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        for s in r["spans"]:
            by_label.setdefault(s["label"], []).append((r["id"], s))
    events = {e["event_id"]: e for e in read_rows("events")}
    mentions = read_rows("event_mentions")
    assert len(by_label["event_mention"]) == len(mentions)
    got = {(aid, s["start"], s["attributes"]["event_id"]): s for aid, s in by_label["event_mention"]}
    for m in mentions:
        s = got[(m["article_id"], int(m["char_start"]), m["event_id"])]
        assert s["attributes"]["event_type"] == events[m["event_id"]]["event_type"]
        assert s["attributes"]["reported_status"] == m["reported_status"] and s["text"] == m["evidence_text"]
    statements = {s["statement_id"]: s for s in read_rows("statements")}
    assert len(by_label["statement"]) == len(statements) == len(by_label["attribution"])
    for _, s in by_label["statement"]:
        row = statements[s["attributes"]["statement_id"]]
        assert s["attributes"]["speaker_id"] == row["speaker_id"] and s["attributes"]["mode"] == row["mode"]
    addressees = read_rows("statement_addressees")
    assert sorted((s["attributes"]["statement_id"], s["attributes"]["addressee_id"], s["text"]) for _, s in by_label["addressee"]) == \
        sorted((a["statement_id"], a["addressee_id"], a["evidence_text"]) for a in addressees)
    aliases = read_rows("actor_aliases")
    assert sorted((s["attributes"]["actor_id"], s["text"]) for _, s in by_label["actor_alias"]) == sorted((a["actor_id"], a["evidence_text"]) for a in aliases)
    assert len(by_label["quotation"]) == len(read_rows("quotations"))
    segments = read_rows("article_segments")
    assert len(by_label["segment"]) == len(segments)
    assert all(s["text"] for _, s in by_label["segment"])  # boilerplate segments get their text from the article


def test_brat_files_parse_and_match_the_text(renamed_sources, tmp_path, capsys):
    out = tmp_path / "c.jsonl"
    brat = tmp_path / "brat"
    assert run(capsys, "corpus", "--sources", str(renamed_sources), "--out", str(out), "--brat", str(brat))[0] == 0
    records = {json.loads(line)["id"]: json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()}
    conf = (brat / "annotation.conf").read_text(encoding="utf-8")
    entities = conf.split("[entities]\n", 1)[1].split("\n\n", 1)[0].split("\n")
    entities += [line.split("\t")[0] for line in conf.split("[events]\n", 1)[1].split("\n\n", 1)[0].split("\n") if line]  # trigger types
    multi_line = 0
    for aid, r in records.items():
        text = (brat / f"{aid}.txt").read_bytes().decode("utf-8")
        assert text == r["text"]
        spans, attrs, notes, trigger = parse_ann((brat / f"{aid}.ann").read_text(encoding="utf-8"))
        assert len(notes) == len(r["spans"]) and len(spans) == len(r["spans"]) - len(trigger) + len(set(trigger.values()))
        for (target, _), s in zip(notes, r["spans"]):  # one note per span, in order; a trigger's on its event
            t = spans[trigger.get(target, target)]
            assert t["label"] in entities and (t["label"] == s["label"] or s["label"] == "trigger")
            assert t["text"] == " ".join(text[a:b] for a, b in t["frags"])
            assert t["frags"][0][0] == s["start"] and t["frags"][-1][1] == s["end"]
            assert all("\n" not in text[a:b] for a, b in t["frags"])
            multi_line += len(t["frags"]) > 1
        assert all(trigger.get(target, target) in spans for _, target, _ in attrs) and all(trigger.get(target, target) in spans for target, _ in notes)
        assert {json.loads(n)["table"] for _, n in notes} >= {"event_mentions", "statements"}
    assert multi_line > 0  # some spans cross a line break and became discontinuous brat spans


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=["Cs"]), min_size=1, max_size=40), st.data())
def test_brat_offsets_are_code_points_for_any_text(text, data):
    """Any text (non-BMP, multi-byte, every kind of line break, tabs): each .ann line parses, fragments are str indices
    that give back the span without its line breaks, and the .ann has exactly the lines written."""
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    record = {"id": "x", "text": text, "spans": [{"label": "a label\n", "start": start, "end": end, "text": text[start:end], "table": "t",
                                                  "key": {"k": text[start:end]}, "attributes": {"a": "v", "b": text}}]}
    spans, attrs, notes, _ = parse_ann(brat_ann(record))
    frags = brat_fragments(text, start, end)
    if not frags:  # a span of line breaks only has no brat form
        assert spans == {} and "".join(text[start:end].splitlines()) == ""
        return
    t = spans["T1"]
    assert t["frags"] == frags and t["label"] == "a_label_"
    assert "".join(text[a:b] for a, b in frags) == "".join(text[start:end].splitlines())
    assert t["text"] == " ".join(text[a:b] for a, b in frags)
    assert ("a", "T1", "v") in attrs and json.loads(notes[0][1])["key"]["k"] == text[start:end]
    assert decode_value(next(v for k, _, v in attrs if k == "b")) == text  # any value survives, line breaks and spaces too


def test_non_bmp_text_round_trips_through_brat_files(tmp_path):
    text = "🇯🇵 and 🇰🇷: “𝔊𝔖𝔒𝔐𝔌𝔄”\r\nkept — 日本 외교부\u2028end"
    start, end = text.index("𝔊"), text.index("end") + 3
    record = {"id": "art999", "text": text, "spans": [{"label": "quotation", "start": start, "end": end, "text": text[start:end],
                                                        "table": "quotations", "key": {"k": 1}, "attributes": {"statement_id": "st_1"}}]}
    folder = write_brat([record], tmp_path / "b")
    back = (folder / "art999.txt").read_bytes().decode("utf-8")
    assert back == text and len(back) == len(text)
    assert len(text[:start].encode("utf-16-le")) // 2 == 16  # UTF-16 units (JavaScript) would count the flags twice
    spans, attrs, _, _ = parse_ann((folder / "art999.ann").read_text(encoding="utf-8"))
    t = spans["T1"]
    assert [back[a:b] for a, b in t["frags"]] == ["𝔊𝔖𝔒𝔐𝔌𝔄”", "kept — 日本 외교부", "end"]
    assert t["frags"][0][0] == start == 12 and t["frags"][-1][1] == end and attrs == [("statement_id", "T1", "st_1")]


def test_missing_and_altered_articles_are_named(renamed_sources, tmp_path, capsys):
    art = {a["article_id"]: a for a in read_rows("articles")}
    victim = next(p for p in sorted(renamed_sources.rglob("*")) if p.is_file() and hashlib.sha256(p.read_bytes()).hexdigest() == art["art003"]["source_sha256"])
    data = bytearray(victim.read_bytes())
    data[100] ^= 1
    victim.unlink()
    (renamed_sources / art["art003"]["source_file"]).write_bytes(bytes(data))  # right name, wrong checksum
    out = tmp_path / "c.jsonl"
    out.write_text("previous corpus\n", encoding="utf-8")
    rc, stdout, err = run(capsys, "corpus", "--sources", str(renamed_sources), "--out", str(out))
    assert rc == 1 and "Traceback" not in err
    assert "art003" in err and art["art003"]["source_sha256"] in err and "wrong checksum" in err and art["art003"]["source_file"] in err
    assert "art000" not in err.split("not found", 1)[1]
    assert out.read_text(encoding="utf-8") == "previous corpus\n" and not (tmp_path / "c_brat").exists()


@pytest.mark.parametrize("case", ["no folder", "a file", "empty folder"])
def test_unusable_sources_folder(case, tmp_path, capsys):
    target = tmp_path / "src"
    if case == "a file":
        target.write_text("x", encoding="utf-8")
    elif case == "empty folder":
        target.mkdir()
    rc, _, err = run(capsys, "corpus", "--sources", str(target), "--out", str(tmp_path / "c.jsonl"))
    assert rc == 1 and err.startswith("error: ") and "Traceback" not in err and str(target) in err
    assert not (tmp_path / "c.jsonl").exists()


def test_unreadable_article_file_is_named_and_an_unreadable_decoy_is_skipped(renamed_sources, tmp_path, capsys, monkeypatch):
    """A file that cannot be read (permissions, I/O error) is named when its article is then missing, whoever runs the test."""
    import jpkr_data.publication.corpus as corpus

    digests = {a["source_sha256"] for a in read_rows("articles")}
    files = sorted(p for p in renamed_sources.rglob("*") if p.is_file())
    article = next(p for p in files if hashlib.sha256(p.read_bytes()).hexdigest() in digests)
    decoy = next(p for p in files if p.name.startswith("decoy-"))
    real = corpus._read_capped

    for victim, expected in ((decoy, 0), (article, 1)):
        def failing(path, size, victim=victim):
            if path == victim:
                raise PermissionError(13, "Permission denied", str(path))
            return real(path, size)

        monkeypatch.setattr(corpus, "_read_capped", failing)
        rc, _, err = run(capsys, "corpus", "--sources", str(renamed_sources), "--out", str(tmp_path / "c.jsonl"))
        assert rc == expected and "Traceback" not in err, err
        if expected:
            assert str(victim) in err and "Permission denied" in err


def test_outputs_that_would_destroy_something_are_refused(renamed_sources, tmp_path, capsys):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.docx").write_bytes(b"precious")
    rc, _, err = run(capsys, "corpus", "--sources", str(renamed_sources), "--out", str(tmp_path / "c.jsonl"), "--brat", str(mine))
    assert rc == 1 and "choose another --brat folder" in err and (mine / "thesis.docx").read_bytes() == b"precious"
    rc, _, err = run(capsys, "corpus", "--sources", str(renamed_sources), "--out", str(mine))
    assert rc == 1 and "is a folder" in err
    rc, _, err = run(capsys, "corpus", "--sources", str(renamed_sources), "--out", str(tmp_path / "nowhere" / "c.jsonl"))
    assert rc == 1 and "no such folder" in err
    # a brat folder written by an earlier run is replaced only while every file in it is unchanged
    brat = tmp_path / "b"
    assert run(capsys, "corpus", "--sources", str(renamed_sources), "--out", str(tmp_path / "c.jsonl"), "--brat", str(brat))[0] == 0
    assert run(capsys, "corpus", "--sources", str(renamed_sources), "--out", str(tmp_path / "c.jsonl"), "--brat", str(brat))[0] == 0
    (brat / "added.ann").write_text("T1\tx 0 1\ty\n", encoding="utf-8")
    assert run(capsys, "corpus", "--sources", str(renamed_sources), "--out", str(tmp_path / "c.jsonl"), "--brat", str(brat))[0] == 1
    assert (brat / "added.ann").exists() and (brat / ".jpkr-release").is_file()


def test_sources_folder_is_the_package_itself(tmp_path, capsys):
    """The checked-in sources, under their own names, work too (and other files beside them are ignored)."""
    folder = tmp_path / "s"
    shutil.copytree(ROOT / "data", folder)
    rc, _, err = run(capsys, "corpus", "--sources", str(folder), "--out", str(tmp_path / "c.jsonl"))
    assert rc == 0, err


def test_release_with_sources_carries_the_corpus(tmp_path):
    """`build --include-sources` (research use) adds the corpus beside the texts, under their NOTICE; a plain release has none."""
    from built_release import built_release

    from jpkr_data.publication.release import build_release

    full = build_release(tmp_path / "full", include_sources=True)
    folder = full / "data" / "sources"
    records = [json.loads(line) for line in (folder / "corpus.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in records] == [a["article_id"] for a in read_rows("articles")]
    assert all(r["text"][s["start"]:s["end"]] == s["text"] for r in records for s in r["spans"])
    assert (folder / "brat" / "art000.ann").is_file() and (folder / "NOTICE.txt").is_file()
    assert "data/sources/corpus.jsonl" in (full / "SHA256SUMS").read_text(encoding="utf-8")
    assert not any(built_release().rglob("corpus*")) and not any(built_release().rglob("*.ann"))
