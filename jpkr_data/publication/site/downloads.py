"""The release's files with their sizes and SHA-256, read from the files themselves (the site is built before SHA256SUMS)."""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

DESCRIPTIONS = {
    "jpkr.duckdb": "DuckDB database: every table and view, with column comments",
    "jpkr.sqlite": "SQLite database for Datasette: every table and view, full-text search",
    "datasette-metadata.json": "Datasette metadata: descriptions, search and facets (datasette jpkr.sqlite -m datasette-metadata.json)",
    "datapackage.json": "Frictionless data package descriptor (CSV tables)",
    "datapackage-parquet.json": "the same package as Parquet",
    "dataset.jsonld": "schema.org Dataset description (JSON-LD)",
    "CODEBOOK.md": "every table and column, allowed values and their meaning",
    "CITATION.cff": "how to cite", "zenodo.json": "Zenodo deposit metadata", "README.md": "read me",
    "CHANGELOG.md": "what changed", "CURATION.md": "how the data was curated", "LICENSE": "code licence (MIT)",
    "LICENSE-DATA": "data licence (CC BY 4.0)", "DATASHEET.md": "datasheet for the dataset",
}


def file_entries(release: Path, skip: str = "site") -> list[dict[str, Any]]:
    """Every file under `release` except the site itself: path, bytes, sha256 and what it is."""
    out = []
    for p in sorted(release.rglob("*")):
        rel = p.relative_to(release).as_posix()
        if not p.is_file() or rel == skip or rel.startswith(skip + "/"):
            continue
        what = DESCRIPTIONS.get(rel) or ("one article's rows (Parquet, for the leave-one-document-out configs)" if rel.startswith("data/by_article/")
                                         else "table (CSV)" if rel.endswith(".csv") else "table (Parquet)" if rel.endswith(".parquet")
                                         else "view (SQL)" if rel.endswith(".sql") else "source text" if rel.startswith("data/sources/") else "")
        out.append({"path": rel, "bytes": p.stat().st_size, "sha256": hashlib.sha256(p.read_bytes()).hexdigest(), "what": what})
    return out


def later_entries(version: str) -> list[dict[str, Any]]:
    """Files written after the site (their checksums cannot be on it): the checksum list and the zip."""
    return [{"path": f"jpkr-data-{version}.zip", "bytes": None, "sha256": None, "what": "the whole release in one file (its checksum is published beside it)"},
            {"path": "SHA256SUMS", "bytes": None, "sha256": None, "what": "SHA-256 of every file of the release, this site included"}]


def human_size(n: int | None) -> str:
    """1.2 MB, 34 kB, 512 B."""
    if n is None:
        return "–"
    for unit, size in (("MB", 1_000_000), ("kB", 1_000)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{n} B"
