"""Safe resource names and paths: checked as frictionless checks them, then resolved inside the package."""
from __future__ import annotations

import os
import re
import stat
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


def regular_inside(root: Path, rel: str) -> str | None:
    """Why `root/rel` is not a regular file reached from `root` without a symbolic link, or None."""
    here = root
    parts = rel.split("/")
    for i, part in enumerate(parts):
        here = here / part
        try:
            mode = os.lstat(here).st_mode
        except OSError as exc:
            return f"{rel}: cannot be read ({exc.strerror or exc})"
        if stat.S_ISLNK(mode):
            return f"{'/'.join(parts[:i + 1])}: is a symbolic link; a package holds its files themselves"
        if i < len(parts) - 1 and not stat.S_ISDIR(mode):
            return f"{'/'.join(parts[:i + 1])}: is not a folder"
        if i == len(parts) - 1 and not stat.S_ISREG(mode):
            return f"{rel}: is not a regular file (a folder, device, FIFO or socket)"
    return None


def files_below(root: Path, rel: str) -> tuple[list[str], list[str]]:
    """Every regular file below `root/rel` (relative paths), and the problems: any link, device, FIFO or socket there.

    Nothing is followed: a symbolic link anywhere below, or one at `rel` itself, is a problem naming it."""
    files: list[str] = []
    problem = regular_inside(root, rel) if rel else None
    if problem and not problem.endswith("(a folder, device, FIFO or socket)"):
        return files, [problem]
    problems: list[str] = []
    stack = [rel]
    while stack:
        cur = stack.pop()
        try:
            with os.scandir(root / cur) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            problems.append(f"{cur}: cannot be listed ({exc.strerror or exc})")
            continue
        for e in entries:
            r = f"{cur}/{e.name}" if cur else e.name
            if e.is_symlink():
                problems.append(f"{r}: is a symbolic link; a package holds its files themselves")
            elif e.is_dir(follow_symlinks=False):
                stack.append(r)
            elif e.is_file(follow_symlinks=False):
                files.append(r)
            else:
                problems.append(f"{r}: is not a regular file (a device, FIFO or socket)")
    return sorted(files), problems


DOC_FILES = ("LICENSE", "LICENSE-DATA", "CHANGELOG.md", "README.md", "CURATION.md")  # documents a release copies
COPIED_FOLDERS = ("sql", "data/sources")  # folders a release copies (data/sources only with --include-sources)


def copied_files(root: Path, resources: list[str], folders: tuple[str, ...] = COPIED_FOLDERS) -> tuple[list[str], list[str]]:
    """The package files a release copies (resources, documents present, everything in `folders`), and the problems:
    any of them that is not a regular file reached from `root` without a symbolic link ("<path>: <why>")."""
    rels = list(resources) + [n for n in DOC_FILES if os.path.lexists(root / n)]
    problems = [p for rel in rels if (p := regular_inside(root, rel))]
    for folder in folders:
        if os.path.lexists(root / folder):
            found, bad = files_below(root, folder)
            rels += found
            problems += bad
    return rels, problems
