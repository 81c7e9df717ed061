"""Synthetic scaling of the real package: about N events (and their mentions and actors), every key valid.

The events table and the tables that hang off events (event_mentions, event_actors, event_relations) are
repeated with fresh event ids; the evidence spans are reused, so every span still equals its
source slice. `faults` dangling foreign keys can be injected into event_mentions.
"""
from __future__ import annotations

import csv
import itertools
import re
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCALED = ("events", "event_mentions", "event_actors", "event_relations")


def _rows(table: str) -> tuple[list[str], list[dict[str, str]]]:
    with (ROOT / "data" / f"{table}.csv").open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def make_package(dst: Path, rows_per_table: int, faults: int = 0) -> int:
    """Write a copy with the events repeated until there are about rows_per_table of them; return the total rows."""
    shutil.copy2(ROOT / "datapackage.json", dst / "datapackage.json")
    shutil.copytree(ROOT / "sql", dst / "sql")
    shutil.copytree(ROOT / "data", dst / "data")
    copies = max(1, rows_per_table // len(_rows("events")[1]))
    for table in SCALED:
        header, rows = _rows(table)
        with (dst / "data" / f"{table}.csv").open("w", encoding="utf-8", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=header, lineterminator="\n")
            w.writeheader()
            written = 0
            for k, r in itertools.product(range(copies), rows):
                suffix = f"_x{k}" if k else ""
                out = dict(r, event_id=r["event_id"] + suffix)
                if table == "events" and out["parent_event_id"]:
                    out["parent_event_id"] += suffix
                if table == "events" and suffix:  # a copy's date does not rest on the original's claims (check claim-date-subject)
                    out["date_reasoning"] = re.sub(r"\bcl_(\d+)", r"claim \1 of the original", out["date_reasoning"] or "")
                if table == "event_relations":  # each copy keeps its own acts and threatened actions linked
                    out["related_event_id"] += suffix
                if table == "event_mentions" and faults and written < faults:
                    out["event_id"] = f"ev_missing_{written}"
                w.writerow(out)
                written += 1
    return sum(sum(1 for _ in p.open(encoding="utf-8")) - 1 for p in (dst / "data").glob("*.csv"))
