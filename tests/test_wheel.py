"""A plain, non-editable install of the built wheel into a fresh venv works from any directory."""
from __future__ import annotations

import subprocess
import sys
import venv
from pathlib import Path

import pytest
from conftest import ROOT, read_rows


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(tmp / "dist"), str(ROOT)],
                   check=True, capture_output=True, text=True)
    wheel = next((tmp / "dist").glob("jpkr_data-*.whl"))
    env_dir = tmp / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    py = env_dir / "bin" / "python"
    subprocess.run([str(py), "-m", "pip", "install", "--quiet", str(wheel)], check=True, capture_output=True, text=True)
    return py


def test_wheel_carries_the_data_and_answers_queries(installed, tmp_path):
    code = ("import jpkr_data, jpkr_data.paths as p; "
            "print(p.package_root()); "
            "print(len(jpkr_data.table('events'))); "
            "print(jpkr_data.query(\"SELECT n_articles FROM event_sources WHERE event_id = 'ev_bangkok_kang_kono'\").n_articles[0])")
    env = {"PATH": "/usr/bin:/bin", "JPKR_DATA_CACHE": str(tmp_path / "cache"), "HOME": str(tmp_path)}
    out = subprocess.run([str(installed), "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path, env=env).stdout.split("\n")
    assert "site-packages" in out[0] and out[0].endswith("_package")
    assert int(out[1]) == len(read_rows("events"))
    assert int(out[2]) == 3


def test_installed_cli_validates(installed, tmp_path):
    cli = installed.parent / "jpkr-data"
    env = {"PATH": "/usr/bin:/bin", "JPKR_DATA_CACHE": str(tmp_path / "cache"), "HOME": str(tmp_path)}
    r = subprocess.run([str(cli), "validate"], capture_output=True, text=True, cwd=tmp_path, env=env)
    assert r.returncode == 0 and r.stdout.startswith("valid:"), r.stdout + r.stderr
