import base64
import datetime as dt
import re

from django.urls import reverse

from attendance.models import Session, Visit
from peerspace.reports.charts import data_uri, line_chart
from peerspace.reports.models import TYPED, Rate, Tally, ValueLine

MONTHS = [dt.date(2025, m, 1) for m in (4, 5, 6, 7)]


def test_charts_are_svg_and_the_same_every_time():
    x = [dt.date(2025, 4, 1) + dt.timedelta(days=7 * i) for i in range(5)]
    series = [("Wigan", [10, 12, None, 9, 14]), ("Leigh", [8, 7, 6, 11, 9])]
    first = line_chart(x, series, ylabel="Visits", date_format="%-d %b")
    second = line_chart(x, series, ylabel="Visits", date_format="%-d %b")
    assert first == second
    assert first.lstrip().startswith("<?xml") and "<svg" in first
    assert "<dc:date>" not in first
    assert data_uri(first).startswith("data:image/svg+xml;base64,")


def section_chart(page: str, key: str) -> str:
    """The SVG of a section's chart, from the report preview."""
    section = page[page.index(f'id="section-{key}"') :]
    uri = re.search(r'<figure class="chart">\s*<img src="([^"]+)"', section).group(1)
    return base64.b64decode(uri.split(",", 1)[1]).decode()


def test_the_charts_leave_out_what_the_tables_hide(alice_client, org, site):
    """3 peer supporters in May and 3 visits in June are hidden in the tables:
    May has no bar (its £ would give the 3 away at the rate printed beside
    it), and the line stops where the table hides."""
    peers = ValueLine.objects.create(
        organisation=org, name="Peers", unit="a peer", source=TYPED, counts_people=True
    )
    hours = ValueLine.objects.create(
        organisation=org, name="Hours", unit="an hour", source=TYPED, position=1
    )
    for line in (peers, hours):
        Rate.objects.create(
            line=line, effective_from=dt.date(2025, 1, 1), amount=10, source="s"
        )
    for month, n in zip(MONTHS, (6, 3, 7, 8), strict=True):
        Tally.objects.create(line=peers, month=month, count=n)
        Tally.objects.create(line=hours, month=month, count=20)
    for month, n in zip(MONTHS, (10, 12, 3, 9), strict=True):
        session = Session.objects.create(site=site, date=month.replace(day=8))
        Visit.objects.bulk_create([Visit(session=session) for _ in range(n)])
    page = alice_client.get(
        reverse("reports:view"),
        {
            "sections": ["attendance", "social_value"],
            "period": "custom",
            "start": "2025-04-01",
            "end": "2025-07-31",
        },
    ).content.decode()
    bars = section_chart(page, "social_value")
    collections = re.findall(r'<g id="PolyCollection_\d+">(.*?)</g>', bars, re.S)
    assert [c.count("<path") for c in collections] == [3, 3]  # no May
    lines = section_chart(page, "attendance")
    # Wigan's line, in the first colour: April to May, then nothing. June's 3
    # is hidden, and so is July (the smallest other month) so that June can't
    # be worked out from the period's total.
    (line,) = re.findall(
        r'<path d="([^"]*)"[^>]*style="fill: none; stroke: #431e52', lines
    )
    assert (line.count("M"), line.count("L")) == (1, 1), line
