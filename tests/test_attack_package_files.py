"""Attack class 2: nothing outside the package reaches a release or an output.

Every file a build copies (documents, sql/, data/sources/ with --include-sources) must be a regular file
reached from the package without a symbolic link; every id that becomes a file name must match the fixed
safe pattern, whatever the hostile descriptor's own patterns say."""
from __future__ import annotations

import csv
import json
import os
import shutil
from pathlib import Path

import pytest
from conftest import ROOT

from jpkr_data.cli import main
from jpkr_data.publication.corpus import CorpusError, write_brat
from jpkr_data.publication.release import PackageFileError, files_to_copy
from jpkr_data.schema import load_package
from jpkr_data.validator.paths import SAFE_ID, id_problem

SECRET = "KEY=do-not-publish\n"


@pytest.fixture()
def pkg(tmp_path) -> Path:
    """A full copy of the package, documents and sources included."""
    d = tmp_path / "pkg"
    d.mkdir()
    for name in ("datapackage.json", "README.md", "LICENSE", "LICENSE-DATA", "CHANGELOG.md", "CURATION.md"):
        shutil.copy2(ROOT / name, d / name)
    for folder in ("data", "sql"):
        shutil.copytree(ROOT / folder, d / folder)
    return d


@pytest.fixture()
def outside(tmp_path) -> Path:
    d = tmp_path / "secret"
    d.mkdir()
    (d / "id_rsa").write_text(SECRET, encoding="utf-8")
    return d


def refused(pkg: Path, include_sources: bool = False) -> str:
    with pytest.raises(PackageFileError) as info:
        files_to_copy(load_package(pkg / "datapackage.json"), include_sources)
    return str(info.value)


def test_the_real_package_copies_only_its_own_files(pkg):
    rels = files_to_copy(load_package(pkg / "datapackage.json"), include_sources=True)
    assert "README.md" in rels and "sql/20_timeline.sql" in rels and any(r.startswith("data/sources/") for r in rels)


def test_report_repro_symlinked_readme_is_refused(pkg, outside):
    (pkg / "README.md").unlink()
    (pkg / "README.md").symlink_to(outside / "id_rsa")
    assert "README.md" in refused(pkg) and "symbolic link" in refused(pkg)


@pytest.mark.parametrize("doc", ["LICENSE", "LICENSE-DATA", "CHANGELOG.md", "CURATION.md"])
def test_each_symlinked_document_is_refused(pkg, outside, doc):
    (pkg / doc).unlink()
    (pkg / doc).symlink_to(outside / "id_rsa")
    assert doc in refused(pkg)


def test_report_repro_symlinked_file_and_folder_in_sql(pkg, outside):
    (pkg / "sql" / "notes.txt").symlink_to(outside / "id_rsa")
    assert "sql/notes.txt" in refused(pkg)
    (pkg / "sql" / "notes.txt").unlink()
    (pkg / "sql" / "extra").symlink_to(outside)
    assert "sql/extra" in refused(pkg)


def test_symlink_deep_in_a_real_subfolder_of_sql(pkg, outside):
    (pkg / "sql" / "a" / "b").mkdir(parents=True)
    (pkg / "sql" / "a" / "b" / "deep.md").symlink_to(outside / "id_rsa")
    assert "sql/a/b/deep.md" in refused(pkg)


def test_sql_folder_itself_a_symlink(pkg, tmp_path):
    shutil.move(pkg / "sql", tmp_path / "elsewhere")
    (pkg / "sql").symlink_to(tmp_path / "elsewhere")
    assert "sql" in refused(pkg)


def test_relative_symlink_that_stays_inside_is_still_refused(pkg):
    (pkg / "sql" / "again.sql").symlink_to("20_timeline.sql")  # a link is never followed, even one pointing inside
    assert "sql/again.sql" in refused(pkg)


def test_fifo_in_sql_is_refused_without_blocking(pkg):
    os.mkfifo(pkg / "sql" / "pipe")
    assert "sql/pipe" in refused(pkg) and "regular" in refused(pkg)


def test_a_document_that_is_a_folder_is_refused(pkg):
    (pkg / "CURATION.md").unlink()
    (pkg / "CURATION.md").mkdir()
    assert "CURATION.md" in refused(pkg)


def test_report_repro_symlinked_source_with_include_sources(pkg, outside):
    (pkg / "data" / "sources" / "zz_extra.txt").symlink_to(outside / "id_rsa")
    files_to_copy(load_package(pkg / "datapackage.json"), include_sources=False)  # not copied without the flag
    assert "data/sources/zz_extra.txt" in refused(pkg, include_sources=True)


def test_sources_folder_a_symlink_to_a_home_folder(pkg, outside):
    shutil.rmtree(pkg / "data" / "sources")
    (pkg / "data" / "sources").symlink_to(outside)
    assert "data/sources" in refused(pkg, include_sources=True)


def test_build_refuses_a_leaking_package_and_writes_nothing(pkg, outside, tmp_path, capsys):
    (pkg / "sql" / "notes.txt").symlink_to(outside / "id_rsa")
    out = tmp_path / "rel"
    rc = main(["build", "--path", str(pkg), "--out", str(out)])
    err = capsys.readouterr().err
    assert rc == 1 and "sql/notes.txt" in err and "symbolic link" in err and "Traceback" not in err
    assert not out.exists() and not [p for p in tmp_path.iterdir() if p.name.startswith(".rel")]


# -- ids that become file names ---------------------------------------------------------------------------

@pytest.mark.parametrize("bad", ["../../../../tmp/PWNED", "/etc/cron.d/x", "ART001", "a/b", "art.001", "", "a" * 101, "_x", "art001\n",
                                 "..", "con", "art\u0661"])
def test_unsafe_ids_are_refused_by_the_fixed_pattern(bad):
    if bad == "con":  # a Windows device name is still a plain lower-case token: allowed, documented
        assert id_problem("articles", "article_id", bad) is None
        return
    assert id_problem("articles", "article_id", bad) is not None and not SAFE_ID.fullmatch(bad)


def test_brat_writer_refuses_a_traversing_id_before_writing_anything(tmp_path):
    victim = tmp_path / "PWNED.txt"
    victim.write_text("my precious notes", encoding="utf-8")
    records = [{"id": "art000", "text": "x", "spans": []}, {"id": "../PWNED", "text": "evil", "spans": []}]
    with pytest.raises(CorpusError, match="PWNED"):
        write_brat(records, tmp_path / "brat")
    assert victim.read_text(encoding="utf-8") == "my precious notes" and not (tmp_path / "brat").exists()


def _retarget_article(pkg: Path, old: str, new: str) -> None:
    """The report's S2 edit: drop the descriptor's article-id patterns, rename an article id everywhere."""
    p = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    for r in p["resources"]:
        for f in r["schema"]["fields"]:
            f.get("constraints", {}).pop("pattern", None)
    (pkg / "datapackage.json").write_text(json.dumps(p, indent=2), encoding="utf-8")
    for c in (pkg / "data").glob("*.csv"):
        with c.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.reader(fh))
        with c.open("w", encoding="utf-8", newline="") as fh:
            csv.writer(fh, lineterminator="\n").writerows([[new if cell == old else cell for cell in row] for row in rows])


def test_report_repro_corpus_through_article_id_writes_nothing_outside(pkg, tmp_path, capsys):
    target = tmp_path / "PWNED"
    (tmp_path / "PWNED.txt").write_text("my precious notes", encoding="utf-8")
    _retarget_article(pkg, "art004", "../" * 20 + str(target).lstrip("/"))
    (tmp_path / "c").mkdir()
    rc = main(["corpus", "--path", str(pkg), "--sources", str(pkg / "data" / "sources"), "--out", str(tmp_path / "c" / "c.jsonl")])
    err = capsys.readouterr().err
    # refused before anything is written: by the id check of the writer, or earlier by validation (0.5.0: a mention id
    # carries its article's number, so the hostile id is already refused there, naming file, row and field)
    assert rc == 1 and ("cannot name a file" in err or "data/actor_mentions.csv, row" in err)
    assert (tmp_path / "PWNED.txt").read_text(encoding="utf-8") == "my precious notes" and not (tmp_path / "PWNED.ann").exists()
    assert not (tmp_path / "c" / "c.jsonl").exists()


@pytest.mark.parametrize("rel", ["README.md", "sql/notes.txt", "data/sources/zz_extra.txt"])
def test_validate_names_a_symlinked_file_first(pkg, outside, rel):
    from jpkr_data.validator import validate

    target = pkg / rel
    if target.exists():
        target.unlink()
    target.symlink_to(outside / "id_rsa")
    report = validate(pkg)
    assert not report.valid and rel in report.to_text() and "symbolic link" in report.to_text()


# S6: a view is data: it calls standard scalar, aggregate and window functions and reads the package's tables,
# nothing that tells where, by whom or how the package was built.
LEAKING_VIEWS = {
    "report_repro": "SELECT database_name AS name, path AS value FROM duckdb_databases() WHERE path IS NOT NULL "
                    "UNION ALL SELECT name, value FROM duckdb_settings() WHERE value LIKE '%/%'",
    "home_setting": "SELECT current_setting('home_directory') AS name, event_id AS value FROM events",
    "method_call": "SELECT 'secret_directory'.current_setting() AS name, 1 AS value",
    "quoted_name": "SELECT extension_name AS name, install_path AS value FROM \"duckdb_extensions\"()",
    "catalog_view": "SELECT name, value FROM pg_catalog.pg_settings",
    "qualified_table": "SELECT table_name AS name, sql AS value FROM system.main.duckdb_tables",
    "schema_view": "SELECT catalog_name AS name, schema_name AS value FROM information_schema.schemata",
    "in_a_subquery": "SELECT event_id AS name, title AS value FROM events WHERE EXISTS (SELECT 1 FROM duckdb_temporary_files())",
    "version_and_zone": "SELECT version() AS name, current_database() AS value",
    "string_as_query": "SELECT * FROM query_table('duckdb_settings')",
}


@pytest.mark.parametrize("name", sorted(LEAKING_VIEWS))
def test_leaking_view_query_is_refused_by_the_allow_list(name):
    from jpkr_data.dialects import view_source_problem

    why = view_source_problem(LEAKING_VIEWS[name], {"events", "actors"})
    assert why is not None and ("not a standard" in why or "not a table of the package" in why)


def test_package_views_pass_the_allow_list():
    from jpkr_data.dialects import view_source_problem
    from jpkr_data.views import discover_views, view_query

    pkg = load_package(ROOT / "datapackage.json")
    readable = set(pkg.names)
    for v in discover_views(ROOT):
        assert view_source_problem(view_query(v)[0], readable) is None, v.name
        readable.add(v.name)


def test_validate_names_each_leaking_view_file_and_function(pkg, tmp_path, capsys):
    from jpkr_data.validator import validate

    for k, name in enumerate(sorted(LEAKING_VIEWS)):
        (pkg / "sql" / f"9{k}_{name}.sql").write_text(f"-- Where?\n--\n-- Leaks.\n-- Columns:\n--   name: n\n--   value: v\n"
                                                      f"CREATE VIEW {name} AS {LEAKING_VIEWS[name]}\n", encoding="utf-8")
    text = validate(pkg).to_text()
    for k, name in enumerate(sorted(LEAKING_VIEWS)):
        line = next((x for x in text.splitlines() if f"sql/9{k}_{name}.sql" in x), "")
        assert "a view reads only the package's tables" in line or "not a table of the package" in line, (name, line)
    assert "duckdb_databases()" in text and "current_setting()" in text and "pg_catalog.pg_settings" in text
    assert main(["build", "--path", str(pkg), "--out", str(tmp_path / "rel")]) != 0
    assert not (tmp_path / "rel").exists()
