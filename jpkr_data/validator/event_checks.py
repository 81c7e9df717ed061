"""Event rules of the audit of 2026-12-03 that a machine can check (CURATION.md §2, §8 "Audit of 2026-12-03: events").

- A period whose own start and end are not given is recorded by the days it is attested under
  way, with precision `includes` (never as a one-day span); `includes` is only for periods with
  both dates; an `ongoing` period has no known end, so its window is `includes` or open-ended.
- An act of appealing, demanding, criticising, rejecting or threatening (CAMEO 02, 10-13) that has
  an initiator has a target: an act with no target is in no dyad and no series.
- A role fits its event: `host` only at a meeting, conference or hearing; `mediator` only for an
  act of mediation (CAMEO 045).
- Two sides of a meeting are two sides: an actor is never a participant or host beside its own
  parent (a state beside its own official) or beside the joint group it is a member of, which
  would pair a side with itself in the dyad views (audit of 2026-12-03, second events audit F1).
- One actor has one role in one event (a host who is also a participant pairs itself and gives both
  hosted and mutual pairs; final events audit of 2026-12-03, F7).
- A child event of a located parent has a place of its own (the parent's, inferred), so a query by
  country never gets one act of a meeting and misses its sibling (final events audit, F3).
- A response, an outcome or a follow-up cannot end before the event it answers begins.
- A government's announcement of its own measure is coded as the measure (the same CAMEO code),
  as a decision reported as the decision is.
- The event that concludes, signs or keeps an agreement is an act of agreeing (`agreement_action`),
  not the meeting it happened at.
- A period whose window comes from a dataset convention ("in recent weeks") stores no convention as
  its start: it is open-start (or `within`), so no view places it on a conventional first day
  (second events audit of 0.5, RF1).
- A role or link read from words whose referent the curators inferred, or left open between
  candidates (its event mention's note: "Referent inferred", "candidate referent"), is `inferred`,
  never `stated` (second events audit of 0.5, F1, F2, F5).
- A visit is coded from the host's side (CAMEO 043): the visitor's trip (042) has no target, so one
  stay is never counted from both sides in the dyad series (second events audit of 0.5, F7).
"""
from __future__ import annotations

from ..schema import Table
from .report import Report
from .schema_checks import collect, staged_with, typed_name

SAYING_ROOTS = ("02", "10", "11", "12", "13")  # appeal, demand, disapprove, reject, threaten
HOST_TYPES = ("meeting", "conference", "hearing")
MUTUAL_ROLES = ("participant", "host")
ORDERED_RELATIONS = ("responds_to", "outcome_of", "follows")
AGREEING_EFFECTS = ("concluded", "signed", "kept")



def check_period_windows(con, staged: dict[str, Table], report: Report) -> None:
    """A period known from some days only is 'includes'; 'includes' and 'within' are periods with both dates; an ongoing period has no end."""
    if not staged_with(staged, "events", "event_id", "date_start", "date_end", "date_precision", "date_span_type", "status"):
        return
    ev = staged["events"]
    e = typed_name(ev)
    report.ran("includes-window")
    for where, message in (
        ("date_span_type = 'period' AND date_start = date_end AND date_precision <> 'includes'",
         "a period stored as one day says it lasted exactly that day: if only that day is attested, use precision 'includes'"),
        ("date_precision = 'includes' AND (date_span_type <> 'period' OR date_start IS NULL OR date_end IS NULL)",
         "'includes' records the days a period is attested under way: it needs date_span_type 'period' and both dates"),
        ("date_precision = 'within' AND (date_span_type <> 'period' OR date_start IS NULL OR date_end IS NULL)",
         "'within' records the window a period lies inside (its own bounds not given): it needs date_span_type 'period' and both dates"),
        ("status = 'ongoing' AND date_span_type = 'period' AND date_precision NOT IN ('includes', 'open_end', 'unknown')",
         "an ongoing period has not ended, so no end can be given: record the days it is attested under way ('includes')"),
    ):
        collect(con, f"SELECT _row, event_id || ' ' || date_precision FROM {e} WHERE {where}", report, "includes-window", ev, "date_precision", message)
    if "date_reasoning" in ev.field_names:
        report.ran("convention-span")
        collect(con, f"SELECT _row, event_id || ' ' || date_start || '..' || coalesce(CAST(date_end AS VARCHAR), '') FROM {e} "
                     f"WHERE date_span_type = 'period' AND date_start IS NOT NULL AND date_precision <> 'within' "
                     f"AND lower(coalesce(date_reasoning, '')) LIKE '%convention%'",
                report, "convention-span", ev, "date_start",
                "a period whose window is a dataset convention ('in recent weeks') has no known start: leave date_start empty "
                "(open_start) so that no view places it on the convention's first day")


def check_roles(con, staged: dict[str, Table], report: Report) -> None:
    """Acts of saying aimed at someone have a target; host and mediator roles fit their event."""
    if not (staged_with(staged, "events", "event_id", "cameo_code", "event_type") and staged_with(staged, "event_actors", "event_id", "actor_id", "role")):
        return
    ev, ea = staged["events"], staged["event_actors"]
    e, a = typed_name(ev), typed_name(ea)
    roots = ", ".join(f"'{r}'" for r in SAYING_ROOTS)
    report.ran("act-target")
    collect(con, f"SELECT _row, event_id || ' (' || cameo_code || ')' FROM {e} y WHERE substr(cameo_code, 1, 2) IN ({roots}) "
                 f"AND EXISTS (SELECT 1 FROM {a} x WHERE x.event_id = y.event_id AND x.role = 'initiator') "
                 f"AND NOT EXISTS (SELECT 1 FROM {a} x WHERE x.event_id = y.event_id AND x.role = 'target')",
            report, "act-target", ev, "event_id",
            "an act of appealing, demanding, criticising, rejecting or threatening needs the target the text aims it at "
            "(an event_actors row, role 'target', inferred with its reasoning when the text implies it)")
    report.ran("role-fit")
    for role, misfit, message in (
        ("host", f"y.event_type NOT IN {HOST_TYPES}", "only a meeting, conference or hearing has a host"),
        ("mediator", "coalesce(y.cameo_code, '') <> '045'",
         "'mediator' is for an act of mediation (CAMEO 045); helping to bring an agreement about is an agreement_parties 'promoter'"),
    ):
        collect(con, f"SELECT x._row, x.event_id || ' ' || y.event_type || ' ' || coalesce(y.cameo_code, '') FROM {a} x "
                     f"JOIN {e} y USING (event_id) WHERE x.role = '{role}' AND {misfit}", report, "role-fit", ea, "role", message)


def check_one_role_and_place(con, staged: dict[str, Table], report: Report) -> None:
    """One role per actor in one event; a child of a located parent has a country of its own."""
    if staged_with(staged, "event_actors", "event_id", "actor_id", "role"):
        ea = staged["event_actors"]
        a = typed_name(ea)
        report.ran("one-role")
        collect(con, f"SELECT x._row, x.event_id || ': ' || x.actor_id || ' is ' || x.role || ' and ' || y.role FROM {a} x "
                     f"JOIN {a} y ON y.event_id = x.event_id AND y.actor_id = x.actor_id AND y.role < x.role",
                report, "one-role", ea, "role",
                "one actor has one role in one event: keep the role the rules give it (a minister hosting talks in his country is the host)")
    if staged_with(staged, "events", "event_id", "parent_event_id", "location_country_iso3"):
        ev = staged["events"]
        e = typed_name(ev)
        report.ran("child-place")
        collect(con, f"SELECT c._row, c.event_id || ' in ' || p.event_id || ' (' || p.location_country_iso3 || ')' FROM {e} c "
                     f"JOIN {e} p ON p.event_id = c.parent_event_id "
                     f"WHERE c.location_country_iso3 IS NULL AND p.location_country_iso3 IS NOT NULL",
                report, "child-place", ev, "location_country_iso3",
                "an act within a located event takes its parent's place (inferred: 'Location inferred from the parent.' in notes)")


def check_own_side_pairs(con, staged: dict[str, Table], report: Report) -> None:
    """No participant or host beside its own parent or its own joint group in one event (a side paired with itself)."""
    if not (staged_with(staged, "event_actors", "event_id", "actor_id", "role") and staged_with(staged, "actors", "actor_id", "parent_actor_id")):
        return
    ea, ac = staged["event_actors"], staged["actors"]
    a, x = typed_name(ea), typed_name(ac)
    side = (f"SELECT actor_id AS part, parent_actor_id AS whole FROM {x} WHERE parent_actor_id IS NOT NULL")
    if staged_with(staged, "actor_members", "group_actor_id", "member_actor_id"):
        side += f" UNION ALL SELECT member_actor_id, group_actor_id FROM {typed_name(staged['actor_members'])}"
    report.ran("own-side-pair")
    collect(con, f"SELECT DISTINCT w._row, w.event_id || ': ' || w.actor_id || ' beside its own part ' || p.actor_id FROM {a} w "
                 f"JOIN ({side}) s ON s.whole = w.actor_id JOIN {a} p ON p.event_id = w.event_id AND p.actor_id = s.part "
                 f"WHERE w.role IN {MUTUAL_ROLES} AND p.role IN {MUTUAL_ROLES}",
            report, "own-side-pair", ea, "actor_id",
            "a state (or joint group) recorded beside its own official (or member) at one event pairs a side with itself in the dyad views: "
            "record the side once, by its most specific actor")


def check_inferred_referents(con, staged: dict[str, Table], report: Report) -> None:
    """A role or link read from a mention whose referent is inferred (or open between candidates) is not 'stated'."""
    if not staged_with(staged, "event_mentions", "event_id", "article_id", "char_start", "char_end", "notes"):
        return
    m = typed_name(staged["event_mentions"])
    inferred = (f"SELECT event_id, article_id, char_start, char_end FROM {m} "
                f"WHERE coalesce(notes, '') LIKE 'Referent inferred%' OR lower(coalesce(notes, '')) LIKE '%candidate referent%'")
    overlaps = "i.article_id = x.article_id AND i.char_start < x.char_end AND x.char_start < i.char_end"
    message = ("the words this row rests on are a mention whose referent is inferred (or open between candidates): "
               "the row is 'inferred', with the referent named in its notes")
    for table, basis, events, label in (
        ("event_actors", "role_basis", ("event_id",), "x.event_id || ' ' || x.actor_id || ' ' || x.role"),
        ("event_relations", "basis", ("event_id", "related_event_id"), "x.event_id || ' ' || x.relation || ' ' || x.related_event_id"),
    ):
        if not staged_with(staged, table, *events, basis, "article_id", "char_start", "char_end"):
            continue
        t = staged[table]
        report.ran("inferred-referent")
        same_event = " OR ".join(f"i.event_id = x.{c}" for c in events)
        collect(con, f"SELECT x._row, {label} FROM {typed_name(t)} x WHERE x.{basis} = 'stated' "
                     f"AND EXISTS (SELECT 1 FROM ({inferred}) i WHERE ({same_event}) AND {overlaps})",
                report, "inferred-referent", t, basis, message)


def check_visit_side(con, staged: dict[str, Table], report: Report) -> None:
    """A visitor's trip (CAMEO 042) has no target: the visit is coded from the host's side (043)."""
    if not (staged_with(staged, "events", "event_id", "cameo_code") and staged_with(staged, "event_actors", "event_id", "actor_id", "role")):
        return
    ea = staged["event_actors"]
    report.ran("visit-side")
    collect(con, f"SELECT x._row, x.event_id || ': ' || x.actor_id FROM {typed_name(ea)} x JOIN {typed_name(staged['events'])} y USING (event_id) "
                 f"WHERE y.cameo_code = '042' AND x.role = 'target'",
            report, "visit-side", ea, "role",
            "a visit is coded from the host's side (CAMEO 043, the host's meeting): a trip (042) with a target counts one stay "
            "from both sides in the dyad series")


def check_event_links(con, staged: dict[str, Table], report: Report) -> None:
    """Responses follow what they answer; announced measures are coded as the measure; agreements are concluded by acts of agreeing."""
    if not (staged_with(staged, "events", "event_id", "cameo_code", "event_type", "date_start", "date_end")
            and staged_with(staged, "event_relations", "event_id", "relation", "related_event_id")):
        return
    ev, rel = staged["events"], staged["event_relations"]
    e, r = typed_name(ev), typed_name(rel)
    report.ran("response-order")
    collect(con, f"SELECT x._row, x.event_id || ' ' || x.relation || ' ' || x.related_event_id FROM {r} x "
                 f"JOIN {e} s ON s.event_id = x.event_id JOIN {e} t ON t.event_id = x.related_event_id "
                 f"WHERE x.relation IN {ORDERED_RELATIONS} AND s.date_end < t.date_start",
            report, "response-order", rel, "related_event_id",
            "a response, outcome or follow-up cannot end before the event it answers begins")
    report.ran("measure-announcement")
    collect(con, f"SELECT x._row, s.event_id || ' (' || coalesce(s.cameo_code, 'no code') || ') announces ' || t.event_id "
                 f"|| ' (' || t.cameo_code || ')' FROM {r} x JOIN {e} s ON s.event_id = x.event_id JOIN {e} t ON t.event_id = x.related_event_id "
                 f"WHERE x.relation = 'announces' AND t.event_type = 'policy_measure' AND coalesce(s.cameo_code, '') <> t.cameo_code",
            report, "measure-announcement", rel, "event_id",
            "a government's announcement of its own measure is coded as the measure (same CAMEO code), as a decision is")
    if staged_with(staged, "agreement_events", "agreement_id", "event_id", "effect"):
        ag = staged["agreement_events"]
        report.ran("agreement-act")
        collect(con, f"SELECT x._row, x.event_id || ' ' || y.event_type FROM {typed_name(ag)} x JOIN {e} y USING (event_id) "
                     f"WHERE x.effect IN {AGREEING_EFFECTS} AND y.event_type <> 'agreement_action'",
                report, "agreement-act", ag, "event_id",
                "an agreement is concluded, signed or kept by an act of agreeing (an agreement_action event), not by the meeting it happened at")


def run_event_checks(con, staged: dict[str, Table], report: Report) -> None:
    """Run every event check whose tables were staged."""
    check_period_windows(con, staged, report)
    check_roles(con, staged, report)
    check_one_role_and_place(con, staged, report)
    check_own_side_pairs(con, staged, report)
    check_event_links(con, staged, report)
    check_inferred_referents(con, staged, report)
    check_visit_side(con, staged, report)
