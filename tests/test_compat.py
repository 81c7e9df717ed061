"""The release with the real tools: older DuckDB releases, frictionless on the Parquet package, pyarrow's
metadata, sha256sum, Markdown links, the README's commands, and view column descriptions."""
from __future__ import annotations

import csv
import hashlib
import importlib.util
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import duckdb
import pytest
from conftest import ROOT, read_rows
from hypothesis import given
from hypothesis import strategies as st

from jpkr_data.publication.database_file import MIN_DUCKDB, ViewHeaderError
from jpkr_data.publication.release import build_release
from jpkr_data.publication.target import MARKER
from jpkr_data.views import View, discover_views

PROBE = Path(__file__).with_name("duckdb_probe.py")


def _dev_module():
    spec = importlib.util.spec_from_file_location("jpkr_dev", ROOT / "dev.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


DEV = _dev_module()


@pytest.fixture(scope="module")
def release(tmp_path_factory) -> Path:
    return build_release(tmp_path_factory.mktemp("compat") / "out")


@pytest.fixture(scope="module")
def probe_here(release) -> dict:
    """The release database as this interpreter's DuckDB sees it (the reference for the older ones)."""
    out = subprocess.run([sys.executable, str(PROBE), str(release / "jpkr.duckdb")], capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def _version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", version)[:3])


@pytest.mark.parametrize("version", DEV.OLD_DUCKDB_VERSIONS)
def test_older_duckdb_opens_the_release_and_runs_every_view(version, release, probe_here):
    py = DEV.OLD_DUCKDB / version / "bin" / "python"
    if not py.exists():
        pytest.skip(f"no venv for DuckDB {version} in {DEV.OLD_DUCKDB} (made by `python3 dev.py test` or `python3 dev.py old-duckdb`)")
    r = subprocess.run([str(py), str(PROBE), str(release / "jpkr.duckdb")], capture_output=True, text=True, timeout=300)
    if _version_tuple(version) < _version_tuple(MIN_DUCKDB):
        # the documented minimum is real: this release cannot read the file, and says why
        assert r.returncode != 0 and "block size" in r.stderr, r.stderr[-500:]
        return
    assert r.returncode == 0, r.stderr[-2000:]
    seen = json.loads(r.stdout)
    assert seen["version"] == version
    assert seen["tables"] == probe_here["tables"]
    assert set(seen["views"]) == {v.name for v in discover_views(ROOT)}
    for name, rows in probe_here["views"].items():
        assert seen["views"][name] == rows, f"view {name} differs under DuckDB {version}"
    assert seen["comments"] == probe_here["comments"]


def test_release_database_is_small_and_typed(release, probe_here):
    assert (release / "jpkr.duckdb").stat().st_size < 3_000_000  # 25 tables and 16 views in 0.5.0; about 2 MB
    with duckdb.connect(str(release / "jpkr.duckdb"), read_only=True) as con:
        kind = con.execute("SELECT data_type FROM duckdb_columns() WHERE table_name = 'events' AND column_name = 'plover_contexts'").fetchone()[0]
        assert kind == "VARCHAR[]"
        lists = dict(con.execute("SELECT event_id, plover_contexts FROM events").fetchall())
        assert con.execute("SELECT count(*) FROM duckdb_constraints() WHERE constraint_type = 'FOREIGN KEY'").fetchone()[0] == 0
        assert con.execute("SELECT count(*) FROM duckdb_constraints() WHERE constraint_type = 'PRIMARY KEY'").fetchone()[0] == len(read_rows_names())
    for row in read_rows("events"):
        cell = row["plover_contexts"]
        assert (lists[row["event_id"]] is None) if cell == "" else (";".join(lists[row["event_id"]]) == cell and len(lists[row["event_id"]]) == cell.count(";") + 1)
    assert any(len(v) > 1 for v in lists.values() if v)


def read_rows_names() -> list[str]:
    return [r["name"] for r in json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))["resources"]]


def test_every_view_column_is_described_everywhere(release):
    book = (release / "CODEBOOK.md").read_text(encoding="utf-8")
    with duckdb.connect(str(release / "jpkr.duckdb"), read_only=True) as con:
        for view in discover_views(ROOT):
            returned = [r[0] for r in con.execute(f'DESCRIBE SELECT * FROM "{view.name}"').fetchall()]
            assert list(view.columns) == returned, view.name  # described = returned, in the same order
            comments = dict(con.execute("SELECT column_name, comment FROM duckdb_columns() WHERE table_name = ?", [view.name]).fetchall())
            assert comments == view.columns
            for column, text in view.columns.items():
                assert f"| `{column}` |" in book and text.replace("|", "\\|") in book
    assert sum(len(v.columns) for v in discover_views(ROOT)) > 100


def test_view_header_that_misses_a_column_stops_the_build(package_copy, tmp_path):
    f = package_copy / "sql" / "30_dyads.sql"
    f.write_text(re.sub(r"^--   n_events: .*\n", "", f.read_text(encoding="utf-8"), flags=re.M), encoding="utf-8")
    with pytest.raises(ViewHeaderError, match=r"sql/30_dyads.sql: column 'n_events' is not described"):
        build_release(tmp_path / "out", package_copy)
    assert not (tmp_path / "out").exists()
    f.write_text(f.read_text(encoding="utf-8").replace("-- Columns:\n", "-- Columns:\n--   ghost: a column the view does not return\n"), encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "jpkr_data.cli", "build", "--out", str(tmp_path / "cli"), "--path", str(package_copy)], capture_output=True, text=True)
    assert r.returncode != 0 and "Traceback" not in r.stderr and "'ghost'" in r.stderr + r.stdout


names = st.from_regex(r"[a-z][a-z0-9_]{0,20}", fullmatch=True)
texts = st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=60).map(str.strip).filter(bool)


@given(st.dictionaries(names, texts, min_size=1, max_size=12), st.lists(texts, max_size=3))
def test_header_columns_round_trip(columns, prose):
    header = ["-- A question?", "--"] + [f"-- {p}" for p in prose] + ["-- Columns:"]
    header += [f"--   {k}: {v}" for k, v in columns.items()] + ["-- DuckDB-specific: list()."]
    view = View("v", Path("sql/10_v.sql"), "\n".join(header) + "\nCREATE VIEW v AS SELECT 1 AS a;\n")
    assert view.columns == columns and view.question == "A question?" and view.header_problems() == []


def test_parquet_package_is_valid_for_frictionless_and_says_what_it_cannot_check(release):
    frictionless = pytest.importorskip("frictionless")
    report = frictionless.Package(str(release / "datapackage-parquet.json")).validate()
    assert report.valid, report.flatten(["resourceName", "rowNumber", "fieldName", "type"])[:10]
    d = json.loads((release / "datapackage-parquet.json").read_text(encoding="utf-8"))
    assert all("bytes" not in r and "hash" not in r for r in d["resources"]) and "SHA256SUMS" in d["jpkr:parquet"]
    sums = dict(reversed(line.split("  ", 1)) for line in (release / "SHA256SUMS").read_text(encoding="utf-8").splitlines())
    assert all(r["path"] in sums for r in d["resources"])


def test_parquet_carries_descriptions_and_lists(release, descriptor):
    pq = pytest.importorskip("pyarrow.parquet")
    for res in descriptor["resources"]:
        f = pq.read_schema(release / "data" / f"{res['name']}.parquet")
        meta = {k.decode(): v.decode() for k, v in (f.metadata or {}).items()}
        assert meta["jpkr:description"] == res["description"]
        assert json.loads(meta["jpkr:columns"]) == {x["name"]: x["description"] for x in res["schema"]["fields"]}
    events = pq.read_table(release / "data" / "events.parquet")
    assert str(events.schema.field("plover_contexts").type).startswith("list<")


def test_sha256sum_checks_every_file_and_the_zip(release, tmp_path):
    listed = {line.split("  ", 1)[1] for line in (release / "SHA256SUMS").read_text(encoding="utf-8").splitlines()}
    # the .jpkr-release marker is the build's own record of every file (SHA256SUMS included), written last
    present = {p.relative_to(release).as_posix() for p in release.rglob("*") if p.is_file()} - {"SHA256SUMS", MARKER}
    assert listed == present and any(n.endswith(".zip") for n in listed)
    if shutil.which("sha256sum"):
        r = subprocess.run(["sha256sum", "--check", "--strict", "SHA256SUMS"], cwd=release, capture_output=True, text=True)
        assert r.returncode == 0, r.stdout + r.stderr
    zip_name = next(n for n in listed if n.endswith(".zip"))
    with zipfile.ZipFile(release / zip_name) as z:
        z.extractall(tmp_path)
    inner = tmp_path / zip_name[:-4]
    inside = {line.split("  ", 1)[1]: line.split("  ", 1)[0] for line in (inner / "SHA256SUMS").read_text(encoding="utf-8").splitlines()}
    assert set(inside) == {p.relative_to(inner).as_posix() for p in inner.rglob("*") if p.is_file()} - {"SHA256SUMS"}
    for name, digest in inside.items():
        assert hashlib.sha256((inner / name).read_bytes()).hexdigest() == digest


def github_slug(heading: str, seen: dict[str, int]) -> str:
    """GitHub's heading anchors, written here independently of the codebook: lower case, keep letters, digits,
    '_', '-' and spaces, spaces to '-', and '-1', '-2' ... for repeats."""
    text = re.sub(r"<[^>]+>|[`*]", "", heading).strip().lower()
    slug = "".join(ch for ch in text if ch.isalnum() or ch in "_- ").replace(" ", "-")
    n = seen.get(slug, 0)
    seen[slug] = n + 1
    return slug if n == 0 else f"{slug}-{n}"


def markdown_links(text: str) -> list[str]:
    """Link targets of inline Markdown links, outside code blocks and code spans."""
    text = re.sub(r"```.*?```", "", text, flags=re.S)
    text = re.sub(r"`[^`\n]*`", "", text)
    return re.findall(r"\]\(([^)\s]+)\)", text)


def test_every_internal_link_in_the_release_markdown_resolves(release):
    files = sorted(release.rglob("*.md"))
    assert {f.name for f in files} >= {"CODEBOOK.md", "README.md", "CURATION.md"}
    anchors: dict[Path, set[str]] = {}
    for f in files:
        seen: dict[str, int] = {}
        body = re.sub(r"```.*?```", "", f.read_text(encoding="utf-8"), flags=re.S)
        anchors[f] = {github_slug(h, seen) for h in re.findall(r"^#{1,6} (.+)$", body, flags=re.M)}
    checked = 0
    for f in files:
        for target in markdown_links(f.read_text(encoding="utf-8")):
            if re.match(r"[a-z]+:", target):
                continue  # external (https:, mailto:)
            path, _, frag = target.partition("#")
            dest = (f.parent / path).resolve() if path else f
            assert dest.exists(), f"{f.name}: link to {target} points to a file missing from the release"
            if frag:
                assert dest in anchors and frag in anchors[dest], f"{f.name}: link to {target}: no such heading"
            checked += 1
    assert checked >= 25


def readme_shell_blocks() -> list[str]:
    """The README's ```sh blocks that use the jpkr-data command."""
    blocks = re.findall(r"```sh\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), flags=re.S)
    return [b for b in blocks if re.search(r"^jpkr-data ", b, flags=re.M) and "dev.py" not in b]


@pytest.mark.parametrize("block", readme_shell_blocks(), ids=lambda b: b.split("\n")[0][:40])
def test_readme_shell_examples_run_as_written(block, tmp_path):
    """Each block runs as the README says, in a fresh folder: `source .venv/bin/activate` activates this test's venv;
    blocks without it get the venv's bin folder on PATH (what activating it once per shell does)."""
    bin_dir = Path(sys.executable).parent
    script = re.sub(r"^source \.venv/bin/activate", f"source {shlex.quote(str(bin_dir / 'activate'))}", block, flags=re.M)
    env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}" if script == block else os.environ.get("PATH", ""))
    r = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr[-2000:]
    assert r.stdout.strip()
    for first_line, words in README_OUTPUTS.items():
        if block.startswith(first_line):
            assert all(w in r.stdout for w in words), f"README block {first_line!r}: output lacks {words}"


# What the README says a block prints: the block's first line -> words its output must hold.
README_OUTPUTS = {
    "source .venv/bin/activate": ["events", "claims", "cameo_codes"],  # jpkr-data tables
    'jpkr-data sql "SELECT a_article_id, a_asserted_by, a_value, b_article_id': ["art000", "art004", "South Korea", "Japan", "retaliation", "security concerns"],
    "jpkr-data build --out release": [": OK"],  # sha256sum --check
    'jpkr-data sql "SELECT period_start, source, target': ["JPN", "KOR", "plotted"],  # the series and its chart
}


def test_every_stated_output_belongs_to_a_readme_block():
    assert all(any(b.startswith(k) for b in readme_shell_blocks()) for k in README_OUTPUTS)


def test_readme_says_how_to_reach_the_command():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "source .venv/bin/activate" in text and ".venv/bin/jpkr-data" in text
    assert len(readme_shell_blocks()) >= 2


@pytest.mark.parametrize("separator", ["", ";;", 3, None, "'"])
def test_list_separator_is_checked_and_quoted(separator, package_copy, tmp_path):
    """A hostile or malformed 'jpkr:separator' is refused with a message naming the field, or (a quote) used safely."""
    d = json.loads((package_copy / "datapackage.json").read_text(encoding="utf-8"))
    field = next(f for r in d["resources"] if r["name"] == "events" for f in r["schema"]["fields"] if f["name"] == "plover_contexts")
    field["jpkr:separator"] = separator
    if separator == "'":
        field["constraints"]["pattern"] = "^[a-z_]+('[a-z_]+)*$"
        table = list(csv.DictReader((package_copy / "data" / "events.csv").open(encoding="utf-8", newline="")))
        joined = {r["event_id"]: r["plover_contexts"] for r in table}
        for r in table:
            r["plover_contexts"] = r["plover_contexts"].replace(";", "'")
        with (package_copy / "data" / "events.csv").open("w", encoding="utf-8", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=list(table[0]), lineterminator="\n")
            w.writeheader()
            w.writerows(table)
    (package_copy / "datapackage.json").write_text(json.dumps(d), encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "jpkr_data.cli", "validate", str(package_copy)], capture_output=True, text=True)
    assert "Traceback" not in r.stderr
    if separator == "'":
        assert r.returncode == 0, r.stdout + r.stderr
        out = build_release(tmp_path / "out", package_copy)
        with duckdb.connect(str(out / "jpkr.duckdb"), read_only=True) as con:
            lists = dict(con.execute("SELECT event_id, plover_contexts FROM events").fetchall())
        assert {k: (";".join(v) if v else "") for k, v in lists.items()} == joined and any(";" in v for v in joined.values())
    else:
        assert r.returncode != 0 and "plover_contexts" in r.stdout + r.stderr and "jpkr:separator" in r.stdout + r.stderr
