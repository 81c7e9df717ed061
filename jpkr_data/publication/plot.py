"""Plot the weekly conflict-cooperation series of a pair of countries from event_series (matplotlib)."""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import duckdb

from .swap import write_file

SERIES_SQL = """
SELECT period_start, source, target, goldstein_sum, n_events, n_window_placed, n_open_window, goldstein_sum_closed
FROM event_series
WHERE level = 'state' AND period = ? AND ((source = ? AND target = ?) OR (source = ? AND target = ?))
  AND period_start BETWEEN ? AND ?
ORDER BY period_start, source
"""
# Counted events of the pair in no period of the chart: undated (no bound at all) or placed outside the plotted range.
OUTSIDE_SQL = """
SELECT coalesce(sum(n_undated), 0),
       coalesce(sum(CASE WHEN first_date IS NULL THEN 0 ELSE 1 END), 0)
FROM dyad_summary
WHERE level = 'state' AND ((source = ? AND target = ?) OR (source = ? AND target = ?))
"""


class PlotError(ValueError):
    """A bad argument or an unwritable output file; the message is one line."""


def series(con: duckdb.DuckDBPyConnection, a: str, b: str, start: dt.date, end: dt.date, period: str = "week") -> list[tuple]:
    """Rows (period_start, source, target, goldstein_sum, n_events, n_window_placed, n_open_window,
    goldstein_sum_closed) of both directions."""
    return con.execute(SERIES_SQL, [period, a, b, b, a, start, end]).fetchall()


def undated(con: duckdb.DuckDBPyConnection, a: str, b: str) -> int:
    """Counted events of the pair (both directions) that the sources give no date bound for, so in no period."""
    return int(con.execute(OUTSIDE_SQL, [a, b, b, a]).fetchone()[0])


def _plain(text: str) -> str:
    """User text shown as itself in a label: '$' escaped, so matplotlib never parses it as mathtext."""
    return text.replace("$", r"\$")


def series_figure(con: duckdb.DuckDBPyConnection, a: str, b: str, start: dt.date, end: dt.date, period: str = "week"):
    """The bar chart of the Goldstein sum per period, a -> b and b -> a, as a matplotlib figure, and the rows it plots."""
    rows = series(con, a, b, start, end, period)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(10, 4.5), dpi=120)
    width = 2.6 if period == "week" else 10
    centre = 3.5 if period == "week" else 15  # bars stand in the middle of their week or month
    companion = False
    for (src, tgt), shift, colour in (((a, b), -width / 2, "#b2182b"), ((b, a), width / 2, "#2166ac")):
        pts = [(r[0], r[3], r[5], r[6], r[7]) for r in rows if r[1] == src and r[2] == tgt]
        xs = [p[0] + dt.timedelta(days=centre + shift) for p in pts]
        ax.bar(xs, [p[1] for p in pts], width=width, color=colour, label=f"{_plain(src)} -> {_plain(tgt)}")
        for x, p in zip(xs, pts):
            if p[2]:
                ax.annotate("*", (x, p[1]), ha="center", va="bottom" if p[1] >= 0 else "top")
        opened = [(x, p[4]) for x, p in zip(xs, pts) if p[3]]
        if opened:  # the sensitivity companion: the same period without the events of open windows
            ax.scatter([o[0] for o in opened], [float(o[1]) for o in opened], marker="_", s=120, color="black", zorder=3,
                       label=None if companion else "the period without open-window events")
            companion = True
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_xlim(start, end)
    ax.set_ylabel(f"Goldstein sum per {period}")
    n_undated = undated(con, a, b)
    ax.set_title(f"{_plain(a)} - {_plain(b)}: conflict (<0) and cooperation (>0) per {period}, jpkr-data event_series\n"
                 "open windows at their known bound; - = the period without them; * = includes window midpoints; "
                 f"undated (in no {period}): {n_undated}", fontsize=9)
    ax.legend(loc="upper left")
    fig.autofmt_xdate()
    fig.tight_layout()
    return fig, len(rows)


def series_svg(con: duckdb.DuckDBPyConnection, a: str = "JPN", b: str = "KOR", start: dt.date = dt.date(2019, 6, 1),
               end: dt.date = dt.date(2019, 12, 31), period: str = "week") -> str:
    """The same chart as SVG text, byte-identical across builds (fixed hash salt, no date metadata)."""
    import io

    import matplotlib
    import matplotlib.pyplot as plt

    fig, _ = series_figure(con, a, b, start, end, period)
    buf = io.StringIO()
    try:
        with matplotlib.rc_context({"svg.hashsalt": "jpkr-data", "svg.fonttype": "none"}):
            fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    finally:
        plt.close(fig)
    return buf.getvalue()


def plot_series(con: duckdb.DuckDBPyConnection, out: str | os.PathLike[str], a: str = "JPN", b: str = "KOR",
                start: dt.date = dt.date(2019, 6, 1), end: dt.date = dt.date(2019, 12, 31), period: str = "week") -> int:
    """Save a bar chart of the Goldstein sum per period, a -> b and b -> a, to a PNG; return the number of rows plotted."""
    out = Path(out)
    if "\0" in str(out):
        raise PlotError(f"cannot write {str(out)!r}: a file name cannot hold a NUL character")
    if out.suffix.lower() != ".png":
        raise PlotError(f"cannot write {out}: the plot is a PNG file (name it *.png)")
    if not (out.parent if str(out.parent) else Path(".")).is_dir():
        raise PlotError(f"cannot write {out}: folder {out.parent} does not exist")
    fig, n = series_figure(con, a, b, start, end, period)
    import matplotlib.pyplot as plt

    try:
        write_file(out, lambda fh: fig.savefig(fh, format="png"))
    except OSError as exc:
        raise PlotError(f"cannot write {out}: {exc.strerror or exc}") from None
    finally:
        plt.close(fig)
    return n
