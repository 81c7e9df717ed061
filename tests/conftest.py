"""Shared fixtures: the package root, its CSV rows read independently of the package, a connection."""
from __future__ import annotations

import csv
import json
import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session", autouse=True)
def _cache(tmp_path_factory):
    """Build the DuckDB cache in a temporary folder, never in the user's home."""
    os.environ["JPKR_DATA_CACHE"] = str(tmp_path_factory.mktemp("cache"))
    os.environ.pop("JPKR_DATA_ROOT", None)
    yield


@pytest.fixture(scope="session")
def descriptor() -> dict:
    return json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))


def read_rows(name: str, root: Path = ROOT) -> list[dict[str, str]]:
    """A table's rows with Python's csv module (independent of the package's reader)."""
    with (root / "data" / f"{name}.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="session")
def rows():
    return read_rows


@pytest.fixture(scope="session")
def texts() -> dict[str, str]:
    """Decoded source text of every article, by article_id."""
    return {a["article_id"]: (ROOT / "data" / "sources" / a["source_file"]).read_bytes().decode("utf-8")
            for a in read_rows("articles")}


@pytest.fixture(scope="session")
def con():
    import jpkr_data

    c = jpkr_data.connect()
    yield c
    c.close()


@pytest.fixture()
def package_copy(tmp_path) -> Path:
    """A writable copy of the whole package (descriptor, data, sources, views)."""
    dst = tmp_path / "pkg"
    dst.mkdir()
    shutil.copy2(ROOT / "datapackage.json", dst / "datapackage.json")
    shutil.copytree(ROOT / "data", dst / "data")
    shutil.copytree(ROOT / "sql", dst / "sql")
    return dst
