"""One dating rule (sql/15_event_placement.sql): every view, export and the chart place an event on the same day, and nothing counted is dropped."""
from __future__ import annotations

import datetime as dt

import duckdb
from conftest import ROOT, read_rows
from hypothesis import given, settings
from hypothesis import strategies as st

from jpkr_data.publication import exports
from jpkr_data.publication.placement import place

ARTICLE_DATE = {a["article_id"]: a["published_date"] for a in read_rows("articles")}


def _d(value: str) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _view_on(rows: list[tuple]) -> list[tuple]:
    """event_placement's own SQL (the file, as written) run on a throw-away events table holding `rows`."""
    con = duckdb.connect()
    con.execute("CREATE TABLE events (event_id VARCHAR, date_start DATE, date_end DATE, date_precision VARCHAR, "
                "date_span_type VARCHAR, date_basis VARCHAR)")
    con.executemany("INSERT INTO events VALUES (?, ?, ?, ?, ?, 'stated')", rows)
    con.execute((ROOT / "sql" / "15_event_placement.sql").read_text(encoding="utf-8"))
    return con.execute("SELECT event_id, placement, placed_date FROM event_placement ORDER BY event_id").fetchall()


windows = st.tuples(st.one_of(st.none(), st.dates(dt.date(1900, 1, 1), dt.date(2100, 1, 1))), st.integers(0, 20000),
                    st.booleans(), st.sampled_from(["day", "month", "year", "range", "open_start", "open_end", "unknown", "includes", "within"]),
                    st.sampled_from(["instant", "period"]))


@settings(max_examples=40, deadline=None)
@given(st.lists(windows, min_size=1, max_size=8))
def test_the_python_rule_is_the_views_rule_for_any_window(cases):
    """placement.place() and the view's SQL give the same placement and day for any window, open or closed."""
    rows, expected = [], {}
    for i, (start, days, open_end, precision, span) in enumerate(cases):
        end = None if open_end else (start or dt.date(2000, 1, 1)) + dt.timedelta(days=days)  # both None: undated
        if precision == "day" and start is not None:
            end = start
        rows.append((f"e{i}", start, end, precision, span))
        expected[f"e{i}"] = place(start, end, precision, span)
    for event_id, placement, day in _view_on(rows):
        assert (placement, day) == expected[event_id], event_id
        start, end = rows[int(event_id[1:])][1:3]
        assert day is None or ((start is None or start <= day) and (end is None or day <= end))


def test_every_event_is_placed_by_the_rule(con):
    placed = {r[0]: (r[1], r[2]) for r in con.execute("SELECT event_id, placement, placed_date FROM event_placement").fetchall()}
    events = read_rows("events")
    assert set(placed) == {e["event_id"] for e in events}
    for e in events:
        assert placed[e["event_id"]] == place(_d(e["date_start"]), _d(e["date_end"]), e["date_precision"], e["date_span_type"]), e["event_id"]


def test_every_view_and_export_uses_the_placed_day(con, tmp_path):
    placed = dict(con.execute("SELECT event_id, placed_date FROM event_placement").fetchall())
    for view, column in (("timeline", "placed_date"), ("event_dyads_coded", "placed_date"), ("agreement_status", "effective_date")):
        for event_id, day in con.execute(f"SELECT event_id, {column} FROM {view}").fetchall():
            assert day == placed[event_id], (view, event_id)
    out = tmp_path / "icews.tsv"
    exports.export(con, "icews", out)
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) > 1
    for line in lines[1:]:
        cells = line.split("\t")
        assert dt.date.fromisoformat(cells[1]) == placed[cells[0]], cells[0]
    for r in exports.collect_records(con):
        assert r.date == placed[r.event_id], r.event_id


def test_south_koreas_warnings_reported_on_1_august_fall_in_the_week_of_29_july(con):
    """art002 and art004 (1 August) report South Korea's warnings as already made ("South Korea warned", "Kang said she
    spoke of 'grave ramifications'"): known only by that day, they are placed on it, in the week of Monday 29 July."""
    mentioned = {m["event_id"] for m in read_rows("event_mentions") if ARTICLE_DATE[m["article_id"]] == "2019-08-01"}
    country = {a["actor_id"]: a["country_iso3"] for a in read_rows("actors")}
    korean = {x["event_id"] for x in read_rows("event_actors") if x["role"] == "initiator" and country[x["actor_id"]] == "KOR"}
    warnings = {e["event_id"] for e in read_rows("events") if e["cameo_code"].startswith("13") and e["status"] == "occurred"
                and e["date_end"] == "2019-08-01"} & mentioned & korean
    open_start = {e["event_id"] for e in read_rows("events") if e["event_id"] in warnings and e["date_precision"] == "open_start"}
    # South Korea's own warning has no day (open start); Kang's two are placed at the Bangkok talks by inference (CURATION §4)
    assert {"ev_kor_warns_repercussions", "ev_kang_warns_grave_ramifications", "ev_kang_warns_countermeasures"} <= warnings
    assert "ev_kor_warns_repercussions" in open_start
    (row,) = con.execute("SELECT event_ids, n_verbal_conflict, n_open_window, goldstein_sum, goldstein_sum_closed FROM event_series "
                         "WHERE level = 'state' AND period = 'week' AND period_start = DATE '2019-07-29' AND source = 'KOR' AND target = 'JPN'").fetchall()
    assert warnings <= set(row[0])
    assert row[1] >= len(warnings) and row[2] >= len(open_start)
    assert row[3] < 0 and row[3] < row[4]  # conflictual with them; the companion column shows the week without the open-window ones


def test_every_counted_japan_south_korea_event_is_in_a_period_or_undated(con):
    for src, tgt in (("JPN", "KOR"), ("KOR", "JPN")):
        counted = {r[0] for r in con.execute("SELECT DISTINCT event_id FROM event_dyads_coded WHERE counted AND source_country = ? "
                                             "AND target_country = ?", [src, tgt]).fetchall()}
        assert counted
        for period in ("week", "month"):
            in_periods = [e for (ids,) in con.execute("SELECT event_ids FROM event_series WHERE level = 'state' AND period = ? "
                                                      "AND source = ? AND target = ?", [period, src, tgt]).fetchall() for e in ids]
            undated = {r[0] for r in con.execute("SELECT DISTINCT event_id FROM event_dyads_coded WHERE counted AND source_country = ? "
                                                 "AND target_country = ? AND placed_date IS NULL", [src, tgt]).fetchall()}
            assert len(in_periods) == len(set(in_periods))
            assert set(in_periods) | undated == counted and not set(in_periods) & undated
        (n, n_undated, ids) = con.execute("SELECT n_events, n_undated, event_ids FROM dyad_summary WHERE level = 'state' AND source = ? "
                                          "AND target = ?", [src, tgt]).fetchone()
        assert set(ids) == counted and n == len(counted) and n_undated == len(undated)


def test_the_companion_column_is_the_series_without_open_windows(con):
    rows = con.execute("SELECT s.level, s.period, s.period_start, s.source, s.target, s.n_open_window, s.n_events_closed, "
                       "s.goldstein_sum_closed, s.n_events, s.event_ids FROM event_series s").fetchall()
    scores = dict(con.execute("SELECT DISTINCT event_id, goldstein FROM event_dyads_coded").fetchall())
    opened = {r[0] for r in con.execute("SELECT event_id FROM event_placement WHERE open_window").fetchall()}
    assert rows
    for *_, n_open, n_closed, sum_closed, n, ids in rows:
        closed = [e for e in ids if e not in opened]
        assert n_open == n - len(closed) and n_closed == len(closed)
        assert abs(float(sum_closed) - round(sum(scores[e] for e in closed), 1)) < 1e-9


def test_the_timeline_follows_the_rule(con):
    """The timeline is sorted by placed day; "had earlier indicated it would let it lapse" comes before the decision to keep GSOMIA."""
    order = con.execute("SELECT event_id, placed_date FROM timeline").fetchall()
    days = [d for _, d in order if d is not None]
    assert days == sorted(days)
    ids = [e for e, _ in order]
    assert ids.index("ev_gsomia_termination_indicated") < ids.index("ev_gsomia_kor_decides_keep")
    assert ids.index("ev_kor_suggests_gsomia_exit") < ids.index("ev_gsomia_termination_indicated")


def test_agreement_status_follows_the_rule(con):
    """South Korea's white-list removal (2-21 August) takes effect on its placed day, the window's midpoint, as in the series."""
    (eff, certain) = con.execute("SELECT effective_date, certain_from FROM agreement_status WHERE event_id = 'ev_kor_whitelist_removal'").fetchone()
    assert eff == dt.date(2019, 8, 11) and certain == dt.date(2019, 8, 21)
    seq = con.execute("SELECT event_id, status FROM agreement_status WHERE agreement_id = 'ag_gsomia'").fetchall()
    assert seq[-1] == ("ev_gsomia_kor_decides_keep", "in_force")


def test_the_chart_shows_the_undated_count_and_the_companion(con):
    from jpkr_data.publication.plot import series_figure, undated

    fig, n = series_figure(con, "JPN", "KOR", dt.date(2019, 6, 1), dt.date(2019, 12, 31))
    import matplotlib.pyplot as plt

    try:
        title = fig.axes[0].get_title()
        labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    finally:
        plt.close(fig)
    assert n > 0 and f"undated (in no week): {undated(con, 'JPN', 'KOR')}" in title
    assert "the period without open-window events" in labels


def test_the_readmes_weekly_table_is_the_views(con):
    """Every figure of the README's Japan-South Korea table is event_series' (goldstein_sum and goldstein_sum_closed)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    table = text.split("| week of |", 1)[1].split("\n\n", 1)[0].splitlines()[2:]
    assert len(table) >= 5
    got = {}
    for (day, src, _tgt, total, closed) in con.execute(  # source and target differ: the source names the row
            "SELECT period_start, source, target, goldstein_sum, goldstein_sum_closed FROM event_series WHERE level = 'state' "
            "AND period = 'week' AND source IN ('JPN', 'KOR') AND target IN ('JPN', 'KOR') AND period_start >= DATE '2019-06-01'").fetchall():
        got[(day, src)] = f"{float(total):+.1f} ({float(closed):+.1f})".replace("+0.0", "0.0").replace("-", "−")
    for line in table:
        cells = [c.strip() for c in line.strip("|").split("|")]
        day = dt.datetime.strptime(cells[0], "%d %B %Y").date()
        for src, cell in (("JPN", cells[1]), ("KOR", cells[2])):
            assert cell == got.get((day, src), ""), (day, src, cell)
    assert {d for d, _ in got} == {dt.datetime.strptime(c.strip("| ").split("|")[0].strip(), "%d %B %Y").date() for c in table}
