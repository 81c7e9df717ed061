-- What happened when? The events in date order.
--
-- One row per event, in the order of the one dating rule (event_placement): by the day the
-- event is placed on (its day; a period's first day; a closed window's midpoint; an open
-- window's known bound), an open start first on the same day ("had earlier indicated" before
-- the decision it preceded), undated events last. Dates are windows: date_start..date_end
-- bound the days the event can fall on; check date_precision and date_basis before reading a
-- window or placed_date as the day it happened.
-- Columns:
--   event_id: the event (events.event_id)
--   date_start: earliest day the event can fall on (empty for an open start)
--   date_end: latest day the event can fall on (empty for an open end)
--   date_precision: how precisely the sources date the event (events.date_precision)
--   date_basis: whether the window is stated by a source or inferred (events.date_basis)
--   title: the event's title
--   event_type: the event's type (events.event_type)
--   cameo_code: the event's CAMEO code, as text
--   plover_type: the PLOVER event type the CAMEO code maps to (cameo_codes.plover_type)
--   status: the event's status as reported by the latest article that mentions it (events.status)
--   location: where the event took place, as reported (city, venue); empty when not reported
--   parent_event_id: the larger event this one is part of, if any
--   actor_ids: the actors taking part in the event in any role (list, sorted; empty list when none)
--   n_articles: distinct articles that mention the event (see event_sources)
--   n_outlets: distinct news organisations that report the event (see event_sources)
--   placement: how placed_date was chosen (event_placement.placement: day, period_start, window_midpoint, known_end, known_start; empty when undated)
--   placed_date: the day the dating rule places the event on (event_placement.placed_date), the day the list is sorted by
-- DuckDB-specific: list() aggregate, list literal [].
CREATE OR REPLACE VIEW timeline AS
SELECT
    e.event_id,
    e.date_start,
    e.date_end,
    e.date_precision,
    e.date_basis,
    e.title,
    e.event_type,
    e.cameo_code,
    c.plover_type,
    e.status,
    e.location,
    e.parent_event_id,
    coalesce((SELECT list(DISTINCT ea.actor_id ORDER BY ea.actor_id) FROM event_actors ea WHERE ea.event_id = e.event_id), []) AS actor_ids,
    s.n_articles,
    s.n_outlets,
    p.placement,
    p.placed_date
FROM events e
JOIN event_placement p ON p.event_id = e.event_id
LEFT JOIN cameo_codes c ON c.cameo_code = e.cameo_code
JOIN event_sources s ON s.event_id = e.event_id
ORDER BY p.sort_rank;
