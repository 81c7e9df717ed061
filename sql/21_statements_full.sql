-- Who said what, when, at which occasion, and where was it reported?
--
-- One row per statement. The occasion is the event the words were said at (a briefing, a
-- meeting, the act of warning); what a statement is about is in statement_events and the
-- statements_about view. reported_as says in words what the row is, so that only words the
-- article gives as said inside quotation marks are quoted as someone's words: an expectation
-- ("is expected to have reiterated") is never a quotation, and reported speech is a paraphrase
-- in the article's words.
-- Columns:
--   statement_id: the statement (statements.statement_id)
--   said_date: the day it was said, when known to the day
--   said_date_start: earliest day it can have been said (empty: no lower bound)
--   said_date_end: latest day it can have been said
--   said_date_basis: stated | inferred | cross_article | external
--   speaker_id: who said it (actors.actor_id)
--   speaker_name: the speaker's name
--   speaker_type: the speaker's actor_type
--   speaker_country: the speaker's ISO 3166-1 alpha-3 country
--   mode: direct | indirect
--   factuality: asserted | reported | expected
--   text: the words, verbatim
--   article_id: the article that reports it
--   outlet: the article's outlet or wire agency id
--   published_date: the article's publication date
--   occasion_event_id: the event it was said at, when known
--   occasion_basis: stated | inferred (empty without an occasion)
--   occasion_title: that event's title
--   addressee_ids: who it was said to, where the text names them: actor ids joined by ';' in id order (statement_addressees)
--   relayed_by_id: who relayed it to the article
--   part_of_statement_id: the indirect statement a quoted fragment belongs to
--   reported_as: mode and factuality in words: 'direct quotation', 'direct quotation, reported second-hand', 'paraphrase', 'paraphrase, reported second-hand', or 'reported as expected (quoted words)' / 'reported as expected (paraphrase)': the article only expects the words were or will be said
--   is_quotation: true only for words the article gives in quotation marks as said (mode direct, factuality asserted or reported); quote only these as the speaker's words
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
    s.occasion_event_id,
    s.occasion_basis,
    e.title AS occasion_title,
    (SELECT string_agg(sa.addressee_id, ';' ORDER BY sa.addressee_id) FROM statement_addressees sa
     WHERE sa.statement_id = s.statement_id) AS addressee_ids,
    s.relayed_by_id,
    s.part_of_statement_id,
    CASE
        WHEN s.factuality = 'expected' AND s.mode = 'direct' THEN 'reported as expected (quoted words)'
        WHEN s.factuality = 'expected' THEN 'reported as expected (paraphrase)'
        WHEN s.mode = 'direct' AND s.factuality = 'reported' THEN 'direct quotation, reported second-hand'
        WHEN s.mode = 'direct' THEN 'direct quotation'
        WHEN s.factuality = 'reported' THEN 'paraphrase, reported second-hand'
        ELSE 'paraphrase'
    END AS reported_as,
    (s.mode = 'direct' AND s.factuality <> 'expected') AS is_quotation
FROM statements s
JOIN actors sp ON sp.actor_id = s.speaker_id
JOIN articles a ON a.article_id = s.article_id
LEFT JOIN events e ON e.event_id = s.occasion_event_id
ORDER BY s.said_date_end, s.article_id, s.char_start, s.statement_id;
