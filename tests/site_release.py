"""One release built per test session for the site tests (build and browser tests share it)."""
from __future__ import annotations

import html.parser
from pathlib import Path

_BUILT: dict[str, Path] = {}


def built_release(tmp_path_factory) -> Path:
    """The release of the package in the repository, built once per session."""
    if "release" not in _BUILT:
        from jpkr_data.publication.release import build_release

        _BUILT["release"] = build_release(tmp_path_factory.mktemp("site-release") / "out")
    return _BUILT["release"]


class Page(html.parser.HTMLParser):
    """What a page holds: its title, meta tags, links, script sources, ids, text, and element attributes by tag."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.raw = text
        self.title, self.meta, self.links, self.srcs, self.ids, self.chunks = "", {}, [], [], set(), []
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.scripts: list[tuple[dict[str, str], str]] = []
        self._in: list[str] = []
        self.feed(text)
        self.text = " ".join(" ".join(self.chunks).split())

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        self.elements.append((tag, a))
        self._in.append(tag)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "meta":
            self.meta[a.get("name") or a.get("property") or a.get("charset", "")] = a.get("content", "")
        for key in ("href", "xlink:href"):
            if key in a and tag in ("a", "link"):
                self.links.append(a[key])
        if "src" in a:
            self.srcs.append(a["src"])
        if tag == "script":
            self.scripts.append((a, ""))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        self.handle_endtag(tag)

    def handle_endtag(self, tag):
        while self._in:
            if self._in.pop() == tag:
                break

    def handle_data(self, data):
        if self._in and self._in[-1] == "script":
            attrs, body = self.scripts[-1]
            self.scripts[-1] = (attrs, body + data)
        elif self._in and self._in[-1] == "title" and not self.title:
            self.title = data.strip()
        elif not self._in or self._in[-1] not in ("style",):
            self.chunks.append(data)


def read_page(path: Path) -> Page:
    """Parse one HTML file."""
    return Page(path.read_text(encoding="utf-8"))
