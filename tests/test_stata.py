"""stata/*.dta: every table and view, read back with pandas and with R's haven, labels and values as the tables have them."""
from __future__ import annotations

import csv
import datetime as dt
import json
import re
import shutil
import subprocess
import warnings
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from built_release import built_release
from hypothesis import given
from hypothesis import strategies as st

from jpkr_data.publication.stata import LIST_NOTE, MAX_LABEL, RESERVED, _valid, fit, frame, stata_names, stata_names_section, write_dta
from jpkr_data.schema import load_package

ROOT = Path(__file__).resolve().parent.parent
VERSION = json.loads((ROOT / 'datapackage.json').read_text(encoding='utf-8'))['version']


@pytest.fixture(scope="module")
def release() -> Path:
    return built_release()


@pytest.fixture(scope="module")
def db(release):
    con = duckdb.connect(str(release / "jpkr.duckdb"), read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="module")
def pkg():
    return load_package(ROOT / "datapackage.json")


@dataclass
class Labels:
    variables: dict[str, str]
    values: dict[str, dict[int, str]]
    data: str


def read(path: Path, categoricals: bool = True) -> tuple[pd.DataFrame, Labels]:
    """A .dta file with pandas, and its labels; pandas must not warn (a warning means a name or label was changed)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pd.io.stata.StataReader(path, convert_categoricals=categoricals) as reader:
            df = reader.read()  # first: pandas skips the strL texts of a file whose labels were read before its data
            return df, Labels(reader.variable_labels(), reader.value_labels(), reader.data_label)


def relations(db) -> list[str]:
    return [r[0] for r in db.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = 'jpkr' UNION ALL "
                                     "SELECT view_name FROM duckdb_views() WHERE database_name = 'jpkr' AND NOT internal").fetchall()]


def test_every_table_and_view_is_a_dta_with_all_rows_and_labels(release, db):
    names = relations(db)
    n_tables = len(json.loads((ROOT / 'datapackage.json').read_text(encoding='utf-8'))['resources'])
    assert len(names) == n_tables + len(list((ROOT / 'sql').glob('*.sql'))) and sorted(p.stem for p in (release / "stata").glob("*.dta")) == sorted(names)
    for name in names:
        path = release / "stata" / f"{name}.dta"
        assert path.read_bytes().startswith(b"<stata_dta><header><release>118</release>"), name
        df, reader = read(path)
        assert len(df) == db.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0], name
        assert list(df.columns) == [r[0] for r in db.execute(f'DESCRIBE "{name}"').fetchall()], name
        labels = reader.variables
        assert all(0 < len(labels[c]) <= MAX_LABEL for c in df.columns), name
        assert reader.data.startswith(f"jpkr-data {VERSION}: {name}. Cite: jpkr-data curators (2026)"), reader.data


def cell(value) -> str:
    """A value read from Stata as the CSV writes it."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return ""
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def test_tables_decode_to_their_csv_values(release, pkg):
    """Every cell of every table, value labels of codes decoded, equals the CSV cell (lists joined by '; ' instead of ';')."""
    for t in pkg.tables:
        df, _ = read(release / "stata" / f"{t.name}.dta")
        raw, _ = read(release / "stata" / f"{t.name}.dta", categoricals=False)
        for f in t.fields:
            if f.type == "integer":  # QuadClass keeps its numbers (its labels are meanings)
                df[f.name] = raw[f.name]
        with (ROOT / t.path).open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        expected = sorted(rows, key=lambda r, pk=t.primary_key: tuple(r[k] for k in pk))
        got = sorted(({c: cell(v) for c, v in zip(df.columns, r)} for r in df.astype(object).itertuples(index=False)),
                     key=lambda r, pk=t.primary_key: tuple(r[k] for k in pk))
        for f in t.fields:
            want = [r[f.name].replace(f.separator, "; ") if f.separator else r[f.name] for r in expected]
            if f.type == "number":
                assert [float(x) if x else None for x in want] == [float(r[f.name]) if r[f.name] else None for r in got], (t.name, f.name)
            else:
                assert want == [r[f.name] for r in got], (t.name, f.name)


def test_codes_are_integers_with_value_labels_in_enum_order(release, pkg):
    raw, reader = read(release / "stata" / "events.dta", categoricals=False)
    labels = reader.values
    events = pkg.tables[[t.name for t in pkg.tables].index("events")]
    for field in ("status", "date_precision", "date_basis", "event_type", "date_span_type"):
        enum = events.field(field).enum
        assert labels[field] == {i: v for i, v in enumerate(enum, start=1)}, field
        assert pd.api.types.is_numeric_dtype(raw[field]), field
    # an event whose date is stated to the day: 1 = 'day', 1 = 'stated'
    row = raw[raw["event_id"] == "ev_bangkok_kang_kono"].iloc[0]
    assert (row["date_precision"], row["date_basis"], row["status"]) == (1, 1, 1)
    assert row["date_start"] == row["date_end"] == pd.Timestamp("2019-08-01")
    # QuadClass keeps its numbers; its labels are the meanings
    cameo, reader = read(release / "stata" / "cameo_codes.dta", categoricals=False)
    assert reader.values["quad_class"] == {1: "verbal cooperation", 2: "material cooperation", 3: "verbal conflict", 4: "material conflict"}
    assert cameo.set_index("cameo_code").loc["040", "quad_class"] == 1 and cameo.set_index("cameo_code").loc["173", "quad_class"] == 4
    # roles and bases in the link tables
    _, reader = read(release / "stata" / "event_actors.dta", categoricals=False)
    role_enum = next(f for r in json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))["resources"] if r["name"] == "event_actors"
                     for f in r["schema"]["fields"] if f["name"] == "role")["constraints"]["enum"]
    assert list(reader.values["role"].values()) == role_enum and role_enum[:2] == ["initiator", "target"]
    assert set(reader.values["role_basis"].values()) == {"stated", "inferred"}


def test_view_columns_take_the_codes_of_the_table_column_they_come_from(release):
    _, reader = read(release / "stata" / "timeline.dta", categoricals=False)
    events_labels = read(release / "stata" / "events.dta", categoricals=False)[1].values
    assert reader.values["date_precision"] == events_labels["date_precision"]
    assert reader.values["status"] == events_labels["status"]
    # no table named in the header: the one 'status' column whose allowed values hold the view's (agreements', not events')
    _, reader = read(release / "stata" / "agreement_status.dta", categoricals=False)
    assert reader.values["status"] == read(release / "stata" / "agreements.dta", categoricals=False)[1].values["status"]
    assert reader.values["effect"] == read(release / "stata" / "agreement_events.dta", categoricals=False)[1].values["effect"]
    cameo_labels = read(release / "stata" / "cameo_codes.dta", categoricals=False)[1].values
    _, reader = read(release / "stata" / "event_dyads_coded.dta", categoricals=False)
    assert reader.values["quad_class"] == cameo_labels["quad_class"] and reader.values["plover_quad_class"] == cameo_labels["plover_quad_class"]
    assert reader.values["counted"] == {0: "false", 1: "true"}
    # free text and ids stay strings
    df, _ = read(release / "stata" / "timeline.dta")
    assert df["event_id"].dtype != "category" and df["cameo_code"].dtype != "category"
    assert set(df.loc[df["event_id"] == "ev_1965_accord", "cameo_code"]) == {"057"}


def test_lists_dates_and_labels_in_views(release):
    df, reader = read(release / "stata" / "timeline.dta")
    labels = reader.variables
    assert labels["actor_ids"].endswith(LIST_NOTE) and labels["date_precision"].startswith("how precisely the sources date the event")
    assert df.loc[df["event_id"] == "ev_1965_accord", "actor_ids"].iloc[0] == "jpn; kor"
    assert pd.api.types.is_datetime64_any_dtype(df["date_start"])
    events, reader = read(release / "stata" / "events.dta")
    assert reader.variables["date_basis"] == "How the dates were established."
    assert reader.variables["plover_contexts"].endswith(LIST_NOTE)
    assert events.set_index("event_id").loc["ev_1965_accord", "plover_contexts"] == "diplomatic; economic; historical"


def test_codebook_lists_stata_names(release, pkg):
    text = (release / "CODEBOOK.md").read_text(encoding="utf-8")
    assert "### Stata names" in text and "No column is renamed in this version" in text
    long = "number_of_articles_that_mention_this_event_in_any_way"
    section = "\n".join(stata_names_section(pkg, {"some_view": {"in": "BIGINT", long: "BIGINT", long + "_too": "BIGINT"}}))
    assert "| some_view | `in` | `in_` |" in section
    assert f"| some_view | `{long}` | `{long[:32]}` |" in section and f"| some_view | `{long}_too` | `{long[:30]}_2` |" in section


def test_names_stata_cannot_take_are_renamed_by_the_rule():
    assert stata_names(["event_id", "in", "1st", "date start", "str12", "_n"]) == {
        "event_id": "event_id", "in": "in_", "1st": "v_1st", "date start": "date_start", "str12": "str12_", "_n": "_n_"}
    long = "a_column_name_that_is_longer_than_stata_allows"
    assert stata_names([long + "_1", long + "_2", long[:32]]) == {long + "_1": long[:30] + "_2", long + "_2": long[:30] + "_3", long[:32]: long[:32]}
    assert stata_names(["日付", "名前"]) == {"日付": "__", "名前": "___2"}


@given(st.lists(st.text(min_size=1, max_size=60).filter(lambda s: "\x00" not in s), min_size=1, max_size=12, unique_by=str.lower))
def test_stata_names_are_valid_unique_and_keep_valid_names(columns):
    names = stata_names(columns)
    assert list(names) == columns
    assert len({n.lower() for n in names.values()}) == len(columns)
    assert all(_valid(n) and n not in RESERVED for n in names.values())
    assert all(names[c] == c for c in columns if _valid(c))
    assert stata_names(columns) == names


@given(st.text(max_size=300))
def test_labels_fit_in_80_characters(text):
    out = fit(text)
    assert len(out) <= MAX_LABEL and "\n" not in out
    assert out == " ".join(text.split()) or out.endswith("…")


def test_hostile_names_and_long_text_round_trip(tmp_path):
    """Names Stata cannot take, text longer than a str column holds, quotes and non-Latin text survive pandas and the labels."""
    con = duckdb.connect()
    long_text = "漢字 " * 1500  # 6000 UTF-8 bytes: a strL
    con.execute("CREATE TABLE t AS SELECT * FROM (VALUES ('a\"b', 1, DATE '1910-01-01', ['x', 'y'], true, ?), (NULL, NULL, NULL, NULL, NULL, 'short')) "
                "v(\"in\", \"1st count of things that is far too long for stata\", \"date\", \"list col\", \"flag\", \"text\")", [long_text])
    cols = [r[0] for r in con.execute("DESCRIBE t").fetchall()]
    types = [r[1] for r in con.execute("DESCRIBE t").fetchall()]
    names = stata_names(cols)
    from jpkr_data.publication.stata import _variable

    variables = [_variable(c, names[c], ty, f"description of {c}") for c, ty in zip(cols, types)]
    df = frame(con, "t", variables, [])
    target = write_dta(df, variables, "label", dt.datetime(2026, 1, 1), tmp_path / "t.dta")
    again = write_dta(df, variables, "label", dt.datetime(2026, 1, 1), tmp_path / "t2.dta")
    assert target.read_bytes() == again.read_bytes()  # reproducible
    back, reader = read(target)
    assert list(back.columns) == ["in_", "v_1st_count_of_things_that_is_fa", "date", "list_col", "flag", "text"]
    assert back["in_"].tolist() == ['a"b', ""] and back["text"].iloc[0] == long_text
    assert back["date"].iloc[0] == pd.Timestamp("1910-01-01") and pd.isna(back["date"].iloc[1])
    assert back["list_col"].iloc[0] == "x; y" and list(back["flag"].astype(object))[0] == "true"
    assert reader.variables["in_"] == "in: description of in"
    assert reader.variables["list_col"].endswith(LIST_NOTE)


R_SCRIPT = r"""
suppressMessages(library(haven))
for (path in sort(Sys.glob("stata/*.dta"))) {
  d <- read_dta(path)
  var_labels <- sum(vapply(d, function(x) !is.null(attr(x, "label")) && nzchar(attr(x, "label")), logical(1)))
  value_labelled <- sum(vapply(d, function(x) inherits(x, "haven_labelled"), logical(1)))
  cat(sub("[.]dta$", "", basename(path)), nrow(d), ncol(d), var_labels, value_labelled, "\n", sep = "\t")
}
e <- read_dta("stata/events.dta")
row <- e[e$event_id == "ev_bangkok_kang_kono", ]
cat("CHECK", class(row$date_start), format(row$date_start), as.character(as_factor(row$date_precision)),
    as.character(as_factor(row$status)), paste(names(attr(e$date_basis, "labels")), collapse = ","), "\n", sep = "\t")
c <- read_dta("stata/cameo_codes.dta")
cat("CAMEO", c$cameo_code[c$cameo_code == "040"], as.character(as_factor(c$quad_class[c$cameo_code == "040"])), attr(e, "label"), "\n", sep = "\t")
"""


def rscript() -> str:
    """Rscript with haven, or skip (dev.py test installs Debian's r-base-core and r-cran-haven when run as root)."""
    exe = shutil.which("Rscript")
    if exe is None or subprocess.run([exe, "-e", "library(haven)"], capture_output=True).returncode != 0:
        pytest.skip("R with haven is not installed (python3 dev.py test installs r-base-core, r-cran-haven and r-cran-readr with apt-get when run as root)")
    return exe


def test_r_haven_reads_every_dta_with_its_labels(release, db, pkg):
    out = subprocess.run([rscript(), "-e", R_SCRIPT], cwd=release, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    lines = [line.split("\t") for line in out.stdout.splitlines()]
    files = {r[0]: r[1:5] for r in lines if r[0] not in ("CHECK", "CAMEO")}
    assert sorted(files) == sorted(relations(db))
    for name, (rows, cols, var_labels, _) in files.items():
        n_cols = len(db.execute(f'DESCRIBE "{name}"').fetchall())
        assert (int(rows), int(cols), int(var_labels)) == (db.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0], n_cols, n_cols), name
    enum_fields = {t.name: sum(1 for f in t.fields if f.enum and not f.separator) for t in pkg.tables}
    assert all(int(files[t][3]) == n for t, n in enum_fields.items()), {t: (files[t][3], n) for t, n in enum_fields.items()}
    check = next(r for r in lines if r[0] == "CHECK")
    assert check[1:6] == ["Date", "2019-08-01", "day", "occurred", "stated,inferred,cross_article,external"]
    cameo = next(r for r in lines if r[0] == "CAMEO")
    assert cameo[1:3] == ["040", "verbal cooperation"] and cameo[3].startswith(f"jpkr-data {VERSION}: events.")


def readme_r_block() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    m = re.search(r"```r\n(.*?)```", text, re.S)
    assert m, "README has no ```r block"
    return m.group(1)


def test_readme_r_lines_load_a_table_and_a_view(release, db):
    block = readme_r_block()
    assert len([line for line in block.splitlines() if line.strip() and not line.lstrip().startswith("#")]) == 3
    script = block + '\ncat(nrow(events), nrow(timeline), class(timeline$date_start), "\\n")\n'
    out = subprocess.run([rscript(), "-e", script], cwd=release, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    n_events = db.execute("SELECT count(*) FROM events").fetchone()[0]
    assert out.stdout.split() == [str(n_events), str(n_events), "Date"]


def test_rewriting_from_the_release_database_gives_the_same_bytes(release, db, pkg, tmp_path):
    """Reproducible: the .dta files written again (another process time, another folder) are byte-identical."""
    from jpkr_data.publication.release import release_date
    from jpkr_data.publication.stata import write_stata

    written = write_stata(db, pkg, tmp_path, release_date(pkg))
    assert len(written) == len(json.loads((ROOT / 'datapackage.json').read_text(encoding='utf-8'))['resources']) + len(list((ROOT / 'sql').glob('*.sql')))
    assert all(p.read_bytes() == (release / "stata" / p.name).read_bytes() for p in written), [p.name for p in written if p.read_bytes() != (release / "stata" / p.name).read_bytes()]


def test_every_duckdb_type_a_view_can_return_is_written(tmp_path):
    from jpkr_data.publication.stata import _variable

    con = duckdb.connect()
    con.execute("SET TimeZone = 'Asia/Seoul'")
    con.execute("CREATE TABLE t AS SELECT TIMESTAMP '2019-08-21 10:30:00' AS ts, TIMESTAMPTZ '2019-08-21 10:30:00+09' AS tz, "
                "CAST('2019-08-21 10:30:00' AS TIMESTAMP_NS) AS ns, CAST(12.50 AS DECIMAL(5, 2)) AS dec, CAST(7 AS HUGEINT) AS huge, "
                "CAST(300 AS UBIGINT) AS ubig, {'a': 1} AS struct, INTERVAL 3 DAY AS span, [DATE '2019-08-01', NULL] AS dates, "
                "CAST(2 AS TINYINT) AS tiny, 1.5::FLOAT AS flt")
    cols = con.execute("DESCRIBE t").fetchall()
    variables = [_variable(c, c, ty, c) for c, ty, *_ in cols]
    write_dta(frame(con, "t", variables, []), variables, "types", dt.datetime(2026, 1, 1), tmp_path / "t.dta")
    back, _ = read(tmp_path / "t.dta")
    row = back.iloc[0]
    assert row["ts"] == row["ns"] == pd.Timestamp("2019-08-21 10:30:00") and row["tz"] == pd.Timestamp("2019-08-21 01:30:00")  # UTC
    assert (row["dec"], row["tiny"], row["flt"]) == (12.5, 2, 1.5)
    assert (row["huge"], row["ubig"], row["struct"], row["span"], row["dates"]) == ("7", "300", "{'a': 1}", "3 days", "2019-08-01")
