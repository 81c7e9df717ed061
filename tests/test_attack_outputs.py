"""Attack class 3: outputs never replace what they should not.

export, plot-series and corpus write through swap.write_file: an unpredictable temporary name created
exclusively beside the target, then a rename; a device, FIFO or a link to one is written into, never
replaced; a link to a regular file keeps being a link; the brat folder is replaced only when every file
in it is one the previous run wrote, unchanged; nothing else beside the target is touched."""
from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest
from conftest import ROOT

from jpkr_data.cli import main
from jpkr_data.publication.swap import write_file


def run(capsys, *args: str) -> tuple[int, str, str]:
    rc = main(list(args))
    out, err = capsys.readouterr()
    return rc, out, err


def test_planted_symlink_at_the_old_predictable_temp_name_is_not_followed(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("victim content", encoding="utf-8")
    out = tmp_path / "out.tsv"
    for name in (f".out.tsv.tmp-{os.getpid()}", f".out.tsv.tmp-{os.getpid()}.png", ".out.tsv.tmp"):
        (tmp_path / name).symlink_to(victim)
    write_file(out, lambda fh: fh.write(b"new"))
    assert victim.read_text(encoding="utf-8") == "victim content" and out.read_bytes() == b"new" and not out.is_symlink()


def test_temp_names_are_unpredictable_and_exclusive(tmp_path, monkeypatch):
    seen: list[str] = []
    real_replace = os.replace

    def spy(src, dst):
        seen.append(Path(src).name)
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    for _ in range(3):
        write_file(tmp_path / "x.bin", lambda fh: fh.write(b"1"))
    assert len(set(seen)) == 3 and all(n.startswith(".x.bin.") for n in seen)


def test_symlink_to_a_regular_file_stays_a_link_and_its_file_gets_the_data(tmp_path):
    real = tmp_path / "t.tsv"
    real.write_text("keep", encoding="utf-8")
    link = tmp_path / "link.tsv"
    link.symlink_to(real.name)
    write_file(link, lambda fh: fh.write(b"fresh"))
    assert link.is_symlink() and real.read_bytes() == b"fresh"


def test_report_repro_null_device_is_written_into_never_replaced(tmp_path):
    node = tmp_path / "mynull"
    try:
        os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("mknod needs root")
    write_file(node, lambda fh: fh.write(b"x" * 100))
    assert stat.S_ISCHR(os.lstat(node).st_mode)


def test_symlink_to_dev_null_stays(tmp_path):
    link = tmp_path / "sink"
    link.symlink_to("/dev/null")
    write_file(link, lambda fh: fh.write(b"data"))
    assert link.is_symlink() and stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_fifo_target_is_written_into(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    write_file(fifo, lambda fh: fh.write(b"through the pipe"))
    reader.join(10)
    assert got == [b"through the pipe"] and stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_dangling_symlink_and_folder_are_refused(tmp_path):
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere" / "x")
    with pytest.raises(OSError):
        write_file(tmp_path / "dangling", lambda fh: fh.write(b"x"))
    with pytest.raises(OSError):
        write_file(tmp_path, lambda fh: fh.write(b"x"))
    assert not (tmp_path / "nowhere").exists()


def test_failure_keeps_the_old_file_and_leaves_no_temp(tmp_path):
    out = tmp_path / "o.txt"
    out.write_text("old", encoding="utf-8")

    def boom(fh):
        fh.write(b"partial")
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError):
        write_file(out, boom)
    assert out.read_text(encoding="utf-8") == "old" and sorted(p.name for p in tmp_path.iterdir()) == ["o.txt"]


def test_replaced_file_keeps_its_permission_bits(tmp_path):
    out = tmp_path / "shared.tsv"
    out.write_text("old", encoding="utf-8")
    out.chmod(0o640)
    write_file(out, lambda fh: fh.write(b"new"))
    assert stat.S_IMODE(out.stat().st_mode) == 0o640


def test_export_cli_into_a_symlink_and_a_device(tmp_path, capsys):
    real = tmp_path / "t.tsv"
    real.write_text("keep", encoding="utf-8")
    (tmp_path / "link.tsv").symlink_to(real)
    assert run(capsys, "export", "--format", "plover", "--out", str(tmp_path / "link.tsv"))[0] == 0
    assert (tmp_path / "link.tsv").is_symlink() and real.read_text(encoding="utf-8").startswith("{")
    (tmp_path / "null.tsv").symlink_to("/dev/null")
    assert run(capsys, "export", "--format", "gdelt", "--out", str(tmp_path / "null.tsv"))[0] == 0
    assert (tmp_path / "null.tsv").is_symlink()


def test_plot_series_into_a_symlinked_png(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    real = tmp_path / "t.png"
    real.write_bytes(b"keep")
    (tmp_path / "l.png").symlink_to(real)
    assert run(capsys, "plot-series", "--out", str(tmp_path / "l.png"))[0] == 0
    assert (tmp_path / "l.png").is_symlink() and real.read_bytes()[:4] == b"\x89PNG"


@pytest.fixture()
def corpus_run(tmp_path, capsys):
    def go(*extra: str) -> tuple[int, str, str]:
        return run(capsys, "corpus", "--sources", str(ROOT / "data" / "sources"), "--out", str(tmp_path / "c.jsonl"), *extra)
    return go


def test_report_repro_annotators_edits_and_added_files_survive(tmp_path, corpus_run):
    assert corpus_run()[0] == 0
    brat = tmp_path / "c_brat"
    with (brat / "art000.ann").open("a", encoding="utf-8") as fh:
        fh.write("T999\tMine 0 5\tnote\n")
    (brat / "GUIDELINES.md").write_text("guidelines", encoding="utf-8")
    (tmp_path / ".c_brat.old").mkdir()
    (tmp_path / ".c_brat.old" / "keep.txt").write_text("backup", encoding="utf-8")
    rc, _, err = corpus_run()
    assert rc == 1 and ("art000.ann" in err or "GUIDELINES.md" in err)
    assert "Mine" in (brat / "art000.ann").read_text(encoding="utf-8") and (brat / "GUIDELINES.md").is_file()
    assert (tmp_path / ".c_brat.old" / "keep.txt").read_text(encoding="utf-8") == "backup"


def test_one_edited_ann_alone_blocks_the_replacement(tmp_path, corpus_run):
    assert corpus_run()[0] == 0
    ann = tmp_path / "c_brat" / "art003.ann"
    ann.write_text(ann.read_text(encoding="utf-8").replace("T1\t", "T1\t", 1) + "#99\tAnnotatorNotes T1\tchecked\n", encoding="utf-8")
    assert corpus_run()[0] == 1 and "checked" in ann.read_text(encoding="utf-8")


def test_a_deleted_file_in_the_brat_folder_is_recreated_by_a_rerun(tmp_path, corpus_run):
    assert corpus_run()[0] == 0
    (tmp_path / "c_brat" / "art001.txt").unlink()
    assert corpus_run()[0] == 0 and (tmp_path / "c_brat" / "art001.txt").is_file()


def test_a_symlink_planted_in_the_brat_folder_blocks_it(tmp_path, corpus_run):
    assert corpus_run()[0] == 0
    (tmp_path / "c_brat" / "evil.ann").symlink_to("/etc/hostname")
    assert corpus_run()[0] == 1 and (tmp_path / "c_brat" / "evil.ann").is_symlink()


def test_brat_folder_that_is_a_symlink_is_refused(tmp_path, corpus_run):
    (tmp_path / "real_brat").mkdir()
    (tmp_path / "c_brat").symlink_to(tmp_path / "real_brat")
    assert corpus_run()[0] == 1 and (tmp_path / "c_brat").is_symlink()


def test_corpus_out_through_a_symlink_keeps_the_link(tmp_path, corpus_run):
    real = tmp_path / "real.jsonl"
    real.write_text("old", encoding="utf-8")
    (tmp_path / "c.jsonl").symlink_to(real)
    assert corpus_run()[0] == 0
    assert (tmp_path / "c.jsonl").is_symlink() and real.read_text(encoding="utf-8").startswith("{")


def test_a_new_output_gets_the_usual_mode_not_0600(tmp_path, corpus_run):
    mask = os.umask(0o022)
    try:
        assert corpus_run()[0] == 0
    finally:
        os.umask(mask)
    assert stat.S_IMODE((tmp_path / "c.jsonl").stat().st_mode) == 0o644
