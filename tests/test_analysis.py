"""The analysis layer: the CAMEO codebook with Goldstein scores, actor codes, event_dyads_coded, event_series, dyad_summary."""
from __future__ import annotations

import datetime as dt

from conftest import read_rows

import jpkr_data
from jpkr_data.publication.placement import place

# PLOVER manual, event categories: the quad each PLOVER type belongs to.
PLOVER_QUAD = {"AGREE": 1, "CONSULT": 1, "SUPPORT": 1, "CONCEDE": 1, "COOPERATE": 2, "AID": 2, "RETREAT": 2,
               "REQUEST": 3, "ACCUSE": 3, "REJECT": 3, "THREATEN": 3,
               "PROTEST": 4, "SANCTION": 4, "MOBILIZE": 4, "COERCE": 4, "ASSAULT": 4}


def cameo_quad(root: str) -> int:
    """GDELT's QuadClass by CAMEO root: 01-05, 06-08, 09-13, 14-20."""
    r = int(root)
    return 1 if r <= 5 else 2 if r <= 8 else 3 if r <= 13 else 4


def rows_of(con, sql, params=None):
    return con.execute(sql, params or []).fetchall()


# --- the codebook -------------------------------------------------------------------------------

def test_codebook_covers_every_root_and_every_parent():
    codes = {r["cameo_code"]: r for r in read_rows("cameo_codes")}
    roots = {c[:2] for c in codes}
    assert roots == {f"{i:02d}" for i in range(1, 21)}
    for root in roots:
        assert root + "0" in codes, f"root {root} has no 'not specified' code"
    for c in codes:
        assert len(c) in (3, 4) and c.isdigit()
        assert codes[c]["cameo_root"] == c[:2]
        if len(c) == 4:
            assert c[:3] in codes, f"{c} has no three-digit parent"
    assert len(codes) > 280  # the whole 1.1b3 codebook, not only the codes used


def test_leading_zeros_are_kept_as_text(con):
    assert rows_of(con, "SELECT typeof(cameo_code), count(*) FROM cameo_codes WHERE cameo_root = '01' GROUP BY 1") == [("VARCHAR", 10)]
    assert rows_of(con, "SELECT label FROM cameo_codes WHERE cameo_code = '010'") == [("Make statement, not specified below",)]
    assert rows_of(con, "SELECT count(*) FROM cameo_codes WHERE cameo_code = '10'") == [(0,)]


def test_quad_classes_follow_the_root_and_the_plover_type():
    for r in read_rows("cameo_codes"):
        assert int(r["quad_class"]) == cameo_quad(r["cameo_root"]), r["cameo_code"]
        if r["plover_type"]:
            assert int(r["plover_quad_class"]) == PLOVER_QUAD[r["plover_type"]], r["cameo_code"]
        else:
            assert r["plover_quad_class"] == "" and r["crosswalk_note"], r["cameo_code"]


def test_goldstein_sign_follows_cooperation_and_conflict():
    for r in read_rows("cameo_codes"):
        g, root = float(r["goldstein"]), int(r["cameo_root"])
        assert -10 <= g <= 10
        if 3 <= root <= 8:
            assert g > 0, r["cameo_code"]
        if root >= 9:
            assert g < 0, r["cameo_code"]
    by_code = {r["cameo_code"]: float(r["goldstein"]) for r in read_rows("cameo_codes")}
    # the published scale's anchors: signing an agreement is among the most cooperative verbal acts, sanctions deeply conflictual
    assert by_code["057"] > by_code["046"] > by_code["042"] > by_code["010"] > by_code["130"] > by_code["163"]
    assert by_code["0874"] == 10 and min(by_code.values()) == -10


def test_the_crosswalk_notes_and_types_of_the_codes_in_use_are_kept(con):
    used = rows_of(con, "SELECT DISTINCT e.cameo_code, c.plover_type, c.crosswalk_note FROM events e JOIN cameo_codes c USING (cameo_code) ORDER BY 1")
    by_code = {c: (t, n) for c, t, n in used}
    assert by_code["163"][0] == "SANCTION" and "COERCE" in by_code["163"][1]
    assert by_code["027"][0] is None and "02 (appeals)" in by_code["027"][1]  # the U.S. appeals, 1014 until the final events audit (F1)
    assert by_code["010"][0] is None and "statements" in by_code["010"][1]
    unknown = rows_of(con, "SELECT event_id FROM events WHERE cameo_code IS NOT NULL AND cameo_code NOT IN (SELECT cameo_code FROM cameo_codes)")
    assert unknown == []


def test_codes_the_curators_may_switch_to_are_known(con):
    wanted = ["130", "131", "1311", "1312", "1313", "132", "138", "139", "161", "172", "0254", "1054", "1244"]
    found = [r[0] for r in rows_of(con, "SELECT cameo_code FROM cameo_codes WHERE cameo_code IN (SELECT unnest(?)) ORDER BY 1", [wanted])]
    assert found == sorted(wanted)


def test_a_code_unknown_to_the_codebook_is_rejected(package_copy):
    from jpkr_data.validator import validate

    events = package_copy / "data" / "events.csv"
    events.write_text(events.read_text(encoding="utf-8").replace(",163,", ",1999,", 1), encoding="utf-8")
    report = validate(package_copy)
    assert not report.valid
    assert any(p.file == "data/events.csv" and "cameo" in (p.field or "") + p.message for p in report.problems)


# --- actor codes --------------------------------------------------------------------------------

def test_every_actor_has_one_code_made_of_country_and_sector():
    actors = {a["actor_id"]: a for a in read_rows("actors")}
    codes = {c["actor_id"]: c for c in read_rows("actor_codes")}
    # every actor has a code except a joint group, which is coded through its members (CURATION §3, 0.4)
    assert set(codes) == {a for a, r in actors.items() if r["actor_type"] != "joint_group"}
    for aid, c in codes.items():
        assert c["cameo_actor_code"] == c["country_code"] + c["sector_code"]
        assert c["country_code"] == actors[aid]["country_iso3"]


def test_sector_follows_its_basis():
    actors = {a["actor_id"]: a for a in read_rows("actors")}
    codes = {c["actor_id"]: c for c in read_rows("actor_codes")}
    by_type = {"government_body": "GOV", "court": "JUD", "legislature_body": "LEG", "business_group": "BUS",
               "media": "MED", "social_group": "CVL", "international_forum": "IGO"}
    for aid, c in codes.items():
        a = actors[aid]
        if c["basis"] == "state":
            assert a["actor_type"] == "state" and c["sector_code"] == "GOV"
        elif c["basis"] == "type":
            assert by_type[a["actor_type"]] == c["sector_code"], aid
        elif c["basis"] == "parent":
            assert a["actor_type"] in ("person", "unnamed_source", "unnamed_journalist", "unnamed_official") and codes[a["parent_actor_id"]]["sector_code"] == c["sector_code"], aid
        else:
            assert any(r["actor_id"] == aid for r in read_rows("actor_roles")), aid


def test_known_actor_codes(con):
    got = dict(rows_of(con, "SELECT actor_id, cameo_actor_code FROM actor_codes WHERE actor_id IN "
                            "('jpn', 'kor', 'usa', 'chn', 'kor_supreme_court', 'jpn_companies', 'kor_technology_industry', 'kang_kyung_wha', 'suh_hoon')"))
    assert got == {"jpn": "JPNGOV", "kor": "KORGOV", "usa": "USAGOV", "chn": "CHNGOV", "kor_supreme_court": "KORJUD",
                   "jpn_companies": "JPNBUS", "kor_technology_industry": "KORBUS", "kang_kyung_wha": "KORGOV", "suh_hoon": "KORSPY"}


def test_actor_code_faults_are_rejected(package_copy):
    from jpkr_data.validator import validate

    path = package_copy / "data" / "actor_codes.csv"
    text = path.read_text(encoding="utf-8")
    for bad, field in ((text.replace("kor_technology_industry,KORBUS,KOR,BUS", "kor_technology_industry,KORBUS,KOR,XXX", 1), "sector_code"),
                       (text.replace("\nkor_technology_industry,", "\nnobody_known,", 1), "actor_id"),
                       (text.replace("jpn,JPNGOV,JPN,GOV,state", "jpn,jpngov,JPN,GOV,state", 1), "cameo_actor_code")):
        path.write_text(bad, encoding="utf-8")
        report = validate(package_copy)
        assert not report.valid
        assert any(p.file == "data/actor_codes.csv" and (p.field in (field, None)) for p in report.problems), report.problems


# --- the views ------------------------------------------------------------------------------------

def test_japan_toward_south_korea_in_july_august_2019_is_net_conflictual_driven_by_the_trade_measures(con):
    """The two trade measures drive July-August; the rest of the conflict is verbal (accusations, criticism, the refusal to
    resume talks), counted since 0.4.0 on the day they were known by, not dropped. July is net conflictual; over the two
    months the Bangkok and Beijing meetings (and, since the final events audit, Saito's appeal and the ministers' attendance
    at the ASEAN meeting) about offset it (+1.0: -10.0 in July, +11.0 in August)."""
    months = rows_of(con, "SELECT period_start, goldstein_sum, event_ids FROM event_series WHERE level = 'state' AND period = 'month' "
                          "AND source = 'JPN' AND target = 'KOR' AND period_start IN (DATE '2019-07-01', DATE '2019-08-01')")
    by_month = {r[0].month: r[1] for r in months}
    assert by_month[7] < 0 and abs(sum(by_month.values())) < 5
    ids = sorted({e for r in months for e in r[2]})
    coded = {r[0]: (r[1], r[2]) for r in rows_of(con, "SELECT DISTINCT event_id, goldstein, quad_class FROM event_dyads_coded "
                                                      "WHERE event_id IN (SELECT unnest(?))", [ids])}
    drivers = sorted(e for e in ids if coded[e][0] < 0)
    measures = ["ev_jpn_export_controls", "ev_jpn_whitelist_removal"]
    assert set(measures) <= set(drivers)
    assert all(coded[e][1] == 3 for e in drivers if e not in measures)  # the others are verbal conflict
    assert "ev_jpn_refuses_export_talks" in drivers  # art001: "will not resume talks", aimed at South Korea
    types = dict(rows_of(con, "SELECT event_id, event_type FROM events WHERE event_id IN (SELECT unnest(?))", [measures]))
    assert set(types.values()) == {"policy_measure"}
    assert min(coded[e][0] for e in measures) <= min(coded[e][0] for e in drivers)


def test_south_korea_answers_in_august_with_the_window_placed_white_list_removal(con):
    """South Korea's removal of Japan from its white list (known only to lie between 2 and 21 August) is placed in August by
    the midpoint rule and counted as window-placed; the 1 August warnings, known only to have been made by that day (open
    start), fall on that day (the known bound) and are counted in n_open_window, not dropped."""
    (row,) = rows_of(con, "SELECT goldstein_sum, n_material_conflict, n_window_placed, event_ids FROM event_series WHERE level = 'state' "
                          "AND period = 'month' AND period_start = DATE '2019-08-01' AND source = 'KOR' AND target = 'JPN'")
    windowed = {e["event_id"] for e in read_rows("events")  # a closed window's midpoint, or a period's first day (the ASEAN meeting)
                if e["event_id"] in row[3] and (e["date_precision"] == "range" or (e["date_span_type"] == "period" and e["date_start"]))}
    assert "ev_kor_whitelist_removal" in windowed and row[1] >= 1 and row[2] == len(windowed)
    opened = {r[0] for r in rows_of(con, "SELECT DISTINCT event_id FROM event_dyads_coded WHERE counted AND source_country = 'KOR' "
                                         "AND target_country = 'JPN' AND open_window")}
    warnings = {e["event_id"] for e in read_rows("events") if e["cameo_code"].startswith("13") and e["date_precision"] == "open_start"
                and e["date_end"].startswith("2019-08")}
    assert warnings & opened, "some South Korean warnings to Japan have open starts"
    assert (warnings & opened) <= set(row[3])
    (undated,) = rows_of(con, "SELECT n_undated FROM dyad_summary WHERE level = 'state' AND source = 'KOR' AND target = 'JPN'")[0]
    assert undated == 1  # only the series of court rulings, a period of unknown start (undated by the dating rule)


def test_november_2019_south_korea_toward_japan_is_cooperative_gsomia_kept(con):
    (row,) = rows_of(con, "SELECT goldstein_sum, event_ids FROM event_series WHERE level = 'state' AND period = 'month' "
                          "AND period_start = DATE '2019-11-01' AND source = 'KOR' AND target = 'JPN'")
    assert row[0] > 0 and "ev_gsomia_kor_decides_keep" in row[1]


def test_an_event_counts_once_per_state_dyad_however_many_actor_pairs(package_copy):
    """The Bangkok meeting given its two states beside its two ministers: four actor pairs per direction, one state dyad."""
    path = package_copy / "data" / "event_actors.csv"
    extra = "".join(f"ev_bangkok_kang_kono,{a},participant,inferred,art004,128,166,Kang-Kono Meeting Ends Without Results,the ministers' states\n"
                    for a in ("jpn", "kor"))
    path.write_text(path.read_text(encoding="utf-8") + extra, encoding="utf-8")
    con = jpkr_data.connect(package_copy)
    multi = rows_of(con, "SELECT event_id, source_country, target_country FROM event_dyads_coded WHERE counted AND placement IS NOT NULL "
                         "AND source_country <> target_country GROUP BY ALL HAVING count(*) > 1 ORDER BY ALL")
    assert multi, "some placed event has several actor pairs resolving to one pair of states"
    for event_id, src, tgt in multi:
        ids = [e for (ids,) in rows_of(con, "SELECT event_ids FROM event_series WHERE level = 'state' AND period = 'week' AND source = ? AND target = ?",
                                       [src, tgt]) for e in ids]
        assert ids.count(event_id) == 1, event_id
    con.close()


def test_uncounted_statuses_and_deadlines_stay_out_of_the_series(con):
    left_out = {e["event_id"] for e in read_rows("events") if e["status"] not in ("occurred", "ongoing") or not e["cameo_code"]}
    in_series = {e for (ids,) in rows_of(con, "SELECT event_ids FROM event_series") for e in ids}
    in_summary = {e for (ids,) in rows_of(con, "SELECT event_ids FROM dyad_summary") for e in ids}
    assert left_out and not (left_out & in_series) and not (left_out & in_summary)


def test_placement_rule_matches_the_events_table(con):
    placed = dict(rows_of(con, "SELECT DISTINCT event_id, placed_date FROM event_dyads_coded"))
    for e in read_rows("events"):
        if e["event_id"] not in placed:
            continue
        start = dt.date.fromisoformat(e["date_start"]) if e["date_start"] else None
        end = dt.date.fromisoformat(e["date_end"]) if e["date_end"] else None
        assert placed[e["event_id"]] == place(start, end, e["date_precision"], e["date_span_type"])[1], e["event_id"]


def test_weeks_months_and_summary_add_up(con):
    by_period = dict(((lvl, p), n) for lvl, p, n in rows_of(con, "SELECT level, period, sum(n_events) FROM event_series GROUP BY ALL"))
    summary = dict(rows_of(con, "SELECT level, sum(n_events - n_undated) FROM dyad_summary GROUP BY ALL"))
    for level in ("state", "actor_code"):
        assert by_period[(level, "week")] == by_period[(level, "month")] == summary[level]
    bad = rows_of(con, "SELECT * FROM event_series WHERE n_events <> n_verbal_coop + n_material_coop + n_verbal_conflict + n_material_conflict "
                       "OR n_events <> len(event_ids) OR abs(goldstein_mean * n_events - goldstein_sum) > 0.01 * n_events")
    assert bad == []


def test_sector_level_dyads_are_readable(con):
    rows = rows_of(con, "SELECT source, target, event_ids FROM dyad_summary WHERE level = 'actor_code' AND source = 'KORJUD'")
    assert rows == [("KORJUD", "JPNBUS", ["ev_court_ruling_last_year", "ev_court_rulings_2018"])]  # the dated ruling and its series
