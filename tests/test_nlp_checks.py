"""NLP-layer checks (jpkr_data/validator/nlp_checks.py): each rule rejects its faults at the right row and field.

The faults are made on a small synthetic NLP layer laid over a package copy (every curated source, cue, trigger,
mention and argument cleared first), so these tests hold whatever the curated layer holds: the spans below are found
in the article texts, not taken from the curated tables.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import ROOT, read_rows
from hypothesis import given, settings
from hypothesis import strategies as st
from test_semantics import Mutation, _read, _write, assert_reported_where_it_is, copy_row, edit

from jpkr_data.text.sentences import sentence_of, sentences
from jpkr_data.text.tokens import TOKEN, aligned, tokenize
from jpkr_data.validator import validate

ST, EM, AM, ARG, AL = "statements", "event_mentions", "actor_mentions", "event_mention_arguments", "actor_aliases"
SE = "statement_events"
NLP_COLUMNS = {ST: ("source_text", "source_start", "source_end", "cue_text", "cue_start", "cue_end", "embedded_in_statement_id"),
               EM: ("trigger_text", "trigger_start", "trigger_end", "genericity")}
MENTION_TYPES = {"name", "short_name", "abbreviation", "metonym", "title", "description", "pronoun", "demonym"}


def _text(article_id: str) -> str:
    a = next(a for a in read_rows("articles") if a["article_id"] == article_id)
    return (ROOT / "data" / "sources" / a["source_file"]).read_bytes().decode("utf-8")


def _span(article_id: str, words: str, after: int = 0) -> tuple[str, str, str]:
    """(text, start, end) of the first occurrence of `words` at or after `after`."""
    start = _text(article_id).index(words, after)
    return words, str(start), str(start + len(words))


def _mention(n: int, actor: str, article: str, words: tuple[str, str, str], kind: str, basis: str = "stated", reasoning: str = "") -> dict[str, str]:
    return {"mention_id": f"am_{article[3:]}_{n:03d}", "actor_id": actor, "article_id": article, "char_start": words[1], "char_end": words[2],
            "text": words[0], "mention_type": kind, "basis": basis, "reasoning": reasoning}


def _renumber(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """Mention ids in text order, per article."""
    rows = sorted(rows, key=lambda r: (r["article_id"], int(r["char_start"]), -int(r["char_end"])))
    seq: dict[str, int] = {}
    for r in rows:
        seq[r["article_id"]] = seq.get(r["article_id"], 0) + 1
        r["mention_id"] = f"am_{r['article_id'][3:]}_{seq[r['article_id']]:03d}"
    return rows


@pytest.fixture()
def nlp_package(package_copy: Path) -> Path:
    """A package copy with a small, valid NLP layer on art000: "Mr Kono said" / "Mr Kono told reporters", their triggers, one argument."""
    d = json.loads((package_copy / "datapackage.json").read_text(encoding="utf-8"))
    for r in d["resources"]:
        for f in r["schema"]["fields"]:
            if f["name"] in NLP_COLUMNS.get(r["name"], ()):
                f.get("constraints", {}).pop("required", None)  # the synthetic layer sets only the rows it is about
    (package_copy / "datapackage.json").write_text(json.dumps(d, ensure_ascii=False, indent=2), encoding="utf-8")
    for table, cols in NLP_COLUMNS.items():
        _write(package_copy, table, [dict(r, **dict.fromkeys(cols, "")) for r in _read(package_copy, table)])
    said, told = _span("art000", "Mr Kono said the previous day"), _span("art000", "Mr Kono told reporters")
    kono_1, kono_2 = ("Mr Kono", said[1], str(int(said[1]) + 7)), ("Mr Kono", told[1], str(int(told[1]) + 7))
    said_cue, told_cue = _span("art000", "said", int(said[1])), _span("art000", "told", int(told[1]))
    mentions = [_mention(0, a["actor_id"], a["article_id"], (a["evidence_text"], a["char_start"], a["char_end"]),
                         a["alias_type"] if a["alias_type"] in MENTION_TYPES else "description", a["basis"], a["reasoning"])
                for a in _read(package_copy, AL) if a["article_id"] == "art000"]
    mentions += [_mention(0, "taro_kono", "art000", kono_2, "short_name")]
    _write(package_copy, AM, _renumber([m for m in mentions if (m["char_start"], m["char_end"]) != (kono_1[1], kono_1[2])]
                                       + [_mention(0, "taro_kono", "art000", kono_1, "short_name")]))
    edit(ST, {"statement_id": "st_000_01"}, dict(zip(NLP_COLUMNS[ST][:6], kono_1 + said_cue)))(package_copy)
    edit(ST, {"statement_id": "st_000_02"}, dict(zip(NLP_COLUMNS[ST][:6], kono_2 + told_cue)))(package_copy)
    for start, cue in ((said[1], said_cue), (told[1], told_cue)):
        edit(EM, {"event_id": "ev_kono_remarks_aug20", "char_start": start}, dict(zip(NLP_COLUMNS[EM], (*cue, "specific"))))(package_copy)
    _write(package_copy, ARG, [{"event_id": "ev_kono_remarks_aug20", "article_id": "art000", "mention_start": said[1], "role": "initiator",
                                "actor_id": "taro_kono", "char_start": kono_1[1], "char_end": kono_1[2], "text": "Mr Kono", "basis": "stated", "notes": ""}])
    return package_copy


def test_the_synthetic_layer_is_valid_and_every_nlp_check_runs(nlp_package):
    report = validate(nlp_package)
    assert report.valid, report.to_text()
    for check in ("statement-spans", "statement-crossing", "statement-source", "statement-nesting", "trigger", "extent-crossing",
                  "argument-mention", "argument-sentence", "argument-role", "argument-span", "mention-order", "mention-extent", "alias-mention",
                  "alias-coverage", "about-mention", "argument-coverage", "cue-pronoun"):
        assert check in report.checks, check


def _row_of(table: str, **match: str) -> Callable[[Path], int]:
    return lambda pkg: next(i for i, r in enumerate(_read(pkg, table), start=2) if all(r[k] == v for k, v in match.items()))


def _then(first: Callable[[Path], object], row: Callable[[Path], int]) -> Mutation:
    def mutate(pkg: Path) -> int:
        first(pkg)
        return row(pkg)
    return mutate


def _st(sid: str, **values: str) -> Mutation:
    return edit(ST, {"statement_id": sid}, values)


def _shift_mention(text: str, **values: str) -> Mutation:
    return edit(AM, {"text": text, "char_start": _span("art000", text)[1]}, values)


KONO_SAID = _span("art000", "Mr Kono said the previous day")
KONO_TOLD = _span("art000", "Mr Kono told reporters")
S1 = int(KONO_SAID[1])
CONTENT_1 = _span("art000", "he hopes to discuss")
FAULTS: list[tuple[str, Mutation, str, str, str]] = [
    # statements: source, cue and content apart; the cue outside the content
    ("cue_inside_content", _st("st_000_01", cue_text="hopes", cue_start=str(int(CONTENT_1[1]) + 3), cue_end=str(int(CONTENT_1[1]) + 8)),
     "statement-spans", ST, "cue_start"),
    ("cue_overlapping_content", _st("st_000_01", cue_text="he previous day that he", cue_start=str(S1 + 14), cue_end=str(int(CONTENT_1[1]) + 2)),
     "statement-spans", ST, "cue_start"),
    ("source_overlapping_cue", _st("st_000_01", source_text="Mr Kono said", source_end=str(S1 + 12)), "statement-spans", ST, "source_start"),
    ("source_inside_content", _st("st_000_01", source_text="he", source_start=CONTENT_1[1], source_end=str(int(CONTENT_1[1]) + 2)),
     "statement-spans", ST, "source_start"),
    ("cue_without_source_or_reason", _st("st_000_01", source_text="", source_start="", source_end="", notes=""), "statement-spans", ST, "notes"),
    # two statements' content spans cross (the three-minister rows of art001, error 3 of the trial)
    ("contents_cross", _st("st_000_03", char_start=str(int(CONTENT_1[1]) + 100), char_end=str(int(CONTENT_1[1]) + 300),
                           text=_text("art000")[int(CONTENT_1[1]) + 100:int(CONTENT_1[1]) + 300]),
     "statement-crossing", ST, "char_start"),
    ("cues_cross", _then(_st("st_000_03", cue_text="Kono sa", cue_start=str(S1 + 3), cue_end=str(S1 + 10), source_text="", source_start="",
                             source_end="", notes="agentless"),
                         _row_of(ST, statement_id="st_000_01")), "statement-crossing", ST, "cue_start"),
    # the source is a mention of the speaker
    ("source_of_another_actor", _st("st_000_01", speaker_id="kang_kyung_wha", speaker_basis="inferred", notes="test"), "statement-source", ST, "source_start"),
    ("source_not_a_mention", _st("st_000_01", source_text="Mr Kono said the previous", source_end=str(S1 + 25), cue_text="day",
                                 cue_start=str(S1 + 26), cue_end=str(S1 + 29)), "statement-source", ST, "source_start"),
    # a nested attribution's embedding statement holds its cue
    ("embedded_in_a_statement_that_does_not_hold_its_cue", _st("st_000_02", embedded_in_statement_id="st_000_01"),
     "statement-nesting", ST, "embedded_in_statement_id"),
    ("embedded_in_itself", _st("st_000_02", embedded_in_statement_id="st_000_02"), "statement-nesting", ST, "embedded_in_statement_id"),
    ("embedded_across_articles", _st("st_000_02", embedded_in_statement_id="st_002_14"), "statement-nesting", ST, "embedded_in_statement_id"),
    # event mentions: trigger in extent, genericity, no overlapping triggers of two events
    ("trigger_outside_extent", edit(EM, {"event_id": "ev_kono_remarks_aug20", "char_start": KONO_SAID[1]},
                                    dict(zip(NLP_COLUMNS[EM][:3], _span("art000", "reporters")))), "trigger", EM, "trigger_start"),
    ("trigger_without_genericity", edit(EM, {"event_id": "ev_kono_remarks_aug20", "char_start": KONO_SAID[1]}, {"genericity": ""}),
     "trigger", EM, "genericity"),
    ("triggers_of_two_events_overlap", copy_row(EM, {"event_id": "ev_kono_remarks_aug20", "char_start": KONO_SAID[1]},
                                                {"event_id": "ev_beijing_kang_kono", "notes": "test"}), "trigger", EM, "trigger_start"),
    # arguments
    ("argument_of_no_mention", edit(ARG, {"event_id": "ev_kono_remarks_aug20"}, {"mention_start": "0"}), "argument-mention", ARG, "mention_start"),
    ("argument_role_not_of_the_event", edit(ARG, {"event_id": "ev_kono_remarks_aug20"}, {"role": "target"}), "argument-role", ARG, "role"),
    ("argument_span_not_a_mention_of_its_actor", edit(ARG, {"event_id": "ev_kono_remarks_aug20"}, {"char_end": str(S1 + 12), "text": "Mr Kono said"}),
     "argument-span", ARG, "char_start"),
    ("argument_in_another_sentence", edit(ARG, {"event_id": "ev_kono_remarks_aug20"},
                                          dict(zip(("text", "char_start", "char_end"), _span("art000", "Mr Kono", int(KONO_TOLD[1]))))),
     "argument-sentence", ARG, "char_start"),
    ("inferred_argument_without_notes", edit(ARG, {"event_id": "ev_kono_remarks_aug20"}, {"basis": "inferred"}), "inferred-reason", ARG, "notes"),
    # actor mentions
    ("mention_ids_out_of_text_order", lambda pkg: _swap_ids(pkg), "mention-order", AM, "mention_id"),
    ("mention_id_of_another_article", _shift_mention("KYODO", mention_id="am_002_999"), "mention-order", AM, "mention_id"),
    ("two_mentions_of_one_actor_with_one_extent", lambda pkg: _append_mention(pkg, "taro_kono", KONO_TOLD[1], "Mr Kono"),
     "mention-extent", AM, "char_start"),
    ("crossing_mentions", lambda pkg: _append_mention(pkg, "taro_kono", str(S1 + 3), "Kono said"), "mention-extent", AM, "char_start"),
    ("inferred_mention_without_reasoning", _shift_mention("KYODO", basis="inferred"), "inferred-reason", AM, "reasoning"),
    ("alias_that_is_no_mention", lambda pkg: _drop_mention(pkg, "KYODO"), "alias-mention", AL, "char_start"),
    ("alias_mention_of_another_actor", _then(_shift_mention("KYODO", actor_id="jpn"), _row_of(AL, article_id="art000", alias="KYODO")),
     "alias-mention", AL, "char_start"),
    # aliases are the first occurrence of each mention form (mentions audit 0.5b, actors audit O1-O3)
    ("mention_form_without_alias", lambda pkg: _drop_alias(pkg, "KYODO"), "alias-coverage", AM, "text"),
    ("alias_not_at_first_occurrence", lambda pkg: _move_alias_to(pkg, "Mr Kono", KONO_TOLD), "alias-coverage", AL, "char_start"),
    ("alias_basis_unlike_its_mention", edit(AL, {"article_id": "art000", "alias": "KYODO"}, {"basis": "inferred", "reasoning": "test"}),
     "alias-coverage", AL, "basis"),
    # an about-link's span is a mention of its event unless its notes say it only names the subject (statements audit 0.5b, R1)
    ("about_link_without_mention", lambda pkg: _drop_event_mention(pkg, "ev_beijing_kang_kono", "546"), "about-mention", SE, "char_start"),
    ("about_link_marked_yet_a_mention", edit(SE, {"statement_id": "st_000_01", "event_id": "ev_beijing_kang_kono"},
                                            {"notes": "Not an event mention: test."}), "about-mention", SE, "notes"),
    # a role evidenced in a trigger's sentence has its argument (arguments audit 0.5b, O1-O4)
    ("role_in_a_trigger_sentence_without_argument", lambda pkg: _drop_arguments(pkg), "argument-coverage", "event_actors", "role"),
]


def _drop_alias(pkg: Path, words: str) -> int:
    _write(pkg, AL, [r for r in _read(pkg, AL) if not (r["article_id"] == "art000" and r["alias"] == words)])
    return _row_of(AM, article_id="art000", text=words)(pkg)


def _move_alias_to(pkg: Path, words: str, later: tuple[str, str, str]) -> int:
    edit(AL, {"article_id": "art000", "alias": words}, {"char_start": later[1], "char_end": str(int(later[1]) + len(words))})(pkg)
    return _row_of(AL, article_id="art000", alias=words)(pkg)


def _drop_event_mention(pkg: Path, event: str, start: str) -> int:
    _write(pkg, EM, [r for r in _read(pkg, EM) if not (r["event_id"] == event and r["article_id"] == "art000" and r["char_start"] == start)])
    return _row_of(SE, event_id=event, article_id="art000", char_start=start)(pkg)


def _drop_arguments(pkg: Path) -> int:
    _write(pkg, ARG, [])
    return _row_of("event_actors", event_id="ev_kono_remarks_aug20", actor_id="taro_kono", role="initiator")(pkg)


def _swap_ids(pkg: Path) -> int:
    rows = _read(pkg, AM)
    rows[0]["mention_id"], rows[1]["mention_id"] = rows[1]["mention_id"], rows[0]["mention_id"]
    _write(pkg, AM, rows)
    return 2


def _append_mention(pkg: Path, actor: str, start: str, words: str) -> int:
    """Add a mention at the end of art000's sequence (its id is the highest), the error names it."""
    rows = _read(pkg, AM)
    n = max(int(r["mention_id"][-3:]) for r in rows if r["article_id"] == "art000") + 1
    rows.append(_mention(n, actor, "art000", (words, start, str(int(start) + len(words))), "short_name"))
    _write(pkg, AM, rows)
    return len(rows) + 1


def _drop_mention(pkg: Path, words: str) -> int:
    _write(pkg, AM, [r for r in _read(pkg, AM) if r["text"] != words])
    return _row_of(AL, article_id="art000", alias=words)(pkg)


@pytest.mark.parametrize("fault", FAULTS, ids=[f[0] for f in FAULTS])
def test_nlp_fault_is_reported_where_it_is(fault, nlp_package):
    assert_reported_where_it_is(fault, nlp_package)


def test_what_the_rules_allow(nlp_package):
    """A plural mention recorded once per actor; a shared trigger whose rows name each other; a source in apposition."""
    _append_mention(nlp_package, "jpn", KONO_TOLD[1], "Mr Kono")  # the same extent under another actor (one row per member)
    edit(AM, {"actor_id": "jpn", "text": "Mr Kono"}, {"reasoning": "test: one row per member"})(nlp_package)
    copy_row(EM, {"event_id": "ev_kono_remarks_aug20", "char_start": KONO_SAID[1]},
             {"event_id": "ev_beijing_kang_kono", "notes": "Shares its trigger with ev_kono_remarks_aug20."})(nlp_package)
    edit(EM, {"event_id": "ev_kono_remarks_aug20", "char_start": KONO_SAID[1]}, {"notes": "Trigger shared with ev_beijing_kang_kono."})(nlp_package)
    text = _text("art002")
    name = text.index("Jun Saito, a deputy press secretary")
    desc = text.index("a deputy press secretary", name)
    end = desc + len("a deputy press secretary in Japan’s foreign ministry")
    rows = _read(nlp_package, AM)
    rows += [_mention(900, "jun_saito", "art002", ("Jun Saito", str(name), str(name + 9)), "name"),
             _mention(901, "jun_saito", "art002", (text[desc:end], str(desc), str(end)), "description")]
    rows += [_mention(0, a["actor_id"], a["article_id"], (a["evidence_text"], a["char_start"], a["char_end"]),
                      a["alias_type"] if a["alias_type"] in MENTION_TYPES else "description", a["basis"], a["reasoning"])
             for a in _read(nlp_package, AL) if a["article_id"] == "art002"]
    _write(nlp_package, AM, _renumber([r for r in rows if r["article_id"] != "art002"] + list({(r["actor_id"], r["char_start"], r["char_end"]): r
                                                                                             for r in rows if r["article_id"] == "art002"}.values())))
    sid = next(r["statement_id"] for r in _read(nlp_package, ST) if r["speaker_id"] == "jun_saito" and r["article_id"] == "art002"
               and int(r["attribution_start"]) <= name < int(r["attribution_end"]))
    said = text.index("said", end)
    _st(sid, source_text=text[name:end], source_start=str(name), source_end=str(end), cue_text="said", cue_start=str(said),
        cue_end=str(said + 4))(nlp_package)
    report = validate(nlp_package)
    assert report.valid, report.to_text()


def test_the_expletive_it_of_a_cue_is_no_mention(package_copy):
    """art001 "Japan made it clear that it will not resume talks": the first "it" is inside the cue (mentions audit 0.5b, F2)."""
    text = _text("art001")
    expletive = text.index("made it clear") + len("made ")
    referring = text.index("it will not resume talks")
    fault = ("expletive_it_as_a_mention", edit(AM, {"article_id": "art001", "char_start": str(referring)},
                                                {"char_start": str(expletive), "char_end": str(expletive + 2)}), "cue-pronoun", AM, "char_start")
    assert_reported_where_it_is(fault, package_copy)


def test_an_article_without_mentions_is_not_held_to_the_alias_rule(nlp_package):
    """The alias and source rules apply per article once it has mentions: art002's aliases have none here, and pass."""
    report = validate(nlp_package)
    assert not [p for p in report.problems if p.check == "alias-mention"]
    assert any(a["article_id"] == "art002" for a in _read(nlp_package, AL))


# ---- the sentence splitter and the tokenizer (jpkr_data/text)

def test_sentences_of_a_real_paragraph():
    text = _text("art002")
    found = [text[a:b] for a, b in sentences(text)]
    assert "The 55-minute talks began with a frosty greeting." in found
    # "U.S." does not end a sentence; a line break always does
    assert any(s.startswith("Tensions could worsen") and "the U.S. senior administration official" in s for s in found)
    assert all("\n" not in s for s in found)


@pytest.mark.parametrize("text,expected", [
    ("Mr. Kono met Ms. Kang. They talked.", ["Mr. Kono met Ms. Kang.", "They talked."]),
    ("He said: “No.” Then he left.", ["He said: “No.”", "Then he left."]),
    ("The U.S. Secretary of State spoke. Pompeo said so.", ["The U.S. Secretary of State spoke.", "Pompeo said so."]),
    ("headline\n\nbody one. \"Quote,\" he said.", ["headline", "body one.", "\"Quote,\" he said."]),
    ("ends with 1.5 million. and lower case.", ["ends with 1.5 million. and lower case."]),
])
def test_sentence_rules(text, expected):
    assert [text[a:b] for a, b in sentences(text)] == expected


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab AB.?!\"“”’\n\t"), max_size=60))
def test_sentences_are_ordered_trimmed_and_cover_every_word(text):
    bounds = sentences(text)
    assert all(a < b and text[a:b] == text[a:b].strip() for a, b in bounds)
    assert all(b1 <= a2 for (_, b1), (a2, _) in zip(bounds, bounds[1:]))
    for m in TOKEN.finditer(text):  # every token lies in exactly one sentence
        assert sentence_of(bounds, m.start(), m.end()) is not None, (text, m.group())


def test_tokens_split_possessives_and_hyphens_so_spans_align():
    text = "Japan's foreign minister, Lee Eun-jae, told the U.S. official."
    toks = tokenize(text)
    assert [t.text for t in toks][:4] == ["Japan", "'", "s", "foreign"]
    for words in ("Japan", "Japan's foreign minister", "Lee Eun-jae", "U.S.", "Eun", "official"):
        start = text.index(words)
        assert aligned(toks, start, start + len(words)), words
    assert not aligned(toks, text.index("apan"), text.index("apan") + 4)
    assert all(text[t.start:t.end] == t.text for t in toks)
