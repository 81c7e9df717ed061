"""Dates in words, as precise as the data allows ("2018", "December 2019", "by 1 August 2019")."""
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
    if precision == "open_start" and end:
        return f"by {day_words(end)}"
    if precision == "open_end" and start:
        return f"after {day_words(start)}" if span_type == "instant" else f"from {day_words(start)}"
    if start and end:
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
