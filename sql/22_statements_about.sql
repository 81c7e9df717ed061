-- What did each side say about event X, and when?
--
-- One row per statement and event it is about (statement_events), with the speaker, the
-- speaker's country (the side), when it was said and where it was reported. Filter on
-- event_id to read everything said about one event, in the order it was said.
-- Columns:
--   event_id: the event the statement is about
--   event_title: that event's title
--   link_basis: stated (the statement or its attribution names the event) | inferred
--   link_evidence: the words the link rests on, verbatim (statement_events.evidence_text)
--   statement_id: the statement
--   speaker_id: who said it
--   speaker_name: the speaker's name
--   speaker_country: the speaker's ISO 3166-1 alpha-3 country (the side), when known
--   said_date: the day it was said, when known to the day
--   said_date_start: earliest day it can have been said (empty: no lower bound)
--   said_date_end: latest day it can have been said
--   mode: direct | indirect
--   factuality: asserted | reported | expected
--   text: the words, verbatim
--   occasion_event_id: the event it was said at, when known
--   article_id: the article that reports it
--   published_date: the article's publication date
CREATE OR REPLACE VIEW statements_about AS
SELECT
    x.event_id,
    e.title AS event_title,
    x.basis AS link_basis,
    x.evidence_text AS link_evidence,
    s.statement_id,
    s.speaker_id,
    sp.name AS speaker_name,
    sp.country_iso3 AS speaker_country,
    s.said_date,
    s.said_date_start,
    s.said_date_end,
    s.mode,
    s.factuality,
    s.text,
    s.occasion_event_id,
    s.article_id,
    a.published_date
FROM statement_events x
JOIN statements s ON s.statement_id = x.statement_id
JOIN events e ON e.event_id = x.event_id
JOIN actors sp ON sp.actor_id = s.speaker_id
JOIN articles a ON a.article_id = s.article_id
ORDER BY x.event_id, s.said_date_end, s.said_date_start NULLS FIRST, s.article_id, s.char_start, s.statement_id;
