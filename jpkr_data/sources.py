"""Source article texts: decoding, checksums, slices by code point, and quotation marks."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

MAX_SOURCE_BYTES = 16 << 20  # a source article larger than this is refused unread (the five articles are 3-30 KB)
QUOTE_MARKS = frozenset('"\u201c\u201d')  # straight, left and right double quotes


def read_source(path: Path) -> str:
    """Decode a source file as UTF-8 exactly (no newline translation, no BOM stripping)."""
    return path.read_bytes().decode("utf-8")


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass(frozen=True)
class QuotedSpan:
    """The words between a pair of quotation marks; offsets exclude the marks."""
    char_start: int
    char_end: int
    text: str
    open_mark: str
    close_mark: str


@dataclass(frozen=True)
class UnpairedMark:
    offset: int
    paragraph: str


def find_quoted_spans(text: str, start: int, end: int) -> tuple[list[QuotedSpan], list[UnpairedMark]]:
    """Pair the double quotation marks in text[start:end], paragraph by paragraph.

    Marks are paired in order of appearance whatever their shape, because the sources
    mix straight and curly marks ('"grave ramifications\u201d'). A paragraph with an odd
    number of marks yields its last mark as unpaired.
    """
    spans: list[QuotedSpan] = []
    unpaired: list[UnpairedMark] = []
    pos = start
    for line in text[start:end].split("\n"):
        marks = [pos + i for i, ch in enumerate(line) if ch in QUOTE_MARKS]
        for a, b in zip(marks[0::2], marks[1::2]):
            spans.append(QuotedSpan(a + 1, b, text[a + 1:b], text[a], text[b]))
        if len(marks) % 2:
            unpaired.append(UnpairedMark(marks[-1], line.strip()[:80]))
        pos += len(line) + 1
    return spans, unpaired
