"""Charts for reports, drawn by matplotlib as SVG.

Deterministic (a fixed hash salt, no date in the metadata), so the same figures
make the same bytes. Text is drawn as paths, so the PDF's text layer holds only
the report's words and tables, never stray tick labels. The SVG is put in the
page as an <img> with a data: URI: a strict Content-Security-Policy blocks the
style attributes matplotlib writes into inline SVG, but not inside an image.
"""

import base64
import datetime as dt
import io
import math
import threading

from django.utils import formats

# Brand purple first, then colours that stay apart in greyscale print.
COLOURS = ["#431e52", "#d9822b", "#2f7d6d", "#8a8a8a", "#b03a48", "#3b6fb6"]
MARKERS = ["o", "s", "^", "D", "v", "P"]

# pyplot keeps global state; one chart at a time per process.
_lock = threading.Lock()


def _style():
    import matplotlib

    matplotlib.use("Agg")
    return matplotlib.rc_context(
        {
            "svg.hashsalt": "peerspace",
            "svg.fonttype": "path",
            "font.family": "DejaVu Sans",
            "font.size": 9,
            "axes.spines.top": False,
            "axes.spines.right": False,
        }
    )


def _svg(fig) -> str:
    out = io.StringIO()
    fig.savefig(out, format="svg", metadata={"Date": None})
    return out.getvalue()


# The legend sits above a line chart in as many columns as its names allow
# (site names can be long): the figure's width and a name's, in points.
FIGURE_POINTS = 7.2 * 72
LEGEND_COLUMNS = 4


def _legend_columns(names: list[str]) -> int:
    entry = 5.4 * max(len(n) for n in names) + 36  # a character, the marker
    return max(1, min(LEGEND_COLUMNS, len(names), int((FIGURE_POINTS - 50) // entry)))


def line_chart(
    x: list[dt.date],
    series: list[tuple[str, list[int | None]]],
    *,
    ylabel: str,
    date_format: str,
) -> str:
    """An SVG line chart; a value of None (hidden as a small number) is a gap.

    Laid out with fixed margins (tight_layout draws every label twice to
    measure it), the legend in rows above the lines, and dates level: a
    month's year only where the year starts."""
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter

    columns = _legend_columns([name for name, _ in series]) if series else 1
    rows = math.ceil(len(series) / columns) if len(series) > 1 else 0
    height = 3.0 + 0.22 * rows  # inches
    with _lock, _style():
        fig, ax = plt.subplots(figsize=(7.2, height))
        fig.subplots_adjust(
            left=0.1,
            right=0.98,
            top=1 - (0.15 + 0.22 * rows) / height,
            bottom=0.5 / height,
        )
        try:
            for i, (name, values) in enumerate(series):
                ys = [math.nan if v is None else v for v in values]
                ax.plot(
                    x,
                    ys,
                    label=name,
                    color=COLOURS[i % len(COLOURS)],
                    marker=MARKERS[i % len(MARKERS)],
                    markersize=3.5,
                    linewidth=1.6,
                )
            ax.set_ylabel(ylabel)
            ax.set_ylim(bottom=0)
            ax.grid(axis="y", color="#dddddd", linewidth=0.6)
            ax.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=3, maxticks=10))
            monthly = "%d" not in date_format and "%-d" not in date_format

            def label(value, position) -> str:
                # Month names in the report's language.
                day = mdates.num2date(value).date()
                month = formats.date_format(day, "M")
                if monthly and (position == 0 or day.month == 1):
                    return f"{month}\n{day:%Y}"
                return month if monthly else formats.date_format(day, "j M")

            ax.xaxis.set_major_formatter(FuncFormatter(label))
            if rows:
                fig.legend(
                    frameon=False,
                    loc="upper left",
                    bbox_to_anchor=(0.08, 1.0),
                    ncols=columns,
                )
            return _svg(fig)
        finally:
            plt.close(fig)


# At most this many month labels under the bars: a longer period labels
# every second or third month.
MONTH_LABELS = 13


def stacked_bar_chart(
    months: list[dt.date],
    series: list[tuple[str, list[float | None]]],
    *,
    ylabel: str,
) -> str:
    """An SVG bar a month, stacked by series; a month whose values are None
    (something in it is hidden) has no bar.

    Each series' bars are one collection of rectangles rather than a patch
    each (ax.bar), and the ticks are fixed: a third of the drawing time."""
    import matplotlib.pyplot as plt
    from matplotlib.collections import PolyCollection
    from matplotlib.patches import Patch
    from matplotlib.ticker import FuncFormatter

    with _lock, _style():
        fig, ax = plt.subplots(figsize=(9.5, 3.4))
        # Fixed margins (the legend on the right) rather than tight_layout,
        # which measures every label twice.
        fig.subplots_adjust(left=0.08, right=0.74, top=0.96, bottom=0.14)
        try:
            half = 0.4  # half a bar's width, a month being 1
            base = [0.0] * len(months)
            handles = []
            for i, (name, values) in enumerate(series):
                colour = COLOURS[i % len(COLOURS)]
                heights = [0.0 if v is None else v for v in values]
                ax.add_collection(
                    PolyCollection(
                        [
                            [
                                (x - half, b),
                                (x - half, b + h),
                                (x + half, b + h),
                                (x + half, b),
                            ]
                            for x, (b, h) in enumerate(zip(base, heights, strict=True))
                            if h
                        ],
                        facecolors=colour,
                        edgecolors="white",
                        linewidths=0.4,
                    ),
                    autolim=False,
                )
                handles.append(Patch(facecolor=colour, label=name))
                base = [b + h for b, h in zip(base, heights, strict=True)]
            ax.set_xlim(-0.6, len(months) - 0.4)
            ax.set_ylim(0, max(base, default=0) * 1.05 or 1)
            # The year only where it starts (fewer glyphs to draw, no slant).
            step = math.ceil(len(months) / MONTH_LABELS)
            shown = range(0, len(months), step)
            ax.set_xticks(
                list(shown),
                [
                    f"{formats.date_format(months[i], 'M')}\n{months[i]:%Y}"
                    if i == 0 or months[i].month <= step
                    else formats.date_format(months[i], "M")
                    for i in shown
                ],
            )
            ax.set_ylabel(ylabel)
            ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"£{v:,.0f}"))
            ax.grid(axis="y", color="#dddddd", linewidth=0.6)
            ax.set_axisbelow(True)
            ax.legend(
                handles=handles,
                frameon=False,
                loc="upper left",
                bbox_to_anchor=(1.0, 1.0),
                fontsize=8,
            )
            return _svg(fig)
        finally:
            plt.close(fig)


def data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
