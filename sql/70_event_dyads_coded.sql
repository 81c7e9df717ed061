-- Who acted on whom in each event, resolved to CAMEO actor codes, countries and sectors, with the event's score?
--
-- One row per event and directed actor pair of event_pairs (initiator -> target 'directed';
-- initiator -> audience 'addressed'; host -> guest 'hosted'; participants in each direction
-- 'mutual'): directions come from roles, never from sorting. Codes come from actor_codes
-- (country_code, sector_code); an actor without a row there falls back to
-- actors.country_iso3 and has no sector. Dating: placed_date is the one dating rule of
-- event_placement (a day; a period's first day; a closed window's midpoint; an open window's
-- known bound; empty when the sources give no bound, or for a period with an open start,
-- whose known end is not a day it happened: the court rulings). Events are counted (counted =
-- true) when their status is occurred or ongoing: a threat is counted as the act of
-- threatening (CAMEO 13x, occurred on the day it was made), never as the threatened action,
-- whose own row (threatened, announced, scheduled, expected, proposed, hypothetical,
-- cancelled) is listed but not counted. Deadlines have no CAMEO code and no row.
-- Columns:
--   event_id: the event (events.event_id)
--   dyad_kind: 'directed' (initiator -> target), 'addressed' (initiator -> audience), 'hosted' (host -> guest) or 'mutual' (participants, each direction)
--   source_actor_id: the acting actor (actors.actor_id)
--   target_actor_id: the actor acted on
--   source_actor_code: CAMEO actor code of the source (actor_codes.cameo_actor_code), e.g. JPNGOV
--   target_actor_code: CAMEO actor code of the target
--   source_country: country of the source (ISO 3166-1 alpha-3), empty for an IGO or unknown
--   target_country: country of the target
--   source_sector: CAMEO sector of the source (GOV, JUD, LEG, BUS, CVL, ...)
--   target_sector: CAMEO sector of the target
--   cameo_code: the event's CAMEO code
--   goldstein: Goldstein score of the code (cameo_codes.goldstein)
--   quad_class: CAMEO QuadClass 1-4 (verbal/material cooperation, verbal/material conflict)
--   plover_type: PLOVER type from the crosswalk (empty for CAMEO 01 and 02)
--   plover_quad_class: PLOVER quad class 1-4 (empty when plover_type is)
--   status: the event's status (events.status)
--   counted: true when the status is occurred or ongoing
--   date_start: earliest day of the event's window (events.date_start)
--   date_end: latest day of the window (events.date_end)
--   date_precision: events.date_precision
--   date_basis: events.date_basis (stated, inferred, cross_article, external)
--   placement: how placed_date was chosen (event_placement): 'day', 'period_start', 'window_midpoint', 'known_end', 'known_start', or empty (undated)
--   placed_date: the day the event is counted on in event_series (event_placement.placed_date); empty when undated
--   open_window: true when placed_date is the known bound of a window open on one side (event_placement.open_window)
CREATE VIEW event_dyads_coded AS
WITH coded AS (
    SELECT a.actor_id,
           coalesce(c.cameo_actor_code, a.country_iso3) AS actor_code,
           coalesce(c.country_code, a.country_iso3) AS country,
           c.sector_code AS sector
    FROM actors a LEFT JOIN actor_codes c ON c.actor_id = a.actor_id
)
SELECT
    p.event_id,
    p.dyad_kind,
    p.source_actor_id,
    p.target_actor_id,
    s.actor_code AS source_actor_code,
    t.actor_code AS target_actor_code,
    s.country AS source_country,
    t.country AS target_country,
    s.sector AS source_sector,
    t.sector AS target_sector,
    e.cameo_code,
    c.goldstein,
    c.quad_class,
    c.plover_type,
    c.plover_quad_class,
    e.status,
    e.status IN ('occurred', 'ongoing') AS counted,
    e.date_start,
    e.date_end,
    e.date_precision,
    e.date_basis,
    d.placement,
    d.placed_date,
    d.open_window
FROM event_pairs p
JOIN events e ON e.event_id = p.event_id
JOIN event_placement d ON d.event_id = p.event_id
JOIN cameo_codes c ON c.cameo_code = e.cameo_code
JOIN coded s ON s.actor_id = p.source_actor_id
JOIN coded t ON t.actor_id = p.target_actor_id
ORDER BY p.event_id, p.source_actor_id, p.target_actor_id;
