-- How cooperative or conflictual was each directed dyad, week by week and month by month?
--
-- One row per level ('state': countries; 'actor_code': CAMEO actor codes such as JPNGOV or
-- KORJUD), period ('week': ISO weeks starting on Monday; 'month'), period start and directed
-- dyad source -> target, built from event_dyads_coded. An event counts once per dyad at each
-- level, however many of its actors resolve to the same pair (four actor pairs of one threat
-- are one KOR -> JPN event); a dyad of a country or code with itself is not a dyad (China
-- receiving its own minister, a spy chief before his own parliament: no row). Only counted
-- events (status occurred or ongoing) are included. Dating is the one rule of
-- event_placement: a day; a period's first day; a closed window's midpoint (n_window_placed);
-- an open window's known bound (n_open_window: an act known only to have been made by a day
-- falls on that day; a period with an open start is undated). Sensitivity: goldstein_sum_closed and n_events_closed give the same
-- period without the open-window events, so a reader sees what the rule changes. An event
-- with no bound at all is in no period: dyad_summary counts it in n_undated, and every
-- counted event of a dyad is either in a period here or in that count.
-- Dyads with an unknown country (an IGO, unnamed airlines) have no state-level row.
-- Columns:
--   level: 'state' (source and target are countries) or 'actor_code' (CAMEO actor codes)
--   period: 'week' or 'month'
--   period_start: first day of the week (Monday) or of the month
--   source: the acting country or actor code
--   target: the country or actor code acted on
--   n_events: number of distinct events
--   goldstein_sum: sum of the events' Goldstein scores, rounded to one decimal (the scale has one)
--   goldstein_mean: mean Goldstein score (goldstein_sum / n_events), summed in tenths so that every engine rounds the same exact value
--   n_verbal_coop: events of CAMEO QuadClass 1 (verbal cooperation)
--   n_material_coop: events of QuadClass 2 (material cooperation)
--   n_verbal_conflict: events of QuadClass 3 (verbal conflict)
--   n_material_conflict: events of QuadClass 4 (material conflict)
--   n_window_placed: events placed at a closed window's midpoint or a period's first day rather than on a known day
--   n_date_not_stated: events whose date is not stated in the text (date_basis inferred, cross_article or external)
--   event_ids: the events, in id order
--   n_open_window: events placed at the known bound of a window open on one side (event_placement.open_window)
--   n_events_closed: n_events without the open-window events (the sensitivity companion)
--   goldstein_sum_closed: goldstein_sum without the open-window events, rounded to one decimal (0 when every event has an open window)
-- DuckDB-specific: list() aggregate, date_trunc('week', ...).
CREATE VIEW event_series AS
WITH units AS (
    SELECT DISTINCT 'state' AS level, source_country AS source, target_country AS target, event_id,
           goldstein, quad_class, placement, open_window, date_basis, placed_date
    FROM event_dyads_coded
    WHERE counted AND placed_date IS NOT NULL AND source_country IS NOT NULL AND target_country IS NOT NULL
      AND source_country <> target_country
    UNION
    SELECT DISTINCT 'actor_code', source_actor_code, target_actor_code, event_id,
           goldstein, quad_class, placement, open_window, date_basis, placed_date
    FROM event_dyads_coded
    WHERE counted AND placed_date IS NOT NULL AND source_actor_code IS NOT NULL AND target_actor_code IS NOT NULL
      AND source_actor_code <> target_actor_code
), periods AS (
    SELECT *, 'week' AS period, CAST(date_trunc('week', placed_date) AS DATE) AS period_start FROM units
    UNION ALL
    SELECT *, 'month', CAST(date_trunc('month', placed_date) AS DATE) FROM units
)
SELECT
    level,
    period,
    period_start,
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
    count(CASE WHEN date_basis <> 'stated' THEN 1 END) AS n_date_not_stated,
    list(event_id ORDER BY event_id) AS event_ids,
    count(CASE WHEN open_window THEN 1 END) AS n_open_window,
    count(CASE WHEN NOT open_window THEN 1 END) AS n_events_closed,
    round(sum(CASE WHEN open_window THEN 0 ELSE goldstein END), 1) AS goldstein_sum_closed
FROM periods
GROUP BY level, period, period_start, source, target
ORDER BY level, period, period_start, source, target;
