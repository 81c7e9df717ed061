"""What the source articles cover and what they cannot, computed from the data for the front page.

A day is *known* when it is a bound of some event's window (its date_start or date_end). A stretch of the
dispute's year longer than GAP_DAYS between two known days is a gap: no event in the data is dated inside it.
Events with an open start (only "by" a day is known) may still fall in a gap; they are counted, not placed.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from ..dates import MONTHS, day_words

GAP_DAYS = 31  # a stretch longer than a month with no known day is worth telling a reader about


def known_days(events: list[dict[str, Any]], year: int) -> list[dt.date]:
    """Every bound of every event window that falls in `year`, sorted, without repeats."""
    days = {d for e in events for d in (e.get("date_start"), e.get("date_end")) if isinstance(d, dt.date) and d.year == year}
    return sorted(days)


def gaps(events: list[dict[str, Any]], year: int) -> list[dict[str, Any]]:
    """Stretches of `year` longer than GAP_DAYS with no known day: last day before, first day after, whole months inside, open-start events that may fall in it."""
    days = known_days(events, year)
    out = []
    for before, after in zip(days, days[1:]):
        if (after - before).days - 1 <= GAP_DAYS:
            continue
        months = [MONTHS[mo - 1] for mo in range(1, 13)
                  if dt.date(year, mo, 1) > before and (dt.date(year + mo // 12, mo % 12 + 1, 1) - dt.timedelta(days=1)) < after]
        maybe = [e for e in events if not e.get("date_start") and isinstance(e.get("date_end"), dt.date) and e["date_end"] > before]
        out.append({"before": before, "after": after, "before_words": day_words(before), "after_words": day_words(after),
                    "months": months, "maybe": maybe, "days": (after - before).days - 1})
    return out


def published(articles: list[dict[str, Any]]) -> list[tuple[dt.date, list[dict[str, Any]]]]:
    """The days articles were published, each with its articles, in order."""
    by_day: dict[dt.date, list[dict[str, Any]]] = {}
    for a in sorted(articles, key=lambda a: (a["published_date"] or dt.date.max, a["article_id"])):
        by_day.setdefault(a["published_date"], []).append(a)
    return list(by_day.items())
