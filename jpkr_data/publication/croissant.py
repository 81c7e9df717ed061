"""croissant.json: the release described in Croissant 1.0 (MLCommons), with the Responsible-AI answers of the datasheet.

One FileObject per table and per view (its Parquet file, with its SHA-256), one RecordSet for each with the
table's primary key, one Field per column with its dataType and its source (the Parquet column); a list
column is `repeated`. Foreign keys are not repeated here as `references`: mlcroissant turns each into a
join when it loads records, which fails on a key into the record's own table (a parent event: a cycle)
and on a chain of them (article_segments -> articles -> actors); datapackage.json states them all. The RAI properties are the datasheet's own answers, taken from the rendered DATASHEET.md
question by question: a question the datasheet does not answer gives no property, so nothing is said
that the curators did not write.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from ..artifact import file_sha256
from ..schema import Package
from .flat import DESCRIPTOR as VIEWS_DESCRIPTOR

FILE = "croissant.json"
CONFORMS_TO = "http://mlcommons.org/croissant/1.0"
# The JSON-LD context of the Croissant 1.0 examples (mlcommons/croissant datasets/1.0), which mlcroissant checks against.
CONTEXT: dict[str, Any] = {
    "@language": "en", "@vocab": "https://schema.org/", "citeAs": "cr:citeAs", "column": "cr:column", "conformsTo": "dct:conformsTo",
    "cr": "http://mlcommons.org/croissant/", "equivalentProperty": "cr:equivalentProperty", "samplingRate": "cr:samplingRate",
    "rai": "http://mlcommons.org/croissant/RAI/", "data": {"@id": "cr:data", "@type": "@json"},
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"}, "dct": "http://purl.org/dc/terms/",
    "examples": {"@id": "cr:examples", "@type": "@json"}, "extract": "cr:extract", "field": "cr:field", "fileProperty": "cr:fileProperty",
    "fileObject": "cr:fileObject", "fileSet": "cr:fileSet", "format": "cr:format", "includes": "cr:includes",
    "isLiveDataset": "cr:isLiveDataset", "jsonPath": "cr:jsonPath", "key": "cr:key", "md5": "cr:md5", "parentField": "cr:parentField",
    "path": "cr:path", "recordSet": "cr:recordSet", "references": "cr:references", "regex": "cr:regex", "repeated": "cr:repeated",
    "replace": "cr:replace", "sc": "https://schema.org/", "separator": "cr:separator", "source": "cr:source", "subField": "cr:subField",
    "transform": "cr:transform",
}
DATA_TYPES = {"string": "sc:Text", "array": "sc:Text", "integer": "sc:Integer", "number": "sc:Float", "boolean": "sc:Boolean", "date": "sc:Date",
              "datetime": "sc:DateTime", "year": "sc:Integer"}
# Each RAI property and the datasheet questions (bold, or a section heading) whose answers it carries.
RAI_QUESTIONS: dict[str, tuple[str, ...]] = {
    "rai:dataCollection": ("How was the data acquired?", "Who was involved?"),
    "rai:dataCollectionMissingData": ("Is any information missing?",),
    "rai:dataCollectionRawData": ("Is the raw data kept?",),
    "rai:dataPreprocessingProtocol": ("Was the text cleaned?",),
    "rai:dataAnnotationProtocol": ("What was labelled, and how?",),
    "rai:dataAnnotationAnalysis": ("Are there errors, sources of noise or redundancy?",),
    "rai:dataUseCases": ("Intended uses.", "Out of scope."),
    "rai:dataBiases": ("Could the composition affect future uses?",),
    "rai:dataLimitations": ("Known limitations and biases",),
    "rai:personalSensitiveInformation": ("Does it contain confidential data, or data about identifiable people?",),
    "rai:dataReleaseMaintenancePlan": ("Maintenance",),
}
QUESTION = re.compile(r"^\*\*(.+?)\*\*\s*", re.M)
HEADING = re.compile(r"^#{2,3} (.+)$", re.M)


def datasheet_answers(markdown: str) -> dict[str, str]:
    """Question (a bold lead-in or a section heading) -> its answer: the text up to the next question or heading, on one line."""
    marks = sorted([(m.start(), m.end(), m.group(1).strip()) for m in QUESTION.finditer(markdown)]
                   + [(m.start(), m.end(), m.group(1).strip()) for m in HEADING.finditer(markdown)])
    out: dict[str, str] = {}
    for k, (_, end, question) in enumerate(marks):
        stop = marks[k + 1][0] if k + 1 < len(marks) else len(markdown)
        answer = " ".join(markdown[end:stop].split())
        if answer:
            out[question] = answer
    return out


def rai_properties(datasheet: str) -> dict[str, str]:
    """The RAI properties the datasheet answers, each the answers to its questions, in order."""
    answers = datasheet_answers(datasheet)
    out = {}
    for prop, questions in RAI_QUESTIONS.items():
        found = [f"{q} {answers[q]}" if len(questions) > 1 else answers[q] for q in questions if q in answers]
        if found:
            out[prop] = " ".join(found)
    return out


def record_set(resource: dict[str, Any]) -> dict[str, Any]:
    """One table's or view's RecordSet: a field per column, sourced from its Parquet file's column."""
    name, schema = resource["name"], resource["schema"]
    fields = []
    for f in schema["fields"]:
        field: dict[str, Any] = {"@type": "cr:Field", "@id": f"{name}/{f['name']}", "name": f["name"], "description": f.get("description", ""),
                                 "dataType": DATA_TYPES.get(f.get("type", "string"), "sc:Text"),
                                 "source": {"fileObject": {"@id": f"{name}.parquet"}, "extract": {"column": f["name"]}}}
        if f.get("jpkr:separator") or f.get("type") == "array":  # a list: VARCHAR[] in the Parquet file
            field["repeated"] = True
        fields.append(field)
    keys = schema.get("primaryKey", [])
    rs: dict[str, Any] = {"@type": "cr:RecordSet", "@id": name, "name": name, "description": resource.get("description", ""), "field": fields}
    if keys:
        rs["key"] = [{"@id": f"{name}/{k}"} for k in ([keys] if isinstance(keys, str) else keys)]
    return rs


def citation(pkg: Package) -> str:
    """The plain citation CITATION.cff gives: authors (year). title. Version v. homepage."""
    d = pkg.descriptor
    authors = ", ".join(c.get("title", "") for c in d.get("contributors", [])) or f"{d['name']} contributors"
    return f"{authors} ({str(d.get('created', ''))[:4]}). {d.get('title', d['name'])}. Version {d.get('version', '')}. {d.get('homepage', '')}".strip()


def croissant(pkg: Package, descriptor: dict[str, Any], views: dict[str, Any], datasheet: str, out: Path) -> dict[str, Any]:
    """The Croissant document of the release in `out`: its tables (`descriptor`, datapackage.json) and views (`views`,
    datapackage-views.json), each read from its Parquet file (Parquet keeps codes such as CAMEO "040" as text and lists
    as lists; mlcroissant reads a CSV with type guessing, which would turn "040" into 40)."""
    d = descriptor
    lic = (d.get("licenses") or [{}])[0]
    resources = [(r, f"data/{r['name']}.parquet") for r in d["resources"]] + [(r, r["jpkr:parquet"]) for r in views.get("resources", [])]
    files = [{"@type": "cr:FileObject", "@id": f"{r['name']}.parquet", "name": f"{r['name']}.parquet", "description": r.get("title", r["name"]),
              "contentUrl": path, "encodingFormat": "application/x-parquet", "sha256": file_sha256(out / path)} for r, path in resources]
    doc: dict[str, Any] = {
        "@context": CONTEXT, "@type": "sc:Dataset", "conformsTo": CONFORMS_TO,
        "name": d["name"], "alternateName": d.get("title", d["name"]), "description": d.get("description", ""),
        "version": str(d.get("version", "0.0.0")), "datePublished": str(d.get("created", ""))[:10],
        "license": lic.get("path") or lic.get("name", ""), "url": d.get("homepage", ""), "citeAs": citation(pkg),
        "creator": [{"@type": "sc:Organization", "name": c.get("title", "")} for c in d.get("contributors", [])],
        "keywords": list(d.get("keywords", [])), "isLiveDataset": False,
    }
    doc.update(rai_properties(datasheet))
    doc["distribution"] = files
    doc["recordSet"] = [record_set(r) for r, _ in resources]
    return doc


def write_croissant(pkg: Package, out: Path, descriptor: dict[str, Any]) -> Path:
    """out/croissant.json, from the release descriptor, out/datapackage-views.json and out/DATASHEET.md (written before it)."""
    target = out / FILE
    views_file = out / VIEWS_DESCRIPTOR
    views = json.loads(views_file.read_text(encoding="utf-8")) if views_file.is_file() else {}
    doc = croissant(pkg, descriptor, views, (out / "DATASHEET.md").read_text(encoding="utf-8"), out)
    target.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8", newline="\n")
    return target
