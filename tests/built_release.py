"""One release built for the extras' tests (corpus, datasheet, flat views, workbook, diff), shared by their modules."""
from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from pathlib import Path


@functools.cache
def built_release() -> Path:
    """Build the release once per test session into a temporary folder (removed at exit)."""
    from jpkr_data.publication.release import build_release

    tmp = Path(tempfile.mkdtemp(prefix="jpkr-extras-"))
    atexit.register(shutil.rmtree, tmp, True)
    return build_release(tmp / "release")
