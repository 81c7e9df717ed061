-- Who said what, when, where it was reported?
--
-- One row per statement. Columns: statement_id, said_date (when known to the day),
-- said_date_start, said_date_end (the window it can have been said in), said_date_basis,
-- speaker_id, speaker_name, speaker_type, speaker_country, mode (direct | indirect),
-- factuality (asserted | reported | expected), text, article_id, outlet (outlet or wire
-- agency id), published_date, event_id, event_title, addressee_id, relayed_by_id,
-- part_of_statement_id.
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
