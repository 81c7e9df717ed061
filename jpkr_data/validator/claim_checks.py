"""Claim rules that can be checked mechanically (CURATION.md §6): comparable values, who asserts a claim, verdicts.

- A claim's value_kind is fixed by its attribute (ATTRIBUTE_KINDS); the kind's columns are set
  and the other kinds' are empty; a range has the attribute's unit; a label is listed in
  claim_labels for the attribute; a non-stated comparable value says how it was worked out.
- A date window agrees with its evidence: a weekday named in the span is the window's day, a
  month named is the window's month, a year named is the window's first and last year.
- A relayed claim names the actor who asserts it and the attribution words; an own-voice claim
  has neither. Words inside a statement (someone's reported words) are relayed, or the notes
  say "Own voice", cite that statement and say why the wording is the outlet's; the evidence of
  an agreement event inside a statement has notes citing it.
- Inside someone's reported words, only words that name, date or place what the words are about
  (NAMING_ATTRIBUTES) and reports of the act (REPORT_ATTRIBUTES) are the outlet's own; a name inside
  indirect speech is the outlet's, not relayed. A relay chain is in notes ("Relayed by <actor_id>").
- A claim about what was said (REPORT_ATTRIBUTES) is worded as reported speech, value and label definition.
- Two different labels given by different voices to one subject and attribute have exactly one
  curated verdict (claim_verdicts), and every verdict is about such a pair. A conflict is not
  bridged by a label judged compatible with both sides unless its reasoning names that label, and a
  possibility (a mention reported as hypothetical, expected or threatened) is never in conflict with
  a claim about what happened. A conflict one of whose sides says "only" names the scope reading in
  its reasoning (CURATION §6: "only" is read by scope); an "only" said of what was said (a report of the act) is read as
  written: two different accounts of one act of saying, one of which says "only", are a conflict.
- A claim is on the event its words address (claims audit of 2026-12-03, 0.5): words that mention a dated member of a series
  are claimed on the member (except the count of the series); a date claim lies where its event can be and gives no start to an
  event whose start no text gives; an event whose date reasoning cites a claim is that claim's subject.
- One span claimed on two subjects says which reading in its value: one of two candidate referents, or both.
- A value keeps its span's hedges and quantifiers ("some", "consider", "may", ...); a window is what the wording allows, never
  one fixed by convention; a contested word in a label's definition is in the words of every claim that carries it.
- Every agreement has a state among its parties; a `stated` party is named in its evidence; an agreement created only by acts
  known from one side's account says so in its name; agreement evidence that overlaps someone's reported words cites them.
"""
from __future__ import annotations

from ..schema import Table
from .report import Report
from .schema_checks import collect, staged_with, typed_name

# The kind of comparable value each attribute takes (datapackage.json, claims.attribute); a range's unit.
ATTRIBUTE_KINDS = {"date": "date_window", "period": "date_window", "expiry": "date_window",
                   "duration": "range", "number_of_rulings": "range", "amount": "range"}
RANGE_UNITS = {"duration": "minute", "number_of_rulings": "ruling", "amount": "usd"}
KIND_COLUMNS = {"date_window": ("date_start", "date_end"), "range": ("range_low", "range_high", "range_unit"), "label": ("label",)}
WEEKDAY = r"(Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day"
MONTH = r"\b(Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\b"  # 'May' is left out: the modal verb
YEAR = r"\b(1[6-9]\d\d|20\d\d)\b"
# Words inside someone's reported words that are the outlet's own (CURATION.md §6): what names, dates or places the subject;
# the report of the act itself. Any other attribute inside reported words is what the speaker asserts, and is relayed.
NAMING_ATTRIBUTES = ("name", "instrument", "court", "period", "location", "date", "number_of_rulings")
REPORT_ATTRIBUTES = ("content", "threatened_action")
# A name inside indirect speech is the outlet's (a date may be what the speaker predicts, so it is left to the curators).
OUTLET_NAMING = ("name", "instrument", "court", "period", "location")
SAYING = r"\b(said|says|say|told|tells|warned|suggested|indicated|threatened|spoke|highlighted|stated|briefing|called)\b"
POSSIBLE = ("hypothetical", "expected", "threatened")
ONLY = r"\bonly\b"  # every "only" in an outlet's summary limits the substance reported, "said only" too (CURATION §6)
# Words that attribute a relayed claim (a verb of saying or of judging aloud, or "according to").
ATTRIBUTING = (r"\b(said|says|say|saying|told|tells|warned|suggested|indicated|threatened|spoke|highlighted|stated|briefing|"
               r"called|claims?|cited|hailed|welcomed|according|urged|added|noted|argued|insisted|accused|described|announced|"
               r"reported|accusing|reiterating|asked|hoping|telling|worried|believes)\b")
# Hedges and quantifiers a value keeps from its span (CURATION §6: "no more than its span"); "about" and "around" are left out
# (prepositions as often as hedges; ranges hold "about N").
HEDGES = ("some", "consider", "may", "might", "could", "likely", "reportedly", "apparently", "expected", "whether", "seen as",
          "possibly", "allegedly", "nearly", "almost")
SERIES_COUNT = "number_of_rulings"  # the one attribute whose subject is a series as a whole (how many members a source reports)
CREATING_EFFECTS = ("concluded", "signed", "proposed")
CLAIM_FIELDS = ("claim_id", "subject_table", "subject_id", "attribute", "value_kind", "date_start", "date_end", "range_low",
                "range_high", "range_unit", "label", "comparable_basis", "comparable_reasoning", "voice", "asserted_by_id",
                "attribution_text", "article_id", "char_start", "char_end", "evidence_text", "notes")



def _kind_sql() -> str:
    """The kind an attribute takes, as a SQL CASE over claims.attribute."""
    whens = " ".join(f"WHEN '{a}' THEN '{k}'" for a, k in ATTRIBUTE_KINDS.items())
    return f"CASE attribute {whens} ELSE 'label' END"


def check_comparable_values(con, staged: dict[str, Table], report: Report) -> None:
    """Kind fixed by the attribute, its columns set and the others empty, the unit of the attribute, reasoning when not stated."""
    t = staged["claims"]
    c = typed_name(t)
    report.ran("claim-kind")
    collect(con, f"SELECT _row, attribute || ' ' || value_kind FROM {c} WHERE value_kind <> {_kind_sql()}", report, "claim-kind", t,
            "value_kind", "the attribute fixes the kind of comparable value: date_window for date, period and expiry; range for "
            "duration, number_of_rulings and amount; label for every other attribute")
    for kind in KIND_COLUMNS:
        for other, other_columns in KIND_COLUMNS.items():
            if other == kind:
                continue
            for col in other_columns:
                collect(con, f"SELECT _row, CAST({col} AS VARCHAR) FROM {c} WHERE value_kind = '{kind}' AND {col} IS NOT NULL",
                        report, "claim-kind", t, col, f"a {kind} claim leaves {col} empty (it belongs to {other} claims)")
    collect(con, f"SELECT _row, claim_id FROM {c} WHERE value_kind = 'date_window' AND date_start IS NULL AND date_end IS NULL",
            report, "claim-kind", t, "date_start", "a date_window needs date_start or date_end (an empty one means no bound)")
    collect(con, f"SELECT _row, CAST(date_start AS VARCHAR) || '..' || CAST(date_end AS VARCHAR) FROM {c} WHERE date_start > date_end",
            report, "claim-kind", t, "date_end", "date_end cannot be before date_start")
    collect(con, f"SELECT _row, claim_id FROM {c} WHERE value_kind = 'range' AND (range_low IS NULL OR range_unit IS NULL)",
            report, "claim-kind", t, "range_low", "a range needs range_low and range_unit (an empty range_high means no upper bound)")
    collect(con, f"SELECT _row, CAST(range_low AS VARCHAR) || '..' || CAST(range_high AS VARCHAR) FROM {c} WHERE range_low > range_high",
            report, "claim-kind", t, "range_high", "range_high cannot be below range_low")
    units = " ".join(f"WHEN '{a}' THEN '{u}'" for a, u in RANGE_UNITS.items())
    collect(con, f"SELECT _row, attribute || ' in ' || range_unit FROM {c} WHERE value_kind = 'range' AND range_unit <> CASE attribute {units} END",
            report, "claim-kind", t, "range_unit", "the unit is the attribute's: minute for duration, ruling for number_of_rulings, usd for amount")
    collect(con, f"SELECT _row, claim_id FROM {c} WHERE value_kind = 'label' AND label IS NULL", report, "claim-kind", t, "label",
            "a label claim needs a label from claim_labels for its attribute")
    if staged_with(staged, "claim_labels", "attribute", "label"):
        report.ran("claim-label")
        collect(con, f"SELECT _row, attribute || ' ' || label FROM {c} x WHERE label IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "
                     f"{typed_name(staged['claim_labels'])} y WHERE y.attribute = x.attribute AND y.label = x.label)",
                report, "claim-label", t, "label", "the label is not in claim_labels for this attribute: use a listed label, or add one with its definition")
    report.ran("claim-basis")
    collect(con, f"SELECT _row, comparable_basis FROM {c} WHERE comparable_basis <> 'stated' AND coalesce(trim(comparable_reasoning), '') = ''",
            report, "claim-basis", t, "comparable_reasoning", "a comparable value that is not stated needs its reasoning")


def check_date_windows(con, staged: dict[str, Table], report: Report) -> None:
    """A weekday, month or year named in the evidence agrees with the claim's date window."""
    t = staged["claims"]
    c = typed_name(t)
    report.ran("claim-window")
    collect(con, f"SELECT _row, CAST(date_start AS VARCHAR) || ' is a ' || dayname(date_start) FROM {c} WHERE value_kind = 'date_window' "
                 f"AND date_start = date_end AND regexp_matches(evidence_text, '{WEEKDAY}') AND strpos(evidence_text, dayname(date_start)) = 0",
            report, "claim-window", t, "date_start", "the evidence names a weekday that is not the window's day")
    collect(con, f"SELECT _row, CAST(date_start AS VARCHAR) || '..' || CAST(date_end AS VARCHAR) FROM {c} WHERE value_kind = 'date_window' "
                 f"AND year(date_start) = year(date_end) AND month(date_start) = month(date_end) "
                 f"AND regexp_matches(evidence_text, '{MONTH}') AND strpos(evidence_text, strftime(date_start, '%b')) = 0",
            report, "claim-window", t, "date_start", "the evidence names a month that is not the window's month")
    for col in ("date_start", "date_end"):
        collect(con, f"SELECT _row, CAST({col} AS VARCHAR) FROM {c} WHERE value_kind = 'date_window' AND {col} IS NOT NULL "
                     f"AND len(regexp_extract_all(evidence_text, '{YEAR}')) > 0 "
                     f"AND NOT list_contains(regexp_extract_all(evidence_text, '{YEAR}'), CAST(year({col}) AS VARCHAR))",
                report, "claim-window", t, col, "the evidence names a year: the window must start and end in a year it names")


def check_voices(con, staged: dict[str, Table], report: Report) -> None:
    """Relayed claims name their actor and attribution; words inside a statement are relayed or explained."""
    t = staged["claims"]
    c = typed_name(t)
    report.ran("claim-voice")
    collect(con, f"SELECT _row, claim_id FROM {c} WHERE voice = 'relayed' AND (asserted_by_id IS NULL OR attribution_text IS NULL)",
            report, "claim-voice", t, "asserted_by_id", "a relayed claim names the actor who asserts it and the words that attribute it")
    collect(con, f"SELECT _row, asserted_by_id FROM {c} WHERE voice = 'own' AND (asserted_by_id IS NOT NULL OR attribution_text IS NOT NULL)",
            report, "claim-voice", t, "asserted_by_id", "a claim in the article's own voice has no asserting actor or attribution")
    if not staged_with(staged, "statements", "statement_id", "article_id", "char_start", "char_end"):
        return
    s = typed_name(staged["statements"])
    report.ran("relayed-words")
    # a claim inside someone's words; agreement evidence that overlaps them (it may carry the attribution too: claims audit 0.5, F15)
    inside_words = "y.char_start <= x.char_start AND x.char_end <= y.char_end"
    overlap = "y.char_start < x.char_end AND x.char_start < y.char_end"
    for name, voice, marker, where in (("claims", "AND x.voice = 'own'", "Own voice", inside_words),
                                       *((n, "", "", overlap) for n in ("agreements", "agreement_events", "agreement_parties"))):
        if not staged_with(staged, name, "article_id", "char_start", "char_end", "notes"):
            continue
        collect(con, f"SELECT x._row AS _row, min(y.statement_id) FROM {typed_name(staged[name])} x JOIN {s} y ON y.article_id = x.article_id "
                     f"AND {where} WHERE TRUE {voice} "
                     f"GROUP BY x._row HAVING NOT bool_or(strpos(coalesce(x.notes, ''), y.statement_id) > 0 "
                     f"AND strpos(coalesce(x.notes, ''), '{marker}') > 0)",
                report, "relayed-words", staged[name], "notes",
                "the evidence lies inside someone's reported words (this statement): record whose words they are "
                "(a relayed claim, or notes saying 'Own voice', citing the statement and saying why the wording is the outlet's)")
    inside = (f"FROM {c} x JOIN {s} y ON y.article_id = x.article_id AND y.char_start <= x.char_start AND x.char_end <= y.char_end")
    collect(con, f"SELECT x._row AS _row, min(x.attribute || ' inside ' || y.statement_id) {inside} WHERE x.voice = 'own' "
                 f"AND x.attribute NOT IN {NAMING_ATTRIBUTES + REPORT_ATTRIBUTES} GROUP BY x._row",
            report, "relayed-words", t, "voice", "inside someone's reported words, what the speaker asserts (an outcome, purpose, reason, "
            "state, characterisation, expectation) is relayed; only names, dates and places of the subject are the outlet's (CURATION §6)")
    if "mode" in staged["statements"].field_names:
        collect(con, f"SELECT x._row AS _row, min(x.attribute || ' inside ' || y.statement_id) {inside} WHERE x.voice = 'relayed' "
                     f"AND x.attribute IN {OUTLET_NAMING} GROUP BY x._row HAVING bool_and(y.mode = 'indirect')",
                report, "relayed-words", t, "voice", "a name inside indirect speech is the outlet's wording: own voice, with an "
                "'Own voice:' note citing the statement (only a direct quotation's name is the speaker's)")
    if "relayed_by_id" in staged["statements"].field_names and "speaker_id" in staged["statements"].field_names:
        report.ran("relay-chain")
        relayer = ("CASE WHEN y.speaker_id <> x.asserted_by_id AND coalesce(y.relayed_by_id, '') <> x.asserted_by_id THEN y.speaker_id "
                   "WHEN y.speaker_id = x.asserted_by_id THEN y.relayed_by_id END")
        collect(con, f"SELECT _row, min(relayer) FROM (SELECT x._row AS _row, x.notes, {relayer} AS relayer {inside} "
                     f"WHERE x.voice = 'relayed') WHERE relayer IS NOT NULL AND strpos(coalesce(notes, ''), 'Relayed by ' || relayer) = 0 GROUP BY _row",
                report, "relay-chain", t, "notes", "the claim reaches the article through another speaker (this actor): notes say 'Relayed by <actor_id>' "
                "and cite the statement")


def check_reported_speech(con, staged: dict[str, Table], report: Report) -> None:
    """A claim about what was said, and its label's definition, are worded as reported speech (nobody's words in the outlet's voice)."""
    t = staged["claims"]
    report.ran("reported-speech")
    collect(con, f"SELECT _row, value FROM {typed_name(t)} WHERE attribute IN {REPORT_ATTRIBUTES} AND NOT regexp_matches(value, '{SAYING}')",
            report, "reported-speech", t, "value", "a claim about what was said names the act of saying ('Saito said: ...'), so that the "
            "outlet is never shown asserting the speaker's words")
    if staged_with(staged, "claim_labels", "attribute", "label", "definition"):
        lt = staged["claim_labels"]
        collect(con, f"SELECT _row, label FROM {typed_name(lt)} WHERE attribute IN {REPORT_ATTRIBUTES} "
                     f"AND NOT regexp_matches(lower(definition), '{SAYING}')",
                report, "reported-speech", lt, "definition", "a label for what was said is defined as reported speech ('The briefing said ...')")


def check_verdicts(con, staged: dict[str, Table], report: Report) -> None:
    """Every pair of different labels from different voices has one curated verdict; every verdict is about such a pair."""
    if not staged_with(staged, "claim_verdicts", "subject_table", "subject_id", "attribute", "label_a", "label_b"):
        return
    t, v = staged["claims"], staged["claim_verdicts"]
    c, w = typed_name(t), typed_name(v)
    pairs = (f"SELECT a.subject_table, a.subject_id, a.attribute, least(a.label, b.label) AS lo, greatest(a.label, b.label) AS hi, "
             f"greatest(a._row, b._row) AS _row FROM {c} a JOIN {c} b ON b.subject_table = a.subject_table AND b.subject_id = a.subject_id "
             f"AND b.attribute = a.attribute AND a.label < b.label WHERE a.value_kind = 'label' AND b.value_kind = 'label' "
             f"AND (a.article_id <> b.article_id OR coalesce(a.asserted_by_id, '') <> coalesce(b.asserted_by_id, ''))")
    report.ran("claim-verdict")
    collect(con, f"SELECT min(p._row) AS _row, p.subject_id || ' ' || p.attribute || ': ' || p.lo || ' / ' || p.hi FROM ({pairs}) p "
                 f"WHERE NOT EXISTS (SELECT 1 FROM {w} x WHERE x.subject_table = p.subject_table AND x.subject_id = p.subject_id "
                 f"AND x.attribute = p.attribute AND x.label_a = p.lo AND x.label_b = p.hi) GROUP BY p.subject_id, p.attribute, p.lo, p.hi",
            report, "claim-verdict", t, "label",
            "two voices give this subject and attribute different labels: claim_verdicts needs the curators' verdict on the pair")
    collect(con, f"SELECT _row, label_a || ' / ' || label_b FROM {w} WHERE label_a >= label_b", report, "claim-verdict", v, "label_b",
            "label_a comes alphabetically before label_b")
    collect(con, f"SELECT x._row, x.subject_id || ' ' || x.attribute || ': ' || x.label_a || ' / ' || x.label_b FROM {w} x "
                 f"WHERE x.label_a < x.label_b AND NOT EXISTS (SELECT 1 FROM ({pairs}) p WHERE x.subject_table = p.subject_table "
                 f"AND x.subject_id = p.subject_id AND x.attribute = p.attribute AND x.label_a = p.lo AND x.label_b = p.hi)",
            report, "claim-verdict", v, "label_a", "no two voices give this subject and attribute these two labels: the verdict is stale")
    report.ran("verdict-siblings")
    same = "y.subject_table = x.subject_table AND y.subject_id = x.subject_id AND y.attribute = x.attribute"
    collect(con, f"SELECT x._row AS _row, min(k.label) FROM {w} x JOIN (SELECT subject_table, subject_id, attribute, label_a AS label, label_b AS other, verdict "
                 f"FROM {w} UNION ALL SELECT subject_table, subject_id, attribute, label_b, label_a, verdict FROM {w}) k "
                 f"ON k.subject_table = x.subject_table AND k.subject_id = x.subject_id AND k.attribute = x.attribute "
                 f"AND k.other = x.label_a AND k.verdict = 'compatible' "
                 f"WHERE x.verdict = 'conflict' AND strpos(x.reasoning, k.label) = 0 AND EXISTS (SELECT 1 FROM {w} y WHERE {same} "
                 f"AND y.verdict = 'compatible' AND ((y.label_a = k.label AND y.label_b = x.label_b) OR (y.label_b = k.label AND y.label_a = x.label_b))) "
                 f"GROUP BY x._row",
            report, "verdict-siblings", v, "verdict", "this label is judged compatible with both sides of the conflict: cross-check the sibling "
            "verdicts, and either judge the pair compatible or say in the reasoning (naming the label) why it does not reconcile them")
    report.ran("verdict-only")
    collect(con, f"SELECT min(x._row) AS _row, min(a.claim_id) FROM {w} x JOIN {c} a ON a.subject_table = x.subject_table "
                 f"AND a.subject_id = x.subject_id AND a.attribute = x.attribute AND a.label IN (x.label_a, x.label_b) "
                 f"WHERE x.verdict = 'conflict' AND regexp_matches(lower(a.evidence_text), '{ONLY}') "
                 f"AND strpos(lower(x.reasoning), 'scope') = 0 GROUP BY x._row",
            report, "verdict-only", v, "verdict", "a side of the conflict says 'only' (this claim): every 'only' is read by scope, "
            "the substance the outlet reports, 'said only' too (CURATION §6), so judge the pair compatible or say in the reasoning "
            "why the scope reading does not reconcile them")
    if not staged_with(staged, "event_mentions", "article_id", "char_start", "char_end", "reported_status"):
        return
    report.ran("verdict-status")
    m = typed_name(staged["event_mentions"])
    possible = (f"EXISTS (SELECT 1 FROM {m} m WHERE m.article_id = {{0}}.article_id AND m.char_start < {{0}}.char_end "
                f"AND {{0}}.char_start < m.char_end AND m.reported_status IN {POSSIBLE})")
    collect(con, f"SELECT min(x._row) AS _row, min(a.claim_id || ' / ' || b.claim_id) FROM {w} x "
                 f"JOIN {c} a ON a.subject_table = x.subject_table AND a.subject_id = x.subject_id AND a.attribute = x.attribute "
                 f"JOIN {c} b ON b.subject_table = x.subject_table AND b.subject_id = x.subject_id AND b.attribute = x.attribute "
                 f"WHERE x.verdict = 'conflict' AND a.label = x.label_a AND b.label = x.label_b "
                 f"AND ({possible.format('a')}) <> ({possible.format('b')}) GROUP BY x._row",
            report, "verdict-status", v, "verdict", "one side is a possibility (its words mention an event reported as hypothetical, expected "
            "or threatened) and the other what happened: a possibility cannot conflict with a fact")


def check_claim_subjects(con, staged: dict[str, Table], report: Report) -> None:
    """A claim is on the event its words address: a series' dated member, not the series; a date claim where its event can be."""
    if not staged_with(staged, "events", "event_id", "event_type", "parent_event_id", "date_start", "date_end", "date_precision",
                       "date_reasoning"):
        return
    t = staged["claims"]
    c, e = typed_name(t), typed_name(staged["events"])
    if staged_with(staged, "event_mentions", "event_id", "article_id", "char_start", "char_end"):
        report.ran("series-member")
        collect(con, f"SELECT x._row AS _row, min(k.event_id) FROM {c} x JOIN {e} p ON p.event_id = x.subject_id "
                     f"JOIN {e} k ON k.parent_event_id = p.event_id AND k.event_type = p.event_type "
                     f"JOIN {typed_name(staged['event_mentions'])} y ON y.event_id = k.event_id AND y.article_id = x.article_id "
                     f"AND y.char_start < x.char_end AND x.char_start < y.char_end "
                     f"WHERE x.subject_table = 'events' AND x.attribute <> '{SERIES_COUNT}' GROUP BY x._row",
                report, "series-member", t, "subject_id", "the words mention a member of this series (this event, a child of the "
                "same type): the claim is on the member, not on the whole series (only the count of rulings is the series')")
    report.ran("claim-date-subject")
    on_event = (f"FROM {c} x JOIN {e} p ON p.event_id = x.subject_id WHERE x.subject_table = 'events' "
                f"AND x.value_kind = 'date_window'")
    collect(con, f"SELECT x._row, CAST(x.date_start AS VARCHAR) {on_event} AND p.date_precision = 'open_start' AND x.date_start IS NOT NULL",
            report, "claim-date-subject", t, "date_start", "the claim gives a start to an event whose start no text gives (open_start): "
            "its words date something else (a dated member, another act), or the event's window is wrong")
    collect(con, f"SELECT x._row, CAST(x.date_start AS VARCHAR) || '..' || CAST(x.date_end AS VARCHAR) {on_event} "
                 f"AND (x.date_start > p.date_end OR p.date_start > x.date_end)",
            report, "claim-date-subject", t, "subject_id", "the claim's window and its event's window do not overlap: the claim "
            "dates another event, or one of the windows is wrong")
    collect(con, f"SELECT x._row, p.event_id FROM {c} x JOIN {e} p ON regexp_matches(p.date_reasoning, x.claim_id || '([^0-9]|$)') "
                 f"WHERE x.value_kind = 'date_window' AND (x.subject_table <> 'events' OR x.subject_id <> p.event_id)",
            report, "claim-date-subject", t, "subject_id", "this event's date reasoning rests on the claim: the claim is about that event")


def check_claim_wording(con, staged: dict[str, Table], report: Report) -> None:
    """A value keeps its span's hedges, a shared span says which reading, a window is no convention, a label's contested words are its claims'."""
    t = staged["claims"]
    c = typed_name(t)
    report.ran("value-hedge")
    missing = " ".join(f"WHEN regexp_matches(lower(evidence_text), '\\b{w}\\b') AND NOT regexp_matches(lower(value), '\\b{w}\\b') "
                       f"THEN '{w}'" for w in HEDGES)
    collect(con, f"SELECT _row, missing FROM (SELECT _row, CASE {missing} END AS missing FROM {c}) WHERE missing IS NOT NULL",
            report, "value-hedge", t, "value", "the span has this hedge or quantifier and the value drops it: a value says no more "
            "than its span (\"some of Seoul's actions\", \"urged both sides to consider\")")
    report.ran("shared-span")
    collect(con, f"SELECT x._row AS _row, min(y.claim_id || ' on ' || y.subject_id) FROM {c} x JOIN {c} y ON y.article_id = x.article_id "
                 f"AND y.char_start = x.char_start AND y.char_end = x.char_end AND y.attribute = x.attribute "
                 f"AND (y.subject_table <> x.subject_table OR y.subject_id <> x.subject_id) "
                 f"WHERE NOT regexp_matches(lower(x.value), '\\b(candidate|both)\\b') GROUP BY x._row",
            report, "shared-span", t, "value", "the same words are claimed on another subject too: the value says which reading holds, "
            "'one of two candidate referents' (the words point at one of them) or 'both' (they point at both)")
    collect(con, f"SELECT _row, claim_id FROM {c} WHERE value_kind = 'date_window' AND regexp_matches(lower(comparable_reasoning), "
                 f"'\\bconvention')", report, "claim-window", t, "comparable_reasoning",
            "a claim's window is what its wording allows: a bound fixed by convention narrows it (leave the unknown bound empty)")
    if not staged_with(staged, "claim_labels", "attribute", "label", "definition"):
        return
    from .semantics import LOADED_WORDS  # semantics imports this module: import at call time
    lt = staged["claim_labels"]
    report.ran("label-words")
    said = " ".join(f"WHEN regexp_matches(lower(l.definition), '\\b{w}') AND NOT regexp_matches(lower(l.definition), "
                    f"'\\b(without|not|no)\\b[a-z ]*\\b{w}') AND NOT regexp_matches(lower(x.evidence_text), '\\b{w}') "
                    f"THEN x.claim_id || ' does not say {w}'" for w in (*LOADED_WORDS, "forced"))
    collect(con, f"SELECT _row, min(why) FROM (SELECT l._row AS _row, CASE {said} END AS why FROM {typed_name(lt)} l "
                 f"JOIN {c} x ON x.attribute = l.attribute AND x.label = l.label) WHERE why IS NOT NULL GROUP BY _row",
            report, "label-words", lt, "definition", "the definition puts a contested word in the mouth of a claim whose words do not "
            "say it (a definition is what its claims say): define the label in its claims' words, or give the claim its own label")


def check_agreement_parties(con, staged: dict[str, Table], report: Report) -> None:
    """A state among every agreement's parties; stated parties named; an agreement known from one side's account named so."""
    if not (staged_with(staged, "agreements", "agreement_id") and staged_with(staged, "agreement_parties", "agreement_id", "actor_id")
            and staged_with(staged, "actors", "actor_id", "actor_type")):
        return
    report.ran("agreement-state")
    collect(con, f"SELECT _row, agreement_id FROM {typed_name(staged['agreements'])} g WHERE NOT EXISTS (SELECT 1 FROM "
                 f"{typed_name(staged['agreement_parties'])} p JOIN {typed_name(staged['actors'])} a USING (actor_id) "
                 f"WHERE p.agreement_id = g.agreement_id AND a.actor_type = 'state')",
            report, "agreement-state", staged["agreements"], "agreement_id",
            "an agreement needs a state among its parties (add the ministers' countries as inferred parties, with notes)")
    ap = staged["agreement_parties"]
    if staged_with(staged, "agreement_parties", "role_basis", "evidence_text") and staged_with(staged, "actors", "name") \
            and staged_with(staged, "actor_aliases", "actor_id", "alias"):
        report.ran("party-named")
        names = (f"SELECT actor_id, name AS n FROM {typed_name(staged['actors'])} "
                 f"UNION ALL SELECT actor_id, alias FROM {typed_name(staged['actor_aliases'])}")
        collect(con, f"SELECT p._row, p.actor_id FROM {typed_name(ap)} p WHERE p.role_basis = 'stated' AND NOT EXISTS "
                     f"(SELECT 1 FROM ({names}) a WHERE a.actor_id = p.actor_id AND strpos(lower(p.evidence_text), lower(a.n)) > 0)",
                report, "party-named", ap, "role_basis", "a stated party is named in its evidence (its name or an alias): words that "
                "only refer to it (\"bilateral\", \"The two countries\", \"They\") make the role inferred, with notes naming the referent")
    if staged_with(staged, "agreements", "name") and staged_with(staged, "agreement_events", "agreement_id", "event_id", "effect") \
            and staged_with(staged, "events", "event_id", "title"):
        report.ran("account-name")
        acts = (f"FROM {typed_name(staged['agreement_events'])} x JOIN {typed_name(staged['events'])} e USING (event_id) "
                f"WHERE x.agreement_id = g.agreement_id AND x.effect IN {CREATING_EFFECTS}")
        collect(con, f"SELECT g._row, g.name FROM {typed_name(staged['agreements'])} g WHERE strpos(lower(g.name), 'account') = 0 "
                     f"AND EXISTS (SELECT 1 {acts}) AND NOT EXISTS (SELECT 1 {acts} AND strpos(lower(e.title), 'account)') = 0)",
                report, "account-name", staged["agreements"], "name", "every act that concludes, signs or proposes this agreement is "
                "known from one side's account (its title says so): the agreement's name says whose account, as its act's title does")


def check_merges_and_labels(con, staged: dict[str, Table], report: Report) -> None:
    """A press event merged from two articles names a party in each; attributions hold the attributing words; every label is used."""
    t = staged["claims"]
    c = typed_name(t)
    report.ran("claim-attribution")
    collect(con, f"SELECT _row, attribution_text FROM {c} WHERE voice = 'relayed' AND attribution_text IS NOT NULL "
                 f"AND NOT regexp_matches(lower(attribution_text), '{ATTRIBUTING}')",
            report, "claim-attribution", t, "attribution_text", "the attribution holds no word that attributes the claim (a verb of "
            "saying, 'claims', 'hailed', 'according to'): take the attribution frame up to the verb ('..., saying')")
    if staged_with(staged, "claim_labels", "attribute", "label"):
        report.ran("label-used")
        lt = staged["claim_labels"]
        collect(con, f"SELECT _row, label FROM {typed_name(lt)} l WHERE NOT EXISTS (SELECT 1 FROM {c} x "
                     f"WHERE x.attribute = l.attribute AND x.label = l.label)",
                report, "label-used", lt, "label", "no claim carries this label: a label is the comparable value of a claim, so drop it")
    if not (staged_with(staged, "events", "event_id", "event_type") and staged_with(staged, "event_mentions", "event_id", "article_id")
            and staged_with(staged, "event_mention_arguments", "event_id", "article_id", "actor_id")):
        return
    report.ran("merge-speaker")  # an event with no mention arguments at all (a layer not yet made) is left to the mention checks
    e, m, a = (typed_name(staged[n]) for n in ("events", "event_mentions", "event_mention_arguments"))
    collect(con, f"SELECT e._row, e.event_id FROM {e} e WHERE e.event_type = 'press_event' "
                 f"AND (SELECT count(DISTINCT article_id) FROM {m} WHERE event_id = e.event_id) > 1 "
                 f"AND EXISTS (SELECT 1 FROM {a} x WHERE x.event_id = e.event_id) AND NOT EXISTS ("
                 f"SELECT 1 FROM {a} x WHERE x.event_id = e.event_id GROUP BY x.actor_id HAVING count(DISTINCT x.article_id) = "
                 f"(SELECT count(DISTINCT article_id) FROM {m} WHERE event_id = e.event_id))",
            report, "merge-speaker", staged["events"], "event_id", "this occasion of saying is mentioned in two articles that name no "
            "common party: the texts do not tie the two accounts, and the same city and day alone do not make two press events "
            "one (CURATION §2): split it")


def run_claim_checks(con, staged: dict[str, Table], report: Report) -> None:
    """Run every claim check whose tables were staged."""
    if staged_with(staged, "claims", *CLAIM_FIELDS):
        check_comparable_values(con, staged, report)
        check_date_windows(con, staged, report)
        check_voices(con, staged, report)
        check_reported_speech(con, staged, report)
        check_verdicts(con, staged, report)
        check_claim_subjects(con, staged, report)
        check_claim_wording(con, staged, report)
        check_merges_and_labels(con, staged, report)
    check_agreement_parties(con, staged, report)
