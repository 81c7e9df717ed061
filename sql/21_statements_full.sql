-- Who said what, when, where it was reported?
--
-- One row per statement, with its speaker, article and event spelled out.
-- Columns:
--   statement_id: the statement (statements.statement_id)
--   said_date: the day the statement was made, when known to the day
--   said_date_start: earliest day the statement can have been made
--   said_date_end: latest day the statement can have been made
--   said_date_basis: whether the said-date window is stated by a source or inferred
--   speaker_id: the actor who spoke (actors.actor_id)
--   speaker_name: the speaker's name (actors.name)
--   speaker_type: the speaker's actor type (actors.actor_type)
--   speaker_country: the speaker's country (ISO 3166-1 alpha-3)
--   mode: direct (quoted) or indirect (reported speech)
--   factuality: how firmly the article reports that the words were said: asserted, reported or expected
--   text: the statement's text as the article gives it
--   article_id: the article that reports the statement
--   outlet: the article's outlet, or its wire agency when the outlet is not named
--   published_date: the article's publication date
--   event_id: the event the statement belongs to, if any
--   event_title: that event's title
--   addressee_id: the actor the statement was said to, when stated
--   relayed_by_id: the actor who relayed the words to the article, when they reach it second-hand
--   part_of_statement_id: for a quoted fragment inside reported speech, the indirect statement it belongs to
CREATE OR REPLACE VIEW statements_full AS
SELECT
    s.statement_id,
    s.said_date,
    s.said_date_start,
    s.said_date_end,
    s.said_date_basis,
    s.speaker_id,
    sp.name AS speaker_name,
    sp.actor_type AS speaker_type,
    sp.country_iso3 AS speaker_country,
    s.mode,
    s.factuality,
    s.text,
    s.article_id,
    coalesce(a.outlet_id, a.wire_agency_id) AS outlet,
    a.published_date,
    s.event_id,
    e.title AS event_title,
    s.addressee_id,
    s.relayed_by_id,
    s.part_of_statement_id
FROM statements s
JOIN actors sp ON sp.actor_id = s.speaker_id
JOIN articles a ON a.article_id = s.article_id
LEFT JOIN events e ON e.event_id = s.event_id
ORDER BY s.said_date_end, s.article_id, s.char_start, s.statement_id;
