"""The release target folder DIR of `jpkr-data build --out DIR`: what may be replaced, the lock, staging, swap and cleanup.

A build writes only into DIR and into two hidden siblings named after it, both in DIR's parent:

* `.DIR.jpkr-lock`: an fcntl.flock lock file, held while leftovers are cleaned, staging is created and the
  new release is swapped in; removed when released (a build waits up to LOCK_WAIT seconds for it).
* `.DIR.jpkr-build-<16 hex digits>/`: one build's staging folder, holding `.jpkr-staging` (a JSON marker
  on which the running build holds a flock) and `release/` (the new release while it is written).

DIR must be absent, an empty folder, or an earlier release of the same dataset: a folder whose
`.jpkr-release` marker (JSON: format, dataset, version, the SHA-256 of every file) matches every file
in it. Anything else (documents, a checkout, a stray or changed file, a symlink, a file) is refused and
left as it is. The new release replaces the old one with renameat2(RENAME_EXCHANGE), so DIR always
holds a complete release; where that call is missing, two renames are used and a build killed between
them leaves the old release whole in its staging folder, which the next build moves back.
Staging folders of killed builds are removed by the next build, only when their name matches, their
marker is valid and no process holds the marker's lock.
"""
from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import secrets
import shutil
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from . import swap

try:
    import fcntl
except ImportError:  # Windows: no flock; builds there are not protected against concurrent builds
    fcntl = None  # type: ignore[assignment]

MARKER = ".jpkr-release"
STAGING_MARKER = ".jpkr-staging"
MARKER_FORMAT = "jpkr-data release"
STAGING_FORMAT = "jpkr-data build staging"
MAX_MARKER_BYTES = 1 << 20
LOCK_WAIT = 600.0
SHA256_HEX = re.compile(r"[0-9a-f]{64}")


class TargetError(Exception):
    """The build refuses DIR, or cannot use it; the message names the path and says why."""


@dataclass(frozen=True)
class ReleaseTarget:
    """DIR (absolute; its parent resolved, its own name not followed) and the dataset that may own it."""

    path: Path
    dataset: str

    @property
    def parent(self) -> Path:
        return self.path.parent

    @property
    def lock_path(self) -> Path:
        return self.parent / f".{self.path.name}.jpkr-lock"

    @property
    def staging_prefix(self) -> str:
        return f".{self.path.name}.jpkr-build-"

    def staging_pattern(self) -> re.Pattern[str]:
        """Names of the staging folders this tool makes for DIR."""
        return re.compile(re.escape(self.staging_prefix) + r"[0-9a-f]{16}")


def release_target(out: str | os.PathLike[str], dataset: str) -> ReleaseTarget:
    """Turn --out into a ReleaseTarget; refuses an empty path, the root, and a parent that is missing or not a writable folder."""
    try:
        raw = os.fsdecode(os.fspath(out))
        if raw == "":
            raise TargetError("no output folder given (--out is empty)")
        if "\0" in raw:
            raise TargetError(f"cannot build into {raw!r}: a path cannot hold a NUL character")
        absolute = Path(os.path.abspath(raw))
        if not absolute.name:
            raise TargetError(f"cannot build into {absolute}: it is the file-system root, give a folder for the release")
        try:
            parent = absolute.parent.resolve(strict=True)
        except FileNotFoundError:
            raise TargetError(f"cannot build into {absolute}: its parent folder {absolute.parent} does not exist (create it first)") from None
        except (OSError, RuntimeError) as exc:
            raise TargetError(f"cannot build into {absolute}: its parent folder {absolute.parent} cannot be used ({_why(exc)})") from None
        if not parent.is_dir():
            raise TargetError(f"cannot build into {absolute}: {absolute.parent} is not a folder")
        if not os.access(parent, os.W_OK | os.X_OK):
            raise TargetError(f"cannot build into {absolute}: its parent folder {parent} is not writable")
    except ValueError as exc:  # e.g. a NUL byte in the path
        raise TargetError(f"cannot build into {out!r}: not a usable path ({exc})") from None
    return ReleaseTarget(parent / absolute.name, dataset)


def _why(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__


def _some(names: list[str], n: int = 3) -> str:
    """A short list of entries for a message: 'a', 'b', 'c' and 4 more."""
    names = sorted(names)
    shown = ", ".join(repr(x) for x in names[:n])
    return shown + (f" and {len(names) - n} more" if len(names) > n else "")


def read_marker(path: Path, fmt: str) -> tuple[dict | None, str]:
    """A marker's JSON object if `path` is a regular file holding one of format `fmt`, else None and the reason."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        return None, "missing"
    except OSError as exc:
        return None, f"cannot be read ({_why(exc)})"
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return None, "not a regular file"
        if st.st_size > MAX_MARKER_BYTES:
            return None, f"{st.st_size} bytes, more than a marker can hold"
        data = os.read(fd, MAX_MARKER_BYTES + 1)
    except OSError as exc:
        return None, f"cannot be read ({_why(exc)})"
    finally:
        os.close(fd)
    try:
        marker = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None, "not JSON"
    if not isinstance(marker, dict) or marker.get("format") != fmt:
        return None, f"not a {fmt!r} marker"
    return marker, ""


def _marker_files(marker: dict) -> dict[str, str] | None:
    """The marker's {relative path: sha256} table, or None if it is malformed."""
    files = marker.get("files")
    if not isinstance(files, dict):
        return None
    for rel, digest in files.items():
        if not (isinstance(digest, str) and SHA256_HEX.fullmatch(digest)) or rel in ("", MARKER) or rel.startswith("/"):
            return None
        if any(part in ("", ".", "..") for part in rel.split("/")):
            return None
    return files


def file_sha256(path: Path, sync: bool = False) -> str:
    """SHA-256 of a regular file, never following a symlink; with sync, the file is also fsynced."""
    h = hashlib.sha256()
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        while chunk := os.read(fd, 1 << 20):
            h.update(chunk)
        if sync:
            os.fsync(fd)
    finally:
        os.close(fd)
    return h.hexdigest()


def _walk(root: Path, rel: str = "") -> Iterator[tuple[str, os.DirEntry[str]]]:
    """Every entry below `root` as (posix relative path, entry), never following symlinks."""
    with os.scandir(root / rel if rel else root) as it:
        entries = sorted(it, key=lambda e: e.name)
    for e in entries:
        r = f"{rel}/{e.name}" if rel else e.name
        yield r, e
        if e.is_dir(follow_symlinks=False):
            yield from _walk(root, r)


def check_target(t: ReleaseTarget) -> str:
    """'absent', 'empty' or 'release' (an unchanged earlier release of t.dataset); anything else raises TargetError."""
    p = t.path
    try:
        st = os.lstat(p)
    except FileNotFoundError:
        return "absent"
    except OSError as exc:
        raise TargetError(f"cannot build into {p}: it cannot be examined ({_why(exc)})") from None
    if stat.S_ISLNK(st.st_mode):
        try:
            dest = os.readlink(p)
        except OSError:
            dest = "?"
        raise TargetError(f"refusing to build into {p}: it is a symbolic link (to {dest}); give the folder itself")
    if not stat.S_ISDIR(st.st_mode):
        kind = "a file" if stat.S_ISREG(st.st_mode) else "not a folder"
        raise TargetError(f"refusing to build into {p}: it is {kind}; give a new or empty folder, or an earlier release")
    try:
        names = os.listdir(p)
    except OSError as exc:
        raise TargetError(f"cannot build into {p}: its contents cannot be listed ({_why(exc)})") from None
    if not names:
        return "empty"
    marker, why = read_marker(p / MARKER, MARKER_FORMAT)
    if marker is None and why == "missing":
        raise TargetError(f"refusing to build into {p}: it is not empty and is not a jpkr-data release (no {MARKER} marker); "
                          f"it holds {_some(names)}; give a new or empty folder")
    if marker is None:
        raise TargetError(f"refusing to build into {p}: {p / MARKER} is not a marker written by jpkr-data build ({why})")
    if marker.get("dataset") != t.dataset:
        raise TargetError(f"refusing to build into {p}: it holds a release of dataset {marker.get('dataset')!r}, not {t.dataset!r}")
    files = _marker_files(marker)
    if files is None:
        raise TargetError(f"refusing to build into {p}: {p / MARKER} has no valid file list")
    dirs = {"/".join(rel.split("/")[:i]) for rel in files for i in range(1, rel.count("/") + 1)}
    found = []
    try:
        for rel, e in _walk(p):
            if e.is_symlink():
                raise TargetError(f"refusing to build into {p}: {p / rel} is a symbolic link, which no build writes")
            if e.is_dir(follow_symlinks=False):
                if rel not in dirs:
                    raise TargetError(f"refusing to build into {p}: it holds the folder {rel!r}, which the earlier release did not have")
            elif not e.is_file(follow_symlinks=False):
                raise TargetError(f"refusing to build into {p}: {p / rel} is not a regular file")
            elif rel != MARKER and rel not in files:
                raise TargetError(f"refusing to build into {p}: it holds {rel!r}, which the earlier release did not have")
            elif rel != MARKER:
                found.append(rel)
        for rel in found:  # only paths found on disk are opened, never a path read from the marker
            if file_sha256(p / rel) != files[rel]:
                raise TargetError(f"refusing to build into {p}: {rel!r} was changed after the earlier release was built")
    except OSError as exc:
        raise TargetError(f"cannot build into {p}: {exc.filename or p} cannot be read ({_why(exc)})") from None
    return "release"


def write_release_marker(release: Path, dataset: str, version: str) -> None:
    """Fsync every file of the finished release and record its SHA-256 in the `.jpkr-release` marker."""
    files = {rel: file_sha256(release / rel, sync=True) for rel, e in _walk(release) if not e.is_dir(follow_symlinks=False)}
    marker = {"format": MARKER_FORMAT, "dataset": dataset, "version": version, "files": files}
    fd = os.open(release / MARKER, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
    try:
        os.write(fd, (json.dumps(marker, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    for rel, e in [("", None), *_walk(release)]:
        if e is None or e.is_dir(follow_symlinks=False):
            swap.fsync_dir(release / rel if rel else release)


@contextmanager
def locked(t: ReleaseTarget, wait: float | None = None) -> Iterator[None]:
    """Hold the flock on `.DIR.jpkr-lock` (waiting up to `wait`, default LOCK_WAIT, seconds); the file is removed on release."""
    if fcntl is None:
        yield
        return
    wait = LOCK_WAIT if wait is None else wait
    deadline = time.monotonic() + wait
    while True:
        try:
            fd = os.open(t.lock_path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
        except OSError as exc:
            raise TargetError(f"cannot build into {t.path}: cannot create the lock file {t.lock_path} ({_why(exc)})") from None
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise TargetError(f"cannot build into {t.path}: another build has held {t.lock_path} for more than {wait:g} s; "
                                          "try again later") from None
                    time.sleep(0.05)
            mine = os.fstat(fd)
            try:
                now = os.stat(t.lock_path, follow_symlinks=False)
            except FileNotFoundError:
                now = None
        except BaseException:
            os.close(fd)
            raise
        if now is not None and (now.st_dev, now.st_ino) == (mine.st_dev, mine.st_ino):
            break
        os.close(fd)  # the holder before us removed this file: lock the new one
    try:
        yield
    finally:
        try:
            os.unlink(t.lock_path)
        except OSError:
            pass
        os.close(fd)


def _new_staging(t: ReleaseTarget) -> tuple[Path, int]:
    """Make `.DIR.jpkr-build-<hex>/` with its marker, locked by this process (call with the DIR lock held)."""
    while True:
        wrapper = t.parent / f"{t.staging_prefix}{secrets.token_hex(8)}"
        try:
            os.mkdir(wrapper, 0o700)
            break
        except FileExistsError:
            continue
        except OSError as exc:
            raise TargetError(f"cannot build into {t.path}: cannot create the staging folder {wrapper} ({_why(exc)})") from None
    try:
        fd = os.open(wrapper / STAGING_MARKER, os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0), 0o644)
    except OSError as exc:
        _remove_staging(wrapper)
        raise TargetError(f"cannot build into {t.path}: cannot write in {wrapper} ({_why(exc)})") from None
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.write(fd, json.dumps({"format": STAGING_FORMAT, "target": t.path.name, "pid": os.getpid()}).encode("utf-8"))
    except BaseException:
        os.close(fd)
        _remove_staging(wrapper)
        raise
    return wrapper, fd


def _remove_staging(wrapper: Path) -> None:
    """Remove a staging folder: its contents, then its marker, then the folder (each step leaves a state the next build cleans)."""
    try:
        with os.scandir(wrapper) as it:
            entries = list(it)
        for e in entries:
            if e.name == STAGING_MARKER:
                continue
            if e.is_dir(follow_symlinks=False):
                shutil.rmtree(e.path)
            else:
                os.unlink(e.path)
        if os.path.lexists(wrapper / STAGING_MARKER):
            os.unlink(wrapper / STAGING_MARKER)
        os.rmdir(wrapper)
    except OSError:
        pass  # what is left keeps its name and marker: the next build removes it


def _clean_one(t: ReleaseTarget, wrapper: Path) -> None:
    """Remove one staging folder if it is a dead build's: valid marker (or none yet, when empty) and no lock held."""
    try:
        os.rmdir(wrapper)  # killed right after mkdir: nothing inside
        return
    except OSError:
        pass
    try:
        fd = os.open(wrapper / STAGING_MARKER, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return  # no marker: not ours
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return
        if fcntl is None:
            return  # cannot tell a live build from a dead one
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return  # a running build
        data = os.read(fd, MAX_MARKER_BYTES + 1)
        if data == b"":  # killed between creating the marker and writing it
            if os.listdir(wrapper) != [STAGING_MARKER]:
                return
        else:
            marker, _ = read_marker(wrapper / STAGING_MARKER, STAGING_FORMAT)
            if marker is None or marker.get("target") != t.path.name:
                return
        _restore_previous(t, wrapper)
        _remove_staging(wrapper)
    except OSError:
        return
    finally:
        os.close(fd)


def _restore_previous(t: ReleaseTarget, wrapper: Path) -> None:
    """After a two-rename swap killed half-way, DIR is missing and the old release is whole in `previous/`: move it back."""
    previous = wrapper / "previous"
    if os.path.lexists(t.path) or not previous.is_dir() or previous.is_symlink():
        return
    marker, _ = read_marker(previous / MARKER, MARKER_FORMAT)
    if marker is not None and marker.get("dataset") == t.dataset:
        swap.move_new(previous, t.path)


def clean_leftovers(t: ReleaseTarget) -> None:
    """Remove the staging folders of killed builds into DIR (call with the DIR lock held)."""
    pattern = t.staging_pattern()
    try:
        with os.scandir(t.parent) as it:
            candidates = [Path(e.path) for e in it if pattern.fullmatch(e.name) and e.is_dir(follow_symlinks=False)]
    except OSError:
        return
    for wrapper in candidates:
        _clean_one(t, wrapper)


@contextmanager
def staging(t: ReleaseTarget) -> Iterator[Path]:
    """A fresh empty `release/` folder beside DIR to write the new release into; removed (with whatever it holds) on exit."""
    with locked(t):
        clean_leftovers(t)
        wrapper, fd = _new_staging(t)
    try:
        release = wrapper / "release"
        release.mkdir()
        release.chmod(0o755)
        yield release
    finally:
        _remove_staging(wrapper)
        os.close(fd)


def publish(t: ReleaseTarget, release: Path, version: str) -> None:
    """Mark `release` and swap it in as DIR in one step; DIR's earlier release ends up in the staging folder."""
    write_release_marker(release, t.dataset, version)
    with locked(t):
        state = check_target(t)
        try:
            if state == "absent":
                swap.move_new(release, t.path)
            else:
                try:
                    swap.exchange(release, t.path)
                except swap.Unsupported:
                    swap.replace_in_two_steps(release, t.path, release.parent / "previous")
        except OSError as exc:
            raise TargetError(f"cannot build into {t.path}: the new release could not be moved into place ({_why(exc)})") from None
        swap.fsync_dir(t.parent)
