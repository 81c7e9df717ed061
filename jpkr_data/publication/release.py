"""`jpkr-data build --out DIR`: the publication artifacts, written atomically and reproducibly.

DIR receives datapackage.json + data/*.csv (Frictionless), data/*.parquet (+ datapackage-parquet.json),
jpkr.duckdb (tables, views, COMMENT ON, readable by DuckDB 1.1 and later) and its manifest, CODEBOOK.md,
CITATION.cff, zenodo.json,
jpkr.sqlite + datasette-metadata.json (Datasette; views translated by sqlglot), LICENSE files,
CHANGELOG.md, dataset.jsonld (schema.org), site/ (the explorer), jpkr-data-<version>.zip, SHA256SUMS (every
file, the zip included) and the .jpkr-release marker (dataset, version, SHA-256 of every file) by which a
later build recognises DIR. Source article texts are left out unless include_sources is set.
From an installed wheel (no source texts inside) the release is built from the verified bundled database
and the CSVs: the spans cannot be re-checked against the texts there.
Stata and R users get stata/*.dta (publication/stata.py); machine-learning tools get croissant.json (publication/croissant.py).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import stat
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import duckdb

from ..artifact import verify
from ..database import content_key
from ..paths import bundled_database, package_root, resolve_descriptor
from ..schema import DescriptorError, Package, load_package, quote_ident, sql_literal
from ..validator.paths import COPIED_FOLDERS, copied_files, regular_inside
from ..validator.pipeline import validate
from ..validator.report import ValidationError
from ..views import discover_views
from .card import article_ids, by_article_path, write_card
from .citation import how_to_cite_markdown, outlet_credits
from .codebook import render_codebook
from .corpus import write_corpus
from .croissant import write_croissant
from .database_file import ArtifactError, copy_verified, release_database
from .datasette import write_datasette
from .datasheet import render_datasheet
from .diff import write_changes
from .flat import write_views
from .protocol import LOO_TABLES, protocol_markdown
from .site import build_site, check_site_url
from .stata import write_stata
from .target import check_target, locked, publish, release_target, staging
from .workbook import write_workbook

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


PARQUET_NOTE = ("The same tables as Parquet; the Parquet files' own schemas give the exact types (BIGINT, DATE, VARCHAR[]). "
                "frictionless reads Parquet through pandas, which cannot carry everything the CSV package states: no bytes or hash "
                "are declared (the checksums are in SHA256SUMS); an integer field that may be empty arrives as a float with NaN, so "
                "it is declared 'number' here, without its range constraints; a list field arrives as a numpy array, so it is declared 'any'. Both keep their "
                "Parquet type in 'jpkr:parquetType'.")


def parquet_descriptor(descriptor: dict) -> dict:
    """The Parquet package, valid for frictionless: no bytes/hash, and the two pandas departures of PARQUET_NOTE declared."""
    d = json.loads(json.dumps(descriptor))
    d["name"] = descriptor["name"] + "-parquet"
    d["jpkr:parquet"] = PARQUET_NOTE
    for res in d["resources"]:
        res["path"] = res["path"][: -len(".csv")] + ".parquet"
        res["format"], res["mediatype"] = "parquet", "application/vnd.apache.parquet"
        for key in ("dialect", "encoding", "hash", "bytes"):
            res.pop(key, None)
        for f in res["schema"]["fields"]:
            constraints = f.get("constraints", {})
            if f.pop("jpkr:separator", None) is not None:
                f["type"], f["jpkr:parquetType"] = "any", "VARCHAR[]"
                f.pop("constraints", None)
            elif f.get("type") == "integer" and not constraints.get("required") and f["name"] not in res["schema"].get("primaryKey", []):
                f["type"], f["jpkr:parquetType"] = "number", "BIGINT"
                f.pop("constraints", None)  # NaN fails every range check; the CSV package keeps the constraints
    return d


def citation_cff(pkg: Package, site_url: str | None = None) -> str:
    """CITATION.cff; `url` is the explorer's address when the release has one (never invented)."""
    d = pkg.descriptor
    lines = ["cff-version: 1.2.0", "message: If you use this dataset, please cite it as below.", "type: dataset",
             f"title: {json.dumps(d.get('title', d['name']), ensure_ascii=False)}", f"version: {json.dumps(d.get('version', '0.0.0'))}",
             f"date-released: {release_date(pkg).date().isoformat()}", "license: CC-BY-4.0"]
    if site_url:
        lines.append(f"url: {json.dumps(site_url)}")
    if d.get("homepage"):
        lines.append(f"repository-code: {json.dumps(d['homepage'])}")
    lines.append("authors:")
    for c in d.get("contributors", []) or [{"title": "jpkr-data contributors"}]:
        lines.append(f"  - name: {json.dumps(c.get('title', 'jpkr-data contributors'), ensure_ascii=False)}")
    lines.append("keywords:")
    lines += [f"  - {json.dumps(k, ensure_ascii=False)}" for k in d.get("keywords", [])]
    lines.append(f"abstract: {json.dumps(d.get('description', ''), ensure_ascii=False)}")
    return "\n".join(lines) + "\n"


def zenodo_json(pkg: Package) -> str:
    d = pkg.descriptor
    meta = {"upload_type": "dataset", "title": d.get("title", d["name"]), "version": d.get("version"),
            "publication_date": release_date(pkg).date().isoformat(), "description": d.get("description", ""),
            "creators": [{"name": c.get("title", "jpkr-data contributors")} for c in d.get("contributors", [])],
            "license": "cc-by-4.0", "keywords": d.get("keywords", []), "access_right": "open"}
    return json.dumps(meta, indent=2, ensure_ascii=False) + "\n"


def parquet_metadata(name: str, description: str, columns: dict[str, str]) -> str:
    """A DuckDB KV_METADATA clause: the table's name and description, and its column descriptions as JSON."""
    meta = {"jpkr:name": name, "jpkr:description": description, "jpkr:columns": json.dumps(columns, ensure_ascii=False, sort_keys=True)}
    return "{" + ", ".join(f"{sql_literal(k)}: {sql_literal(v)}" for k, v in meta.items()) + "}"


def export_parquet(con: duckdb.DuckDBPyConnection, pkg: Package, out: Path) -> None:
    """One zstd Parquet file per table, rows in primary-key order, descriptions as key-value metadata."""
    for t in pkg.tables:
        target = out / "data" / f"{t.name}.parquet"
        cols = ", ".join(quote_ident(f.name) for f in t.fields)
        order = ", ".join(quote_ident(n) for n in t.primary_key) or cols
        meta = parquet_metadata(t.name, t.description, {f.name: f.description for f in t.fields})
        con.execute(f"COPY (SELECT {cols} FROM {quote_ident(t.name)} ORDER BY {order}) TO {sql_literal(str(target))} "
                    f"(FORMAT parquet, COMPRESSION zstd, KV_METADATA {meta})")
        if t.name in LOO_TABLES and "article_id" in t.field_names:  # one file per article: the card's leave-one-document-out configs
            for article in article_ids(con):
                target = out / by_article_path(t.name, article)
                target.parent.mkdir(parents=True, exist_ok=True)
                con.execute(f"COPY (SELECT {cols} FROM {quote_ident(t.name)} WHERE article_id = {sql_literal(article)} ORDER BY {order}) "
                            f"TO {sql_literal(str(target))} (FORMAT parquet, COMPRESSION zstd, KV_METADATA {meta})")


def view_column_types(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, str]]:
    """Each view's column types, as the release database reports them."""
    out: dict[str, dict[str, str]] = {}
    for view, column, type_ in con.execute("SELECT table_name, column_name, data_type FROM duckdb_columns() "
                                           "WHERE table_name IN (SELECT view_name FROM duckdb_views() WHERE NOT internal) ORDER BY column_index").fetchall():
        out.setdefault(view, {})[column] = type_
    return out


def bundled_artifact(descriptor: Path) -> Path | None:
    """The wheel's verified-at-build database, when `descriptor` is the wheel's own package (which has no source texts)."""
    db = bundled_database()
    if db is None or descriptor != (package_root() / "datapackage.json").resolve() or db.parent != descriptor.parent:
        return None
    return db


def check_package(descriptor: Path, artifact: Path | None, include_sources: bool = False) -> Package:
    """The package, parsed once. A source package is validated later, once, by the database writer; a malformed
    descriptor raises ValidationError here (its report locates each fault). For the wheel's package, its bundled
    database is verified instead."""
    if include_sources and not (descriptor.parent / "data" / "sources").is_dir():
        raise ValueError(f"{descriptor.parent}: this package has no data/sources/ folder (an installed wheel carries no source texts), "
                         "so --include-sources cannot be honoured; build from a source checkout")
    if artifact is not None and not verify(artifact):
        raise ArtifactError(f"{artifact}: the bundled database does not match its manifest (changed or damaged); reinstall jpkr-data")
    try:
        return load_package(descriptor, re2=artifact is None)
    except (DescriptorError, FileNotFoundError):
        raise ValidationError(validate(descriptor)) from None


def write_release_database(pkg: Package, target: Path, artifact: Path | None) -> Path:
    """jpkr.duckdb and its manifest: validated and written from the CSVs (the one validation of a build), or copied
    from the verified bundled database."""
    if artifact is not None:
        return copy_verified(artifact, target)
    return release_database(pkg, target, content_key(pkg))


def write_checksums_and_zip(tmp: Path, zip_name: str, when: dt.datetime) -> None:
    """SHA256SUMS of every file, then the zip (which holds that SHA256SUMS), then the zip's own line appended."""
    files = sorted(p for p in tmp.rglob("*") if p.is_file())
    write_text(tmp / "SHA256SUMS", "".join(f"{sha256(p)}  {p.relative_to(tmp).as_posix()}\n" for p in files))
    archive = write_zip(tmp, zip_name, when)
    with (tmp / "SHA256SUMS").open("a", encoding="utf-8", newline="\n") as fh:
        fh.write(f"{sha256(archive)}  {archive.name}\n")


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


class PackageFileError(ValueError):
    """A file the build would copy is not a regular file inside the package (a link out, a device ...): names it."""


def files_to_copy(pkg: Package, include_sources: bool) -> list[str]:
    """Every file the release copies from the package, each a regular file reached without a symbolic link; else PackageFileError."""
    rels, problems = copied_files(pkg.root, [t.path for t in pkg.tables], COPIED_FOLDERS if include_sources else ("sql",))
    if problems:
        raise PackageFileError(f"{pkg.root}: invalid package: {problems[0]}"
                               + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""))
    return rels


def copy_regular(root: Path, rel: str, dest: Path) -> None:
    """Copy one package file, opened without following a link and checked to be a regular file when opened."""
    fd = os.open(root / rel, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as src:
        if not stat.S_ISREG(os.fstat(src.fileno()).st_mode) or regular_inside(root, rel):
            raise PackageFileError(f"{root / rel}: invalid package: {regular_inside(root, rel) or 'not a regular file'}")
        dest.parent.mkdir(parents=True, exist_ok=True)
        with dest.open("wb") as out:
            shutil.copyfileobj(src, out)


STEPS = ["validate", "tables", "parquet", "database", "codebook", "site", "checksums", "zip"]


def build_release(out: str | os.PathLike[str], path: str | os.PathLike[str] | None = None, include_sources: bool = False,
                  progress: Callable[[str], None] | None = None, site_url: str | None = None) -> Path:
    """Validate, then write the release into `out` atomically; an invalid package raises ValidationError.

    `out` must be absent, empty or an earlier release of this dataset (else TargetError, nothing touched);
    the release is written in a hidden sibling `.OUT.jpkr-build-*` and swapped in, under the lock file
    `.OUT.jpkr-lock` (see publication/target.py). Every failure leaves the earlier release as it was.
    `site_url` (where the release's site/ will be served) gives the pages canonical addresses, a sitemap and CITATION.cff a url.
    """
    site_url = check_site_url(site_url)
    step = progress or Progress(STEPS)
    descriptor = resolve_descriptor(path)
    artifact = bundled_artifact(descriptor)
    pkg = check_package(descriptor, artifact, include_sources)
    target = release_target(out, str(pkg.descriptor.get("name", "")))
    with locked(target):  # a concurrent build may be swapping DIR: look at it only between swaps
        check_target(target)
    copies = files_to_copy(pkg, include_sources)
    with staging(target) as tmp:
        db = write_release_database(pkg, tmp / "jpkr.duckdb", artifact)  # validates before any package file is copied
        step("validate")
        (tmp / "data").mkdir()
        for rel in copies:
            copy_regular(pkg.root, rel, tmp / rel)
        if include_sources:
            write_text(tmp / "data" / "sources" / "NOTICE.txt", SOURCES_NOTICE)
        descriptor_out = release_descriptor(pkg, tmp, include_sources)
        write_text(tmp / "datapackage.json", json.dumps(descriptor_out, indent=2, ensure_ascii=False) + "\n")
        step("tables")
        con = duckdb.connect(str(db), read_only=True)
        try:
            export_parquet(con, pkg, tmp)
            write_text(tmp / "datapackage-parquet.json", json.dumps(parquet_descriptor(descriptor_out), indent=2, ensure_ascii=False) + "\n")
            step("parquet")
            step("database")
            counts = {t.name: con.execute(f"SELECT count(*) FROM {quote_ident(t.name)}").fetchone()[0] for t in pkg.tables}
            write_text(tmp / "CODEBOOK.md", render_codebook(pkg, counts, view_column_types(con), how_to_cite_markdown(pkg, outlet_credits(con), site_url)))
            write_text(tmp / "CITATION.cff", citation_cff(pkg, site_url))
            write_text(tmp / "zenodo.json", zenodo_json(pkg))
            write_views(con, pkg, tmp)
            write_datasette(con, pkg, discover_views(pkg.root), tmp)
            write_workbook(pkg, con, tmp / "jpkr-data.xlsx")
            write_stata(con, pkg, tmp, release_date(pkg))
            write_text(tmp / "DATASHEET.md", render_datasheet(pkg, con))
            write_croissant(pkg, tmp, descriptor_out)
            write_card(pkg, tmp, counts, [r[0] for r in con.execute("SELECT DISTINCT language FROM articles ORDER BY 1").fetchall()],
                       article_ids(con), protocol_markdown(con, pkg))
            write_changes(pkg.root, pkg.descriptor.get("version", "0.0.0"), tmp)
            if include_sources:
                write_corpus(pkg, con, pkg.root / "data" / "sources", tmp / "data" / "sources" / "corpus.jsonl", tmp / "data" / "sources" / "brat")
            step("codebook")
            build_site(con, pkg, tmp, site_url)
            step("site")
        finally:
            con.close()
        write_checksums_and_zip(tmp, f"jpkr-data-{pkg.descriptor.get('version', '0.0.0')}.zip", release_date(pkg))
        step("checksums")
        step("zip")
        publish(target, tmp, str(pkg.descriptor.get("version", "0.0.0")))
    return target.path
