-- How cooperative or conflictual was each directed dyad, week by week and month by month?
--
-- One row per level ('state': countries; 'actor_code': CAMEO actor codes such as JPNGOV or
-- KORJUD), period ('week': ISO weeks starting on Monday; 'month'), period start and directed
-- dyad source -> target, built from event_dyads_coded. An event counts once per dyad at each
-- level, however many of its actors resolve to the same pair (four actor pairs of one threat
-- are one KOR -> JPN event). Only counted events (status occurred or ongoing) are
-- included. Placement rule: a day-precision event falls on its day; an instant known only to a
-- window (month, year, range) falls on the window's midpoint and is counted in
-- n_window_placed; a period falls on its first day (also in n_window_placed); an event with an
-- open or unknown window is left out of the series (dyad_summary counts it as undated).
-- Dyads with an unknown country (an IGO, unnamed airlines) have no state-level row.
-- Columns:
--   level: 'state' (source and target are countries) or 'actor_code' (CAMEO actor codes)
--   period: 'week' or 'month'
--   period_start: first day of the week (Monday) or of the month
--   source: the acting country or actor code
--   target: the country or actor code acted on
--   n_events: number of distinct events
--   goldstein_sum: sum of the events' Goldstein scores, rounded to one decimal (the scale has one)
--   goldstein_mean: mean Goldstein score (goldstein_sum / n_events)
--   n_verbal_coop: events of CAMEO QuadClass 1 (verbal cooperation)
--   n_material_coop: events of QuadClass 2 (material cooperation)
--   n_verbal_conflict: events of QuadClass 3 (verbal conflict)
--   n_material_conflict: events of QuadClass 4 (material conflict)
--   n_window_placed: events placed by the rule (window midpoint or period start) rather than on a known day
--   n_date_not_stated: events whose date is not stated in the text (date_basis inferred, cross_article or external)
--   event_ids: the events, in id order
-- DuckDB-specific: list() aggregate, date_trunc('week', ...).
CREATE VIEW event_series AS
WITH units AS (
    SELECT DISTINCT 'state' AS level, source_country AS source, target_country AS target, event_id,
           goldstein, quad_class, placement, date_basis, placed_date
    FROM event_dyads_coded
    WHERE counted AND placed_date IS NOT NULL AND source_country IS NOT NULL AND target_country IS NOT NULL
    UNION
    SELECT DISTINCT 'actor_code', source_actor_code, target_actor_code, event_id,
           goldstein, quad_class, placement, date_basis, placed_date
    FROM event_dyads_coded
    WHERE counted AND placed_date IS NOT NULL AND source_actor_code IS NOT NULL AND target_actor_code IS NOT NULL
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
    round(avg(goldstein), 3) AS goldstein_mean,
    count(*) FILTER (WHERE quad_class = 1) AS n_verbal_coop,
    count(*) FILTER (WHERE quad_class = 2) AS n_material_coop,
    count(*) FILTER (WHERE quad_class = 3) AS n_verbal_conflict,
    count(*) FILTER (WHERE quad_class = 4) AS n_material_conflict,
    count(*) FILTER (WHERE placement <> 'day') AS n_window_placed,
    count(*) FILTER (WHERE date_basis <> 'stated') AS n_date_not_stated,
    list(event_id ORDER BY event_id) AS event_ids
FROM periods
GROUP BY level, period, period_start, source, target
ORDER BY level, period, period_start, source, target;
