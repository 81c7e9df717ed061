"""Reliability per attribute: Krippendorff's alpha between an independent read, as received, and the tables, per coded attribute.

Usage: python curation/reliability.py [--write] [--items]

The unit is an event that the read and the tables both hold, one to one: a `matched` row of
curation/mapping_<read>.csv whose read item maps to exactly one table row and whose row is mapped
from exactly one read item. Rows `added` because of the read are left out (their table values were
written after reading it, so agreement on them would not be independent). The read's values are
taken from its inventory as received, before any reconciliation; the tables' values are this
release's. For each attribute, each of the two coders gives one nominal value per unit:

  initiator   the set of initiator actors (the read's A-ids through its actor mapping), or none
  target      the set of target actors (target, addressee, recipient), or none
  date window start..end, an empty side for an open side (1910-01-01..1945-12-31, ..2019-08-01)
  status      the event's latest status (occurred, threatened, ...)
  CAMEO code  from a separate coding read (curation/cameo_read.csv, kept as received): an independent
              coder given only the five articles, the CAMEO codebook and, for each event, its status and
              evidence passages under a neutral unit id (curation/cameo_read_units.csv, which also maps
              the units to event ids), who assigned one CAMEO code per unit; compared on the full code
              and on its two-digit root (the CAMEO category)

Only the fresh read (curation/fresh_read_inventory.md) records dates, statuses and actor roles in
fixed fields with actor ids; the second read writes them as prose without ids, so it is not scored.
Alpha is Krippendorff's alpha for nominal data (the `krippendorff` package); 1 is perfect
agreement, 0 agreement at chance. --write stores the figures in curation/reliability.csv (which the
datasheet shows and tests/test_reliability.py compares with a fresh run); --items prints every
unit's two values.
"""
from __future__ import annotations

import csv
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
READ = "fresh_read"
INVENTORY = ROOT / "curation" / "fresh_read_inventory.md"
OUT = ROOT / "curation" / "reliability.csv"
CAMEO_READ = ROOT / "curation" / "cameo_read.csv"
CAMEO_UNITS = ROOT / "curation" / "cameo_read_units.csv"
STATUSES = ("occurred", "ongoing", "scheduled", "expected", "proposed", "announced", "threatened", "hypothetical", "cancelled")
ATTRIBUTES = ("cameo_code", "cameo_root", "initiator", "target", "date_window", "status")
COLUMNS = ("read", "attribute", "items", "agreeing", "alpha", "note")
DATE = r"\d{4}-\d\d-\d\d"


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def event_blocks(text: str) -> dict[str, str]:
    """The read's event entries: id -> its text (from its bold heading to the next entry or section)."""
    part = text.split("\n## 2. EVENTS", 1)[1].split("\n## 3. ", 1)[0]
    pieces = re.split(r"^\*\*(E\d\d) — ", part, flags=re.M)
    return {pieces[i]: pieces[i + 1] for i in range(1, len(pieces) - 1, 2)}


def read_window(block: str, blocks: dict[str, str], depth: int = 0) -> str:
    """The read's date window as start..end (an empty side is open)."""
    m = re.search(r"Date: (.*)", block)
    line = m.group(1) if m else ""
    same = re.match(r"as (E\d\d)", line)
    if same and depth < 3 and same.group(1) in blocks:
        return read_window(blocks[same.group(1)], blocks, depth + 1)
    w = re.match(rf"({DATE})?\.\.({DATE})?", line)
    if w:
        return f"{w.group(1) or ''}..{w.group(2) or ''}"
    d = re.match(rf"({DATE})\b", line)
    if d:
        return f"{d.group(1)}..{d.group(1)}"
    after = re.search(rf"after ({DATE})", line)
    return f"{after.group(1)}.." if after else ".."


def read_status(block: str) -> str:
    """The read's latest status: its 'Latest:' value, else the first status word of its Status field."""
    m = re.search(r"Status: (.*)", block)
    line = m.group(1) if m else ""
    latest = re.search(r"Latest: (\w+)", line)
    words = re.findall(r"[a-z]+", (latest.group(1) if latest else line).lower())
    return next((w for w in words if w in STATUSES), "")


ROLE_WORDS = (("initiator", "initiator"), ("testifier", "initiator"), ("briefer", "initiator"), ("target", "target"),
              ("addressee", "target"), ("recipient", "target"))


def read_roles(block: str, actor_ids: dict[str, str]) -> dict[str, set[str]]:
    """Initiators and targets the read names (its A-ids mapped to table actor ids; an unmapped id stays as the read's)."""
    roles: dict[str, set[str]] = {"initiator": set(), "target": set()}
    text = " ".join(line for line in block.splitlines() if re.match(r"- (Status|Actors?|Date|Initiator|Target)", line))
    text = re.sub(r"«[^»]*»", "", text)  # quoted evidence can hold words such as "target"
    for m in re.finditer(r"\b(A\d\d)\b", text):
        rest = text[m.end():]
        nxt = re.search(r"\bA\d\d\b", rest)
        paren = re.match(r"\s*(?:/[^()]*?)?\s*\(([^()]*(?:\([^()]*\)[^()]*)*)\)", rest)
        if paren is None:  # a list "Japan A01, South Korea A02 (participants)": the group's parenthesis
            group = re.match(r"[^()]*?\(([^()]*)\)", rest)
            if group and (nxt is None or group.start(1) < nxt.start() or re.match(r",\s*[^;()]*\bA\d\d\b[^;()]*\(", rest)):
                paren = group
        label = re.findall(r"(Initiator|Target|Actors?|Actor):", text[:m.start()])
        words = (paren.group(1) if paren else "").lower()
        role = next((r for w, r in ROLE_WORDS if w in words.split(";")[0] or (w in words and ";" not in words)), None)
        if role is None:  # "target Japanese products/Japan A01 (inferred)": the role word before the id, in its clause
            before = re.split(r"[;.]", text[:m.start()])[-1].lower()
            role = next((r for w, r in ROLE_WORDS if re.search(rf"\b{w}s?\b", before) and not re.search(r"\bA\d\d\b", before)), None)
        if role is None and not paren and label:
            role = {"Initiator": "initiator", "Target": "target"}.get(label[-1])
        if role:
            roles[role].add(actor_ids.get(m.group(1), m.group(1)))
    return roles


def units(root: Path = ROOT) -> list[dict[str, str]]:
    """One dict per one-to-one matched event: its ids and both coders' values of every attribute."""
    mapping = _rows(root / "curation" / f"mapping_{READ}.csv")
    actor_ids = {m["read_item_id"]: m["row_id"] for m in mapping if m["item_type"] == "actors" and m["verdict"] in ("matched", "added")}
    ev = [m for m in mapping if m["item_type"] == "events" and m["verdict"] in ("matched", "added")]
    per_read, per_row = Counter(m["read_item_id"] for m in ev), Counter(m["row_id"] for m in ev)
    pairs = [(m["read_item_id"], m["row_id"]) for m in ev if m["verdict"] == "matched" and per_read[m["read_item_id"]] == 1
             and per_row[m["row_id"]] == 1]
    events = {r["event_id"]: r for r in _rows(root / "data" / "events.csv")}
    table_roles: dict[str, dict[str, set[str]]] = {}
    for x in _rows(root / "data" / "event_actors.csv"):
        if x["role"] in ("initiator", "target"):
            table_roles.setdefault(x["event_id"], {"initiator": set(), "target": set()})[x["role"]].add(x["actor_id"])
    blocks = event_blocks((root / "curation" / f"{READ}_inventory.md").read_text(encoding="utf-8"))
    out = []
    for read_id, row_id in sorted(pairs):
        block, e = blocks.get(read_id, ""), events[row_id]
        roles = read_roles(block, actor_ids)
        mine = table_roles.get(row_id, {"initiator": set(), "target": set()})
        unit = {"read_item": read_id, "event_id": row_id}
        for role in ("initiator", "target"):
            unit[f"read_{role}"] = "|".join(sorted(roles[role])) or "none"
            unit[f"table_{role}"] = "|".join(sorted(mine[role])) or "none"
        unit["read_date_window"], unit["table_date_window"] = read_window(block, blocks), f"{e['date_start']}..{e['date_end']}"
        unit["read_status"], unit["table_status"] = read_status(block), e["status"]
        out.append(unit)
    return out


def alpha(pairs: list[tuple[str, str]]) -> float | None:
    """Krippendorff's alpha (nominal) of two coders over the units; None when it is undefined (no units or no variation)."""
    import krippendorff
    import numpy as np

    if not pairs:
        return None
    values = sorted({v for p in pairs for v in p})
    if len(values) < 2:
        return None
    index = {v: i for i, v in enumerate(values)}
    data = np.array([[index[a] for a, _ in pairs], [index[b] for _, b in pairs]], dtype=float)
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))


def cameo_pairs(root: Path = ROOT) -> list[tuple[str, str]]:
    """(coding read's code, table's code) for every unit of the CAMEO coding read whose event the tables still hold."""
    codes = {r["event_id"]: r["cameo_code"] for r in _rows(root / "data" / "events.csv")}
    event_of = {r["unit"]: r["event_id"] for r in _rows(root / CAMEO_UNITS.relative_to(ROOT))}
    return [(r["cameo_code"].strip(), codes[event_of[r["unit"]]]) for r in _rows(root / CAMEO_READ.relative_to(ROOT))
            if event_of.get(r["unit"]) in codes and codes[event_of[r["unit"]]]]


def figures(root: Path = ROOT) -> list[dict[str, str]]:
    """One row per attribute: read, attribute, items, agreeing, alpha (3 decimals, empty when undefined), note."""
    us = units(root)
    rows = []
    cameo = cameo_pairs(root)
    for attr, pairs, note in (("cameo_code", cameo, "full CAMEO code, separate coding read"),
                              ("cameo_root", [(a[:2], b[:2]) for a, b in cameo], "CAMEO category (two-digit root), separate coding read")):
        a = alpha(pairs)
        rows.append({"read": "cameo_read", "attribute": attr, "items": str(len(pairs)), "agreeing": str(sum(x == y for x, y in pairs)),
                     "alpha": "" if a is None else f"{a:.3f}", "note": note})
    notes = {"initiator": "sets of initiator actors", "target": "sets of target actors (target, addressee, recipient)",
             "date_window": "start..end, exact", "status": "latest status"}
    for attr in ATTRIBUTES[2:]:
        pairs = [(u[f"read_{attr}"], u[f"table_{attr}"]) for u in us]
        a = alpha(pairs)
        rows.append({"read": READ, "attribute": attr, "items": str(len(pairs)), "agreeing": str(sum(x == y for x, y in pairs)),
                     "alpha": "" if a is None else f"{a:.3f}", "note": notes[attr]})
    return rows


def markdown(rows: list[dict[str, str]]) -> str:
    """The figures as the Markdown table published in CURATION.md §9 and the datasheet."""
    lines = ["| read | attribute | items | agreeing | Krippendorff's alpha | what is compared |", "|---|---|---:|---:|---:|---|"]
    lines += [f"| {r['read']} | {r['attribute']} | {r['items']} | {r['agreeing']} | {r['alpha'] or 'n/a'} | {r['note']} |" for r in rows]
    return "\n".join(lines)


def write_csv(rows: list[dict[str, str]], path: Path = OUT) -> None:
    """Store the figures (the committed copy the datasheet reads)."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def main(argv: list[str]) -> int:
    """Print the figures (and with --items every unit's values); with --write, store them."""
    rows = figures()
    if "--items" in argv:
        for u in units():
            print("\t".join(f"{k}={v}" for k, v in u.items()))
    print(markdown(rows))
    if "--write" in argv:
        write_csv(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
