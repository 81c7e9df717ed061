"""Checks no Table Schema can express, but this dataset promises.

Spans equal their source slices, source files match their checksums, the body bounds and
segments hold, dates are coherent, every event is mentioned, every quotation is accounted
for, and parent links have no cycles. Each runs only when the tables it reads were staged.
"""
from __future__ import annotations

import duckdb

from ..schema import Package, Table, quote_ident
from ..sources import MAX_SOURCE_BYTES, find_quoted_spans, read_source, sha256_of
from .paths import path_problem, resolve_inside
from .report import Problem, Report
from .schema_checks import collect, typed_name
from .semantics import run_semantic_checks

SPAN_SOURCES = quote_ident("span:sources")  # the source texts with their lengths in code points, computed once
CONTENT_SEGMENTS = ("headline", "caption", "byline", "correction", "timestamp")
BOILERPLATE_SEGMENTS = ("page_title", "photo_credit", "navigation", "login_notice", "comments_widget",
                        "cookie_notice", "related_headlines", "section_label")


def _needs(staged: dict[str, Table], *names: str) -> bool:
    return all(n in staged for n in names)


def _q(con, sql: str, params: list | None = None) -> list[tuple]:
    return con.execute(sql, params or []).fetchall()


def load_sources(con: duckdb.DuckDBPyConnection, pkg: Package, staged: dict[str, Table], report: Report) -> dict[str, str]:
    """Check each article's source file and checksum; put the texts in table _sources."""
    texts: dict[str, str] = {}
    con.execute("CREATE OR REPLACE TEMP TABLE _sources (article_id VARCHAR, text VARCHAR)")
    if "articles" not in staged:
        return texts
    report.ran("source-files")
    rows = _q(con, f"SELECT _row, article_id, source_file, source_sha256, source_bytes, source_chars FROM {typed_name(staged['articles'])}")
    rel = staged["articles"].path
    for row, article_id, source_file, sha, nbytes, nchars in rows:
        if not source_file:
            continue
        why = path_problem(source_file) or ("/" in source_file and "a source file name has no folder part") or None
        path = None if why else resolve_inside(pkg.root, f"data/sources/{source_file}")
        if path is None:
            report.add(Problem("source-file", rel, f"source file name {source_file!r} is not a file name inside data/sources/"
                               f"{': ' + why if why else ' (a symbolic link leads out of the package)'}", row, "source_file", source_file))
            continue
        if not path.is_file():
            report.add(Problem("source-file", rel, f"source file data/sources/{source_file} does not exist", row, "source_file", source_file))
            continue
        size = path.stat().st_size  # checked before reading: a sparse 3 GB file must not be read to learn it is wrong
        if (nbytes is not None and size != nbytes) or size > MAX_SOURCE_BYTES:
            limit = f"its article's source_bytes says {nbytes}" if nbytes is not None and size != nbytes else f"the cap is {MAX_SOURCE_BYTES} bytes"
            report.add(Problem("source-size", rel, f"data/sources/{source_file} has {size} bytes ({limit}); not read", row, "source_bytes",
                               "" if nbytes is None else str(nbytes)))
            continue
        try:
            actual = sha256_of(path)
        except OSError as exc:
            report.add(Problem("source-file", rel, f"data/sources/{source_file} cannot be read: {exc.strerror or exc}", row, "source_file", source_file))
            continue
        if sha and actual != sha:
            report.add(Problem("source-checksum", rel, f"data/sources/{source_file} has SHA-256 {actual}: the source was edited or replaced", row, "source_sha256", sha))
            continue
        try:
            text = read_source(path)
        except UnicodeDecodeError as exc:
            report.add(Problem("source-file", rel, f"data/sources/{source_file} is not UTF-8: {exc}", row, "source_file", source_file))
            continue
        if nbytes is not None and path.stat().st_size != nbytes:
            report.add(Problem("source-size", rel, f"file has {path.stat().st_size} bytes", row, "source_bytes", str(nbytes)))
        if nchars is not None and len(text) != nchars:
            report.add(Problem("source-size", rel, f"decoded text has {len(text)} code points", row, "source_chars", str(nchars)))
        texts[article_id] = text
    if texts:
        con.executemany("INSERT INTO _sources VALUES (?, ?)", list(texts.items()))
    return texts


def check_body_and_segments(con, staged: dict[str, Table], texts: dict[str, str], report: Report) -> None:
    """Body bounds lie in the file; segments do not overlap the body or each other; gaps are white space."""
    if not _needs(staged, "articles", "article_segments"):
        return
    report.ran("body-bounds")
    arts = staged["articles"]
    for row, aid, start, end in _q(con, f"SELECT _row, article_id, body_start, body_end FROM {typed_name(arts)}"):
        text = texts.get(aid)
        if text is None or start is None or end is None:
            continue
        if not 0 <= start < end <= len(text):
            report.add(Problem("body-bounds", arts.path, f"body must satisfy 0 <= body_start < body_end <= {len(text)}", row, "body_end", f"{start}..{end}"))
    segs = staged["article_segments"]
    pieces: dict[str, list[tuple[int, int, int | None, str]]] = {}
    for row, aid, start, end, kind in _q(con, f"SELECT _row, article_id, char_start, char_end, segment_type FROM {typed_name(segs)}"):
        if start is not None and end is not None:
            pieces.setdefault(aid, []).append((start, end, row, kind))
    for _, aid, start, end in _q(con, f"SELECT _row, article_id, body_start, body_end FROM {typed_name(arts)}"):
        if start is not None and end is not None:
            pieces.setdefault(aid, []).append((start, end, None, "body"))
    report.ran("segments")
    for aid, items in pieces.items():
        text = texts.get(aid)
        if text is None:
            continue
        items.sort()
        pos = 0
        for start, end, row, kind in items:
            if start < pos:
                report.add(Problem("segments", segs.path, f"{kind} segment {start}..{end} of {aid} overlaps the previous segment (ends at {pos})", row, "char_start", str(start)))
            elif text[pos:start].strip():
                gap = text[pos:start][:60]
                report.add(Problem("segments", segs.path, f"text of {aid} between offsets {pos} and {start} belongs to no segment and is not white space: {gap!r}",
                                   row, "char_start", str(start)))
            pos = max(pos, end)
        if text[pos:].strip():
            report.add(Problem("segments", segs.path, f"text of {aid} after offset {pos} belongs to no segment: {text[pos:][:60]!r}", None, "char_end"))


def check_spans(con, staged: dict[str, Table], report: Report) -> None:
    """Every jpkr:spans column group equals its source slice and lies where evidence may come from."""
    if not _needs(staged, "articles", "article_segments"):
        return
    arts, segs = typed_name(staged["articles"]), typed_name(staged["article_segments"])
    con.execute(f"CREATE OR REPLACE TEMP TABLE {SPAN_SOURCES} AS SELECT article_id, text, length(text) AS n FROM _sources")
    content = ", ".join(f"'{s}'" for s in CONTENT_SEGMENTS)
    boiler = ", ".join(f"'{s}'" for s in BOILERPLATE_SEGMENTS)
    for table in staged.values():
        for span in table.spans:
            report.ran("span")
            a, s, e, t = (quote_ident(x) for x in (span.article, span.start, span.end, span.text))
            base = f"FROM {typed_name(table)} x JOIN {SPAN_SOURCES} src ON src.article_id = x.{a}"
            text_rule = "" if span.text_optional else f" OR (x.{s} IS NULL) <> (x.{t} IS NULL)"
            together = f"{span.start} and {span.end}" if span.text_optional else f"{span.start}, {span.end} and {span.text}"
            for sql, field, message in (
                (f"SELECT x._row, x.{t} FROM {typed_name(table)} x WHERE (x.{s} IS NULL) <> (x.{e} IS NULL){text_rule}",
                 span.start, f"{together} must be all set or all empty"),
                (f"SELECT x._row, x.{s} || '..' || x.{e} {base} WHERE x.{s} IS NOT NULL AND x.{e} IS NOT NULL AND (x.{e} < x.{s} OR x.{e} > src.n)",
                 span.end, f"span must satisfy {span.start} <= {span.end} <= length of the source text"),
                # each distinct (article, start, end, text) is compared once: a slice costs time in proportion to its offset
                (f"WITH d AS (SELECT DISTINCT {a} AS a, {s} AS s, {e} AS e, {t} AS t FROM {typed_name(table)} WHERE {t} IS NOT NULL AND {s} IS NOT NULL), "
                 f"bad AS (SELECT d.* FROM d JOIN {SPAN_SOURCES} src ON src.article_id = d.a "
                 f"WHERE d.e >= d.s AND d.e <= src.n AND substring(src.text, d.s + 1, d.e - d.s) <> d.t) "
                 f"SELECT x._row, x.{t} || ' ≠ source ' || substring(src.text, x.{s} + 1, least(x.{e} - x.{s}, 80)) {base} "
                 f"JOIN bad ON bad.a = x.{a} AND bad.s = x.{s} AND bad.e = x.{e} AND bad.t = x.{t}",
                 span.text, f"text does not equal the source slice [{span.start}:{span.end}]"),
            ):
                collect(con, sql, report, "span", table, field, message)
            if span.region == "any":
                continue
            if span.region == "content":
                sql = (f"SELECT x._row, x.{s} || '..' || x.{e} FROM {typed_name(table)} x JOIN {arts} ar ON ar.article_id = x.{a} "
                       f"WHERE x.{s} IS NOT NULL AND x.{e} IS NOT NULL AND NOT (x.{s} >= ar.body_start AND x.{e} <= ar.body_end) "
                       f"AND NOT EXISTS (SELECT 1 FROM {segs} g WHERE g.article_id = x.{a} AND g.segment_type IN ({content}) "
                       f"AND x.{s} >= g.char_start AND x.{e} <= g.char_end)")
                message = "evidence lies outside the article body and its content segments (boilerplate is not content)"
            else:
                sql = (f"SELECT x._row, x.{s} || '..' || x.{e} FROM {typed_name(table)} x WHERE x.{s} IS NOT NULL AND x.{e} IS NOT NULL "
                       f"AND EXISTS (SELECT 1 FROM {segs} g WHERE g.article_id = x.{a} AND g.segment_type IN ({boiler}) "
                       f"AND x.{s} < g.char_end AND x.{e} > g.char_start)")
                message = "span overlaps web boilerplate"
            report.ran("span-region")
            collect(con, sql, report, "span-region", table, span.start, message)


def check_dates(con, staged: dict[str, Table], report: Report) -> None:
    """Windows are ordered, precision and basis are coherent, nothing is said or occurs after its article."""
    if "events" in staged:
        ev = staged["events"]
        t = typed_name(ev)
        report.ran("dates")
        for sql, field, message in (
            (f"SELECT _row, date_start || '..' || date_end FROM {t} WHERE date_start > date_end", "date_start", "date_start is after date_end"),
            (f"SELECT _row, date_precision FROM {t} WHERE (date_precision = 'day') <> (date_start IS NOT NULL AND date_start = date_end AND date_precision <> 'includes')",
             "date_precision", "precision 'day' means date_start = date_end, and a one-day window must have precision 'day' "
             "(or 'includes': a period attested on that day)"),
            (f"SELECT _row, date_precision FROM {t} WHERE (date_precision = 'open_start') <> (date_start IS NULL)",
             "date_precision", "date_start is empty exactly when the precision is 'open_start'"),
            (f"SELECT _row, date_start || '..' || date_end FROM {t} WHERE date_precision = 'month' AND (day(date_start) <> 1 OR date_end <> last_day(date_start))",
             "date_precision", "precision 'month' needs the first and last day of one month"),
            (f"SELECT _row, date_start || '..' || date_end FROM {t} WHERE date_precision = 'year' AND (strftime(date_start, '%m-%d') <> '01-01' OR strftime(date_end, '%m-%d') <> '12-31')",
             "date_precision", "precision 'year' needs windows of whole years"),
            (f"SELECT _row, date_basis FROM {t} WHERE date_basis <> 'stated' AND coalesce(trim(date_reasoning), '') = ''",
             "date_reasoning", "an inferred date needs its reasoning"),
        ):
            collect(con, sql, report, "dates", ev, field, message)
        if _needs(staged, "event_mentions", "articles"):
            report.ran("future-occurred")
            m, a = typed_name(staged["event_mentions"]), typed_name(staged["articles"])
            collect(con, f"SELECT m._row, e.date_start || ' > ' || ar.published_date FROM {m} m JOIN {t} e USING (event_id) "
                               f"JOIN {a} ar USING (article_id) WHERE m.reported_status IN ('occurred', 'ongoing') AND e.date_start > ar.published_date",
                          report, "future-occurred", staged["event_mentions"], "reported_status",
                          "an event that starts after the article's date cannot be reported as occurred")
            collect(con, f"SELECT e._row, e.status FROM {t} e WHERE e.status IN ('occurred', 'ongoing') AND e.date_start > "
                               f"(SELECT max(ar.published_date) FROM {m} m JOIN {a} ar USING (article_id) WHERE m.event_id = e.event_id)",
                          report, "future-occurred", ev, "status", "the event starts after every article that mentions it, so it cannot be 'occurred'")
            report.ran("event-has-mention")
            collect(con, f"SELECT e._row, e.event_id FROM {t} e WHERE NOT EXISTS (SELECT 1 FROM {m} m WHERE m.event_id = e.event_id)",
                          report, "event-has-mention", ev, "event_id", "every event needs at least one mention")
    if _needs(staged, "statements", "articles"):
        st, a = staged["statements"], typed_name(staged["articles"])
        t = typed_name(st)
        report.ran("said-date")
        for sql, field, message in (
            (f"SELECT _row, said_date_start || '..' || said_date_end FROM {t} WHERE said_date_start > said_date_end", "said_date_start", "said_date_start is after said_date_end"),
            (f"SELECT _row, said_date FROM {t} WHERE said_date IS NOT NULL AND NOT (said_date_start IS NOT DISTINCT FROM said_date AND said_date_end = said_date)",
             "said_date", "said_date must equal said_date_start and said_date_end"),
            (f"SELECT _row, said_date_start FROM {t} WHERE said_date IS NULL AND said_date_start = said_date_end", "said_date", "a one-day window must be given as said_date too"),
            (f"SELECT _row, said_date_basis FROM {t} WHERE said_date_basis <> 'stated' AND coalesce(trim(said_date_reasoning), '') = ''",
             "said_date_reasoning", "an inferred date needs its reasoning"),
            (f"SELECT s._row, s.said_date_start || ' > ' || ar.published_date FROM {t} s JOIN {a} ar USING (article_id) WHERE s.said_date_start > ar.published_date",
             "said_date_start", "nothing can be said after its article was published"),
        ):
            collect(con, sql, report, "said-date", st, field, message)
    if "articles" in staged:
        ar = staged["articles"]
        report.ran("published-date")
        collect(con, f"SELECT _row, published_date_basis FROM {typed_name(ar)} WHERE published_date_basis <> 'stated' AND coalesce(trim(published_date_reasoning), '') = ''",
                      report, "published-date", ar, "published_date_reasoning", "an inferred publication date needs its reasoning")


def check_quotations(con, staged: dict[str, Table], texts: dict[str, str], report: Report) -> None:
    """Every quoted span in every body is a quotation row, and every quotation row is one."""
    if not _needs(staged, "articles", "quotations", "statements"):
        return
    report.ran("quotations-complete")
    q = staged["quotations"]
    rows = _q(con, f"SELECT article_id, char_start, char_end, _row, quote_kind, statement_id FROM {typed_name(q)}")
    recorded = {(r[0], r[1], r[2]): r for r in rows}
    found = set()
    for row, aid, start, end in _q(con, f"SELECT _row, article_id, body_start, body_end FROM {typed_name(staged['articles'])}"):
        text = texts.get(aid)
        if text is None or start is None or end is None or not 0 <= start < end <= len(text):
            continue
        spans, unpaired = find_quoted_spans(text, start, end)
        for mark in unpaired:
            report.add(Problem("quotations-complete", staged["articles"].path, f"unpaired quotation mark at offset {mark.offset} in {aid}: {mark.paragraph!r}", row, "body_start"))
        for sp in spans:
            found.add((aid, sp.char_start, sp.char_end))
            if (aid, sp.char_start, sp.char_end) not in recorded:
                report.add(Problem("quotations-complete", q.path, f"quoted span {sp.char_start}..{sp.char_end} in {aid} is not classified (add it as a statement or a term)",
                                   None, "char_start", sp.text))
    for key, (aid, start, end, row, _kind, _sid) in recorded.items():
        if key not in found and aid in texts:
            report.add(Problem("quotations-complete", q.path, "no pair of quotation marks encloses exactly this span", row, "char_start", f"{start}..{end}"))
    report.ran("quotation-statement")
    st = typed_name(staged["statements"])
    for sql, field, message in (
        (f"SELECT _row, quote_kind FROM {typed_name(q)} WHERE (quote_kind = 'statement') <> (statement_id IS NOT NULL)", "statement_id",
         "a statement quotation needs its statement_id, and a term has none"),
        (f"SELECT q._row, q.statement_id FROM {typed_name(q)} q JOIN {st} s USING (statement_id) WHERE s.mode <> 'direct' OR s.article_id <> q.article_id "
         f"OR s.char_start <> q.char_start OR s.char_end <> q.char_end", "statement_id",
         "the statement must be a direct statement with exactly the quoted span"),
    ):
        collect(con, sql, report, "quotation-statement", q, field, message)
    collect(con, f"SELECT s._row, s.statement_id FROM {st} s WHERE s.mode = 'direct' AND NOT EXISTS (SELECT 1 FROM {typed_name(q)} q "
                       f"WHERE q.statement_id = s.statement_id)", report, "quotation-statement", staged["statements"], "statement_id",
                  "a direct statement must be a classified quotation (add it to quotations)")


def check_parent_cycles(con, staged: dict[str, Table], report: Report) -> None:
    """Self-referencing links (parent actor, parent event, statement part_of) form no cycle."""
    for tname, key, parent in (("actors", "actor_id", "parent_actor_id"), ("events", "event_id", "parent_event_id"),
                               ("statements", "statement_id", "part_of_statement_id")):
        if tname not in staged:
            continue
        report.ran("parent-cycle")
        links = dict(_q(con, f"SELECT {key}, {parent} FROM {typed_name(staged[tname])} WHERE {parent} IS NOT NULL"))
        reported: set[str] = set()
        cycles: list[tuple[list, object]] = []
        done: set = set()  # nodes whose walk is known to end outside any new cycle
        for start in links:
            seen, node = [], start
            while node in links and node not in seen and node not in done:
                seen.append(node)
                node = links[node]
            if node in seen and node not in reported:
                cycle = seen[seen.index(node):]
                reported.update(cycle)
                cycles.append((cycle, node))
            done.update(seen)
        # the row of each cycle's first node, looked up only for the cycles found
        rows = dict(_q(con, f"SELECT {key}, _row FROM {typed_name(staged[tname])} WHERE {key} IN (SELECT unnest(?))",
                       [[n for _, n in cycles]])) if cycles else {}
        for cycle, node in cycles:
            report.add(Problem("parent-cycle", staged[tname].path, f"{parent} links form a cycle: {' -> '.join(cycle + [node])}",
                               rows.get(node), parent, node))


def check_coverage(con, staged: dict[str, Table], report: Report) -> None:
    """Every actor is evidenced by an alias; every claim's subject (or dyad) exists; events are coded; content segments keep their text."""
    if "events" in staged:
        report.ran("event-code")
        collect(con, f"SELECT _row, event_type FROM {typed_name(staged['events'])} WHERE cameo_code IS NULL AND event_type <> 'deadline'",
                report, "event-code", staged["events"], "cameo_code", "every event except a deadline needs a CAMEO code")
    if "article_segments" in staged:
        report.ran("segment-text")
        content = ", ".join(f"'{s}'" for s in CONTENT_SEGMENTS)
        collect(con, f"SELECT _row, segment_type FROM {typed_name(staged['article_segments'])} WHERE segment_type IN ({content}) AND text IS NULL",
                report, "segment-text", staged["article_segments"], "text", "a content segment (headline, caption, byline, ...) must keep its verbatim text")
    if _needs(staged, "actors", "actor_aliases"):
        report.ran("actor-has-alias")
        collect(con, f"SELECT a._row, a.actor_id FROM {typed_name(staged['actors'])} a WHERE NOT EXISTS "
                           f"(SELECT 1 FROM {typed_name(staged['actor_aliases'])} x WHERE x.actor_id = a.actor_id)",
                      report, "actor-has-alias", staged["actors"], "actor_id", "every actor needs at least one alias with evidence")
    if "claims" in staged:
        report.ran("claim-subject")
        c = typed_name(staged["claims"])
        for tname, key in (("events", "event_id"), ("agreements", "agreement_id"), ("actors", "actor_id")):
            if tname in staged:
                collect(con, f"SELECT c._row, c.subject_id FROM {c} c WHERE c.subject_table = '{tname}' AND NOT EXISTS "
                                   f"(SELECT 1 FROM {typed_name(staged[tname])} s WHERE s.{key} = c.subject_id)",
                              report, "claim-subject", staged["claims"], "subject_id", f"no row in {tname} has {key} equal to this value")
        if "actors" in staged:
            a = typed_name(staged["actors"])
            first, second = "split_part(c.subject_id, '-', 1)", "split_part(c.subject_id, '-', 2)"
            collect(con, f"SELECT c._row, c.subject_id FROM {c} c WHERE c.subject_table = 'dyads' AND NOT ({first} < {second} "
                               f"AND {first} IN (SELECT actor_id FROM {a}) AND {second} IN (SELECT actor_id FROM {a}))",
                          report, "claim-subject", staged["claims"], "subject_id",
                          "a dyad must name two existing actor ids in alphabetical order joined by '-' (e.g. jpn-kor)")


def run_integrity_checks(con, pkg: Package, staged: dict[str, Table], report: Report) -> None:
    texts = load_sources(con, pkg, staged, report)
    check_body_and_segments(con, staged, texts, report)
    check_spans(con, staged, report)
    check_dates(con, staged, report)
    check_quotations(con, staged, texts, report)
    check_parent_cycles(con, staged, report)
    check_coverage(con, staged, report)
    run_semantic_checks(con, staged, report)
