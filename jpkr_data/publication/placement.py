"""The one dating rule in Python: the day sql/15_event_placement.sql places an event on, for code that works outside the database.

The views, the exports and the chart read `event_placement.placed_date` from the database; this
function gives the same answer for a window held in Python (a user's own series in pandas), and
tests/test_dating.py checks that it agrees with the view's SQL for any window.
"""
from __future__ import annotations

import datetime as dt

PLACEMENTS = ("day", "period_start", "window_midpoint", "known_end", "known_start")


def place(date_start: dt.date | None, date_end: dt.date | None, precision: str,
          span: str = "instant") -> tuple[str | None, dt.date | None]:
    """(placement, placed day) of an event window: a day; a period's first day; a closed window's midpoint
    (rounded down); an open start's known end (an act; an open-start period is undated); an open end's known start; (None, None) without any bound
    or for a period known only to lie within its window ('within')."""
    if precision == "within":
        return None, None  # a period known only to lie inside the window: no day of it is vouched for
    if precision == "day" and date_start is not None:
        return "day", date_start
    if date_start is not None and date_end is not None:
        if span == "period":
            return "period_start", date_start
        return "window_midpoint", date_start + dt.timedelta(days=(date_end - date_start).days // 2)
    if date_end is not None:
        if span == "period":
            return None, None  # an open-start period: its known end is not a day it happened
        return "known_end", date_end
    if date_start is not None:
        return "known_start", date_start
    return None, None
