-- Is each pair of claims about one fact the same, compatible or in conflict, and why?
--
-- One row per pair of claims on the same subject and attribute (claim_a < claim_b). The verdict
-- is computed from the comparable values where it can be: equal values are 'same'; claims of one
-- article in one voice (its own, or one relayed actor) never conflict ('compatible'); date
-- windows and ranges (same unit) that overlap are 'compatible', those that do not are 'conflict'.
-- Two different labels from different voices take the curators' verdict and reasoning from
-- claim_verdicts (empty when missing, which validation refuses).
-- Columns:
--   subject_table: the table the claims are about (claims.subject_table)
--   subject_id: the subject's id in that table (for a dyad, two actor ids joined by '-')
--   attribute: what the claims are about (claims.attribute)
--   claim_a: one claim (claims.claim_id), the smaller id
--   claim_b: the other claim
--   comparable_a: claim_a's comparable value as text (a date window 'start..end', a range 'low..high unit', or a label)
--   comparable_b: claim_b's comparable value as text
--   same_voice: true when both claims are one article's, in one voice
--   verdict: 'same', 'compatible' or 'conflict'
--   why: how the verdict was reached (the computation, or the curators' reasoning)
--   verdict_basis: 'computed' (from the comparable values or the one-voice rule) or 'curated' (claim_verdicts)
CREATE OR REPLACE VIEW claim_pairs AS
WITH c AS (
    SELECT
        claim_id, subject_table, subject_id, attribute, value_kind, date_start, date_end,
        range_low, range_high, range_unit, label,
        article_id || '/' || coalesce(asserted_by_id, '') AS voice_key,
        CASE value_kind
            WHEN 'date_window' THEN coalesce(CAST(date_start AS VARCHAR), '') || '..' || coalesce(CAST(date_end AS VARCHAR), '')
            WHEN 'range' THEN coalesce(CAST(range_low AS VARCHAR), '') || '..' || coalesce(CAST(range_high AS VARCHAR), '') || ' ' || coalesce(range_unit, '')
            ELSE label
        END AS comparable
    FROM claims
), p AS (
    SELECT
        a.subject_table, a.subject_id, a.attribute, a.claim_id AS claim_a, b.claim_id AS claim_b,
        a.value_kind, a.comparable AS comparable_a, b.comparable AS comparable_b,
        a.voice_key = b.voice_key AS same_voice,
        CASE WHEN a.label < b.label THEN a.label ELSE b.label END AS label_lo,
        CASE WHEN a.label < b.label THEN b.label ELSE a.label END AS label_hi,
        CASE
            WHEN a.value_kind = 'date_window'
                THEN (a.date_start IS NULL OR b.date_end IS NULL OR a.date_start <= b.date_end)
                 AND (b.date_start IS NULL OR a.date_end IS NULL OR b.date_start <= a.date_end)
            WHEN a.value_kind = 'range'
                THEN a.range_unit = b.range_unit
                 AND (a.range_low IS NULL OR b.range_high IS NULL OR a.range_low <= b.range_high)
                 AND (b.range_low IS NULL OR a.range_high IS NULL OR b.range_low <= a.range_high)
            ELSE NULL
        END AS overlaps
    FROM c a
    JOIN c b ON b.subject_table = a.subject_table AND b.subject_id = a.subject_id
        AND b.attribute = a.attribute AND a.claim_id < b.claim_id
)
SELECT
    p.subject_table, p.subject_id, p.attribute, p.claim_a, p.claim_b, p.comparable_a, p.comparable_b, p.same_voice,
    CASE
        WHEN p.comparable_a = p.comparable_b THEN 'same'
        WHEN p.same_voice THEN 'compatible'
        WHEN p.value_kind <> 'label' AND p.overlaps THEN 'compatible'
        WHEN p.value_kind <> 'label' THEN 'conflict'
        ELSE v.verdict
    END AS verdict,
    CASE
        WHEN p.comparable_a = p.comparable_b THEN 'the same value: ' || p.comparable_a
        WHEN p.same_voice THEN 'one article in one voice: its claims are read as consistent'
        WHEN p.value_kind = 'date_window' AND p.overlaps THEN 'the date windows ' || p.comparable_a || ' and ' || p.comparable_b || ' overlap'
        WHEN p.value_kind = 'date_window' THEN 'the date windows ' || p.comparable_a || ' and ' || p.comparable_b || ' do not overlap'
        WHEN p.value_kind = 'range' AND p.overlaps THEN 'the ranges ' || p.comparable_a || ' and ' || p.comparable_b || ' overlap'
        WHEN p.value_kind = 'range' THEN 'the ranges ' || p.comparable_a || ' and ' || p.comparable_b || ' do not overlap'
        ELSE v.reasoning
    END AS why,
    CASE WHEN p.comparable_a <> p.comparable_b AND NOT p.same_voice AND p.value_kind = 'label' THEN 'curated' ELSE 'computed' END AS verdict_basis
FROM p
LEFT JOIN claim_verdicts v ON v.subject_table = p.subject_table AND v.subject_id = p.subject_id
    AND v.attribute = p.attribute AND v.label_a = p.label_lo AND v.label_b = p.label_hi
ORDER BY p.subject_table, p.subject_id, p.attribute, p.claim_a, p.claim_b;
