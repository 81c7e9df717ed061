-- What happened when? The events in date order.
--
-- One row per event, ordered by the earliest day it can fall on (or, for an open start,
-- its latest day). Columns: event_id, date_start, date_end, date_precision, date_basis,
-- title, event_type, cameo_code, plover_type, status, location, parent_event_id,
-- actor_ids (list of actors in any role), n_articles, n_outlets (see event_sources).
-- Dates are windows: date_start..date_end bound the days the event can fall on; check
-- date_precision and date_basis before reading a window as a day.
-- DuckDB-specific: list() aggregate.
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
    s.n_outlets
FROM events e
LEFT JOIN cameo_codes c ON c.cameo_code = e.cameo_code
JOIN event_sources s ON s.event_id = e.event_id
ORDER BY coalesce(e.date_start, e.date_end) NULLS LAST, e.date_end NULLS LAST, e.event_id;
