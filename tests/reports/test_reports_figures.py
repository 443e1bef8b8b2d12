"""Every figure in the PDF, read back with pdftotext, against its own SQL count."""

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from attendance.models import Person, Session, Visit
from peerspace.reports.figures import Options, build_report
from peerspace.reports.models import SECTION_KEYS, Income, UnitRate
from peerspace.reports.periods import Period
from tests.helpers import pdf_text
from tests.reports.reports_helpers import (
    END,
    FIRST_NAMES,
    SECRET_ADDRESS,
    SECRET_NOTE,
    START,
    STORY_SECRET,
    SURNAMES,
    WORRY_TEXT,
)

QUARTER = {"period": "custom", "start": START.isoformat(), "end": END.isoformat()}


def sql(query: str, *params) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall()


def row(text: str, label: str, after: str = "") -> list[str]:
    """The cells after `label` on its line (cells are 2+ spaces apart)."""
    begin = text.index(after) if after else 0
    for line in text[begin:].splitlines():
        line = line.strip()
        if line.startswith(label) and (
            len(line) == len(label) or line[len(label) : len(label) + 2] == "  "
        ):
            return re.split(r"\s{2,}", line[len(label) :].strip())
    raise AssertionError(f"No row {label!r} after {after!r}")


def n(value) -> str:
    return f"{value:,}"


def one_place(visits: int, sessions: int) -> str:
    return str((Decimal(visits) / sessions).quantize(Decimal("0.1"), ROUND_HALF_UP))


VISITS = """
    FROM attendance_visit v JOIN attendance_session s ON s.id = v.session_id
    WHERE s.site_id IN (%s, %s) AND s.date >= %s AND s.date <= %s
"""


@pytest.fixture
def quarter_pdf(alice_client, known, tmp_path):
    response = alice_client.get(
        reverse("reports:pdf"), {"template": known["template"].pk, **QUARTER}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return pdf_text(response.content, tmp_path)


def test_every_figure_in_the_pdf_matches_sql(quarter_pdf, known, org, site, site2):
    text = quarter_pdf
    params = (site.pk, site2.pk, START, END)
    assert "fewer than" not in text and "not shown" not in text
    assert "Mended Together" in text and "April to June 2025" in text
    assert "For The Community Fund" in text
    assert "What we did this quarter" in text and "opened on Fridays" in text
    assert re.search(r"Page 4 of \d+", text)

    # Headline figures, by site (Leigh, Wigan: alphabetical) and for all sites.
    first_visit = """
        SELECT v2.person_id FROM attendance_visit v2
        JOIN attendance_session s2 ON s2.id = v2.session_id
        JOIN attendance_person p ON p.id = v2.person_id
        WHERE p.organisation_id = %s GROUP BY v2.person_id HAVING MIN(s2.date) >= %s
    """
    figures = f"""
        SELECT COUNT(DISTINCT v.person_id), COUNT(*),
            SUM(CASE WHEN v.person_id IS NULL THEN 1 ELSE 0 END),
            COUNT(DISTINCT v.session_id),
            COUNT(DISTINCT CASE WHEN v.person_id IN ({first_visit})
                THEN v.person_id END)
        {VISITS}
    """
    columns = []
    for site_pk in (site2.pk, site.pk):
        columns.append(
            sql(
                figures + " AND s.site_id = %s",
                org.pk,
                START,
                *params,
                site_pk,
            )[0]
        )
    columns.append(sql(figures, org.pk, START, *params)[0])
    after = "Headline figures"
    assert row(text, "People supported", after) == [n(c[0]) for c in columns]
    assert row(text, "New people", after) == [n(c[4]) for c in columns]
    assert row(text, "Returning people", after) == [n(c[0] - c[4]) for c in columns]
    assert row(text, "Visits", after) == [n(c[1]) for c in columns]
    assert row(text, "Unnamed head-counts", after) == [n(c[2]) for c in columns]
    assert row(text, "Sessions held", after) == [n(c[3]) for c in columns]
    assert row(text, "Average people per session", after) == [
        one_place(c[1], c[3]) for c in columns
    ]
    people, visits = columns[-1][0], columns[-1][1]
    assert people == 40 and visits > 500  # the dataset is what we think it is

    # Attendance by week: every week, each site and all sites.
    week = START - dt.timedelta(days=START.weekday())
    while week <= END:
        first, last = max(week, START), min(week + dt.timedelta(days=6), END)
        counts = [
            sql(
                f"SELECT COUNT(*) {VISITS} AND s.site_id = %s",
                site.pk,
                site2.pk,
                first,
                last,
                pk,
            )[0][0]
            for pk in (site2.pk, site.pk)
        ]
        label = f"{week:%-d %b %Y}"
        assert row(text, label, "Visits by week") == [*map(n, counts), n(sum(counts))]
        week += dt.timedelta(days=7)
    assert row(text, "Whole period", "Visits by week")[-1] == n(visits)

    # Activities, and giving as well as receiving.
    for name, v, p in sql(
        """SELECT a.name, COUNT(*), COUNT(DISTINCT v.person_id)
        FROM attendance_visit v JOIN attendance_session s ON s.id = v.session_id
        LEFT JOIN attendance_activity a ON a.id = v.activity_id
        WHERE s.site_id IN (%s, %s) AND s.date >= %s AND s.date <= %s
        GROUP BY a.name""",
        *params,
    ):
        assert row(text, name or "Not recorded", "Activities") == [n(v), n(p)]
    assert row(text, "All activities") == [n(visits), n(people)]
    helped, helped_visits = sql(
        f"""SELECT COUNT(DISTINCT v.person_id), COUNT(*) {VISITS}
        AND v.helped_out = %s""",
        *params,
        True,
    )[0]
    assert row(text, "People who helped out at least once") == [n(helped)]
    assert row(text, "Share of people supported") == [
        f"{(Decimal(helped) * 100 / people).quantize(Decimal('1'), ROUND_HALF_UP)}%"
    ]
    assert row(text, "Visits when someone helped out") == [n(helped_visits)]

    # Signposting.
    times, with_help = sql(
        """SELECT COUNT(*), SUM(CASE WHEN helped_to_contact THEN 1 ELSE 0 END)
        FROM signposting_signpost WHERE organisation_id = %s
        AND date >= %s AND date <= %s""",
        org.pk,
        START,
        END,
    )[0]
    assert row(text, "Times information was given") == [n(times)]
    assert row(text, "Times we helped someone get in touch") == [n(with_help)]
    for name, count in sql(
        """SELECT c.name, COUNT(DISTINCT sp.id) FROM signposting_signpost sp
        JOIN signposting_signpost_services ss ON ss.signpost_id = sp.id
        JOIN signposting_service_categories sc ON sc.service_id = ss.service_id
        JOIN signposting_category c ON c.id = sc.category_id
        WHERE sp.organisation_id = %s AND sp.date >= %s AND sp.date <= %s
        GROUP BY c.name""",
        org.pk,
        START,
        END,
    ):
        assert row(text, name, "Information given by category") == [n(count)]

    # Safeguarding, counts only.
    held = sql(
        """SELECT COUNT(*) FROM safeguarding_reflectionsession
        WHERE host_id = %s AND date >= %s AND date <= %s""",
        org.pk,
        START,
        END,
    )[0][0]
    reviews = """FROM safeguarding_worryreview r
        JOIN safeguarding_worry w ON w.id = r.worry_id
        JOIN safeguarding_reflectionsession rs ON rs.id = r.session_id
        WHERE w.organisation_id = %s AND rs.date >= %s AND rs.date <= %s"""
    worries, referrals = sql(
        f"""SELECT COUNT(DISTINCT r.worry_id),
        SUM(CASE WHEN r.decision = 'referral' THEN 1 ELSE 0 END) {reviews}""",
        org.pk,
        START,
        END,
    )[0]
    assert row(text, "Reflection sessions held") == [n(held)]
    assert row(text, "Worries talked through") == [n(worries)]
    assert row(text, "Formal referrals made") == [n(referrals)]
    by_kind = dict(
        sql(
            f"""SELECT r.referral_to, COUNT(*) {reviews}
            AND r.decision = 'referral' GROUP BY r.referral_to""",
            org.pk,
            START,
            END,
        )
    )
    after = "Formal referrals by kind"
    assert row(text, "Adult social care", after) == [n(by_kind["adult-social-care"])]
    assert row(text, "Other", after) == [n(by_kind["other"])]
    assert row(text, "Police", after) == ["0"]
    assert row(text, "All formal referrals") == [n(referrals)]

    # Stories: only the consented ones, and the outcomes counted.
    shared = sql(
        """SELECT COUNT(*) FROM reports_story WHERE organisation_id = %s
        AND consent_to_share = %s AND date >= %s AND date <= %s""",
        org.pk,
        True,
        START,
        END,
    )[0][0]
    assert text.count("Coming here gave me my confidence back") == shared
    assert row(text, "Less isolated", "What changed") == ["7"]
    assert row(text, "New skills", "What changed") == ["6"]
    assert row(text, "Into work", "What changed") == ["0"]

    # Who came: from the fields people chose to fill.
    supported = f"SELECT DISTINCT v.person_id {VISITS} AND v.person_id IS NOT NULL"
    ages = dict(
        sql(
            f"""SELECT age_band, COUNT(*) FROM attendance_person
            WHERE id IN ({supported}) GROUP BY age_band""",  # noqa: S608
            *params,
        )
    )
    assert row(text, "25 to 34", "Age") == [n(ages["25-34"])]
    assert row(text, "45 to 54", "Age") == [n(ages["45-54"])]
    assert row(text, "Not given", "Age") == [n(ages[""])]
    assert row(text, "Under 18", "Age") == ["0"]
    assert row(text, "All people supported", "Age") == [n(people)]
    districts = dict(
        sql(
            f"""SELECT CASE WHEN postcode = '' THEN '' ELSE UPPER(SUBSTR(
                REPLACE(postcode, ' ', ''), 1, LENGTH(REPLACE(postcode, ' ', '')) - 3
            )) END AS d, COUNT(*) FROM attendance_person
            WHERE id IN ({supported}) GROUP BY d""",  # noqa: S608
            *params,
        )
    )
    after = "Where people live"
    for key in ("WN1", "WN5", "M29"):
        assert row(text, key, after) == [n(districts[key])]
    assert row(text, "Not given", after) == [n(districts[""])]

    # Social value: April's visits at £25, helped signposting at £40.
    monthly = []
    for month, last in (
        (dt.date(2025, 4, 1), dt.date(2025, 4, 30)),
        (dt.date(2025, 5, 1), dt.date(2025, 5, 31)),
        (dt.date(2025, 6, 1), dt.date(2025, 6, 30)),
    ):
        v = sql(f"SELECT COUNT(*) {VISITS}", site.pk, site2.pk, month, last)[0][0]
        h = sql(
            """SELECT COUNT(*) FROM signposting_signpost WHERE organisation_id = %s
            AND helped_to_contact = %s AND date >= %s AND date <= %s""",
            org.pk,
            True,
            month,
            last,
        )[0][0]
        monthly.append(v * 25 + h * 40)
    total = sum(monthly)
    mean = Decimal(total) / 3
    full_year = mean * 12
    statutory_year = Decimal(1000) * 12

    def pounds(value) -> str:
        return f"£{Decimal(value).quantize(Decimal('1'), ROUND_HALF_UP):,}"

    assert row(text, "Total social return") == [
        *map(pounds, monthly),
        pounds(mean),
        pounds(full_year),
    ]
    assert row(text, "Total income") == ["£2,500"] * 3 + ["£2,500", "£30,000"]
    per_pound = (full_year / statutory_year).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert row(text, "Social return per £1 of statutory funding")[-1] == (
        f"£{per_pound}"
    )
    assert "no perfect price" in text
    assert "Commissioner's day-centre unit cost" in text


def test_the_pdf_holds_no_personal_details(quarter_pdf, known):
    text = quarter_pdf
    folded = re.sub(r"\s+", " ", text).casefold()
    for name in [*FIRST_NAMES, *SURNAMES, "Hortensia", "Blackwoodley", "Hyacinthia"]:
        assert name.casefold() not in folded, name
    for secret in [
        SECRET_NOTE,
        SECRET_ADDRESS,
        WORRY_TEXT,
        STORY_SECRET,
        "Thistlewaite",
        "REF-998877",
        "Q.F.",
        "07700",
        "Outsider",
        "Ottoline",
    ]:
        assert secret.casefold() not in folded, secret
    # Nor any postcode beyond its district.
    assert not re.search(r"\b[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}\b", text)


def test_the_social_value_arithmetic_on_a_worked_example(org, site):
    """Two months: 100 and 60 visits at £12.50, 4 and 0 helped signposts at
    £30, statutory £2,000 a month, other £500 then £1,500."""
    for month, n_visits in ((dt.date(2025, 1, 1), 100), (dt.date(2025, 2, 1), 60)):
        session = Session.objects.create(site=site, date=month.replace(day=7))
        Visit.objects.bulk_create([Visit(session=session) for _ in range(n_visits)])
    from signposting.models import Service, Signpost

    service = Service.objects.create(organisation=org, name="Advice")
    for _ in range(4):
        Signpost.objects.create(
            organisation=org, date=dt.date(2025, 1, 9), helped_to_contact=True
        ).services.set([service])
    UnitRate.objects.create(
        organisation=org, kind=UnitRate.VISIT, rate=Decimal("12.50"), source="A"
    )
    UnitRate.objects.create(
        organisation=org, kind=UnitRate.SIGNPOST_HELPED, rate=Decimal("30"), source="B"
    )
    for month, other in ((dt.date(2025, 1, 1), 500), (dt.date(2025, 2, 1), 1500)):
        Income.objects.create(
            organisation=org,
            month=month,
            kind=Income.STATUTORY,
            name="Council",
            amount=Decimal(2000),
        )
        Income.objects.create(
            organisation=org,
            month=month,
            kind=Income.OTHER,
            name="Trust",
            amount=Decimal(other),
        )
    report = build_report(
        Options(
            organisation=org,
            period=Period(dt.date(2025, 1, 1), dt.date(2025, 2, 28)),
            sites=[site],
            all_sites=True,
            sections=["social_value"],
        )
    )
    table = report.tables()["social_value"]
    rows = {r[0].value: [c.value for c in r[1:]] for r in table.rows}
    d = Decimal
    assert rows["Council (statutory)"] == [2000, 2000, 2000, 24000]
    assert rows["Trust (other)"] == [500, 1500, 1000, 12000]
    assert rows["Total income"] == [2500, 3500, 3000, 36000]
    assert rows["Financial return (other income as % of statutory)"] == [25, 75, 50, 50]
    visits_row = next(k for k in rows if k.startswith("A day-centre visit"))
    # 100 × £12.50 = £1,250; 60 × £12.50 = £750; mean £1,000; year £12,000.
    assert rows[visits_row] == [1250, 750, 1000, 12000]
    helped_row = next(k for k in rows if k.startswith("Signposting with help"))
    assert rows[helped_row] == [120, 0, 60, 720]
    assert rows["Total social return"] == [1370, 750, 1060, 12720]
    cost = rows["Cost as % of value (statutory ÷ social return)"]
    assert [round(v, 2) for v in cost] == [
        d("145.99"),
        d("266.67"),
        d("188.68"),
        d("188.68"),
    ]
    # Full-year social return ÷ full-year statutory funding: 12,720 / 24,000.
    assert rows["Social return per £1 of statutory funding"][-1] == d("0.53")
    assert table.display(table.rows[-1][-1]) == "£0.53"
    assert table.columns == ["", "Jan 2025", "Feb 2025", "Mean month", "Full year"]
    assert "no perfect price" in report.sections[0].paragraphs[-1]


def test_small_numbers_are_hidden_in_the_pdf(alice_client, org, site, tmp_path):
    session = Session.objects.create(site=site, date=dt.date(2025, 5, 6))
    for i in range(3):
        Visit.objects.create(
            person=Person.objects.create(
                organisation=org, known_as=f"P{i}", age_band="25-34"
            ),
            session=session,
        )
    for i in range(9):
        Visit.objects.create(
            person=Person.objects.create(
                organisation=org, known_as=f"Q{i}", age_band="45-54"
            ),
            session=session,
        )
    response = alice_client.get(
        reverse("reports:pdf"), {"sections": ["demographics"], **QUARTER}
    )
    text = pdf_text(response.content, tmp_path)
    assert row(text, "25 to 34", "Age") == ["fewer than 5"]
    # 12 - 3 would give the 9 away: hidden too, honestly labelled.
    assert row(text, "45 to 54", "Age") == ["not shown"]
    assert row(text, "All people supported", "Age") == ["12"]
    assert "counts from 1 to 4" in text


def test_the_number_of_queries_does_not_grow_with_the_data(known, org, site, site2):
    def count() -> int:
        options = Options(
            organisation=org,
            period=Period(START, END),
            sites=[site2, site],
            all_sites=True,
            sections=SECTION_KEYS,
        )
        with CaptureQueriesContext(connection) as queries:
            build_report(options)
        return len(queries)

    before = count()
    more = Person.objects.bulk_create(
        [Person(organisation=org, known_as=f"More {i}") for i in range(30)]
    )
    sessions = list(Session.objects.filter(site__in=[site, site2], date__gte=START))
    Visit.objects.bulk_create(
        [Visit(person=p, session=s) for p in more for s in sessions[:20]]
    )
    assert count() == before
    assert before <= 25


def test_hours_of_peer_support_are_time_signed_in(org, site):
    session = Session.objects.create(site=site, date=dt.date(2025, 3, 4))
    arrived = dt.datetime(2025, 3, 4, 10, 0, tzinfo=dt.UTC)
    Visit.objects.bulk_create(
        [
            Visit(session=session, arrived_at=arrived, left_at=arrived + length)
            for length in (dt.timedelta(minutes=90), dt.timedelta(hours=3))
        ]
        # Never signed out: no hours counted, but still a visit.
        + [Visit(session=session, arrived_at=arrived)]
    )
    UnitRate.objects.create(
        organisation=org, kind=UnitRate.HOUR, rate=Decimal("10"), source="C"
    )
    report = build_report(
        Options(
            organisation=org,
            period=Period(dt.date(2025, 3, 1), dt.date(2025, 3, 31)),
            sites=[site],
            all_sites=True,
            sections=["social_value"],
        )
    )
    units = report.tables()["social_value_units"]
    assert [c.value for c in units.rows[0][1:]] == [Decimal("4.5")] * 2
    value = report.tables()["social_value"].rows[2]
    assert value[0].value.startswith("An hour of peer support")
    assert value[1].value == Decimal("45.0")
