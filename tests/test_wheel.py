"""The built wheel: no third-party text inside, the validated database bundled, and a plain install into a fresh
venv answers queries from any directory without building anything, and builds a complete release."""
from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT, read_rows

from jpkr_data.publication.release import build_release


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(tmp / "dist"), str(ROOT)],
                   check=True, capture_output=True, text=True)
    return next((tmp / "dist").glob("jpkr_data-*.whl"))


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    env_dir = tmp_path_factory.mktemp("venv") / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    py = env_dir / "bin" / "python"
    subprocess.run([str(py), "-m", "pip", "install", "--quiet", str(wheel)], check=True, capture_output=True, text=True)
    return py


def clean_env(tmp_path: Path) -> dict[str, str]:
    """A user's environment: own HOME, a cache folder that must stay absent, no JPKR_DATA_ROOT."""
    return {"PATH": "/usr/bin:/bin", "JPKR_DATA_CACHE": str(tmp_path / "cache"), "HOME": str(tmp_path / "home")}


def test_wheel_carries_no_source_text_and_the_verified_database(wheel):
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        assert not [n for n in names if "/data/sources/" in n or (n.endswith(".txt") and "dist-info" not in n)]
        assert {"jpkr_data/_package/jpkr.duckdb", "jpkr_data/_package/jpkr.duckdb.manifest.json"} <= names
        assert {f"jpkr_data/_package/data/{r['name']}.csv" for r in _resources()} <= names
        assert {f"jpkr_data/_package/{n}" for n in ("LICENSE", "LICENSE-DATA", "README.md", "CHANGELOG.md", "CURATION.md")} <= names
        texts = b"".join(z.read(n) for n in names if n.startswith("jpkr_data/_package/"))
    for a in read_rows("articles"):
        body = (ROOT / "data" / "sources" / a["source_file"]).read_text(encoding="utf-8")
        longest = max(body.split("\n"), key=len)  # a whole paragraph of the article, which no span quotes in full
        assert longest.encode("utf-8") not in texts, a["article_id"]
    print(f"\nwheel: {wheel.stat().st_size / 1e6:.2f} MB")


def _resources() -> list[dict]:
    import json

    return json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))["resources"]


def test_installed_wheel_answers_from_the_bundled_database_without_building(installed, tmp_path):
    code = ("import time, jpkr_data, jpkr_data.paths as p; t = time.perf_counter(); "
            "tl = jpkr_data.table('timeline'); dt = time.perf_counter() - t; "
            "print(p.package_root()); print(p.bundled_database()); print(len(tl)); "
            "print(jpkr_data.query(\"SELECT n_articles FROM event_sources WHERE event_id = 'ev_bangkok_kang_kono'\").n_articles[0]); "
            "print(jpkr_data.connect().database); print(dt)")
    (tmp_path / "elsewhere").mkdir()
    env = clean_env(tmp_path)
    out = subprocess.run([str(installed), "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path / "elsewhere", env=env).stdout.split("\n")
    assert "site-packages" in out[0] and out[0].endswith("_package") and out[1] == out[0] + "/jpkr.duckdb"
    assert int(out[2]) == len(read_rows("events")) and int(out[3]) == 3
    assert out[4] == out[1]  # the bundled file itself is attached
    assert not (tmp_path / "cache").exists() and not (tmp_path / "home" / ".cache").exists()
    assert list((tmp_path / "elsewhere").iterdir()) == []
    print(f"\nfirst table('timeline') from the wheel: {float(out[5]) * 1000:.0f} ms (import excluded)")


def test_installed_cli_builds_a_complete_release_equal_to_a_checkout_build(installed, tmp_path):
    cli = installed.parent / "jpkr-data"
    r = subprocess.run([str(cli), "build", "--out", "rel"], capture_output=True, text=True, cwd=tmp_path, env=clean_env(tmp_path))
    assert r.returncode == 0, r.stderr
    rel = tmp_path / "rel"
    for name in ("LICENSE", "LICENSE-DATA", "README.md", "CHANGELOG.md", "CODEBOOK.md", "CITATION.cff", "jpkr.duckdb",
                 "datapackage-parquet.json", "site/index.html", "SHA256SUMS", "data/events.parquet"):
        assert (rel / name).is_file(), name
    assert not (rel / "data" / "sources").exists() and not (tmp_path / "cache").exists()
    for line in (rel / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
        digest, name = line.split("  ", 1)
        assert hashlib.sha256((rel / name).read_bytes()).hexdigest() == digest, name
    checkout = build_release(tmp_path / "checkout")
    for name in ["datapackage.json", "CODEBOOK.md", "CITATION.cff"] + [f"data/{r['name']}.csv" for r in _resources()]:
        assert (rel / name).read_bytes() == (checkout / name).read_bytes(), name
    r = subprocess.run([str(cli), "build", "--out", "rel2", "--include-sources"], capture_output=True, text=True, cwd=tmp_path, env=clean_env(tmp_path))
    assert r.returncode != 0 and "Traceback" not in r.stderr and "data/sources" in r.stderr and not (tmp_path / "rel2").exists()


def test_installed_cli_validates_a_full_package(installed, tmp_path):
    """The wheel has no source texts, so its validator is run on a package that has them (a checkout's copy)."""
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    shutil.copy2(ROOT / "datapackage.json", pkg)
    shutil.copytree(ROOT / "data", pkg / "data")
    shutil.copytree(ROOT / "sql", pkg / "sql")
    r = subprocess.run([str(installed.parent / "jpkr-data"), "validate", str(pkg)], capture_output=True, text=True, cwd=tmp_path, env=clean_env(tmp_path))
    assert r.returncode == 0 and r.stdout.startswith("valid:"), r.stdout + r.stderr


def test_a_changed_bundled_database_is_refused(installed, tmp_path):
    db = next(installed.parent.parent.glob("lib/python*/site-packages/jpkr_data/_package/jpkr.duckdb"))
    original = db.read_bytes()
    try:
        db.write_bytes(original[:-1] + bytes([original[-1] ^ 1]))
        r = subprocess.run([str(installed.parent / "jpkr-data"), "build", "--out", "rel"], capture_output=True, text=True, cwd=tmp_path, env=clean_env(tmp_path))
        assert r.returncode != 0 and "Traceback" not in r.stderr and "does not match its manifest" in r.stderr
        assert not (tmp_path / "rel").exists()
    finally:
        db.write_bytes(original)
