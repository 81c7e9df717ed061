"""A time limit for queries a package supplies (its views): DuckDB's interrupt, fired from a timer thread."""
from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import duckdb

DEFAULT_VIEW_SECONDS = 60.0  # the package's own views run in milliseconds; a hostile one must not hang validate, build or connect()


class TimeLimitError(ValueError):
    """A query ran past its time limit; the message names what ran."""


def view_seconds() -> float:
    """The limit for one view: JPKR_DATA_VIEW_SECONDS if set to a positive number, else DEFAULT_VIEW_SECONDS."""
    try:
        value = float(os.environ.get("JPKR_DATA_VIEW_SECONDS", ""))
    except ValueError:
        return DEFAULT_VIEW_SECONDS
    return value if value > 0 else DEFAULT_VIEW_SECONDS


@contextmanager
def time_limit(con: duckdb.DuckDBPyConnection, what: str, seconds: float | None = None) -> Iterator[None]:
    """Run the block's queries on `con` for at most `seconds`; past that they are interrupted and TimeLimitError names `what`."""
    limit = view_seconds() if seconds is None else seconds
    lock = threading.Lock()
    state = {"active": True, "fired": False}

    def fire() -> None:
        with lock:
            if state["active"]:
                state["fired"] = True
                con.interrupt()

    timer = threading.Timer(limit, fire)
    timer.daemon = True
    timer.start()
    try:
        yield
    except duckdb.Error:
        if state["fired"]:
            raise TimeLimitError(f"{what}: ran longer than the {limit:g} s allowed (JPKR_DATA_VIEW_SECONDS) and was stopped") from None
        raise
    finally:
        with lock:
            state["active"] = False
        timer.cancel()
