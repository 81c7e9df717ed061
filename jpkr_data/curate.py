"""Curator tools: find the offsets of verbatim text, and fill empty offsets in the CSVs.

A curator writes the evidence text and leaves char_start/char_end empty; `fill_offsets`
finds the unique occurrence inside the article's content and writes the offsets. When the
text occurs more than once, it stops and lists the candidates: give char_start by hand.
"""
from __future__ import annotations

import csv
import io
import os
from pathlib import Path

from .paths import resolve_descriptor
from .schema import Package, Table, load_package
from .sources import read_source
from .validator.integrity import CONTENT_SEGMENTS


def _read_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def write_rows(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    """Write a CSV atomically (temporary file, then rename) with '\\n' line endings."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(buf.getvalue(), encoding="utf-8")
    os.replace(tmp, path)


class Sources:
    """Article texts and the regions evidence may come from, read from the CSVs."""

    def __init__(self, pkg: Package):
        self.pkg = pkg
        _, arts = _read_rows(pkg.root / pkg.table("articles").path)
        _, segs = _read_rows(pkg.root / pkg.table("article_segments").path)
        self.text: dict[str, str] = {}
        self.regions: dict[str, list[tuple[int, int]]] = {}
        for a in arts:
            self.text[a["article_id"]] = read_source(pkg.root / "data" / "sources" / a["source_file"])
            if a.get("body_start") and a.get("body_end"):
                self.regions.setdefault(a["article_id"], []).append((int(a["body_start"]), int(a["body_end"])))
        for s in segs:
            if s["segment_type"] in CONTENT_SEGMENTS:
                self.regions.setdefault(s["article_id"], []).append((int(s["char_start"]), int(s["char_end"])))

    def find(self, article_id: str, needle: str, region: str = "content") -> list[tuple[int, int]]:
        if article_id not in self.text:
            raise KeyError(f"unknown article {article_id!r}; known: {', '.join(sorted(self.text))}")
        if not needle:
            raise ValueError("empty text")
        text, hits, pos = self.text[article_id], [], 0
        while (i := text.find(needle, pos)) >= 0:
            hits.append((i, i + len(needle)))
            pos = i + 1
        if region == "content":
            hits = [h for h in hits if any(a <= h[0] and h[1] <= b for a, b in self.regions.get(article_id, []))]
        return hits


def locate(article_id: str, needle: str, path: str | None = None) -> list[tuple[int, int]]:
    """All (start, end) offsets of `needle` in the article's content."""
    hits = Sources(load_package(resolve_descriptor(path))).find(article_id, needle)
    if not hits:
        raise ValueError(f"{needle!r} does not occur in the content of {article_id}")
    return hits


def fill_table(table: Table, sources: Sources, root: Path) -> list[str]:
    """Fill empty span offsets of one table in place; return problems that need a curator."""
    if not table.spans:
        return []
    path = root / table.path
    header, rows = _read_rows(path)
    problems, changed = [], False
    for rownum, row in enumerate(rows, start=2):
        for span in table.spans:
            text, start = row.get(span.text, ""), row.get(span.start, "")
            if not text or row.get(span.end):
                continue
            if start:
                row[span.end] = str(int(start) + len(text))
                changed = True
                continue
            hits = sources.find(row[span.article], text, span.region)
            if len(hits) == 1:
                row[span.start], row[span.end] = map(str, hits[0])
                changed = True
            else:
                where = "no occurrence" if not hits else f"{len(hits)} occurrences at {[h[0] for h in hits]}"
                problems.append(f"{table.path}, row {rownum}, field {span.text}: {where} of {text[:60]!r} in {row[span.article]}")
    if changed:
        write_rows(path, header, rows)
    return problems


def fill_offsets(path: str | None = None) -> list[str]:
    """Fill empty offsets in every table of the package; return what could not be filled."""
    pkg = load_package(resolve_descriptor(path))
    sources = Sources(pkg)
    problems: list[str] = []
    for table in pkg.tables:
        problems += fill_table(table, sources, pkg.root)
    return problems
