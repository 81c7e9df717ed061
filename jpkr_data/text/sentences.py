"""The corpus's sentence splitter: documented, deterministic, regex-only (no model), so that checks and exports agree.

A sentence ends
- at a line break (headlines, bylines and paragraphs are separate sentences), and
- after `.`, `?` or `!` (a closing quote mark may follow) when white space and then an upper-case letter or an
  opening quote mark come next,
except after an abbreviation: a title (`Mr.`, `Mrs.`, `Ms.`, `Dr.`, `St.`, `Gen.`, `Sen.`, `Rep.`, `Gov.`, `Prof.`,
`Jan.` ... `Dec.`) or initials (`U.S.`, `U.N.`, `S.`), since "U.S. Secretary of State Mike Pompeo said"
is one sentence. Sentences are (start, end) offsets into the text (Python `str` indices, end exclusive), with
surrounding white space left out; blank lines hold no sentence.
"""
from __future__ import annotations

import bisect
import re

BREAK = re.compile(r"[.?!][\"”’']?(?=[ \t\u00a0]+[\"“‘'A-Z])")
LINE = re.compile(r"[^\r\n\u2028\u2029\x85\x0b\x0c]+")
ABBREVIATIONS = frozenset({"mr", "mrs", "ms", "dr", "st", "gen", "sen", "rep", "gov", "prof", "jan", "feb", "mar", "apr",
                           "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "vs", "jr", "sr", "lt", "col", "capt"})
INITIALS = re.compile(r"(?:\b[A-Za-z]\.)+$")  # "U.S.", "U.N.", "S." (the full stop included)


def _abbreviation(before: str) -> bool:
    """The text up to and including a full stop ends with an abbreviation or initials."""
    if INITIALS.search(before):
        return True
    word = re.search(r"([A-Za-z]+)\.$", before)
    return bool(word) and word.group(1).lower() in ABBREVIATIONS


def sentences(text: str) -> list[tuple[int, int]]:
    """Every sentence of `text` as (start, end), in text order."""
    out: list[tuple[int, int]] = []
    for line in LINE.finditer(text):
        pos = line.start()
        for m in BREAK.finditer(text, line.start(), line.end()):
            if text[m.start()] == "." and _abbreviation(text[line.start():m.start() + 1]):
                continue
            out.append((pos, m.end()))
            pos = m.end()
        out.append((pos, line.end()))
    trimmed = []
    for a, b in out:
        piece = text[a:b]
        a2 = a + len(piece) - len(piece.lstrip())
        b2 = b - (len(piece) - len(piece.rstrip()))
        if a2 < b2:
            trimmed.append((a2, b2))
    return trimmed


def sentence_of(bounds: list[tuple[int, int]], start: int, end: int) -> int | None:
    """The index of the sentence that holds [start, end) whole, or None when the span crosses a boundary or lies between sentences."""
    i = bisect.bisect_right([a for a, _ in bounds], start) - 1
    if i < 0:
        return None
    a, b = bounds[i]
    return i if a <= start and end <= b else None
