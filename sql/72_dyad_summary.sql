-- How cooperative or conflictual was each directed dyad over the whole period?
--
-- One row per level ('state' or 'actor_code') and directed dyad source -> target, with the
-- measures of event_series over every counted event (status occurred or ongoing). Dating is
-- the one rule of event_placement; an event the sources give no bound for is in no period of
-- event_series and is counted here in n_undated, so n_events = the dyad's events in
-- event_series' periods + n_undated: nothing counted is dropped. An event counts once per dyad
-- at each level; a country or code is never its own dyad.
-- Columns:
--   level: 'state' (countries) or 'actor_code' (CAMEO actor codes)
--   source: the acting country or actor code
--   target: the country or actor code acted on
--   n_events: number of distinct events
--   goldstein_sum: sum of the events' Goldstein scores, rounded to one decimal (the scale has one)
--   goldstein_mean: mean Goldstein score, summed in tenths so that every engine rounds the same exact value
--   n_verbal_coop: events of CAMEO QuadClass 1 (verbal cooperation)
--   n_material_coop: events of QuadClass 2 (material cooperation)
--   n_verbal_conflict: events of QuadClass 3 (verbal conflict)
--   n_material_conflict: events of QuadClass 4 (material conflict)
--   n_window_placed: events placed at a closed window's midpoint or a period's first day
--   n_undated: events the sources give no bound for (in no period of event_series)
--   n_date_not_stated: events whose date is not stated in the text
--   first_date: earliest placed day
--   last_date: latest placed day
--   event_ids: the events, in id order
--   n_open_window: events placed at the known bound of a window open on one side
--   goldstein_sum_closed: goldstein_sum without the open-window events (the sensitivity companion)
-- DuckDB-specific: list() aggregate.
CREATE VIEW dyad_summary AS
WITH units AS (
    SELECT DISTINCT 'state' AS level, source_country AS source, target_country AS target, event_id,
           goldstein, quad_class, placement, open_window, date_basis, placed_date
    FROM event_dyads_coded
    WHERE counted AND source_country IS NOT NULL AND target_country IS NOT NULL AND source_country <> target_country
    UNION
    SELECT DISTINCT 'actor_code', source_actor_code, target_actor_code, event_id,
           goldstein, quad_class, placement, open_window, date_basis, placed_date
    FROM event_dyads_coded
    WHERE counted AND source_actor_code IS NOT NULL AND target_actor_code IS NOT NULL AND source_actor_code <> target_actor_code
)
SELECT
    level,
    source,
    target,
    count(*) AS n_events,
    round(sum(goldstein), 1) AS goldstein_sum,
    round(sum(round(goldstein * 10)) / (10.0 * count(*)), 3) AS goldstein_mean,
    count(CASE WHEN quad_class = 1 THEN 1 END) AS n_verbal_coop,
    count(CASE WHEN quad_class = 2 THEN 1 END) AS n_material_coop,
    count(CASE WHEN quad_class = 3 THEN 1 END) AS n_verbal_conflict,
    count(CASE WHEN quad_class = 4 THEN 1 END) AS n_material_conflict,
    count(CASE WHEN placement IN ('window_midpoint', 'period_start') THEN 1 END) AS n_window_placed,
    count(CASE WHEN placed_date IS NULL THEN 1 END) AS n_undated,
    count(CASE WHEN date_basis <> 'stated' THEN 1 END) AS n_date_not_stated,
    min(placed_date) AS first_date,
    max(placed_date) AS last_date,
    list(event_id ORDER BY event_id) AS event_ids,
    count(CASE WHEN open_window THEN 1 END) AS n_open_window,
    round(sum(CASE WHEN open_window THEN 0 ELSE goldstein END), 1) AS goldstein_sum_closed
FROM units
GROUP BY level, source, target
ORDER BY level, source, target;
