-- What was each agreement's status on a given date? Its lifecycle over time.
--
-- One row per event that changed or marked an agreement, in date order. Events on the
-- same effective_date are ordered by their earliest possible day, an open start first
-- ("had earlier indicated" comes before the decision it preceded).
-- Status on day D: WHERE effective_date <= D AND (valid_until IS NULL OR D < valid_until).
-- The mapping from effect to status is the one documented on agreement_events.effect.
-- Columns:
--   agreement_id: the agreement (agreements.agreement_id)
--   name: the agreement's name
--   agreement_type: the agreement's type (agreements.agreement_type)
--   event_id: the event that changed or marked the agreement
--   event_title: that event's title
--   effect: what the event did to the agreement (agreement_events.effect)
--   effective_date: the latest day the event can fall on: the status is certain from then on
--   status: the agreement's status from effective_date on: the effect's status after, or the previous status when the effect leaves it unchanged
--   valid_until: the next row's effective_date, exclusive; empty for the current status
--   article_id: the article that gives the evidence
--   evidence_text: the verbatim evidence span
-- DuckDB-specific: last_value(... IGNORE NULLS).
CREATE OR REPLACE VIEW agreement_status AS
WITH steps AS (
    SELECT
        ae.agreement_id, ae.event_id, ae.effect, ae.article_id, ae.evidence_text,
        coalesce(e.date_end, e.date_start) AS effective_date,
        e.date_start,
        CASE ae.effect
            WHEN 'signed' THEN 'in_force'
            WHEN 'concluded' THEN 'concluded'
            WHEN 'proposed' THEN 'proposed'
            WHEN 'termination_indicated' THEN 'under_review'
            WHEN 'kept' THEN 'in_force'
            WHEN 'removal_decided' THEN 'removal_decided'
            WHEN 'removed' THEN 'revoked'
            ELSE NULL  -- renewal_due, expiry_due, reaffirmation_expected, invoked, review_threatened: unchanged
        END AS status_change
    FROM agreement_events ae
    JOIN events e ON e.event_id = ae.event_id
), ordered AS (
    SELECT *,
        last_value(status_change IGNORE NULLS) OVER (PARTITION BY agreement_id ORDER BY effective_date, date_start NULLS FIRST, event_id
            ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS status,
        lead(effective_date) OVER (PARTITION BY agreement_id ORDER BY effective_date, date_start NULLS FIRST, event_id) AS valid_until
    FROM steps
)
SELECT
    o.agreement_id, g.name, g.agreement_type, o.event_id, e.title AS event_title, o.effect,
    o.effective_date, o.status, o.valid_until, o.article_id, o.evidence_text
FROM ordered o
JOIN agreements g ON g.agreement_id = o.agreement_id
JOIN events e ON e.event_id = o.event_id
ORDER BY o.agreement_id, o.effective_date, o.date_start NULLS FIRST, o.event_id;
