"""Export the events in the layouts of GDELT 2.0, ICEWS and PLOVER/POLECAT, with what each cannot hold.

Each format's column list is written here from its codebook (cited at the list). One record is
written per counted event (status occurred or ongoing: these formats have no status field, so
threatened, announced, scheduled, expected, proposed, hypothetical and cancelled actions are left out;
a threat is written as its act, CAMEO 13x) and
directed actor pair of the `event_pairs` view, whose directions come from the actors' roles
(initiator -> target, speaker -> audience, host -> guest) and never from sorting: a meeting of
equals is written in both directions, as GDELT and ICEWS write one record per direction; an
event without a pair is written with its first initiator, host or participant as actor and its
first target, if any, as the other actor. Every record's day is `placed_date` of the
`event_placement` view, the one dating rule of the package's views (a day; a period's first day;
a closed window's midpoint; an open window's known bound). Deadlines have no CAMEO code and are
not events in these formats.

What the formats cannot hold is listed in LOST, per format; the README's export section
repeats it.
"""
from __future__ import annotations

import datetime as dt
import io
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from .swap import write_file

# GDELT 2.0 Event Database Data Format Codebook V2.0 (GDELT Project, 2015-02-19), "Event table
# fields": the 61 tab-separated columns of each *.export.CSV file, in order. GDELT ships the
# files without a header row.
GDELT_COLUMNS: tuple[str, ...] = (
    "GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "FractionDate",
    "Actor1Code", "Actor1Name", "Actor1CountryCode", "Actor1KnownGroupCode", "Actor1EthnicCode",
    "Actor1Religion1Code", "Actor1Religion2Code", "Actor1Type1Code", "Actor1Type2Code", "Actor1Type3Code",
    "Actor2Code", "Actor2Name", "Actor2CountryCode", "Actor2KnownGroupCode", "Actor2EthnicCode",
    "Actor2Religion1Code", "Actor2Religion2Code", "Actor2Type1Code", "Actor2Type2Code", "Actor2Type3Code",
    "IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass", "GoldsteinScale",
    "NumMentions", "NumSources", "NumArticles", "AvgTone",
    "Actor1Geo_Type", "Actor1Geo_FullName", "Actor1Geo_CountryCode", "Actor1Geo_ADM1Code", "Actor1Geo_ADM2Code",
    "Actor1Geo_Lat", "Actor1Geo_Long", "Actor1Geo_FeatureID",
    "Actor2Geo_Type", "Actor2Geo_FullName", "Actor2Geo_CountryCode", "Actor2Geo_ADM1Code", "Actor2Geo_ADM2Code",
    "Actor2Geo_Lat", "Actor2Geo_Long", "Actor2Geo_FeatureID",
    "ActionGeo_Type", "ActionGeo_FullName", "ActionGeo_CountryCode", "ActionGeo_ADM1Code", "ActionGeo_ADM2Code",
    "ActionGeo_Lat", "ActionGeo_Long", "ActionGeo_FeatureID",
    "DATEADDED", "SOURCEURL",
)

# ICEWS Coded Event Data (Boschee et al., Harvard Dataverse, doi:10.7910/DVN/28075), the
# tab-separated events.YYYY.*.tab files: the 20 columns of the header row, in order.
ICEWS_COLUMNS: tuple[str, ...] = (
    "Event ID", "Event Date", "Source Name", "Source Sectors", "Source Country", "Event Text",
    "CAMEO Code", "Intensity", "Target Name", "Target Sectors", "Target Country", "Story ID",
    "Sentence Number", "Publisher", "City", "District", "Province", "Country", "Latitude", "Longitude",
)

# PLOVER manual (openeventdata/PLOVER, PLOVER_MANUAL.tex), chapter "Data Fields", table
# "PLOVER JSON": the record fields written here (id, date, actor and event are required there),
# one JSON object per line (JSONL, as the manual suggests). Entity objects use the manual's
# "Information object for entities" fields code and sector; cite_info its citation fields.
PLOVER_FIELDS: tuple[str, ...] = (
    "id", "date", "enddate", "actor", "recipient", "event", "quad_code", "event_scale",
    "mode", "context", "cite_info", "coder", "coded_date", "comment",
)
PLOVER_REQUIRED: tuple[str, ...] = ("id", "date", "actor", "event")
PLOVER_ENTITY_FIELDS: tuple[str, ...] = ("code", "sector", "entity_text", "identifier_text")

LOST: dict[str, list[str]] = {
    "gdelt": [
        "date precision and window: SQLDATE is one day, placed_date of event_placement (a closed window's midpoint, an open window's known bound)",
        "an event the sources give no date bound for cannot be written (none in this release; dyad_summary counts such events in n_undated)",
        "date basis (stated, inferred, cross_article, external) and its reasoning",
        "event status: only occurred and ongoing events are written, without saying which",
        "disagreements between sources (claims): no column",
        "evidence spans: SOURCEURL holds our article ids, separated by ';', not URLs",
        "GLOBALEVENTID is our event_id string, not a number, and repeats when an event has several actor pairs",
        "PLOVER type, mode and contexts: no column",
        "ActionGeo_CountryCode (FIPS 10-4 in GDELT) is left empty; the location text and its ISO country are in ActionGeo_FullName",
        "AvgTone, IsRootEvent, geographic coordinates: not coded (empty)",
    ],
    "icews": [
        "date precision and window: Event Date is one day (as for GDELT), placed_date of event_placement",
        "an event the sources give no date bound for cannot be written (none in this release)",
        "date basis and its reasoning",
        "event status: only occurred and ongoing events are written, without saying which",
        "disagreements between sources: no column",
        "evidence spans: Story ID holds our article ids separated by ';'; Sentence Number is empty",
        "Event ID is our event_id string and repeats when an event has several actor pairs",
        "PLOVER type, mode and contexts; Goldstein is written as Intensity",
        "Source/Target Sectors hold one CAMEO sector code, not ICEWS's sector names",
    ],
    "plover": [
        "date basis and its reasoning: only as text in comment",
        "an event the sources give no date bound for cannot be written (none in this release)",
        "date precision: date and enddate carry the window, not its precision label; an open start has the known end as date",
        "event status: only occurred and ongoing events are written, without saying which",
        "disagreements between sources: only as text in comment",
        "evidence spans: cite_info names the articles, not the offsets",
        "CAMEO code and Goldstein score: event_scale holds the Goldstein score of the CAMEO code; the CAMEO code is in comment",
        "events of CAMEO roots 01 (statements) and 02 (appeals), which PLOVER does not code: not written",
        "an event whose acting side the sources do not name (courts freezing assets) has an empty actor list, though PLOVER requires one",
    ],
}


class ExportError(ValueError):
    """A bad format or an unwritable output file; the message is one line."""


@dataclass(frozen=True)
class Record:
    """One exported event record: an event and a directed actor pair (target may be None)."""
    event_id: str
    date: dt.date
    date_start: dt.date | None
    date_end: dt.date | None
    date_precision: str
    date_basis: str
    cameo_code: str
    label: str
    goldstein: float
    quad_class: int
    plover_type: str | None
    plover_quad_class: int | None
    plover_mode: str | None
    plover_contexts: list[str]
    location: str | None
    location_country: str | None
    source: dict[str, Any] | None
    target: dict[str, Any] | None
    article_ids: list[str]
    outlets: list[str]
    n_mentions: int
    disagreements: list[str]


_EVENTS_SQL = """
SELECT e.event_id, e.date_start, e.date_end, e.date_precision, p.placed_date, e.date_basis, e.cameo_code,
       c.label, c.goldstein, c.quad_class, c.plover_type, c.plover_quad_class,
       coalesce(e.plover_mode, c.plover_mode) AS plover_mode, e.plover_contexts, e.location, e.location_country_iso3
FROM events e JOIN cameo_codes c ON c.cameo_code = e.cameo_code JOIN event_placement p ON p.event_id = e.event_id
WHERE e.status IN ('occurred', 'ongoing')
ORDER BY e.event_id
"""
_ACTORS_SQL = """
SELECT a.actor_id, a.name, coalesce(k.cameo_actor_code, a.country_iso3), coalesce(k.country_code, a.country_iso3), k.sector_code
FROM actors a LEFT JOIN actor_codes k ON k.actor_id = a.actor_id
"""
_PAIRS_SQL = "SELECT event_id, source_actor_id, target_actor_id FROM event_pairs ORDER BY event_id, source_actor_id, target_actor_id"
_ROLES_SQL = """
SELECT DISTINCT event_id, actor_id, role FROM event_actors
WHERE role IN ('initiator', 'host', 'participant', 'target')
ORDER BY event_id, CASE role WHEN 'initiator' THEN 0 WHEN 'host' THEN 1 WHEN 'participant' THEN 2 ELSE 3 END, actor_id
"""
_MENTIONS_SQL = """
WITH pub AS (
    SELECT a.article_id, coalesce(a.outlet, w.name, a.article_id) AS publisher
    FROM articles a LEFT JOIN actors w ON w.actor_id = a.wire_agency_id
)
SELECT m.event_id, list(DISTINCT m.article_id ORDER BY m.article_id), list(DISTINCT p.publisher ORDER BY p.publisher), count(*)
FROM event_mentions m JOIN pub p ON p.article_id = m.article_id GROUP BY m.event_id
"""
_DISAGREE_SQL = "SELECT DISTINCT subject_id, attribute FROM disagreements WHERE subject_table = 'events' ORDER BY 1, 2"


def collect_records(con: duckdb.DuckDBPyConnection) -> list[Record]:
    """Every exportable record, built from the package's tables and views through one connection."""
    actors = {r[0]: {"actor_id": r[0], "name": r[1], "code": r[2], "country": r[3], "sector": r[4]}
              for r in con.execute(_ACTORS_SQL).fetchall()}
    pairs: dict[str, list[tuple[str, str]]] = {}
    for event_id, src, tgt in con.execute(_PAIRS_SQL).fetchall():
        pairs.setdefault(event_id, []).append((src, tgt))
    first_actor: dict[str, str] = {}
    first_target: dict[str, str] = {}
    for event_id, actor_id, role in con.execute(_ROLES_SQL).fetchall():
        (first_target if role == "target" else first_actor).setdefault(event_id, actor_id)
    mentions = {r[0]: (list(r[1]), list(r[2]), int(r[3])) for r in con.execute(_MENTIONS_SQL).fetchall()}
    disagree: dict[str, list[str]] = {}
    for subject_id, attribute in con.execute(_DISAGREE_SQL).fetchall():
        disagree.setdefault(subject_id, []).append(attribute)
    records = []
    for (event_id, ds, de, precision, day, basis, code, label, gold, quad, ptype, pquad, pmode, contexts,
         location, loc_country) in con.execute(_EVENTS_SQL).fetchall():
        if day is None:
            continue
        event_pairs = pairs.get(event_id) or [(first_actor.get(event_id), first_target.get(event_id))]
        arts, outlets, n = mentions.get(event_id, ([], [], 0))
        for src, tgt in event_pairs:
            records.append(Record(
                event_id, day, ds, de, precision, basis, code, label, float(gold), int(quad), ptype,
                int(pquad) if pquad is not None else None, pmode, _as_list(contexts),
                location, loc_country, actors.get(src) if src else None, actors.get(tgt) if tgt else None,
                arts, outlets, n, disagree.get(event_id, [])))
    return records


def _country_names(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Country code -> the name of the state actor with that code (ICEWS writes country names)."""
    return dict(con.execute("SELECT country_iso3, min(name) FROM actors WHERE actor_type = 'state' AND country_iso3 IS NOT NULL GROUP BY 1").fetchall())


def _s(value: Any) -> str:
    return "" if value is None else str(value)


def gdelt_rows(records: Iterable[Record], date_added: str) -> list[list[str]]:
    """Records in GDELT 2.0 event-table order (61 cells each)."""
    rows = []
    for r in records:
        row = dict.fromkeys(GDELT_COLUMNS, "")
        d = r.date
        row.update({
            "GLOBALEVENTID": r.event_id, "SQLDATE": d.strftime("%Y%m%d"), "MonthYear": d.strftime("%Y%m"),
            "Year": str(d.year), "FractionDate": f"{d.year + (d.month * 30 + d.day) / 365:.4f}",
            "EventCode": r.cameo_code, "EventBaseCode": r.cameo_code[:3], "EventRootCode": r.cameo_code[:2],
            "QuadClass": str(r.quad_class), "GoldsteinScale": f"{r.goldstein:.1f}",
            "NumMentions": str(r.n_mentions), "NumSources": str(len(r.outlets)), "NumArticles": str(len(r.article_ids)),
            "ActionGeo_FullName": ", ".join(x for x in (r.location, r.location_country) if x),
            "DATEADDED": date_added, "SOURCEURL": ";".join(r.article_ids),
        })
        for n, actor in (("1", r.source), ("2", r.target)):
            if actor:
                row.update({f"Actor{n}Code": _s(actor["code"]), f"Actor{n}Name": actor["name"],
                            f"Actor{n}CountryCode": _s(actor["country"]), f"Actor{n}Type1Code": _s(actor["sector"])})
        rows.append([_clean(row[c]) for c in GDELT_COLUMNS])
    return rows


def icews_rows(records: Iterable[Record], countries: dict[str, str]) -> list[list[str]]:
    """Records in the ICEWS event-file column order (20 cells each)."""
    rows = []
    for r in records:
        src, tgt = r.source or {}, r.target or {}
        row = {
            "Event ID": r.event_id, "Event Date": r.date.isoformat(),
            "Source Name": _s(src.get("name")), "Source Sectors": _s(src.get("sector")),
            "Source Country": countries.get(src.get("country") or "", _s(src.get("country"))),
            "Event Text": r.label, "CAMEO Code": r.cameo_code, "Intensity": f"{r.goldstein:.1f}",
            "Target Name": _s(tgt.get("name")), "Target Sectors": _s(tgt.get("sector")),
            "Target Country": countries.get(tgt.get("country") or "", _s(tgt.get("country"))),
            "Story ID": ";".join(r.article_ids), "Sentence Number": "", "Publisher": ";".join(r.outlets),
            "City": _s(r.location), "District": "", "Province": "",
            "Country": countries.get(r.location_country or "", _s(r.location_country)), "Latitude": "", "Longitude": "",
        }
        rows.append([_clean(row[c]) for c in ICEWS_COLUMNS])
    return rows


def _entity(actor: dict[str, Any]) -> dict[str, Any]:
    return {"code": actor["country"] or actor["code"], "sector": actor["sector"], "entity_text": actor["name"],
            "identifier_text": actor["actor_id"]}


def plover_records(records: Iterable[Record], coded_date: str) -> list[dict[str, Any]]:
    """Records as PLOVER JSON objects (field order of PLOVER_FIELDS)."""
    out = []
    for r in records:
        if not r.plover_type:
            continue  # CAMEO 01 and 02: PLOVER codes no event for statements and appeals
        comment = [f"date_precision={r.date_precision}", f"date_basis={r.date_basis}", f"cameo_code={r.cameo_code}"]
        if r.disagreements:
            comment.append("sources disagree on: " + ", ".join(r.disagreements))
        out.append({
            "id": r.event_id,
            "date": (r.date_start or r.date).isoformat(),
            "enddate": r.date_end.isoformat() if r.date_end and r.date_end != (r.date_start or r.date) else None,
            "actor": [_entity(r.source)] if r.source else [],
            "recipient": [_entity(r.target)] if r.target else [],
            "event": [r.plover_type] if r.plover_type else [],
            "quad_code": r.plover_quad_class,
            "event_scale": r.goldstein,
            "mode": [r.plover_mode] if r.plover_mode else [],
            "context": r.plover_contexts,
            "cite_info": {"corpus": "jpkr-data", "citation": ";".join(r.article_ids), "publication": ";".join(r.outlets)},
            "coder": "jpkr-data (human curation)",
            "coded_date": coded_date,
            "comment": "; ".join(comment),
        })
    return out


def _clean(cell: str) -> str:
    """A cell safe for a tab-separated file: tabs and line breaks become spaces."""
    return " ".join(cell.replace("\t", " ").splitlines())


def _write_atomically(out: Path, write) -> None:
    """Write `out` through the one safe-write helper (swap.write_file); text is UTF-8 with "\\n" line ends."""
    def binary(fh) -> None:
        text = io.TextIOWrapper(fh, encoding="utf-8", newline="", write_through=True)
        write(text)
        text.flush()
        text.detach()

    try:
        write_file(out, binary)
    except OSError as exc:
        raise ExportError(f"cannot write {out}: {exc.strerror or exc}") from None


FORMATS = ("gdelt", "icews", "plover")


def export(con: duckdb.DuckDBPyConnection, fmt: str, out: str | os.PathLike[str], header: bool = False,
           coded: dt.date | None = None) -> int:
    """Write the events in format `fmt` to `out`; return the number of records. Raises ExportError.

    `header` adds GDELT's column names as a first row (GDELT ships none; ICEWS always has one).
    `coded` is the coding date written as DATEADDED / coded_date (default: the latest article's date)."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    out = Path(out)
    records = collect_records(con)
    stamp = coded or con.execute("SELECT max(published_date) FROM articles").fetchone()[0] or dt.date(1970, 1, 1)
    if fmt == "plover":
        objs = plover_records(records, stamp.isoformat())
        _write_atomically(out, lambda fh: fh.writelines(json.dumps(o, ensure_ascii=False) + "\n" for o in objs))
        return len(objs)
    if fmt == "gdelt":
        rows, columns = gdelt_rows(records, stamp.strftime("%Y%m%d") + "000000"), GDELT_COLUMNS
    else:
        rows, columns, header = icews_rows(records, _country_names(con)), ICEWS_COLUMNS, True

    def write(fh) -> None:
        if header:
            fh.write("\t".join(columns) + "\n")
        fh.writelines("\t".join(row) + "\n" for row in rows)

    _write_atomically(out, write)
    return len(rows)


def _as_list(value: str | list[str] | None) -> list[str]:
    """A list column as a list (a `;`-joined string from a package built before lists were typed)."""
    if not value:
        return []
    return value.split(";") if isinstance(value, str) else list(value)
