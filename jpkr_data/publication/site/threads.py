"""Threads of the dispute, derived from each event's data by one documented rule (no list of event ids).

Rule: an event belongs to every thread whose PLOVER contexts or event types it has:
- trade: contexts `economic` or `technology` (export controls, white lists, boycotts);
- gsomia: context `intelligence` (the intelligence-sharing pact);
- forced-labour: context `reparations` (rulings, compensation, frozen assets);
- meetings: event types `meeting`, `conference`, `press_event` (talks and what was said at them).
An event matching none takes its parent event's threads, else it is in `other`.
"""
from __future__ import annotations

from typing import Any

THREADS: dict[str, dict[str, Any]] = {
    "trade": {"label": "Trade", "contexts": {"economic", "technology"}, "event_types": set()},
    "gsomia": {"label": "GSOMIA", "contexts": {"intelligence"}, "event_types": set()},
    "forced-labour": {"label": "Forced labour", "contexts": {"reparations"}, "event_types": set()},
    "meetings": {"label": "Meetings", "contexts": set(), "event_types": {"meeting", "conference", "press_event"}},
}
OTHER = "other"
LABELS = {**{k: v["label"] for k, v in THREADS.items()}, OTHER: "Other"}


def threads_of(event: dict[str, Any]) -> list[str]:
    """The threads an event belongs to by the rule above (may be empty; the caller falls back to the parent)."""
    raw = event.get("plover_contexts") or []
    contexts = {c.strip() for c in (raw.split(";") if isinstance(raw, str) else raw) if c and c.strip()}
    return [name for name, rule in THREADS.items() if contexts & rule["contexts"] or event.get("event_type") in rule["event_types"]]


def primary_thread(threads: list[str]) -> str:
    """The group an event is drawn in: meetings first (they gather several threads), then the rule's order."""
    if "meetings" in threads:
        return "meetings"
    return threads[0] if threads else OTHER
