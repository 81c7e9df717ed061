"""The annotated corpus: find the source articles by checksum, then write every span as JSON Lines and brat standoff.

Offsets everywhere are Unicode code points into the UTF-8-decoded article (Python `str` indexing),
start inclusive, end exclusive. brat's standoff format counts characters of the `.txt` file the same
way, so offsets are written unchanged; a span that crosses a line break becomes a discontinuous brat
span (`start end;start end`), because a brat annotation line cannot hold a newline.
"""
from __future__ import annotations

import datetime as dt
import errno
import hashlib
import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from ..schema import Package, quote_ident
from ..text.bio import bio_tsv
from ..text.brat import brat_ann, brat_attributes, brat_confs, brat_fragments, brat_name  # noqa: F401  (the brat format, re-exported)
from ..validator.paths import id_problem
from .swap import write_file
from .target import TargetError, check_target, publish, release_target, staging

# (table, text column) -> span label; a span column pair not listed here is labelled "<table>.<text column>".
LABELS = {
    ("articles", "headline"): "headline",
    ("articles", "dateline"): "dateline",
    ("articles", "published_date_evidence"): "date_evidence",
    ("article_segments", "text"): "segment",
    ("article_credits", "evidence_text"): "credit",
    ("actor_aliases", "evidence_text"): "actor_alias",
    ("actor_roles", "evidence_text"): "actor_role",
    ("event_mentions", "evidence_text"): "event_mention",
    ("event_actors", "evidence_text"): "event_actor",
    ("event_relations", "evidence_text"): "event_relation",
    ("statements", "text"): "statement",
    ("statements", "attribution_text"): "attribution",
    ("statement_addressees", "evidence_text"): "addressee",
    ("statement_events", "evidence_text"): "statement_event",
    ("actor_members", "evidence_text"): "actor_member",
    ("quotations", "text"): "quotation",
    ("agreements", "evidence_text"): "agreement",
    ("agreement_parties", "evidence_text"): "agreement_party",
    ("agreement_events", "evidence_text"): "agreement_event",
    ("claims", "evidence_text"): "claim",
    ("claims", "attribution_text"): "claim_attribution",
    ("statements", "source_text"): "source",
    ("statements", "cue_text"): "cue",
    ("event_mentions", "trigger_text"): "trigger",
    ("actor_mentions", "text"): "actor_mention",
    ("event_mention_arguments", "text"): "argument",
}
# Attributes joined in from other tables, so that a span says what it refers to without a lookup.
ENRICH = {
    "event_mentions": {"event_type": ("events", "event_id", "event_type"), "cameo_code": ("events", "event_id", "cameo_code"),
                       "event_title": ("events", "event_id", "title")},
    "actor_aliases": {"actor_name": ("actors", "actor_id", "name")},
    "statements": {"speaker_name": ("actors", "speaker_id", "name")},
    "statement_addressees": {"addressee_name": ("actors", "addressee_id", "name")},
    "actor_mentions": {"actor_name": ("actors", "actor_id", "name")},
    "event_mention_arguments": {"actor_name": ("actors", "actor_id", "name")},
}
BRAT_DATASET = "jpkr-data corpus brat"  # the dataset name in the brat folder's .jpkr-release marker
BIO_DATASET = "jpkr-data corpus bio"  # the dataset name in the BIO folder's .jpkr-release marker
BRAT_VERSION = "1"


class CorpusError(Exception):
    """A clear, user-facing reason why the corpus cannot be written."""


@dataclass(frozen=True)
class Article:
    """One article row as the corpus needs it."""
    article_id: str
    source_file: str
    sha256: str
    size: int
    chars: int
    meta: dict[str, Any]


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, Any]]:
    """Rows as dicts, dates as ISO strings."""
    cur = con.execute(sql)
    cols = [c[0] for c in cur.description]
    return [{k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in zip(cols, r)} for r in cur.fetchall()]


def load_articles(con: duckdb.DuckDBPyConnection) -> list[Article]:
    """Every article with the checksum and size its source file must have."""
    out = []
    names = dict(con.execute("SELECT actor_id, name FROM actors").fetchall())
    for r in _rows(con, "SELECT * FROM articles ORDER BY article_id"):
        meta = {"outlet": r.get("outlet"), "outlet_id": r.get("outlet_id"), "wire_agency_id": r.get("wire_agency_id"),
                "wire_agency": names.get(r.get("wire_agency_id")),
                "medium": r.get("medium"), "language": r.get("language"), "date": r.get("published_date"),
                "date_basis": r.get("published_date_basis"), "headline": r.get("headline"),
                "body_start": r.get("body_start"), "body_end": r.get("body_end")}
        out.append(Article(r["article_id"], r["source_file"], r["source_sha256"], int(r["source_bytes"]), int(r["source_chars"]), meta))
    return out


SYSTEM_TREES = ("/proc", "/sys", "/dev")  # never read as a source, even through a link


def _candidate(path: Path, sizes: set[int]) -> os.stat_result | None:
    """The file's stat when it may be an article: a regular file (a link only to one, outside /proc, /sys, /dev) of an article's size."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    if not stat.S_ISREG(st.st_mode) or st.st_size not in sizes:
        return None
    if path.is_symlink() and os.path.realpath(path).startswith(tuple(t + "/" for t in SYSTEM_TREES)):
        return None
    return st


def _read_capped(path: Path, size: int) -> bytes:
    """At most `size` + 1 bytes of a regular file, opened without blocking (a file swapped for a FIFO is refused)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        return fh.read(size + 1)


def find_sources(folder: str | os.PathLike[str], articles: list[Article]) -> dict[str, Path]:
    """article_id -> file in `folder` (searched recursively, any names) whose size and SHA-256 match; CorpusError otherwise.

    Only regular files of exactly an article's size are read (so a huge, sparse or special file costs nothing);
    devices, FIFOs, sockets and links into /proc, /sys or /dev are skipped, and so is a file that cannot be read."""
    root = Path(folder)
    if not root.exists():
        raise CorpusError(f"{root}: no such folder")
    if not root.is_dir():
        raise CorpusError(f"{root}: not a folder (give the folder that holds the article files)")
    by_size: dict[int, list[Article]] = {}
    for a in articles:
        by_size.setdefault(a.size, []).append(a)
    found: dict[str, Path] = {}
    near: dict[str, list[str]] = {}
    try:
        candidates = sorted(Path(d) / n for d, _, names in os.walk(root, followlinks=False) for n in names)
    except OSError as exc:
        raise CorpusError(f"{root}: cannot be read: {exc.strerror or exc}") from None
    for p in candidates:
        named = [a for a in articles if a.source_file == p.name]
        st = _candidate(p, set(by_size))
        if st is None:
            near_text = f"{p} has the file name of {{}} but is not a regular file of its size"
            for a in named:
                near.setdefault(a.article_id, []).append(near_text.format(a.article_id))
            continue
        try:
            data = _read_capped(p, st.st_size)
        except OSError as exc:  # unreadable (permissions, vanished): named only if an article of its size is missing
            for a in by_size.get(st.st_size, []):
                near.setdefault(a.article_id, []).append(f"{p} cannot be read: {exc.strerror or exc}")
            continue
        digest = hashlib.sha256(data).hexdigest() if len(data) == st.st_size else ""
        for a in by_size.get(st.st_size, []):
            if digest == a.sha256 and a.article_id not in found:
                found[a.article_id] = p
        for a in named:
            if digest != a.sha256:
                near.setdefault(a.article_id, []).append(f"{p} has the file name of {a.article_id} but a wrong checksum")
    missing = [a for a in articles if a.article_id not in found]
    if missing:
        lines = [f"{len(missing)} of {len(articles)} articles not found in {root} (matched by SHA-256, any file name):"]
        for a in missing:
            lines.append(f"  {a.article_id}: expected {a.size} bytes, SHA-256 {a.sha256} (published as {a.source_file})")
            lines += [f"    {n} (not this article, or altered)" for n in near.get(a.article_id, [])]
        raise CorpusError("\n".join(lines))
    return found


def read_verified(path: Path, article: Article) -> str:
    """The article's text, after checking size, SHA-256, UTF-8 and length in code points again on the bytes read."""
    try:
        raw = _read_capped(path, article.size)
    except OSError as exc:
        raise CorpusError(f"{path}: cannot be read: {exc.strerror or exc}") from None
    if len(raw) != article.size or hashlib.sha256(raw).hexdigest() != article.sha256:
        raise CorpusError(f"{path}: changed while being read ({article.article_id} expects {article.size} bytes, SHA-256 {article.sha256})")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CorpusError(f"{path}: not UTF-8 at byte {exc.start}") from None
    if len(text) != article.chars:
        raise CorpusError(f"{path}: {len(text)} code points, {article.article_id} expects {article.chars}")
    return text


def collect_spans(con: duckdb.DuckDBPyConnection, pkg: Package) -> dict[str, list[dict[str, Any]]]:
    """article_id -> every span declared in the schemas ('jpkr:spans'), with its label, source row and attributes."""
    lookups: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}
    for enrich in ENRICH.values():
        for table, _, _ in enrich.values():
            key_col = pkg.table(table).primary_key[0]
            lookups[(table, key_col)] = {r[key_col]: r for r in _rows(con, f"SELECT * FROM {quote_ident(table)}")}
    spans: dict[str, list[dict[str, Any]]] = {}
    for t in pkg.tables:
        if not t.spans:
            continue
        order = ", ".join(quote_ident(c) for c in t.primary_key) or "ALL"
        rows = _rows(con, f"SELECT * FROM {quote_ident(t.name)} ORDER BY {order}")
        span_cols = {c for s in t.spans for c in (s.article, s.start, s.end, s.text)}
        for r in rows:
            article_level = t.primary_key == [t.spans[0].article]  # the articles table: its fields are the record's own
            attrs = {} if article_level else {k: v for k, v in r.items() if k not in span_cols}  # null included: a reader never misses a key
            for name, (table, fk_col, col) in ENRICH.get(t.name, {}).items():
                ref = lookups[(table, pkg.table(table).primary_key[0])].get(r.get(fk_col))
                attrs[name] = None if ref is None else ref.get(col)
            for s in t.spans:
                if r.get(s.start) is None or r.get(s.end) is None:
                    continue
                label = LABELS.get((t.name, s.text), f"{t.name}.{s.text}")
                spans.setdefault(r[s.article], []).append(
                    {"label": label, "start": int(r[s.start]), "end": int(r[s.end]), "text": r.get(s.text),
                     "table": t.name, "key": {k: r[k] for k in t.primary_key}, "attributes": attrs})
    for items in spans.values():
        items.sort(key=lambda x: (x["start"], -x["end"], x["label"], json.dumps(x["key"], sort_keys=True, default=str)))
    return spans


def corpus_records(pkg: Package, con: duckdb.DuckDBPyConnection, sources: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """One record per article (id, outlet, date, text, spans); every span's stored text is checked against the text."""
    articles = load_articles(con)
    files = find_sources(sources, articles)
    spans = collect_spans(con, pkg)
    records = []
    for a in articles:
        text = read_verified(files[a.article_id], a)
        items = spans.get(a.article_id, [])
        for s in items:
            piece = text[s["start"]:s["end"]]
            if s["text"] is None:
                s["text"] = piece  # boilerplate segments store offsets only
            elif piece != s["text"]:
                raise CorpusError(f"{s['table']} {s['key']}: stored text {s['text']!r} differs from {a.article_id}[{s['start']}:{s['end']}] = {piece!r}")
        records.append({"id": a.article_id, **a.meta, "source_sha256": a.sha256, "text": text, "spans": items})
    return records


def _atomic_write(target: Path, data: str) -> None:
    """Write a file through the one safe-write helper (swap.write_file); a failure names the file (a full disk too)."""
    try:
        write_file(target, lambda fh: fh.write(data.encode("utf-8")))
    except OSError as exc:
        raise CorpusError(f"{target}: cannot be written: {exc.strerror or exc}; the earlier file is unchanged") from None


def check_file_ids(records: list[dict[str, Any]]) -> None:
    """Every article id that names a file must be a safe file name, whatever the package's own schema allows."""
    for r in records:
        problem = id_problem("articles", "article_id", r["id"])
        if problem:
            raise CorpusError(problem)


def _write_folder(files: dict[str, str], folder: Path, dataset: str, option: str) -> Path:
    """Replace `folder` with `files` (name -> text) as `build` replaces a release (publication/target.py).

    The folder must be absent, empty, or one this command wrote whose every file is unchanged (its marker lists
    each file's SHA-256): an annotator's edited file or an added file makes it refused, never deleted. The new
    folder is written in a locked staging folder beside it and swapped in; nothing else beside it is touched."""
    Path(folder).parent.mkdir(parents=True, exist_ok=True)
    t = release_target(folder, dataset)
    try:
        check_target(t)
    except TargetError as exc:
        raise CorpusError(f"{exc}; choose another {option} folder (annotators' edits are never replaced)") from None
    try:
        with staging(t) as tmp:
            for name, data in files.items():
                (tmp / name).write_bytes(data.encode("utf-8"))
            publish(t, tmp, BRAT_VERSION)
    except OSError as exc:
        raise CorpusError(f"{t.path}: cannot be written: {exc.strerror or exc}; the earlier folder is unchanged") from None
    except TargetError as exc:
        raise CorpusError(str(exc)) from None
    return t.path


def write_brat(records: list[dict[str, Any]], folder: Path) -> Path:
    """A folder with <id>.txt, <id>.ann, annotation.conf and visual.conf (jpkr_data/text/brat.py), safely replaced."""
    check_file_ids(records)
    files = {}
    for r in records:
        files[f"{r['id']}.txt"] = r["text"]
        files[f"{r['id']}.ann"] = brat_ann(r)
    files["annotation.conf"], files["visual.conf"] = brat_confs(records)
    return _write_folder(files, folder, BRAT_DATASET, "--brat")


def write_bio(records: list[dict[str, Any]], folder: Path) -> Path:
    """A folder with <id>.tsv, token-level BIO per article (jpkr_data/text/bio.py), safely replaced."""
    check_file_ids(records)
    return _write_folder({f"{r['id']}.tsv": bio_tsv(r) for r in records}, folder, BIO_DATASET, "--bio")


def write_corpus(pkg: Package, con: duckdb.DuckDBPyConnection, sources: str | os.PathLike[str], out: str | os.PathLike[str],
                 brat: str | os.PathLike[str] | None = None, bio: str | os.PathLike[str] | None = None) -> tuple[Path, Path, list[dict[str, Any]]]:
    """Write the JSON Lines corpus to `out`, brat standoff beside it (or to `brat`) and, if asked, BIO to `bio`; nothing is written on any error."""
    out_path = Path(out)
    if out_path.is_dir():
        raise CorpusError(f"{out_path}: is a folder; --out names the JSON Lines file to write")
    if not out_path.parent.is_dir():
        raise CorpusError(f"{out_path.parent}: no such folder for --out")
    records = corpus_records(pkg, con, sources)
    brat_dir = Path(brat) if brat else out_path.with_name(out_path.stem + "_brat")
    paths = [out_path.resolve(), brat_dir.resolve()] + ([Path(bio).resolve()] if bio else [])
    if len(set(paths)) < len(paths):
        raise CorpusError("--out, --brat and --bio must name three different paths")
    check_file_ids(records)
    body = "".join(json.dumps(r, ensure_ascii=False, sort_keys=False) + "\n" for r in records)
    if bio:
        write_bio(records, Path(bio))
    written = write_brat(records, brat_dir)
    _atomic_write(out_path, body)
    return out_path, written, records
