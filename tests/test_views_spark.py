"""Apache Spark (PySpark, local mode): the release's Parquet files registered by table name, every view from
`jpkr-data views --dialect spark` created as the README shows, and each one gives DuckDB's rows; every translation
rule gives DuckDB's rows on Spark too. One SparkSession for the module."""
from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import sys
from pathlib import Path

import duckdb
import pytest
from built_release import built_release
from conftest import ROOT
from view_rows import CASES, T_ROWS, T_SCHEMA, assert_same_rows, normalised_rows

from jpkr_data.dialects import parse_query, translate_query
from jpkr_data.views import discover_views

VIEWS = [v.name for v in discover_views(ROOT)]
pytestmark = pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning")


@pytest.fixture(scope="module")
def spark(tmp_path_factory):
    pytest.importorskip("pyspark", reason="pyspark is not installed (python3 dev.py test installs it)")
    if shutil.which("java") is None:
        pytest.skip("Java is not installed (python3 dev.py test installs openjdk-17-jre-headless)")
    from pyspark.sql import SparkSession

    session = (SparkSession.builder.master("local[1]").appName("jpkr-data-views")
               .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.shuffle.partitions", "1").config("spark.default.parallelism", "1")
               # a few hundred rows: interpreting is faster than compiling code for every stage
               .config("spark.sql.codegen.wholeStage", "false").config("spark.sql.codegen.factoryMode", "NO_CODEGEN")
               .config("spark.sql.adaptive.enabled", "false")
               .config("spark.sql.warehouse.dir", str(tmp_path_factory.mktemp("spark-warehouse")))
               .config("spark.driver.extraJavaOptions", f"-Dderby.system.home={tmp_path_factory.mktemp('derby')}")
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def release():
    return built_release()


def readme_spark_lines() -> str:
    """The README's PySpark example (the ```python block of its Spark paragraph)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = [b for b in re.findall(r"```python\n(.*?)```", text, flags=re.S) if "SparkSession" in b]
    assert len(blocks) == 1
    return blocks[0]


@pytest.fixture(scope="module")
def spark_views(spark, release):
    """The README's lines, run as written on the built release: each Parquet file as a table of its name, then the views
    printed by `jpkr-data views --dialect spark` (`getOrCreate` returns this module's session)."""
    code = readme_spark_lines()
    assert code.count('release = "jpkr-data-release"') == 1
    path = os.environ.get("PATH", "")
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{path}"  # where `jpkr-data` is installed
    try:
        with contextlib.redirect_stdout(io.StringIO()) as shown:
            exec(code.replace('"jpkr-data-release"', repr(str(release))), {})  # noqa: S102 - the README's own example
    finally:
        os.environ["PATH"] = path
    assert "KOR" in shown.getvalue() and "JPN" in shown.getvalue()
    return spark


@pytest.fixture(scope="module")
def duck(release):
    con = duckdb.connect(str(release / "jpkr.duckdb"), read_only=True)
    yield con
    con.close()


@pytest.mark.parametrize("name", VIEWS)
def test_view_gives_duckdbs_rows_on_spark(spark_views, duck, name):
    described = duck.execute(f'DESCRIBE "{name}"').fetchall()
    columns, kinds = [r[0] for r in described], [r[1] for r in described]
    want = normalised_rows(duck.execute(f'SELECT * FROM "{name}"').fetchall(), kinds)
    frame = spark_views.sql(f"SELECT * FROM `{name}`")
    assert frame.columns == columns
    assert_same_rows(normalised_rows([tuple(r) for r in frame.collect()], kinds), want, name)


@pytest.fixture(scope="module")
def rule_table(spark):
    schema = ", ".join(f"{c} {'array<string>' if k.endswith('[]') else {'VARCHAR': 'string', 'BIGINT': 'bigint', 'DATE': 'date'}[k]}"
                       for c, k in T_SCHEMA.items())
    spark.createDataFrame(T_ROWS, schema).createOrReplaceTempView("t")
    duck = duckdb.connect(":memory:")
    duck.execute("CREATE TABLE t (" + ", ".join(f"{c} {k}" for c, k in T_SCHEMA.items()) + ")")
    duck.executemany("INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?)", T_ROWS)
    yield duck
    duck.close()


@pytest.mark.parametrize("name", sorted(CASES))
def test_rule_gives_duckdbs_rows_on_spark(spark, rule_table, name):
    sql = CASES[name]
    kinds = [r[1] for r in rule_table.execute(f"DESCRIBE {sql}").fetchall()]
    want = normalised_rows(rule_table.execute(sql).fetchall(), kinds)
    translated = translate_query(parse_query(sql, {"t": dict(T_SCHEMA)}, "case.sql"), "spark", "case.sql")
    assert_same_rows(normalised_rows([tuple(r) for r in spark.sql(translated).collect()], kinds), want, name)
