"""The dataset explorer: a static site (Jinja2 pages, build-time SVG, a small script) written into `<release>/site/`."""
from __future__ import annotations

from .builder import SiteError, build_site, check_site_url

__all__ = ["SiteError", "build_site", "check_site_url"]
