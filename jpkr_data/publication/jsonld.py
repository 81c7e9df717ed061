"""schema.org `Dataset` JSON-LD for the release: on the site's home page and as `dataset.jsonld` in the release."""
from __future__ import annotations

import datetime as dt
import json
from typing import Any

from ..schema import Package
from .safe_text import safe_url

FORMATS = {".zip": "application/zip", ".json": "application/json", ".csv": "text/csv", ".parquet": "application/vnd.apache.parquet",
           ".duckdb": "application/vnd.duckdb", ".md": "text/markdown", ".cff": "application/x-yaml", ".jsonld": "application/ld+json"}
# The distributions a reader downloads (the rest of the release is documentation of them).
DISTRIBUTIONS = ("jpkr-data-{version}.zip", "datapackage.json", "datapackage-parquet.json", "jpkr.duckdb")


def media_type(path: str) -> str:
    """The IANA media type of a release file, by its extension."""
    suffix = "." + path.rsplit(".", 1)[-1] if "." in path else ""
    return FORMATS.get(suffix, "application/octet-stream")


def dataset_jsonld(pkg: Package, files: dict[str, dict[str, Any]], coverage: tuple[dt.date, dt.date], countries: list[str],
                   base_url: str = "") -> dict[str, Any]:
    """The Dataset description; `files` maps a release path to {"bytes": n, "sha256": hex} (either may be absent)."""
    d = pkg.descriptor
    version = str(d.get("version", "0.0.0"))
    lic = (d.get("licenses") or [{}])[0]
    distributions = []
    for pattern in DISTRIBUTIONS:
        path = pattern.format(version=version)
        entry: dict[str, Any] = {"@type": "DataDownload", "name": path, "contentUrl": base_url + path, "encodingFormat": media_type(path)}
        info = files.get(path, {})
        if info.get("bytes") is not None:
            entry["contentSize"] = f"{info['bytes']} B"
        if info.get("sha256"):
            entry["sha256"] = info["sha256"]
        distributions.append(entry)
    created = str(d.get("created", ""))[:10]
    doc: dict[str, Any] = {
        "@context": "https://schema.org/",
        "@type": "Dataset",
        "name": d.get("title", d["name"]),
        "alternateName": d["name"],
        "description": d.get("description", ""),
        "version": version,
        "license": safe_url(lic.get("path")) or str(lic.get("name", "")),
        "creator": [{"@type": "Organization", "name": c.get("title", "jpkr-data contributors")} for c in d.get("contributors", [])]
        or [{"@type": "Organization", "name": "jpkr-data contributors"}],
        "temporalCoverage": f"{coverage[0].isoformat()}/{coverage[1].isoformat()}",
        "spatialCoverage": [{"@type": "Place", "name": c} for c in countries],
        "keywords": list(d.get("keywords", [])),
        "isAccessibleForFree": True,
        "distribution": distributions,
    }
    if safe_url(d.get("homepage")):
        doc["url"] = safe_url(d.get("homepage"))
    if created:
        doc["dateCreated"] = created
    return doc


def jsonld_text(doc: dict[str, Any]) -> str:
    """The JSON-LD as text, safe inside a <script> element."""
    return json.dumps(doc, indent=2, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026") + "\n"
