-- Who met or acted on whom? Directed dyads by event type.
--
-- One row per (source actor, target actor, event_type, plover_type). An initiator acting
-- on a target gives the dyad initiator -> target (dyad_kind 'directed'); actors taking part
-- on an equal footing (participant, host) give a dyad in each direction (dyad_kind
-- 'mutual').
-- Columns:
--   source_actor_id: the acting actor (actors.actor_id)
--   source_name: the acting actor's name
--   target_actor_id: the actor acted on, or met (actors.actor_id)
--   target_name: the target actor's name
--   dyad_kind: directed (initiator -> target) or mutual (participants and hosts, both directions)
--   event_type: the events' type (events.event_type)
--   plover_type: the PLOVER event type of the events' CAMEO codes
--   n_events: distinct events that give this dyad
--   event_ids: those events (list, sorted)
--   first_date: earliest date_start of those events
--   last_date: latest date_end of those events
-- DuckDB-specific: list() aggregate, GROUP BY ALL.
CREATE OR REPLACE VIEW dyads AS
WITH roles AS (
    SELECT DISTINCT event_id, actor_id, role FROM event_actors
), pairs AS (
    SELECT s.event_id, s.actor_id AS source_actor_id, t.actor_id AS target_actor_id, 'directed' AS dyad_kind
    FROM roles s JOIN roles t ON t.event_id = s.event_id
    WHERE s.role = 'initiator' AND t.role = 'target'
    UNION
    SELECT s.event_id, s.actor_id, t.actor_id, 'mutual'
    FROM roles s JOIN roles t ON t.event_id = s.event_id
    WHERE s.role IN ('participant', 'host') AND t.role IN ('participant', 'host') AND s.actor_id <> t.actor_id
)
SELECT
    p.source_actor_id,
    sa.name AS source_name,
    p.target_actor_id,
    ta.name AS target_name,
    p.dyad_kind,
    e.event_type,
    c.plover_type,
    count(DISTINCT p.event_id) AS n_events,
    list(DISTINCT p.event_id ORDER BY p.event_id) AS event_ids,
    min(e.date_start) AS first_date,
    max(e.date_end) AS last_date
FROM pairs p
JOIN events e ON e.event_id = p.event_id
JOIN actors sa ON sa.actor_id = p.source_actor_id
JOIN actors ta ON ta.actor_id = p.target_actor_id
LEFT JOIN cameo_codes c ON c.cameo_code = e.cameo_code
GROUP BY ALL
ORDER BY n_events DESC, p.source_actor_id, p.target_actor_id, e.event_type;
