"""The corpus's tokenizer: a regex, finest split, so that every span that starts and ends at a word edge aligns to tokens.

A token is a run of word characters (`\\w+`: letters, digits, `_`, in any script) or one character that is
neither a word character nor white space (punctuation, a quote mark, a symbol). So "Japan's" is `Japan`, `'`, `s`,
"U.S." is `U`, `.`, `S`, `.`, and "Lee Eun-jae" is `Lee`, `Eun`, `-`, `jae`: a span that ends before a possessive
or starts after a hyphen still falls on token edges. Offsets are Python `str` indices (code points), end exclusive.
"""
from __future__ import annotations

import re
from typing import NamedTuple

TOKEN = re.compile(r"\w+|[^\w\s]")


class Token(NamedTuple):
    """One token: its text and [start, end) in the article."""
    text: str
    start: int
    end: int


def tokenize(text: str, start: int = 0, end: int | None = None) -> list[Token]:
    """The tokens of text[start:end], with offsets into `text`."""
    return [Token(m.group(), m.start(), m.end()) for m in TOKEN.finditer(text, start, len(text) if end is None else end)]


def aligned(tokens: list[Token], start: int, end: int) -> bool:
    """[start, end) begins at a token's start and ends at a token's end (an empty span never aligns)."""
    starts = {t.start for t in tokens}
    ends = {t.end for t in tokens}
    return start < end and start in starts and end in ends
