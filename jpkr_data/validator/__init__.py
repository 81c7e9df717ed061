"""The validator: staging, Table Schema checks, integrity checks and the report, run in DuckDB."""
from __future__ import annotations

from .pipeline import run_pipeline, validate
from .report import Problem, Report, ValidationError

__all__ = ["run_pipeline", "validate", "Problem", "Report", "ValidationError"]
