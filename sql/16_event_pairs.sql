-- Who acted on whom in each event? Directed actor pairs from the actors' roles, never from sorting.
--
-- One row per event and directed actor pair, taken from the roles in event_actors. The
-- direction always comes from a role: an initiator acts on each target ('directed'); an
-- initiator of an act without a target (a testimony, a briefing) addresses each host and
-- participant present ('addressed': Suh Hoon testifies to the parliamentary intelligence
-- panel, never the panel to the lawmaker who relayed him); in an event without an initiator
-- a host receives each guest ('hosted': Wang Yi receives Kang Kyung-wha in Beijing, CAMEO 043
-- host a visit), except a guest of the host's own country (China does not host its own
-- foreign minister); and participants meeting on an equal footing give a pair in each
-- direction ('mutual'). Co-hosts give no pair with each other. No actor is paired with itself.
-- dyads, event_dyads_coded, event_series, dyad_summary and the exports all read pairs from here.
-- Columns:
--   event_id: the event (events.event_id)
--   dyad_kind: 'directed' (initiator -> target), 'addressed' (initiator -> host or participant, no target), 'hosted' (host -> guest) or 'mutual' (participant -> participant, both directions)
--   source_actor_id: the acting actor (actors.actor_id)
--   target_actor_id: the actor acted on, addressed, received or met (actors.actor_id)
CREATE OR REPLACE VIEW event_pairs AS
WITH roles AS (
    SELECT DISTINCT x.event_id, x.actor_id, x.role, a.country_iso3
    FROM event_actors x JOIN actors a ON a.actor_id = x.actor_id
), shape AS (
    SELECT
        event_id,
        max(CASE WHEN role = 'initiator' THEN 1 ELSE 0 END) AS has_initiator,
        max(CASE WHEN role = 'target' THEN 1 ELSE 0 END) AS has_target
    FROM roles
    GROUP BY event_id
), pairs AS (
    SELECT s.event_id, 'directed' AS dyad_kind, s.actor_id AS source_actor_id, t.actor_id AS target_actor_id
    FROM roles s JOIN roles t ON t.event_id = s.event_id
    WHERE s.role = 'initiator' AND t.role = 'target'
    UNION
    SELECT s.event_id, 'addressed', s.actor_id, t.actor_id
    FROM roles s JOIN roles t ON t.event_id = s.event_id JOIN shape h ON h.event_id = s.event_id
    WHERE s.role = 'initiator' AND t.role IN ('host', 'participant') AND h.has_target = 0
    UNION
    SELECT s.event_id, 'hosted', s.actor_id, t.actor_id
    FROM roles s JOIN roles t ON t.event_id = s.event_id JOIN shape h ON h.event_id = s.event_id
    WHERE s.role = 'host' AND t.role = 'participant' AND h.has_initiator = 0
      AND (s.country_iso3 IS NULL OR t.country_iso3 IS NULL OR s.country_iso3 <> t.country_iso3)
    UNION
    SELECT s.event_id, 'mutual', s.actor_id, t.actor_id
    FROM roles s JOIN roles t ON t.event_id = s.event_id JOIN shape h ON h.event_id = s.event_id
    WHERE s.role = 'participant' AND t.role = 'participant' AND h.has_initiator = 0
)
SELECT event_id, dyad_kind, source_actor_id, target_actor_id
FROM pairs
WHERE source_actor_id <> target_actor_id
ORDER BY event_id, source_actor_id, target_actor_id;
