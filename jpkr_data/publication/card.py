"""The Hugging Face dataset card: YAML front matter on the release's README.md.

`configs:` names one config per table (data/<table>.parquet) and per view (views/<view>.parquet), so
`datasets.load_dataset(release_dir, "timeline")` loads a view by name with its types (codes stay
strings, dates stay dates). The corpus is an evaluation set: each of these configs is one split, `test`,
with all its rows. The annotation tables (protocol.LOO_TABLES) also get one leave-one-document-out config
per article, `<table>-loo-<article>`: `train` = the other articles' rows, `test` = that article's
(data/by_article/<table>/<article>.parquet). The YAML is written by hand from JSON-quoted strings (valid YAML).
"""
from __future__ import annotations

import json
from pathlib import Path

import duckdb

from .. import validator as _validator  # noqa: F401  (views imports the validator: load it first, no import cycle)
from ..schema import Package
from ..validator.paths import id_problem
from ..views import discover_views
from .protocol import LOO_TABLES

DEFAULT_CONFIG = "timeline"
# The spans in the tables support these tasks once the texts are at hand (`jpkr-data corpus`); the configs hold tables only.
EXTRA_TAGS = ["event-extraction", "quotation-attribution", "cross-document-event-coreference"]
SIZE_CATEGORIES = [(1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M"), (10_000_000, "1M<n<10M")]
LICENSES = {"CC-BY-4.0": "cc-by-4.0", "CC0-1.0": "cc0-1.0", "ODC-BY-1.0": "odc-by"}


def size_category(n_rows: int) -> str:
    """The Hub's size bucket for a number of rows."""
    for limit, name in SIZE_CATEGORIES:
        if n_rows < limit:
            return name
    return "n>1T" if n_rows >= 10**12 else "10M<n<100M"


def _q(value: str) -> str:
    """A YAML scalar: JSON's double-quoted string is valid YAML."""
    return json.dumps(value, ensure_ascii=False)


def article_ids(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every article id, each checked to be a safe file name (it names a Parquet file of the release)."""
    ids = [r[0] for r in con.execute("SELECT article_id FROM articles ORDER BY article_id").fetchall()]
    for a in ids:
        if problem := id_problem("articles", "article_id", a):
            raise ValueError(problem)
    return ids


def by_article_path(table: str, article: str) -> str:
    """The release path of one article's rows of a table."""
    return f"data/by_article/{table}/{article}.parquet"


def front_matter(pkg: Package, row_counts: dict[str, int], languages: list[str], articles: list[str] | None = None) -> str:
    """The YAML block (between --- lines) for the release README."""
    d = pkg.descriptor
    licence = next((LICENSES.get(x.get("name", ""), x.get("name", "").lower()) for x in d.get("licenses", [])), "cc-by-4.0")
    lines = ["---", f"license: {_q(licence)}", "language:"] + [f"- {_q(code)}" for code in languages or ["en"]]
    lines += ["task_categories:", "- table-question-answering",
              "size_categories:", f"- {_q(size_category(sum(row_counts.values())))}",
              f"pretty_name: {_q(d.get('title', d['name']))}", "tags:"]
    lines += [f"- {_q(k)}" for k in [*d.get("keywords", []), *EXTRA_TAGS]]
    lines.append("configs:")
    names = [("data", t.name) for t in pkg.tables] + [("views", v.name) for v in discover_views(pkg.root)]
    for folder, name in names:
        lines += [f"- config_name: {_q(name)}"]
        if name == DEFAULT_CONFIG:
            lines.append("  default: true")
        lines += ["  data_files:", "  - split: test", f"    path: {_q(f'{folder}/{name}.parquet')}"]
    for table in (t.name for t in pkg.tables if t.name in LOO_TABLES and "article_id" in t.field_names):
        for held_out in articles or []:
            lines += [f"- config_name: {_q(f'{table}-loo-{held_out}')}", "  data_files:", "  - split: train", "    path:"]
            lines += [f"    - {_q(by_article_path(table, a))}" for a in articles if a != held_out]
            lines += ["  - split: test", f"    path: {_q(by_article_path(table, held_out))}"]
    lines.append("---")
    return "\n".join(lines) + "\n"


def card_intro(pkg: Package, protocol: str = "") -> str:
    """A short section under the front matter: how to load a table or view by name, and the evaluation protocol."""
    text = ("\n> **Dataset card.** Each table and each view is a config whose one split, `test`, holds all its rows: "
            "`datasets.load_dataset(\"<release folder or repo>\", \"timeline\", split=\"test\")` (or `\"events\"`, `\"statements_full\"`, ...) "
            "loads it from its Parquet file (`data/<table>.parquet`, `views/<view>.parquet`). "
            "The datasheet is `DATASHEET.md`, every column is described in `CODEBOOK.md`.\n\n")
    return text + (f"## Evaluation protocol\n\n{protocol}\n\n" if protocol else "")


def write_card(pkg: Package, out: Path, row_counts: dict[str, int], languages: list[str], articles: list[str] | None = None,
               protocol: str = "") -> Path:
    """Put the front matter on out/README.md (created if the package has no README)."""
    target = out / "README.md"
    body = target.read_text(encoding="utf-8") if target.is_file() else f"# {pkg.descriptor.get('title', pkg.descriptor['name'])}\n"
    if body.startswith("---\n"):  # a README that already has front matter: replace it
        end = body.find("\n---\n", 4)
        body = body[end + 5:] if end != -1 else body
    lines = body.split("\n", 1)
    body = lines[0] + "\n" + card_intro(pkg, protocol) + (lines[1] if len(lines) > 1 else "")
    target.write_text(front_matter(pkg, row_counts, languages, articles) + "\n" + body, encoding="utf-8", newline="\n")
    return target
