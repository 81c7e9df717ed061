-- On which day is each event placed when one day is needed? The one dating rule of every view and export.
--
-- One row per event. Sources date events as windows (date_start..date_end); a series, a
-- sorted list or an export needs one day. This view is the only place that picks it, and
-- timeline, agreement_status, event_dyads_coded, event_series, dyad_summary, the GDELT,
-- ICEWS and PLOVER exports and the chart all read placed_date from here. The rule: a
-- day-precision event falls on its day; a period (a span of time) on its first day; an
-- instant known only to a closed window (month, year, range) on the window's midpoint,
-- rounded down; an act with an open start ("had warned", known only to have happened by a
-- day) on that latest day, the day the sources know it had happened (as ICEWS and GDELT date
-- an event by the report); a period with an open start (a series of unknown start, known only
-- to have run by a day) is undated, since its known end is not a day it happened and its first
-- day is not known; a period known only to lie somewhere within a window ('within': wartime labour
-- within colonial rule, 1910-1945) is undated, since neither bound is its own; an event with an open end (only an earliest day) on that day; an
-- event with no bound at all is undated (placed_date empty) and is counted as undated, never
-- dropped. Why: the known bound is the only day a source vouches for, so an act reported as
-- already made ("South Korea warned", art002 on 1 August) stays in the week its report puts it,
-- and leaving open windows out would drop every such warning (in 0.3.0 all seven
-- Japan-South Korea verbal-conflict acts). The sensitivity of a series to the rule is shown
-- by open_window (event_series carries the sums without those events beside the sums with
-- them). Sorting: by placed_date, then by earliest_date with an open start first, so an act
-- known only to precede a dated one ("had earlier indicated" before "decided") comes first.
-- Columns:
--   event_id: the event (events.event_id)
--   date_start: earliest day the event can fall on (events.date_start; empty for an open start)
--   date_end: latest day the event can fall on (events.date_end; empty for an open end)
--   date_precision: events.date_precision
--   date_span_type: events.date_span_type (instant or period)
--   date_basis: events.date_basis (stated, inferred, cross_article, external)
--   placement: how placed_date was chosen: 'day', 'period_start', 'window_midpoint', 'known_end' (an act with an open start), 'known_start' (open end), or empty (undated: no bound, a period with an open start, or a period only known to lie within its window)
--   placed_date: the one day the event is placed on; empty when the sources give no bound at all
--   open_window: true when the window is open on one side (placement known_end or known_start), so placed_date is a bound, not a day inside a closed window
--   sort_rank: the event's position in date order (1 = first): placed_date, then an open start first, then earliest day, then event_id; undated events last
-- DuckDB-specific: date arithmetic.
CREATE OR REPLACE VIEW event_placement AS
WITH placed AS (
    SELECT
        e.event_id,
        e.date_start,
        e.date_end,
        e.date_precision,
        e.date_span_type,
        e.date_basis,
        CASE
            WHEN e.date_precision = 'within' THEN NULL
            WHEN e.date_precision = 'day' AND e.date_start IS NOT NULL THEN 'day'
            WHEN e.date_start IS NOT NULL AND e.date_end IS NOT NULL AND e.date_span_type = 'period' THEN 'period_start'
            WHEN e.date_start IS NOT NULL AND e.date_end IS NOT NULL THEN 'window_midpoint'
            WHEN e.date_end IS NOT NULL AND e.date_span_type = 'period' THEN NULL
            WHEN e.date_end IS NOT NULL THEN 'known_end'
            WHEN e.date_start IS NOT NULL THEN 'known_start'
        END AS placement
    FROM events e
), dated AS (
    SELECT
        p.*,
        CASE p.placement
            WHEN 'day' THEN p.date_start
            WHEN 'period_start' THEN p.date_start
            WHEN 'window_midpoint' THEN p.date_start + CAST(floor((p.date_end - p.date_start) / 2) AS INTEGER)
            WHEN 'known_end' THEN p.date_end
            WHEN 'known_start' THEN p.date_start
        END AS placed_date,
        p.placement IN ('known_end', 'known_start') AS open_window
    FROM placed p
)
SELECT
    d.event_id,
    d.date_start,
    d.date_end,
    d.date_precision,
    d.date_span_type,
    d.date_basis,
    d.placement,
    d.placed_date,
    coalesce(d.open_window, false) AS open_window,
    row_number() OVER (ORDER BY
        CASE WHEN d.placed_date IS NULL THEN 1 ELSE 0 END, d.placed_date,
        CASE WHEN d.date_start IS NULL THEN 0 ELSE 1 END, d.date_start, d.event_id) AS sort_rank
FROM dated d
ORDER BY sort_rank;
