"""Span-level agreement between the curators' layers, frozen before reconciliation, and the independent span reads.

Usage: python curation/span_agreement.py [--markdown] [--check] [--write] [--items] [--curators DIR]

Inputs (kept as received, never edited):
  curation/span-reads/curators-2026-12-03/   the curators' layers as frozen before any reconciliation:
      statements.csv (content = text/char_start/char_end, source_*, cue_*), event_mentions.csv (trigger_*),
      actor_mentions.csv
  curation/span-reads/2026-12-03-attributions-triggers/attributions.csv, triggers.csv   one independent read
  curation/span-reads/2026-12-03-mentions/mentions.csv                                  another independent read

Layers: statement_content, statement_source, statement_cue (statements / attributions), trigger
(event_mentions / triggers), actor_mention (actor_mentions / mentions). A layer's unit is a *span*: a distinct
extent (article, start, end). Rows that share an extent are one span whose labels are the set of the rows'
values: the curators record a plural mention once per member actor ("the two ministers" -> two rows, one span
labelled {taro_kono, kang_kyung_wha}), a joint statement once per speaker, a trigger shared by two events once
per event, and a direct fragment's source and cue are its outer statement's; the reader records each once. An
empty source is no span (the text has no mention of the source).

Matching, per article: *exact* = same start and end. *Overlap* = one-to-one: every pair of a curators' span
and a reader's span sharing at least one character is a candidate; candidates are taken greedily by their
overlap, the characters shared divided by the characters covered by either span (largest first; ties: more
characters shared, then text order), and a pair is kept when neither span is already matched. Ranking by the
share rather than by the number of characters shared keeps a nested pair together ("Seoul" with "Seoul's", not
"Seoul's" with the longer "Seoul's foreign affairs minister"); an exact pair (share 1) is always taken, so
every exact match is an overlap match. Precision = matched / the curators' spans (how much of the curated layer
the read confirms), recall = matched / the reader's spans, F1 their harmonic mean (the convention of
curation/agreement.py: the curated layer is scored against the read).

Labels, on overlap-matched pairs: two spans agree on a label when their sets of values are equal (an empty value
is the value "none"): speaker_id and mode (statement_content), genericity (trigger), actor_id and mention_type
(actor_mention). Coreference (actor_mention), and event identity within an article (trigger): extended B-cubed
(Amigo et al. 2009, which allows an item in several chains) over the overlap-matched pairs, the chains being
(article, actor) on each side (for triggers, the curators' (article, event_id) and the reader's (article, its
event label)); precision from the curators' chains, recall from the reader's.

Scopes: `all` compares everything. For triggers, `in curated extents` keeps only the reader's triggers inside
some curated event mention's extent [char_start, char_end) in the same article (the reader tagged every event,
the curators curate only the events of the tables). For mentions, `single-actor spans` leaves out the curators'
spans of two or more actors (plural mentions recorded per member, which the reader's guideline told it to
skip unless a group actor fits).

Intervals: 95% percentile intervals from a bootstrap over the five documents (2000 resamples of five articles
with replacement, seed 20261203), every figure recomputed from the resampled articles' pooled counts. Five
documents make them wide: they show how much the figures depend on which articles were read.

--write stores the figures in curation/span_agreement.csv; --check exits 1 when that file is not a fresh run's
or a span's text differs from its source; --markdown prints the tables published in CURATION.md section 9 (also
filled there by `python3 dev.py docs`); --items prints every unmatched and every disagreeing span. A layer whose
frozen file is not in the curators' folder is left out with a note on stderr; --curators DIR reads the
curators' layers from another folder (for development only).
"""
from __future__ import annotations

import csv
import io
import random
import sys
from collections import defaultdict
from collections.abc import Iterable
from fractions import Fraction
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
READS = ROOT / "curation" / "span-reads"
CURATORS = READS / "curators-2026-12-03"
ATTRIBUTIONS = READS / "2026-12-03-attributions-triggers"
MENTIONS = READS / "2026-12-03-mentions"
OUT = ROOT / "curation" / "span_agreement.csv"
SEED = 20261203
RESAMPLES = 2000
COLUMNS = ("layer", "scope", "article", "measure", "value", "ci_low", "ci_high")
LAYERS = ("statement_content", "statement_source", "statement_cue", "trigger", "actor_mention")
LABELS = {"statement_content": ("speaker_id", "mode"), "trigger": ("genericity",), "actor_mention": ("actor_id", "mention_type")}
CHAINS = {"trigger": "event", "actor_mention": "actor_id"}  # the label whose values are chains (coreference, B-cubed)

Key = tuple[str, int, int]  # (article_id, start, end)
Layer = dict[Key, dict[str, frozenset[str]]]  # span -> label -> set of values


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def layer(rows: Iterable[dict[str, str]], start: str, end: str, labels: dict[str, str] | None = None) -> Layer:
    """The distinct extents of the rows (an empty start is no span), each with the set of every label's values."""
    out: Layer = {}
    for r in rows:
        if not r[start].strip():
            continue
        key = (r["article_id"], int(r[start]), int(r[end]))
        spans = out.setdefault(key, {})
        for name, column in (labels or {}).items():
            spans[name] = spans.get(name, frozenset()) | {r[column].strip() or "none"}
    return out


def span_problems(rows: list[dict[str, str]], fields: Iterable[tuple[str, str, str]], name: str,
                  texts: dict[str, str]) -> list[str]:
    """'FILE row N field F: ...' for every span whose text is not its source's slice."""
    out = []
    for i, r in enumerate(rows, start=2):
        for text, start, end in fields:
            if not r[start].strip():
                continue
            body = texts.get(r["article_id"])
            if body is None:
                out.append(f"{name} row {i} field article_id: unknown article {r['article_id']!r}")
            elif not (r[start].isdigit() and r[end].isdigit()):
                out.append(f"{name} row {i} field {start}: offsets {r[start]!r}..{r[end]!r} are not whole numbers")
            elif body[int(r[start]):int(r[end])] != r[text]:
                out.append(f"{name} row {i} field {text}: {r[text]!r} is not the source's text at {r[start]}..{r[end]}")
    return out


def source_texts(root: Path = ROOT) -> dict[str, str]:
    """Each article's source text (data/articles.csv names its file in data/sources/)."""
    return {r["article_id"]: (root / "data" / "sources" / r["source_file"]).read_text(encoding="utf-8")
            for r in _rows(root / "data" / "articles.csv")}


def load(curators: Path = CURATORS, root: Path = ROOT) -> tuple[dict[str, tuple[Layer, Layer, list[tuple[str, Layer, Layer]]]], list[str], list[str]]:
    """Every layer whose frozen file exists: name -> (curators' spans, reader's spans, [(scope, curators', reader's)]);
    the layers left out; the span problems of the inputs."""
    texts = source_texts(root)
    out: dict[str, tuple[Layer, Layer, list[tuple[str, Layer, Layer]]]] = {}
    missing, problems = [], []
    reads = root / READS.relative_to(ROOT)
    att, trig = _rows(reads / ATTRIBUTIONS.name / "attributions.csv"), _rows(reads / ATTRIBUTIONS.name / "triggers.csv")
    men = _rows(reads / MENTIONS.name / "mentions.csv")
    problems += span_problems(att, [(f"{p}_text", f"{p}_start", f"{p}_end") for p in ("source", "cue", "content")], "attributions.csv", texts)
    problems += span_problems(trig, [("trigger_text", "trigger_start", "trigger_end")], "triggers.csv", texts)
    problems += span_problems(men, [("text", "char_start", "char_end")], "mentions.csv", texts)
    if (curators / "statements.csv").exists():
        st = _rows(curators / "statements.csv")
        problems += span_problems(st, [("text", "char_start", "char_end"), ("source_text", "source_start", "source_end"),
                                       ("cue_text", "cue_start", "cue_end")], "curators statements.csv", texts)
        content = (layer(st, "char_start", "char_end", {"speaker_id": "speaker_id", "mode": "mode"}),
                   layer(att, "content_start", "content_end", {"speaker_id": "speaker_id", "mode": "mode"}))
        out["statement_content"] = (*content, [("all", *content)])
        for part in ("source", "cue"):
            pair = (layer(st, f"{part}_start", f"{part}_end"), layer(att, f"{part}_start", f"{part}_end"))
            out[f"statement_{part}"] = (*pair, [("all", *pair)])
    else:
        missing.append("statements.csv (statement_content, statement_source, statement_cue)")
    if (curators / "event_mentions.csv").exists():
        em = _rows(curators / "event_mentions.csv")
        problems += span_problems(em, [("evidence_text", "char_start", "char_end"), ("trigger_text", "trigger_start", "trigger_end")],
                                  "curators event_mentions.csv", texts)
        cur = layer(em, "trigger_start", "trigger_end", {"genericity": "genericity", "event": "event_id"})
        rd = layer(trig, "trigger_start", "trigger_end", {"genericity": "genericity", "event": "event"})
        extents = [(r["article_id"], int(r["char_start"]), int(r["char_end"])) for r in em]
        inside = {k: v for k, v in rd.items() if any(a == k[0] and s <= k[1] and k[2] <= e for a, s, e in extents)}
        out["trigger"] = (cur, rd, [("all", cur, rd), ("in curated extents", cur, inside)])
    else:
        missing.append("event_mentions.csv (trigger)")
    if (curators / "actor_mentions.csv").exists():
        am = _rows(curators / "actor_mentions.csv")
        problems += span_problems(am, [("text", "char_start", "char_end")], "curators actor_mentions.csv", texts)
        labels = {"actor_id": "actor_id", "mention_type": "mention_type"}
        cur, rd = layer(am, "char_start", "char_end", labels), layer(men, "char_start", "char_end", labels)
        single = {k: v for k, v in cur.items() if len(v["actor_id"]) == 1}
        out["actor_mention"] = (cur, rd, [("all", cur, rd), ("single-actor spans", single, rd)])
    else:
        missing.append("actor_mentions.csv (actor_mention)")
    return out, missing, problems


def exact_pairs(a: Iterable[Key], b: Iterable[Key]) -> list[tuple[Key, Key]]:
    """Pairs of identical extents."""
    bs = set(b)
    return sorted((k, k) for k in set(a) if k in bs)


def overlap_pairs(a: Iterable[Key], b: Iterable[Key]) -> list[tuple[Key, Key]]:
    """One-to-one pairs of overlapping spans of one article, greedy by the share of characters in common (characters
    shared / characters covered by either span; ties: more characters shared, then text order of the pair's spans,
    whichever side they are on, so that swapping the sides gives the same pairs)."""
    by_article: dict[str, list[Key]] = defaultdict(list)
    for k in set(b):
        by_article[k[0]].append(k)
    candidates = []
    for x in set(a):
        for y in by_article.get(x[0], ()):
            shared = min(x[2], y[2]) - max(x[1], y[1])
            if shared > 0:
                union = max(x[2], y[2]) - min(x[1], y[1])
                candidates.append((-Fraction(shared, union), -shared, min(x, y), max(x, y), x, y))
    used_a, used_b, out = set(), set(), []
    for *_, x, y in sorted(candidates):
        if x not in used_a and y not in used_b:
            used_a.add(x)
            used_b.add(y)
            out.append((x, y))
    return sorted(out)


def bcubed_sums(pairs: list[tuple[frozenset[str], frozenset[str]]]) -> tuple[float, float]:
    """Extended B-cubed (Amigo et al. 2009) over items given as (chains on side A, chains on side B), each side's set
    non-empty: the sums of the items' precision (from A's chains) and recall (from B's chains)."""
    p_sum = r_sum = 0.0
    for ca, cb in pairs:
        p_num = p_den = r_num = r_den = 0.0
        for ca2, cb2 in pairs:
            sa, sb = len(ca & ca2), len(cb & cb2)
            if sa:
                p_num += min(sa, sb) / sa
                p_den += 1
            if sb:
                r_num += min(sa, sb) / sb
                r_den += 1
        p_sum += p_num / p_den if p_den else 1.0
        r_sum += r_num / r_den if r_den else 1.0
    return p_sum, r_sum


def counts(name: str, cur: Layer, rd: Layer, article: str) -> dict[str, float]:
    """The additive counts of one layer in one article (everything the figures are computed from)."""
    a = {k: v for k, v in cur.items() if k[0] == article}
    b = {k: v for k, v in rd.items() if k[0] == article}
    over = overlap_pairs(a, b)
    c: dict[str, float] = {"curators": len(a), "reader": len(b), "exact_matched": len(exact_pairs(a, b)), "overlap_matched": len(over)}
    for label in LABELS.get(name, ()):
        c[f"{label}_agreeing"] = sum(a[x][label] == b[y][label] for x, y in over)
    if name in CHAINS:
        label = CHAINS[name]
        c["bcubed_p_sum"], c["bcubed_r_sum"] = bcubed_sums([(a[x][label], b[y][label]) for x, y in over])
    return c


def _ratio(num: float, den: float) -> float | None:
    return num / den if den else None


def _f1(p: float | None, r: float | None) -> float | None:
    if p is None or r is None:
        return None
    return 2 * p * r / (p + r) if p + r else 0.0


def measures(name: str, c: dict[str, float]) -> dict[str, float | None]:
    """Every figure of one layer from its (pooled) counts, in the order published."""
    m: dict[str, float | None] = {"curators": c["curators"], "reader": c["reader"]}
    for kind in ("exact", "overlap"):
        p, r = _ratio(c[f"{kind}_matched"], c["curators"]), _ratio(c[f"{kind}_matched"], c["reader"])
        m |= {f"{kind}_matched": c[f"{kind}_matched"], f"{kind}_precision": p, f"{kind}_recall": r, f"{kind}_f1": _f1(p, r)}
    for label in LABELS.get(name, ()):
        m[f"{label}_agreeing"] = c[f"{label}_agreeing"]
        m[f"{label}_agreement"] = _ratio(c[f"{label}_agreeing"], c["overlap_matched"])
    if name in CHAINS:
        p, r = _ratio(c["bcubed_p_sum"], c["overlap_matched"]), _ratio(c["bcubed_r_sum"], c["overlap_matched"])
        m |= {"bcubed_precision": p, "bcubed_recall": r, "bcubed_f1": _f1(p, r)}
    return m


def _fmt(v: float | None, whole: bool) -> str:
    if v is None:
        return ""
    return str(int(v)) if whole else f"{v:.3f}"


WHOLE = ("curators", "reader", "exact_matched", "overlap_matched")


def figures(curators: Path = CURATORS, root: Path = ROOT) -> list[dict[str, str]]:
    """One row per layer, scope, article ('all' = the five pooled) and measure; intervals on the pooled rates."""
    layers, _, _ = load(curators, root)
    articles = sorted(source_texts(root))
    rows = []
    for name in LAYERS:
        if name not in layers:
            continue
        for scope, cur, rd in layers[name][2]:
            per = {a: counts(name, cur, rd, a) for a in articles}
            total = {k: sum(per[a][k] for a in articles) for k in per[articles[0]]}
            rng = random.Random(f"{SEED}:{name}:{scope}")
            draws: dict[str, list[float]] = defaultdict(list)
            for _ in range(RESAMPLES):
                sample = [per[rng.choice(articles)] for _ in articles]
                for k, v in measures(name, {k: sum(s[k] for s in sample) for k in total}).items():
                    if v is not None and k not in WHOLE and not k.endswith("_agreeing"):
                        draws[k].append(v)
            for article, c in [("all", total), *per.items()]:
                for k, v in measures(name, c).items():
                    whole = k in WHOLE or k.endswith("_agreeing")
                    lo = hi = ""
                    if article == "all" and draws.get(k):
                        d = sorted(draws[k])
                        lo, hi = f"{d[int(0.025 * (len(d) - 1))]:.3f}", f"{d[int(0.975 * (len(d) - 1) + 0.5)]:.3f}"
                    rows.append({"layer": name, "scope": scope, "article": article, "measure": k, "value": _fmt(v, whole),
                                 "ci_low": lo, "ci_high": hi})
    return rows


def csv_text(rows: list[dict[str, str]]) -> str:
    """The figures as curation/span_agreement.csv reads."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue()


def items(curators: Path = CURATORS, root: Path = ROOT) -> list[str]:
    """One line per unmatched span (of either side) and per overlap-matched pair that differs in extent or a label."""
    layers, _, _ = load(curators, root)
    texts = source_texts(root)
    out = []

    def show(k: Key) -> str:
        return f"{k[0]} {k[1]}..{k[2]} {texts[k[0]][k[1]:k[2]]!r}"

    for name, (cur, rd, _) in layers.items():
        pairs = overlap_pairs(cur, rd)
        done_a, done_b = {x for x, _ in pairs}, {y for _, y in pairs}
        for x, y in pairs:
            diff = [f"{lab} {'|'.join(sorted(cur[x][lab]))} / {'|'.join(sorted(rd[y][lab]))}"
                    for lab in LABELS.get(name, ()) if cur[x][lab] != rd[y][lab]]
            if x != y or diff:
                out.append(f"{name}\tpair\t{show(x)}\t{show(y)}\t{'; '.join(diff)}")
        out += [f"{name}\tcurators only\t{show(x)}" for x in sorted(set(cur) - done_a)]
        out += [f"{name}\treader only\t{show(y)}" for y in sorted(set(rd) - done_b)]
    return out


def main(argv: list[str]) -> int:
    """Print the figures (--markdown: as published; --items: every difference); --write stores them; --check compares."""
    from jpkr_data.docs_facts import span_agreement_markdown

    curators = Path(argv[argv.index("--curators") + 1]).resolve() if "--curators" in argv else CURATORS
    if curators != CURATORS and ("--write" in argv or "--check" in argv):
        print("span_agreement: --write and --check compare the frozen layers only; drop --curators", file=sys.stderr)
        return 2
    try:
        _, missing, problems = load(curators)
        for p in problems:
            print(p, file=sys.stderr)
        rows = figures(curators)
    except (OSError, KeyError, ValueError) as e:
        print(f"span_agreement: cannot read the layers: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    for m in missing:
        print(f"span_agreement: {curators.name}/{m} is not frozen yet; the layer is left out", file=sys.stderr)
    text = csv_text(rows)
    if "--items" in argv:
        print("\n".join(items(curators)))
    if "--markdown" in argv:
        print(span_agreement_markdown(rows))
    elif "--items" not in argv:
        print(text, end="")
    if "--write" in argv:
        OUT.write_text(text, encoding="utf-8")
    if "--check" in argv:
        if not OUT.exists() or OUT.read_text(encoding="utf-8") != text:
            print(f"{OUT.relative_to(ROOT)} is stale: run python curation/span_agreement.py --write, then python3 dev.py docs",
                  file=sys.stderr)
            return 1
        return 1 if problems else 0
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
