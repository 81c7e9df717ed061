"""jpkr-data: a curated relational dataset of the 2019 Japan–South Korea dispute.

    import jpkr_data
    con = jpkr_data.connect()                 # a read-only Session: every table and view
    df = jpkr_data.table("timeline")          # a table or view as a pandas DataFrame
    df = jpkr_data.query("SELECT ...")        # any SQL as a DataFrame
    report = jpkr_data.validate()             # every check; report.valid, report.problems

Importing this module is light: duckdb and pandas load on first use.
"""
from __future__ import annotations

from typing import Any

__version__ = "0.5.0"
__all__ = ["connect", "query", "table", "names", "validate", "Session", "ValidationError", "ReadOnlyError",
           "UnknownNameError", "QueryError", "CacheError", "__version__"]

_LAZY = {
    "connect": "api", "query": "api", "table": "api", "names": "api",
    "ReadOnlyError": "api", "UnknownNameError": "api", "QueryError": "api", "CacheError": "api", "Session": "api",
    "validate": "validator", "ValidationError": "validator.report",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'jpkr_data' has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(f"{__name__}.{module}"), name)
