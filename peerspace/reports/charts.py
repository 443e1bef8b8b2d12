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

# Brand purple first, then colours that stay apart in greyscale print.
COLOURS = ["#431e52", "#d9822b", "#2f7d6d", "#8a8a8a", "#b03a48", "#3b6fb6"]
MARKERS = ["o", "s", "^", "D", "v", "P"]

# pyplot keeps global state; one chart at a time per process.
_lock = threading.Lock()


def line_chart(
    x: list[dt.date],
    series: list[tuple[str, list[int | None]]],
    *,
    ylabel: str,
    date_format: str,
) -> str:
    """An SVG line chart; a value of None (hidden as a small number) is a gap."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    with (
        _lock,
        matplotlib.rc_context(
            {
                "svg.hashsalt": "peerspace",
                "svg.fonttype": "path",
                "font.family": "DejaVu Sans",
                "font.size": 9,
                "axes.spines.top": False,
                "axes.spines.right": False,
            }
        ),
    ):
        fig, ax = plt.subplots(figsize=(7.2, 3.2))
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
            ax.xaxis.set_major_formatter(mdates.DateFormatter(date_format))
            locator = mdates.AutoDateLocator(minticks=3, maxticks=10)
            ax.xaxis.set_major_locator(locator)
            if len(series) > 1:
                ax.legend(frameon=False, loc="upper left", ncols=len(series))
            fig.autofmt_xdate()
            fig.tight_layout()
            out = io.StringIO()
            fig.savefig(out, format="svg", metadata={"Date": None})
        finally:
            plt.close(fig)
    return out.getvalue()


def data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
