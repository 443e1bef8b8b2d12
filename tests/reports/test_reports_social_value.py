"""The social value table, against figures worked out by hand, in every output.

A known three months (April to June 2025): two typed lines at levels, one line
counted from visits, one from quick tallies (and a typed top-up), one typed
line of people at a fraction-of-a-penny rate, and income. Every cell of the
table is written out below, to the penny, and checked in the HTML preview, the
PDF (read back with pdftotext), the CSV that `funder_report --tables` writes
and the XLSX download.
"""

import csv
import datetime as dt
import io
import re
from decimal import Decimal
from html.parser import HTMLParser

import openpyxl
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from attendance.models import Session, Visit
from peerspace.reports.figures import Options, build_report
from peerspace.reports.models import (
    COUNT_SOURCES,
    TYPED,
    VISITS,
    Income,
    Rate,
    Tally,
    ValueLevel,
    ValueLine,
)
from peerspace.reports.periods import Period
from tests.helpers import pdf_text
from tests.reports.reports_helpers import APRIL, MAY

QUARTER = {
    "period": "custom",
    "start": "2025-04-01",
    "end": "2025-06-30",
    "sections": ["social_value"],
}
COLUMNS = [
    "",
    "Apr 2025",
    "May 2025",
    "Jun 2025",
    "Mean month",
    "Year estimate (mean × 12)",
]

# Every cell, worked out by hand. Rounding is once, at the end, half up.
VALUE = [
    # 40 h, 37.5 h, 42 h at £12.60; mean 1,505.70 / 3 = 501.90; × 12 = 6,022.80
    ("Leadership: Volunteers", ["504.00", "472.50", "529.20", "501.90", "6,022.80"]),
    # 64, 60, 70 h at £24.125; 4,680.25 / 3 = 1,560.0833; × 12 = 18,721.00
    (
        "Leadership: Paid team",
        ["1,544.00", "1,447.50", "1,688.75", "1,560.08", "18,721.00"],
    ),
    # 12, 10, 11 peer supporters at £85
    ("Peer support: Level 1", ["1,020.00", "850.00", "935.00", "935.00", "11,220.00"]),
    # 6 and 7 at £150, then 5 at £160 from June; 2,750 / 3 = 916.667
    ("Peer support: Level 2", ["900.00", "1,050.00", "800.00", "916.67", "11,000.00"]),
    # 100, 80, 90 visits at £12.345
    ("Centre usage", ["1,234.50", "987.60", "1,111.05", "1,111.05", "13,332.60"]),
    # 143, 150, 161 members at £0.4167: 59.5881, 62.505 (up to .51), 67.0887
    ("Online members", ["59.59", "62.51", "67.09", "63.06", "756.73"]),
    # 5 tallies; 2 tallies + 3 typed; 6 (one tally of 2) at £180
    ("Crisis support", ["900.00", "900.00", "1,080.00", "960.00", "11,520.00"]),
    # 6,162.0881; 5,770.105 (up to .11); 6,211.0887; mean 6,047.7606
    (
        "Total social value",
        ["6,162.09", "5,770.11", "6,211.09", "6,047.76", "72,573.13"],
    ),
    # Crisis support at £120: £60 less a crisis (5, 5 and 6 of them)
    (
        "Total at the lowest rates",
        ["5,862.09", "5,470.11", "5,851.09", "5,727.76", "68,733.13"],
    ),
    # ... and at £350: £170 more a crisis
    (
        "Total at the highest rates",
        ["7,012.09", "6,620.11", "7,231.09", "6,954.43", "83,453.13"],
    ),
    (
        "Statutory income",
        ["1,000.00", "1,000.00", "1,500.25", "1,166.75", "14,001.00"],
    ),
    ("Other income", ["500.00", "0.00", "750.50", "416.83", "5,002.00"]),
    ("Total income", ["1,500.00", "1,000.00", "2,250.75", "1,583.58", "19,003.00"]),
]
PERCENTAGES = [
    # statutory ÷ value: 1,000 / 6,162.0881 = 16.23%; 14,001 / 72,573.13 = 19.29%
    ("Share paid for by statutory money", "16.2 17.3 24.2 19.3 19.3"),
    ("Return as a percentage", "616 577 414 518 518"),
]
PER_POUND = [
    # value ÷ statutory: 6,162.0881 / 1,000; 72,573.1272 / 14,001 = 5.1834
    ("Return per £1 of statutory funding", "6.16 5.77 4.14 5.18 5.18"),
    ("Return per £1 at the lowest rates", "5.86 5.47 3.90 4.91 4.91"),
    ("Return per £1 at the highest rates", "7.01 6.62 4.82 5.96 5.96"),
]
COUNTS = [
    ("Leadership: Volunteers", "an hour", "40 37.5 42 39.83"),
    ("Leadership: Paid team", "an hour", "64 60 70 64.67"),
    ("Peer support: Level 1", "a peer supporter", "12 10 11 11"),
    ("Peer support: Level 2", "a peer supporter", "6 7 5 6"),
    ("Centre usage", "a use of the centre", "100 80 90 90"),
    ("Online members", "a member", "143 150 161 151.33"),
    ("Crisis support", "a crisis helped through", "5 5 6 5.33"),
]
RATES = [
    ("Leadership: Volunteers", "an hour", "£12.60", "–", "–", "Apr 2025 to Jun 2025"),
    ("Leadership: Paid team", "an hour", "£24.125", "–", "–", "Apr 2025 to Jun 2025"),
    (
        "Peer support: Level 1",
        "a peer supporter",
        "£85.00",
        "–",
        "–",
        "Apr 2025 to Jun 2025",
    ),
    (
        "Peer support: Level 2",
        "a peer supporter",
        "£150.00",
        "–",
        "–",
        "Apr 2025 to May 2025",
    ),
    ("Peer support: Level 2", "a peer supporter", "£160.00", "–", "–", "Jun 2025"),
    (
        "Centre usage",
        "a use of the centre",
        "£12.345",
        "–",
        "–",
        "Apr 2025 to Jun 2025",
    ),
    ("Online members", "a member", "£0.4167", "–", "–", "Apr 2025 to Jun 2025"),
    (
        "Crisis support",
        "a crisis helped through",
        "£180.00",
        "£120.00",
        "£350.00",
        "Apr 2025 to Jun 2025",
    ),
]
SOURCES = ["RLW", "Pay", "PS1", "PS2", "PS2 new", "Day centre", "£5 a year", "Crisis"]
SENTENCES = [
    "For every £1 of statutory funding (council, NHS and other public bodies), the "
    "work was worth £5.18 at the rates agreed with our funders. At the lowest and "
    "highest rates, between £4.91 and £5.96.",
    "Statutory money paid for 19.3% of the value of the work.",
    "In a typical month the work was worth £6,047.76; over a year, £72,573.13 (a "
    "typical month × 12, as this report covers 3 months).",
]


def shown_rows() -> list[list[str]]:
    """The table as printed: label, then each cell."""
    rows = [[label, *(f"£{v}" for v in cells)] for label, cells in VALUE]
    rows += [[label, *(f"{v}%" for v in cells.split())] for label, cells in PERCENTAGES]
    rows += [[label, *(f"£{v}" for v in cells.split())] for label, cells in PER_POUND]
    order = [
        *(label for label, _ in VALUE[:10]),
        "Statutory income",
        "Other income",
        "Total income",
        "Share paid for by statutory money",
        "Return per £1 of statutory funding",
        "Return as a percentage",
        "Return per £1 at the lowest rates",
        "Return per £1 at the highest rates",
    ]
    return sorted(rows, key=lambda row: order.index(row[0]))


def spreadsheet_rows() -> list[list[str]]:
    """The same cells as a spreadsheet holds them: numbers, no £ , or %."""
    return [
        [row[0], *(re.sub(r"[£,%]", "", cell) for cell in row[1:])]
        for row in shown_rows()
    ]


def count_rows() -> list[list[str]]:
    return [[label, unit, *cells.split()] for label, unit, cells in COUNTS]


def rate_rows() -> list[list[str]]:
    return [[*row, source] for row, source in zip(RATES, SOURCES, strict=True)]


class Tables(HTMLParser):
    """Each <table id="table-…">'s rows of cell text."""

    def __init__(self):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.current = None
        self.cell = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and attrs.get("id", "").startswith("table-"):
            self.current = self.tables.setdefault(attrs["id"][6:], [])
        elif tag == "tr" and self.current is not None:
            self.current.append([])
        elif tag in ("th", "td") and self.current is not None:
            self.cell = []

    def handle_endtag(self, tag):
        if tag == "table":
            self.current = None
        elif tag in ("th", "td") and self.cell is not None:
            self.current[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def html_tables(html: str) -> dict[str, list[list[str]]]:
    parser = Tables()
    parser.feed(html)
    return parser.tables


def pdf_row(text: str, label: str, after: str) -> list[str]:
    begin = text.index(after)
    for line in text[begin:].splitlines():
        line = line.strip()
        if line.startswith(label + "  "):
            return re.split(r"\s{2,}", line[len(label) :].strip())
    raise AssertionError(f"No row {label!r} after {after!r}")


def test_every_cell_in_the_html_preview(alice_client, framework):
    response = alice_client.get(reverse("reports:view"), QUARTER)
    assert response.status_code == 200
    tables = html_tables(response.content.decode())
    # The row headings' column has no visible heading; screen readers hear
    # the table's title there.
    assert tables["social_value"][0] == ["Social value", *COLUMNS[1:]]
    assert tables["social_value"][1:] == shown_rows()
    counts = tables["social_value_counts"]
    assert counts[0][0]
    assert counts[0][1:] == ["One unit is", *COLUMNS[1:4], "Mean month"]
    assert counts[1:] == count_rows()
    assert tables["social_value_rates"][1:] == rate_rows()
    html = " ".join(response.content.decode().split())
    for sentence in SENTENCES:
        assert sentence in html


def test_every_cell_in_the_pdf(alice_client, framework, tmp_path):
    response = alice_client.get(reverse("reports:pdf"), QUARTER)
    text = pdf_text(response.content, tmp_path)
    for label, *cells in shown_rows():
        assert pdf_row(text, label, "Social value") == cells, label
    for label, *cells in count_rows():
        assert pdf_row(text, label, "What we counted") == cells, label
    flat = " ".join(text.split())
    for sentence in SENTENCES:
        assert sentence in flat
    assert "fewer than" not in text and "not shown" not in text
    # The rates, as agreed and with their sources.
    assert re.search(r"Leadership: Paid team\s+an hour\s+£24\.125", flat)
    assert re.search(r"Online members\s+a member\s+£0\.4167", flat)
    assert re.search(r"£160\.00 – – Jun 2025 PS2 new", flat)


def test_every_cell_in_the_csv_tables_from_the_command(org, framework, tmp_path):
    call_command(
        "funder_report",
        "--org",
        org.slug,
        "--sections",
        "social_value",
        "--from",
        "2025-04-01",
        "--to",
        "2025-06-30",
        "--tables",
        str(tmp_path),
    )

    def read(key: str) -> list[list[str]]:
        text = (tmp_path / f"{key}.csv").read_text(encoding="utf-8-sig")
        return list(csv.reader(io.StringIO(text)))

    table = read("social_value")
    assert table[0] == COLUMNS
    assert table[1:] == spreadsheet_rows()
    counts = read("social_value_counts")
    assert counts[1:] == count_rows()
    rates = read("social_value_rates")
    assert rates[1:] == [
        [*row[:2], *(c.strip("£–") for c in row[2:5]), *row[5:]] for row in rate_rows()
    ]


def test_every_cell_in_the_xlsx_download(alice_client, framework):
    response = alice_client.get(
        reverse("reports:table", args=["social_value", "xlsx"]), QUARTER
    )
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert [c or "" for c in rows[0]] == COLUMNS
    assert len(rows) - 1 == len(spreadsheet_rows())
    for got, wanted in zip(rows[1:], spreadsheet_rows(), strict=True):
        assert got[0] == wanted[0]
        # Numbers, not text, and the same to the penny.
        assert all(isinstance(v, int | float) for v in got[1:]), got
        assert [Decimal(repr(v)) for v in got[1:]] == [
            Decimal(v) for v in wanted[1:]
        ], wanted[0]


def test_a_rate_changed_from_next_month_leaves_last_quarters_report_alone(
    alice_client, framework, org
):
    """Reports are links: the same link after a rate change gives the same
    report for the months before the change."""
    before = alice_client.get(reverse("reports:view"), QUARTER).content.decode()
    # From July, through the monthly screen, as a coordinator would.
    usage, paid = framework["usage"], framework["paid"]
    july = alice_client.get(reverse("reports:value_month", args=[2025, 7]))
    assert july.status_code == 200
    form = july.context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data[f"rate-{paid.line_id}-{paid.pk}"] = "30.5"
    data[f"source-{paid.line_id}-{paid.pk}"] = "New pay scale 2025"
    response = alice_client.post(reverse("reports:value_month", args=[2025, 7]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    Rate.objects.set_from(usage, None, dt.date(2025, 7, 1), Decimal("20"), "New table")
    assert Rate.objects.filter(effective_from=dt.date(2025, 7, 1)).count() == 2

    after = alice_client.get(reverse("reports:view"), QUARTER).content.decode()
    assert html_tables(after) == html_tables(before)
    assert html_tables(after)["social_value"][1:] == shown_rows()
    # The months from July use the new rates.
    july_report = alice_client.get(
        reverse("reports:view"),
        {**QUARTER, "start": "2025-07-01", "end": "2025-07-31"},
    ).content.decode()
    rates = html_tables(july_report)["social_value_rates"]
    assert ["Leadership: Paid team", "an hour", "£30.50", "–", "–", "Jul 2025"] == (
        next(r for r in rates if r[0] == "Leadership: Paid team")[:6]
    )
    assert next(r for r in rates if r[0] == "Centre usage")[2] == "£20.00"


def test_the_query_count_does_not_grow_with_the_framework(org, site, framework):
    def count() -> int:
        options = Options(
            organisation=org,
            period=Period(APRIL, dt.date(2026, 3, 31)),
            sites=[site],
            all_sites=True,
            sections=["social_value"],
        )
        with CaptureQueriesContext(connection) as queries:
            build_report(options)
        return len(queries)

    before = count()
    crisis = framework["crisis"]
    month = dt.date(2025, 7, 1)
    while month < dt.date(2026, 4, 1):
        session = Session.objects.create(site=site, date=month.replace(day=15))
        Visit.objects.bulk_create([Visit(session=session) for _ in range(20)])
        Tally.objects.bulk_create(
            [Tally(line=crisis, month=month, date=month, count=1) for _ in range(9)]
        )
        Income.objects.create(
            organisation=org,
            month=month,
            kind=Income.OTHER,
            name="Trust",
            amount=Decimal(10),
        )
        month = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    more = ValueLine.objects.create(
        organisation=org, name="More", unit="a thing", source=TYPED
    )
    for n in range(5):
        level = ValueLevel.objects.create(line=more, name=f"L{n}", position=n)
        Rate.objects.create(
            line=more, level=level, effective_from=APRIL, amount=1, source="x"
        )
    assert count() == before
    assert before <= 12


def test_each_kind_of_record_is_counted_by_month(org, site, other_org, person):
    """Two months of records, one line for each source, counted by hand."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from attendance.models import Person
    from peerspace.reports import value
    from safeguarding.models import ReflectionSession
    from signposting.models import Signpost

    def at(day, hour, minute=0):
        return timezone.make_aware(
            dt.datetime(day.year, day.month, day.day, hour, minute)
        )

    for source, _ in COUNT_SOURCES[1:]:
        ValueLine.objects.create(organisation=org, name=source, unit="u", source=source)
    sam, jo = person, Person.objects.create(organisation=org, known_as="Jo")
    Person.objects.filter(pk=sam.pk).update(created=at(dt.date(2025, 3, 3), 9))
    Person.objects.filter(pk=jo.pk).update(created=at(MAY, 9))
    gone = Person.objects.create(organisation=org, known_as="Gone")
    Person.objects.filter(pk=gone.pk).update(
        created=at(dt.date(2025, 1, 5), 9), erased_at=at(MAY.replace(day=20), 9)
    )
    Person.objects.create(organisation=other_org, known_as="Elsewhere")
    april1 = Session.objects.create(site=site, date=APRIL.replace(day=2))
    april2 = Session.objects.create(site=site, date=APRIL.replace(day=9))
    may = Session.objects.create(site=site, date=MAY.replace(day=7))
    Visit.objects.create(
        person=sam,
        session=april1,
        arrived_at=at(april1.date, 10),
        left_at=at(april1.date, 11, 30),
        helped_out=True,
    )
    Visit.objects.create(
        person=sam,
        session=april2,
        arrived_at=at(april2.date, 10),
        left_at=at(april2.date, 10, 20),
    )
    Visit.objects.create(session=april2, arrived_at=at(april2.date, 10))  # no leaving
    Visit.objects.create(
        person=jo,
        session=may,
        arrived_at=at(may.date, 13),
        left_at=at(may.date, 15, 15),
        helped_out=True,
    )
    for day, helped in ((APRIL, True), (APRIL, False), (MAY, False)):
        Signpost.objects.create(organisation=org, date=day, helped_to_contact=helped)
    user = get_user_model().objects.create_user(username="sal")
    ReflectionSession.objects.create(
        host=org, date=MAY.replace(day=13), created_by=user
    )

    framework = value.build(org, [APRIL, MAY])
    counts = {row.line.source: [str(c) for c in row.counts] for row in framework.rows}
    assert counts == {
        "visits": ["3", "1"],
        "people": ["1", "1"],
        "sessions": ["2", "1"],
        # 90 + 20 minutes in April; 135 in May (never signed out: no time)
        "hours": [str(Decimal(110) / 60), str(Decimal(135) / 60)],
        "helped-out": ["1", "1"],
        "signposts": ["2", "1"],
        "signposts-helped": ["1", "0"],
        # Sam and Gone at the end of April; Sam and Jo at the end of May.
        "members": ["2", "2"],
        "reflection": ["0", "1"],
    }


def test_small_counts_of_people_are_hidden_with_their_value_typed_or_not(
    alice_client, org, site
):
    """3 peer supporters (typed) and 3 visits (records): both counts hide, and
    so does their £ (with the rate printed beside it, £30 at £10 a peer says
    3) and everything worked out from it. 6 hours typed are not people: their
    £ shows."""
    peers = ValueLine.objects.create(
        organisation=org, name="Peers", unit="a peer", source=TYPED, counts_people=True
    )
    usage = ValueLine.objects.create(
        organisation=org, name="Usage", unit="a visit", source=VISITS, position=1
    )
    hours = ValueLine.objects.create(
        organisation=org, name="Hours", unit="an hour", source=TYPED, position=2
    )
    for line in (peers, usage, hours):
        Rate.objects.create(line=line, effective_from=APRIL, amount=10, source="s")
    Tally.objects.create(line=peers, month=APRIL, count=3)
    Tally.objects.create(line=hours, month=APRIL, count=6)
    session = Session.objects.create(site=site, date=APRIL.replace(day=3))
    Visit.objects.bulk_create([Visit(session=session) for _ in range(3)])
    Income.objects.create(
        organisation=org, month=APRIL, kind=Income.STATUTORY, name="C", amount=100
    )
    response = alice_client.get(
        reverse("reports:view"), {**QUARTER, "end": "2025-04-30"}
    )
    tables = html_tables(response.content.decode())
    counts = {row[0]: row[2:] for row in tables["social_value_counts"][1:]}
    assert counts == {
        "Peers": ["fewer than 5", "not shown"],
        "Usage": ["fewer than 5", "not shown"],
        "Hours": ["6", "6"],
    }
    shown = {row[0]: row[1:] for row in tables["social_value"][1:]}
    assert shown["Peers"] == ["not shown"] * 3
    assert shown["Usage"] == ["not shown"] * 3
    assert shown["Hours"] == ["£60.00", "£60.00", "£720.00"]
    assert shown["Total social value"] == ["not shown"] * 3
    assert shown["Return per £1 of statutory funding"] == ["not shown"] * 3
    assert shown["Statutory income"] == ["£100.00", "£100.00", "£1,200.00"]
    html = " ".join(response.content.decode().split())
    assert "Some figures are hidden so that no one can be recognised" in html
    # The peers' £ and the total, in no form.
    assert "£30.00" not in html and "£120.00" not in html


def test_a_whole_year_says_so(alice_client, framework):
    response = alice_client.get(
        reverse("reports:view"), {**QUARTER, "end": "2026-03-31"}
    )
    table = html_tables(response.content.decode())["social_value"]
    assert table[0][-1] == "Whole year"
    total = next(row for row in table if row[0] == "Total social value")
    # After June only one crisis, logged on 1 July: 18,143.2818 + 180.
    assert total[-1] == "£18,323.28"
    assert "(the twelve months of this report added up)" in (
        " ".join(response.content.decode().split())
    )
