-- Who met or acted on whom? Directed dyads by event type.
--
-- One row per (source actor, target actor, dyad_kind, event_type, plover_type), from the
-- role-based pairs of event_pairs: initiator -> target ('directed'), initiator -> host or
-- participant of an act without a target ('addressed'), host -> guest ('hosted'), and
-- participants meeting on an equal footing in each direction ('mutual'). No direction comes
-- from sorting, and no actor is paired with itself.
-- Columns:
--   source_actor_id: the acting actor (actors.actor_id)
--   source_name: the acting actor's name
--   target_actor_id: the actor acted on, or met (actors.actor_id)
--   target_name: the target actor's name
--   dyad_kind: directed (initiator -> target), addressed (initiator -> audience), hosted (host -> guest) or mutual (participants, both directions)
--   event_type: the events' type (events.event_type)
--   plover_type: the PLOVER event type of the events' CAMEO codes
--   n_events: distinct events that give this dyad
--   event_ids: those events (list, sorted)
--   first_date: earliest date_start of those events
--   last_date: latest date_end of those events
-- DuckDB-specific: list() aggregate.
CREATE OR REPLACE VIEW dyads AS
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
FROM event_pairs p
JOIN events e ON e.event_id = p.event_id
JOIN actors sa ON sa.actor_id = p.source_actor_id
JOIN actors ta ON ta.actor_id = p.target_actor_id
LEFT JOIN cameo_codes c ON c.cameo_code = e.cameo_code
GROUP BY p.source_actor_id, sa.name, p.target_actor_id, ta.name, p.dyad_kind, e.event_type, c.plover_type
ORDER BY n_events DESC, p.source_actor_id, p.target_actor_id, e.event_type;
