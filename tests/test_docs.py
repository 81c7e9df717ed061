"""The documents are true by construction: generated regions fresh, every promise with its test, examples run, schema policy kept."""
from __future__ import annotations

import ast
import datetime as dt
import json
import re

import pytest
from conftest import ROOT

from jpkr_data import docs_facts
from jpkr_data.publication.datasheet import strip_markers

# Every promise of README.md and DATASHEET.md: an exact phrase of the document -> the test that proves it.
PROMISES = {
    "carry the article id and character offsets of their words (checked by a test)": "tests/test_spans.py::test_span_text_equals_source_slice",
    "validation requires at least one": "tests/test_faults.py::test_fault_is_reported_where_it_is",  # event_without_mention
    "Every table is described by a Frictionless Table\nSchema": "tests/test_release.py::test_release_is_a_valid_frictionless_package_with_hashes",
    "a build never\ndestroys what its target folder holds": "tests/test_build_safety.py::test_d1_refuses_a_home_folder_with_documents",
    "LIST values as Python lists (also inside STRUCT/MAP)": "tests/test_docs.py::test_nested_values_of_any_type_serialise_with_json_dumps",
    "An unknown name in `table()` raises `UnknownNameError`": "tests/test_api.py::test_unknown_name_lists_the_valid_ones",
    "`import jpkr_data` loads neither duckdb nor pandas": "tests/test_api.py::test_import_is_light",
    "a damaged, truncated\nor tampered entry is rebuilt": "tests/test_cache.py::test_damaged_or_tampered_cache_is_rebuilt",
    "`tests/faults.py` is a catalogue of corrupted packages": "tests/test_differential.py::test_catalogue_agrees_with_frictionless",
    "**Deliberate differences from frictionless** (each tested)": "tests/test_differential.py::test_deliberate_difference_is_real",
    "The test suite (`tests/test_compat.py`) opens the\nreleased file": "tests/test_compat.py::test_older_duckdb_opens_the_release_and_runs_every_view",
    "DuckDB 1.0.0 is tested too": "tests/test_compat.py::test_older_duckdb_opens_the_release_and_runs_every_view",
    "open the pages in headless Chromium at 1280 and 400 px": "tests/test_site.py::test_keyboard_and_phone_width",
    "is byte-identical; a test builds twice\nand checks this list": "tests/test_attack_minor.py::test_readme_lists_exactly_the_files_that_differ_between_two_builds",
    "a test runs each rule on all three engines": "tests/test_views_translate.py::test_rule_gives_duckdbs_rows_in_sqlite",
    "Tests build the release, then compare every view's rows on SQLite": "tests/test_views_sqlite.py::test_every_view_gives_duckdbs_rows_through_datasettes_json_api",
    "whose\noutput the tests check": "tests/test_views_translate.py::test_every_view_translates_and_its_note_matches_the_parse",
    "which a test enforces against every snapshot kept in `releases/`": "tests/test_diff.py::test_identifier_policy_holds_now",
    "`tests/test_docs.py` compares the schema of\neach descriptor": "tests/test_docs.py::test_no_table_or_column_disappears_without_a_changelog_entry",
    "The tests read every file back with pandas": "tests/test_stata.py::test_tables_decode_to_their_csv_values",
    "elsewhere the R tests are skipped with a note": "tests/test_stata.py::test_r_haven_reads_every_dta_with_its_labels",
    "The tests validate it with `mlcroissant`": "tests/test_croissant.py::test_mlcroissant_validates_with_no_error_or_warning",
    "A view file is exactly one `CREATE VIEW` named\nafter the file": "tests/test_package_security.py::test_view_file_that_is_not_exactly_one_create_view_named_after_it_is_refused",
    "recomputed by `python curation/agreement.py --check`": "tests/test_agreement.py::test_script_checks_clean_and_prints_the_table",
    "recomputed by\n`python curation/span_agreement.py --check`": "tests/test_span_agreement.py::test_committed_figures_are_a_fresh_run_and_check_passes",
    "`jpkr-data tables` prints the current counts": "tests/test_docs.py::test_generated_regions_are_fresh",
    "its counts are computed from the data at build time": "tests/test_datasheet.py::test_numbers_come_from_the_data",
    "Only CSV files with the default dialect": "tests/test_differential.py::test_deliberate_difference_is_real",
    '"55 minutes"\nand "about an hour" (45–75 minutes by the documented rule) are compatible':
        "tests/test_facts.py::test_meeting_duration_is_kept_per_source_and_compatible",
    "Japan's delisting is `expected` on 2019-08-01 and `occurred` on 2019-08-21": "tests/test_facts.py::test_status_is_as_reported_at_the_time",
    "The package is attached `READ_ONLY`": "tests/test_readonly.py::test_every_attack_is_refused_and_changes_nothing",
    "Refused with\n`jpkr_data.ReadOnlyError`": "tests/test_readonly.py::test_refusal_is_readonlyerror_saying_what_to_do_instead",
    "`query()` and `table()` are safe from\nseveral threads": "tests/test_concurrency.py::test_threads_querying_counts_each_get_their_own_answer",
    "it carries **no source article text**": "tests/test_wheel.py::test_wheel_carries_no_source_text_and_the_verified_database",
    "What each format cannot hold is\nprinted after every export": "tests/test_docs.py::test_every_export_prints_what_its_format_cannot_hold",
    "finds them by checksum, verifies them": "tests/test_corpus.py::test_corpus_from_renamed_sources_round_trips_every_span",
    "the tests compare every field of every row with the tables": "tests/test_corpus_nlp.py::test_curated_package_round_trips_every_field",
    "so every span falls on token edges, which a test checks": "tests/test_corpus_nlp.py::test_every_layer_span_aligns_to_tokens_and_bio_gives_it_back",
    "The exit status is 1 on any error": "tests/test_faults.py::test_cli_exit_status_and_message_for_a_fault",
    "No user\ninput ends in a traceback": "tests/test_cli_robustness.py::test_bad_sql_is_one_line",
    "a stale region fails\n`tests/test_docs.py` with the file and line to change": "tests/test_docs.py::test_a_stale_region_names_the_line_to_change",
    "is listed in `tests/test_docs.py` with the test that proves it": "tests/test_docs.py::test_every_promise_has_a_test_that_exists",
    "a\nsentence that mentions a test without such an entry fails the suite": "tests/test_docs.py::test_every_sentence_that_promises_a_test_is_listed",
    "Builds into one DIR\ntake turns": "tests/test_build_safety.py::test_d4_four_concurrent_real_builds_into_one_dir",
}
# Sentences that mention tests without promising anything about the data or the software.
NOT_PROMISES = ("Code (`jpkr_data/`, `tests/`", "For tests:", "`build` (the wheel test)", "never by timed tests", "nothing is downloaded at test time",
                "which `dev.py test` installs with apt-get", "`dev.py test` also makes", "python3 dev.py test")


def document(name: str) -> str:
    return (ROOT / name).read_text(encoding="utf-8")


def test_generated_regions_are_fresh(con):
    """Every `<!-- facts:NAME -->` region equals what the data gives now; a stale one names its file and line."""
    values = docs_facts.region_values(ROOT, con)
    problems = [p for doc in docs_facts.DOCUMENTS for p in docs_facts.stale_regions(document(doc), values, doc)]
    assert problems == [], "\n".join(problems)
    assert {"counts", "account-reads", "version"} <= set(re.findall(r"<!-- facts:([a-z_-]+) -->", document("README.md")))


def test_a_stale_region_names_the_line_to_change():
    text = "intro\n\nWe hold <!-- facts:n -->4<!-- /facts --> rows.\n"
    assert docs_facts.stale_regions(text, {"n": lambda: "4"}, "X.md") == []
    assert docs_facts.stale_regions(text, {"n": lambda: "5"}, "X.md") == ["X.md line 3: region 'n' is stale; run python3 dev.py docs"]
    assert docs_facts.rewrite(text, {"n": lambda: "5"}) == text.replace(">4<", ">5<")
    with pytest.raises(ValueError, match="X.md line 3: no generated text named 'n'"):
        docs_facts.rewrite(text, {}, "X.md")


def test_counts_sentence_follows_the_tables(con, rows):
    sentence = docs_facts.counts_sentence(con, [r["name"] for r in json.loads(document("datapackage.json"))["resources"]])
    for table, words in (("events", "events"), ("claims", "source claims"), ("statements", "statements"), ("cameo_codes", "codes")):
        assert f"{len(rows(table))} {words}" in sentence or f"({len(rows(table))} {words})" in sentence


def test_account_of_the_reads_is_stated_once_and_quoted_word_for_word(con):
    account = docs_facts.accounts(ROOT)["reads"]
    assert "independent reader" in account and "given only the source texts" in account
    for doc in ("README.md", "DATASHEET.md"):
        quoted = re.search(r"<!-- facts:account-reads -->(.*?)<!-- /facts -->", document(doc), re.S)
        assert quoted and quoted.group(1) == account, doc
    for doc in ("README.md", "DATASHEET.md", "CURATION.md"):  # no other count of reads anywhere
        text = " ".join(strip_markers(document(doc)).split()).replace(account, "")
        assert not re.search(r"\bread (twice|three times|four times)\b", text), doc


def test_kept_audits_are_listed_with_what_they_covered():
    summaries = docs_facts.audit_summaries(ROOT)
    assert document(docs_facts.AUDITS_CSV) == docs_facts.audits_csv(ROOT)
    kept = {p.stem.removeprefix("audit-") for p in (ROOT / "curation").glob("audit-*.md")}
    assert {r["audit"] for r in summaries} == kept
    for audit in kept:  # the report's own total row, where it has one, is the sum of its tables
        text = (ROOT / "curation" / f"audit-{audit}.md").read_text(encoding="utf-8")
        total = re.search(r"^\| (?:\*\*)?total(?:\*\*)? \| (?:\*\*)?(\d+)\D[^|]*\| (?:\*\*)?(\d+)\D[^|]*\| (?:\*\*)?(\d+)\D", text, re.M)
        assert total, audit
        if total:
            rows = [r for r in summaries if r["audit"] == audit]
            assert [sum(int(r[k]) for r in rows) for k in ("rows_checked", "rows_with_problems", "misleading")] == [int(x) for x in total.groups()]


def test_no_document_cites_an_old_version_as_current():
    version = json.loads(document("datapackage.json"))["version"]
    assert not re.search(r"\d+\.\d+\.\d+", document("LICENSE-DATA"))
    assert f"<!-- facts:version -->{version}<!-- /facts -->" in document("CURATION.md")
    assert f"Release <!-- facts:version -->{version}<!-- /facts --> is made from" in document("README.md")


def test_sizes_that_change_every_build_are_not_typed():
    text = document("README.md")
    assert not re.search(r"about [\d.]+ ?[KM]i?B", text)


def test_readme_articles_table_is_the_articles_table(rows):
    """Outlet kind, date and how the date is known, per article, as in data/articles.csv."""
    text = document("README.md")
    basis_words = {"stated": "stated", "inferred": "inferred", "cross_article": "from art", "external": "external knowledge"}
    for a in rows("articles"):
        line = re.search(rf"^\| {a['article_id']} \|(.*)$", text, re.M)
        assert line, a["article_id"]
        cells = [c.strip() for c in line.group(1).strip(" |").split("|")]
        assert cells[2] == a["published_date"] and cells[3].startswith(basis_words[a["published_date_basis"]]), a["article_id"]
        assert cells[1].replace(" ", "_") == a["medium"] or cells[1].split()[0] in a["medium"], a["article_id"]
    assert text.count("\n| art0") == len(rows("articles"))
    number = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"][len(rows("articles"))]
    assert f"is made from {number} English-language news texts" in text


def test_readme_names_every_table_in_its_diagram_and_every_view_in_its_table(descriptor):
    text = document("README.md")
    diagram = text[text.index("## Tables and keys"):text.index("## Views")]
    views = text[text.index("## Views"):text.index("## Examples")]
    assert [r["name"] for r in descriptor["resources"] if not re.search(rf"\b{r['name']}\b", diagram)] == []
    names = [p.stem.split("_", 1)[1] for p in sorted((ROOT / "sql").glob("*.sql"))]
    assert [n for n in names if f"| `{n}` |" not in views] == []


def test_readme_names_the_duckdb_versions_dev_py_installs():
    import importlib.util

    spec = importlib.util.spec_from_file_location("dev", ROOT / "dev.py")
    dev = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(dev)
    newer = [v for v in dev.OLD_DUCKDB_VERSIONS if v != "1.0.0"]
    assert f"DuckDB wheels {', '.join(newer[:-1])} and {newer[-1]}," in " ".join(document("README.md").split())
    assert "1.0.0" in dev.OLD_DUCKDB_VERSIONS and "DuckDB 1.0.0 is tested too" in document("README.md")


def _sentences(text: str) -> list[str]:
    text = re.sub(r"```.*?```", "", text, flags=re.S)
    out = []
    for para in re.split(r"\n\s*\n", text):
        out += re.split(r"(?<=[.;:])\s+(?=[A-Z`(*])", " ".join(para.split()))
    return out


def _test_exists(ref: str) -> bool:
    path, _, name = ref.partition("::")
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    return any(isinstance(n, ast.FunctionDef) and n.name == name for n in tree.body)


def test_every_promise_has_a_test_that_exists():
    readme, sheet = document("README.md"), document("DATASHEET.md")
    for phrase, ref in PROMISES.items():
        assert phrase in readme or phrase in sheet, f"promise no longer in README.md or DATASHEET.md: {phrase!r} (update PROMISES)"
        assert _test_exists(ref), f"promise {phrase!r}: no test {ref}"


def unlisted_promises(text: str) -> list[str]:
    """Sentences that say something is tested but hold none of PROMISES' phrases."""
    flat = [" ".join(p.split()) for p in PROMISES]
    return [s for s in _sentences(text) if re.search(r"\b(tests?|tested)\b", s, re.I)
            and not any(x in s for x in NOT_PROMISES) and not any(p in s for p in flat)]


def test_every_sentence_that_promises_a_test_is_listed():
    """A sentence of README.md or DATASHEET.md that says something is tested must hold one of PROMISES' phrases."""
    for doc in ("README.md", "DATASHEET.md"):
        assert unlisted_promises(document(doc)) == [], f"{doc}: promises without an entry in PROMISES"


def test_a_new_promise_without_a_test_is_caught():
    text = "Intro.\n\nEvery span is exact; a test checks it. The tests\nopen the pages in headless Chromium at 1280 and 400 px.\n\n```sh\npytest tests\n```\n"
    assert unlisted_promises(text) == ["Every span is exact; a test checks it."]


def test_readme_python_example_runs():
    block = re.search(r"```python\n(import jpkr_data\n.*?)```", document("README.md"), re.S).group(1)
    scope: dict = {}
    exec(compile(block, "README.md", "exec"), scope)  # noqa: S102 (the README's own example)
    tl, con = scope["tl"], scope["con"]
    assert str(tl["date_start"].dtype).startswith("datetime64") and isinstance(tl["actor_ids"].dropna().iloc[0], list)  # as its comments say
    assert len(scope["met"]) > 0 and set(scope["said"]["event_id"]) == {"ev_jpn_export_controls"}
    assert con.execute("SELECT count(*) FROM mine").fetchall()[0][0] == sum(1 for _ in scope["jpkr_data"].query(
        "SELECT 1 FROM events WHERE status = 'scheduled'").itertuples())
    assert scope["report"].valid
    con.close()


CASES = [("SELECT [1, 2] AS v", [1, 2]), ("SELECT [DATE '2019-08-01', NULL] AS v", None), ("SELECT [1.5, NULL] AS v", [1.5, None]),
         ("SELECT [true, NULL] AS v", [True, None]), ("SELECT [[1, 2], [3]] AS v", [[1, 2], [3]]),
         ("SELECT {'a': [1, 2], 'd': DATE '2019-08-01'} AS v", {"a": [1, 2], "d": "2019-08-01"}),
         ("SELECT MAP([DATE '2019-01-01'], [1]) AS v", {"2019-01-01": 1}), ("SELECT ['nan'::DOUBLE, 2.0] AS v", [None, 2.0]),
         ("SELECT [1.25::DECIMAL(5, 2)] AS v", [1.25]), ("SELECT [TIMESTAMP '2019-08-01 10:30:00'] AS v", ["2019-08-01T10:30:00"]),
         ("SELECT ['a', NULL] AS v", ["a", None]), ("SELECT [INTERVAL 1 DAY] AS v", ["P1DT0S"]), ("SELECT ['\\x00'::BLOB] AS v", ["AA=="]),
         ("SELECT [[DATE '2019-08-01']] AS v", None), ("SELECT [1::TINYINT, 2::UBIGINT] AS v", [1, 2])]


@pytest.mark.parametrize("sql, expected", CASES)
def test_nested_values_of_any_type_serialise_with_json_dumps(sql, expected):
    import jpkr_data

    df = jpkr_data.query(sql)
    value = df.v[0]
    back = json.loads(json.dumps(value))
    if expected is not None:
        assert back == expected
    else:  # dates inside lists: ISO 8601 text of that day
        assert "2019-08-01" in json.dumps(value) and dt.date.fromisoformat(json.dumps(value).split('"')[1][:10])
    assert df.to_csv()


@pytest.mark.parametrize("fmt", ["gdelt", "icews", "plover"])
def test_every_export_prints_what_its_format_cannot_hold(fmt, tmp_path):
    import subprocess
    import sys

    from jpkr_data.publication.exports import LOST

    r = subprocess.run([sys.executable, "-m", "jpkr_data.cli", "export", "--format", fmt, "--out", str(tmp_path / "out")],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0 and (tmp_path / "out").stat().st_size > 0, r.stderr
    assert f"not held by the {fmt} layout: " + "; ".join(LOST[fmt]) in r.stdout


def _columns(path) -> dict[str, list[str]]:
    d = json.loads(path.read_text(encoding="utf-8"))
    return {r["name"]: [f["name"] for f in r["schema"]["fields"]] for r in d["resources"]}


def _changelog_entries() -> list[str]:
    """CHANGELOG.md's bullets, each as one line."""
    return [" ".join(b.split()) for b in re.split(r"\n(?=- |\*\*|## )", document("CHANGELOG.md"))]


def gone_without_entry(old: dict[str, list[str]], new: dict[str, list[str]], entries: list[str]) -> list[str]:
    """Tables and columns of `old` missing from `new` with no CHANGELOG bullet naming them and their replacement."""
    gone = [t for t in old if t not in new] + [f"{t}.{c}" for t in old if t in new for c in old[t] if c not in new[t]]
    said = re.compile(r"replace|renamed|removed without replacement|→", re.I)
    return [g for g in gone if not any(f"`{g}`" in e and said.search(e) for e in entries)]


def test_no_table_or_column_disappears_without_a_changelog_entry():
    snaps = sorted((p for p in (ROOT / "releases").iterdir() if (p / "datapackage.json").is_file()),
                   key=lambda p: tuple(int(x) for x in p.name.split(".")))
    assert [p.name for p in snaps][:2] == ["0.2.0", "0.3.0"]
    chain = [p / "datapackage.json" for p in snaps] + [ROOT / "datapackage.json"]
    entries = _changelog_entries()
    for old, new in zip(chain, chain[1:], strict=False):
        assert gone_without_entry(_columns(old), _columns(new), entries) == [], f"{old.parent.name} -> {new.parent.name}"


def test_a_column_removed_without_an_entry_is_caught():
    old, new = {"statements": ["statement_id", "event_id"], "gone": ["x"]}, {"statements": ["statement_id"]}
    assert gone_without_entry(old, new, ["- `statements.event_id` is replaced by `occasion_event_id`"]) == ["gone"]
    assert gone_without_entry(old, new, ["- Schema: new table"]) == ["gone", "statements.event_id"]
    assert gone_without_entry(old, new, ["- `gone` removed without replacement", "- `statements.event_id` is replaced by x"]) == []
