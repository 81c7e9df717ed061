"""Dates in words, as precise as the data allows ("2018", "December 2019", "by 1 August 2019").

The one place that turns a date of the data into text: the site, the datasheet and the JSON-LD call these
functions, so no generated text states a date more precisely than its `date_precision` (a year-precise
window 1910-01-01..1910-12-31 is "1910", never "1 January 1910").
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Any

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]


def day_words(d: dt.date) -> str:
    """1 August 2019."""
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def month_words(d: dt.date) -> str:
    """August 2019."""
    return f"{MONTHS[d.month - 1]} {d.year}"


COARSE = {"year": 0, "month": 1}  # precisions coarser than a day; every other precision knows its bounds to the day


def bound_words(d: dt.date, precision: str | None) -> str:
    """One bound of a window in words, to its precision: '1910', 'December 2019', '1 August 2019'."""
    if precision == "year":
        return str(d.year)
    if precision == "month":
        return month_words(d)
    return day_words(d)


def bound_iso(d: dt.date, precision: str | None) -> str:
    """One bound as ISO 8601 with reduced precision: '1910', '2019-12', '2019-08-01'."""
    if precision == "year":
        return f"{d.year:04d}"
    if precision == "month":
        return f"{d.year:04d}-{d.month:02d}"
    return d.isoformat()


def _bound_precision(e: dict[str, Any]) -> str:
    """The precision of an event's bounds: a 'within' window has its enclosing period's (whole years: 'year')."""
    precision = e.get("date_precision") or "unknown"
    start, end = e.get("date_start"), e.get("date_end")
    if precision == "within" and isinstance(start, dt.date) and isinstance(end, dt.date):
        if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31):
            return "year"
    return precision


def span(events: list[dict[str, Any]]) -> tuple[tuple[dt.date, str], tuple[dt.date, str]] | None:
    """The earliest and latest day any event's window touches, each with the finest precision that names that day."""
    def pick(pairs: list[tuple[dt.date, str]], latest: bool) -> tuple[dt.date, str]:
        best = max(d for d, _ in pairs) if latest else min(d for d, _ in pairs)
        precisions = [p for d, p in pairs if d == best]
        return best, max(precisions, key=lambda p: COARSE.get(p, 2))
    starts = [(e.get("date_start") or e.get("date_end"), _bound_precision(e)) for e in events]
    ends = [(e.get("date_end") or e.get("date_start"), _bound_precision(e)) for e in events]
    starts = [(d, p) for d, p in starts if isinstance(d, dt.date)]
    ends = [(d, p) for d, p in ends if isinstance(d, dt.date)]
    if not starts:
        return None
    return pick(starts, False), pick(ends, True)


def span_words(events: list[dict[str, Any]]) -> str:
    """'1910 to December 2019': the span of the events' windows, each end as precisely as the data knows it."""
    s = span(events)
    return f"{bound_words(*s[0])} to {bound_words(*s[1])}" if s else "no dated event"


def span_iso(events: list[dict[str, Any]]) -> str:
    """'1910/2019-12': the same span as an ISO 8601 interval of reduced precision (schema.org temporalCoverage)."""
    s = span(events)
    return f"{bound_iso(*s[0])}/{bound_iso(*s[1])}" if s else ""


def window_words(start: dt.date | None, end: dt.date | None, precision: str, span_type: str = "instant") -> str:
    """The window start..end in words, following its precision."""
    if precision == "day" and start:
        return day_words(start)
    if precision == "month" and start:
        return month_words(start)
    if precision == "year" and start and end:
        return str(start.year) if start.year == end.year else f"{start.year}–{end.year}"
    if precision == "includes" and start and end:  # a period known only to be under way on these days
        return f"under way on {day_words(start)}" if start == end else f"under way from {day_words(start)} to {day_words(end)}"
    if precision == "within" and start and end:  # a period known only to lie inside the window
        inner = window_words(start, end, "year" if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) else "range", "period")
        return f"within {inner}"
    if precision == "open_start" and end:
        return f"by {day_words(end)}"
    if precision == "open_end" and start:
        return f"after {day_words(start)}" if span_type == "instant" else f"from {day_words(start)}"
    if start and end:
        if start == end:
            return day_words(start)
        if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31):  # whole calendar years: say the years, not the days
            return str(start.year) if start.year == end.year else f"{start.year}–{end.year}"
        if start.day == 1 and (start.year, start.month) == (end.year, end.month) and (end + dt.timedelta(days=1)).day == 1:
            return month_words(start)
        if span_type == "period":
            return f"{day_words(start)} to {day_words(end)}"
        if start.year == end.year and start.month == end.month:
            return f"between {start.day} and {end.day} {MONTHS[start.month - 1]} {start.year}"
        return f"between {day_words(start)} and {day_words(end)}"
    if end:
        return f"by {day_words(end)}"
    if start:
        return f"after {day_words(start)}"
    return "date unknown"


def first_quote(reasoning: str | None) -> str | None:
    """The first phrase quoted in a reasoning text ('on Thursday'), if any."""
    match = re.search(r"[\"“]([^\"“”]{2,40})[\"”]", reasoning or "")
    return match.group(1).strip() if match else None


def basis_note(basis: str | None, reasoning: str | None) -> str:
    """'' when stated, else "(inferred: 'on Thursday')" or "(external)"."""
    if not basis or basis == "stated":
        return ""
    words = basis.replace("_", "-")
    quote = first_quote(reasoning)
    return f"({words}: ‘{quote}’)" if quote else f"({words})"


def event_date_label(e: dict[str, Any]) -> str:
    """An event's date in words with how it is known: '1 August 2019 (inferred: ‘on Thursday’)'."""
    words = window_words(e.get("date_start"), e.get("date_end"), e.get("date_precision") or "unknown", e.get("date_span_type") or "instant")
    note = basis_note(e.get("date_basis"), e.get("date_reasoning"))
    return f"{words} {note}".strip()


def event_date_short(e: dict[str, Any]) -> str:
    """An event's date in words without the basis (for labels)."""
    return window_words(e.get("date_start"), e.get("date_end"), e.get("date_precision") or "unknown", e.get("date_span_type") or "instant")


def said_date_label(s: dict[str, Any]) -> str:
    """When a statement was said: its day, else its window, with the basis."""
    if s.get("said_date"):
        words = day_words(s["said_date"])
    elif s.get("said_date_start") or s.get("said_date_end"):
        words = window_words(s.get("said_date_start"), s.get("said_date_end"), "range")
    else:
        return "date not given"
    note = basis_note(s.get("said_date_basis"), s.get("said_date_reasoning"))
    return f"{words} {note}".strip()
