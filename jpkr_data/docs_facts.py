"""The documents' generated regions: counts and figures computed from the data, quotes of CURATION.md.

A region is `<!-- facts:NAME -->text<!-- /facts -->` in README.md, CURATION.md or the DATASHEET.md
template. `python3 dev.py docs` (this module's `main --write`) rewrites every region from the data;
`tests/test_docs.py` fails on a stale region and names the file and line. The curators write the
prose around the regions; nothing inside a region is typed.
"""
from __future__ import annotations

import csv
import io
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

REGION = re.compile(r"<!-- facts:([a-z_-]+) -->(.*?)<!-- /facts -->", re.S)
MARKER = re.compile(r"<!-- /?facts(?::[a-z_-]+)? -->")
DOCUMENTS = ("README.md", "CURATION.md", "DATASHEET.md")
ACCOUNT = re.compile(r"<!-- account:([a-z_-]+) -->(.*?)<!-- /account -->", re.S)
AUDIT_HEADER = "| table | rows checked | rows with problems | misleading | minor |"
AUDITS_CSV = "curation/audits.csv"
AUDIT_FIELDS = ("audit", "table", "rows_checked", "rows_with_problems", "misleading", "minor")
SPAN_AGREEMENT_CSV = "curation/span_agreement.csv"
SPAN_LABELS = {"speaker_id": "speaker", "mode": "mode", "genericity": "genericity", "actor_id": "actor",
               "mention_type": "mention type", "bcubed": "coreference, extended B-cubed"}


def strip_markers(text: str) -> str:
    """The text with the region markers removed (for documents rendered as pages or card text)."""
    return MARKER.sub("", text)


def _one(con: Any, sql: str) -> Any:
    return con.execute(sql).fetchall()[0][0]


def counts_sentence(con: Any, tables: list[str]) -> str:
    """README's 'From them (N tables): ...' sentence, every number from the tables."""
    n = {t: _one(con, f'SELECT count(*) FROM "{t}"') for t in tables}
    conflicts = _one(con, "SELECT count(*) FROM (SELECT DISTINCT subject_table, subject_id, attribute FROM disagreements)")
    coded = _one(con, "SELECT count(*) FROM actors WHERE actor_type <> 'joint_group'")
    return (
        f"From them ({len(tables)} tables): {n['events']} events (from colonial rule, 1910–1945, to the formal talks agreed "
        f"for December 2019) with {n['event_mentions']} evidence mentions, {n['event_actors']} event–actor rows and "
        f"{n['event_relations']} stated or inferred relations ({n['event_mention_arguments']} mention-level arguments); "
        f"{n['actors']} actors with {n['actor_aliases']} aliases, {n['actor_mentions']} mentions (a coreference chain per article) and "
        f"{n['actor_roles']} dated roles; {n['statements']} statements (direct and indirect) with {n['statement_addressees']} "
        f"addressees and {n['statement_events']} links to the events they are about, each citing its words; "
        f"{n['quotations']} quotations (each a statement or a term); {n['agreements']} agreements with "
        f"{n['agreement_events']} status changes; and {n['claims']} source claims (about events, agreements, actors and "
        f"the Japan–South Korea relationship), each with a comparable value ({n['claim_labels']} documented labels) and "
        f"who asserts it, of which {'the one fact' if conflicts == 1 else f'the {conflicts} facts'} in conflict "
        f"{'forms' if conflicts == 1 else 'form'} the `disagreements` view "
        f"({n['claim_verdicts']} curated verdicts on labels); plus the whole CAMEO codebook ({n['cameo_codes']} codes) "
        f"and a CAMEO actor code for each of the {coded} single actors (a joint group is coded through its "
        f"{n['actor_members']} members)."
    )


# How each table without evidence spans is justified; a new table without spans must be added here (backing_sentence fails).
JUSTIFIED = {
    "events": "each event is backed by its mentions in `event_mentions` (validation requires at least one)",
    "actors": "each actor is backed by its aliases in `actor_aliases`",
    "cameo_codes": "`cameo_codes` is the published CAMEO codebook, cited with its version in the descriptor",
    "actor_codes": "each row of `actor_codes` follows from its curated actor by a stated `basis`",
    "claim_labels": "`claim_labels` is the curators' documented list of labels, each with its definition",
    "claim_verdicts": "each row of `claim_verdicts` is a curated verdict with its reasoning",
}


def backing_sentence(resources: list[dict]) -> str:
    """README's sentence on which tables carry the exact words and how every other table is justified."""
    spanned = [r["name"] for r in resources if r.get("schema", {}).get("jpkr:spans")]
    others = [r["name"] for r in resources if r["name"] not in spanned]
    missing = [t for t in others if t not in JUSTIFIED]
    if missing:
        raise ValueError(f"no justification for the tables without evidence spans: {', '.join(missing)} (docs_facts.JUSTIFIED)")
    return (f"Every row is backed by the exact words of a source article, or says how it is justified: the rows of "
            f"{len(spanned)} tables ({', '.join(f'`{t}`' for t in spanned)}) carry the article id and character offsets of "
            f"their words (checked by a test). In the other tables, {'; '.join(JUSTIFIED[t] for t in others)}.")


def claim_groups_sentence(con: Any) -> str:
    """README's sentence on how the claims' groups divide into same, compatible and conflict."""
    rows = dict((v, (g, multi)) for v, g, multi in con.execute(
        "SELECT group_verdict, count(*), count(*) FILTER (WHERE n_claims > 1) FROM "
        "(SELECT DISTINCT subject_table, subject_id, attribute, group_verdict, n_claims FROM claim_variants) GROUP BY group_verdict").fetchall())
    groups = sum(g for g, _ in rows.values())
    pairs = _one(con, "SELECT count(*) FROM disagreements")
    same, multi = rows.get("same", (0, 0))
    return (f"Of {groups} subject/attribute groups ({_one(con, 'SELECT count(*) FROM claims')} claims), {same} are the same "
            f"({multi} of them with more than one claim), {rows.get('compatible', (0, 0))[0]} compatible and "
            f"{rows.get('conflict', (0, 0))[0]} in conflict ({pairs} pair{'' if pairs == 1 else 's'})")


def unpaired_count(con: Any) -> str:
    """Counted events without two roles to pair (in no dyad series)."""
    return str(_one(con, "SELECT count(*) FROM events WHERE status IN ('occurred', 'ongoing') AND cameo_code IS NOT NULL "
                         "AND event_id NOT IN (SELECT event_id FROM event_pairs)"))


def accounts(root: Path) -> dict[str, str]:
    """The accounts CURATION.md states once (`<!-- account:NAME -->...<!-- /account -->`), by name, as one paragraph."""
    text = (root / "CURATION.md").read_text(encoding="utf-8")
    return {m.group(1): " ".join(m.group(2).split()) for m in ACCOUNT.finditer(text)}


def audit_summaries(root: Path) -> list[dict[str, str]]:
    """Each kept audit's summary table (curation/audit-*.md): rows checked, with problems, misleading, minor, per table."""
    out = []
    for path in sorted((root / "curation").glob("audit-*.md")):
        lines = path.read_text(encoding="utf-8").splitlines()
        start = next((i for i, line in enumerate(lines) if line.strip() == AUDIT_HEADER), None)
        if start is None:
            raise ValueError(f"{path.name}: no summary table ({AUDIT_HEADER})")
        for line in lines[start + 2:]:
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if not line.startswith("|") or cells[0].strip("*").lower() == "total":
                break
            cells[0] = cells[0].removesuffix(".csv")
            out.append(dict(zip(AUDIT_FIELDS, [path.stem.removeprefix("audit-"), *cells], strict=True)))
    return out


def audits_csv(root: Path) -> str:
    """curation/audits.csv as it must read: one row per audit and table."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=AUDIT_FIELDS, lineterminator="\n")
    w.writeheader()
    w.writerows(audit_summaries(root))
    return buf.getvalue()


def audits_table(root: Path) -> str:
    """The kept audits, one line each: file, tables covered, rows checked, with problems, misleading."""
    by: dict[str, list[dict[str, str]]] = {}
    for r in audit_summaries(root):
        by.setdefault(r["audit"], []).append(r)
    lines = ["| audit (`curation/audit-*.md`) | tables | rows checked | with problems | misleading |", "|---|---|---:|---:|---:|"]
    for audit, rows in by.items():
        total = {k: sum(int(r[k]) for r in rows) for k in ("rows_checked", "rows_with_problems", "misleading")}
        lines.append(f"| `audit-{audit}.md` | {', '.join(r['table'] for r in rows)} | {total['rows_checked']} | "
                     f"{total['rows_with_problems']} | {total['misleading']} |")
    return "\n".join(lines)


def span_agreement_markdown(rows: list[dict[str, str]]) -> str:
    """curation/span_agreement.py's figures as the tables published in CURATION.md §9 (spans, labels, per article)."""
    total = {(r["layer"], r["scope"], r["measure"]): r for r in rows if r["article"] == "all"}
    groups = list(dict.fromkeys((r["layer"], r["scope"]) for r in rows))
    articles = list(dict.fromkeys(r["article"] for r in rows if r["article"] != "all"))

    def cell(layer: str, scope: str, measure: str, ci: bool = False) -> str:
        r = total.get((layer, scope, measure))
        if r is None or not r["value"]:
            return "n/a"
        return f"{r['value']} ({r['ci_low']}–{r['ci_high']})" if ci and r["ci_low"] else r["value"]

    out = ["| layer | scope | curators' spans | reader's spans | exact matches | exact P | exact R | exact F1 (95% CI) "
           "| overlap matches | overlap P | overlap R | overlap F1 (95% CI) |", "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for lay, scope in groups:
        out.append(f"| {lay} | {scope} | " + " | ".join(
            cell(lay, scope, m, m.endswith("f1")) for m in ("curators", "reader", "exact_matched", "exact_precision", "exact_recall",
                                                           "exact_f1", "overlap_matched", "overlap_precision", "overlap_recall",
                                                           "overlap_f1")) + " |")
    out += ["", "| layer | scope | label on overlap-matched pairs | pairs | agreeing | agreement (95% CI) |", "|---|---|---|---:|---:|---:|"]
    for lay, scope in groups:
        for label, what in SPAN_LABELS.items():
            if label == "bcubed" and (lay, scope, "bcubed_f1") in total:
                value = (f"P {cell(lay, scope, 'bcubed_precision', True)}, R {cell(lay, scope, 'bcubed_recall', True)}, "
                         f"F1 {cell(lay, scope, 'bcubed_f1', True)}")
                chains = "event identity in an article" if lay == "trigger" else what
                out.append(f"| {lay} | {scope} | {chains}{', extended B-cubed' if lay == 'trigger' else ''} | "
                           f"{cell(lay, scope, 'overlap_matched')} | | {value} |")
            elif (lay, scope, f"{label}_agreement") in total:
                out.append(f"| {lay} | {scope} | {what} | {cell(lay, scope, 'overlap_matched')} | {cell(lay, scope, f'{label}_agreeing')} | "
                           f"{cell(lay, scope, f'{label}_agreement', True)} |")
    per = {(r["layer"], r["scope"], r["article"], r["measure"]): r["value"] or "n/a" for r in rows}
    out += ["", "| layer | scope | " + " | ".join(articles) + " |", "|---|---|" + "---:|" * len(articles)]
    for lay, scope in groups:
        out.append(f"| {lay} | {scope} | " + " | ".join(
            f"{per[(lay, scope, a, 'curators')]}/{per[(lay, scope, a, 'reader')]}: {per[(lay, scope, a, 'exact_f1')]} / "
            f"{per[(lay, scope, a, 'overlap_f1')]}" for a in articles) + " |")
    out += ["", "Per article: curators' spans/reader's spans: exact F1 / overlap F1. P = matched / curators' spans, R = matched / "
            "reader's spans. 95% intervals: percentile bootstrap over the five documents (2000 resamples, seeded); five documents "
            "make them wide, and they say how much a figure depends on which articles were read, not how precise it is."]
    return "\n".join(out)


def span_agreement_table(root: Path) -> str:
    """The committed span agreement figures (curation/span_agreement.csv) as published."""
    with (root / SPAN_AGREEMENT_CSV).open(encoding="utf-8", newline="") as fh:
        return span_agreement_markdown(list(csv.DictReader(fh)))


def region_values(root: Path, con: Any) -> dict[str, Callable[[], str]]:
    """Every region's text, computed on demand (a document uses only some of them)."""

    descriptor = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    version = descriptor.get("version", "")
    tables = [r["name"] for r in descriptor["resources"]]
    acc = accounts(root)
    values: dict[str, Callable[[], str]] = {
        "version": lambda: str(version),
        "backing": lambda: backing_sentence(descriptor["resources"]),
        "n_cameo_codes": lambda: str(_one(con, "SELECT count(*) FROM cameo_codes")),
        "counts": lambda: counts_sentence(con, tables),
        "claim-groups": lambda: claim_groups_sentence(con),
        "unpaired": lambda: unpaired_count(con),
        "audits": lambda: audits_table(root),
        "span-agreement": lambda: span_agreement_table(root),
    }
    for name, text in acc.items():
        values[f"account-{name}"] = lambda text=text: text
    return values


def rewrite(text: str, values: dict[str, Callable[[], str]], name: str = "document") -> str:
    """The text with every region filled; an unknown region is a ValueError naming its line."""
    def fill(m: re.Match) -> str:
        key = m.group(1)
        if key not in values:
            line = text.count("\n", 0, m.start()) + 1
            raise ValueError(f"{name} line {line}: no generated text named {key!r}")
        body = values[key]()
        sep = "\n" if "\n" in body else ""
        return f"<!-- facts:{key} -->{sep}{body}{sep}<!-- /facts -->"
    return REGION.sub(fill, text)


def stale_regions(text: str, values: dict[str, Callable[[], str]], name: str) -> list[str]:
    """'FILE line N: region NAME is stale' for each region whose text differs from the data's."""
    fresh = rewrite(text, values, name)
    out = []
    for old, new in zip(REGION.finditer(text), REGION.finditer(fresh), strict=True):
        if old.group(0) != new.group(0):
            line = text.count("\n", 0, old.start()) + 1
            out.append(f"{name} line {line}: region '{old.group(1)}' is stale; run python3 dev.py docs")
    return out


def main(argv: list[str]) -> int:
    """`python -m jpkr_data.docs_facts [--write]`: list stale regions, or rewrite them and curation/audits.csv."""
    import jpkr_data

    root = Path(__file__).resolve().parent.parent
    with jpkr_data.connect(root) as con:
        values = region_values(root, con)
        problems = []
        for doc in DOCUMENTS:
            path = root / doc
            text = path.read_text(encoding="utf-8")
            if "--write" in argv:
                new = rewrite(text, values, doc)
                if new != text:
                    path.write_text(new, encoding="utf-8")
                    print(f"rewrote {doc}")
            else:
                problems += stale_regions(text, values, doc)
    csv_path = root / AUDITS_CSV
    fresh_csv = audits_csv(root)
    if "--write" in argv and (not csv_path.exists() or csv_path.read_text(encoding="utf-8") != fresh_csv):
        csv_path.write_text(fresh_csv, encoding="utf-8")
        print(f"rewrote {AUDITS_CSV}")
    elif "--write" not in argv and (not csv_path.exists() or csv_path.read_text(encoding="utf-8") != fresh_csv):
        problems.append(f"{AUDITS_CSV} is stale; run python3 dev.py docs")
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
