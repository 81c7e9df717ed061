"""`jpkr-data build --out DIR`: the publication artifacts, written atomically and reproducibly.

DIR receives datapackage.json + data/*.csv (Frictionless), data/*.parquet (+ datapackage-parquet.json),
jpkr.duckdb (tables, views, COMMENT ON, readable by DuckDB 1.x), CODEBOOK.md, CITATION.cff,
zenodo.json, dataset.jsonld (schema.org), LICENSE files, CHANGELOG.md, site/ (the explorer), SHA256SUMS and jpkr-data-<version>.zip.
Source article texts are left out unless include_sources is set.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sys
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import duckdb

from ..database import build_database
from ..paths import resolve_descriptor
from ..schema import Package, load_package, quote_ident, sql_literal
from ..validator.pipeline import validate
from ..validator.report import ValidationError
from .codebook import render_codebook
from .site import build_site

STORAGE_VERSION = "v1.0.0"  # DuckDB 1.0 and later can open the release database
DOC_FILES = ("LICENSE", "LICENSE-DATA", "CHANGELOG.md", "README.md", "CURATION.md")
SOURCES_NOTICE = """The files in this folder are third-party news texts (Kyodo News, Arirang, Reuters,
KBS World Radio, as republished by the sites they were taken from). They are NOT licensed by
jpkr-data and stay the copyright of their publishers. They are included on request
(--include-sources) for research use only, so that the evidence offsets can be checked.
"""
class Progress:
    """Step messages on a terminal; silent otherwise."""

    def __init__(self, steps: list[str], stream=None):
        self.steps, self.stream = steps, stream or sys.stderr
        self.enabled = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.done = 0

    def __call__(self, step: str) -> None:
        self.done += 1
        if self.enabled:
            self.stream.write(f"[{self.done}/{len(self.steps)}] {step}\n")
            self.stream.flush()


def release_date(pkg: Package) -> dt.datetime:
    """Timestamps come from the package's `created` date, never the clock (reproducible builds)."""
    created = pkg.descriptor.get("created", "2000-01-01T00:00:00Z").replace("Z", "+00:00")
    return dt.datetime.fromisoformat(created).astimezone(dt.UTC)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="\n")


def release_descriptor(pkg: Package, out: Path, include_sources: bool) -> dict:
    """The descriptor with a hash and size for every resource (as the files in `out` are)."""
    d = json.loads(json.dumps(pkg.descriptor))
    for res in d["resources"]:
        f = out / res["path"]
        res["hash"] = f"sha256:{sha256(f)}"
        res["bytes"] = f.stat().st_size
    if not include_sources:
        d["sources"] = [s for s in d.get("sources", []) if not s.get("path", "").startswith("data/sources/")]
        d["jpkr:sources_note"] = ("The source article texts are not included: the articles table keeps each one's file name, "
                                  "SHA-256 and size, and every evidence span, so a holder of an article can check every offset.")
    return d


def parquet_descriptor(descriptor: dict, out: Path) -> dict:
    d = json.loads(json.dumps(descriptor))
    d["name"] = descriptor["name"] + "-parquet"
    for res in d["resources"]:
        res["path"] = res["path"][: -len(".csv")] + ".parquet"
        res["format"], res["mediatype"] = "parquet", "application/vnd.apache.parquet"
        res.pop("dialect", None), res.pop("encoding", None)
        f = out / res["path"]
        res["hash"], res["bytes"] = f"sha256:{sha256(f)}", f.stat().st_size
    return d


def citation_cff(pkg: Package) -> str:
    d = pkg.descriptor
    lines = ["cff-version: 1.2.0", "message: If you use this dataset, please cite it as below.", "type: dataset",
             f"title: {json.dumps(d.get('title', d['name']))}", f"version: {json.dumps(d.get('version', '0.0.0'))}",
             f"date-released: {release_date(pkg).date().isoformat()}", "license: CC-BY-4.0", "authors:"]
    for c in d.get("contributors", []) or [{"title": "jpkr-data contributors"}]:
        lines.append(f"  - name: {json.dumps(c.get('title', 'jpkr-data contributors'))}")
    lines.append("keywords:")
    lines += [f"  - {json.dumps(k)}" for k in d.get("keywords", [])]
    lines.append(f"abstract: {json.dumps(d.get('description', ''))}")
    return "\n".join(lines) + "\n"


def zenodo_json(pkg: Package) -> str:
    d = pkg.descriptor
    meta = {"upload_type": "dataset", "title": d.get("title", d["name"]), "version": d.get("version"),
            "publication_date": release_date(pkg).date().isoformat(), "description": d.get("description", ""),
            "creators": [{"name": c.get("title", "jpkr-data contributors")} for c in d.get("contributors", [])],
            "license": "cc-by-4.0", "keywords": d.get("keywords", []), "access_right": "open"}
    return json.dumps(meta, indent=2, ensure_ascii=False) + "\n"


def export_parquet(con: duckdb.DuckDBPyConnection, pkg: Package, out: Path) -> None:
    for t in pkg.tables:
        target = out / "data" / f"{t.name}.parquet"
        cols = ", ".join(quote_ident(f.name) for f in t.fields)
        order = ", ".join(quote_ident(n) for n in t.primary_key) or cols
        con.execute(f"COPY (SELECT {cols} FROM {quote_ident(t.name)} ORDER BY {order}) TO {sql_literal(str(target))} "
                    "(FORMAT parquet, COMPRESSION zstd)")


def write_zip(out: Path, name: str, when: dt.datetime) -> Path:
    target = out / name
    stamp = (max(when.year, 1980), when.month, when.day, 0, 0, 0)
    files = sorted(p for p in out.rglob("*") if p.is_file() and p != target)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for p in files:
            info = zipfile.ZipInfo(f"{name[:-4]}/{p.relative_to(out).as_posix()}", stamp)
            info.compress_type, info.external_attr = zipfile.ZIP_DEFLATED, 0o644 << 16
            z.writestr(info, p.read_bytes())
    return target


STEPS = ["validate", "tables", "parquet", "database", "codebook", "site", "checksums", "zip"]


def build_release(out: str | os.PathLike[str], path: str | os.PathLike[str] | None = None, include_sources: bool = False,
                  progress: Callable[[str], None] | None = None) -> Path:
    """Validate, then write the release into `out` atomically; an invalid package raises ValidationError."""
    step = progress or Progress(STEPS)
    descriptor = resolve_descriptor(path)
    report = validate(descriptor)
    step("validate")
    if not report.valid:
        raise ValidationError(report)
    pkg = load_package(descriptor)
    out = Path(out).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent))
    tmp.chmod(0o755)
    try:
        (tmp / "data").mkdir()
        for t in pkg.tables:
            shutil.copyfile(pkg.root / t.path, tmp / t.path)
        if include_sources:
            shutil.copytree(pkg.root / "data" / "sources", tmp / "data" / "sources")
            write_text(tmp / "data" / "sources" / "NOTICE.txt", SOURCES_NOTICE)
        for name in DOC_FILES:
            if (pkg.root / name).is_file():
                shutil.copyfile(pkg.root / name, tmp / name)
        shutil.copytree(pkg.root / "sql", tmp / "sql")
        descriptor_out = release_descriptor(pkg, tmp, include_sources)
        write_text(tmp / "datapackage.json", json.dumps(descriptor_out, indent=2, ensure_ascii=False) + "\n")
        step("tables")
        db = build_database(descriptor, tmp / "jpkr.duckdb", storage_version=STORAGE_VERSION)
        con = duckdb.connect(str(db), read_only=True)
        try:
            export_parquet(con, pkg, tmp)
            write_text(tmp / "datapackage-parquet.json", json.dumps(parquet_descriptor(descriptor_out, tmp), indent=2, ensure_ascii=False) + "\n")
            step("parquet")
            step("database")
            counts = {t.name: con.execute(f"SELECT count(*) FROM {quote_ident(t.name)}").fetchone()[0] for t in pkg.tables}
            write_text(tmp / "CODEBOOK.md", render_codebook(pkg, counts))
            write_text(tmp / "CITATION.cff", citation_cff(pkg))
            write_text(tmp / "zenodo.json", zenodo_json(pkg))
            step("codebook")
            build_site(con, pkg, tmp)
            step("site")
        finally:
            con.close()
        files = sorted(p for p in tmp.rglob("*") if p.is_file())
        write_text(tmp / "SHA256SUMS", "".join(f"{sha256(p)}  {p.relative_to(tmp).as_posix()}\n" for p in files))
        step("checksums")
        write_zip(tmp, f"jpkr-data-{pkg.descriptor.get('version', '0.0.0')}.zip", release_date(pkg))
        step("zip")
        _swap_into_place(tmp, out)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
    return out


def _swap_into_place(tmp: Path, out: Path) -> None:
    """Replace `out` by `tmp`; the earlier release stays until the new one is complete."""
    if not out.exists():
        os.replace(tmp, out)
        return
    old = out.parent / f".{out.name}.old"
    if old.exists():
        shutil.rmtree(old)
    os.replace(out, old)
    os.replace(tmp, out)
    shutil.rmtree(old)

