"""schema.org `Dataset` JSON-LD for the release: on the site's home page and as `dataset.jsonld` in the release."""
from __future__ import annotations

import json
from typing import Any

from ..schema import Package
from .dates import span_iso
from .safe_text import safe_url

FORMATS = {".zip": "application/zip", ".json": "application/json", ".csv": "text/csv", ".parquet": "application/vnd.apache.parquet",
           ".duckdb": "application/vnd.duckdb", ".md": "text/markdown", ".cff": "application/x-yaml", ".jsonld": "application/ld+json"}
# The distributions a reader downloads (the rest of the release is documentation of them).
DISTRIBUTIONS = ("jpkr-data-{version}.zip", "datapackage.json", "datapackage-parquet.json", "jpkr.duckdb")


def media_type(path: str) -> str:
    """The IANA media type of a release file, by its extension."""
    suffix = "." + path.rsplit(".", 1)[-1] if "." in path else ""
    return FORMATS.get(suffix, "application/octet-stream")


def dataset_jsonld(pkg: Package, files: dict[str, dict[str, Any]], events: list[dict[str, Any]], countries: list[str],
                   base_url: str = "", site_url: str | None = None) -> dict[str, Any]:
    """The Dataset description; `files` maps a release path to {"bytes": n, "sha256": hex} (either may be absent).

    temporalCoverage is the events' span as an ISO 8601 interval no more precise than the data ('1910/2019-12');
    `url` is the explorer's address when the site has one, else the homepage.
    """
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
        "temporalCoverage": span_iso(events),
        "spatialCoverage": [{"@type": "Place", "name": c} for c in countries],
        "keywords": list(d.get("keywords", [])),
        "isAccessibleForFree": True,
        "distribution": distributions,
    }
    homepage = safe_url(d.get("homepage"))
    site_url = safe_url(site_url) or None  # checked by check_site_url already; http(s) or relative only, whoever calls
    if site_url or homepage:
        doc["url"] = site_url or homepage
    if site_url and homepage:
        doc["sameAs"] = homepage
    if created:
        doc["dateCreated"] = created
    return doc


def markup_safe_json(value: Any, **dumps: Any) -> str:
    """JSON with <, > and & escaped (\\u003c...): safe inside a <script> element, and no file holds markup from the data."""
    return json.dumps(value, ensure_ascii=False, **dumps).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def jsonld_text(doc: dict[str, Any]) -> str:
    """The JSON-LD as text, safe inside a <script> element."""
    return markup_safe_json(doc, indent=2) + "\n"
