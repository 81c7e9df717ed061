"""Compare two versions of the package by primary key: rows added, removed and changed, per table.

Either side is a release folder or zip, a package folder or a datapackage.json. Only the descriptor and the
CSV files it names are read, each checked to lie inside its package; cells are compared as the
Table Schema types them (so `1` and `01` in an integer column are the same value).
"""
from __future__ import annotations

import csv
import io
import json
import os
import re
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from ..validator.staging import _field_limit

SNAPSHOTS = "releases"  # <package root>/releases/<version>/datapackage.json + data/*.csv
RETIRED = "retired_ids.csv"  # <package root>/releases/retired_ids.csv: table, id, removed_in, reason


class DiffError(Exception):
    """A clear reason why a side cannot be compared (missing, malformed, unsafe path, duplicate key)."""


@dataclass
class TableData:
    """One table of one side: its field names and types, primary key and rows by key."""
    name: str
    fields: list[str]
    types: dict[str, dict[str, Any]]
    primary_key: list[str]
    rows: dict[tuple, dict[str, Any]] = field(default_factory=dict)


@dataclass
class Side:
    """One version: where it is, its name and version, its tables."""
    path: Path
    name: str
    version: str
    tables: dict[str, TableData]


# Bounds on what one side may make diff read (a hostile zip or folder must not exhaust memory): each CSV or
# descriptor at most MAX_MEMBER bytes, all of a side's files together at most MAX_TOTAL, a zip member inflating at
# most MAX_RATIO times its compressed size (above RATIO_FLOOR bytes), one CSV field at most MAX_FIELD characters,
# all tables together at most MAX_ROWS rows (each row is held for the comparison, a few hundred bytes apiece).
# Files are streamed: nothing is held twice (bytes, text and a copy) as a whole.
MAX_MEMBER = 256 << 20
MAX_TOTAL = 1 << 30
MAX_RATIO = 200
RATIO_FLOOR = 1 << 20
MAX_FIELD = 64 << 20
MAX_ROWS = 500_000  # per side; two sides of this size take about 0.5 GB (2 cores, 24 GiB machine, measured)
URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


class _Budget:
    """The bytes a side may still read in total (MAX_TOTAL)."""

    def __init__(self) -> None:
        self.left = MAX_TOTAL
        self.rows = MAX_ROWS

    def row(self, where: str) -> None:
        self.rows -= 1
        if self.rows < 0:
            raise DiffError(f"{where}: the tables of this side hold more than the {MAX_ROWS} rows diff compares")

    def take(self, n: int, where: str) -> None:
        self.left -= n
        if self.left < 0:
            raise DiffError(f"{where}: the files of this side add up to more than the {MAX_TOTAL} bytes allowed")


def _too_big(where: str, size: int) -> DiffError:
    return DiffError(f"{where}: {size} bytes, more than the {MAX_MEMBER} bytes allowed for one file")


class FolderSide:
    """Files of a package or release folder, each checked to lie inside it."""

    def __init__(self, descriptor: Path):
        self.descriptor, self.root = descriptor, descriptor.parent
        self.budget = _Budget()

    def label(self, rel: str) -> str:
        """Where a member is, for messages."""
        return str(self.root / rel)

    def open(self, rel: Any, what: str) -> BinaryIO:
        """A member opened for reading, after the path checks and the size caps (a regular file; no device, no FIFO)."""
        path = safe_member(self.root, rel, what)
        try:
            fh = path.open("rb")
        except OSError as exc:
            raise DiffError(f"{path}: cannot be read: {exc.strerror or exc}") from None
        size = os.fstat(fh.fileno()).st_size
        if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode) or size > MAX_MEMBER:
            fh.close()
            raise _too_big(str(path), size) if size > MAX_MEMBER else DiffError(f"{path}: not a regular file")
        self.budget.take(size, str(path))
        return fh

    def read(self, rel: Any, what: str) -> bytes:
        """The bytes of a member, after the path checks and size caps."""
        with self.open(rel, what) as fh:
            return fh.read(MAX_MEMBER + 1)


class ZipSide:
    """Members of a release zip (datapackage.json at its top or in its one top folder), streamed, never extracted."""

    def __init__(self, path: Path):
        self.path = path
        self.budget = _Budget()
        try:
            self.zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise DiffError(f"{path}: not a readable zip file: {exc}") from None
        names = self.zip.namelist()
        twice = sorted({n for n in names if names.count(n) > 1}) if len(set(names)) != len(names) else []
        if twice:
            raise DiffError(f"{path}: the zip holds two members named {twice[0]!r}; which one is meant is ambiguous")
        tops = [""] if "datapackage.json" in names else sorted(n[: -len("datapackage.json")] for n in names
                                                                if n.endswith("/datapackage.json") and n.count("/") == 1)
        if not tops:
            raise DiffError(f"{path}: no datapackage.json at the top of the zip or in its top folder")
        self.prefix = tops[0]
        self.descriptor = Path(f"{path}!{self.prefix}datapackage.json")

    def label(self, rel: str) -> str:
        """Where a member is, for messages."""
        return f"{self.path}!{self.prefix}{rel}"

    def open(self, rel: Any, what: str) -> BinaryIO:
        """A member opened for streaming: relative, no '..', present, within MAX_MEMBER, MAX_RATIO and the side's MAX_TOTAL."""
        if not isinstance(rel, str) or not rel or "\\" in rel or "\x00" in rel or rel.startswith("/") or ".." in rel.split("/") or URL.match(rel):
            raise DiffError(f"{what}: path {rel!r} points outside the package")
        try:
            info = self.zip.getinfo(self.prefix + rel)
        except KeyError:
            raise DiffError(f"{what}: {rel} is missing") from None
        where = self.label(rel)
        if info.file_size > MAX_MEMBER:
            raise _too_big(where, info.file_size)
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise DiffError(f"{where}: inflates {info.file_size // max(info.compress_size, 1)} times ({info.compress_size} -> "
                            f"{info.file_size} bytes), more than the {MAX_RATIO} times diff accepts (a zip bomb?)")
        self.budget.take(info.file_size, where)
        try:
            return self.zip.open(info)  # zipfile stops at the declared size and checks the CRC at the end
        except (zipfile.BadZipFile, OSError, RuntimeError, EOFError, NotImplementedError) as exc:
            raise DiffError(f"{where}: cannot be read from the zip: {exc}") from None

    def read(self, rel: Any, what: str) -> bytes:
        """The bytes of a member (the descriptor), within the caps."""
        try:
            with self.open(rel, what) as fh:
                return fh.read(MAX_MEMBER + 1)
        except (zipfile.BadZipFile, OSError, RuntimeError, EOFError) as exc:
            raise DiffError(f"{self.label(rel)}: cannot be read from the zip: {exc}") from None


def open_side(path: str | os.PathLike[str]) -> FolderSide | ZipSide:
    """A release folder or zip, a package folder or a datapackage.json."""
    p = Path(path)
    if p.is_file() and p.suffix.lower() == ".zip":
        return ZipSide(p)
    if p.is_dir():
        p = p / "datapackage.json"
    if not p.is_file():
        raise DiffError(f"{p}: no such datapackage.json (give a release folder or zip, a package folder or a datapackage.json)")
    return FolderSide(p)


def safe_member(root: Path, rel: Any, what: str) -> Path:
    """The file `rel` inside `root`: relative, no '..', still inside after following links, a regular file."""
    if not isinstance(rel, str) or not rel or "\\" in rel or "\x00" in rel:
        raise DiffError(f"{what}: path {rel!r} is not a relative file path")
    pure = Path(rel)
    if pure.is_absolute() or ".." in pure.parts or URL.match(rel):
        raise DiffError(f"{what}: path {rel!r} points outside the package")
    target = (root / pure).resolve()
    if not target.is_relative_to(root.resolve()):
        raise DiffError(f"{what}: path {rel!r} resolves outside the package (a link?)")
    if not target.is_file():
        raise DiffError(f"{what}: {rel} is missing")
    return target


def normalize(value: str, spec: dict[str, Any]) -> Any:
    """A CSV cell as its Table Schema type gives it (empty = missing); a cell that does not parse stays text."""
    if value == "":
        return None
    kind = spec.get("type", "string")
    try:
        if kind == "integer":
            return int(value)
        if kind == "number":
            return float(value)
        if kind == "boolean":
            return {"true": True, "false": False}.get(value.lower(), value)
        if kind == "array":
            return json.loads(value)
        if kind == "list":
            sep = spec.get("delimiter", ",")
            return value.split(sep) if isinstance(sep, str) and sep else value
    except (ValueError, RecursionError):  # not a value of its type, or nested too deeply to read: compared as text
        return value
    return value


def _read_table(side: FolderSide | ZipSide, res: Any, index: int) -> TableData | None:
    """One CSV resource as rows keyed by its primary key; None for a resource that is not a CSV table."""
    if not isinstance(res, dict):
        raise DiffError(f"{side.descriptor}: resource #{index + 1} is not an object")
    name, rel, schema = res.get("name"), res.get("path"), res.get("schema")
    if not isinstance(rel, str) or not rel.endswith(".csv") or not isinstance(schema, dict):
        return None
    what = f"{side.descriptor}: resource {name!r}"
    if not isinstance(name, str) or not isinstance(schema.get("fields"), list):
        raise DiffError(f"{what}: needs a name and schema.fields")
    specs = {f["name"]: f for f in schema["fields"] if isinstance(f, dict) and isinstance(f.get("name"), str)}
    pk = schema.get("primaryKey") or []
    pk = [pk] if isinstance(pk, str) else [k for k in pk if isinstance(k, str)]
    where = side.label(rel)
    try:
        with side.open(rel, what) as fh, _field_limit(MAX_FIELD):
            text = io.TextIOWrapper(fh, encoding="utf-8", newline="")
            reader = csv.reader(text)
            header = next(reader, None)
            if header is None:
                raise DiffError(f"{where}: empty file (no header)")
            missing = [k for k in pk if k not in header]
            if missing:
                raise DiffError(f"{where}: primary key column(s) {', '.join(missing)} not in the header")
            table = TableData(name, header, {h: specs.get(h, {}) for h in header}, pk)
            key_cols = pk or header
            for rowno, cells in enumerate(reader, start=2):
                side.budget.row(where)
                if len(cells) != len(header):
                    raise DiffError(f"{where}: row {rowno} has {len(cells)} cells, the header has {len(header)}")
                row = {h: normalize(c, table.types[h]) for h, c in zip(header, cells)}
                key = tuple(json.dumps(row[k], sort_keys=True, default=str) for k in key_cols)
                if key in table.rows:
                    raise DiffError(f"{where}: row {rowno}: primary key {', '.join(f'{k}={row[k]!r}' for k in key_cols)} appears twice")
                table.rows[key] = row
    except UnicodeDecodeError as exc:
        raise DiffError(f"{where}: not UTF-8 ({exc.reason})") from None
    except csv.Error as exc:
        raise DiffError(f"{where}: not valid CSV: {exc}") from None
    except (zipfile.BadZipFile, EOFError, RuntimeError) as exc:
        raise DiffError(f"{where}: cannot be read from the zip: {exc}") from None
    return table


def load_side(path: str | os.PathLike[str]) -> Side:
    """Read a version's descriptor and every CSV table it names."""
    side = open_side(path)
    try:
        raw = side.read("datapackage.json", str(path))
        d = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DiffError(f"{side.descriptor}: not valid UTF-8 JSON: {exc}") from None
    except RecursionError:
        raise DiffError(f"{side.descriptor}: nested too deeply to be read") from None
    except OSError as exc:
        raise DiffError(f"{side.descriptor}: cannot be read: {exc.strerror or exc}") from None
    if not isinstance(d, dict) or not isinstance(d.get("resources"), list):
        raise DiffError(f"{side.descriptor}: not a data package (no resources list)")
    tables: dict[str, TableData] = {}
    for i, res in enumerate(d["resources"]):
        t = _read_table(side, res, i)
        if t is not None:
            if t.name in tables:
                raise DiffError(f"{side.descriptor}: two resources are named {t.name!r}")
            tables[t.name] = t
    return Side(side.descriptor, str(d.get("name", "")), str(d.get("version", "")), tables)


def _key_out(t: TableData, row: dict[str, Any]) -> Any:
    """A row's key for reports: the value for a one-column key, else {column: value}."""
    cols = t.primary_key or t.fields
    return row[cols[0]] if len(cols) == 1 else {c: row[c] for c in cols}


def diff_tables(old: TableData | None, new: TableData | None) -> dict[str, Any]:
    """Rows added, removed and changed (with the changed fields) between two versions of one table."""
    ref = new or old
    assert ref is not None
    out: dict[str, Any] = {"table": ref.name, "primary_key": ref.primary_key, "rows_old": len(old.rows) if old else 0,
                           "rows_new": len(new.rows) if new else 0, "added": [], "removed": [], "changed": [],
                           "fields_added": [], "fields_removed": [], "status": "same"}
    if old is None or new is None:
        out["status"] = "table added" if old is None else "table removed"
        side = new or old
        out["added" if old is None else "removed"] = [_key_out(side, r) for r in side.rows.values()]
        return out
    out["fields_added"] = [f for f in new.fields if f not in old.fields]
    out["fields_removed"] = [f for f in old.fields if f not in new.fields]
    if old.primary_key != new.primary_key or (not new.primary_key and old.fields != new.fields):
        out["status"] = "key changed"
        out["note"] = f"primary key {old.primary_key} -> {new.primary_key}: rows compared as wholes"
        old_rows = {json.dumps(r, sort_keys=True, default=str): r for r in old.rows.values()}
        new_rows = {json.dumps(r, sort_keys=True, default=str): r for r in new.rows.values()}
        out["added"] = [_key_out(new, r) for k, r in new_rows.items() if k not in old_rows]
        out["removed"] = [_key_out(old, r) for k, r in old_rows.items() if k not in new_rows]
        return out
    common = [f for f in new.fields if f in old.fields]
    for key in sorted(new.rows.keys() - old.rows.keys()):
        out["added"].append(_key_out(new, new.rows[key]))
    for key in sorted(old.rows.keys() - new.rows.keys()):
        out["removed"].append(_key_out(old, old.rows[key]))
    for key in sorted(new.rows.keys() & old.rows.keys()):
        a, b = old.rows[key], new.rows[key]
        changed = {f: {"old": a[f], "new": b[f]} for f in common if a[f] != b[f]}
        if changed:
            out["changed"].append({"key": _key_out(new, b), "fields": changed})
    if out["added"] or out["removed"] or out["changed"] or out["fields_added"] or out["fields_removed"]:
        out["status"] = "changed"
    return out


def diff_sides(old: Side, new: Side) -> dict[str, Any]:
    """The comparison of two loaded versions, table by table (new order first, then tables only in old)."""
    names = list(new.tables) + [n for n in old.tables if n not in new.tables]
    tables = [diff_tables(old.tables.get(n), new.tables.get(n)) for n in names]
    summary = {k: sum(len(t[k]) for t in tables) for k in ("added", "removed", "changed")}
    return {"old": {"path": str(old.path), "name": old.name, "version": old.version},
            "new": {"path": str(new.path), "name": new.name, "version": new.version}, "summary": summary, "tables": tables}


def diff_packages(old: str | os.PathLike[str], new: str | os.PathLike[str]) -> dict[str, Any]:
    """Compare two releases or packages by primary key; DiffError names the file and row of any problem."""
    return diff_sides(load_side(old), load_side(new))


def _show(value: Any) -> str:
    """A value for text output, with control characters escaped (a hostile package cannot drive the terminal)."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def render_text(result: dict[str, Any]) -> str:
    """The comparison as plain text: a summary line per table, then each added, removed and changed row."""
    o, n = result["old"], result["new"]
    lines = [f"{_show(o['name'])} {_show(o['version'])} ({_show(o['path'])}) -> {_show(n['name'])} {_show(n['version'])} ({_show(n['path'])})"]
    s = result["summary"]
    lines.append(f"rows: {s['added']} added, {s['removed']} removed, {s['changed']} changed")
    for t in result["tables"]:
        lines.append(f"{_show(t['table'])}: {t['status']}; {t['rows_old']} -> {t['rows_new']} rows; "
                     f"+{len(t['added'])} -{len(t['removed'])} ~{len(t['changed'])}")
        if t["fields_added"] or t["fields_removed"]:
            lines.append(f"  fields added: {_show(t['fields_added'])}; removed: {_show(t['fields_removed'])}")
        if t.get("note"):
            lines.append(f"  {_show(t['note'])}")
        lines += [f"  + {_show(k)}" for k in t["added"]]
        lines += [f"  - {_show(k)}" for k in t["removed"]]
        for c in t["changed"]:
            fields = "; ".join(f"{_show(f)}: {_show(v['old'])} -> {_show(v['new'])}" for f, v in c["fields"].items())
            lines.append(f"  ~ {_show(c['key'])}: {fields}")
    return "\n".join(lines) + "\n"


def _md(value: Any) -> str:
    """A value inside Markdown inline code."""
    return _show(value).replace("`", "'").replace("|", "\\|")


def render_changelog(result: dict[str, Any], previous: str) -> str:
    """The release CHANGELOG section "Data changes since <previous>" (generated): counts per table, then every id."""
    s = result["summary"]
    out = [f"## Data changes since {previous} (generated)", "",
           f"Compared by primary key with the snapshot of release {previous} (`releases/{previous}/`): "
           f"{s['added']} rows added, {s['removed']} removed, {s['changed']} changed. Ids are stable across versions; "
           "a removed id is listed here and never reused.", "",
           "| table | rows before | rows now | added | removed | changed |", "|---|---:|---:|---:|---:|---:|"]
    out += [f"| {_md(t['table'])} | {t['rows_old']} | {t['rows_new']} | {len(t['added'])} | {len(t['removed'])} | {len(t['changed'])} |"
            for t in result["tables"]]
    for t in result["tables"]:
        if t["status"] == "same":
            continue
        out += ["", f"### {_md(t['table'])}", ""]
        if t["fields_added"] or t["fields_removed"]:
            out.append(f"- fields added: {', '.join(f'`{_md(f)}`' for f in t['fields_added']) or 'none'}; "
                       f"removed: {', '.join(f'`{_md(f)}`' for f in t['fields_removed']) or 'none'}")
        out += [f"- added `{_md(k)}`" for k in t["added"]]
        out += [f"- removed `{_md(k)}`" for k in t["removed"]]
        out += [f"- changed `{_md(c['key'])}`: {', '.join(f'`{_md(f)}`' for f in c['fields'])}" for c in t["changed"]]
    if all(t["status"] == "same" for t in result["tables"]):
        out += ["", "No table changed."]
    return "\n".join(out) + "\n"


def _version_tuple(v: str) -> tuple:
    """'0.10.1' -> (0, 10, 1); non-numeric parts sort first."""
    return tuple(int(p) if p.isdigit() else -1 for p in re.split(r"[.\-+]", v))


def previous_snapshot(root: Path, version: str) -> Path | None:
    """The newest snapshot under <root>/releases/ whose version is not newer than `version` (None if there is none)."""
    folder = root / SNAPSHOTS
    if not folder.is_dir() or folder.is_symlink():
        return None
    found = [p for p in folder.iterdir() if p.is_dir() and not p.is_symlink() and re.fullmatch(r"\d+(\.\d+)*", p.name)
             and (p / "datapackage.json").is_file() and _version_tuple(p.name) <= _version_tuple(version)]
    return max(found, key=lambda p: _version_tuple(p.name)) if found else None


def merge_changelog(changelog: str, section: str) -> str:
    """Insert the generated section after the changelog's title (before the first release heading)."""
    m = re.search(r"^## ", changelog, re.M)
    if m is None:
        return changelog.rstrip("\n") + "\n\n" + section
    return changelog[: m.start()] + section + "\n" + changelog[m.start():]


def single_ids(side: Side) -> dict[str, set[str]]:
    """table -> its ids, for tables keyed by one column."""
    return {n: {str(r[t.primary_key[0]]) for r in t.rows.values()} for n, t in side.tables.items() if len(t.primary_key) == 1}


def read_retired(root: Path) -> set[tuple[str, str]]:
    """(table, id) pairs listed as retired in releases/retired_ids.csv."""
    path = root / SNAPSHOTS / RETIRED
    if not path.is_file():
        return set()
    with path.open(encoding="utf-8", newline="") as fh:
        return {(r["table"], r["id"]) for r in csv.DictReader(fh)}


def identifier_policy_problems(root: Path, current: str | os.PathLike[str] | None = None) -> list[str]:
    """Breaches of the id policy: an id of a snapshot gone without being listed as retired, or a retired id in use again."""
    now = single_ids(load_side(current or root))
    retired = read_retired(root)
    problems = []
    folder = root / SNAPSHOTS
    for snap in sorted(p for p in folder.iterdir() if (p / "datapackage.json").is_file()) if folder.is_dir() else []:
        for table, ids in single_ids(load_side(snap)).items():
            for gone in sorted(ids - now.get(table, set())):
                if (table, gone) not in retired:
                    problems.append(f"{table} id {gone!r} of release {snap.name} is gone but not listed in {SNAPSHOTS}/{RETIRED}")
    for table, rid in sorted(retired):
        if rid in now.get(table, set()):
            problems.append(f"{table} id {rid!r} is retired ({SNAPSHOTS}/{RETIRED}) but used again")
    return problems


def write_changes(root: Path, version: str, out: Path) -> Path | None:
    """Diff the release in `out` against the previous snapshot: a CHANGELOG section and changes-since-<v>.json."""
    snap = previous_snapshot(root, version)
    if snap is None:
        return None
    result = diff_packages(snap, out)
    result["old"]["path"], result["new"]["path"] = f"{SNAPSHOTS}/{snap.name}/datapackage.json", "datapackage.json"
    target = out / f"changes-since-{snap.name}.json"
    target.write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str) + "\n", encoding="utf-8", newline="\n")
    changelog = out / "CHANGELOG.md"
    text = changelog.read_text(encoding="utf-8") if changelog.is_file() else "# Changelog\n\n"
    changelog.write_text(merge_changelog(text, render_changelog(result, snap.name)), encoding="utf-8", newline="\n")
    return target
