"""Token-level BIO in CoNLL-style TSV: the corpus converter for sequence labelling (`jpkr-data corpus --bio DIR`).

One file per article, `<article id>.tsv`, UTF-8. It opens with `# doc_id = <id>` and a `# columns = ...` line; each
sentence (jpkr_data/text/sentences.py) of the article's content (its body and its headline, byline, caption ...
segments; web boilerplate is left out) opens with `# sent_id = <id>-s<nnn>` and `# text = <sentence>`, and ends
with a blank line. Then one line per token (jpkr_data/text/tokens.py), tab-separated:

    token  start  end  sentence  source  cue  content  trigger  mention

`start`/`end` are the token's offsets into the article (code points, end exclusive). A layer column is `O`, or
`B-<value>` on a span's first token and `I-<value>` on the others: `source`, `cue` and `content` carry the
statement id (so the three spans of one attribution share it), `trigger` the event type, `mention` the actor
mention's type (name, pronoun ...). Spans of one layer can nest (a direct fragment inside an indirect content, a
name inside a longer mention): a token inside several spans of a layer gets all their tags, outermost first,
joined by `|`; for flat BIO keep the first tag. Tabs and line breaks never occur in a token.
"""
from __future__ import annotations

from typing import Any

from .sentences import sentences
from .tokens import Token, tokenize

# layer column -> (corpus span label, attribute whose value the tag carries)
LAYERS = {"source": ("source", "statement_id"), "cue": ("cue", "statement_id"), "content": ("statement", "statement_id"),
          "trigger": ("trigger", "event_type"), "mention": ("actor_mention", "mention_type")}
COLUMNS = ("token", "start", "end", "sentence", *LAYERS)
CONTENT_SEGMENTS = ("headline", "caption", "byline", "correction", "timestamp")  # validator/integrity.py: segments that are content


def content_regions(record: dict[str, Any]) -> list[tuple[int, int]]:
    """[start, end) of the article body and of each content segment, in text order (overlaps merged)."""
    regions = [(int(record["body_start"]), int(record["body_end"]))] if record.get("body_start") is not None else []
    regions += [(s["start"], s["end"]) for s in record["spans"]
                if s["label"] == "segment" and s["attributes"].get("segment_type") in CONTENT_SEGMENTS]
    merged: list[tuple[int, int]] = []
    for a, b in sorted(regions):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def article_sentences(record: dict[str, Any]) -> list[tuple[int, int]]:
    """The sentences of the article's content regions."""
    text = record["text"]
    return [(a + x, a + y) for a, b in content_regions(record) for x, y in sentences(text[a:b])]


def layer_spans(record: dict[str, Any]) -> dict[str, list[tuple[int, int, str]]]:
    """layer column -> (start, end, value) of its spans, outermost first."""
    out: dict[str, list[tuple[int, int, str]]] = {k: [] for k in LAYERS}
    for s in record["spans"]:
        for column, (label, attr) in LAYERS.items():
            if s["label"] == label:
                out[column].append((s["start"], s["end"], str(s["attributes"].get(attr))))
    for spans in out.values():
        spans.sort(key=lambda x: (x[0], -x[1], x[2]))
    return out


def tags(tokens: list[Token], spans: list[tuple[int, int, str]]) -> list[str]:
    """One cell per token: the B-/I- tags of every span covering it (outermost first, '|'-joined) or O."""
    cells: list[list[str]] = [[] for _ in tokens]
    lo, hi = (tokens[0].start, tokens[-1].end) if tokens else (0, 0)
    for start, end, value in spans:
        if end <= lo or start >= hi:
            continue
        first = True
        for i, t in enumerate(tokens):
            if t.start >= start and t.end <= end:
                cells[i].append(("B-" if first else "I-") + value)
                first = False
    return ["|".join(c) if c else "O" for c in cells]


def bio_tsv(record: dict[str, Any]) -> str:
    """The BIO file of one article record (the JSON Lines record of `jpkr-data corpus`)."""
    text, aid = record["text"], record["id"]
    layers = layer_spans(record)
    lines = [f"# doc_id = {aid}", "# columns = " + " ".join(COLUMNS)]
    for n, (a, b) in enumerate(article_sentences(record), start=1):
        tokens = tokenize(text, a, b)
        if not tokens:
            continue
        sid = f"{aid}-s{n:03d}"
        lines += [f"# sent_id = {sid}", "# text = " + " ".join(text[a:b].split())]
        cols = [tags(tokens, layers[k]) for k in LAYERS]
        for i, t in enumerate(tokens):
            lines.append("\t".join([t.text, str(t.start), str(t.end), sid, *(c[i] for c in cols)]))
        lines.append("")
    return "\n".join(lines) + "\n"


def read_bio(tsv: str) -> list[dict[str, str]]:
    """The token rows of a BIO file, as dicts keyed by COLUMNS."""
    return [dict(zip(COLUMNS, line.split("\t"))) for line in tsv.splitlines() if line and not line.startswith("#")]


def bio_spans(rows: list[dict[str, str]], column: str) -> set[tuple[int, int, str]]:
    """The spans of one layer column, (start, end, value), read back from its tags.

    The k-th tag of a cell belongs to the k-th span, outermost first, covering the token; spans of one layer nest
    (the validator refuses crossing ones), so a `B-` at depth k closes the spans open at depth k and deeper."""
    out: set[tuple[int, int, str]] = set()
    stack: list[list] = []  # [start, end, value] per depth
    for r in rows:
        cell = [] if r[column] == "O" else r[column].split("|")
        depth = 0
        while depth < len(cell) and depth < len(stack) and cell[depth] == "I-" + stack[depth][2]:
            stack[depth][1] = int(r["end"])
            depth += 1
        for start, end, value in stack[depth:]:
            out.add((start, end, value))
        del stack[depth:]
        for tag in cell[depth:]:
            stack.append([int(r["start"]), int(r["end"]), tag[2:]])
    out.update((start, end, value) for start, end, value in stack)
    return out
