"""brat standoff for the corpus: write one article's .ann and the two .conf files, and read them back losslessly.

- `T` lines: one per span of every layer; a span that crosses a line break becomes a discontinuous span
  (`start end;start end`), since an .ann line cannot hold a newline. A trigger's label is its event type (brat
  requires an event's trigger to carry the event's type); every other label is the corpus label (`statement`,
  `source`, `cue`, `actor_mention`, `argument`, ...).
- `A` lines: every attribute of the span's row that is not free text, null ones left out. brat values are one
  token, so a value is written percent-encoded: `%`, white space, control characters and brat's configuration
  separators `,` `|` `:` become `%XX` (their UTF-8 bytes), everything else is kept; `urllib.parse.unquote` (or
  `decode_value`) gives the value back exactly. True and false are written `true` and `false`, as in the CSV.
- `#` AnnotatorNotes: a JSON object with the span's corpus label, table, row key and free-text fields (notes, reasoning).
- `R` lines: `Source` (source -> cue), `Content` (cue -> content), `Nested` (the embedding statement's content ->
  the nested statement's cue), `Coref` (an actor mention -> the previous mention of the same actor in the article).
- `E` lines: a trigger with its arguments (events whose triggers have the same type and span share one T line, as brat
  asks), `<role>:T<n>` (a repeated role numbered `<role>2`, `<role>3`, as brat does);
  the argument T lines are the `argument` spans (event_mention_arguments rows), which lie on actor mentions.
The attributes and the note of a trigger are on its `E` id: brat attaches attributes to events, and refuses to open a
document in which anything but an event refers to a trigger's T id.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote

ENCODED = re.compile(r"[%,|:\s\x00-\x1f\x7f-\x9f\u2028\u2029]")
FREE_TEXT = ("notes", "reasoning")  # a field named so, or ending in _reasoning, is free text: kept in AnnotatorNotes
TRIGGER, ARGUMENT, MENTION = "trigger", "argument", "actor_mention"
RELATIONS = {"Source": ("source", "cue"), "Content": ("cue", "statement"), "Nested": ("statement", "cue"), "Coref": (MENTION, MENTION)}


def free_text(name: str) -> bool:
    """Free-text fields go to AnnotatorNotes, not to brat attributes."""
    return name in FREE_TEXT or name.endswith("_reasoning")


def as_text(value: Any) -> str:
    """A value as the CSV writes it: true/false for booleans, str() otherwise."""
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def encode_value(value: Any) -> str:
    """A brat attribute value: the text with %, white space, control characters and , | : percent-encoded (UTF-8)."""
    return ENCODED.sub(lambda m: "".join(f"%{b:02X}" for b in m.group().encode("utf-8")), as_text(value))


def decode_value(value: str) -> str:
    """The value encode_value() wrote."""
    return unquote(value, encoding="utf-8", errors="strict")


def brat_name(name: str) -> str:
    """A label or attribute name brat accepts (letters, digits, '_', '.', '-')."""
    return re.sub(r"[^A-Za-z0-9_.\-]", "_", name) or "_"


def brat_fragments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """(start, end) pieces of a span with the line breaks (as str.splitlines sees them) left out; empty if it is all breaks."""
    pieces, pos = [], start
    for m in re.finditer(r"[\r\n\u2028\u2029\x85\x0b\x0c\x1c\x1d\x1e]+", text[start:end]):
        a, b = start + m.start(), start + m.end()
        if a > pos:
            pieces.append((pos, a))
        pos = b
    if end > pos:
        pieces.append((pos, end))
    return pieces


def brat_attributes(attributes: dict[str, Any]) -> dict[str, str]:
    """The span's attributes as brat writes them: every non-null, non-free-text value, encoded."""
    return {brat_name(k): encode_value(v) for k, v in attributes.items() if v is not None and not free_text(k)}


def _label(span: dict[str, Any]) -> str:
    """The T line's type: the event type for a trigger, the corpus label otherwise."""
    if span["label"] == TRIGGER:
        return brat_name(str(span["attributes"].get("event_type") or "event"))
    return brat_name(span["label"])


def _key(span: dict[str, Any]) -> str:
    return json.dumps([span["table"], span["key"]], sort_keys=True, default=str)


def brat_ann(record: dict[str, Any]) -> str:
    """The .ann standoff of one article (see the module docstring).

    A span made only of line breaks has no brat form and is left out of the .ann (it stays in the JSON Lines)."""
    text, lines = record["text"], []
    t_of: dict[tuple[str, str], str] = {}  # (row key, corpus label) -> T id
    e_of: dict[str, str] = {}  # trigger row key -> E id
    shared: dict[str, str] = {}  # a trigger's T line -> its T id: events with the same trigger type and span share it, as brat asks
    attr_lines, n_attr, n_event = [], 0, 0
    for i, s in enumerate((s for s in record["spans"] if brat_fragments(text, s["start"], s["end"])), start=1):
        frags = brat_fragments(text, s["start"], s["end"])
        offsets = ";".join(f"{a} {b}" for a, b in frags)
        body = f"{_label(s)} {offsets}\t{' '.join(text[a:b] for a, b in frags)}"
        if s["label"] == TRIGGER and body in shared:
            t_id = shared[body]
        else:
            t_id = f"T{i}"
            lines.append(f"{t_id}\t{body}")
            if s["label"] == TRIGGER:
                shared[body] = t_id
        t_of[(_key(s), s["label"])] = target = t_id
        if s["label"] == TRIGGER:
            n_event += 1
            target = e_of[_key(s)] = f"E{n_event}"
        for k, v in brat_attributes(s["attributes"]).items():
            n_attr += 1
            attr_lines.append(f"A{n_attr}\t{k} {target} {v}")
        note = {"label": s["label"], "table": s["table"], "key": s["key"],
                **{k: v for k, v in s["attributes"].items() if free_text(k) and v is not None}}
        lines.append(f"#{i}\tAnnotatorNotes {target}\t{json.dumps(note, ensure_ascii=True, default=str)}")
    events = {e: [f"{_label(s)}:{t_of[(_key(s), TRIGGER)]}"] for s in record["spans"] if (e := e_of.get(_key(s))) and s["label"] == TRIGGER}
    lines += _relations(record["spans"], t_of)
    for s in record["spans"]:
        if s["label"] != ARGUMENT or (_key(s), ARGUMENT) not in t_of:
            continue
        k = s["key"]
        trigger_key = json.dumps(["event_mentions", {"event_id": k["event_id"], "article_id": k["article_id"], "char_start": k["mention_start"]}],
                                 sort_keys=True, default=str)
        if (e := e_of.get(trigger_key)) is None:
            continue
        role = brat_name(str(k["role"]))
        used = sum(1 for x in events[e][1:] if re.sub(r"\d+$", "", x.split(":")[0]) == role)
        events[e].append(f"{role}{used + 1 if used else ''}:{t_of[(_key(s), ARGUMENT)]}")
    lines += [f"{e}\t{' '.join(args)}" for e, args in events.items()]
    lines += attr_lines
    return "\n".join(lines) + ("\n" if lines else "")


def _relations(spans: list[dict[str, Any]], t_of: dict[tuple[str, str], str]) -> list[str]:
    """R lines: Source, Content and Nested per statement, Coref along each actor's mentions in the article."""
    out: list[tuple[str, str, str]] = []
    statements = {s["key"].get("statement_id"): s for s in spans if s["table"] == "statements" and s["label"] == "statement"}
    for s in statements.values():
        k = _key(s)
        src, cue, content = t_of.get((k, "source")), t_of.get((k, "cue")), t_of.get((k, "statement"))
        if src and cue:
            out.append(("Source", src, cue))
        if cue and content:
            out.append(("Content", cue, content))
        parent = statements.get(s["attributes"].get("embedded_in_statement_id"))
        if parent is not None and cue and (pc := t_of.get((_key(parent), "statement"))):
            out.append(("Nested", pc, cue))
    previous: dict[str, str] = {}
    for s in spans:
        if s["label"] == MENTION and (t := t_of.get((_key(s), MENTION))):
            actor = str(s["attributes"].get("actor_id"))
            if actor in previous:
                out.append(("Coref", t, previous[actor]))
            previous[actor] = t
    return [f"R{i}\t{kind} Arg1:{a} Arg2:{b}" for i, (kind, a, b) in enumerate(out, start=1)]


def brat_confs(records: list[dict[str, Any]]) -> tuple[str, str]:
    """annotation.conf and visual.conf declaring every type, relation, event, role and attribute value used."""
    entities, event_roles, attrs = set(), {}, {}
    for r in records:
        for s in r["spans"]:
            if s["label"] == TRIGGER:
                event_roles.setdefault(_label(s), set())
            else:
                entities.add(_label(s))
            for k, v in brat_attributes(s["attributes"]).items():
                attrs.setdefault(k, set()).add(v)
        for line in brat_ann(r).splitlines():
            if line.startswith("E"):
                etype, *args = line.split("\t", 1)[1].split(" ")
                event_roles.setdefault(etype.split(":")[0], set()).update(re.sub(r"\d+$", "", a.split(":")[0]) for a in args)
    annotation = ["[entities]", *sorted(entities), "", "[relations]"]
    annotation += [f"{k}\tArg1:{a}, Arg2:{b}" for k, (a, b) in RELATIONS.items() if {a, b} <= entities]  # brat refuses undeclared types
    annotation += ["<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>", "", "[events]"]
    annotation += [f"{e}\t" + ", ".join(f"{role}*:{ARGUMENT}" for role in sorted(roles)) if roles else e for e, roles in sorted(event_roles.items())]
    annotation += ["", "[attributes]"]
    annotation += [f"{k}\tArg:<ENTITY>|<EVENT>, Value:{'|'.join(sorted(v))}" for k, v in sorted(attrs.items())]
    visual = ["[labels]", *[f"{e} | {e.replace('_', ' ')}" for e in sorted(entities | set(event_roles))], "", "[drawing]",
              "SPAN_DEFAULT\tfgColor:black, bgColor:lightgreen, borderColor:darken", "ARC_DEFAULT\tcolor:black, arrowHead:triangle-5",
              "source\tbgColor:#ffd28a", "cue\tbgColor:#ff8a8a", "statement\tbgColor:#a4c8ff", "actor_mention\tbgColor:#e0e0e0",
              "argument\tbgColor:#d8b4ff", "Coref\tcolor:#888888, dashArray:3-3"]
    return "\n".join(annotation) + "\n", "\n".join(visual) + "\n"


def read_ann(text: str, ann: str) -> dict[str, Any]:
    """One article's spans, relations and events from its .txt text and .ann standoff, as brat_ann wrote them.

    Spans are keyed by their brat id, a trigger's by its event's E id; an event is (E id, its trigger span's id, arguments).

    A span comes back as in the JSON Lines: label, start, end, text (the article's slice), table, key, and
    attributes (decoded strings; free text from the note; null ones absent)."""
    spans: dict[str, dict[str, Any]] = {}
    owner: dict[str, str] = {}  # E id -> its trigger's T id
    relations, events, attributes, notes = [], [], [], {}
    for line in ann.splitlines():
        ident, rest = line.split("\t", 1)
        if ident.startswith("T"):
            head, _ = rest.split("\t", 1)
            label, offsets = head.split(" ", 1)
            frags = [tuple(int(x) for x in part.split(" ")) for part in offsets.split(";")]
            spans[ident] = {"brat_label": label, "start": frags[0][0], "end": frags[-1][1], "fragments": frags}
        elif ident.startswith("A"):
            name, target, value = rest.split(" ", 2)
            attributes.append((target, name, decode_value(value)))
        elif ident.startswith("#"):
            target, note = rest.split("\t", 1)
            notes[target.split(" ")[1]] = json.loads(note)
        elif ident.startswith("R"):
            kind, a1, a2 = rest.split(" ")
            relations.append((kind, a1.split(":", 1)[1], a2.split(":", 1)[1]))
        elif ident.startswith("E"):
            trigger, *args = rest.split(" ")
            owner[ident] = trigger.split(":", 1)[1]
            events.append((ident, owner[ident], [tuple(a.split(":", 1)) for a in args]))
        else:
            raise ValueError(f"unexpected brat line {line!r}")
    out = {}
    # a trigger's span is its event (E id): events may share one trigger T line, each with its own note and attributes
    for ident, t in [(t, t) for t in spans if t not in owner.values()] + list(owner.items()):
        s, note = spans[t], notes[ident]
        attrs = {k: v for k, v in note.items() if k not in ("label", "table", "key")}
        out[ident] = {"label": note["label"], "start": s["start"], "end": s["end"], "text": text[s["start"]:s["end"]],
                      "table": note["table"], "key": note["key"], "attributes": attrs, "brat_label": s["brat_label"], "fragments": s["fragments"]}
    for target, name, value in attributes:
        out[target]["attributes"][name] = value
    return {"spans": out, "relations": relations, "events": [(e, e, args) for e, _, args in events]}


def read_brat(folder: str | Path) -> dict[str, dict[str, Any]]:
    """article id -> {text, spans, relations, events} for every <id>.ann (with its <id>.txt) in a folder brat_ann wrote."""
    root = Path(folder)
    out = {}
    for ann in sorted(root.glob("*.ann")):
        text = ann.with_suffix(".txt").read_bytes().decode("utf-8")
        out[ann.stem] = {"text": text, **read_ann(text, ann.read_text(encoding="utf-8"))}
    return out


def read_jsonl(path: str | Path) -> list[dict[str, Any]]:
    """The JSON Lines corpus, one article record per line."""
    with Path(path).open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]
