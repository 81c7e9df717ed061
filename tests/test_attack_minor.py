"""Attack class 8 (the report's minor findings): Ctrl-C, deep input, output encodings, reproducibility.

Ctrl-C ends any command with one line and exit 130, never a traceback; deep or recursive input is a
one-line error naming the file; a non-UTF-8 output encoding never silently changes a CSV or JSON value;
the README's list of files that are not byte-reproducible is exactly what two builds show."""
from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from built_release import built_release
from conftest import ROOT

from jpkr_data import cli
from jpkr_data.cli import main


def env(**extra: str) -> dict[str, str]:
    """The environment for a child process: this worktree first, the test session's private cache (read at call time)."""
    return {**os.environ, "PYTHONPATH": str(ROOT), **extra}


def _interrupt(args: list[str], delay: float, environment: dict | None = None) -> tuple[int, str]:
    p = subprocess.Popen([sys.executable, "-m", "jpkr_data.cli", *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                         env=environment or env(), cwd=ROOT)
    time.sleep(delay)
    p.send_signal(signal.SIGINT)
    _, err = p.communicate(timeout=120)
    return p.returncode, err.decode("utf-8", "replace")


@pytest.mark.parametrize("args, delay", [
    (["sql", "SELECT count(*) FROM range(100000000000) a"], 2.5),  # inside a DuckDB query
    (["validate"], 0.7),                                             # in the validator
    (["timeline", "--format", "csv"], 0.4),                          # while starting up / opening the cache
])
def test_ctrl_c_is_one_line_and_exit_130(args, delay):
    rc, err = _interrupt(args, delay)
    if rc == 0:
        pytest.skip("the command finished before the signal arrived")
    assert rc == 130 and len(err.strip().splitlines()) == 1 and "Traceback" not in err and "Exception ignored" not in err, err


def test_report_repro_ctrl_c_late_in_a_build_is_130_not_release_written(tmp_path):
    rc, err = _interrupt(["build", "--out", str(tmp_path / "s")], 3.0, env(JPKR_DATA_CACHE=str(tmp_path / "cache")))
    assert rc == 130 and "Traceback" not in err and "Exception ignored" not in err, err
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".s.")]


def test_interrupt_swallowed_inside_a_finaliser_still_exits_130(monkeypatch, capsys):
    class Finalised:
        def __del__(self):
            os.kill(os.getpid(), signal.SIGINT)  # Python reports the KeyboardInterrupt as "Exception ignored"

    def command(args) -> int:
        Finalised()
        return 0

    monkeypatch.setattr(cli, "cmd_validate", command)
    rc = main(["validate"])
    err = capsys.readouterr().err
    assert rc == 130 and "Exception ignored" not in err and len(err.strip().splitlines()) == 1


def test_duckdb_interrupted_error_is_130(monkeypatch, capsys):
    import duckdb

    def command(args) -> int:
        os.kill(os.getpid(), signal.SIGINT)
        raise duckdb.InterruptException("INTERRUPT Error: Interrupted!")

    monkeypatch.setattr(cli, "cmd_validate", command)
    assert main(["validate"]) == 130 and "internal error" not in capsys.readouterr().err


# -- deep or recursive input -------------------------------------------------------------------------------

def _diff_error(capsys, old: Path) -> str:
    rc = main(["diff", str(old), str(ROOT / "releases" / "0.2.0")])
    err = capsys.readouterr().err
    assert rc == 1 and len(err.strip().splitlines()) == 1 and "internal error" not in err and "Traceback" not in err, err
    return err


def test_report_repro_descriptor_nested_100k_deep(tmp_path, capsys):
    (tmp_path / "datapackage.json").write_text('{"resources": ' + "[" * 100_000 + "]" * 100_000 + "}", encoding="utf-8")
    assert "datapackage.json" in _diff_error(capsys, tmp_path)


def test_deep_object_descriptor_inside_a_zip(tmp_path, capsys):
    z = tmp_path / "deep.zip"
    with zipfile.ZipFile(z, "w") as f:
        f.writestr("datapackage.json", '{"a": ' + '{"a": ' * 50_000 + "1" + "}" * 50_000 + "}")
    assert "deep.zip" in _diff_error(capsys, z)


def _package(tmp_path: Path, field: dict, cell: str) -> Path:
    desc = {"name": "x", "resources": [{"name": "t", "path": "t.csv", "schema": {"fields": [{"name": "k"}, field], "primaryKey": ["k"]}}]}
    (tmp_path / "datapackage.json").write_text(json.dumps(desc), encoding="utf-8")
    (tmp_path / "t.csv").write_text("k,v\n1," + cell + "\n", encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("field, cell", [
    ({"name": "v", "type": "list", "delimiter": 5}, "a;b"),                           # the report's TypeError
    ({"name": "v", "type": "array"}, '"' + "[" * 5000 + "]" * 5000 + '"'),           # the report's deep array cell
    ({"name": "v", "type": "list", "delimiter": ""}, "a;b"),
    ({"name": "v", "type": "array"}, '"' + '{""a"":' * 3000 + "1" + "}" * 3000 + '"'),
])
def test_odd_field_specs_and_deep_cells_compare_as_text(tmp_path, capsys, field, cell):
    pkg = _package(tmp_path, field, cell)
    assert main(["diff", str(pkg), str(pkg), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["summary"] == {"added": 0, "removed": 0, "changed": 0}


# -- output encodings --------------------------------------------------------------------------------------

def _sql(encoding: str, fmt: str, query: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "jpkr_data.cli", "sql", query, "--format", fmt], capture_output=True,
                          env=env(PYTHONIOENCODING=encoding), timeout=120, cwd=ROOT)


QUERY = "SELECT '한국' AS k, 'café' AS l, '😀 U+1F600' AS e, 'plain' AS p"


@pytest.mark.parametrize("encoding", ["ascii", "latin-1", "cp1252"])
def test_report_repro_csv_in_a_narrow_encoding_stops_instead_of_changing_values(encoding):
    r = _sql(encoding, "csv", QUERY)
    err = r.stderr.decode(encoding, "replace")
    assert r.returncode == 1 and "cannot carry" in err and "\\ud55c" not in r.stdout.decode(encoding, "replace")


@pytest.mark.parametrize("encoding", ["ascii", "latin-1", "utf-8"])
def test_json_in_any_encoding_decodes_to_the_same_values(encoding):
    r = _sql(encoding, "json", QUERY)
    assert r.returncode == 0
    assert json.loads(r.stdout.decode(encoding)) == [{"k": "한국", "l": "café", "e": "😀 U+1F600", "p": "plain"}]


def test_csv_in_utf8_is_exact():
    r = _sql("utf-8", "csv", QUERY)
    assert r.returncode == 0 and r.stdout.decode("utf-8").splitlines()[1] == "한국,café,😀 U+1F600,plain"


# -- reproducibility: the README's claim -----------------------------------------------------------------

def test_readme_lists_exactly_the_files_that_differ_between_two_builds(tmp_path):
    from jpkr_data.publication.release import build_release

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    claim = re.search(r"Not byte-reproducible:(.*?)\.\s", text, re.S)
    assert claim, "README must say which release files are not byte-reproducible"
    first = built_release()
    version = json.loads((first / "datapackage.json").read_text(encoding="utf-8"))["version"]
    listed = {n.replace("<version>", version) for n in re.findall(r"`([^`]+)`", claim.group(1))}
    again = build_release(tmp_path / "again")

    def digests(root: Path) -> dict[str, str]:
        return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in root.rglob("*") if p.is_file()}

    a, b = digests(first), digests(again)
    assert set(a) == set(b)
    differ = {k for k in a if a[k] != b[k]}
    assert differ <= listed, sorted(differ - listed)
    assert listed <= set(a), sorted(listed - set(a))


def test_plot_labels_are_never_parsed_as_mathtext(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    rc = main(["plot-series", "--out", str(tmp_path / "p.png"), "--a", "$\\undefined$", "--b", "$x^{$"])
    assert rc == 0 and capsys.readouterr().err == ""


def test_a_write_failure_in_corpus_names_the_file(tmp_path, capsys, monkeypatch):
    import errno

    import jpkr_data.publication.corpus as corpus

    def full(target, write):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(corpus, "write_file", full)
    out = tmp_path / "c.jsonl"
    rc = main(["corpus", "--sources", str(ROOT / "data" / "sources"), "--out", str(out)])
    err = capsys.readouterr().err
    assert rc == 1 and str(out) in err and "No space left" in err and "error: :" not in err


# T4: a checkout, package or cache path with a newline or other control characters: every path is one argv element
# or one quoted SQL literal, never spliced into a command line, a shebang or a statement.
WEIRD = "chk\nout\t\x1b[31m é 'q\" ;$(x)"


def test_dev_demo_runs_in_a_checkout_whose_path_has_a_newline(tmp_path):
    import shutil
    import sysconfig

    checkout = tmp_path / WEIRD
    checkout.mkdir()
    shutil.copy2(ROOT / "dev.py", checkout / "dev.py")
    shutil.copy2(ROOT / "datapackage.json", checkout / "datapackage.json")
    for folder in ("data", "sql"):
        shutil.copytree(ROOT / folder, checkout / folder)
    (checkout / ".venv" / "bin").mkdir(parents=True)
    (checkout / ".venv" / "bin" / "python").symlink_to(sys.executable)  # the venv's python, reached through the odd path
    code = "import sys; sys.path.insert(0, sys.argv[1]); import dev; dev.ensure_venv = lambda *a: None; dev.demo(False)"
    environment = env(JPKR_DATA_ROOT=str(checkout), JPKR_DATA_CACHE=str(tmp_path / f"cache{WEIRD}"),
                      PYTHONPATH=os.pathsep.join([str(ROOT), sysconfig.get_paths()["purelib"]]))
    r = subprocess.run([sys.executable, "-c", code, str(checkout)], capture_output=True, text=True, env=environment, timeout=300)
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr[-2000:]
    assert "valid:" in r.stdout and "Kang Kyung-wha" in r.stdout and "retaliation" in r.stdout and "(5 rows)" in r.stdout  # validate, then the query answered
    assert any(p.name.startswith("jpkr-") for p in (tmp_path / f"cache{WEIRD}").iterdir())


def test_package_and_cache_paths_with_control_characters_build_and_answer(tmp_path, capsys, monkeypatch):
    import shutil

    import jpkr_data

    pkg = tmp_path / f"pkg{WEIRD}\r\x7f"
    pkg.mkdir()
    shutil.copy2(ROOT / "datapackage.json", pkg / "datapackage.json")
    for folder in ("data", "sql"):
        shutil.copytree(ROOT / folder, pkg / folder)
    cache = tmp_path / f"c{WEIRD}"
    monkeypatch.setenv("JPKR_DATA_CACHE", str(cache))
    with jpkr_data.connect(pkg) as s:
        assert s.database is not None and str(s.database).startswith(str(cache))
        assert s.execute("SELECT count(*) FROM events").fetchone()[0] > 50
    assert main(["validate", str(pkg)]) == 0 and "valid:" in capsys.readouterr().out
