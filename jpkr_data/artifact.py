"""A built database file and its manifest: what it was built from, and a checksum that detects tampering.

Every `.duckdb` file jpkr-data builds (the cache entry, the release file, the copy shipped in
the wheel) has a sidecar `<file>.manifest.json`; a file is trusted only when its manifest
exists, names the expected content key (when one is expected) and its SHA-256 and size match,
and nothing lies beside it that DuckDB would read with it: a `<file>.wal` (replayed by every ATTACH,
READ_ONLY included, so it would change the answers of a file whose bytes still match) or a
`<file>.tmp` makes the file untrusted.
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

FORMAT = 1
SIDECAR_SUFFIXES = (".wal", ".tmp")  # files DuckDB keeps beside a database: its write-ahead log, its spill folder


@dataclass(frozen=True)
class Manifest:
    """What a database file holds and how to recognise it unchanged."""
    content_key: str
    sha256: str
    bytes: int
    duckdb: str
    format: int = FORMAT


def manifest_path(db: Path) -> Path:
    """The sidecar manifest of a database file."""
    return db.with_name(db.name + ".manifest.json")


def sidecars(db: Path) -> list[Path]:
    """Files beside `db` that DuckDB would read with it (or that a crashed writer left): any of them makes `db` untrusted."""
    return [p for p in (db.with_name(db.name + s) for s in SIDECAR_SUFFIXES) if os.path.lexists(p)]


def file_sha256(path: Path) -> str:
    """SHA-256 of a file, read in blocks."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def write_manifest(db: Path, content_key: str, duckdb_version: str) -> Manifest:
    """Write the manifest of `db` atomically (temp file, fsync, rename)."""
    m = Manifest(content_key, file_sha256(db), db.stat().st_size, duckdb_version)
    target = manifest_path(db)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        json.dump(asdict(m), fh, sort_keys=True)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, target)
    return m


def read_manifest(db: Path) -> Manifest | None:
    """The manifest of `db`, or None when it is missing or malformed."""
    try:
        raw = json.loads(manifest_path(db).read_text(encoding="utf-8"))
        m = Manifest(**raw)
    except (OSError, ValueError, TypeError):
        return None
    if m.format != FORMAT or not isinstance(m.sha256, str) or not isinstance(m.bytes, int):
        return None
    return m


def verify(db: Path, content_key: str | None = None) -> bool:
    """True when `db` matches its manifest (and the manifest names `content_key`, if given) and has no sidecar."""
    m = read_manifest(db)
    if m is None or (content_key is not None and m.content_key != content_key) or sidecars(db):
        return False
    try:
        if db.stat().st_size != m.bytes:
            return False
        return file_sha256(db) == m.sha256
    except OSError:
        return False
