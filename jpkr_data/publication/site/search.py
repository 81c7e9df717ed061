"""The search index: one document per event, statement, actor, article, agreement and disputed claim.

Text is normalised the same way as the page's script normalises a query (site.js `norm`): Unicode NFD,
combining marks removed, lower case, every run of characters other than letters and digits made one space.
A query matches a document when every word (or "quoted phrase") occurs in it, in any order.
"""
from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

from .model import SiteModel

KINDS = {"event": "Events", "statement": "Statements", "actor": "People and organisations", "article": "Articles",
         "agreement": "Agreements", "claim": "Where sources differ"}


def norm(text: str) -> str:
    """Case- and accent-insensitive form with single spaces, padded with one space at each end."""
    decomposed = unicodedata.normalize("NFD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    return " " + re.sub(r"[^\w]+|_", " ", bare).strip() + " "


def matches(doc_norm: str, query: str) -> bool:
    """Python twin of the page's matcher (used by tests): every word or quoted phrase occurs."""
    quoted = query.replace("“", '"').replace("”", '"')
    terms = [t for t in (norm(phrase or word).strip() for phrase, word in re.findall(r'"([^"]+)"|(\S+)', quoted)) if t]
    return bool(terms) and all(t in doc_norm for t in terms)


def _doc(kind: str, title: str, url: str, snippet: str, *texts: Any) -> dict[str, str]:
    blob = " ".join(str(t) for t in (title, snippet, *texts) if t)
    return {"k": kind, "t": title, "u": url, "s": snippet[:220], "n": norm(blob)}


def search_documents(m: SiteModel) -> list[dict[str, str]]:
    """Every searchable thing, with its page (relative to the site root) and the text it is found by."""
    docs = []
    for e in m.events.values():
        docs.append(_doc("event", e["title"], f"events/{e['event_id']}.html", e["date_label"],
                         *[mn["evidence_text"] + " " + mn["outlet_name"] for mn in e["mentions"]],
                         *[m.actors[a["actor_id"]]["name"] for a in e["actors"]], e["location"], e["event_type"]))
    for s in m.statements.values():
        docs.append(_doc("statement", f"{s['speaker_name']}: “{s['text']}”", f"statements.html#id={s['statement_id']}",
                         f"{s['said_label']} · {s['outlet_name']} · {s['mode']}", s["attribution_text"], s["occasion_title"],
                         *[al["alias"] for al in m.actors.get(s["speaker_id"], {}).get("aliases", [])]))
    for a in m.actors.values():
        docs.append(_doc("actor", a["name"], f"actors/{a['actor_id']}.html", a["description"] or a["actor_type"],
                         *[al["alias"] for al in a["aliases"]], *[r["role_title"] for r in a["roles"]]))
    for a in m.articles.values():
        title = a["headline"] or a["dateline"] or a["article_id"]
        docs.append(_doc("article", f"{a['outlet_name']}: {title}", f"articles/{a['article_id']}.html", str(a["published_date"] or ""),
                         a["dateline"], a["outlet_note"], *[s["text"] for s in a["segments"] if s["segment_type"] in ("headline", "caption", "byline")]))
    for g in m.agreements.values():
        docs.append(_doc("agreement", g["name"], f"agreements/{g['agreement_id']}.html", g["status"], g["evidence_text"]))
    for group in m.disagreements:
        url, seen = f"disagreements.html#{group['anchor']}", set()
        for d in group["pairs"]:
            for side in (x for x in ("a", "b") if d[x + "_claim_id"] not in seen):
                seen.add(d[side + "_claim_id"])
                docs.append(_doc("claim", f"{group['subject_label']} — {group['attribute'].replace('_', ' ')}: {d[side + '_value']}", url,
                                 f"{d[side + '_asserted_by']} in {d[side + '_outlet_name']}, {d[side + '_published_date']}", d[side + "_evidence_text"]))
    return docs


def index_script(docs: list[dict[str, str]]) -> str:
    """A script that defines the index (a script, not a JSON file, so it loads from file:// too)."""
    return "window.JPKR_KINDS = " + json.dumps(KINDS, ensure_ascii=False) + ";\nwindow.JPKR_INDEX = " + \
        json.dumps(docs, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026") + ";\n"
