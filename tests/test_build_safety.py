"""`build --out DIR` never destroys (issue #10): refusals (D1, D2), killed builds (D3), concurrent builds (D4), failures, cleanup."""
from __future__ import annotations

import errno
import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from killed_build import fake_build

from jpkr_data.publication import release as release_mod
from jpkr_data.publication import swap, target
from jpkr_data.publication.release import build_release
from jpkr_data.publication.target import MARKER, ReleaseTarget, TargetError, check_target, clean_leftovers, release_target

DRIVER = Path(__file__).with_name("killed_build.py")
DATASET = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))["name"]
OLD_VERSION = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))["version"]
NEW_VERSION = OLD_VERSION + "-next"


# ---------------------------------------------------------------- helpers

def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def verify(d: Path) -> str:
    """Assert that `d` is one complete release (SHA256SUMS and marker match every file); return its version."""
    sums = dict(reversed(line.split("  ", 1)) for line in (d / "SHA256SUMS").read_text(encoding="utf-8").splitlines())
    version = json.loads((d / "datapackage.json").read_text(encoding="utf-8"))["version"]
    files = {p.relative_to(d).as_posix() for p in d.rglob("*") if p.is_file()}
    expected = set(sums) | {"SHA256SUMS", MARKER, f"jpkr-data-{version}.zip"}
    assert files == expected, files ^ expected
    for name, digest in sums.items():
        assert sha256(d / name) == digest, name
    marker = json.loads((d / MARKER).read_text(encoding="utf-8"))
    assert set(marker["files"]) == files - {MARKER}
    assert all(sha256(d / name) == digest for name, digest in marker["files"].items())
    assert marker["version"] == version and marker["dataset"] == DATASET
    assert check_target(ReleaseTarget(d, DATASET)) == "release"
    return version


def snapshot(root: Path) -> dict[str, tuple]:
    """Every entry below `root` (and root itself): kind, mode and content hash or link target."""
    out = {}
    for p in [root, *root.rglob("*")]:
        st_ = os.lstat(p)
        rel = p.relative_to(root).as_posix()
        if p.is_symlink():
            out[rel] = ("link", os.readlink(p))
        elif p.is_dir():
            out[rel] = ("dir", st_.st_mode)
        elif p.is_file():
            out[rel] = ("file", st_.st_mode, sha256(p))
        else:
            out[rel] = ("other", st_.st_mode)
    return out


def hidden(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.startswith("."))


def cli(*args: str, cwd: Path | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    return subprocess.run([sys.executable, "-m", "jpkr_data.cli", "build", *args], capture_output=True, text=True, cwd=cwd,
                          env=env, timeout=timeout)


def assert_one_line_error(r: subprocess.CompletedProcess, *needles: str) -> None:
    assert r.returncode == 1, (r.returncode, r.stderr)
    assert "Traceback" not in r.stderr and r.stderr.startswith("error: ") and r.stderr.count("\n") == 1, r.stderr
    for n in needles:
        assert n in r.stderr, (n, r.stderr)


def refused(out: Path | str, path: Path | None = None) -> str:
    with pytest.raises(TargetError) as e:
        build_release(out, path)
    return str(e.value)


def fake_release(d: Path, files: dict[str, bytes], dataset: str = DATASET) -> Path:
    """A small folder marked as a release by the real marker writer (for fast checks of check_target)."""
    d.mkdir(parents=True)
    for rel, data in files.items():
        (d / rel).parent.mkdir(parents=True, exist_ok=True)
        (d / rel).write_bytes(data)
    target.write_release_marker(d, dataset, "1.0")
    return d


SMALL = {"datapackage.json": b"{}", "data/events.csv": b"event_id\nev_1\n", "site/index.html": b"<html></html>", "SHA256SUMS": b""}


@pytest.fixture(scope="module")
def old_release(tmp_path_factory) -> Path:
    """One real release of the bundled package, built once; tests copy it, never change it."""
    return build_release(tmp_path_factory.mktemp("safety") / "old")


@pytest.fixture(scope="module")
def new_pkg(tmp_path_factory) -> Path:
    """The package with another version, so that an old and a new release can be told apart."""
    dst = tmp_path_factory.mktemp("newpkg") / "pkg"
    dst.mkdir()
    d = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
    d["version"] = NEW_VERSION
    (dst / "datapackage.json").write_text(json.dumps(d, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    shutil.copytree(ROOT / "data", dst / "data")
    shutil.copytree(ROOT / "sql", dst / "sql")
    return dst


def copy_release(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst, symlinks=True)
    return dst


# ---------------------------------------------------------------- D1: DIR holds something that is not an earlier release

def test_d1_refuses_a_home_folder_with_documents(tmp_path):
    home = tmp_path / "home"
    (home / "Documents").mkdir(parents=True)
    (home / "Documents" / "thesis.docx").write_bytes(b"PK\x03\x04 years of work")
    (home / ".bashrc").write_text("export PATH\n")
    (home / ".ssh").mkdir()
    (home / ".ssh" / "id_ed25519").write_text("-----BEGIN KEY-----\n")
    before = snapshot(tmp_path)
    msg = refused(home)
    assert str(home) in msg and "not a jpkr-data release" in msg and "'Documents'" in msg
    assert snapshot(tmp_path) == before


@pytest.fixture()
def checkout(tmp_path) -> Path:
    """A copy of the source checkout with a fake .git (the code itself is imported from the installed package)."""
    co = tmp_path / "checkout"
    shutil.copytree(ROOT, co, ignore=shutil.ignore_patterns(".venv", ".git", "__pycache__", ".*_cache", ".hypothesis", "jpkr_data", "*.egg-info"))
    (co / ".git" / "objects").mkdir(parents=True)
    (co / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    return co


@pytest.mark.parametrize("out", [".", "data/.."])
def test_d1_refuses_the_checkout_and_anything_in_it(checkout, out):
    assert (checkout / "data" / "sources").is_dir()
    before = snapshot(checkout.parent)
    r = cli("--out", out, "--path", ".", cwd=checkout)
    shown = os.path.abspath(checkout / out)
    assert_one_line_error(r, shown, "not a jpkr-data release")
    assert snapshot(checkout.parent) == before


def test_d1_refuses_a_folder_with_one_stray_file(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("keep me\n")
    before = snapshot(tmp_path)
    assert "'notes.txt'" in refused(out)
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("inside", ["data/sources", "data", "sql", ".git", ".."])
def test_d1_refuses_folders_of_the_checkout(checkout, inside):
    before = snapshot(checkout.parent)
    with pytest.raises(TargetError, match="not a jpkr-data release"):
        check_target(release_target(checkout / inside, DATASET))
    assert snapshot(checkout.parent) == before


def test_d1_refuses_a_folder_holding_an_unrelated_datapackage(tmp_path):
    out = tmp_path / "other"
    out.mkdir()
    (out / "datapackage.json").write_text(json.dumps({"name": DATASET, "resources": []}))
    (out / "data.csv").write_text("a\n1\n")
    before = snapshot(tmp_path)
    assert "no .jpkr-release marker" in refused(out)
    assert snapshot(tmp_path) == before


def test_d1_refuses_a_forged_marker_of_another_dataset(old_release, tmp_path):
    out = copy_release(old_release, tmp_path / "rel")
    marker = json.loads((out / MARKER).read_text(encoding="utf-8"))
    marker["dataset"] = "someone-elses-data"
    (out / MARKER).write_text(json.dumps(marker), encoding="utf-8")
    before = snapshot(tmp_path)
    assert "'someone-elses-data'" in refused(out)
    assert snapshot(tmp_path) == before


def test_d1_refuses_a_release_the_user_added_a_file_to_through_the_cli(old_release, tmp_path):
    out = copy_release(old_release, tmp_path / "rel")
    (out / "site" / "my-analysis.ipynb").write_text("{}")
    before = snapshot(tmp_path)
    assert_one_line_error(cli("--out", str(out)), str(out), "'site/my-analysis.ipynb'")
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("attack", ["edit a file", "add a file", "add an empty folder", "replace a file by a symlink",
                                    "symlink the marker", "add a fifo", "marker lists ../escape", "marker not JSON",
                                    "marker nested 100000 deep", "marker 2 MB", "marker is a folder", "marker of the staging format"])
def test_d1_refuses_a_release_that_is_no_longer_what_the_build_wrote(tmp_path, attack):
    d = fake_release(tmp_path / "rel", SMALL)
    m = d / MARKER
    outside = tmp_path / "elsewhere.json"
    if attack == "edit a file":
        (d / "data" / "events.csv").write_bytes(b"event_id\nev_1\nmy own row\n")
    elif attack == "add a file":
        (d / "data" / "mine.csv").write_text("x\n")
    elif attack == "add an empty folder":
        (d / "drafts").mkdir()
    elif attack == "replace a file by a symlink":
        (d / "site" / "index.html").unlink()
        (d / "site" / "index.html").symlink_to(outside)
    elif attack == "symlink the marker":
        shutil.move(m, outside)
        m.symlink_to(outside)
    elif attack == "add a fifo":
        os.mkfifo(d / "data" / "pipe")
    elif attack == "marker lists ../escape":
        marker = json.loads(m.read_text())
        marker["files"]["../escape"] = "0" * 64
        m.write_text(json.dumps(marker))
    elif attack == "marker not JSON":
        m.write_bytes(b"\xff\xfe not json")
    elif attack == "marker nested 100000 deep":
        m.write_text("[" * 100_000 + "]" * 100_000)
    elif attack == "marker 2 MB":
        m.write_text(json.dumps({"format": target.MARKER_FORMAT, "dataset": DATASET, "pad": "x" * 2_000_000}))
    elif attack == "marker is a folder":
        m.unlink()
        m.mkdir()
    elif attack == "marker of the staging format":
        marker = json.loads(m.read_text())
        marker["format"] = target.STAGING_FORMAT
        m.write_text(json.dumps(marker))
    before = snapshot(tmp_path)
    with pytest.raises(TargetError, match="refusing to build into"):
        check_target(ReleaseTarget(d, DATASET))
    assert snapshot(tmp_path) == before


def test_a_release_missing_some_files_may_be_replaced(tmp_path):
    """Deleting files from a release loses nothing when it is replaced: accepted."""
    d = fake_release(tmp_path / "rel", SMALL)
    (d / "site" / "index.html").unlink()
    assert check_target(ReleaseTarget(d, DATASET)) == "release"
    assert check_target(ReleaseTarget(tmp_path / "new", DATASET)) == "absent"
    (tmp_path / "empty").mkdir()
    assert check_target(ReleaseTarget(tmp_path / "empty", DATASET)) == "empty"


SEGMENT = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789._-", min_size=1, max_size=12).filter(lambda s: s not in (".", ".."))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parts=st.lists(SEGMENT, min_size=1, max_size=3), data=st.binary(max_size=64))
def test_d1_any_added_file_makes_a_release_foreign(tmp_path_factory, parts, data):
    d = fake_release(tmp_path_factory.mktemp("h") / "rel", SMALL)
    rel = "/".join(parts)
    existing = {p.relative_to(d).as_posix() for p in d.rglob("*")}
    if rel in existing or any(rel.startswith(e + "/") for e in existing if (d / e).is_file()):
        return
    (d / rel).parent.mkdir(parents=True, exist_ok=True)
    (d / rel).write_bytes(data)
    before = snapshot(d)
    with pytest.raises(TargetError):
        check_target(ReleaseTarget(d, DATASET))
    assert snapshot(d) == before


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(which=st.sampled_from(sorted(SMALL)), pos=st.integers(min_value=0, max_value=100), byte=st.integers(min_value=0, max_value=255))
def test_d1_any_changed_byte_makes_a_release_foreign(tmp_path_factory, which, pos, byte):
    d = fake_release(tmp_path_factory.mktemp("h") / "rel", SMALL)
    data = bytearray((d / which).read_bytes())
    if pos < len(data):
        if data[pos] == byte:
            return
        data[pos] = byte
    else:
        data.append(byte)
    (d / which).write_bytes(bytes(data))
    with pytest.raises(TargetError, match=which):
        check_target(ReleaseTarget(d, DATASET))


JSONISH = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                       lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=10), kids, max_size=4), max_leaves=20)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=st.one_of(st.binary(max_size=200), JSONISH.map(lambda v: json.dumps(v).encode()),
                         st.dictionaries(st.sampled_from(["format", "dataset", "files", "version"]), JSONISH, max_size=4)
                         .map(lambda d: json.dumps({**d, "format": target.MARKER_FORMAT}).encode())))
def test_d1_an_arbitrary_marker_is_refused_with_a_clear_error(tmp_path_factory, content):
    d = fake_release(tmp_path_factory.mktemp("h") / "rel", SMALL)
    (d / MARKER).write_bytes(content)
    try:
        verdict = check_target(ReleaseTarget(d, DATASET))
    except TargetError as exc:
        assert str(d) in str(exc)
        return
    # only a marker that really names this dataset and lists (a subset of) these files with their hashes may pass
    marker = json.loads(content)
    assert verdict == "release" and marker["dataset"] == DATASET
    assert all(sha256(d / rel) == h for rel, h in marker["files"].items() if (d / rel).exists())


# ---------------------------------------------------------------- D2: DIR is not a folder, or its parent is unusable

def test_d2_refuses_a_file(tmp_path):
    out = tmp_path / "report.pdf"
    out.write_bytes(b"%PDF-1.7 precious")
    before = snapshot(tmp_path)
    assert "is a file" in refused(out)
    assert snapshot(tmp_path) == before and not (tmp_path / ".report.pdf.old").exists()


@pytest.mark.parametrize("where", ["release", "empty folder", "dangling"])
def test_d2_refuses_a_symlink(old_release, tmp_path, where):
    dest = {"release": old_release, "empty folder": tmp_path / "empty", "dangling": tmp_path / "nowhere"}[where]
    if where == "empty folder":
        dest.mkdir()
    out = tmp_path / "link"
    out.symlink_to(dest)
    before, before_release = snapshot(tmp_path), snapshot(old_release)
    assert "symbolic link" in refused(out)
    assert snapshot(tmp_path) == before and snapshot(old_release) == before_release


def test_d2_refuses_a_fifo_without_blocking(tmp_path):
    os.mkfifo(tmp_path / "pipe")
    with pytest.raises(TargetError, match="not a folder"):
        check_target(release_target(tmp_path / "pipe", DATASET))


def test_d2_refuses_a_missing_or_odd_parent_and_odd_paths(tmp_path):
    (tmp_path / "afile").write_text("x")
    before = snapshot(tmp_path)
    with pytest.raises(TargetError, match="does not exist"):
        release_target(tmp_path / "no" / "such" / "out", DATASET)
    with pytest.raises(TargetError, match="not a folder|cannot be used"):
        release_target(tmp_path / "afile" / "out", DATASET)
    for bad in ["", "/", "out\0x", b"\0", b"\xff/\0"]:
        with pytest.raises(TargetError):
            release_target(bad, DATASET)
    assert snapshot(tmp_path) == before


def test_d2_cli_errors_are_one_line_naming_the_path(tmp_path):
    (tmp_path / "file").write_text("mine")
    (tmp_path / "dangling").symlink_to(tmp_path / "gone")
    for out, needle in [(tmp_path / "file", "is a file"), (tmp_path / "dangling", "symbolic link"),
                        (tmp_path / "missing" / "out", "does not exist")]:
        assert_one_line_error(cli("--out", str(out)), str(out), needle)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dangling", "file"]


@pytest.fixture()
def mount(tmp_path):
    """Mount a tmpfs (root only) and unmount it afterwards."""
    mounted = []

    def do(where: Path, options: str) -> None:
        where.mkdir(exist_ok=True)
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)], capture_output=True)
        if r.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {r.stderr.decode(errors='replace').strip()}")
        mounted.append(where)

    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root")
    yield do
    for where in reversed(mounted):
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


def test_d2_refuses_a_parent_that_is_not_writable(tmp_path, mount):
    ro = tmp_path / "ro"
    mount(ro, "size=1m")
    (ro / "rel").mkdir()
    subprocess.run(["mount", "-o", "remount,ro", str(ro)], check=True)
    r = cli("--out", str(ro / "rel"))
    assert_one_line_error(r, str(ro / "rel"))
    assert "Read-only" in r.stderr or "not writable" in r.stderr
    assert sorted(p.name for p in ro.iterdir()) == ["rel"]


def test_d2_a_hostile_lock_file_is_never_followed(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("do not touch\n")
    (tmp_path / ".out.jpkr-lock").symlink_to(victim)
    (tmp_path / ".dir.jpkr-lock").mkdir()
    before = snapshot(tmp_path)
    for name in ("out", "dir"):
        with pytest.raises(TargetError, match="lock file"), target.staging(release_target(tmp_path / name, DATASET)):
            pass
    assert snapshot(tmp_path) == before


# ---------------------------------------------------------------- cleanup: only dead staging folders this tool made

def test_cleanup_removes_only_dead_staging_folders_of_this_tool(tmp_path):
    import fcntl

    t = release_target(tmp_path / "rel", DATASET)
    p = t.staging_prefix

    def staging_dir(name: str, marker: dict | bytes | None, extra: bool = True) -> Path:
        w = tmp_path / name
        w.mkdir()
        if marker is not None:
            (w / target.STAGING_MARKER).write_bytes(marker if isinstance(marker, bytes) else json.dumps(marker).encode())
        if extra:
            (w / "release" / "data").mkdir(parents=True)
            (w / "release" / "data" / "events.csv").write_text("event_id\n")
        return w

    ours = {"format": target.STAGING_FORMAT, "target": "rel", "pid": 1}
    dead = [staging_dir(p + "1" * 16, None, extra=False),          # killed right after mkdir
            staging_dir(p + "2" * 16, b"", extra=False),           # killed before the marker was written
            staging_dir(p + "3" * 16, ours)]                       # killed while writing the release
    live = staging_dir(p + "4" * 16, ours)
    keep = [live,
            staging_dir(p + "5" * 16, None),                       # right name, no marker: not ours
            staging_dir(p + "6" * 16, {**ours, "target": "other"}),  # marker for another DIR
            staging_dir(p + "7" * 16, b"", extra=True),            # empty marker but content: not provably ours
            staging_dir(p + "8" * 16, b"{\"format\": \"something else\"}"),
            staging_dir(p + "NOTHEX0123456789", ours),             # name outside the pattern
            staging_dir(".rel.jpkr-build-" + "9" * 15, ours),      # too short
            staging_dir("rel.jpkr-build-" + "a" * 16, ours)]       # not hidden: not ours
    real = staging_dir("elsewhere", ours)
    (tmp_path / (p + "b" * 16)).symlink_to(real)                   # a symlink to a valid staging folder
    keep.append(tmp_path / (p + "b" * 16))
    linked = staging_dir(p + "c" * 16, None)
    (linked / target.STAGING_MARKER).symlink_to(real / target.STAGING_MARKER)  # marker is a symlink
    keep.append(linked)
    fd = os.open(live / target.STAGING_MARKER, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)                                # a running build holds its marker
    try:
        before = {k: v for k, v in snapshot(tmp_path).items() if not any(k.startswith(d.name) for d in dead)}
        with target.locked(t):
            clean_leftovers(t)
    finally:
        os.close(fd)
    assert not any(d.exists() for d in dead)
    assert snapshot(tmp_path) == before


def test_lock_excludes_threads_and_processes_and_leaves_no_file(tmp_path):
    t = release_target(tmp_path / "rel", DATASET)
    inside, seen, errors = [0], [], []

    def worker():
        try:
            for _ in range(15):
                with target.locked(t):
                    inside[0] += 1
                    seen.append(inside[0])
                    time.sleep(0.001)
                    inside[0] -= 1
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == [] and len(seen) == 90 and set(seen) == {1}
    assert list(tmp_path.iterdir()) == []


def test_a_held_lock_makes_the_build_refuse_after_its_wait(tmp_path, monkeypatch):
    fake_build(tmp_path / "rel", "1")
    monkeypatch.setattr(target, "LOCK_WAIT", 0.3)
    before = snapshot(tmp_path)
    with target.locked(release_target(tmp_path / "rel", DATASET)):
        with pytest.raises(TargetError, match=r"another build .*\.rel\.jpkr-lock"):
            fake_build(tmp_path / "rel", "2")
    assert snapshot(tmp_path) == before and hidden(tmp_path) == []


# ---------------------------------------------------------------- failures: exceptions, disk full

def _raise_at(step_name: str):
    def progress(step: str) -> None:
        if step == step_name:
            raise RuntimeError(f"injected failure at {step}")
    return progress


def _enospc(*args, **kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), "injected")


@pytest.mark.parametrize("fault", ["exception at step tables", "disk full writing the codebook"])
def test_a_failing_build_leaves_the_earlier_release_and_no_stray_files(old_release, tmp_path, monkeypatch, fault):
    out = copy_release(old_release, tmp_path / "rel")
    before = snapshot(tmp_path)
    progress = None
    if fault.startswith("exception at step"):
        progress = _raise_at(fault.rsplit(" ", 1)[1])
    else:
        real = release_mod.write_text
        monkeypatch.setattr(release_mod, "write_text", lambda p, text: _enospc() if p.name == "CODEBOOK.md" else real(p, text))
    with pytest.raises((OSError, RuntimeError)):
        build_release(out, None, progress=progress)
    assert snapshot(tmp_path) == before and hidden(tmp_path) == []


@pytest.mark.parametrize("fault", ["disk full writing the marker", "disk full fsyncing", "I/O error in the exchange",
                                   "a user file appears while the build runs", "no exchange and the second rename fails",
                                   "KeyboardInterrupt while staging"])
def test_a_failing_publish_leaves_the_earlier_release_and_no_stray_files(tmp_path, monkeypatch, fault):
    out = tmp_path / "rel"
    fake_build(out, "1")
    before = snapshot(tmp_path)
    if fault == "disk full writing the marker":
        monkeypatch.setattr(target, "write_release_marker", _enospc)
    elif fault == "disk full fsyncing":
        monkeypatch.setattr(target, "file_sha256", _enospc)
    elif fault == "I/O error in the exchange":
        def eio(a, b):
            raise OSError(errno.EIO, "injected I/O error")
        monkeypatch.setattr(swap, "exchange", eio)
    elif fault == "a user file appears while the build runs":
        real_check = target.check_target

        def user_saves_then_check(t):
            if t.path.is_dir():
                (out / "late.txt").write_text("a user saved this while the build ran\n")
            return real_check(t)
        monkeypatch.setattr(target, "check_target", user_saves_then_check)
    elif fault == "no exchange and the second rename fails":
        def unsupported(a, b):
            raise swap.Unsupported(errno.EINVAL, "no RENAME_EXCHANGE (test)")
        real_rename, calls = os.rename, []

        def rename(src, dst):
            calls.append(src)
            if len(calls) == 2:
                raise OSError(errno.EIO, "injected I/O error", str(src))
            real_rename(src, dst)
        monkeypatch.setattr(swap, "exchange", unsupported)
        monkeypatch.setattr(swap.os, "rename", rename)
    elif fault == "KeyboardInterrupt while staging":
        def interrupt(*args):
            raise KeyboardInterrupt
        monkeypatch.setattr(target, "write_release_marker", interrupt)
    with pytest.raises((OSError, TargetError, KeyboardInterrupt)) as e:
        fake_build(out, "2")
    monkeypatch.undo()
    assert str(out) in str(e.value) or isinstance(e.value, (KeyboardInterrupt, OSError))
    after = snapshot(tmp_path)
    if fault == "a user file appears while the build runs":
        assert after.pop("rel/late.txt")[0] == "file" and "late.txt" in str(e.value)
        (out / "late.txt").unlink()
    assert after == before and hidden(tmp_path) == []
    assert verify(out) == "1"


def test_disk_full_on_a_real_small_file_system_keeps_the_release(old_release, tmp_path, mount):
    disk = tmp_path / "disk"
    size = sum(p.stat().st_size for p in old_release.rglob("*") if p.is_file())
    mount(disk, f"size={size + 3 * 1024 * 1024}")
    out = copy_release(old_release, disk / "rel")
    before = snapshot(disk)
    r = cli("--out", str(out))
    assert_one_line_error(r, str(out), "unchanged")
    assert snapshot(disk) == before and hidden(disk) == []
    assert verify(out) == OLD_VERSION


# ---------------------------------------------------------------- D3: SIGKILL at many moments

def killed(out: Path, pkg: Path | str, moment: str, *flags: str) -> int:
    r = subprocess.run([sys.executable, str(DRIVER), str(out), str(pkg), moment, *flags], capture_output=True, text=True, timeout=300)
    assert "Traceback" not in r.stderr, r.stderr
    return r.returncode


def assert_only_tool_leftovers(parent: Path, out: Path) -> None:
    t = release_target(out, DATASET)
    for name in hidden(parent):
        assert t.staging_pattern().fullmatch(name) or parent / name == t.lock_path, name


# moment, and whether the new release is at DIR afterwards (None: either, depending on what earlier kills left)
INNER_MOMENTS = [("after:target._new_staging", False), ("after:target.clean_leftovers", False), ("before:target.write_release_marker", False),
                 ("after:target.write_release_marker", False), ("before:target.check_target", False), ("after:target._remove_staging", None),
                 ("before:swap.exchange", False), ("after:swap.exchange", True), ("after:target.publish", True), ("after:swap.fsync_dir", None),
                 ("before:target.clean_leftovers", False), ("after:target.locked", None)]
REAL_MOMENTS = [("step:validate", False), ("step:zip", False), ("before:swap.exchange", False),
                ("after:swap.exchange", True), ("step:database", False), ("after:release.publish", True)]


def kill_chain(out: Path, moments: list[tuple[str, bool | None]], packages: list[tuple[Path | str, str]], first: str) -> set[str]:
    """Kill one build per moment (alternating packages); after each DIR must be the old or, once swapped, the new release."""
    current, left = first, set()
    for i, (moment, swapped) in enumerate(moments):
        pkg, version = packages[i % 2]
        assert killed(out, pkg, moment) == -signal.SIGKILL, moment
        found = verify(out)
        assert found == {True: version, False: current, None: found}[swapped], (moment, found)
        assert_only_tool_leftovers(out.parent, out)
        left |= set(hidden(out.parent))
        current = found
    return left


def test_d3_sigkill_at_every_moment_of_the_target_handling(tmp_path):
    out = tmp_path / "rel"
    fake_build(out, "1")
    left = kill_chain(out, INNER_MOMENTS * 2, [("fake:2", "2"), ("fake:3", "3")], "1")
    assert len(left) >= 8 and hidden(tmp_path)  # killed builds did leave staging folders (and lock files) behind ...
    fake_build(out, "4")
    assert verify(out) == "4" and sorted(p.name for p in tmp_path.iterdir()) == ["rel"]  # ... and the next build removed them


def test_d3_sigkill_a_real_build_between_steps(old_release, new_pkg, tmp_path):
    out = copy_release(old_release, tmp_path / "rel")
    kill_chain(out, REAL_MOMENTS, [(new_pkg, NEW_VERSION), (ROOT, OLD_VERSION)], OLD_VERSION)
    assert hidden(tmp_path)
    build_release(out, new_pkg)
    assert verify(out) == NEW_VERSION
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rel"]


def random_kills(out: Path, packages: list[str], delays: list[float], seed: int) -> list[tuple[float, int]]:
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    outcomes = []
    for i, delay in enumerate(delays):
        proc = subprocess.Popen([sys.executable, str(DRIVER), str(out), packages[i % len(packages)], "none"], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        _, err = proc.communicate(timeout=300)
        outcomes.append((round(delay, 2), proc.returncode))
        assert b"Traceback" not in err, (seed, err)
        verify(out)
        assert_only_tool_leftovers(out.parent, out)
    return outcomes


def test_d3_sigkill_after_random_delays(old_release, new_pkg, tmp_path):
    seed = int.from_bytes(os.urandom(4), "big")
    rnd = random.Random(seed)
    fake = tmp_path / "fake" / "rel"
    fake.parent.mkdir()
    fake_build(fake, "1")
    outcomes = random_kills(fake, ["fake:2", "fake:3"], [rnd.uniform(0.05, 1.5) for _ in range(12)], seed)
    fake_build(fake, "4")
    assert verify(fake) == "4" and sorted(p.name for p in fake.parent.iterdir()) == ["rel"], (seed, outcomes)
    out = copy_release(old_release, tmp_path / "real" / "rel")
    outcomes = random_kills(out, [str(new_pkg), str(ROOT)], [rnd.uniform(0.5, 6.0) for _ in range(3)], seed)
    build_release(out, new_pkg)
    assert verify(out) == NEW_VERSION and sorted(p.name for p in out.parent.iterdir()) == ["rel"], (seed, outcomes)


def test_d3_fallback_without_exchange_killed_between_renames_is_restored(tmp_path):
    out = tmp_path / "rel"
    fake_build(out, "1")
    assert killed(out, "fake:2", "rename:1", "no-exchange") == -signal.SIGKILL
    assert not out.exists()  # the documented window of the two-rename fallback ...
    (previous,) = [p / "previous" for p in tmp_path.iterdir() if (p / "previous").is_dir()]
    assert verify(previous) == "1"  # ... with the earlier release whole in the staging folder
    t = release_target(out, DATASET)
    with target.locked(t):
        clean_leftovers(t)
    assert verify(out) == "1" and sorted(p.name for p in tmp_path.iterdir()) == ["rel"]
    assert killed(out, "fake:2", "rename:2", "no-exchange") == -signal.SIGKILL
    assert verify(out) == "2"
    assert killed(out, "fake:3", "rename:1", "no-exchange") == -signal.SIGKILL
    fake_build(out, "4")  # the next build restores the earlier release, then replaces it
    assert verify(out) == "4" and sorted(p.name for p in tmp_path.iterdir()) == ["rel"]


# ---------------------------------------------------------------- D4: concurrent builds into one DIR

def concurrent_round(argvs: list[list[str]], out: Path) -> list[tuple[int, str, str]]:
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    procs = [subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for argv in argvs]
    results = [(p.wait(timeout=600), *p.communicate()) for p in procs]
    for code, _stdout, stderr in results:
        assert "Traceback" not in stderr and "FileNotFoundError" not in stderr, stderr
        assert code == 0 or (code == 1 and stderr.startswith("error: ") and stderr.count("\n") == 1), (code, stderr)
    assert any(code == 0 for code, _, _ in results), results
    assert sorted(p.name for p in out.parent.iterdir()) == [out.name]
    return results


def test_d4_four_concurrent_real_builds_into_one_dir(new_pkg, tmp_path):
    out = tmp_path / "rel"
    out.mkdir()  # round 1 starts from an empty folder, round 2 from a release
    for _ in range(2):
        results = concurrent_round([[sys.executable, "-m", "jpkr_data.cli", "build", "--out", str(out), "--path", str(new_pkg if k % 2 else ROOT)]
                                    for k in range(4)], out)
        assert all(code != 0 or stdout == f"release written to {out}\n" for code, stdout, _ in results)
        assert verify(out) in (OLD_VERSION, NEW_VERSION)


def test_d4_many_concurrent_builds_many_rounds(tmp_path):
    out = tmp_path / "rel"
    for rnd in range(5):
        concurrent_round([[sys.executable, str(DRIVER), str(out), f"fake:{rnd}.{k}", "none"] for k in range(6)], out)
        assert verify(out).startswith(f"{rnd}.")


# ---------------------------------------------------------------- the swap primitives

def test_exchange_swaps_two_folders_in_one_step(tmp_path, monkeypatch):
    if not sys.platform.startswith("linux"):
        pytest.skip("renameat2 is Linux-only; elsewhere the documented two-rename fallback runs")
    a, b = tmp_path / "a", tmp_path / "b"
    for d in (a, b):
        d.mkdir()
        (d / "who").write_text(d.name)
    swap.exchange(a, b)
    assert (a / "who").read_text() == "b" and (b / "who").read_text() == "a"
    with pytest.raises(FileExistsError):
        swap.move_new(a, b)
    with pytest.raises(FileNotFoundError):
        swap.exchange(a, tmp_path / "missing")
    libc = swap._libc()

    class SyscallOnly:  # a C library without the renameat2 wrapper (glibc < 2.28): the raw syscall is used
        syscall = libc.syscall
    monkeypatch.setattr(swap, "_libc", lambda: SyscallOnly())
    swap.exchange(a, b)
    assert (a / "who").read_text() == "a" and (b / "who").read_text() == "b"
    swap.move_new(a, tmp_path / "c")
    assert (tmp_path / "c" / "who").read_text() == "a" and not a.exists()
    monkeypatch.setattr(swap, "_libc", lambda: None)  # not Linux: Unsupported, and move_new falls back to os.rename
    with pytest.raises(swap.Unsupported):
        swap.exchange(b, tmp_path / "c")
    with pytest.raises(FileExistsError):
        swap.move_new(b, tmp_path / "c")
    swap.move_new(b, tmp_path / "d")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c", "d"]
