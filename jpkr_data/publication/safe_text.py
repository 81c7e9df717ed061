"""Descriptor text and URLs made inert before they reach Markdown or HTML: one URL filter and one Markdown escape."""
from __future__ import annotations

import re
from typing import Any

_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
SAFE_SCHEMES = ("http", "https")


def safe_url(value: Any) -> str:
    """`value` when it is an http(s) URL or a relative path, else "" (javascript:, data:, vbscript:, //host, odd characters)."""
    if not isinstance(value, str) or not value:
        return ""
    if any(c.isspace() or ord(c) < 0x20 or ord(c) == 0x7F or c in "\\<>\"'`" for c in value):
        return ""  # browsers drop tabs and line breaks inside a scheme ("java\tscript:"): refuse them all
    m = _SCHEME.match(value)
    if m:
        return value if m.group(1).lower() in SAFE_SCHEMES and value[m.end():].startswith("//") else ""
    if value.startswith("//") or ":" in value.split("/", 1)[0]:
        return ""  # a protocol-relative URL points to another host; "a:b" would be read as a scheme
    return value


def md_text(value: Any) -> str:
    """Descriptor text for a Markdown document or table cell, inert: no HTML tag or autolink can start ('<' as &lt;),
    no inline link or image forms ('](' escaped), '|' escaped, on one line. Everything else is kept as written."""
    text = "" if value is None else str(value)
    return (text.replace("<", "&lt;").replace("](", "\\](").replace("|", "\\|")
            .replace("\r", " ").replace("\n", " "))
