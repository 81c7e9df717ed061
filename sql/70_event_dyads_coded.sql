-- Who acted on whom in each event, resolved to CAMEO actor codes, countries and sectors, with the event's score?
--
-- One row per event and directed actor pair. An initiator acting on a target gives the pair
-- initiator -> target (dyad_kind 'directed'); actors taking part on an equal footing
-- (participant, host) give a pair in each direction (dyad_kind 'mutual'), as in the dyads view.
-- Codes come from actor_codes (country_code, sector_code); an actor without a row there falls
-- back to actors.country_iso3 and has no sector. Placement rule (used by event_series): a
-- day-precision event is placed on its day; an instant with a window of days (month, year,
-- range) at the window's midpoint (rounded down); a period at its first day; an event with an
-- open or unknown window (open_start, open_end, unknown) is not placed. Events are counted
-- (counted = true) when their status is occurred or ongoing: a threat is counted as the act of
-- threatening (CAMEO 13x, occurred on the day it was made), never as the threatened action, whose
-- own row (threatened, announced, scheduled, expected, proposed, hypothetical, cancelled) is
-- listed but not counted. Deadlines have no CAMEO code and no row.
-- Columns:
--   event_id: the event (events.event_id)
--   dyad_kind: 'directed' (initiator -> target) or 'mutual' (participant or host, each direction)
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
--   placement: how placed_date was chosen: 'day', 'window_midpoint', 'period_start', or empty (not placed)
--   placed_date: the day the event is counted on in event_series; empty when not placed
-- DuckDB-specific: date arithmetic (date - date is a number of days).
CREATE VIEW event_dyads_coded AS
WITH roles AS (
    SELECT DISTINCT event_id, actor_id, role FROM event_actors
), pairs AS (
    SELECT s.event_id, 'directed' AS dyad_kind, s.actor_id AS source_actor_id, t.actor_id AS target_actor_id
    FROM roles s JOIN roles t ON t.event_id = s.event_id
    WHERE s.role = 'initiator' AND t.role = 'target' AND s.actor_id <> t.actor_id
    UNION
    SELECT s.event_id, 'mutual', s.actor_id, t.actor_id
    FROM roles s JOIN roles t ON t.event_id = s.event_id
    WHERE s.role IN ('participant', 'host') AND t.role IN ('participant', 'host') AND s.actor_id <> t.actor_id
), coded AS (
    SELECT a.actor_id,
           coalesce(c.cameo_actor_code, a.country_iso3) AS actor_code,
           coalesce(c.country_code, a.country_iso3) AS country,
           c.sector_code AS sector
    FROM actors a LEFT JOIN actor_codes c ON c.actor_id = a.actor_id
), placed AS (
    SELECT e.*,
           CASE
               WHEN e.date_precision = 'day' THEN 'day'
               WHEN e.date_start IS NULL OR e.date_end IS NULL THEN NULL
               WHEN e.date_span_type = 'period' THEN 'period_start'
               ELSE 'window_midpoint'
           END AS placement
    FROM events e
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
    e.placement,
    CASE e.placement
        WHEN 'day' THEN e.date_start
        WHEN 'period_start' THEN e.date_start
        WHEN 'window_midpoint' THEN e.date_start + CAST(floor((e.date_end - e.date_start) / 2) AS INTEGER)
    END AS placed_date
FROM pairs p
JOIN placed e ON e.event_id = p.event_id
JOIN cameo_codes c ON c.cameo_code = e.cameo_code
JOIN coded s ON s.actor_id = p.source_actor_id
JOIN coded t ON t.actor_id = p.target_actor_id
ORDER BY p.event_id, p.source_actor_id, p.target_actor_id;
