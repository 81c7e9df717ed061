-- Where do the sources disagree?
--
-- One row per claim about a subject and attribute on which the claims hold more than
-- one distinct value (how long a meeting lasted, how many rulings, what a meeting agreed).
-- Each source's claim is kept, attributed to its article; none is chosen.
-- Columns:
--   subject_table: the table the claim is about (claims.subject_table)
--   subject_id: the subject's id in that table; for subject_table 'dyads', two actor ids joined by '-' (e.g. 'jpn-kor')
--   subject_label: the event's title, the agreement's or actor's name, or both actors' names for a dyad
--   attribute: what the claim is about (claims.attribute)
--   article_id: the article the claim comes from
--   outlet: the article's outlet, or its wire agency when the outlet is not named
--   published_date: the article's publication date (articles of different dates may describe different moments)
--   value: the value this source gives
--   evidence_text: the verbatim evidence span
--   char_start: where the evidence starts in the article (code points)
--   char_end: where the evidence ends in the article (code points, exclusive)
--   n_values: distinct values the sources give for the subject and attribute
--   claim_id: the claim (claims.claim_id)
-- DuckDB-specific: split_part.
CREATE OR REPLACE VIEW disagreements AS
WITH counted AS (
    SELECT subject_table, subject_id, attribute, count(DISTINCT value) AS n_values
    FROM claims GROUP BY subject_table, subject_id, attribute
)
SELECT
    c.subject_table, c.subject_id,
    coalesce(e.title, g.name, x.name, d1.name || ' – ' || d2.name) AS subject_label,
    c.attribute, c.article_id,
    coalesce(a.outlet_id, a.wire_agency_id) AS outlet, a.published_date,
    c.value, c.evidence_text, c.char_start, c.char_end, k.n_values, c.claim_id
FROM claims c
JOIN counted k USING (subject_table, subject_id, attribute)
JOIN articles a ON a.article_id = c.article_id
LEFT JOIN events e ON c.subject_table = 'events' AND e.event_id = c.subject_id
LEFT JOIN agreements g ON c.subject_table = 'agreements' AND g.agreement_id = c.subject_id
LEFT JOIN actors x ON c.subject_table = 'actors' AND x.actor_id = c.subject_id
LEFT JOIN actors d1 ON c.subject_table = 'dyads' AND d1.actor_id = split_part(c.subject_id, '-', 1)
LEFT JOIN actors d2 ON c.subject_table = 'dyads' AND d2.actor_id = split_part(c.subject_id, '-', 2)
WHERE k.n_values > 1
ORDER BY c.subject_table, c.subject_id, c.attribute, c.article_id, c.claim_id;
