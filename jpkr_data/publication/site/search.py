"""The search index: one document per event, statement, actor, article, agreement and disputed claim.

Text is normalised the same way as the page's script normalises a query (site.js `norm`): Unicode NFD,
combining marks removed, lower case, every run of characters other than letters and digits made one space.
A query matches a document when every word (or "quoted phrase") occurs in it at the start of a word, in any
order ("labour" finds "labourers", "kono" does not find "collaborate"-like inner matches).

Spelling variants: a document that holds one form of a SYNONYMS group is indexed under every form, so
"whitelist" finds what says "white list", "labor" what says "labour" and "GSOMIA" what spells the pact out.
Accents never matter ("Kōno" is "Kono"). Results are listed events first, then statements, people,
articles and agreements; the claims in conflict (the `disagreements` view) come last, one entry per side,
each landing on its conflict on disagreements.html.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Any

from ..dates import day_words
from ..jsonld import markup_safe_json
from .model import SiteModel

KINDS = {"event": "Events", "statement": "Statements", "actor": "People and organisations", "article": "Articles",
         "agreement": "Agreements", "claim": "Where the sources disagree"}
# Spelling variants a reader may type; each group's forms are interchangeable in a search (documented in the README).
SYNONYMS: list[tuple[str, ...]] = [
    ("white list", "whitelist", "white-list"),
    ("labour", "labor"),
    ("favoured", "favored"),
    ("GSOMIA", "General Security of Military Information Agreement"),
    ("North Korea", "DPRK"),
    ("South Korea", "ROK"),
    ("Kono", "Kōno"),
    ("countermeasures", "counter-measures"),
]


def norm(text: str) -> str:
    """Case- and accent-insensitive form with single spaces, padded with one space at each end."""
    decomposed = unicodedata.normalize("NFD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    return " " + re.sub(r"[^\w]+|_", " ", bare).strip() + " "


def matches(doc_norm: str, query: str) -> bool:
    """Python twin of the page's matcher (used by tests): every word or quoted phrase occurs."""
    quoted = query.replace("“", '"').replace("”", '"')
    terms = [t for t in (norm(phrase or word).strip() for phrase, word in re.findall(r'"([^"]+)"|(\S+)', quoted)) if t]
    return bool(terms) and all(" " + t in doc_norm for t in terms)


def with_variants(doc_norm: str) -> str:
    """The normalised text with every form of each SYNONYMS group that it holds a form of appended."""
    extra = []
    for group in SYNONYMS:
        forms = [norm(f).rstrip() for f in group]  # " white list": found at the start of a word, as the matcher finds a term
        if any(f in doc_norm for f in forms):
            extra += [f.strip() for f in forms if f not in doc_norm]
    return doc_norm + " ".join(extra) + " " if extra else doc_norm


def _doc(kind: str, title: str, url: str, snippet: str, *texts: Any, label: str = "", status: str = "") -> dict[str, str]:
    """One search document: kind, title, page, snippet, a status label (shown beside the kind) and the normalised text."""
    blob = " ".join(str(t) for t in (title, snippet, *texts) if t)
    return {"k": kind, "t": title, "u": url, "s": snippet[:220], "b": label, "st": status, "n": with_variants(norm(blob))}


def statement_title(s: dict[str, Any]) -> str:
    """The statement as a result shows it: quoted words in quotation marks, a paraphrase without them (its label says 'paraphrase')."""
    if s["mode"] == "direct":
        return f"{s['speaker_name']}: “{s['text']}”"
    return f"{s['speaker_name']} — {s['text']}"


def search_documents(m: SiteModel) -> list[dict[str, str]]:
    """Every searchable thing, with its page (relative to the site root) and the text it is found by."""
    docs = []
    for e in m.events.values():
        docs.append(_doc("event", e["title"], f"events/{e['event_id']}.html", e["date_label"],
                         *[mn["evidence_text"] + " " + mn["outlet_name"] for mn in e["mentions"]],
                         *[m.actors[a["actor_id"]]["name"] for a in e["actors"]], e["location"], e["event_type"],
                         label=e["status"], status=e["status"]))
    for s in m.statements.values():
        how = ", ".join(w for w in (s["mode_words"], s["factuality_words"]) if w)
        docs.append(_doc("statement", statement_title(s), f"statements.html#{s['statement_id']}",
                         f"{s['said_label']} · {s['outlet_name']}", s["attribution_text"], s["occasion_title"],
                         *[al["alias"] for al in m.actors.get(s["speaker_id"], {}).get("aliases", [])], label=how,
                         status="expected" if s.get("factuality") == "expected" else ("direct" if s["mode"] == "direct" else "indirect")))
    for a in m.actors.values():
        docs.append(_doc("actor", a["name"], f"actors/{a['actor_id']}.html", a["description"] or a["actor_type"].replace("_", " "),
                         *[al["alias"] for al in a["aliases"]], *[r["role_title"] for r in a["roles"]], label=a["actor_type"].replace("_", " ")))
    for a in m.articles.values():
        title = a["headline"] or a["dateline"] or a["article_id"]
        day = day_words(a["published_date"]) if a["published_date"] else ""
        docs.append(_doc("article", f"{a['outlet_name']}: {title}", f"articles/{a['article_id']}.html", day,
                         a["dateline"], a["outlet_note"], *[s["text"] for s in a["segments"] if s["segment_type"] in ("headline", "caption", "byline")],
                         label="source article"))
    for g in m.agreements.values():
        status = g["status"].replace("_", " ")
        docs.append(_doc("agreement", g["name"], f"agreements/{g['agreement_id']}.html", f"latest status: {status}", g["evidence_text"],
                         label=status))
    for group in m.disagreements:
        url, seen = f"disagreements.html#{group['anchor']}", set()
        for d in group["pairs"]:
            for side in (x for x in ("a", "b") if d[x + "_claim_id"] not in seen):
                seen.add(d[side + "_claim_id"])
                docs.append(_doc("claim", f"{group['subject_label']} — {group['attribute'].replace('_', ' ')}: {d[side + '_value']}", url,
                                 f"{d[side + '_asserted_by']} in {d[side + '_outlet_name']}, {d[side + '_published_date']}", d[side + "_evidence_text"],
                                 label="sources in conflict", status="conflict"))
    return docs


def index_script(docs: list[dict[str, str]]) -> str:
    """A script that defines the index (a script, not a JSON file, so it loads from file:// too)."""
    return "window.JPKR_KINDS = " + markup_safe_json(KINDS) + ";\nwindow.JPKR_INDEX = " + markup_safe_json(docs, separators=(",", ":")) + ";\n"
