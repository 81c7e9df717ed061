-- How cooperative or conflictual was each directed dyad over the whole period?
--
-- One row per level ('state' or 'actor_code') and directed dyad source -> target, with the
-- measures of event_series over every counted event (status occurred or ongoing),
-- including events with an open or unknown window, which event_series leaves out: they are
-- counted in n_undated. An event counts once per dyad at each level.
-- Columns:
--   level: 'state' (countries) or 'actor_code' (CAMEO actor codes)
--   source: the acting country or actor code
--   target: the country or actor code acted on
--   n_events: number of distinct events
--   goldstein_sum: sum of the events' Goldstein scores, rounded to one decimal (the scale has one)
--   goldstein_mean: mean Goldstein score
--   n_verbal_coop: events of CAMEO QuadClass 1 (verbal cooperation)
--   n_material_coop: events of QuadClass 2 (material cooperation)
--   n_verbal_conflict: events of QuadClass 3 (verbal conflict)
--   n_material_conflict: events of QuadClass 4 (material conflict)
--   n_window_placed: events placed by the rule (window midpoint or period start)
--   n_undated: events with an open or unknown window (not placed in event_series)
--   n_date_not_stated: events whose date is not stated in the text
--   first_date: earliest placed day
--   last_date: latest placed day
--   event_ids: the events, in id order
-- DuckDB-specific: list() aggregate.
CREATE VIEW dyad_summary AS
WITH units AS (
    SELECT DISTINCT 'state' AS level, source_country AS source, target_country AS target, event_id,
           goldstein, quad_class, placement, date_basis, placed_date
    FROM event_dyads_coded
    WHERE counted AND source_country IS NOT NULL AND target_country IS NOT NULL
    UNION
    SELECT DISTINCT 'actor_code', source_actor_code, target_actor_code, event_id,
           goldstein, quad_class, placement, date_basis, placed_date
    FROM event_dyads_coded
    WHERE counted AND source_actor_code IS NOT NULL AND target_actor_code IS NOT NULL
)
SELECT
    level,
    source,
    target,
    count(*) AS n_events,
    round(sum(goldstein), 1) AS goldstein_sum,
    round(avg(goldstein), 3) AS goldstein_mean,
    count(*) FILTER (WHERE quad_class = 1) AS n_verbal_coop,
    count(*) FILTER (WHERE quad_class = 2) AS n_material_coop,
    count(*) FILTER (WHERE quad_class = 3) AS n_verbal_conflict,
    count(*) FILTER (WHERE quad_class = 4) AS n_material_conflict,
    count(*) FILTER (WHERE placement IN ('window_midpoint', 'period_start')) AS n_window_placed,
    count(*) FILTER (WHERE placed_date IS NULL) AS n_undated,
    count(*) FILTER (WHERE date_basis <> 'stated') AS n_date_not_stated,
    min(placed_date) AS first_date,
    max(placed_date) AS last_date,
    list(event_id ORDER BY event_id) AS event_ids
FROM units
GROUP BY level, source, target
ORDER BY level, source, target;
