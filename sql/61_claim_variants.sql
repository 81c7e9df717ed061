-- How does each source word each fact, and do the wordings agree?
--
-- One row per claim, grouped by subject and attribute, with the group's verdict: 'conflict' when
-- any two of its claims cannot both be true (see disagreements), 'compatible' when they all can
-- but some differ (overlapping windows or ranges, one more precise, complementary parts),
-- 'same' when every claim has one comparable value (a group of one claim is 'same'). Empty when
-- a pair still lacks the curators' verdict (validation refuses that). Nothing is dropped.
-- Columns:
--   subject_table: the table the claim is about (claims.subject_table)
--   subject_id: the subject's id in that table (for a dyad, two actor ids joined by '-')
--   attribute: what the claim is about (claims.attribute)
--   group_verdict: 'same', 'compatible' or 'conflict', for the whole subject and attribute
--   n_claims: claims in the group
--   n_conflict_pairs: pairs of the group's claims in conflict
--   claim_id: the claim (claims.claim_id)
--   article_id: the article it comes from
--   outlet: that article's outlet, or its wire agency when the outlet is not named
--   published_date: that article's publication date
--   voice: 'own' (the article's own voice) or 'relayed'
--   asserted_by_id: the relayed actor, or the outlet for the article's own voice (actors.actor_id)
--   value: the claim's wording, normalised
--   comparable: the comparable value as text (date window 'start..end', range 'low..high unit', or label)
--   evidence_text: the verbatim evidence span
--   char_start: where the evidence starts in the article (code points)
--   char_end: where the evidence ends in the article (code points, exclusive)
CREATE OR REPLACE VIEW claim_variants AS
WITH verdicts AS (
    SELECT subject_table, subject_id, attribute,
        sum(CASE WHEN verdict = 'conflict' THEN 1 ELSE 0 END) AS n_conflict,
        sum(CASE WHEN verdict = 'compatible' THEN 1 ELSE 0 END) AS n_compatible,
        sum(CASE WHEN verdict IS NULL THEN 1 ELSE 0 END) AS n_missing
    FROM claim_pairs
    GROUP BY subject_table, subject_id, attribute
), sizes AS (
    SELECT subject_table, subject_id, attribute, count(*) AS n_claims
    FROM claims
    GROUP BY subject_table, subject_id, attribute
)
SELECT
    c.subject_table, c.subject_id, c.attribute,
    CASE
        WHEN coalesce(v.n_missing, 0) > 0 THEN NULL
        WHEN coalesce(v.n_conflict, 0) > 0 THEN 'conflict'
        WHEN coalesce(v.n_compatible, 0) > 0 THEN 'compatible'
        ELSE 'same'
    END AS group_verdict,
    s.n_claims, CAST(coalesce(v.n_conflict, 0) AS BIGINT) AS n_conflict_pairs,
    c.claim_id, c.article_id, coalesce(a.outlet_id, a.wire_agency_id) AS outlet, a.published_date, c.voice,
    coalesce(c.asserted_by_id, a.outlet_id, a.wire_agency_id) AS asserted_by_id, c.value,
    CASE c.value_kind
        WHEN 'date_window' THEN coalesce(CAST(c.date_start AS VARCHAR), '') || '..' || coalesce(CAST(c.date_end AS VARCHAR), '')
        WHEN 'range' THEN coalesce(CAST(c.range_low AS VARCHAR), '') || '..' || coalesce(CAST(c.range_high AS VARCHAR), '') || ' ' || coalesce(c.range_unit, '')
        ELSE c.label
    END AS comparable,
    c.evidence_text, c.char_start, c.char_end
FROM claims c
JOIN sizes s ON s.subject_table = c.subject_table AND s.subject_id = c.subject_id AND s.attribute = c.attribute
JOIN articles a ON a.article_id = c.article_id
LEFT JOIN verdicts v ON v.subject_table = c.subject_table AND v.subject_id = c.subject_id AND v.attribute = c.attribute
ORDER BY c.subject_table, c.subject_id, c.attribute, a.published_date, c.article_id, c.claim_id;
