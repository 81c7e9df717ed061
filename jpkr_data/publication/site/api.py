"""The static JSON API: beside each event, actor, article and agreement page a .json with its table row and its links, and api/index.json.

A record is `{"kind", "id", "record", "links", "related"}`: `record` is the row of its table exactly as the
release's tables hold it (dates as ISO strings, lists as lists); `links` are the permalinks of its page and of
this file (absolute when the site was built with a site URL, else relative to the site root); `related` holds
the rows that join it to other records, each with the `json` address of the record it points to.
No server is needed: every file is a static file at a fixed path.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from ...schema import Package
from ..jsonld import markup_safe_json
from .model import SiteModel

FOLDERS = {"event": ("events", "event_id"), "actor": ("actors", "actor_id"), "article": ("articles", "article_id"),
           "agreement": ("agreements", "agreement_id")}


def plain(value: Any) -> Any:
    """A value as JSON holds it: dates as ISO strings, tuples as lists."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def row_of(pkg: Package, table: str, row: dict[str, Any]) -> dict[str, Any]:
    """Only the columns of `table` (the site adds its own keys to the rows it reads)."""
    return {f.name: plain(row.get(f.name)) for f in pkg.table(table).fields}


class Api:
    """Writes the JSON files; `url(path)` is the permalink of a site path (absolute with a site URL)."""

    def __init__(self, pkg: Package, m: SiteModel, site: Path, site_url: str | None):
        self.pkg, self.m, self.site, self.site_url = pkg, m, site, site_url
        self.entries: list[dict[str, Any]] = []

    def url(self, path: str) -> str:
        return (self.site_url or "") + path

    def ref(self, kind: str, key: str) -> dict[str, str]:
        folder = FOLDERS[kind][0]
        return {"id": key, "html": self.url(f"{folder}/{key}.html"), "json": self.url(f"{folder}/{key}.json")}

    def _statement(self, sid: str) -> dict[str, Any]:
        s = self.m.statements[sid]
        out = row_of(self.pkg, "statements", s)
        out["html"] = self.url(f"statements.html#{sid}")
        return out

    def write(self, kind: str, key: str, record: dict[str, Any], related: dict[str, Any], title: str) -> None:
        folder, _ = FOLDERS[kind]
        doc = {"kind": kind, "id": key, "dataset": {"name": self.pkg.descriptor.get("name"), "version": self.m.version},
               "record": record, "links": {"html": self.url(f"{folder}/{key}.html"), "json": self.url(f"{folder}/{key}.json")},
               "related": related}
        target = self.site / folder / f"{key}.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(markup_safe_json(doc, indent=1) + "\n", encoding="utf-8", newline="\n")
        self.entries.append({"kind": kind, "id": key, "title": title, **doc["links"]})

    def write_all(self) -> None:
        """Every record's file, then api/index.json listing them all."""
        m, pkg = self.m, self.pkg
        for key, e in m.events.items():
            related = {
                "actors": [{**row_of(pkg, "event_actors", a), "actor": self.ref("actor", a["actor_id"])} for a in e["actors"]],
                "mentions": [{**row_of(pkg, "event_mentions", mn), "article": self.ref("article", mn["article_id"])} for mn in e["mentions"]],
                "statements_at": [self._statement(s) for s in e["statements_at"]],
                "statements_about": [self._statement(s) for s in e["statements_about"]],
                "relations": [{**row_of(pkg, "event_relations", r), "direction": r["direction"], "other": self.ref("event", r["other"])}
                              for r in e["relations"]],
                "parent": self.ref("event", e["parent_event_id"]) if e["parent_event_id"] in m.events else None,
                "children": [self.ref("event", c) for c in e["children"]],
                "agreements": [{"agreement": self.ref("agreement", h["agreement_id"]), "effect": h["effect"], "status": h["status"]}
                               for h in e["agreements"]],
            }
            self.write("event", key, row_of(pkg, "events", e), related, e["title"])
        for key, a in m.actors.items():
            related = {
                "aliases": [al["alias"] for al in a["aliases"]],
                "events": [{"event": self.ref("event", x["event_id"]), "roles": x["roles"]} for x in a["events"]],
                "statements": [self._statement(s) for s in a["statements"]],
                "relayed": [self._statement(s) for s in a["relayed"]],
                "parent": self.ref("actor", a["parent_actor_id"]) if a["parent_actor_id"] in m.actors else None,
                "children": [self.ref("actor", c) for c in a["children"]],
                "agreements": [self.ref("agreement", g) for g in a["agreements"]],
            }
            self.write("actor", key, row_of(pkg, "actors", a), related, a["name"])
        for key, a in m.articles.items():
            related = {
                "mentions": [{**row_of(pkg, "event_mentions", mn), "event": self.ref("event", mn["event_id"])} for mn in a["mentions"]],
                "statements": [self._statement(s) for s in a["statements"]],
                "credits": [{**row_of(pkg, "article_credits", c), "actor": self.ref("actor", c["actor_id"])} for c in a["credits"]],
            }
            self.write("article", key, row_of(pkg, "articles", a), related, a["headline"] or a["dateline"] or key)
        for key, g in m.agreements.items():
            related = {
                "parties": [{**row_of(pkg, "agreement_parties", p), "actor": self.ref("actor", p["actor_id"])} for p in g["parties"]],
                "history": [{k: plain(v) for k, v in h.items()} | {"event": self.ref("event", h["event_id"])} for h in g["history"]],
            }
            self.write("agreement", key, row_of(pkg, "agreements", g), related, g["name"])
        index = {"dataset": {"name": pkg.descriptor.get("name"), "title": m.title, "version": m.version},
                 "about": "One JSON file per explorer page: `record` is the table row, `related` the rows that join it to other records, "
                          "`links` the permalinks of the page and of the file.",
                 "records": self.entries}
        (self.site / "api").mkdir(exist_ok=True)
        (self.site / "api" / "index.json").write_text(markup_safe_json(index, indent=1) + "\n", encoding="utf-8", newline="\n")
