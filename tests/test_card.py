"""The Hugging Face card: every config is one `test` split with all its rows; leave-one-document-out configs; the protocol's figures."""
from __future__ import annotations

import math

import duckdb
import pytest
import yaml
from built_release import built_release
from conftest import read_rows
from hypothesis import given
from hypothesis import strategies as st

from jpkr_data.publication.protocol import LOO_TABLES, detectable_difference, wilson


@pytest.fixture(scope="module")
def card() -> tuple[dict, str]:
    text = (built_release() / "README.md").read_text(encoding="utf-8")
    head, body = text.split("---\n")[1], text.split("\n---\n", 1)[1]
    return yaml.safe_load(head), body


def _files(path) -> list[str]:
    return [path] if isinstance(path, str) else list(path)


def test_every_table_and_view_is_one_test_split_with_all_rows(card):
    configs = {c["config_name"]: c for c in card[0]["configs"]}
    release = built_release()
    con = duckdb.connect()
    for name in ("events", "statements", "timeline", "actor_mentions", "event_mention_arguments"):
        (split,) = configs[name]["data_files"]
        assert split["split"] == "test"
        n = con.execute(f"SELECT count(*) FROM '{release / split['path']}'").fetchone()[0]
        if name in ("events", "statements", "actor_mentions", "event_mention_arguments"):
            assert n == len(read_rows(name))
    assert not any(s["split"] == "train" for c in configs.values() if "-loo-" not in c["config_name"] for s in c["data_files"])


def test_leave_one_document_out_configs_partition_each_table(card):
    configs = {c["config_name"]: c for c in card[0]["configs"]}
    release = built_release()
    con = duckdb.connect()
    articles = [a["article_id"] for a in read_rows("articles")]
    for table in LOO_TABLES:
        rows = read_rows(table)
        for held_out in articles:
            splits = {s["split"]: _files(s["path"]) for s in configs[f"{table}-loo-{held_out}"]["data_files"]}
            assert set(splits) == {"train", "test"}
            seen = {}
            for split, files in splits.items():
                got = [r for f in files for r in con.execute(f"SELECT article_id FROM '{release / f}'").fetchall()]
                seen[split] = {a for (a,) in got}
                assert len(got) == sum((r["article_id"] == held_out) == (split == "test") for r in rows), (table, held_out, split)
            assert seen["test"] <= {held_out} and held_out not in seen["train"]


def test_card_and_datasheet_give_the_protocol_with_figures_from_the_data(card):
    n = len(read_rows("statements"))
    lo, hi = wilson(0.8 * n, n)
    row = "| `statements` | " + " | ".join(str(sum(r["article_id"] == a["article_id"] for r in read_rows("statements")))
                                            for a in read_rows("articles")) + f" | {n} | {lo:.2f} to {hi:.2f} |"
    datasheet = (built_release() / "DATASHEET.md").read_text(encoding="utf-8")
    for text in (card[1], datasheet):
        assert row in text and "leave-one-document-out" in text and "bootstrap over documents" in text
        assert "can** support" in text and "cannot** support" in text


def test_wilson_interval_matches_known_values():
    # Wilson (1927); the figure quoted in the trial report: 0.80 of 64 -> about 0.68 to 0.88
    lo, hi = wilson(51.2, 64)
    assert (round(lo, 2), round(hi, 2)) == (0.69, 0.88)
    assert math.isclose(wilson(0, 10)[0], 0, abs_tol=1e-12) and math.isclose(wilson(10, 10)[1], 1) and wilson(0, 0) == (0.0, 1.0)
    assert detectable_difference(74) > detectable_difference(740) and math.isclose(detectable_difference(10**9), 0, abs_tol=1e-3)


@given(st.integers(1, 5000), st.data())
def test_wilson_interval_holds_the_observed_proportion(n, data):
    k = data.draw(st.integers(0, n))
    lo, hi = wilson(k, n)
    assert 0 <= lo <= k / n + 1e-12 and k / n - 1e-12 <= hi <= 1
