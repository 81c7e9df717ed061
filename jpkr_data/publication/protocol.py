"""The evaluation protocol for a five-document corpus, with its figures computed from the data (card and DATASHEET.md).

Wilson score intervals (Wilson 1927) for an accuracy measured on n items; the smallest difference between two
systems that a test on n items detects with 80% power at the 5% level (two-sided, two proportions near p; a paired
test on the same items detects somewhat less when the systems' errors overlap); leave-one-document-out folds.
"""
from __future__ import annotations

import math

import duckdb

from ..schema import Package, quote_ident

Z95, Z80 = 1.959964, 0.841621
REFERENCE_ACCURACY = 0.80
# The tables evaluated per document; each gets a leave-one-document-out configuration per article on the card.
LOO_TABLES = ("statements", "event_mentions", "actor_mentions", "event_mention_arguments")
UNITS = {"statements": "statements", "event_mentions": "event mentions", "actor_mentions": "actor mentions",
         "event_mention_arguments": "mention arguments"}


def wilson(correct: float, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of a proportion correct/n (95% by default); (0, 1) when n is 0."""
    if n <= 0:
        return 0.0, 1.0
    p = correct / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def detectable_difference(n: int, p: float = REFERENCE_ACCURACY) -> float:
    """The smallest accuracy difference two systems near p must show on n items to be told apart (alpha 0.05, power 0.8)."""
    return 1.0 if n <= 0 else min(1.0, (Z95 + Z80) * math.sqrt(2 * p * (1 - p) / n))


def per_article(con: duckdb.DuckDBPyConnection, pkg: Package) -> dict[str, dict[str, int]]:
    """table -> article_id -> rows, for the evaluated tables the package has."""
    articles = [r[0] for r in con.execute("SELECT article_id FROM articles ORDER BY article_id").fetchall()]
    out = {}
    for t in LOO_TABLES:
        if t not in {x.name for x in pkg.tables}:
            continue
        counts = dict(con.execute(f"SELECT article_id, count(*) FROM {quote_ident(t)} GROUP BY article_id").fetchall())
        out[t] = {a: int(counts.get(a, 0)) for a in articles}
    return out


def protocol_markdown(con: duckdb.DuckDBPyConnection, pkg: Package) -> str:
    """The protocol section: folds, bootstrap over documents, Wilson intervals and detectable differences for this data."""
    counts = per_article(con, pkg)
    articles = sorted({a for c in counts.values() for a in c})
    k = len(articles)
    lines = [f"The corpus has {k} documents. Use all of it as a **test set** (every configuration's split is `test`); do not train "
             "on it. When examples are needed (few-shot prompting, tuning a threshold), use the leave-one-document-out "
             f"configurations `<table>-loo-<article>`: `train` holds the other {k - 1} articles, `test` the named one, so that no "
             "example comes from the document being evaluated. Report the score pooled over the folds and, because items of one "
             "document are not independent, a 95% interval from a bootstrap over documents (resample the "
             f"{k} documents with replacement, 10,000 times, and recompute the pooled score), beside the Wilson interval below.",
             "", "| table | " + " | ".join(articles) + " | all | 95% Wilson interval if accuracy is 0.80 | smallest detectable difference |",
             "|---|" + "---:|" * (len(articles) + 1) + "---|---:|"]
    for t, c in counts.items():
        n = sum(c.values())
        if n:
            lo, hi = wilson(REFERENCE_ACCURACY * n, n)
            ci, diff = f"{lo:.2f} to {hi:.2f}", f"{detectable_difference(n) * 100:.0f} points"
        else:
            ci, diff = "(no rows yet)", "(no rows yet)"
        lines.append(f"| `{t}` | " + " | ".join(str(c[a]) for a in articles) + f" | {n} | {ci} | {diff} |")
    biggest = {t: max(c, key=c.get) for t, c in counts.items() if sum(c.values())}
    share = [f"{c[biggest[t]]} of {sum(c.values())} {UNITS[t]} come from {biggest[t]}" for t, c in counts.items() if t in biggest]
    lines += ["", "The smallest detectable difference is for two systems near 0.80 accuracy (two-sided test at the 5% level, "
              "80% power); a paired test on the same items needs somewhat less when the systems err on the same items. "
              + ("Documents are unequal: " + "; ".join(share) + ". " if share else "")
              + "What the corpus **can** support: a hand-checkable test set for error analysis of attribution, event and "
              "coreference systems; few-shot exemplars drawn from other documents than the one evaluated; a pilot of the annotation "
              "scheme and of inter-annotator agreement. What it **cannot** support: training, claims of small differences "
              "between systems (see the last column), per-type scores for the many types with a handful of items, or claims "
              "about other outlets, languages or periods."]
    return "\n".join(lines)
