"""Safe resource names and paths: checked as frictionless checks them, then resolved inside the package."""
from __future__ import annotations

import os
import re
from pathlib import Path

RESOURCE_NAME = re.compile(r"^([-a-z0-9._/])+$")  # frictionless' resource name pattern
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")  # a URL scheme or a Windows drive letter ("C:")
_VARIABLE = re.compile(r"\$|%[^%]+%")  # $HOME, ${X}, %USERPROFILE%: expanded by some tools
# Ids that become file or page names (articles, events, actors, agreements): fixed here, whatever the package's
# own schema patterns say; lower case, so no two collide on a case-insensitive file system.
SAFE_ID = re.compile(r"[a-z0-9][a-z0-9_]{0,99}")
SAFE_ID_TEXT = "lower-case letters, digits and '_', starting with a letter or digit, at most 100 characters"


def id_problem(table: str, field: str, value: object) -> str | None:
    """Why an id cannot name a file or a page (naming its table and field), or None."""
    if isinstance(value, str) and SAFE_ID.fullmatch(value):
        return None
    return f"data/{table}.csv: field {field}: value {value!r} cannot name a file ({SAFE_ID_TEXT})"


def name_problem(name: str) -> str | None:
    """Why a resource name is not acceptable, or None."""
    if not RESOURCE_NAME.match(name):
        return f"resource name {name!r} must match {RESOURCE_NAME.pattern} (lower-case letters, digits, '-', '.', '_', '/')"
    if name.startswith("/") or any(seg in ("", ".", "..") for seg in name.split("/")):
        return f"resource name {name!r} has an empty, '.' or '..' segment or starts with '/' (names also name files in a release)"
    return None


def path_problem(path: str) -> str | None:
    """Why a resource path is not a safe relative path inside the package, or None."""
    if not path:
        return "path is empty"
    if "\x00" in path:
        return "path contains a NUL character"
    if path.startswith(("/", "\\")) or os.path.isabs(path):
        return f"path {path!r} is absolute: give a path relative to datapackage.json"
    if _SCHEME.match(path):
        return f"path {path!r} is a URL or has a drive letter: only relative paths inside the package are supported"
    if path.startswith("~"):
        return f"path {path!r} starts with '~' (a home folder): give a path relative to datapackage.json"
    if _VARIABLE.search(path):
        return f"path {path!r} holds an environment variable ($NAME or %NAME%), which some tools expand"
    if "\\" in path:
        return f"path {path!r} uses '\\': use '/' between folders"
    if ".." in path.split("/"):
        return f"path {path!r} has a '..' segment: it must stay inside the package"
    return None


def resolve_inside(root: Path, rel: str) -> Path | None:
    """`root/rel` with symlinks resolved, or None when it (or a parent folder, through a symlink) leads out of `root`."""
    base = root.resolve()
    try:
        target = (base / rel).resolve()
    except (OSError, RuntimeError):  # a symlink loop
        return None
    return target if target.is_relative_to(base) and target != base else None
