"""A vectorised pre-check of a CSV file's shape, for large files.

Python's csv module, which validation uses to catch what DuckDB's strict reader lets through,
parses about 80 MB/s. This check reads the bytes with numpy instead, and answers only "certainly
fine" or "not sure": on "not sure" the caller parses the file with the csv module, which stays
the authority and names the row of any problem. It says "certainly fine" only for files in the
simple form every writer of this package produces: quotes only at the start and end of a field
(or doubled inside one), no carriage return or NUL byte, no empty line, every record with the
same number of cells.
"""
from __future__ import annotations

QUOTE, COMMA, NL, CR, NUL = 34, 44, 10, 13, 0
FAST_MIN_BYTES = 1 << 20  # below this the csv module is fast enough and numpy is not imported
CHUNK = 1 << 22  # bytes compared at a time: keeps temporaries small and reused


def _positions(a, byte: int):
    """Offsets of `byte` in the uint8 array `a`, found chunk by chunk."""
    import numpy as np

    return np.concatenate([np.flatnonzero(a[i:i + CHUNK] == byte) + i for i in range(0, a.size, CHUNK)])


def widths_certainly_ok(raw: bytes, width: int) -> bool:
    """True only if every record of `raw` has `width` cells and the csv module would accept it."""
    import numpy as np

    if not raw or b"\r" in raw or b"\x00" in raw:
        return False
    a = np.frombuffer(raw, dtype=np.uint8)
    qpos = _positions(a, QUOTE)
    if qpos.size % 2:
        return False  # a quote left open
    if qpos.size:
        last = a.size - 1
        prev = a[np.maximum(qpos - 1, 0)]
        prev[qpos == 0] = NL  # the start of the file acts as a record start
        nxt = a[np.minimum(qpos + 1, last)]
        nxt[qpos == last] = NL  # the end of the file acts as a record end
        opening = np.arange(qpos.size) % 2 == 0  # quotes alternate: open, close, open, ...
        legal = np.where(opening, (prev == COMMA) | (prev == NL) | (prev == QUOTE), (nxt == COMMA) | (nxt == NL) | (nxt == QUOTE))
        if not legal.all():
            return False  # a quote inside an unquoted field, or text after a closing quote
    nl = _positions(a, NL)
    ends = nl[np.searchsorted(qpos, nl) % 2 == 0]  # newlines outside quotes end records
    if ends.size == 0 or ends[-1] != a.size - 1:
        ends = np.append(ends, a.size)  # the last record has no newline
    starts = np.concatenate(([0], ends[:-1] + 1))
    if (ends == starts).any():
        return False  # an empty line: the csv module reads it as a record of no cells
    commas = _positions(a, COMMA)
    commas = commas[np.searchsorted(qpos, commas) % 2 == 0]
    cells = np.diff(np.concatenate(([0], np.searchsorted(commas, ends)))) + 1
    return bool((cells == width).all())
