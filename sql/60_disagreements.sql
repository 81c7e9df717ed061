-- Where do the sources disagree?
--
-- One row per pair of claims that cannot both be true (claim_pairs verdict 'conflict'): how long
-- a meeting lasted would qualify if the durations did not overlap; the purpose of Japan's export
-- controls (Japan's security reasons against Seoul's 'retaliation') does. KBS's account of Japan's
-- Bangkok briefing and Reuters' account of Saito's remarks are on two events, so they are no pair.
-- Wordings of one value ('July 4', 'last month'), compatible values ('55 minutes', 'about an
-- hour') and a possibility against a fact are not here: claim_variants lists every wording with
-- its verdict.
-- Each side is attributed: its article and outlet, and who asserts it (the outlet in its own
-- voice, or the actor it relays, with the attribution words). Nothing is chosen.
-- Columns:
--   subject_table: the table the claims are about (claims.subject_table)
--   subject_id: the subject's id in that table; for subject_table 'dyads', two actor ids joined by '-' (e.g. 'jpn-kor')
--   subject_label: the event's title, the agreement's or actor's name, or both actors' names for a dyad
--   attribute: what the claims are about (claims.attribute)
--   why: why the two cannot both be true (the curators' reasoning, or the computation)
--   verdict_basis: 'computed' (non-overlapping dates or ranges) or 'curated' (claim_verdicts)
--   a_claim_id: the first side's claim (claims.claim_id)
--   a_article_id: the article the first side comes from
--   a_outlet: that article's outlet, or its wire agency when the outlet is not named
--   a_published_date: that article's publication date
--   a_voice: 'own' (the article's own voice) or 'relayed' (an actor the article relays)
--   a_asserted_by_id: who asserts the first side: the relayed actor, or the outlet (actors.actor_id)
--   a_asserted_by: that actor's name
--   a_attribution_text: the verbatim words that attribute a relayed claim; empty for the article's own voice
--   a_value: the first side's value
--   a_evidence_text: the verbatim evidence span
--   a_char_start: where the evidence starts in the article (code points)
--   a_char_end: where the evidence ends in the article (code points, exclusive)
--   b_claim_id: the second side's claim
--   b_article_id: the article the second side comes from
--   b_outlet: that article's outlet, or its wire agency
--   b_published_date: that article's publication date
--   b_voice: 'own' or 'relayed'
--   b_asserted_by_id: who asserts the second side (actors.actor_id)
--   b_asserted_by: that actor's name
--   b_attribution_text: the attribution words of a relayed claim
--   b_value: the second side's value
--   b_evidence_text: the verbatim evidence span
--   b_char_start: where the evidence starts (code points)
--   b_char_end: where the evidence ends (code points, exclusive)
CREATE OR REPLACE VIEW disagreements AS
WITH side AS (
    SELECT
        c.claim_id, c.article_id, coalesce(a.outlet_id, a.wire_agency_id) AS outlet, a.published_date, c.voice,
        coalesce(c.asserted_by_id, a.outlet_id, a.wire_agency_id) AS asserted_by_id,
        c.attribution_text, c.value, c.evidence_text, c.char_start, c.char_end
    FROM claims c
    JOIN articles a ON a.article_id = c.article_id
)
SELECT
    p.subject_table, p.subject_id,
    coalesce(e.title, g.name, x.name, d1.name || ' – ' || d2.name) AS subject_label,
    p.attribute, p.why, p.verdict_basis,
    sa.claim_id AS a_claim_id, sa.article_id AS a_article_id, sa.outlet AS a_outlet, sa.published_date AS a_published_date,
    sa.voice AS a_voice, sa.asserted_by_id AS a_asserted_by_id, wa.name AS a_asserted_by, sa.attribution_text AS a_attribution_text,
    sa.value AS a_value, sa.evidence_text AS a_evidence_text, sa.char_start AS a_char_start, sa.char_end AS a_char_end,
    sb.claim_id AS b_claim_id, sb.article_id AS b_article_id, sb.outlet AS b_outlet, sb.published_date AS b_published_date,
    sb.voice AS b_voice, sb.asserted_by_id AS b_asserted_by_id, wb.name AS b_asserted_by, sb.attribution_text AS b_attribution_text,
    sb.value AS b_value, sb.evidence_text AS b_evidence_text, sb.char_start AS b_char_start, sb.char_end AS b_char_end
FROM claim_pairs p
JOIN side sa ON sa.claim_id = p.claim_a
JOIN side sb ON sb.claim_id = p.claim_b
LEFT JOIN actors wa ON wa.actor_id = sa.asserted_by_id
LEFT JOIN actors wb ON wb.actor_id = sb.asserted_by_id
LEFT JOIN events e ON p.subject_table = 'events' AND e.event_id = p.subject_id
LEFT JOIN agreements g ON p.subject_table = 'agreements' AND g.agreement_id = p.subject_id
LEFT JOIN actors x ON p.subject_table = 'actors' AND x.actor_id = p.subject_id
LEFT JOIN actors d1 ON p.subject_table = 'dyads' AND d1.actor_id = substr(p.subject_id, 1, instr(p.subject_id, '-') - 1)
LEFT JOIN actors d2 ON p.subject_table = 'dyads' AND d2.actor_id = substr(p.subject_id, instr(p.subject_id, '-') + 1)
WHERE p.verdict = 'conflict'
ORDER BY p.subject_table, p.subject_id, p.attribute, p.claim_a, p.claim_b;
