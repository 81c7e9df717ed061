"""Locate the data package: inside an installed wheel, or at the root of a source checkout."""
from __future__ import annotations

import os
from pathlib import Path

_HERE = Path(__file__).resolve().parent
BUNDLED_DB = "jpkr.duckdb"


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


def bundled_database() -> Path | None:
    """The prebuilt database shipped in the wheel (jpkr_data/_package/jpkr.duckdb), when present and JPKR_DATA_ROOT is unset."""
    if os.environ.get("JPKR_DATA_ROOT"):
        return None
    db = _HERE / "_package" / BUNDLED_DB
    return db if db.is_file() else None


def resolve_descriptor(path: str | os.PathLike[str] | None = None) -> Path:
    """Turn a datapackage.json path, its folder, or None (the bundled package) into a file path."""
    if path is None:
        return package_root() / "datapackage.json"
    try:
        p = Path(path)
    except TypeError:
        raise TypeError(f"a package path must be a string or path, not {type(path).__name__}") from None
    if p.is_dir():
        p = p / "datapackage.json"
    return p.resolve()

