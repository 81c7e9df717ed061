"""Safe replacement of outputs: atomic folder swaps (Linux renameat2 RENAME_EXCHANGE / RENAME_NOREPLACE through
ctypes, with a documented fallback) and write_file, the one way a command writes a file the user named."""
from __future__ import annotations

import ctypes
import errno
import os
import platform
import stat
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

RENAME_NOREPLACE = 1
RENAME_EXCHANGE = 2
AT_FDCWD = -100
SYS_RENAMEAT2 = {"x86_64": 316, "amd64": 316, "aarch64": 276, "arm64": 276}
# errno values meaning "this kernel, libc or file system cannot do it": the caller falls back.
UNSUPPORTED = {errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP}


class Unsupported(OSError):
    """renameat2 is not available here (not Linux, old kernel, or a file system without the flag)."""


def _libc() -> ctypes.CDLL | None:
    """The C library of this process, or None where there is none to call (not Linux)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None


def renameat2(src: Path, dst: Path, flags: int) -> None:
    """rename(2) with flags; raises Unsupported where the call or the flag does not exist, OSError otherwise."""
    libc = _libc()
    if libc is None:
        raise Unsupported(errno.ENOSYS, "renameat2 is only available on Linux", str(src))
    a, b = os.fsencode(src), os.fsencode(dst)
    func = getattr(libc, "renameat2", None)
    if func is not None:  # glibc >= 2.28
        func.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
        func.restype = ctypes.c_int
        rc = func(AT_FDCWD, a, AT_FDCWD, b, flags)
    else:
        nr = SYS_RENAMEAT2.get(platform.machine().lower())
        if nr is None:
            raise Unsupported(errno.ENOSYS, f"renameat2 syscall number unknown on {platform.machine()}", str(src))
        libc.syscall.restype = ctypes.c_long
        rc = libc.syscall(ctypes.c_long(nr), ctypes.c_int(AT_FDCWD), ctypes.c_char_p(a), ctypes.c_int(AT_FDCWD), ctypes.c_char_p(b),
                          ctypes.c_uint(flags))
    if rc != 0:
        err = ctypes.get_errno()
        cls = Unsupported if err in UNSUPPORTED else OSError
        raise cls(err, os.strerror(err), str(src), None, str(dst))


def exchange(a: Path, b: Path) -> None:
    """Swap two existing paths in one step: no moment exists where either name is missing."""
    renameat2(a, b, RENAME_EXCHANGE)


def move_new(src: Path, dst: Path) -> None:
    """Rename `src` to `dst`, failing (FileExistsError) if `dst` has appeared meanwhile; os.rename where renameat2 is missing."""
    try:
        renameat2(src, dst, RENAME_NOREPLACE)
    except Unsupported:
        if os.path.lexists(dst):
            raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(dst)) from None
        os.rename(src, dst)


def replace_in_two_steps(new: Path, out: Path, previous: Path) -> None:
    """The fallback without RENAME_EXCHANGE: `out` -> `previous`, then `new` -> `out`.

    Between the two renames `out` is missing for an instant; if the process dies there, the earlier
    release is whole at `previous` (inside the build's staging folder) and the next build moves it back.
    """
    os.rename(out, previous)
    try:
        os.rename(new, out)
    except BaseException:
        os.rename(previous, out)
        raise


def fsync_dir(path: Path) -> None:
    """Make a rename inside `path` durable (a no-op where folders cannot be opened, e.g. Windows)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_file(out: str | os.PathLike[str], write: Callable[[BinaryIO], None]) -> Path:
    """Write the file the user named with `write(binary file)`; an earlier file survives any failure. Returns the path written.

    - a missing name or a regular file: written to an unpredictable temporary name created exclusively (O_EXCL)
      in the same folder, fsynced, then renamed over it (an existing file keeps its permission bits);
    - a symbolic link to a regular file: the file it points to is replaced the same way; the link stays;
    - a device, FIFO or socket (or a link to one, such as /dev/stdout): written to directly, never replaced;
    - a folder, a dangling link or a missing parent folder: OSError.
    Nothing else beside the target is created, read or removed."""
    path = Path(out)
    if "\0" in str(path):
        raise OSError(errno.EINVAL, "a file name cannot hold a NUL character", str(path))
    try:
        st = os.stat(path)  # follows a link: what would be written is what the link points to
    except (FileNotFoundError, NotADirectoryError):
        if os.path.islink(path):
            raise OSError(errno.ENOENT, "a symbolic link to nothing; give the file itself", str(path)) from None
        st = None
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise OSError(errno.EISDIR, "it is a directory (a folder)", str(path))
    if st is not None and not stat.S_ISREG(st.st_mode):
        with open(path, "wb", buffering=0) as fh:  # a device or pipe: write into it, never rename over it
            write(fh)
        return path
    target = Path(os.path.realpath(path)) if os.path.islink(path) else path
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise OSError(errno.ENOENT, f"folder {folder} does not exist", str(path))
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(tmp, stat.S_IMODE(st.st_mode) if st is not None else 0o666 & ~mask)
        os.replace(tmp, target)
    finally:
        if os.path.lexists(tmp):
            os.unlink(tmp)
    return path
