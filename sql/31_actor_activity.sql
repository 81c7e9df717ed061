-- What did each actor do and say, and when do they appear?
--
-- One row per actor.
-- Columns:
--   actor_id: the actor (actors.actor_id)
--   name: the actor's name
--   actor_type: the actor's type (actors.actor_type)
--   country_iso3: the actor's country (ISO 3166-1 alpha-3)
--   n_events: events the actor takes part in, in any role
--   n_statements: statements the actor made, as speaker
--   n_articles: articles that name the actor, through an alias, a role, a credit, an event role or a statement
--   first_appearance: earliest day among the actor's events' windows and statements' said-date windows (empty when none is dated)
--   last_appearance: latest day among the same windows (empty when none is dated)
CREATE OR REPLACE VIEW actor_activity AS
WITH dates AS (
    SELECT ea.actor_id, coalesce(e.date_start, e.date_end) AS d_first, coalesce(e.date_end, e.date_start) AS d_last
    FROM event_actors ea JOIN events e ON e.event_id = ea.event_id
    UNION ALL
    SELECT speaker_id, coalesce(said_date_start, said_date_end), said_date_end FROM statements
), seen AS (
    SELECT actor_id, article_id FROM actor_aliases
    UNION SELECT actor_id, article_id FROM actor_roles
    UNION SELECT actor_id, article_id FROM article_credits
    UNION SELECT actor_id, article_id FROM event_actors
    UNION SELECT speaker_id, article_id FROM statements
)
SELECT
    a.actor_id,
    a.name,
    a.actor_type,
    a.country_iso3,
    (SELECT count(DISTINCT event_id) FROM event_actors x WHERE x.actor_id = a.actor_id) AS n_events,
    (SELECT count(*) FROM statements x WHERE x.speaker_id = a.actor_id) AS n_statements,
    (SELECT count(DISTINCT article_id) FROM seen x WHERE x.actor_id = a.actor_id) AS n_articles,
    (SELECT min(d_first) FROM dates x WHERE x.actor_id = a.actor_id) AS first_appearance,
    (SELECT max(d_last) FROM dates x WHERE x.actor_id = a.actor_id) AS last_appearance
FROM actors a
ORDER BY 5 DESC, 6 DESC, a.actor_id;
