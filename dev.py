#!/usr/bin/env python3
"""Set up and run jpkr-data with nothing but Python 3.11+ (standard library only).

    python3 dev.py demo    # make .venv, install the package, validate, show the timeline
    python3 dev.py docs    # rewrite every generated count and quote in README.md, CURATION.md and
                           # DATASHEET.md (and curation/audits.csv) from the data
    python3 dev.py test    # make .venv, install the package with its test tools (and Chromium, for the
                           # page test, and Java 17, for the Spark test of the views, via apt-get when
                           # run as root; and one venv per older DuckDB
                           # release in .venv-duckdb/, for the compatibility test), lint, run pytest

Both create ./.venv on first use and reuse it afterwards; pass --fresh to rebuild it.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
OLD_DUCKDB = ROOT / ".venv-duckdb"
# The release database is opened by each of these in tests/test_compat.py (the newest of each minor line).
OLD_DUCKDB_VERSIONS = ("1.0.0", "1.1.3", "1.2.2", "1.3.2", "1.4.4", "1.5.6")
R_PACKAGES = ("r-base-core", "r-cran-haven", "r-cran-readr")  # R reads the release's .dta files in tests/test_stata.py
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")


CLI = (BIN / "python", "-m", "jpkr_data.cli")  # not the console script: pip splits its shebang at a newline in the path
RUFF = (BIN / "python", "-m", "ruff")


def run(*cmd: str | Path) -> None:
    """Run a command: every path is one argv element, never spliced into a shell line or a script's shebang."""
    print("+", " ".join(repr(str(c)) if any(ch.isspace() or not ch.isprintable() for ch in str(c)) else str(c) for c in cmd), flush=True)
    subprocess.run([str(c) for c in cmd], cwd=ROOT, check=True)


def ensure_venv(extra: str, fresh: bool) -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 (dev.py runs before anything checks the version)
        sys.exit(f"jpkr-data needs Python 3.11 or newer; this is {sys.version.split()[0]}")
    if fresh or not (BIN / "python").exists():
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    run(BIN / "python", "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    run(BIN / "python", "-m", "pip", "install", "--quiet", "-e", f".{extra}")


def demo(fresh: bool) -> None:
    ensure_venv("", fresh)
    run(*CLI, "validate")
    run(*CLI, "timeline")
    run(*CLI, "sql", "SELECT a_article_id, a_asserted_by, a_value, b_article_id, b_asserted_by, b_value "
        "FROM disagreements WHERE subject_id = 'ev_jpn_export_controls' AND attribute = 'purpose'")


def apt_install(package: str) -> None:
    """Install a Debian package with apt-get when we are root on a Debian-like system; otherwise do nothing."""
    if shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0:
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "update", "-qq"], check=False, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", package], check=False, env=env, stdout=subprocess.DEVNULL)


def docs(fresh: bool) -> None:
    ensure_venv("", fresh)
    run(BIN / "python", "-m", "jpkr_data.docs_facts", "--write")


def ensure_chromium() -> None:
    """The dataset page is tested in headless Chromium: install Debian's package where we can."""
    if shutil.which("chromium") or shutil.which("chromium-browser"):
        return
    apt_install("chromium")
    if not shutil.which("chromium"):
        print("note: chromium is not available; the page test will be skipped", flush=True)


def ensure_r() -> None:
    """The .dta files are read with R's haven in tests/test_stata.py: install Debian's R packages where we can."""
    def has_haven() -> bool:
        rscript = shutil.which("Rscript")
        return rscript is not None and subprocess.run([rscript, "-e", "library(haven); library(readr)"], capture_output=True).returncode == 0
    if has_haven():
        return
    if shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0:
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "update", "-qq"], check=False, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *R_PACKAGES], check=False, env=env, stdout=subprocess.DEVNULL)
    if not has_haven():
        print(f"note: R with haven is not available (Debian: {' '.join(R_PACKAGES)}); the R tests of the .dta files will be skipped", flush=True)


def ensure_java() -> None:
    """The views are tested on Apache Spark (PySpark, from the test extra), which needs a Java 17 runtime: Debian's headless one."""
    if shutil.which("java"):
        return
    apt_install("openjdk-17-jre-headless")
    if not shutil.which("java"):
        print("note: java is not available; the Spark test of the views will be skipped", flush=True)


def ensure_old_duckdb() -> None:
    """One small venv per older DuckDB wheel (.venv-duckdb/<version>), reused once made."""
    for version in OLD_DUCKDB_VERSIONS:
        target = OLD_DUCKDB / version
        py = target / ("Scripts" if os.name == "nt" else "bin") / "python"
        if py.exists() and subprocess.run([str(py), "-c", f"import duckdb; assert duckdb.__version__ == {version!r}"],
                                          capture_output=True).returncode == 0:
            continue
        venv.EnvBuilder(with_pip=True, clear=True).create(target)
        result = subprocess.run([str(py), "-m", "pip", "install", "--quiet", f"duckdb=={version}"], cwd=ROOT)
        if result.returncode != 0:
            print(f"note: could not install duckdb=={version}; its compatibility test will be skipped", flush=True)


def test(fresh: bool) -> None:
    ensure_venv("[test]", fresh)
    ensure_chromium()
    ensure_r()
    ensure_java()
    ensure_old_duckdb()
    run(*RUFF, "check", "jpkr_data", "tests", "benchmarks", "curation", "dev.py", "hatch_build.py")
    run(BIN / "python", "-m", "pytest", "-q")


def main(argv: list[str]) -> None:
    fresh = "--fresh" in argv
    args = [a for a in argv if a != "--fresh"]
    commands = {"demo": demo, "docs": docs, "test": test, "old-duckdb": lambda fresh: ensure_old_duckdb()}
    if len(args) != 1 or args[0] not in commands:
        sys.exit(__doc__)
    try:
        commands[args[0]](fresh)
    except subprocess.CalledProcessError as exc:
        sys.exit(exc.returncode)


if __name__ == "__main__":
    main(sys.argv[1:])
