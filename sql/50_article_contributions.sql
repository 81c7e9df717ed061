-- What did each article contribute to the dataset?
--
-- One row per article.
-- Columns:
--   article_id: the article (articles.article_id)
--   outlet: the article's outlet, or its wire agency when the outlet is not named
--   medium: the article's medium (articles.medium)
--   published_date: the article's publication date
--   n_events: distinct events the article mentions
--   n_events_only_here: events that no other article mentions
--   n_mentions: event mentions (evidence spans) in the article
--   n_statements: statements the article reports
--   n_direct: statements the article quotes directly
--   n_indirect: statements the article reports indirectly
--   n_terms: quoted terms in the article (quotations that are not statements)
--   n_actors: distinct actors the article names (through actor_aliases)
--   n_claims: claims taken from the article
CREATE OR REPLACE VIEW article_contributions AS
WITH only_here AS (
    SELECT event_id, min(article_id) AS article_id
    FROM event_mentions
    GROUP BY event_id
    HAVING count(DISTINCT article_id) = 1
)
SELECT
    a.article_id,
    coalesce(a.outlet_id, a.wire_agency_id) AS outlet,
    a.medium,
    a.published_date,
    (SELECT count(DISTINCT event_id) FROM event_mentions m WHERE m.article_id = a.article_id) AS n_events,
    (SELECT count(*) FROM only_here o WHERE o.article_id = a.article_id) AS n_events_only_here,
    (SELECT count(*) FROM event_mentions m WHERE m.article_id = a.article_id) AS n_mentions,
    (SELECT count(*) FROM statements s WHERE s.article_id = a.article_id) AS n_statements,
    (SELECT count(*) FROM statements s WHERE s.article_id = a.article_id AND s.mode = 'direct') AS n_direct,
    (SELECT count(*) FROM statements s WHERE s.article_id = a.article_id AND s.mode = 'indirect') AS n_indirect,
    (SELECT count(*) FROM quotations q WHERE q.article_id = a.article_id AND q.quote_kind = 'term') AS n_terms,
    (SELECT count(DISTINCT actor_id) FROM actor_aliases x WHERE x.article_id = a.article_id) AS n_actors,
    (SELECT count(*) FROM claims c WHERE c.article_id = a.article_id) AS n_claims
FROM articles a
ORDER BY a.article_id;
