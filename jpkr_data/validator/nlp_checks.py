"""Span rules of the NLP layer (issue 24; CURATION.md §2, §3, §4): attribution spans, triggers, mention-level arguments, actor mentions.

Statements (PARC 3.0 shaped):
- within one statement, source, cue and content (`text`) do not overlap; the cue is never inside the content;
- two statements' spans of one layer (source, cue or content) nest or are disjoint, never cross;
- a statement with a cue but no source says why in `notes`;
- a source span is an `actor_mentions` span of the speaker, of a joint group the speaker is a member of, or of the
  relay (`relayed_by_id`) when the notes say the source is the relay, once the article has any actor mention (a source
  in apposition, "Jun Saito, a deputy press secretary ...", begins with one such mention and ends with another);
- `embedded_in_statement_id` names another statement of the same article whose content holds this statement's cue.
Event mentions (ACE 2005 shaped):
- the trigger lies inside the mention's extent and has a genericity; triggers of different events never overlap, except
  one identical span whose two rows' notes each name the other event (CURATION §2's shared triggers);
  two extents of different events may nest but never cross.
Event mention arguments:
- the mention exists; (event, actor, role) is an `event_actors` row; the span is an `actor_mentions` span of that
  actor; it lies in the sentence of the mention's trigger (jpkr_data/text/sentences.py).
Actor mentions:
- `am_<article number>_<sequence>` ids run in text order and carry their article's number; no two mentions have
  one extent; mentions nest or are disjoint, never cross; every `actor_aliases` span is a mention of the same actor,
  once the article has any mention; every form of an actor in an article (a mention that is no pronoun, demonym or
  member row of a plural) has an alias row at its first occurrence, and an alias agrees with its mention on basis and
  type (a `title` mention is a `description` alias).
About-links and coverage (0.5b audits):
- a `statement_events` evidence span nests with a mention of its event in its article, unless its notes say "Not an
  event mention" (the words name what the statement is about without referring to the event); such a row has none;
- an "it" inside a statement's cue ("made it clear") is expletive and is no mention;
- an `event_actors` role whose evidence span holds a mention of its actor, in a sentence that holds a trigger of a
  mention of that event, has its argument row on that mention.
(An inferred mention or argument says how in `reasoning` / `notes`: statement_checks.REASONED.)
"""
from __future__ import annotations

from ..schema import Table, quote_ident
from ..text.sentences import sentences
from .report import Report
from .schema_checks import collect, staged_with, typed_name

ST_LAYERS = (("text", "char_start", "char_end", "content"), ("source_text", "source_start", "source_end", "source"),
             ("cue_text", "cue_start", "cue_end", "cue"))
SENTENCES = quote_ident("nlp:sentences")  # (article_id, sentence, s, e): the splitter's sentences of every article


def overlaps(x: str, xs: str, xe: str, y: str, ys: str, ye: str) -> str:
    """SQL: the two set spans share at least one character."""
    return f"{x}.{xs} IS NOT NULL AND {y}.{ys} IS NOT NULL AND {x}.{xs} < {y}.{ye} AND {y}.{ys} < {x}.{xe}"


def crosses(x: str, y: str, s: str, e: str, ys: str | None = None, ye: str | None = None) -> str:
    """SQL: x's span [s, e) starts inside y's span and ends after it (a crossing pair; nesting and equality are not)."""
    ys, ye = ys or s, ye or e
    return f"{y}.{ys} < {x}.{s} AND {x}.{s} < {y}.{ye} AND {y}.{ye} < {x}.{e}"


def check_statement_spans(con, staged: dict[str, Table], report: Report) -> None:
    """Source, cue and content of one statement are apart; spans of one layer never cross; a missing source is explained."""
    if not staged_with(staged, "statements", "statement_id", "article_id", "char_start", "char_end", "source_start", "source_end",
                       "cue_start", "cue_end", "notes"):
        return
    st = staged["statements"]
    s = typed_name(st)
    report.ran("statement-spans")
    collect(con, f"SELECT _row, cue_text FROM {s} x WHERE cue_start IS NOT NULL AND cue_start >= char_start AND cue_end <= char_end",
            report, "statement-spans", st, "cue_start",
            "the cue lies inside the content: the reporting verb is the cue, the reported words after it are the content (PARC 3.0)")
    inside = "cue_start >= char_start AND cue_end <= char_end"
    for (a, a_s, a_e), (b, b_s, b_e), extra in ((("cue", "cue_start", "cue_end"), ("content", "char_start", "char_end"), f" AND NOT ({inside})"),
                                                (("source", "source_start", "source_end"), ("content", "char_start", "char_end"), ""),
                                                (("source", "source_start", "source_end"), ("cue", "cue_start", "cue_end"), "")):
        collect(con, f"SELECT _row, {a_s} || '..' || {a_e} || ' / ' || {b_s} || '..' || {b_e} FROM {s} x WHERE {overlaps('x', a_s, a_e, 'x', b_s, b_e)}{extra}",
                report, "statement-spans", st, a_s, f"the {a} and the {b} of one statement overlap: they are separate spans")
    collect(con, f"SELECT _row, cue_text FROM {s} WHERE cue_start IS NOT NULL AND source_start IS NULL AND coalesce(trim(notes), '') = ''",
            report, "statement-spans", st, "notes",
            "the statement has a cue but no source: say in notes why the text has no mention of the source (e.g. an agentless passive)")
    report.ran("statement-crossing")
    for _, a_s, a_e, name in ST_LAYERS:
        collect(con, f"SELECT x._row, x.statement_id || ' crosses ' || y.statement_id FROM {s} x JOIN {s} y ON y.article_id = x.article_id "
                     f"AND y.statement_id <> x.statement_id WHERE x.{a_s} IS NOT NULL AND y.{a_s} IS NOT NULL AND {crosses('x', 'y', a_s, a_e)}",
                report, "statement-crossing", st, a_s,
                f"this statement's {name} span crosses another statement's {name} span: spans of one layer nest or are disjoint")


def check_statement_sources(con, staged: dict[str, Table], report: Report) -> None:
    """A source span is a mention of the speaker (a group of the speaker, or the relay the notes name), once the article has mentions.

    A source in apposition ("Jun Saito, a deputy press secretary ...") is two mentions of the speaker: it passes when
    it begins where one of the speaker's mentions begins and ends where one ends."""
    if not (staged_with(staged, "statements", "article_id", "speaker_id", "relayed_by_id", "source_start", "source_end", "notes")
            and staged_with(staged, "actor_mentions", "actor_id", "article_id", "char_start", "char_end")):
        return
    st = staged["statements"]
    s, m = typed_name(st), typed_name(staged["actor_mentions"])
    groups = (f" OR {{0}}.actor_id IN (SELECT group_actor_id FROM {typed_name(staged['actor_members'])} g WHERE g.member_actor_id = x.speaker_id)"
              if staged_with(staged, "actor_members", "group_actor_id", "member_actor_id") else "")
    whose = "({0}.actor_id = x.speaker_id OR ({0}.actor_id = x.relayed_by_id AND lower(coalesce(x.notes, '')) LIKE '%relay%')" + groups + ")"
    report.ran("statement-source")
    collect(con, f"SELECT x._row, x.source_text FROM {s} x WHERE x.source_start IS NOT NULL "
                 f"AND EXISTS (SELECT 1 FROM {m} a WHERE a.article_id = x.article_id) AND NOT (EXISTS (SELECT 1 FROM {m} b "
                 f"WHERE b.article_id = x.article_id AND b.char_start = x.source_start AND {whose.format('b')}) "
                 f"AND EXISTS (SELECT 1 FROM {m} e WHERE e.article_id = x.article_id AND e.char_end = x.source_end AND {whose.format('e')}))",
            report, "statement-source", st, "source_start",
            "the source span is not an actor_mentions span of the speaker (nor of a group the speaker belongs to, nor of the relay "
            "named in notes), nor a name in apposition that begins and ends with the speaker's mentions: record the mention, or fix the span")


def check_embedding(con, staged: dict[str, Table], report: Report) -> None:
    """The statement a nested attribution is embedded in is another statement of its article whose content holds its cue."""
    if not staged_with(staged, "statements", "statement_id", "article_id", "char_start", "char_end", "cue_start", "cue_end",
                       "embedded_in_statement_id"):
        return
    st = staged["statements"]
    s = typed_name(st)
    report.ran("statement-nesting")
    collect(con, f"SELECT x._row, x.embedded_in_statement_id FROM {s} x JOIN {s} p ON p.statement_id = x.embedded_in_statement_id "
                 "WHERE p.statement_id = x.statement_id OR p.article_id <> x.article_id OR x.cue_start IS NULL "
                 "OR NOT (x.cue_start >= p.char_start AND x.cue_end <= p.char_end)",
            report, "statement-nesting", st, "embedded_in_statement_id",
            "a nested attribution sits inside another statement's content: that statement (same article) must hold this statement's cue")


def check_triggers(con, staged: dict[str, Table], report: Report) -> None:
    """A trigger lies in its extent and has a genericity; triggers of different events never overlap; extents never cross."""
    if not staged_with(staged, "event_mentions", "event_id", "article_id", "char_start", "char_end", "trigger_start", "trigger_end", "genericity"):
        return
    em = staged["event_mentions"]
    m = typed_name(em)
    report.ran("trigger")
    collect(con, f"SELECT _row, trigger_start || '..' || trigger_end || ' outside ' || char_start || '..' || char_end FROM {m} "
                 "WHERE trigger_start IS NOT NULL AND NOT (trigger_start >= char_start AND trigger_end <= char_end)",
            report, "trigger", em, "trigger_start", "the trigger must lie inside the mention's extent [char_start, char_end)")
    collect(con, f"SELECT _row, trigger_text FROM {m} WHERE trigger_start IS NOT NULL AND genericity IS NULL",
            report, "trigger", em, "genericity", "a mention with a trigger says whether it is specific or generic (genericity)")
    shared = ("x.trigger_start = y.trigger_start AND x.trigger_end = y.trigger_end "
              "AND strpos(coalesce(x.notes, ''), y.event_id) > 0 AND strpos(coalesce(y.notes, ''), x.event_id) > 0")
    collect(con, f"SELECT x._row, x.trigger_text || ' overlaps the trigger of ' || y.event_id FROM {m} x JOIN {m} y "
                 f"ON y.article_id = x.article_id AND y.event_id <> x.event_id WHERE {overlaps('x', 'trigger_start', 'trigger_end', 'y', 'trigger_start', 'trigger_end')} "
                 f"AND NOT ({shared})",
            report, "trigger", em, "trigger_start",
            "triggers of different events never overlap; one word is the trigger of two events only as the very same span, "
            "with each row's notes naming the other event (CURATION §2, where two events share a trigger)")
    report.ran("extent-crossing")
    collect(con, f"SELECT x._row, x.event_id || ' crosses ' || y.event_id FROM {m} x JOIN {m} y ON y.article_id = x.article_id "
                 f"AND y.event_id <> x.event_id WHERE {crosses('x', 'y', 'char_start', 'char_end')} AND x.trigger_start IS NOT NULL AND y.trigger_start IS NOT NULL",
            report, "extent-crossing", em, "char_start",
            "this mention's extent crosses another event's extent: trim the extent so that it does not swallow the other event's words")


def load_sentences(con) -> None:
    """Put every article's sentences (jpkr_data/text/sentences.py) in a temporary table for the checks."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE {SENTENCES} (article_id VARCHAR, sentence INTEGER, s INTEGER, e INTEGER)")
    rows = [(aid, i, a, b) for aid, text in con.execute("SELECT article_id, text FROM _sources").fetchall()
            for i, (a, b) in enumerate(sentences(text))]
    if rows:
        con.executemany(f"INSERT INTO {SENTENCES} VALUES (?, ?, ?, ?)", rows)


def check_arguments(con, staged: dict[str, Table], report: Report) -> None:
    """An argument is of an existing mention, fills a role of its event, is a mention of its actor, in the trigger's sentence."""
    fields = ("event_id", "article_id", "mention_start", "role", "actor_id", "char_start", "char_end")
    if not staged_with(staged, "event_mention_arguments", *fields):
        return
    ar = staged["event_mention_arguments"]
    x = typed_name(ar)
    if staged_with(staged, "event_mentions", "event_id", "article_id", "char_start", "trigger_start", "trigger_end"):
        report.ran("argument-mention")
        m = typed_name(staged["event_mentions"])
        collect(con, f"SELECT x._row, x.event_id || ' ' || x.article_id || ' ' || x.mention_start FROM {x} x WHERE NOT EXISTS "
                     f"(SELECT 1 FROM {m} m WHERE m.event_id = x.event_id AND m.article_id = x.article_id AND m.char_start = x.mention_start)",
                report, "argument-mention", ar, "mention_start", "no event_mentions row has this event_id, article_id and char_start")
        load_sentences(con)
        report.ran("argument-sentence")
        sentence = (f"(SELECT sentence FROM {SENTENCES} q WHERE q.article_id = {{0}}.article_id AND q.s <= {{0}}.{{1}} AND {{0}}.{{2}} <= q.e)")
        collect(con, f"SELECT x._row, x.text FROM {x} x JOIN {m} m ON m.event_id = x.event_id AND m.article_id = x.article_id "
                     f"AND m.char_start = x.mention_start WHERE m.trigger_start IS NOT NULL "
                     f"AND {sentence.format('x', 'char_start', 'char_end')} IS DISTINCT FROM {sentence.format('m', 'trigger_start', 'trigger_end')}",
                report, "argument-sentence", ar, "char_start",
                "the argument is not in the sentence of the mention's trigger (jpkr_data/text/sentences.py): link mentions of the same sentence")
    if staged_with(staged, "event_actors", "event_id", "actor_id", "role"):
        report.ran("argument-role")
        collect(con, f"SELECT x._row, x.event_id || ' ' || x.actor_id || ' ' || x.role FROM {x} x WHERE NOT EXISTS "
                     f"(SELECT 1 FROM {typed_name(staged['event_actors'])} a WHERE a.event_id = x.event_id AND a.actor_id = x.actor_id AND a.role = x.role)",
                report, "argument-role", ar, "role", "the actor does not have this role in this event: (event_id, actor_id, role) must be an event_actors row")
    if staged_with(staged, "actor_mentions", "actor_id", "article_id", "char_start", "char_end"):
        report.ran("argument-span")
        collect(con, f"SELECT x._row, x.text FROM {x} x WHERE NOT EXISTS (SELECT 1 FROM {typed_name(staged['actor_mentions'])} a "
                     "WHERE a.actor_id = x.actor_id AND a.article_id = x.article_id AND a.char_start = x.char_start AND a.char_end = x.char_end)",
                report, "argument-span", ar, "char_start", "the argument span must be an actor_mentions span of the same actor in the same article")


def check_actor_mentions(con, staged: dict[str, Table], report: Report) -> None:
    """Mention ids follow the text; no duplicate extent; mentions nest, never cross; aliases are mentions."""
    if not staged_with(staged, "actor_mentions", "mention_id", "actor_id", "article_id", "char_start", "char_end"):
        return
    am = staged["actor_mentions"]
    m = typed_name(am)
    report.ran("mention-order")
    collect(con, f"SELECT _row, mention_id || ' in ' || article_id FROM {m} WHERE substring(mention_id, 4, 3) <> substring(article_id, 4, 3)",
            report, "mention-order", am, "mention_id", "a mention id carries its article's number: am_<article number>_<sequence>")
    collect(con, f"SELECT x._row, x.mention_id || ' after ' || y.mention_id FROM {m} x JOIN {m} y ON y.article_id = x.article_id "
                 "AND y.mention_id < x.mention_id AND y.char_start > x.char_start",
            report, "mention-order", am, "mention_id", "mention ids run in text order: this mention starts before a mention with a lower id")
    report.ran("mention-extent")
    collect(con, f"SELECT x._row, x.text || ' = ' || y.mention_id FROM {m} x JOIN {m} y ON y.article_id = x.article_id "
                 "AND y.actor_id = x.actor_id AND y.char_start = x.char_start AND y.char_end = x.char_end AND y.mention_id < x.mention_id",
            report, "mention-extent", am, "char_start", "two mentions of one actor have the same extent: record each mention once (a plural mention of several actors is one row per actor)")
    collect(con, f"SELECT x._row, x.mention_id || ' crosses ' || y.mention_id FROM {m} x JOIN {m} y ON y.article_id = x.article_id "
                 f"WHERE {crosses('x', 'y', 'char_start', 'char_end')}",
            report, "mention-extent", am, "char_start", "this mention crosses another: mentions nest ('Japan' in 'Japan's foreign minister') or are apart")
    if staged_with(staged, "actor_aliases", "actor_id", "article_id", "char_start", "char_end"):
        report.ran("alias-mention")
        al = staged["actor_aliases"]
        collect(con, f"SELECT x._row, x.evidence_text FROM {typed_name(al)} x WHERE EXISTS (SELECT 1 FROM {m} a WHERE a.article_id = x.article_id) "
                     f"AND NOT EXISTS (SELECT 1 FROM {m} a WHERE a.article_id = x.article_id AND a.actor_id = x.actor_id "
                     "AND a.char_start = x.char_start AND a.char_end = x.char_end)",
                report, "alias-mention", al, "char_start", "the alias's evidence span must be an actor_mentions span of the same actor")
        check_alias_coverage(con, m, typed_name(al), am, al, report)


FORM = "x.mention_type NOT IN ('pronoun', 'demonym') AND coalesce(x.reasoning, '') NOT LIKE '%one row per member%'"


def check_alias_coverage(con, m: str, a: str, am: Table, al: Table, report: Report) -> None:
    """Aliases are the first occurrence of each mention form of an actor in an article, with the mention's basis and type."""
    if not {"mention_type", "reasoning", "text", "basis"} <= set(am.field_names) or not {"alias", "alias_type", "basis"} <= set(al.field_names):
        return
    report.ran("alias-coverage")
    first = (f"NOT EXISTS (SELECT 1 FROM {m} y WHERE y.article_id = x.article_id AND y.actor_id = x.actor_id AND y.text = x.text "
             "AND y.char_start < x.char_start)")
    collect(con, f"SELECT x._row, x.actor_id || ': ' || x.text FROM {m} x WHERE {FORM} AND {first} AND NOT EXISTS (SELECT 1 FROM {a} a "
                 "WHERE a.actor_id = x.actor_id AND a.article_id = x.article_id AND a.alias = x.text)",
            report, "alias-coverage", am, "text", "this form of the actor has no actor_aliases row in this article: "
            "an alias is the first occurrence of each mention form (CURATION §3)")
    collect(con, f"SELECT a._row, a.alias FROM {a} a JOIN {m} x ON x.actor_id = a.actor_id AND x.article_id = a.article_id "
                 f"AND x.text = a.alias AND x.char_start < a.char_start WHERE {FORM}",
            report, "alias-coverage", al, "char_start", "an earlier mention has this form: the alias is its first occurrence in the article")
    collect(con, f"SELECT a._row, a.alias || ' (' || a.basis || ', ' || a.alias_type || ' / ' || x.basis || ', ' || x.mention_type || ')' "
                 f"FROM {a} a JOIN {m} x ON x.actor_id = a.actor_id AND x.article_id = a.article_id AND x.char_start = a.char_start "
                 "AND x.char_end = a.char_end WHERE x.mention_type <> 'demonym' AND (a.basis <> x.basis OR a.alias_type <> "
                 "CASE WHEN x.mention_type = 'title' THEN 'description' ELSE x.mention_type END)",
            report, "alias-coverage", al, "basis", "the alias and its mention disagree on basis or type (a title mention is a description alias)")


def check_about_mentions(con, staged: dict[str, Table], report: Report) -> None:
    """A statement_events span that refers to the event is a mention of it; one that only names what the statement is about says so."""
    if not (staged_with(staged, "statement_events", "event_id", "article_id", "char_start", "char_end", "notes")
            and staged_with(staged, "event_mentions", "event_id", "article_id", "char_start", "char_end")):
        return
    report.ran("about-mention")
    se, em = typed_name(staged["statement_events"]), typed_name(staged["event_mentions"])
    nest = (f"EXISTS (SELECT 1 FROM {em} m WHERE m.event_id = x.event_id AND m.article_id = x.article_id AND "
            "((m.char_start <= x.char_start AND x.char_end <= m.char_end) OR (x.char_start <= m.char_start AND m.char_end <= x.char_end)))")
    marked = "lower(coalesce(x.notes, '')) LIKE '%not an event mention%'"
    collect(con, f"SELECT x._row, x.evidence_text FROM {se} x WHERE x.char_start IS NOT NULL AND NOT {marked} AND NOT {nest}",
            report, "about-mention", staged["statement_events"], "char_start",
            "no mention of the event nests with this evidence span: record the mention, or say in notes 'Not an event mention' "
            "when the words only name what the statement is about (CURATION §2)")
    collect(con, f"SELECT x._row, x.evidence_text FROM {se} x WHERE {marked} AND {nest}",
            report, "about-mention", staged["statement_events"], "notes",
            "the notes say the span is not an event mention, but a mention of the event nests with it")


def check_cue_pronouns(con, staged: dict[str, Table], report: Report) -> None:
    """An "it" inside a statement's cue ("made it clear") is expletive, not a mention (mentions audit 0.5b, F2)."""
    if not (staged_with(staged, "statements", "article_id", "cue_start", "cue_end")
            and staged_with(staged, "actor_mentions", "article_id", "char_start", "char_end", "text", "mention_type")):
        return
    report.ran("cue-pronoun")
    st, am = typed_name(staged["statements"]), typed_name(staged["actor_mentions"])
    collect(con, f"SELECT DISTINCT x._row, x.mention_id || ' ' || x.text FROM {am} x JOIN {st} s ON s.article_id = x.article_id "
                 "AND s.cue_start <= x.char_start AND x.char_end <= s.cue_end WHERE x.mention_type = 'pronoun' AND lower(x.text) = 'it'",
            report, "cue-pronoun", staged["actor_mentions"], "char_start",
            "an 'it' inside a statement's cue ('made it clear') is expletive: the referring pronoun is the one after it")


def check_argument_coverage(con, staged: dict[str, Table], report: Report) -> None:
    """An event_actors role evidenced by a mention of its actor in a trigger's sentence has its argument on that mention."""
    if not (staged_with(staged, "event_actors", "event_id", "actor_id", "role", "article_id", "char_start", "char_end")
            and staged_with(staged, "event_mention_arguments", "event_id", "article_id", "mention_start", "role", "actor_id")
            and staged_with(staged, "event_mentions", "event_id", "article_id", "char_start", "trigger_start", "trigger_end")
            and staged_with(staged, "actor_mentions", "actor_id", "article_id", "char_start", "char_end", "text")):
        return
    load_sentences(con)
    report.ran("argument-coverage")
    ea, am = typed_name(staged["event_actors"]), typed_name(staged["actor_mentions"])
    em, ar = typed_name(staged["event_mentions"]), typed_name(staged["event_mention_arguments"])
    # one value per row, the same whatever the read order (a role may hold several nested mentions of its actor)
    collect(con, f"SELECT r._row, min(r.event_id || ' ' || r.role || ' ' || r.actor_id || ': ' || a.text || ' (mention ' || m.char_start || ')') "
                 f"FROM {ea} r JOIN {am} a ON a.actor_id = r.actor_id AND a.article_id = r.article_id "
                 "AND r.char_start <= a.char_start AND a.char_end <= r.char_end "
                 f"JOIN {SENTENCES} q ON q.article_id = a.article_id AND q.s <= a.char_start AND a.char_end <= q.e "
                 f"JOIN {em} m ON m.event_id = r.event_id AND m.article_id = r.article_id AND q.s <= m.trigger_start AND m.trigger_end <= q.e "
                 f"WHERE NOT EXISTS (SELECT 1 FROM {ar} x WHERE x.event_id = r.event_id AND x.article_id = r.article_id "
                 "AND x.mention_start = m.char_start AND x.role = r.role AND x.actor_id = r.actor_id) GROUP BY r._row",
            report, "argument-coverage", staged["event_actors"], "role",
            "the role's evidence holds a mention of its actor in the sentence of a mention's trigger, and that mention has no argument "
            "row for it: add the event_mention_arguments row")


CHECKS = (check_statement_spans, check_statement_sources, check_embedding, check_triggers, check_arguments, check_actor_mentions,
          check_about_mentions, check_argument_coverage, check_cue_pronouns)


def run_nlp_checks(con, staged: dict[str, Table], report: Report) -> None:
    """Run every NLP-layer check whose tables were staged."""
    for check in CHECKS:
        check(con, staged, report)
