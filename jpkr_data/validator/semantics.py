"""Curation rules that can be checked mechanically (CURATION.md §2, §4, §6): acts and what they announce, occasions, links.

- An event coded CAMEO 13x (threaten) is the act of threatening: it happened when it was
  made, so it is never `threatened`, `hypothetical` or `proposed`, in the event or in a mention.
- A `threatened` event is an action someone threatened: some act `threatens` it; an `announced`
  event is an action its actor announced: some act `announces` it.
- The source of a `threatens` relation is a CAMEO 13x act; the source of `threatens` or
  `announces` is an act that took place (`occurred` or `ongoing`), and the threatened or
  announced action cannot end before the act begins.
- A statement's occasion has a basis exactly when it is set, took place, and its date window
  contains the statement's said-date window.
- Every inferred link (event relations, statement events, event actors, agreement parties)
  says how it was inferred; a claim is not recorded twice for one subject, attribute and span.
- Titles and agreement names do not carry a contested characterisation (a short word list).
- A child event's date window lies within its parent's; a threatened or hypothetical action,
  which has not happened, has no place; a `legal_ruling` names its court among its actors.
- A row id cited in free text (notes, reasonings) exists: a note that points at a removed or
  renamed row contradicts the tables.
"""
from __future__ import annotations

from ..schema import Table, quote_ident, sql_literal
from .claim_checks import run_claim_checks
from .event_checks import run_event_checks
from .nlp_checks import run_nlp_checks
from .report import Report
from .schema_checks import collect, staged_with, typed_name
from .statement_checks import run_statement_checks

ACT_STATUSES = ("occurred", "ongoing")
NOT_AN_ACT = ("threatened", "hypothetical", "proposed")
# Words that characterise a contested act rather than name it; CURATION.md §2 "Neutral titles".
LOADED_WORDS = ("settling", "settled", "settlement", "unfair", "retaliat", "illegal", "violation", "atrocit", "recalcitran")



def check_acts_and_threats(con, staged: dict[str, Table], report: Report) -> None:
    """A 13x act occurred; a threatened action has an act that threatens it; the act precedes the action."""
    if not staged_with(staged, "events", "event_id", "cameo_code", "status", "date_start", "date_end"):
        return
    ev = staged["events"]
    e = typed_name(ev)
    report.ran("act-status")
    collect(con, f"SELECT _row, cameo_code || ' ' || status FROM {e} WHERE cameo_code LIKE '13%' AND status IN {NOT_AN_ACT}",
            report, "act-status", ev, "status",
            "an event coded CAMEO 13x is the act of threatening, which took place when it was made: its status cannot be "
            "threatened, hypothetical or proposed (record the threatened action as its own event, linked by 'threatens')")
    if staged_with(staged, "event_mentions", "event_id", "reported_status"):
        m = staged["event_mentions"]
        collect(con, f"SELECT x._row, x.event_id || ' ' || x.reported_status FROM {typed_name(m)} x JOIN {e} y USING (event_id) "
                     f"WHERE y.cameo_code LIKE '13%' AND x.reported_status IN {NOT_AN_ACT}",
                report, "act-status", m, "reported_status",
                "a mention of a CAMEO 13x act reports the act, which took place: it cannot be threatened, hypothetical or proposed")
    if not staged_with(staged, "event_relations", "event_id", "relation", "related_event_id"):
        return
    rel = staged["event_relations"]
    r = typed_name(rel)
    report.ran("threat-link")
    collect(con, f"SELECT _row, event_id FROM {e} y WHERE status = 'threatened' AND NOT EXISTS "
                 f"(SELECT 1 FROM {r} x WHERE x.relation = 'threatens' AND x.related_event_id = y.event_id)",
            report, "threat-link", ev, "status",
            "a threatened action needs the act that threatens it (an event_relations row: ACT threatens this event)")
    collect(con, f"SELECT _row, event_id FROM {e} y WHERE status = 'announced' AND NOT EXISTS "
                 f"(SELECT 1 FROM {r} x WHERE x.relation = 'announces' AND x.related_event_id = y.event_id)",
            report, "threat-link", ev, "status",
            "an announced action needs the act that announces it (an event_relations row: ACT announces this event)")
    collect(con, f"SELECT x._row, x.event_id || ' (' || coalesce(y.cameo_code, 'no code') || ')' FROM {r} x JOIN {e} y USING (event_id) "
                 f"WHERE x.relation = 'threatens' AND coalesce(y.cameo_code, '') NOT LIKE '13%'",
            report, "threat-link", rel, "event_id", "the source of 'threatens' must be an act of threatening (CAMEO 13x)")
    collect(con, f"SELECT x._row, x.event_id || ' ' || y.status FROM {r} x JOIN {e} y USING (event_id) "
                 f"WHERE x.relation IN ('threatens', 'announces') AND y.status NOT IN {ACT_STATUSES}",
            report, "threat-link", rel, "event_id",
            "the source of 'threatens' or 'announces' is the act, which took place: its status must be occurred or ongoing")
    collect(con, f"SELECT x._row, t.date_end || ' < ' || a.date_start FROM {r} x JOIN {e} a ON a.event_id = x.event_id "
                 f"JOIN {e} t ON t.event_id = x.related_event_id WHERE x.relation IN ('threatens', 'announces') AND t.date_end < a.date_start",
            report, "threat-link", rel, "related_event_id", "the threatened or announced action cannot end before the act that announces it")


def check_occasions(con, staged: dict[str, Table], report: Report) -> None:
    """A statement's occasion has its basis, took place, and its window contains the said-date window."""
    if not staged_with(staged, "statements", "occasion_event_id", "occasion_basis", "said_date_start", "said_date_end"):
        return
    st = staged["statements"]
    s = typed_name(st)
    report.ran("occasion")
    collect(con, f"SELECT _row, coalesce(occasion_event_id, occasion_basis) FROM {s} WHERE (occasion_event_id IS NULL) <> (occasion_basis IS NULL)",
            report, "occasion", st, "occasion_basis", "occasion_basis is set exactly when occasion_event_id is set")
    if not staged_with(staged, "events", "event_id", "status", "date_start", "date_end"):
        return
    e = typed_name(staged["events"])
    collect(con, f"SELECT x._row, x.occasion_event_id || ' ' || y.status FROM {s} x JOIN {e} y ON y.event_id = x.occasion_event_id "
                 f"WHERE y.status NOT IN {ACT_STATUSES}",
            report, "occasion", st, "occasion_event_id", "a statement can only be said at an event that took place (occurred or ongoing)")
    window = ("CASE WHEN y.date_start IS NOT NULL AND (x.said_date_start IS NULL OR x.said_date_start < y.date_start) THEN TRUE "
              "WHEN y.date_end IS NOT NULL AND (x.said_date_end IS NULL OR x.said_date_end > y.date_end) THEN TRUE ELSE FALSE END")
    collect(con, f"SELECT x._row, coalesce(CAST(x.said_date_start AS VARCHAR), '') || '..' || coalesce(CAST(x.said_date_end AS VARCHAR), '') "
                 f"|| ' not within ' || coalesce(CAST(y.date_start AS VARCHAR), '') || '..' || coalesce(CAST(y.date_end AS VARCHAR), '') "
                 f"FROM {s} x JOIN {e} y ON y.event_id = x.occasion_event_id WHERE {window}",
            report, "occasion", st, "occasion_event_id",
            "the occasion's date window must contain the said-date window (said_date_start..said_date_end)")


def check_inferred_links(con, staged: dict[str, Table], report: Report) -> None:
    """Every inferred link says how it was inferred; no claim is recorded twice for one span."""
    for name, basis, notes in (("event_relations", "basis", "notes"), ("statement_events", "basis", "notes"),
                               ("event_actors", "role_basis", "notes"), ("agreement_parties", "role_basis", "notes")):
        if staged_with(staged, name, basis, notes):
            report.ran("inferred-link")
            collect(con, f"SELECT _row, {basis} FROM {typed_name(staged[name])} WHERE {basis} = 'inferred' AND coalesce(trim({notes}), '') = ''",
                    report, "inferred-link", staged[name], notes, "an inferred link needs its reasoning in notes")
    if staged_with(staged, "claims", "subject_table", "subject_id", "attribute", "article_id", "char_start", "char_end"):
        report.ran("claim-once")
        c = typed_name(staged["claims"])
        collect(con, f"SELECT _row, subject_id || ' ' || attribute FROM {c} x WHERE EXISTS (SELECT 1 FROM {c} y WHERE y._row < x._row "
                     f"AND y.subject_table = x.subject_table AND y.subject_id = x.subject_id AND y.attribute = x.attribute "
                     f"AND y.article_id = x.article_id AND y.char_start = x.char_start AND y.char_end = x.char_end)",
                report, "claim-once", staged["claims"], "char_start", "the same subject and attribute are already claimed from this span")


def check_neutral_titles(con, staged: dict[str, Table], report: Report) -> None:
    """Event titles and agreement names carry no contested characterisation (CURATION.md §2)."""
    words = " OR ".join(f"lower(x) LIKE '%{w}%'" for w in LOADED_WORDS)
    for name, column in (("events", "title"), ("agreements", "name")):
        if staged_with(staged, name, column):
            report.ran("neutral-title")
            collect(con, f"SELECT _row, x FROM (SELECT _row, {column} AS x FROM {typed_name(staged[name])}) WHERE {words}",
                    report, "neutral-title", staged[name], column,
                    "a title or name must describe what happened in neutral terms; a contested characterisation belongs to a statement or claim")


NOT_HAPPENED = ("threatened", "hypothetical")
WINDOW_OUTSIDE = ("CASE WHEN p.date_start IS NOT NULL AND (c.date_start IS NULL OR c.date_start < p.date_start) THEN TRUE "
                  "WHEN p.date_end IS NOT NULL AND (c.date_end IS NULL OR c.date_end > p.date_end) THEN TRUE ELSE FALSE END")


def check_event_structure(con, staged: dict[str, Table], report: Report) -> None:
    """Children fall within their parent's window; unhappened actions have no place; rulings name their court."""
    if not staged_with(staged, "events", "event_id", "status", "date_start", "date_end", "parent_event_id"):
        return
    ev = staged["events"]
    e = typed_name(ev)
    report.ran("parent-window")
    collect(con, f"SELECT c._row, coalesce(CAST(c.date_start AS VARCHAR), '') || '..' || coalesce(CAST(c.date_end AS VARCHAR), '') "
                 f"|| ' not within ' || p.event_id || ' ' || coalesce(CAST(p.date_start AS VARCHAR), '') || '..' "
                 f"|| coalesce(CAST(p.date_end AS VARCHAR), '') FROM {e} c JOIN {e} p ON p.event_id = c.parent_event_id WHERE {WINDOW_OUTSIDE}",
            report, "parent-window", ev, "parent_event_id",
            "a child event must fall within its parent's date window (widen the parent with its basis, or drop the parent)")
    if staged_with(staged, "events", "location", "location_country_iso3"):
        report.ran("unplaced-action")
        collect(con, f"SELECT _row, event_id || ' ' || status FROM {e} WHERE status IN {NOT_HAPPENED} "
                     f"AND (location IS NOT NULL OR location_country_iso3 IS NOT NULL)",
                report, "unplaced-action", ev, "location_country_iso3",
                "a threatened or hypothetical action has not happened, so it has no place: leave location and country empty")
    if staged_with(staged, "events", "event_type") and staged_with(staged, "event_actors", "event_id", "actor_id") and staged_with(staged, "actors", "actor_id", "actor_type"):
        report.ran("ruling-agent")
        collect(con, f"SELECT _row, event_id FROM {e} y WHERE event_type = 'legal_ruling' AND NOT EXISTS (SELECT 1 FROM "
                     f"{typed_name(staged['event_actors'])} x JOIN {typed_name(staged['actors'])} a USING (actor_id) "
                     f"WHERE x.event_id = y.event_id AND a.actor_type = 'court')",
                report, "ruling-agent", ev, "event_type",
                "a legal_ruling needs a court among its actors; an act whose agent the text does not name is not a ruling")


# Row ids cited in prose: prefix -> (table, key); CURATION.md §8 (post-fix audit, finding 2).
CITED_IDS = {"ev": ("events", "event_id"), "st": ("statements", "statement_id"), "cl": ("claims", "claim_id"),
             "ag": ("agreements", "agreement_id")}
PROSE_FIELDS = ("notes", "date_reasoning", "said_date_reasoning", "date_concluded_reasoning", "published_date_reasoning")
ID_PATTERN = r"\b(?:ev|st|cl|ag)_[a-z0-9_]*[a-z0-9]"


def check_cited_ids(con, staged: dict[str, Table], report: Report) -> None:
    """Every event, statement, claim or agreement id cited in a note or reasoning is a row of its table."""
    targets = {p: (staged[n], k) for p, (n, k) in CITED_IDS.items() if staged_with(staged, n, k)}
    if len(targets) < len(CITED_IDS):
        return
    known = quote_ident("cited:ids")  # every citable id, gathered once for all prose fields
    con.execute(f"CREATE OR REPLACE TEMP TABLE {known} AS "
                + " UNION ALL ".join(f"SELECT CAST({quote_ident(k)} AS VARCHAR) AS id FROM {typed_name(t)}" for t, k in targets.values()))
    prefixes = " OR ".join(f"contains(x, '{p}_')" for p in CITED_IDS)  # a text citing no id is not searched with the pattern
    for table in staged.values():
        for field in (f for f in PROSE_FIELDS if f in table.field_names):
            report.ran("cited-id")
            col = quote_ident(field)
            collect(con, f"SELECT _row, ref FROM (SELECT _row, unnest(regexp_extract_all(x, {sql_literal(ID_PATTERN)})) AS ref "
                         f"FROM (SELECT _row, CAST({col} AS VARCHAR) AS x FROM {typed_name(table)}) WHERE {prefixes}) "
                         f"WHERE ref NOT IN (SELECT id FROM {known})",
                    report, "cited-id", table, field,
                    "the text cites a row id that does not exist (a removed or renamed row): correct the note or reasoning")


def run_semantic_checks(con, staged: dict[str, Table], report: Report) -> None:
    """Run every semantic check whose tables were staged."""
    check_acts_and_threats(con, staged, report)
    check_occasions(con, staged, report)
    check_inferred_links(con, staged, report)
    check_neutral_titles(con, staged, report)
    check_event_structure(con, staged, report)
    check_cited_ids(con, staged, report)
    run_event_checks(con, staged, report)
    run_statement_checks(con, staged, report)
    run_claim_checks(con, staged, report)
    run_nlp_checks(con, staged, report)
    from .analysis_checks import run_analysis_checks  # parallel acts (CURATION §2); imports _has from here

    run_analysis_checks(con, staged, report)
