-- How many articles and outlets back each event?
--
-- One row per event.
-- Columns:
--   event_id: the event (events.event_id)
--   title: the event's title (events.title)
--   n_mentions: evidence spans that mention the event (rows of event_mentions)
--   n_articles: distinct articles that mention the event
--   n_outlets: distinct news organisations among those articles: the outlet, or the wire agency for a wire story republished by an unnamed site
--   article_ids: the articles that mention the event (list, sorted)
--   outlets: the outlet or wire agency ids of those articles (list, sorted)
--   first_reported: the earliest publication date among those articles
--   last_reported: the latest publication date among those articles
-- DuckDB-specific: list() aggregate (array_agg elsewhere).
CREATE OR REPLACE VIEW event_sources AS
SELECT
    e.event_id,
    e.title,
    count(m.article_id) AS n_mentions,
    count(DISTINCT m.article_id) AS n_articles,
    count(DISTINCT coalesce(a.outlet_id, a.wire_agency_id)) AS n_outlets,
    list(DISTINCT m.article_id ORDER BY m.article_id) AS article_ids,
    list(DISTINCT coalesce(a.outlet_id, a.wire_agency_id) ORDER BY coalesce(a.outlet_id, a.wire_agency_id)) AS outlets,
    min(a.published_date) AS first_reported,
    max(a.published_date) AS last_reported
FROM events e
LEFT JOIN event_mentions m ON m.event_id = e.event_id
LEFT JOIN articles a ON a.article_id = m.article_id
GROUP BY e.event_id, e.title;
