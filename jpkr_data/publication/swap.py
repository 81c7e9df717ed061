"""Atomic folder swaps: Linux renameat2 (RENAME_EXCHANGE / RENAME_NOREPLACE) through ctypes, with a documented fallback."""
from __future__ import annotations

import ctypes
import errno
import os
import platform
import sys
from pathlib import Path

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
