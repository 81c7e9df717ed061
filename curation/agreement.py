"""Agreement of the tables with the independent reads: per item type, found, matched, precision, recall, F1.

Usage: python curation/agreement.py [--check] [--markdown]

Each read has a mapping file (curation/mapping_<read>.csv) with one row per pairing:
read_item_id, item_type, table, row_id, verdict, explanation. Verdicts:
  matched     the read's item is this table row (one read item may map to several rows, and
              several read items to one row);
  added       as matched, but the row was added or corrected because the read revealed it
              (an error of the tables, fixed);
  rule        not an item of this type by a rule of CURATION.md (the explanation names it; row_id,
              when given, says where the content lives instead, e.g. claims:cl_028);
  read_error  the read's mistake (the explanation says why);
  table_only  a table row the read does not list (read_item_id empty; the explanation says what
              supports the row).
The table items are the rows of events, statements, actors and agreements, and for
disagreements every (subject_id, attribute) the disagreements view lists (claims in conflict).
Figures: precision = table items matched by the read / table items; recall = read items matched
/ read items; recall in scope leaves out the read items that are out of scope by rule or are the
read's error; F1 from precision and recall, F1 in scope from precision and recall in scope; recall before fixes counts only the read items the
tables matched without an `added` fix. --check exits 1 on any inconsistency between the
mapping, the inventory and the tables; --markdown prints the table published in CURATION.md.
"""
from __future__ import annotations

import csv
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TYPES = ("events", "statements", "actors", "agreements", "disagreements")
VERDICTS = ("matched", "added", "rule", "read_error", "table_only")
READS = {
    # read name: (inventory file, {item type: regex of the read's own item ids in its inventory})
    "second_read": ("curation/second_read_inventory.md",
                    {"events": r"\*\*(E\d\d) ", "statements": r"^- ((?:S|R)-\d{3}-\d\d) ", "actors": r"^\| (A\d\d) \|",
                     "agreements": r"\*\*(G\d\d) ", "disagreements": r"^(D\d\d) \*\*"}),
    "fresh_read": ("curation/fresh_read_inventory.md",
                   {"events": r"\*\*(E\d\d) — ", "statements": r"^- \*\*(S-\d{3}-\d\d)\*\* — ", "actors": r"^- \*\*(A\d\d) ",
                    "agreements": r"^\*\*(G\d\d) — ", "disagreements": r"\*\*(D\d\d) — "}),
}


def _rows(path: Path) -> list[dict[str, str]]:
    """Rows of a CSV file as dicts."""
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def table_items(root: Path = ROOT) -> dict[str, set[str]]:
    """The items of each type in the tables (row ids)."""
    data = root / "data"
    items = {"events": {r["event_id"] for r in _rows(data / "events.csv")},
             "statements": {r["statement_id"] for r in _rows(data / "statements.csv")},
             "actors": {r["actor_id"] for r in _rows(data / "actors.csv")},
             "agreements": {r["agreement_id"] for r in _rows(data / "agreements.csv")}}
    items["disagreements"] = conflict_groups(root)
    return items


def conflict_groups(root: Path = ROOT) -> set[str]:
    """'subject_id/attribute' of every group the disagreements view lists: a pair in conflict by sql/60_claim_pairs.sql."""
    import duckdb

    con = duckdb.connect()
    typed = {"date_start": "DATE", "date_end": "DATE", "range_low": "BIGINT", "range_high": "BIGINT"}
    con.execute("CREATE TABLE claims AS SELECT * FROM read_csv(?, header = true, all_varchar = true)", [str(root / "data" / "claims.csv")])
    for column, kind in typed.items():
        con.execute(f"ALTER TABLE claims ALTER {column} TYPE {kind}")
    con.execute("CREATE TABLE claim_verdicts AS SELECT * FROM read_csv(?, header = true, all_varchar = true)",
                [str(root / "data" / "claim_verdicts.csv")])
    con.execute((root / "sql" / "60_claim_pairs.sql").read_text(encoding="utf-8"))
    rows = con.execute("SELECT DISTINCT subject_id || '/' || attribute FROM claim_pairs WHERE verdict = 'conflict'").fetchall()
    return {r[0] for r in rows}


def inventory_items(read: str, root: Path = ROOT) -> dict[str, set[str]]:
    """The item ids each type has in the read's inventory, as the read numbered them."""
    path, patterns = READS[read]
    text = (root / path).read_text(encoding="utf-8")
    return {t: set(re.findall(p, text, re.M)) for t, p in patterns.items()}


@dataclass
class Figures:
    """Counts and rates for one read and one item type."""
    read_items: int
    table_items: int
    matched_read: int
    matched_table: int
    added: int
    rule: int
    read_error: int
    table_only: int

    @property
    def precision(self) -> float:
        return self.matched_table / self.table_items if self.table_items else 0.0

    @property
    def recall(self) -> float:
        return self.matched_read / self.read_items if self.read_items else 0.0

    @property
    def recall_in_scope(self) -> float:
        scope = self.read_items - self.rule - self.read_error
        return self.matched_read / scope if scope else 0.0

    @property
    def f1_in_scope(self) -> float:
        p, r = self.precision, self.recall_in_scope
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def recall_before_fixes(self) -> float:
        return (self.matched_read - self.added) / self.read_items if self.read_items else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def load_mapping(read: str, root: Path = ROOT) -> list[dict[str, str]]:
    """The mapping rows of one read."""
    return _rows(root / "curation" / f"mapping_{read}.csv")


def check(read: str, root: Path = ROOT) -> list[str]:
    """Every inconsistency between a read's mapping, its inventory and the tables."""
    problems: list[str] = []
    items, inv = table_items(root), inventory_items(read, root)
    mapping = load_mapping(read, root)
    for i, m in enumerate(mapping, start=2):
        where = f"mapping_{read}.csv row {i}"
        t, v = m["item_type"], m["verdict"]
        if t not in TYPES:
            problems.append(f"{where}: unknown item_type {t!r}")
            continue
        if v not in VERDICTS:
            problems.append(f"{where}: unknown verdict {v!r}")
        if v != "matched" and not m["explanation"].strip():
            problems.append(f"{where}: verdict {v} needs an explanation")
        if v in ("matched", "added", "table_only") and m["row_id"] not in items[t]:
            problems.append(f"{where}: {t} has no item {m['row_id']!r}")
        if v == "table_only" and m["read_item_id"]:
            problems.append(f"{where}: table_only rows have no read item")
        if v != "table_only" and m["read_item_id"] not in inv[t]:
            problems.append(f"{where}: the inventory has no {t} item {m['read_item_id']!r}")
    for t in TYPES:
        mapped_read = {m["read_item_id"] for m in mapping if m["item_type"] == t and m["verdict"] != "table_only"}
        for missing in sorted(inv[t] - mapped_read):
            problems.append(f"{read}: {t} item {missing} of the inventory is not in the mapping")
        mapped_rows = {m["row_id"] for m in mapping if m["item_type"] == t and m["verdict"] in ("matched", "added", "table_only")}
        for missing in sorted(items[t] - mapped_rows):
            problems.append(f"{read}: table {t} item {missing} is neither matched nor explained (table_only)")
    return problems


def figures(read: str, root: Path = ROOT) -> dict[str, Figures]:
    """The figures of one read, per item type."""
    items, inv = table_items(root), inventory_items(read, root)
    mapping = load_mapping(read, root)
    out = {}
    for t in TYPES:
        rows = [m for m in mapping if m["item_type"] == t]
        hit = [m for m in rows if m["verdict"] in ("matched", "added")]
        matched_read = {m["read_item_id"] for m in hit}
        per_item = {}
        for m in rows:
            if m["verdict"] != "table_only":
                per_item.setdefault(m["read_item_id"], set()).add(m["verdict"])
        only = {k for k, v in per_item.items() if not v & {"matched", "added"}}
        out[t] = Figures(read_items=len(inv[t]), table_items=len(items[t]), matched_read=len(matched_read),
                         matched_table=len({m["row_id"] for m in hit} & items[t]),
                         added=len({m["read_item_id"] for m in rows if m["verdict"] == "added"}),
                         rule=len({k for k in only if "rule" in per_item[k]}),
                         read_error=len({k for k in only if "read_error" in per_item[k] and "rule" not in per_item[k]}),
                         table_only=len({m["row_id"] for m in rows if m["verdict"] == "table_only"}))
    return out


def markdown(root: Path = ROOT) -> str:
    """The figures of every read as a Markdown table (the one published in CURATION.md)."""
    lines = ["| read | item type | read found | tables hold | matched (read / tables) | of which added | out of scope by rule "
             "| read's error | tables only | precision | recall | recall in scope | F1 | F1 in scope | recall before fixes |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for read in READS:
        for t, f in figures(read, root).items():
            lines.append(f"| {read} | {t} | {f.read_items} | {f.table_items} | {f.matched_read} / {f.matched_table} | {f.added} | {f.rule} | "
                         f"{f.read_error} | {f.table_only} | {f.precision:.3f} | {f.recall:.3f} | {f.recall_in_scope:.3f} | {f.f1:.3f} | {f.f1_in_scope:.3f} | "
                         f"{f.recall_before_fixes:.3f} |")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    """Print the figures; with --check, fail on any inconsistency."""
    problems = [p for read in READS for p in check(read)]
    for p in problems:
        print(p, file=sys.stderr)
    print(markdown())
    return 1 if problems and "--check" in argv else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
