"""Locate the data package: inside an installed wheel, or at the root of a source checkout."""
from __future__ import annotations

import os
from pathlib import Path

_HERE = Path(__file__).resolve().parent


def package_root() -> Path:
    """Folder holding datapackage.json, data/ and sql/.

    Order: the JPKR_DATA_ROOT environment variable, the copy shipped inside the wheel
    (jpkr_data/_package), then the source checkout that contains this module.
    """
    env = os.environ.get("JPKR_DATA_ROOT")
    if env:
        return Path(env).resolve()
    for candidate in (_HERE / "_package", _HERE.parent):
        if (candidate / "datapackage.json").is_file():
            return candidate
    raise FileNotFoundError("jpkr-data: cannot find datapackage.json beside the package")


def resolve_descriptor(path: str | os.PathLike[str] | None = None) -> Path:
    """Turn a datapackage.json path, its folder, or None (the bundled package) into a file path."""
    if path is None:
        return package_root() / "datapackage.json"
    p = Path(path)
    if p.is_dir():
        p = p / "datapackage.json"
    return p.resolve()


def bundled_database() -> Path | None:
    """The validated database shipped in the wheel (jpkr_data/_package/jpkr.duckdb), or None in a source checkout."""
    db = _HERE / "_package" / "jpkr.duckdb"
    return db if db.is_file() else None
