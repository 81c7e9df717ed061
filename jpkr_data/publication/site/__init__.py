"""The dataset explorer: a static site (Jinja2 pages, build-time SVG, a small script) written into `<release>/site/`."""
from __future__ import annotations

from .builder import build_site

__all__ = ["build_site"]
