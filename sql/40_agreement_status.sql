-- What was each agreement's status on a given date? Its lifecycle over time.
--
-- One row per event that changed or marked an agreement, in the order of the one dating rule
-- (event_placement): an event takes effect on its placed day (its day; a period's first day; a
-- closed window's midpoint; an open window's known bound), and events on the same day keep
-- the timeline's order, an open start first ("had earlier indicated" comes before the decision
-- it preceded). certain_from gives the latest day the event can fall on, from which the status
-- is certain whatever the rule.
-- Status on day D: WHERE effective_date <= D AND (valid_until IS NULL OR D < valid_until).
-- The mapping from effect to status is the one documented on agreement_events.effect.
-- Columns:
--   agreement_id: the agreement (agreements.agreement_id)
--   name: the agreement's name
--   agreement_type: the agreement's type (agreements.agreement_type)
--   event_id: the event that changed or marked the agreement
--   event_title: that event's title
--   effect: what the event did to the agreement (agreement_events.effect)
--   effective_date: the day the dating rule places the event on (event_placement.placed_date); the status holds from then on
--   status: the agreement's status from effective_date on: the effect's status after, or the previous status when the effect leaves it unchanged
--   valid_until: the next row's effective_date, exclusive; empty for the current status
--   article_id: the article that gives the evidence
--   evidence_text: the verbatim evidence span
--   certain_from: the latest day the event can fall on (date_end, else date_start): from then on the status is certain under any placement
CREATE OR REPLACE VIEW agreement_status AS
WITH steps AS (
    SELECT
        ae.agreement_id, ae.event_id, ae.effect, ae.article_id, ae.evidence_text,
        p.placed_date AS effective_date,
        p.sort_rank,
        coalesce(p.date_end, p.date_start) AS certain_from,
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
    JOIN event_placement p ON p.event_id = ae.event_id
), grouped AS (
    SELECT *,
        count(status_change) OVER (PARTITION BY agreement_id ORDER BY sort_rank, effect
            ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS change_no,
        lead(effective_date) OVER (PARTITION BY agreement_id ORDER BY sort_rank, effect) AS valid_until
    FROM steps
), ordered AS (
    SELECT *, max(status_change) OVER (PARTITION BY agreement_id, change_no) AS status
    FROM grouped
)
SELECT
    o.agreement_id, g.name, g.agreement_type, o.event_id, e.title AS event_title, o.effect,
    o.effective_date, o.status, o.valid_until, o.article_id, o.evidence_text, o.certain_from
FROM ordered o
JOIN agreements g ON g.agreement_id = o.agreement_id
JOIN events e ON e.event_id = o.event_id
ORDER BY o.agreement_id, o.sort_rank, o.effect;
