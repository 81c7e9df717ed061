"""Attack class 5: work is bounded.

diff streams zips and folders under caps (member size, a side's total, inflation ratio, field size) and
refuses a bomb with one line, well within 1 GB; corpus --sources reads only regular files of an article's
size; a view that runs too long is stopped and named by validate, build and connect()."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT

import jpkr_data
from jpkr_data.cli import main
from jpkr_data.publication import diff
from jpkr_data.validator import validate

DESC = {"name": "x", "resources": [{"name": "t", "path": "t.csv", "schema": {"fields": [{"name": "k"}, {"name": "v"}], "primaryKey": ["k"]}}]}


def run(capsys, *args: str) -> tuple[int, str, str]:
    rc = main(list(args))
    out, err = capsys.readouterr()
    return rc, out, err


def _one_line_error(capsys, *args: str) -> str:
    rc, _, err = run(capsys, *args)
    assert rc == 1 and len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    return err


def test_report_repro_zip_declaring_a_1_gib_member_is_refused_before_reading(tmp_path, capsys):
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("datapackage.json", json.dumps(DESC))
        z.writestr("t.csv", b"k,v\n1,x\n")
        z.filelist[-1].file_size = 1 << 30  # the central directory now declares 1 GiB, as the report's bomb does
    assert "allowed" in _one_line_error(capsys, "diff", str(bomb), str(ROOT / "releases" / "0.2.0"))


def test_real_deflate_bomb_is_refused_by_its_ratio_within_1_gb(tmp_path):
    bomb = tmp_path / "zeros.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("datapackage.json", json.dumps(DESC))
        with z.open("t.csv", "w") as fh:
            fh.write(b"k,v\n1,")
            block = b"0" * (1 << 20)
            for _ in range(200):
                fh.write(block)
    assert bomb.stat().st_size < 2 << 20
    code = ("import resource, sys; from jpkr_data.cli import main; rc = main(['diff', sys.argv[1], sys.argv[1]]); "
            "print(rc, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
    r = subprocess.run([sys.executable, "-c", code, str(bomb)], capture_output=True, text=True, timeout=120,
                       env={**os.environ, "PYTHONPATH": str(ROOT)})
    rc, rss_kb = r.stdout.split()
    assert rc == "1" and "times" in r.stderr and int(rss_kb) < 1_000_000, (r.stderr, rss_kb)


def test_many_members_each_allowed_but_too_much_together(tmp_path, capsys, monkeypatch):
    desc = {"name": "x", "resources": [{"name": f"t{i}", "path": f"t{i}.csv", "schema": {"fields": [{"name": "k"}], "primaryKey": ["k"]}}
                                       for i in range(5)]}
    z_path = tmp_path / "wide.zip"
    with zipfile.ZipFile(z_path, "w") as z:
        z.writestr("datapackage.json", json.dumps(desc))
        for i in range(5):
            z.writestr(f"t{i}.csv", "k\n" + "".join(f"{n}\n" for n in range(2000)))
    monkeypatch.setattr(diff, "MAX_TOTAL", 20_000)
    assert "add up to" in _one_line_error(capsys, "diff", str(z_path), str(z_path))


def test_two_members_with_one_name_are_refused(tmp_path, capsys):
    z_path = tmp_path / "twice.zip"
    with zipfile.ZipFile(z_path, "w") as z, pytest.warns(UserWarning):
        z.writestr("datapackage.json", json.dumps(DESC))
        z.writestr("t.csv", "k,v\n1,a\n")
        z.writestr("t.csv", "k,v\n1,EVIL\n")
    assert "two members" in _one_line_error(capsys, "diff", str(z_path), str(z_path))


def test_sparse_huge_csv_in_a_folder_is_refused_without_reading(tmp_path, capsys):
    (tmp_path / "datapackage.json").write_text(json.dumps(DESC), encoding="utf-8")
    with (tmp_path / "t.csv").open("wb") as fh:
        fh.truncate(3 << 30)
    start = time.monotonic()
    assert "allowed" in _one_line_error(capsys, "diff", str(tmp_path), str(tmp_path))
    assert time.monotonic() - start < 10


def test_fifo_as_a_csv_is_refused_without_blocking(tmp_path, capsys):
    (tmp_path / "datapackage.json").write_text(json.dumps(DESC), encoding="utf-8")
    os.mkfifo(tmp_path / "t.csv")
    _one_line_error(capsys, "diff", str(tmp_path), str(tmp_path))


def test_field_over_the_cap_is_one_line(tmp_path, capsys, monkeypatch):
    (tmp_path / "datapackage.json").write_text(json.dumps(DESC), encoding="utf-8")
    (tmp_path / "t.csv").write_text("k,v\n1," + "y" * 200_000 + "\n", encoding="utf-8")
    monkeypatch.setattr(diff, "MAX_FIELD", 150_000)
    assert "field" in _one_line_error(capsys, "diff", str(tmp_path), str(tmp_path))


# -- corpus --sources ----------------------------------------------------------------------------------------

@pytest.fixture()
def sources(tmp_path) -> Path:
    folder = tmp_path / "src"
    shutil.copytree(ROOT / "data" / "sources", folder)
    (folder / "d").mkdir()
    return folder


def _corpus_in_time(capsys, sources: Path, out: Path) -> int:
    start = time.monotonic()
    rc, _, err = run(capsys, "corpus", "--sources", str(sources), "--out", str(out))
    assert time.monotonic() - start < 30 and "Traceback" not in err, err
    return rc


def test_report_repro_sparse_50_gb_file_named_like_an_article(sources, tmp_path, capsys):
    name = sorted(p.name for p in sources.glob("*.txt"))[0]
    with (sources / "d" / name).open("wb") as fh:
        fh.truncate(50 << 30)
    assert _corpus_in_time(capsys, sources, tmp_path / "c.jsonl") == 0


def test_report_repro_link_to_proc_pagemap_named_like_an_article(sources, tmp_path, capsys):
    name = sorted(p.name for p in sources.glob("*.txt"))[0]
    (sources / "d" / name).symlink_to("/proc/self/pagemap")
    assert _corpus_in_time(capsys, sources, tmp_path / "c.jsonl") == 0


def test_fifo_and_dev_zero_named_like_articles_are_skipped(sources, tmp_path, capsys):
    names = sorted(p.name for p in sources.glob("*.txt"))
    os.mkfifo(sources / "d" / names[0])
    (sources / "d" / names[1]).symlink_to("/dev/zero")
    (sources / "d" / "urandom").symlink_to("/dev/urandom")
    assert _corpus_in_time(capsys, sources, tmp_path / "c.jsonl") == 0


def test_link_to_proc_file_with_an_articles_size_is_never_read(sources, tmp_path, capsys, monkeypatch):
    import jpkr_data.publication.corpus as corpus

    (sources / "d" / "environ").symlink_to("/proc/self/environ")
    opened: list[str] = []
    real = corpus._read_capped
    monkeypatch.setattr(corpus, "_read_capped", lambda p, n: opened.append(str(p)) or real(p, n))
    assert _corpus_in_time(capsys, sources, tmp_path / "c.jsonl") == 0
    assert not any("environ" in p for p in opened)


def test_symlink_to_a_secret_named_like_an_article_does_not_print_its_checksum(sources, tmp_path, capsys):
    secret = tmp_path / "shadow"
    secret.write_text("root:$6$secret\n", encoding="utf-8")
    victim = sorted(sources.glob("*.txt"))[0]
    victim.unlink()
    victim.symlink_to(secret)
    rc, _, err = run(capsys, "corpus", "--sources", str(sources), "--out", str(tmp_path / "c.jsonl"))
    import hashlib

    assert rc == 1 and hashlib.sha256(secret.read_bytes()).hexdigest() not in err


# -- views: a time limit for validate, build and connect() ------------------------------------------------------

SLOW_VIEWS = {
    "95_slow.sql": "CREATE VIEW slow AS SELECT a.range AS x FROM range(1000000) a, range(1000000) b WHERE a.range * 7 + b.range * 3 = -1",
    "96_forever.sql": "CREATE VIEW forever AS WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT max(n) AS x FROM r",
}


@pytest.fixture()
def slow_package(package_copy, monkeypatch):
    monkeypatch.setenv("JPKR_DATA_VIEW_SECONDS", "1")

    def make(name: str) -> Path:
        (package_copy / "sql" / name).write_text(f"-- How slow?\n--\n-- A hostile view.\n-- Columns:\n--   x: a number\n{SLOW_VIEWS[name]}\n",
                                                 encoding="utf-8")
        return package_copy
    return make


@pytest.mark.parametrize("name", sorted(SLOW_VIEWS))
def test_validate_names_a_slow_view_first(slow_package, name):
    pkg = slow_package(name)
    start = time.monotonic()
    report = validate(pkg)
    assert not report.valid and f"sql/{name}" in report.to_text() and "allowed" in report.to_text()
    assert time.monotonic() - start < 30


def test_report_repro_connect_on_a_slow_view_ends_with_an_error(slow_package):
    pkg = slow_package("95_slow.sql")
    outcome: list[BaseException | None] = []

    def go() -> None:
        try:
            jpkr_data.connect(pkg).close()
            outcome.append(None)
        except BaseException as exc:  # noqa: BLE001 - inspected below
            outcome.append(exc)

    t = threading.Thread(target=go, daemon=True)
    t.start()
    t.join(60)
    assert outcome and outcome[0] is not None and "95_slow.sql" in str(outcome[0])


def test_build_refuses_a_slow_view_without_hanging(slow_package, tmp_path, capsys):
    pkg = slow_package("96_forever.sql")
    start = time.monotonic()
    rc, _, err = run(capsys, "build", "--path", str(pkg), "--out", str(tmp_path / "rel"))
    assert rc == 1 and time.monotonic() - start < 60 and not (tmp_path / "rel").exists()


def test_the_limit_does_not_touch_the_package_views(monkeypatch):
    monkeypatch.setenv("JPKR_DATA_VIEW_SECONDS", "5")
    assert validate().valid


def test_many_tiny_rows_are_capped_not_held(tmp_path, capsys, monkeypatch):
    (tmp_path / "datapackage.json").write_text(json.dumps(DESC), encoding="utf-8")
    (tmp_path / "t.csv").write_text("k,v\n" + "".join(f"{n},\n" for n in range(5000)), encoding="utf-8")
    monkeypatch.setattr(diff, "MAX_ROWS", 1000)
    assert "rows" in _one_line_error(capsys, "diff", str(tmp_path), str(tmp_path))


# -- validate and content_key: sizes checked before reading (H4) ----------------------------------------------

@pytest.fixture()
def copy_pkg(tmp_path) -> Path:
    d = tmp_path / "pkg"
    d.mkdir()
    shutil.copy2(ROOT / "datapackage.json", d / "datapackage.json")
    for folder in ("data", "sql"):
        shutil.copytree(ROOT / folder, d / folder)
    return d


def _sparse(path: Path, size: int) -> None:
    with path.open("wb") as fh:
        fh.truncate(size)


LIMITED = ("import resource, sys; resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30)); sys.path.insert(0, {root!r}); "
           "from pathlib import Path; from jpkr_data.schema import load_package; from jpkr_data.database import content_key; from jpkr_data.validator import validate; ")


def _limited(code: str) -> str:
    """Run `code` in a process that cannot hold more than 3 GiB (reading a 6 GiB file whole fails there)."""
    r = subprocess.run([sys.executable, "-c", LIMITED.format(root=str(ROOT)) + code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and "MemoryError" not in r.stderr, r.stderr[-2000:]
    return r.stdout


def test_sparse_6_gib_article_source_is_named_by_validate_without_reading(copy_pkg):
    name = sorted(p.name for p in (copy_pkg / "data" / "sources").glob("*.txt"))[-1]
    _sparse(copy_pkg / "data" / "sources" / name, 6 << 30)
    out = _limited(f"print(validate({str(copy_pkg)!r}).to_text())")
    line = next(x for x in out.splitlines() if f"data/sources/{name}" in x)
    assert "6442450944 bytes" in line and "not read" in line


def test_extra_sparse_file_in_sources_is_keyed_without_reading(copy_pkg):
    extra = copy_pkg / "data" / "sources" / "zz_notes.bin"
    _sparse(extra, 6 << 30)
    code = f"print(content_key(load_package(Path({str(copy_pkg / 'datapackage.json')!r}))))"
    first = _limited(code)
    _sparse(extra, 7 << 30)
    assert _limited(code) != first  # a change to the big file still changes the key


def test_source_over_the_cap_is_not_read_even_when_its_size_is_declared(copy_pkg, monkeypatch):
    from jpkr_data.validator import integrity

    monkeypatch.setattr(integrity, "MAX_SOURCE_BYTES", 1000)  # every article is over 1000 bytes
    monkeypatch.setattr(integrity, "sha256_of", lambda path: pytest.fail(f"{path} was read"))
    text = validate(copy_pkg).to_text()
    assert text.count("(the cap is 1000 bytes); not read") == len(list((copy_pkg / "data" / "sources").glob("*.txt"))), text


def test_sparse_table_csv_over_the_cap_is_one_problem_naming_it(copy_pkg):
    _sparse(copy_pkg / "data" / "actors.csv", 1 << 30)
    start = time.monotonic()
    text = validate(copy_pkg).to_text()
    assert time.monotonic() - start < 20
    line = next(x for x in text.splitlines() if "over the cap" in x)
    assert "actors" in line and "1073741824 bytes" in line


def test_overlapping_field_limits_in_threads_leave_the_default():
    import csv

    from jpkr_data.validator.staging import _field_limit

    default = csv.field_size_limit()
    a, b = _field_limit(1_000_000), _field_limit(2_000_000)
    a.__enter__()
    b.__enter__()
    a.__exit__(None, None, None)  # not nested: as two validation threads finish in either order
    assert csv.field_size_limit() > 2_000_000
    b.__exit__(None, None, None)
    assert csv.field_size_limit() == default


def test_sparse_6_gib_descriptor_is_one_line_without_reading(copy_pkg):
    _sparse(copy_pkg / "datapackage.json", 6 << 30)
    out = _limited(f"from jpkr_data.cli import main; sys.exit(0 if main(['validate', {str(copy_pkg)!r}]) == 1 else 3)")
    assert "datapackage.json" in out and "6442450944 bytes, over the cap" in out and "not read" in out  # exit 1 checked inside
