"""The site's pictures as SVG drawn at build time: matplotlib draws (axes, date ticks), networkx lays out the network.

Every event or actor drawn gets an element id (`tl-<event_id>`, `net-<actor_id>`), a class, data attributes
for the page's script, a <title> (full text on hover) and a link to its page. The SVGs are deterministic
(fixed hash salt, no date metadata), so two builds give the same bytes.
"""
from __future__ import annotations

import datetime as dt
import io
import itertools
import textwrap
import xml.etree.ElementTree as ET
from collections import defaultdict
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import networkx as nx  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.transforms import blended_transform_factory  # noqa: E402

from .threads import LABELS, primary_thread  # noqa: E402

SVG = "http://www.w3.org/2000/svg"
XLINK = "http://www.w3.org/1999/xlink"
ET.register_namespace("", SVG)
ET.register_namespace("xlink", XLINK)

# Okabe-Ito, a palette readable with every common colour-vision deficiency; shape repeats the meaning.
STATUS_STYLE: dict[str, dict[str, Any]] = {
    "occurred": {"color": "#0072B2", "marker": "o", "fill": True},
    "ongoing": {"color": "#009E73", "marker": "D", "fill": True},
    "scheduled": {"color": "#E69F00", "marker": "s", "fill": True},
    "expected": {"color": "#56B4E9", "marker": "^", "fill": True},
    "proposed": {"color": "#CC79A7", "marker": "P", "fill": True},
    "announced": {"color": "#CC79A7", "marker": "v", "fill": True},
    "threatened": {"color": "#D55E00", "marker": "X", "fill": True},
    "hypothetical": {"color": "#666666", "marker": "o", "fill": False},
    "cancelled": {"color": "#000000", "marker": "x", "fill": False},
}
COUNTRY_COLOURS = {"JPN": "#D55E00", "KOR": "#0072B2", "USA": "#009E73", "CHN": "#E69F00", "PRK": "#CC79A7"}
OTHER_COLOUR = "#999999"
STYLE = {"svg.fonttype": "none", "svg.hashsalt": "jpkr-data", "font.family": "DejaVu Sans", "font.size": 9}


def _num(d: dt.date) -> float:
    return float(mdates.date2num(dt.datetime(d.year, d.month, d.day)))


def _svg(fig, annotate: dict[str, dict[str, Any]], title: str, css_class: str) -> str:
    """Serialise a figure and attach ids, classes, data attributes and <title>s to the marked elements."""
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    plt.close(fig)
    root = ET.fromstring(buf.getvalue())
    for attr in ("width", "height"):
        root.attrib.pop(attr, None)
    root.set("class", css_class)
    root.set("role", "group")
    heading = ET.Element(f"{{{SVG}}}title")
    heading.text = title
    root.insert(0, heading)
    for a in root.iter(f"{{{SVG}}}a"):
        a.attrib.pop("target", None)  # matplotlib opens links in a new tab; the site keeps one
        a.set("href", a.get(f"{{{XLINK}}}href", ""))
    for g in root.iter(f"{{{SVG}}}g"):
        info = annotate.get(g.get("id", ""))
        if not info:
            continue
        for key, value in info.get("attrs", {}).items():
            g.set(key, value)
        if info.get("title"):
            t = ET.Element(f"{{{SVG}}}title")
            t.text = info["title"]
            g.insert(0, t)
    return ET.tostring(root, encoding="unicode")


def _wrap(text: str, width: int) -> str:
    """Wrap at word boundaries; nothing is cut."""
    return "\n".join(textwrap.wrap(text, width=width, break_long_words=False, break_on_hyphens=False)) or text


def timeline_svg(events: list[dict[str, Any]], lo: dt.date, hi: dt.date, title: str, link: str = "events/{}.html",
                 wrap: int = 64, group: bool = True, narrow: bool = False) -> str:
    """Events on a date axis lo..hi, one row each (grouped by thread), drawn by precision, status by colour and shape.

    `narrow` draws the phone version: 5.6 inches wide, each title on its own line above its mark, so that scaled to
    a 400 px screen the words stay readable and every mark stays under its title (element ids `tln-...`, not `tl-...`).
    """
    if group:
        groups: dict[str, list] = defaultdict(list)
        for e in events:
            groups[primary_thread(e["threads"])].append(e)
        ordered = [(k, groups[k]) for k in LABELS if groups.get(k)]
    else:
        ordered = [("", events)]
    lines: list[tuple[str, Any]] = []
    for name, evs in ordered:
        if name:
            lines.append(("group", name))
        lines += [("event", e) for e in evs]
    wrap = 50 if narrow else wrap
    line_h = 0.2 if narrow else 0.16
    label_h = {id(e): line_h * (_wrap(e["title"], wrap).count("\n") + 1) for kind, e in lines if kind == "event"}
    heights = [0.32 if kind == "group" else (0.08 + label_h[id(e)] + 0.2 if narrow else 0.1 + label_h[id(e)]) for kind, e in lines]
    total = sum(heights)  # inches
    handles = _legend_handles({e["status"] for e in events}, {e["date_precision"] for e in events})
    with plt.rc_context(STYLE):
        legend_h = 0.55 + 0.2 * ((len(handles) + 1) // 2) if narrow else 0.8  # the legend's two columns on a phone
        fig_h = total + legend_h + 0.5
        fig = plt.figure(figsize=(5.6 if narrow else 12, fig_h))
        ax = fig.add_axes((0.03, legend_h / fig_h, 0.94, total / fig_h) if narrow else (0.38, legend_h / fig_h, 0.6, total / fig_h))
        ax.set_ylim(total, 0)
        ax.set_xlim(_num(lo), _num(hi))
        ax.xaxis_date()
        locator = mdates.AutoDateLocator(minticks=3 if narrow else 4, maxticks=6 if narrow else 10)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        ax.tick_params(axis="x", top=True, labeltop=True)
        ax.set_yticks([])
        ax.grid(axis="x", color="#dddddd", linewidth=0.6)
        for spine in ("left", "right"):
            ax.spines[spine].set_visible(False)
        label_tf = blended_transform_factory(ax.transAxes, ax.transData)
        annotate: dict[str, dict[str, Any]] = {}
        y = 0.0
        for (kind, item), h in zip(lines, heights):
            mid = y + h / 2
            if kind == "group":
                ax.axhline(y + h - 0.02, color="#bbbbbb", linewidth=0.6)
                ax.text(0.0 if narrow else -0.01, mid + 0.04, LABELS[item], transform=label_tf, ha="left" if narrow else "right", va="center",
                        fontsize=10, fontweight="bold")
            elif narrow:
                _draw_event(ax, item, (y + 0.06 + label_h[id(item)] / 2, y + 0.08 + label_h[id(item)] + 0.1), label_tf,
                            link.format(item["event_id"]), wrap, annotate, narrow=True)
            else:
                _draw_event(ax, item, (mid, mid), label_tf, link.format(item["event_id"]), wrap, annotate)
            y += h
        fig.legend(handles=handles, loc="lower center",
                   ncol=2 if narrow else 5, frameon=False, fontsize=8, bbox_to_anchor=(0.5, 0.0))
        return _svg(fig, annotate, title, "timeline narrow" if narrow else "timeline wide")


def _draw_event(ax, e: dict[str, Any], ys: tuple[float, float], label_tf, url: str, wrap: int, annotate: dict, narrow: bool = False) -> None:
    """One event's row: its label (title, wrapped) at ys[0] and its mark by precision and status, with its date, at ys[1]."""
    y_label, y = ys
    st = STATUS_STYLE.get(e["status"], STATUS_STYLE["occurred"])
    gid = f"{'tln' if narrow else 'tl'}-{e['event_id']}"
    attrs = {"class": f"ev status-{e['status']} prec-{e['date_precision']}", "data-event": e["event_id"], "data-threads": " ".join(e["threads"])}
    full = f"{e['title']}\n{e['date_label']} · {e['status']}"
    ax.text(0.0 if narrow else -0.01, y_label, _wrap(e["title"], wrap), transform=label_tf, ha="left" if narrow else "right", va="center",
            fontsize=10.5 if narrow else 8.5, linespacing=1.15, url=url, gid=gid + "-label")
    annotate[gid + "-label"] = {"attrs": {**attrs, "class": attrs["class"] + " ev-label"}, "title": full}
    start, end, prec = e["date_start"], e["date_end"], e["date_precision"]
    face = st["color"] if st["fill"] else "white"
    mark = {"marker": st["marker"], "markersize": 8, "markerfacecolor": face, "markeredgecolor": st["color"], "markeredgewidth": 1.6,
            "linestyle": "none", "url": url, "gid": gid}
    if prec == "day" and start:
        ax.plot([_num(start) + 0.5], [y], **mark)
    elif start and end:
        a, b = _num(start), _num(end) + 1
        ax.plot([a, b], [y, y], color=st["color"], alpha=0.45, linewidth=6, solid_capstyle="butt", url=url, gid=gid + "-span")
        annotate[gid + "-span"] = {"attrs": {**attrs, "class": attrs["class"] + " ev-span"}, "title": full}
        ax.plot([a if e.get("date_span_type") == "period" else (a + b) / 2], [y], **mark)  # a period: from its start; a window: somewhere in it
    elif end:  # open start: only an upper bound; a marker and a fixed-length arrow, never a span
        x = _num(end) + 0.5
        ax.annotate("", xy=(x, y), xycoords="data", xytext=(-22, 0), textcoords="offset points",
                    arrowprops={"arrowstyle": "<-", "linestyle": ":", "color": st["color"], "linewidth": 1.2, "shrinkA": 0, "shrinkB": 4})
        ax.plot([x], [y], **mark)
    elif start:  # open end: only a lower bound
        x = _num(start) + 0.5
        ax.annotate("", xy=(x, y), xycoords="data", xytext=(22, 0), textcoords="offset points",
                    arrowprops={"arrowstyle": "<-", "linestyle": ":", "color": st["color"], "linewidth": 1.2, "shrinkA": 0, "shrinkB": 4})
        ax.plot([x], [y], **mark)
    lo, hi = ax.get_xlim()
    left_x = _num(start) if start else (_num(end) if end else None)
    right_x = _num(end) + 1 if end else (_num(start) + 1 if start else None)
    if left_x is not None:
        on_left = right_x > hi - (0.45 if narrow else 0.15) * (hi - lo)  # the date goes where there is room for it
        gap = 30 if prec == "open_end" else 8  # past the open end's arrow
        words = e["date_short"] if e["status"] == "occurred" else f"{e['date_short']} · {e['status']}"  # status in words, not colour alone
        ax.annotate(words, xy=(left_x if on_left else right_x, y), xycoords="data", xytext=(-26 if on_left else gap, 0),
                    textcoords="offset points", va="center", ha="right" if on_left else "left", fontsize=9 if narrow else 7.5, color="#444444",
                    gid=gid + "-date", annotation_clip=False)
        annotate[gid + "-date"] = {"attrs": {**attrs, "class": attrs["class"] + " ev-date"}, "title": full}
    annotate[gid] = {"attrs": {**attrs, "class": attrs["class"] + " ev-mark"}, "title": full}


def _legend_handles(statuses: set[str], precisions: set[str]) -> list:
    """Status by colour and shape, and how the precisions present are drawn."""
    handles = []
    for name, st in STATUS_STYLE.items():
        if name in statuses:
            handles.append(Line2D([], [], marker=st["marker"], linestyle="none", markersize=8, markeredgewidth=1.6, markeredgecolor=st["color"],
                                  markerfacecolor=st["color"] if st["fill"] else "white", label=name))
    if precisions & {"month", "year", "range", "includes", "within"}:
        handles.append(Line2D([], [], color="#777777", alpha=0.45, linewidth=6, label="window (mark in the middle) or span (mark at its start)"))
    if "open_start" in precisions:
        handles.append(Line2D([], [], color="#777777", linestyle=":", marker="<", markersize=5, label="open start: happened by this day"))
    if "open_end" in precisions:
        handles.append(Line2D([], [], color="#777777", linestyle=":", marker=">", markersize=5, label="open end: only after this day"))
    return handles


def _pairs(dyads: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    """Undirected actor pairs: the distinct events joining them and their event types."""
    pairs: dict[tuple[str, str], dict[str, Any]] = {}
    for d in dyads:
        key = tuple(sorted((d["source_actor_id"], d["target_actor_id"])))
        p = pairs.setdefault(key, {"events": set(), "types": defaultdict(set)})
        for ev in d["event_ids"] or []:
            p["events"].add(ev)
            p["types"][d["event_type"]].add(ev)
    return pairs


def _overlaps(boxes: list) -> int:
    """Number of overlapping pairs among display-space bounding boxes."""
    return sum(1 for a, b in itertools.combinations(boxes, 2) if a.overlaps(b))


def network_svg(dyads: list[dict[str, Any]], actors: dict[str, dict[str, Any]], title: str, link: str = "actors/{}.html") -> str:
    """Who met or acted on whom: ForceAtlas2 layout (networkx, node sizes from label widths), edge width = number of events.

    Layouts are tried with a few fixed seeds and strengths; the first whose drawn labels do not overlap is kept.
    """
    pairs = _pairs(dyads)
    graph = nx.Graph()
    for (a, b), p in pairs.items():
        graph.add_edge(a, b, weight=len(p["events"]))
    nodes = sorted(graph.nodes)
    with plt.rc_context(STYLE):
        best = None
        sizes = {n: 0.1 * max(len(line) for line in _wrap(actors[n]["name"], 18).split("\n")) for n in nodes}
        for gravity, scaling, seed in itertools.product((3.0, 1.0, 5.0), (2.0, 1.0, 4.0), range(4)):
            pos = nx.forceatlas2_layout(graph, seed=seed, max_iter=500, scaling_ratio=scaling, gravity=gravity, node_size=sizes, weight="weight")
            fig, ax, texts = _draw_network(graph, pos, pairs, actors, nodes, link)
            fig.canvas.draw()
            renderer = fig.canvas.get_renderer()
            n = _overlaps([t.get_window_extent(renderer).expanded(1.05, 1.15) for t in texts])
            if best is None or n < best[0]:
                if best:
                    plt.close(best[1][0])
                best = (n, (fig, ax, texts))
            else:
                plt.close(fig)
            if n == 0:
                break
        fig = best[1][0]
        annotate = {}
        for (a, b), p in pairs.items():
            kinds = ", ".join(f"{t.replace('_', ' ')} ({len(v)})" for t, v in sorted(p["types"].items()))
            annotate[f"edge-{a}--{b}"] = {"attrs": {"class": "edge", "data-a": a, "data-b": b, "data-n": str(len(p["events"]))},
                                          "title": f"{actors[a]['name']} – {actors[b]['name']}: {len(p['events'])} event(s): {kinds}"}
        for n in nodes:
            info = {"attrs": {"class": "node", "data-actor": n}, "title": f"{actors[n]['name']}: {graph.degree(n)} partner(s)"}
            annotate[f"net-{n}"] = info
            annotate[f"net-{n}-label"] = {"attrs": {"class": "node-label", "data-actor": n}, "title": info["title"]}
        return _svg(fig, annotate, title, "network")


def _draw_network(graph, pos, pairs, actors, nodes, link):
    """Edges (width by number of events), nodes (colour by country), labels under the nodes."""
    fig = plt.figure(figsize=(11, 8.5))
    ax = fig.add_axes((0.02, 0.1, 0.96, 0.88))
    ax.set_axis_off()
    for (a, b), p in sorted(pairs.items()):
        (x1, y1), (x2, y2) = pos[a], pos[b]
        ax.plot([x1, x2], [y1, y2], color="#8a8a8a", alpha=0.75, linewidth=1 + 2 * len(p["events"]) ** 0.5, solid_capstyle="round",
                gid=f"edge-{a}--{b}", zorder=1)
    texts = []
    for n in nodes:
        x, y = pos[n]
        colour = COUNTRY_COLOURS.get(actors[n].get("country_iso3") or "", OTHER_COLOUR)
        ax.plot([x], [y], marker="o", markersize=7 + 2.2 * graph.degree(n) ** 0.8, color=colour, markeredgecolor="white",
                linestyle="none", url=link.format(n), gid=f"net-{n}", zorder=2)
        texts.append(ax.annotate(_wrap(actors[n]["name"], 18), xy=(x, y), xytext=(0, -7 - graph.degree(n) ** 0.8), textcoords="offset points",
                                 ha="center", va="top", fontsize=8.5, url=link.format(n), gid=f"net-{n}-label", zorder=3,
                                 bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.8}))
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    dx, dy = (max(xs) - min(xs)) or 1.0, (max(ys) - min(ys)) or 1.0
    ax.set_xlim(min(xs) - 0.1 * dx, max(xs) + 0.1 * dx)
    ax.set_ylim(min(ys) - 0.1 * dy, max(ys) + 0.05 * dy)
    handles = [Line2D([], [], marker="o", linestyle="none", markersize=9, color=c, label=name)
               for name, c in [("Japan", COUNTRY_COLOURS["JPN"]), ("South Korea", COUNTRY_COLOURS["KOR"]), ("United States", COUNTRY_COLOURS["USA"]),
                               ("China", COUNTRY_COLOURS["CHN"]), ("other / none", OTHER_COLOUR)]]
    handles += [Line2D([], [], color="#8a8a8a", linewidth=1 + 2 * w ** 0.5, label=f"{w} event{'s' if w > 1 else ''}") for w in (1, 4, 16)]
    fig.legend(handles=handles, loc="lower center", ncol=len(handles), frameon=False, fontsize=8.5)
    return fig, ax, texts
