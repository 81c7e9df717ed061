"""A vectorised pre-check of a CSV file's shape, for large files.

Python's csv module, which validation uses to catch what DuckDB's strict reader lets through,
parses about 80 MB/s. This check reads the bytes with numpy instead, a chunk at a time (so a large
file is never held whole), and answers only "certainly fine" or "not sure": on "not sure" the caller parses the file with the csv module, which stays
the authority and names the row of any problem. It says "certainly fine" only for files in the
simple form every writer of this package produces: quotes only at the start and end of a field
(or doubled inside one), no carriage return or NUL byte, no empty line, every record with the
same number of cells.
"""
from __future__ import annotations

QUOTE, COMMA, NL, CR, NUL = 34, 44, 10, 13, 0
FAST_MIN_BYTES = 1 << 20  # below this the csv module is fast enough and numpy is not imported
CHUNK = 1 << 22  # bytes compared at a time: keeps temporaries small and reused


class ShapeScan:
    """The check, fed a file chunk by chunk (memory bounded by CHUNK, whatever the file's size).

    Between chunks it keeps the number of quotes seen (whose parity says whether the next byte is
    inside quotes), the byte before the next chunk, the offset of the last record end and the
    unquoted commas seen since. The last byte fed is scanned with the next chunk, whose first byte
    it needs to know whether a quote there is legal."""

    def __init__(self, width: int):
        self.width = width
        self.ok = True
        self.scanned = 0  # bytes scanned; the carried byte is not yet
        self.quotes = 0  # quotes scanned
        self.prev = NL  # the byte before the next one scanned (the start of the file acts as a record start)
        self.last_end = -1  # offset of the last newline outside quotes
        self.commas = 0  # commas outside quotes since then
        self.carry = b""

    def feed(self, chunk: bytes) -> None:
        """Scan the next bytes of the file (all but the last, which waits for its successor)."""
        if not self.ok or not chunk:
            return
        chunk = bytes(chunk)
        if b"\r" in chunk or b"\x00" in chunk:
            self.ok = False
            return
        buf = self.carry + chunk
        self._scan(buf, len(buf) - 1)
        self.carry = buf[-1:]

    def finish(self) -> bool:
        """True only if every record of the whole file fed has `width` cells and the csv module would accept it."""
        if not self.ok or not self.carry:
            return False
        self._scan(self.carry, len(self.carry))  # the end of the file acts as a record end after the last byte
        if not self.ok or self.quotes % 2:
            return False  # a quote left open
        if self.last_end != self.scanned - 1 and self.commas + 1 != self.width:
            return False  # the last record, without a newline, has another number of cells
        return True

    def _scan(self, buf: bytes, n: int) -> None:
        """Scan buf[:n]; buf[n], when present, is the byte after it."""
        import numpy as np

        if n == 0:
            return
        a = np.frombuffer(buf, dtype=np.uint8)
        s = a[:n]
        isq = s == QUOTE
        qidx = np.flatnonzero(isq)
        if qidx.size:
            prev = s[np.maximum(qidx - 1, 0)]
            prev[qidx == 0] = self.prev
            after = qidx + 1
            nxt = a[np.minimum(after, a.size - 1)]
            nxt[after >= a.size] = NL  # the end of the file acts as a record end
            opening = (self.quotes + np.arange(qidx.size)) % 2 == 0  # quotes alternate: open, close, open, ...
            legal = np.where(opening, (prev == COMMA) | (prev == NL) | (prev == QUOTE), (nxt == COMMA) | (nxt == NL) | (nxt == QUOTE))
            if not legal.all():
                self.ok = False  # a quote inside an unquoted field, or text after a closing quote
                return
        # a byte is outside quotes when an even number of quotes (counting those before this chunk) precedes it
        ends = np.flatnonzero(s == NL)
        ends = ends[(np.searchsorted(qidx, ends) + self.quotes) % 2 == 0]
        commas = np.flatnonzero(s == COMMA)
        commas = commas[(np.searchsorted(qidx, commas) + self.quotes) % 2 == 0]
        if ends.size:
            previous = np.concatenate(([self.last_end - self.scanned], ends[:-1]))
            if (ends - previous == 1).any():
                self.ok = False  # an empty line: the csv module reads it as a record of no cells
                return
            counts = np.searchsorted(commas, ends)
            cells = np.diff(np.concatenate(([0], counts))) + 1
            cells[0] += self.commas
            if not (cells == self.width).all():
                self.ok = False
                return
            self.commas = int(commas.size - counts[-1])
            self.last_end = self.scanned + int(ends[-1])
        else:
            self.commas += int(commas.size)
        self.quotes += int(qidx.size)
        self.prev = int(s[-1])
        self.scanned += n


def widths_certainly_ok(raw: bytes, width: int) -> bool:
    """True only if every record of `raw` has `width` cells and the csv module would accept it."""
    scan = ShapeScan(width)
    view = memoryview(raw)
    for i in range(0, len(raw), CHUNK):
        scan.feed(view[i:i + CHUNK])
    return scan.finish()


def file_widths_certainly_ok(path, width: int) -> bool:
    """widths_certainly_ok for a file, read CHUNK bytes at a time."""
    scan = ShapeScan(width)
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(CHUNK), b""):
            scan.feed(chunk)
            if not scan.ok:
                return False
    return scan.finish()
