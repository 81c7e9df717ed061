"""Statement and actor rules a machine can see (CURATION.md §3, §4; audit of 2026-12-03): reasons, links, attributions, groups.

- Every value the curator inferred says how: inferred aliases, roles, addressees, group members,
  speakers and occasions carry their reasoning; an actor's inferred or external country, or its
  inferred parent, has `actors.reasoning`; `parent_basis` is set exactly when there is a parent.
- A statement's addressees and the events it is about are cited from the statement's own article,
  in the paragraph of the statement (its text or its attribution).
- An indirect statement's attribution is in the sentence of its text: a sentence in the article's
  own voice does not borrow the attribution of the next one (statements F1).
- A joint group has no country, no parent and no CAMEO code of its own, and at least two members;
  a member is not itself a joint group (actors F2).
- Every unnamed actor and every credited person has a role (the consistency rule of §3).
- An `unnamed_source` gives the article news (speaks, relays or asserts a claim); an unnamed official who gives none is an
  `unnamed_official` (second actors audit F1). A report to reporters of an act made elsewhere ("Kang said she urged Kono") has no
  addressee: the act's target is in its event (second statements audit F1). A credit cites the words that give it: where it overlaps its person's role
  evidence it covers it, never a bare name inside the byline (second actors audit F4). A statement's inferred occasion
  is mentioned on its words with a "Referent inferred" note, and a stated occasion is not one whose only mention there is
  inferred (second statements audit F4; final statements audit F1, F2, O6).
- What rests on an inferred country is inferred too: a description alias of an actor whose country is inferred, a joint
  group's alias that opens with a possessive ("their director-generals") and a CAMEO code note of such an actor say so (0.5 actors audit
  F1, F2, F5). A speaker known only from a source mention the curator resolves ("He", "the official") is inferred
  (0.5 statements audit F3).
"""
from __future__ import annotations

from ..schema import Table
from .report import Report
from .schema_checks import collect, staged_with, typed_name

# (table, basis column, inferred values, reasoning column) for the values an inferred basis must explain.
REASONED = (
    ("actor_aliases", "basis", ("inferred",), "reasoning"),
    ("actor_roles", "basis", ("inferred",), "notes"),
    ("actor_members", "basis", ("inferred",), "reasoning"),
    ("statement_addressees", "basis", ("inferred",), "notes"),
    ("statements", "speaker_basis", ("inferred",), "notes"),
    ("statements", "occasion_basis", ("inferred",), "notes"),
    ("actors", "country_basis", ("inferred", "external"), "reasoning"),
    ("actors", "parent_basis", ("inferred",), "reasoning"),
    ("actor_mentions", "basis", ("inferred",), "reasoning"),
    ("event_mention_arguments", "basis", ("inferred",), "notes"),
)
# A sentence ends: a full stop, question or exclamation mark (a closing quote may follow), a space, a capital or an opening quote.
SENTENCE_END = r"[.?!][\"”’]?\s+[\"“A-Z]"
UNNAMED = ("unnamed_source", "unnamed_journalist", "unnamed_official")



def check_reasons(con, staged: dict[str, Table], report: Report) -> None:
    """Every inferred (or external) alias, role, member, addressee, speaker, occasion, country and parent says how."""
    for name, basis, values, reasoning in REASONED:
        if not staged_with(staged, name, basis, reasoning):
            continue
        report.ran("inferred-reason")
        listed = ", ".join(f"'{v}'" for v in values)
        collect(con, f"SELECT _row, {basis} FROM {typed_name(staged[name])} WHERE {basis} IN ({listed}) AND coalesce(trim({reasoning}), '') = ''",
                report, "inferred-reason", staged[name], reasoning,
                f"{basis} says the value was not read off the text: say how it was worked out in {reasoning}")
    if staged_with(staged, "actors", "parent_actor_id", "parent_basis"):
        report.ran("inferred-reason")
        collect(con, f"SELECT _row, coalesce(parent_actor_id, parent_basis) FROM {typed_name(staged['actors'])} "
                     "WHERE (parent_actor_id IS NULL) <> (parent_basis IS NULL)",
                report, "inferred-reason", staged["actors"], "parent_basis", "parent_basis is set exactly when parent_actor_id is set")


def check_statement_links(con, staged: dict[str, Table], report: Report) -> None:
    """Addressees and about-links cite the statement's own article, in its paragraph."""
    fields = ("statement_id", "article_id", "char_start", "char_end")
    if not staged_with(staged, "statements", *fields, "attribution_start", "attribution_end"):
        return
    s = typed_name(staged["statements"])
    for name in ("statement_addressees", "statement_events"):
        if not staged_with(staged, name, *fields):
            continue
        report.ran("statement-link")
        x = typed_name(staged[name])
        collect(con, f"SELECT x._row, x.article_id || ' <> ' || s.article_id FROM {x} x JOIN {s} s USING (statement_id) WHERE x.article_id <> s.article_id",
                report, "statement-link", staged[name], "article_id", "the evidence must come from the statement's own article")
        # the words between the evidence and the statement (text or attribution, whichever is nearer) hold no line break
        lo, hi = "least(s.char_start, s.attribution_start)", "greatest(s.char_end, s.attribution_end)"
        gap = (f"CASE WHEN x.char_end <= {lo} THEN substring(src.text, x.char_end + 1, {lo} - x.char_end) "
               f"WHEN x.char_start >= {hi} THEN substring(src.text, {hi} + 1, x.char_start - {hi}) ELSE '' END")
        collect(con, f"SELECT x._row, x.evidence_text FROM {x} x JOIN {s} s USING (statement_id) JOIN _sources src ON src.article_id = s.article_id "
                     f"WHERE x.article_id = s.article_id AND strpos({gap}, chr(10)) > 0",
                report, "statement-link", staged[name], "char_start",
                "the evidence lies outside the statement's paragraph: cite the words of the statement, its attribution or its sentence")


def check_attributions(con, staged: dict[str, Table], report: Report) -> None:
    """An indirect statement's attribution is in the sentence of its text (no borrowed attribution)."""
    if not staged_with(staged, "statements", "mode", "article_id", "char_start", "char_end", "attribution_start", "attribution_end"):
        return
    report.ran("attribution-sentence")
    s = typed_name(staged["statements"])
    # the words between the two spans, with the last character of the first and the first of the second (a full stop
    # that closes the text, a capital that opens the attribution)
    gap = ("CASE WHEN s.char_end <= s.attribution_start THEN substring(src.text, s.char_end, s.attribution_start - s.char_end + 2) "
           "WHEN s.attribution_end <= s.char_start THEN substring(src.text, s.attribution_end, s.char_start - s.attribution_end + 2) ELSE '' END")
    collect(con, f"SELECT s._row, s.attribution_text FROM {s} s JOIN _sources src ON src.article_id = s.article_id "
                 f"WHERE s.mode = 'indirect' AND (regexp_matches({gap}, '{SENTENCE_END}') OR strpos({gap}, chr(10)) > 0)",
            report, "attribution-sentence", staged["statements"], "attribution_start",
            "an indirect statement's attribution must be in the sentence of its text; a sentence in the article's own voice "
            "does not borrow the next sentence's attribution (record who the sentence names, or no statement)")


def check_groups_and_roles(con, staged: dict[str, Table], report: Report) -> None:
    """Joint groups carry no country, parent or code and have two members; unnamed and credited people have roles."""
    if not staged_with(staged, "actors", "actor_id", "actor_type", "country_iso3", "parent_actor_id"):
        return
    a = typed_name(staged["actors"])
    if staged_with(staged, "actor_members", "group_actor_id", "member_actor_id"):
        report.ran("joint-group")
        m = typed_name(staged["actor_members"])
        collect(con, f"SELECT _row, actor_id FROM {a} WHERE actor_type = 'joint_group' AND (country_iso3 IS NOT NULL OR parent_actor_id IS NOT NULL)",
                report, "joint-group", staged["actors"], "country_iso3",
                "a joint group spans countries: it has no country and no parent (give them to its members)")
        collect(con, f"SELECT _row, actor_id FROM {a} g WHERE actor_type = 'joint_group' AND "
                     f"(SELECT count(*) FROM {m} x WHERE x.group_actor_id = g.actor_id) < 2",
                report, "joint-group", staged["actors"], "actor_type", "a joint group needs at least two members (actor_members)")
        collect(con, f"SELECT x._row, x.group_actor_id FROM {m} x LEFT JOIN {a} g ON g.actor_id = x.group_actor_id "
                     f"LEFT JOIN {a} y ON y.actor_id = x.member_actor_id "
                     "WHERE coalesce(g.actor_type, '') <> 'joint_group' OR coalesce(y.actor_type, '') = 'joint_group'",
                report, "joint-group", staged["actor_members"], "group_actor_id",
                "actor_members lists the members of a joint group; a member is a single actor, not another joint group")
        if staged_with(staged, "actor_codes", "actor_id"):
            collect(con, f"SELECT c._row, c.actor_id FROM {typed_name(staged['actor_codes'])} c JOIN {a} g USING (actor_id) "
                         "WHERE g.actor_type = 'joint_group'",
                    report, "joint-group", staged["actor_codes"], "actor_id", "a joint group has no CAMEO code of its own: code its members")
    if staged_with(staged, "actor_roles", "actor_id"):
        report.ran("role-coverage")
        r = typed_name(staged["actor_roles"])
        credited = (f"OR (y.actor_type = 'person' AND y.actor_id IN (SELECT actor_id FROM {typed_name(staged['article_credits'])}))"
                    if staged_with(staged, "article_credits", "actor_id") else "")
        listed = ", ".join(f"'{u}'" for u in UNNAMED)
        collect(con, f"SELECT y._row, y.actor_id FROM {a} y WHERE (y.actor_type IN ({listed}) {credited}) "
                     f"AND NOT EXISTS (SELECT 1 FROM {r} x WHERE x.actor_id = y.actor_id)",
                report, "role-coverage", staged["actors"], "actor_id",
                "an unnamed actor or a credited person needs its role (actor_roles), as its parallels have")


def check_sources(con, staged: dict[str, Table], report: Report) -> None:
    """An unnamed source gives news; an unnamed official gives none."""
    if not staged_with(staged, "actors", "actor_id", "actor_type") or not staged_with(staged, "statements", "speaker_id", "relayed_by_id"):
        return
    report.ran("source-gives-news")
    a, s = typed_name(staged["actors"]), typed_name(staged["statements"])
    gives = f"y.actor_id IN (SELECT speaker_id FROM {s}) OR y.actor_id IN (SELECT relayed_by_id FROM {s} WHERE relayed_by_id IS NOT NULL)"
    if staged_with(staged, "claims", "asserted_by_id"):
        gives += f" OR y.actor_id IN (SELECT asserted_by_id FROM {typed_name(staged['claims'])} WHERE asserted_by_id IS NOT NULL)"
    collect(con, f"SELECT y._row, y.actor_id FROM {a} y WHERE y.actor_type = 'unnamed_source' AND NOT ({gives})",
            report, "source-gives-news", staged["actors"], "actor_type",
            "an unnamed source gives the article news (a statement, a relay or a claim); an unnamed official who only takes part is 'unnamed_official'")
    collect(con, f"SELECT y._row, y.actor_id FROM {a} y WHERE y.actor_type = 'unnamed_official' AND ({gives})",
            report, "source-gives-news", staged["actors"], "actor_type",
            "this unnamed official speaks, relays or asserts: it is a source of the news ('unnamed_source')")


def check_briefing_addressees(con, staged: dict[str, Table], report: Report) -> None:
    """A report at a press event of an act made elsewhere ("Kang said she urged Kono") has no addressee."""
    if not (staged_with(staged, "statement_addressees", "statement_id") and staged_with(staged, "statements", "statement_id", "occasion_event_id")
            and staged_with(staged, "events", "event_id", "event_type", "parent_event_id") and staged_with(staged, "statement_events", "statement_id", "event_id")):
        return
    report.ran("briefing-addressee")
    x, s, e = typed_name(staged["statement_addressees"]), typed_name(staged["statements"]), typed_name(staged["events"])
    se = typed_name(staged["statement_events"])
    collect(con, f"SELECT x._row, x.addressee_id FROM {x} x JOIN {s} s USING (statement_id) JOIN {e} o ON o.event_id = s.occasion_event_id "
                 f"WHERE o.event_type = 'press_event' AND EXISTS (SELECT 1 FROM {se} l JOIN {e} act ON act.event_id = l.event_id "
                 "WHERE l.statement_id = s.statement_id AND act.event_type = 'diplomatic_action' AND act.parent_event_id IS NOT NULL "
                 "AND act.parent_event_id <> o.event_id)",
            report, "briefing-addressee", staged["statement_addressees"], "addressee_id",
            "the statement is said to reporters at a press event and reports an act made elsewhere: whom the speaker told then is "
            "the target of that act (its event), not the addressee of these words (CURATION §4)")


def check_credit_evidence(con, staged: dict[str, Table], report: Report) -> None:
    """A credit that overlaps its person's role evidence covers it (no bare name cut out of the byline)."""
    fields = ("actor_id", "article_id", "char_start", "char_end")
    if not (staged_with(staged, "article_credits", *fields) and staged_with(staged, "actor_roles", *fields)):
        return
    report.ran("credit-evidence")
    c, r = typed_name(staged["article_credits"]), typed_name(staged["actor_roles"])
    collect(con, f"SELECT c._row, c.evidence_text FROM {c} c JOIN {r} r USING (actor_id, article_id) "
                 "WHERE c.char_start < r.char_end AND r.char_start < c.char_end AND (c.char_start > r.char_start OR c.char_end < r.char_end)",
            report, "credit-evidence", staged["article_credits"], "char_start",
            "the credit cites part of the words its role row cites: cite the words that give the credit ('Editing by ...'), as the role does")


def check_inferred_country(con, staged: dict[str, Table], report: Report) -> None:
    """A description alias of an actor with an inferred country (or of a group, by a possessive) is inferred; so says the code note."""
    if not staged_with(staged, "actors", "actor_id", "country_basis"):
        return
    a = typed_name(staged["actors"])
    if staged_with(staged, "actor_aliases", "actor_id", "alias", "alias_type", "basis"):
        report.ran("inferred-country")
        collect(con, f"SELECT x._row, x.alias FROM {typed_name(staged['actor_aliases'])} x JOIN {a} y USING (actor_id) "
                     "WHERE x.basis = 'stated' AND x.alias_type = 'description' AND (y.country_basis = 'inferred' "
                     "OR (y.actor_type = 'joint_group' AND regexp_matches(lower(x.alias), '^(their|its|our) ')))",
                report, "inferred-country", staged["actor_aliases"], "basis",
                "the words give neither the actor's country (inferred in actors) nor, with a possessive, whose group it is: the alias is inferred")
    if staged_with(staged, "actor_codes", "actor_id", "notes"):
        report.ran("inferred-country")
        collect(con, f"SELECT c._row, c.actor_id FROM {typed_name(staged['actor_codes'])} c JOIN {a} y USING (actor_id) "
                     "WHERE y.country_basis = 'inferred' AND c.country_code IS NOT NULL AND NOT contains(lower(coalesce(c.notes, '')), 'inferred')",
                report, "inferred-country", staged["actor_codes"], "notes",
                "the code's country rests on the actor's inferred country: say so in the notes ('country as in actors (inferred)')")


def check_speaker_basis(con, staged: dict[str, Table], report: Report) -> None:
    """A speaker known only from a source the curator resolves (a pronoun, "the official") is inferred."""
    if not (staged_with(staged, "statements", "speaker_id", "speaker_basis", "article_id", "source_start", "source_end")
            and staged_with(staged, "actor_mentions", "actor_id", "article_id", "char_start", "char_end", "basis")):
        return
    report.ran("speaker-basis")
    s, m = typed_name(staged["statements"]), typed_name(staged["actor_mentions"])
    collect(con, f"SELECT s._row, s.source_text FROM {s} s WHERE s.speaker_basis = 'stated' AND EXISTS (SELECT 1 FROM {m} x "
                 "WHERE x.article_id = s.article_id AND x.char_start = s.source_start AND x.char_end = s.source_end "
                 "AND x.actor_id = s.speaker_id AND x.basis = 'inferred') AND NOT EXISTS (SELECT 1 FROM "
                 f"{m} y WHERE y.article_id = s.article_id AND y.char_start = s.source_start AND y.char_end = s.source_end "
                 "AND y.actor_id = s.speaker_id AND y.basis = 'stated')",
            report, "speaker-basis", staged["statements"], "speaker_basis",
            "the source is a mention the curator resolves (a pronoun, 'the official'): the speaker is inferred, and the notes name the referent")


def check_mention_referents(con, staged: dict[str, Table], report: Report) -> None:
    """An occasion's basis and the referent note of its mention agree (second and final statements audits).

    An inferred occasion is mentioned on its statement's words, and that mention's notes begin "Referent inferred";
    a stated occasion is not mentioned there only by a mention that says its referent is inferred.
    """
    if not (staged_with(staged, "event_mentions", "event_id", "article_id", "char_start", "char_end", "notes")
            and staged_with(staged, "statements", "statement_id", "occasion_event_id", "occasion_basis", "attribution_start", "attribution_end",
                     "part_of_statement_id")):
        return
    report.ran("mention-referent")
    m, s = typed_name(staged["event_mentions"]), typed_name(staged["statements"])

    def on(x: str, y: str) -> str:
        """The mention x is of y's occasion, in y's article, on y's words (its text or attribution)."""
        return (f"{x}.article_id = {y}.article_id AND {x}.event_id = {y}.occasion_event_id "
                f"AND {x}.char_start < greatest({y}.char_end, coalesce({y}.attribution_end, {y}.char_end)) "
                f"AND least({y}.char_start, coalesce({y}.attribution_start, {y}.char_start)) < {x}.char_end")
    referent = "coalesce(trim({0}.notes), '') LIKE 'Referent inferred%'"
    collect(con, f"SELECT m._row, m.evidence_text FROM {m} m JOIN {s} s ON {on('m', 's')} AND s.occasion_basis = 'inferred' "
                 f"WHERE NOT {referent.format('m')}",
            report, "mention-referent", staged["event_mentions"], "notes",
            "the mention's words are a statement whose occasion is inferred: begin notes with 'Referent inferred:' and say how")
    collect(con, f"SELECT s._row, s.occasion_event_id FROM {s} s WHERE s.occasion_basis = 'inferred' "
                 f"AND NOT EXISTS (SELECT 1 FROM {m} m WHERE {on('m', 's')})",
            report, "mention-referent", staged["statements"], "occasion_event_id",
            "the occasion is inferred but no mention of it lies on the statement's words: add the event_mentions row "
            "('Referent inferred: ...') on the attribution (CURATION §2)")
    collect(con, f"SELECT s._row, s.occasion_event_id FROM {s} s LEFT JOIN {s} p ON p.statement_id = s.part_of_statement_id "
                 f"WHERE s.occasion_basis = 'stated' AND EXISTS (SELECT 1 FROM {m} m WHERE {on('m', 's')} AND {referent.format('m')}) "
                 f"AND NOT EXISTS (SELECT 1 FROM {m} m WHERE ({on('m', 's')} OR (p.statement_id IS NOT NULL AND {on('m', 'p')})) "
                 f"AND NOT {referent.format('m')})",
            report, "mention-referent", staged["statements"], "occasion_basis",
            "the only mention of the occasion on the statement's words says its referent is inferred: the occasion is inferred too "
            "(occasion_basis = inferred, with the reasoning in notes)")


CHECKS = (check_reasons, check_inferred_country, check_speaker_basis, check_statement_links, check_attributions, check_groups_and_roles, check_sources, check_briefing_addressees,
          check_credit_evidence, check_mention_referents)


def run_statement_checks(con, staged: dict[str, Table], report: Report) -> None:
    """Run every statement and actor check whose tables were staged."""
    for check in CHECKS:
        check(con, staged, report)
