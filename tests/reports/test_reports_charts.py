import datetime as dt

from peerspace.reports.charts import data_uri, line_chart


def test_charts_are_svg_and_the_same_every_time():
    x = [dt.date(2025, 4, 1) + dt.timedelta(days=7 * i) for i in range(5)]
    series = [("Wigan", [10, 12, None, 9, 14]), ("Leigh", [8, 7, 6, 11, 9])]
    first = line_chart(x, series, ylabel="Visits", date_format="%-d %b")
    second = line_chart(x, series, ylabel="Visits", date_format="%-d %b")
    assert first == second
    assert first.lstrip().startswith("<?xml") and "<svg" in first
    assert "<dc:date>" not in first
    assert data_uri(first).startswith("data:image/svg+xml;base64,")
