"""Directions come from the actors' roles, never from sorting: checked in event_pairs, the dyad views and every export."""
from __future__ import annotations

import json

import pytest
from conftest import read_rows

from jpkr_data.publication import exports

NAME = {a["actor_id"]: a["name"] for a in read_rows("actors")}
COUNTRY = {a["actor_id"]: a["country_iso3"] for a in read_rows("actors")}


@pytest.fixture(scope="module")
def exported(con, tmp_path_factory):
    """(event_id, source actor_id or name, target actor_id or name, code) of every record of each format."""
    folder = tmp_path_factory.mktemp("directions")
    out = {}
    for fmt in exports.FORMATS:
        path = folder / f"events.{fmt}"
        exports.export(con, fmt, path)
        text = path.read_text(encoding="utf-8")
        if fmt == "plover":
            recs = [json.loads(line) for line in text.splitlines()]
            out[fmt] = [(r["id"], r["actor"][0]["entity_text"] if r["actor"] else "", r["recipient"][0]["entity_text"] if r["recipient"] else "",
                         r["comment"].split("cameo_code=")[1].split(";")[0]) for r in recs]
        elif fmt == "icews":
            rows = [line.split("\t") for line in text.splitlines()[1:]]
            out[fmt] = [(r[0], r[2], r[8], r[6]) for r in rows]
        else:
            col = {c: i for i, c in enumerate(exports.GDELT_COLUMNS)}
            rows = [line.split("\t") for line in text.splitlines()]
            out[fmt] = [(r[col["GLOBALEVENTID"]], r[col["Actor1Name"]], r[col["Actor2Name"]], r[col["EventCode"]]) for r in rows]
    return out


def test_kang_is_received_by_wang_yi_in_every_export(exported):
    """art001: Kang travelled to Beijing and met Wang Yi there (CAMEO 043, host a visit): the host is Wang Yi, in every format
    that holds the event, and no row has Kang hosting him."""
    kang, wang = NAME["kang_kyung_wha"], NAME["wang_yi"]
    for fmt in ("gdelt", "icews"):
        rows = [r for r in exported[fmt] if r[0] == "ev_wang_kang_meeting_aug20"]
        assert rows == [("ev_wang_kang_meeting_aug20", wang, kang, "043")], fmt
    for fmt, rows in exported.items():
        assert not [r for r in rows if r[1] == kang and r[2] == wang and r[3] == "043"], fmt


def test_suh_hoons_testimony_runs_from_him_to_the_panel(exported, con):
    """art002: "Suh Hoon ..., telling a parliamentary intelligence panel ..., said Lee Eun-jae, a lawmaker who attended": Suh
    Hoon is the speaker; the panel never acts on the lawmaker who relayed him."""
    panel, lee, suh = NAME["kor_parliament_intel_panel"], NAME["lee_eun_jae"], NAME["suh_hoon"]
    for fmt in ("gdelt", "icews"):
        rows = [r for r in exported[fmt] if r[0] == "ev_suh_hoon_testimony"]
        assert rows and all(r[1] == suh for r in rows), fmt
        assert (("ev_suh_hoon_testimony", suh, panel, "010")) in rows
    for fmt, rows in exported.items():
        assert not [r for r in rows if r[1] == panel and r[2] == lee], fmt
    for view, src, tgt in (("event_dyads_coded", "source_actor_id", "target_actor_id"), ("dyads", "source_actor_id", "target_actor_id")):
        assert con.execute(f"SELECT count(*) FROM {view} WHERE {src} = 'kor_parliament_intel_panel' AND {tgt} = 'lee_eun_jae'").fetchone() == (0,)
        assert con.execute(f"SELECT count(*) FROM {view} WHERE {src} = 'suh_hoon' AND {tgt} = 'kor_parliament_intel_panel'").fetchone()[0] >= 1


def test_no_self_dyads_in_the_dyad_views(con):
    """China does not host its own foreign minister: no China -> China dyad, and no actor or code paired with itself."""
    assert con.execute("SELECT count(*) FROM dyad_summary WHERE source = target").fetchone() == (0,)
    assert con.execute("SELECT count(*) FROM event_series WHERE source = target").fetchone() == (0,)
    assert con.execute("SELECT count(*) FROM dyads WHERE source_actor_id = target_actor_id").fetchone() == (0,)
    assert con.execute("SELECT count(*) FROM event_pairs WHERE source_actor_id = target_actor_id").fetchone() == (0,)
    assert con.execute("SELECT count(*) FROM dyad_summary WHERE level = 'state' AND source = 'CHN' AND target = 'CHN'").fetchone() == (0,)
    hosted = con.execute("SELECT source_actor_id, target_actor_id FROM event_pairs WHERE event_id = 'ev_beijing_trilateral_fmm' "
                         "AND dyad_kind = 'hosted' ORDER BY 2").fetchall()
    assert hosted == [("wang_yi", "kang_kyung_wha"), ("wang_yi", "taro_kono")]  # Wang Yi hosts (audit of 2026-12-03), never China beside him


def test_every_pair_follows_the_roles(con):
    roles: dict[tuple[str, str], set[str]] = {}
    for x in read_rows("event_actors"):
        roles.setdefault((x["event_id"], x["actor_id"]), set()).add(x["role"])
    has = {(e, r) for (e, _), rs in roles.items() for r in rs}
    pairs = con.execute("SELECT event_id, dyad_kind, source_actor_id, target_actor_id FROM event_pairs").fetchall()
    assert pairs
    want = {"directed": ("initiator", "target"), "addressed": ("initiator", None), "hosted": ("host", "participant"),
            "mutual": ("participant", "participant")}
    for event_id, kind, src, tgt in pairs:
        s_role, t_role = want[kind]
        assert s_role in roles[(event_id, src)], (event_id, kind, src)
        if kind == "addressed":
            assert roles[(event_id, tgt)] & {"host", "participant"} and (event_id, "target") not in has
        else:
            assert t_role in roles[(event_id, tgt)], (event_id, kind, tgt)
        if kind in ("hosted", "mutual"):
            assert (event_id, "initiator") not in has
        if kind == "hosted":
            assert not (COUNTRY[src] and COUNTRY[src] == COUNTRY[tgt]), (event_id, src, tgt)  # no state hosts its own minister
        if kind == "mutual":
            assert (event_id, "mutual", tgt, src) in pairs  # written in both directions


def test_exports_write_every_pair_in_its_direction(con, exported):
    """A meeting of equals (Bangkok, 1 August) is written in both directions; each export row is a pair of event_pairs."""
    pairs = {(e, NAME[s], NAME[t]) for e, s, t in con.execute("SELECT event_id, source_actor_id, target_actor_id FROM event_pairs").fetchall()}
    for fmt in ("gdelt", "icews"):
        rows = exported[fmt]
        meeting = {(r[1], r[2]) for r in rows if r[0] == "ev_bangkok_kang_kono"}
        assert meeting == {(NAME["kang_kyung_wha"], NAME["taro_kono"]), (NAME["taro_kono"], NAME["kang_kyung_wha"])}, fmt
        with_pairs = {e for e, _, _ in pairs}
        for event_id, src, tgt, _ in rows:
            if event_id in with_pairs:
                assert (event_id, src, tgt) in pairs, (fmt, event_id, src, tgt)
