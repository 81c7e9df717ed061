"""The validator: descriptor checks, staging, Table Schema checks, integrity checks and the report, run in DuckDB.

Names are imported on first use, so that reading a descriptor (validator.descriptor) does not load duckdb."""
from __future__ import annotations

from importlib import import_module
from typing import Any

_WHERE = {"run_pipeline": "pipeline", "validate": "pipeline", "Problem": "report", "Report": "report", "ValidationError": "report"}
__all__ = list(_WHERE)


def __getattr__(name: str) -> Any:
    """Import run_pipeline, validate, Problem, Report and ValidationError lazily."""
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{_WHERE[name]}"), name)
