"""Run one `build_release` in this process and SIGKILL it at a named moment (a test driver for test_build_safety).

Usage: python killed_build.py OUT PACKAGE MOMENT [no-exchange]
PACKAGE is a datapackage folder, or `fake:<version>`: a small stand-in release written through the same
staging/publish code (no validation, no DuckDB), to kill the target handling many times quickly.
MOMENT is `step:<progress step>`, `before:<module>.<function>` or `after:<module>.<function>` (module: release, target or swap),
`rename:<n>` (after the n-th os.rename inside swap.py), or `none`. With no-exchange, renameat2(RENAME_EXCHANGE)
reports itself unsupported, so the two-rename fallback runs.
"""
from __future__ import annotations

import os
import signal
import sys
import types
from collections.abc import Callable

from jpkr_data.publication import release, swap, target

DATASET = "jpkr-data"


def die() -> None:
    """SIGKILL this process: no finally block, no atexit, no flush."""
    os.kill(os.getpid(), signal.SIGKILL)


def wrap(module: types.ModuleType, name: str, when: str) -> None:
    """Replace module.name by a function that dies before or after calling the original."""
    original: Callable = getattr(module, name)

    def wrapped(*args, **kwargs):
        if when == "before":
            die()
        result = original(*args, **kwargs)
        die()
        return result

    setattr(module, name, wrapped)


def count_renames(n: int) -> None:
    """Die right after the n-th os.rename made by swap.py."""
    calls = [0]

    def rename(src, dst):
        os.rename(src, dst)
        calls[0] += 1
        if calls[0] == n:
            die()

    swap.os = types.SimpleNamespace(**{k: getattr(os, k) for k in dir(os) if not k.startswith("__")})
    swap.os.rename = rename


def main(out: str, package: str, moment: str, *flags: str) -> None:
    progress = None
    if "no-exchange" in flags:
        def unsupported(a, b):
            raise swap.Unsupported(22, "RENAME_EXCHANGE unsupported (test)", str(a))
        swap.exchange = unsupported
    kind, _, what = moment.partition(":")
    if kind == "step":
        def progress(step: str) -> None:
            if step == what:
                die()
    elif kind in ("before", "after"):
        modname, name = what.split(".")
        wrap({"target": target, "swap": swap, "release": release}[modname], name, kind)
    elif kind == "rename":
        count_renames(int(what))
    if package.startswith("fake:"):
        fake_build(out, package[len("fake:"):])
    else:
        release.build_release(out, package, progress=progress)


def fake_build(out: str, version: str) -> None:
    """Write a small release (datapackage.json, a few files, SHA256SUMS, a zip) through target.staging and target.publish."""
    import hashlib
    import json

    t = target.release_target(out, DATASET)
    target.check_target(t)
    with target.staging(t) as tmp:
        files = {"datapackage.json": json.dumps({"name": DATASET, "version": version}) + "\n",
                 "data/events.csv": "event_id\n" + "".join(f"ev_{i}_{version}\n" for i in range(2000)),
                 "site/index.html": f"<title>{version}</title>\n"}
        for rel, text in files.items():
            (tmp / rel).parent.mkdir(parents=True, exist_ok=True)
            (tmp / rel).write_text(text, encoding="utf-8")
        sums = "".join(f"{hashlib.sha256(text.encode()).hexdigest()}  {rel}\n" for rel, text in sorted(files.items()))
        (tmp / "SHA256SUMS").write_text(sums, encoding="utf-8")
        (tmp / f"jpkr-data-{version}.zip").write_bytes(b"PK\x05\x06" + bytes(18))
        target.publish(t, tmp, version)


if __name__ == "__main__":
    main(*sys.argv[1:])
