"""Hatch build hook: the wheel carries the validated, typed database and the CSVs, never the source article texts.

At wheel-build time the package is validated against the source texts (which stay out of the wheel) and
written to jpkr_data/_package/jpkr.duckdb with its manifest (jpkr_data/artifact.py), so that an installed
wheel answers its first query without building anything. Editable installs use the checkout itself.
"""
from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

PACKAGE = "jpkr_data/_package"


class CustomBuildHook(BuildHookInterface):
    """Adds the CSVs listed in datapackage.json and the freshly built database to the wheel."""

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        """Validate, build the database into a temporary folder and map it (and each CSV) into the wheel."""
        if self.target_name != "wheel" or version == "editable":
            return
        root = Path(self.root)
        descriptor = root / "datapackage.json"
        for res in json.loads(descriptor.read_text(encoding="utf-8"))["resources"]:
            rel = Path(res["path"])
            if rel.is_absolute() or ".." in rel.parts or rel.parts[0] != "data" or "sources" in rel.parts:
                raise ValueError(f"datapackage.json: resource path {res['path']!r} must be a file under data/ (not data/sources/)")
            build_data["force_include"][str(root / rel)] = f"{PACKAGE}/{rel.as_posix()}"
        self._tmp = Path(tempfile.mkdtemp(prefix="jpkr-wheel-"))
        db = self._tmp / "jpkr.duckdb"
        sys.path.insert(0, str(root))
        try:
            from jpkr_data.artifact import manifest_path
            from jpkr_data.database import content_key
            from jpkr_data.publication.database_file import release_database
            from jpkr_data.schema import load_package

            pkg = load_package(descriptor)  # parsed once: the key and the build share it
            release_database(pkg, db, content_key(pkg))
        finally:
            sys.path.remove(str(root))
        build_data["force_include"][str(db)] = f"{PACKAGE}/jpkr.duckdb"
        build_data["force_include"][str(manifest_path(db))] = f"{PACKAGE}/{manifest_path(db).name}"

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        """Remove the temporary folder."""
        tmp = getattr(self, "_tmp", None)
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
