"""Everything the site shows, read once from a release database into plain dicts keyed by id."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import duckdb

from ...schema import Package
from ..dates import event_date_label, event_date_short, said_date_label
from .threads import OTHER, threads_of

Row = dict[str, Any]
# How a statement is reported, in the words the site shows wherever a statement appears (only direct words go in quotation marks).
MODE_WORDS = {"direct": "quoted words", "indirect": "paraphrase"}
FACTUALITY_WORDS = {"asserted": "", "reported": "reported second-hand", "expected": "reported as expected, not as said"}


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[Row]:
    """Run one query and return every row as a dict (fully fetched, so the connection stays usable)."""
    cur = con.execute(sql, params or [])
    cols = [c[0] for c in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]


def enum_meanings(pkg: Package, table: str, field_name: str) -> dict[str, str]:
    """{value: meaning} read from the field's 'Values: `v`: meaning; ...' description in the Table Schema."""
    from ..codebook import enum_meanings as parse

    return dict(parse(pkg.table(table).field(field_name)))


def statements_for_event(con: duckdb.DuckDBPyConnection, pkg: Package, event_id: str) -> dict[str, list[str]]:
    """Statement ids said at an event (its occasion) and said about it.

    The one place that knows how statements link to events: `statements.occasion_event_id` is the occasion; when the
    package has a `statement_events` link table (statement_id, event_id), its rows are the statements about it.
    """
    at = [r["statement_id"] for r in rows(con, "SELECT statement_id FROM statements WHERE occasion_event_id = ? ORDER BY statement_id", [event_id])]
    about: list[str] = []
    if "statement_events" in pkg.names:
        about = [r["statement_id"] for r in rows(con, "SELECT DISTINCT statement_id FROM statement_events WHERE event_id = ? ORDER BY statement_id", [event_id])
                 if r["statement_id"] not in at]
    return {"at": at, "about": about}


@dataclass
class SiteModel:
    """The dataset as the site's pages need it."""

    title: str
    description: str
    version: str
    license: dict
    events: dict[str, Row] = field(default_factory=dict)
    actors: dict[str, Row] = field(default_factory=dict)
    articles: dict[str, Row] = field(default_factory=dict)
    agreements: dict[str, Row] = field(default_factory=dict)
    statements: dict[str, Row] = field(default_factory=dict)
    disagreements: list[Row] = field(default_factory=list)  # conflict groups: subject, attribute, anchor, pairs
    dyads: list[Row] = field(default_factory=list)
    meanings: dict[str, dict[str, str]] = field(default_factory=dict)


def _outlet_name(article: Row, actors: dict[str, Row]) -> str:
    """The outlet as a reader knows it: the outlet's name, else the wire agency's (e.g. 'Reuters')."""
    if article.get("outlet"):
        return article["outlet"]
    ids = [article.get("wire_agency_id"), article.get("outlet_id")]
    return next((actors[i]["name"] for i in ids if i and i in actors), ids[0] or ids[1] or "unknown outlet")


def load_model(con: duckdb.DuckDBPyConnection, pkg: Package) -> SiteModel:
    """Read every table the site needs, once, and link the rows to each other."""
    d = pkg.descriptor
    lic = (d.get("licenses") or [{}])[0]
    m = SiteModel(title=d.get("title", d["name"]), description=d.get("description", ""), version=str(d.get("version", "0.0.0")), license=lic)
    m.meanings = {key: enum_meanings(pkg, t, f) for key, (t, f) in {
        "status": ("events", "status"), "date_precision": ("events", "date_precision"), "date_basis": ("events", "date_basis"),
        "event_type": ("events", "event_type"), "role": ("event_actors", "role"), "effect": ("agreement_events", "effect"),
        "mode": ("statements", "mode"), "actor_type": ("actors", "actor_type"), "segment_type": ("article_segments", "segment_type"),
        "relation": ("event_relations", "relation"), "agreement_status": ("agreements", "status")}.items()}

    for a in rows(con, "SELECT * FROM actors ORDER BY actor_id"):
        a.update(aliases=[], roles=[], events=[], statements=[], relayed=[], children=[], agreements=[], members=[], groups=[])
        m.actors[a["actor_id"]] = a
    for a in m.actors.values():
        if a["parent_actor_id"] in m.actors:
            m.actors[a["parent_actor_id"]]["children"].append(a["actor_id"])
    if "actor_members" in pkg.names:  # a joint group and the actors it is made of
        for x in rows(con, "SELECT group_actor_id, member_actor_id FROM actor_members ORDER BY group_actor_id, member_actor_id"):
            m.actors[x["group_actor_id"]]["members"].append(x["member_actor_id"])
            m.actors[x["member_actor_id"]]["groups"].append(x["group_actor_id"])

    for a in rows(con, "SELECT * FROM articles ORDER BY article_id"):
        a["outlet_name"] = _outlet_name(a, m.actors)
        a.update(segments=[], credits=[], mentions=[], statements=[], claims=[])
        m.articles[a["article_id"]] = a
    for c in rows(con, "SELECT * FROM article_contributions"):
        if c["article_id"] in m.articles:
            m.articles[c["article_id"]]["contribution"] = c
    for s in rows(con, "SELECT * FROM article_segments ORDER BY article_id, segment_no"):
        m.articles[s["article_id"]]["segments"].append(s)
    for c in rows(con, "SELECT * FROM article_credits ORDER BY article_id, char_start"):
        m.articles[c["article_id"]]["credits"].append(c)

    for al in rows(con, "SELECT DISTINCT actor_id, alias, alias_type FROM actor_aliases ORDER BY actor_id, alias"):
        m.actors[al["actor_id"]]["aliases"].append(al)
    for r in rows(con, "SELECT r.*, a.published_date FROM actor_roles r JOIN articles a USING (article_id) ORDER BY r.actor_id, a.published_date, r.article_id"):
        r["outlet_name"] = m.articles[r["article_id"]]["outlet_name"]
        m.actors[r["actor_id"]]["roles"].append(r)

    cameo = {c["cameo_code"]: c for c in rows(con, "SELECT * FROM cameo_codes")}
    # Order: by the earliest day the window allows (its known side for an open window); on a tie an open start comes first,
    # since an event known only to have happened "by" a day may be the earlier one.
    for e in rows(con, "SELECT * FROM events ORDER BY coalesce(date_start, date_end) NULLS LAST, date_start NULLS FIRST, date_end NULLS LAST, event_id"):
        code = cameo.get(e["cameo_code"] or "")
        e["cameo_label"] = code["label"] if code else None
        e["plover_type"] = code["plover_type"] if code else None
        e["crosswalk_note"] = code["crosswalk_note"] if code else None
        e["date_label"], e["date_short"] = event_date_label(e), event_date_short(e)
        e["threads"] = threads_of(e)
        e.update(mentions=[], actors=[], statements_at=[], statements_about=[], relations=[], agreements=[], claims=[], children=[])
        m.events[e["event_id"]] = e
    for e in m.events.values():
        if e["parent_event_id"] in m.events:
            m.events[e["parent_event_id"]]["children"].append(e["event_id"])
            if not e["threads"]:
                e["threads"] = list(m.events[e["parent_event_id"]]["threads"])
    for e in m.events.values():
        e["threads"] = e["threads"] or [OTHER]
    for mn in rows(con, "SELECT * FROM event_mentions ORDER BY article_id, char_start, event_id"):
        art = m.articles[mn["article_id"]]
        mn.update(outlet_name=art["outlet_name"], published_date=art["published_date"])
        m.events[mn["event_id"]]["mentions"].append(mn)
        art["mentions"].append(mn)
    for ea in rows(con, "SELECT * FROM event_actors ORDER BY event_id, role, actor_id, article_id"):
        m.events[ea["event_id"]]["actors"].append(ea)
        evs = m.actors[ea["actor_id"]]["events"]
        if ea["event_id"] not in [x["event_id"] for x in evs]:
            evs.append({"event_id": ea["event_id"], "roles": []})
        entry = next(x for x in evs if x["event_id"] == ea["event_id"])
        if ea["role"] not in entry["roles"]:
            entry["roles"].append(ea["role"])
    for rel in rows(con, "SELECT * FROM event_relations ORDER BY event_id, relation, related_event_id"):
        m.events[rel["event_id"]]["relations"].append({**rel, "direction": "out", "other": rel["related_event_id"]})
        m.events[rel["related_event_id"]]["relations"].append({**rel, "direction": "in", "other": rel["event_id"]})

    for s in rows(con, "SELECT * FROM statements_full ORDER BY coalesce(said_date, said_date_start, said_date_end, published_date), article_id, statement_id"):
        raw = rows(con, "SELECT * FROM statements WHERE statement_id = ?", [s["statement_id"]])[0]
        s.update(raw)
        s["mode_words"] = MODE_WORDS.get(s["mode"], s["mode"])
        s["factuality_words"] = FACTUALITY_WORDS.get(s.get("factuality") or "asserted", s.get("factuality") or "")
        art = m.articles[s["article_id"]]
        s["outlet_name"] = art["outlet_name"]
        s["said_label"] = said_date_label(s)
        s["month"] = _month_of(s)
        s["country"] = (m.actors[s["speaker_id"]]["country_iso3"] or "") if s["speaker_id"] in m.actors else ""
        s["attribution_first"] = raw["attribution_start"] is not None and raw["attribution_start"] < raw["char_start"]
        s["addressees"] = (s.get("addressee_ids") or "").split(";") if s.get("addressee_ids") else []
        m.statements[s["statement_id"]] = s
        art["statements"].append(s["statement_id"])
        if s["speaker_id"] in m.actors:
            m.actors[s["speaker_id"]]["statements"].append(s["statement_id"])
        if s["relayed_by_id"] in m.actors:
            m.actors[s["relayed_by_id"]]["relayed"].append(s["statement_id"])
    order = {event_id: i for i, event_id in enumerate(m.events)}
    for a in m.actors.values():
        a["events"].sort(key=lambda x: order[x["event_id"]])
    for e in m.events.values():
        linked = statements_for_event(con, pkg, e["event_id"])
        e["statements_at"], e["statements_about"] = linked["at"], linked["about"]
    for e in m.events.values():
        e["parts_said"] = [c for c in e["children"] if m.events[c]["statements_at"]]

    for g in rows(con, "SELECT * FROM agreements ORDER BY agreement_id"):
        g.update(parties=[], history=[], claims=[])
        m.agreements[g["agreement_id"]] = g
    for p in rows(con, "SELECT * FROM agreement_parties ORDER BY agreement_id, role, actor_id"):
        m.agreements[p["agreement_id"]]["parties"].append(p)
        if p["agreement_id"] not in m.actors[p["actor_id"]]["agreements"]:
            m.actors[p["actor_id"]]["agreements"].append(p["agreement_id"])
    for h in rows(con, "SELECT * FROM agreement_status"):
        m.agreements[h["agreement_id"]]["history"].append(h)
        m.events[h["event_id"]]["agreements"].append(h)

    _load_claims(con, m)
    m.dyads = rows(con, "SELECT * FROM dyads ORDER BY ALL")
    return m


def claim_anchor(subject_id: str, attribute: str) -> str:
    """The id of a conflict group on disagreements.html."""
    return f"{subject_id}--{attribute}"


def _load_claims(con, m: SiteModel) -> None:
    """Conflicts (disagreements, grouped by subject and attribute) and every wording of a fact (claim_variants) for its page."""
    groups: dict[tuple, Row] = {}
    for d in rows(con, "SELECT * FROM disagreements ORDER BY subject_table, subject_id, attribute, a_claim_id, b_claim_id"):
        for side in ("a", "b"):
            d[f"{side}_outlet_name"] = m.articles[d[f"{side}_article_id"]]["outlet_name"]
        key = (d["subject_table"], d["subject_id"], d["attribute"])
        g = groups.setdefault(key, {"subject_table": key[0], "subject_id": key[1], "attribute": key[2], "subject_label": d["subject_label"],
                                    "anchor": claim_anchor(key[1], key[2]), "pairs": []})
        g["pairs"].append(d)
    m.disagreements = list(groups.values())
    conflict_claims = {d[f"{side}_claim_id"] for g in m.disagreements for d in g["pairs"] for side in ("a", "b")}
    variants: dict[tuple, Row] = {}
    for c in rows(con, "SELECT * FROM claim_variants"):
        key = (c["subject_table"], c["subject_id"], c["attribute"])
        c["outlet_name"] = m.articles[c["article_id"]]["outlet_name"]
        g = variants.setdefault(key, {"attribute": key[2], "verdict": c["group_verdict"], "anchor": claim_anchor(key[1], key[2]), "claims": []})
        g["claims"].append(c)
        if c["claim_id"] in conflict_claims:
            label = next(x["subject_label"] for x in m.disagreements if (x["subject_table"], x["subject_id"], x["attribute"]) == key)
            m.articles[c["article_id"]]["claims"].append(dict(c, subject_label=label))
    for (table, subject, _), g in variants.items():
        page = m.events.get(subject) if table == "events" else m.agreements.get(subject) if table == "agreements" else None
        if page is not None and len(g["claims"]) > 1:
            page["claims"].append(g)


def _month_of(s: Row) -> str:
    """'2019-08' when the statement's window lies within one month, else 'undated'."""
    lo = s.get("said_date") or s.get("said_date_start")
    hi = s.get("said_date") or s.get("said_date_end")
    if isinstance(lo, dt.date) and isinstance(hi, dt.date) and (lo.year, lo.month) == (hi.year, hi.month):
        return f"{lo.year:04d}-{lo.month:02d}"
    return "undated"
