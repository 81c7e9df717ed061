"""Parallel acts are coded alike (CURATION.md §2 "Parallel acts"): the same kind of act counts the same way for every side.

- Measures: an act that announces a measure its own side has adopted ("announced tighter
  restrictions") is coded at the measure's CAMEO code, as a decision to take a measure is ("it
  decided to remove South Korea", 163): when one side's measure of a code is counted, another
  side's announced measure of that code is not left to an act of saying (010, Goldstein 0).
- Conflict acts: a counted act of verbal or material conflict (QuadClass 3 or 4) names whom it
  is aimed at when a parallel act of the same QuadClass by the same country does: an act
  without a target is in no dyad and so counts in no series. Background periods (colonial rule)
  are coded by the period rules and are not checked.
"""
from __future__ import annotations

from ..schema import Table
from .report import Report
from .schema_checks import collect, staged_with, typed_name
from .semantics import ACT_STATUSES

COUNTED = str(ACT_STATUSES)


def check_parallel_measures(con, staged: dict[str, Table], report: Report) -> None:
    """An announced measure is coded at the measure's code when a parallel measure of that code is counted."""
    if not (staged_with(staged, "events", "event_id", "event_type", "cameo_code", "status")
            and staged_with(staged, "event_relations", "event_id", "relation", "related_event_id")
            and staged_with(staged, "event_actors", "event_id", "actor_id", "role")):
        return
    ev = staged["events"]
    e, r, x = typed_name(ev), typed_name(staged["event_relations"]), typed_name(staged["event_actors"])
    report.ran("parallel-measure")
    collect(con, f"SELECT a._row, a.event_id || ' (' || a.cameo_code || ') announces ' || m.event_id || ' (' || m.cameo_code || '); '"
                 f" || min(n.event_id) || ' (' || m.cameo_code || ') is counted' "
                 f"FROM {r} l JOIN {e} a ON a.event_id = l.event_id JOIN {e} m ON m.event_id = l.related_event_id "
                 f"JOIN {e} n ON n.cameo_code = m.cameo_code AND n.event_type = 'policy_measure' AND n.status IN {COUNTED} "
                 f"AND n.event_id NOT IN (a.event_id, m.event_id) "
                 f"WHERE l.relation = 'announces' AND m.event_type = 'policy_measure' AND a.status IN {COUNTED} "
                 f"AND a.cameo_code <> m.cameo_code "
                 f"AND NOT EXISTS (SELECT 1 FROM {x} p JOIN {x} q ON q.actor_id = p.actor_id "
                 f"WHERE p.event_id = n.event_id AND p.role = 'initiator' AND q.event_id = m.event_id AND q.role = 'initiator') "
                 f"GROUP BY a._row, a.event_id, a.cameo_code, m.event_id, m.cameo_code",
            report, "parallel-measure", ev, "cameo_code",
            "parallel acts are coded alike: the act announcing a measure its side adopted is coded at the measure's CAMEO code "
            "and counted, as a parallel measure of that code is (CURATION.md §2, Parallel acts)")


def check_parallel_targets(con, staged: dict[str, Table], report: Report) -> None:
    """A counted conflict act names its target when a parallel act of its country and QuadClass does."""
    if not (staged_with(staged, "events", "event_id", "event_type", "cameo_code", "status")
            and staged_with(staged, "event_actors", "event_id", "actor_id", "role")
            and staged_with(staged, "actors", "actor_id", "country_iso3")
            and staged_with(staged, "cameo_codes", "cameo_code", "quad_class")):
        return
    ev = staged["events"]
    e, x = typed_name(ev), typed_name(staged["event_actors"])
    a, c = typed_name(staged["actors"]), typed_name(staged["cameo_codes"])
    acts = (f"SELECT y.event_id, y._row, y.cameo_code, k.quad_class, i.country_iso3, "
            f"EXISTS (SELECT 1 FROM {x} t WHERE t.event_id = y.event_id AND t.role = 'target') AS has_target "
            f"FROM {e} y JOIN {c} k ON k.cameo_code = y.cameo_code "
            f"JOIN {x} s ON s.event_id = y.event_id AND s.role = 'initiator' JOIN {a} i ON i.actor_id = s.actor_id "
            f"WHERE y.status IN {COUNTED} AND k.quad_class IN (3, 4) AND i.country_iso3 IS NOT NULL "
            f"AND coalesce(y.event_type, '') <> 'historical_period'")
    report.ran("parallel-target")
    nearest = "arg_min(v.event_id, (substr(v.cameo_code, 1, 2) <> substr(u.cameo_code, 1, 2), v.event_id))"  # same root first
    collect(con, f"SELECT u._row, u.event_id || ' has no target; ' || {nearest} || ' (same country, QuadClass ' "
                 f"|| CAST(u.quad_class AS VARCHAR) || ') has one' "
                 f"FROM ({acts}) u JOIN ({acts}) v ON v.quad_class = u.quad_class AND v.country_iso3 = u.country_iso3 "
                 f"AND v.has_target AND v.event_id <> u.event_id "
                 f"WHERE NOT u.has_target GROUP BY u._row, u.event_id, u.quad_class",
            report, "parallel-target", ev, "event_id",
            "parallel acts are coded alike: this conflict act names no target while a parallel act of its country does, so it "
            "counts in no dyad; record whom it is aimed at in event_actors (CURATION.md §2, Parallel acts)")


def run_analysis_checks(con, staged: dict[str, Table], report: Report) -> None:
    """Run every parallel-acts check whose tables were staged."""
    check_parallel_measures(con, staged, report)
    check_parallel_targets(con, staged, report)
