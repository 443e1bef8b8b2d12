"""Every figure in the PDF, read back with pdftotext, against its own SQL count.

The known quarter (see reports_helpers.make_known) and its PDF are made once for
this module, in a transaction rolled back after its last test; each test checks
one section, so a wrong figure names its section.
"""

import datetime as dt
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from attendance.models import Person, Session, Visit
from peerspace.accounts.models import Membership, Organisation, Site
from peerspace.reports.figures import Options, build_report
from peerspace.reports.models import SECTION_KEYS
from peerspace.reports.periods import Period
from tests.conftest import make_user
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
    make_known,
)

QUARTER = {"period": "custom", "start": START.isoformat(), "end": END.isoformat()}


@dataclass
class Quarter:
    org: Organisation
    site: Site  # Wigan
    site2: Site  # Leigh
    text: str  # the PDF, as pdftotext reads it

    @property
    def params(self) -> tuple:
        return (self.site.pk, self.site2.pk, START, END)


@pytest.fixture(scope="module")
def quarter(django_db_setup, django_db_blocker, tmp_path_factory):
    with django_db_blocker.unblock(), transaction.atomic():
        org = Organisation.objects.create(name="Mended Together", slug="mended")
        other_org = Organisation.objects.create(name="Elsewhere", slug="elsewhere")
        site = Site.objects.create(organisation=org, name="Wigan")
        site2 = Site.objects.create(organisation=org, name="Leigh")
        other_site = Site.objects.create(organisation=other_org, name="Bolton")
        known = make_known(org, site, site2, other_org, other_site)
        client = Client()
        client.force_login(make_user("alice", org, Membership.COORDINATOR))
        response = client.get(
            reverse("reports:pdf"), {"template": known["template"].pk, **QUARTER}
        )
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        text = pdf_text(response.content, tmp_path_factory.mktemp("pdf"))
        yield Quarter(org, site, site2, text)
        transaction.set_rollback(True)


pytestmark = pytest.mark.django_db


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


def to(value, places: str) -> Decimal:
    return Decimal(value).quantize(Decimal(places), ROUND_HALF_UP)


VISITS = """
    FROM attendance_visit v JOIN attendance_session s ON s.id = v.session_id
    WHERE s.site_id IN (%s, %s) AND s.date >= %s AND s.date <= %s
"""


def test_the_cover_names_the_group_funder_period_and_pages(quarter):
    text = quarter.text
    assert "fewer than" not in text and "not shown" not in text
    assert "Mended Together" in text and "April to June 2025" in text
    assert "For The Community Fund" in text
    assert "What we did this quarter" in text and "opened on Fridays" in text
    assert re.search(r"Page 4 of \d+", text)


def test_headline_figures_by_site_and_for_all_sites(quarter):
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
    start = (quarter.org.pk, START, *quarter.params)
    # Leigh, Wigan (alphabetical), then all sites.
    columns = [
        sql(figures + " AND s.site_id = %s", *start, pk)[0]
        for pk in (quarter.site2.pk, quarter.site.pk)
    ]
    columns.append(sql(figures, *start)[0])
    text, after = quarter.text, "Headline figures"
    assert row(text, "People supported", after) == [n(c[0]) for c in columns]
    assert row(text, "New people", after) == [n(c[4]) for c in columns]
    assert row(text, "Returning people", after) == [n(c[0] - c[4]) for c in columns]
    assert row(text, "Visits", after) == [n(c[1]) for c in columns]
    assert row(text, "Unnamed head-counts", after) == [n(c[2]) for c in columns]
    assert row(text, "Sessions held", after) == [n(c[3]) for c in columns]
    assert row(text, "Average people per session", after) == [
        str(to(Decimal(c[1]) / c[3], "0.1")) for c in columns
    ]
    # The dataset is what we think it is.
    assert columns[-1][0] == 40 and columns[-1][1] > 500


def test_visits_by_week_for_every_week_and_site(quarter):
    site, site2 = quarter.site, quarter.site2
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
        assert row(quarter.text, label, "Visits by week") == [
            *map(n, counts),
            n(sum(counts)),
        ]
        week += dt.timedelta(days=7)
    visits = sql(f"SELECT COUNT(*) {VISITS}", *quarter.params)[0][0]
    assert row(quarter.text, "Whole period", "Visits by week")[-1] == n(visits)


def test_activities_and_giving_as_well_as_receiving(quarter):
    text = quarter.text
    for name, v, p in sql(
        """SELECT a.name, COUNT(*), COUNT(DISTINCT v.person_id)
        FROM attendance_visit v JOIN attendance_session s ON s.id = v.session_id
        LEFT JOIN attendance_activity a ON a.id = v.activity_id
        WHERE s.site_id IN (%s, %s) AND s.date >= %s AND s.date <= %s
        GROUP BY a.name""",
        *quarter.params,
    ):
        assert row(text, name or "Not recorded", "Activities") == [n(v), n(p)]
    visits, people = sql(
        f"SELECT COUNT(*), COUNT(DISTINCT v.person_id) {VISITS}", *quarter.params
    )[0]
    assert row(text, "All activities") == [n(visits), n(people)]
    helped, helped_visits = sql(
        f"""SELECT COUNT(DISTINCT v.person_id), COUNT(*) {VISITS}
        AND v.helped_out = %s""",
        *quarter.params,
        True,
    )[0]
    assert row(text, "People who helped out at least once") == [n(helped)]
    assert row(text, "Share of people supported") == [
        f"{to(Decimal(helped) * 100 / people, '1')}%"
    ]
    assert row(text, "Visits when someone helped out") == [n(helped_visits)]


def test_signposting_in_all_and_by_category(quarter):
    text, org = quarter.text, quarter.org
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
    assert row(text, "Share with help to get in touch") == [
        f"{to(Decimal(with_help) * 100 / times, '1')}%"
    ]
    by_category = sql(
        """SELECT c.name, COUNT(DISTINCT sp.id) FROM signposting_signpost sp
        JOIN signposting_signpost_services ss ON ss.signpost_id = sp.id
        JOIN signposting_service_categories sc ON sc.service_id = ss.service_id
        JOIN signposting_category c ON c.id = sc.category_id
        WHERE sp.organisation_id = %s AND sp.date >= %s AND sp.date <= %s
        GROUP BY c.name""",
        org.pk,
        START,
        END,
    )
    assert len(by_category) == 2
    for name, count in by_category:
        assert row(text, name, "Information given by category") == [n(count)]


def test_safeguarding_as_counts_only(quarter):
    text, org = quarter.text, quarter.org
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


def test_stories_only_with_consent_and_their_outcomes_counted(quarter):
    text = quarter.text
    shared = sql(
        """SELECT COUNT(*) FROM reports_story WHERE organisation_id = %s
        AND consent_to_share = %s AND date >= %s AND date <= %s""",
        quarter.org.pk,
        True,
        START,
        END,
    )[0][0]
    assert text.count("Coming here gave me my confidence back") == shared == 6
    assert row(text, "Less isolated", "What changed") == ["7"]
    assert row(text, "New skills", "What changed") == ["6"]
    assert row(text, "Into work", "What changed") == ["0"]


def test_who_came_from_what_people_chose_to_tell_us(quarter):
    text = quarter.text
    supported = f"SELECT DISTINCT v.person_id {VISITS} AND v.person_id IS NOT NULL"
    ages = dict(
        sql(
            f"""SELECT age_band, COUNT(*) FROM attendance_person
            WHERE id IN ({supported}) GROUP BY age_band""",  # noqa: S608
            *quarter.params,
        )
    )
    assert row(text, "25 to 34", "Age") == [n(ages["25-34"])]
    assert row(text, "45 to 54", "Age") == [n(ages["45-54"])]
    assert row(text, "Not given", "Age") == [n(ages[""])]
    assert row(text, "Under 18", "Age") == ["0"]
    assert row(text, "All people supported", "Age") == [n(sum(ages.values()))]
    districts = dict(
        sql(
            f"""SELECT CASE WHEN postcode = '' THEN '' ELSE UPPER(SUBSTR(
                REPLACE(postcode, ' ', ''), 1, LENGTH(REPLACE(postcode, ' ', '')) - 3
            )) END AS d, COUNT(*) FROM attendance_person
            WHERE id IN ({supported}) GROUP BY d""",  # noqa: S608
            *quarter.params,
        )
    )
    after = "Where people live"
    for key in ("WN1", "WN5", "M29"):
        assert row(text, key, after) == [n(districts[key])]
    assert row(text, "Not given", after) == [n(districts[""])]


def test_social_value_from_visits_and_helped_signposting(quarter):
    """April's visits at £25, helped signposting at £40, £1,000 statutory."""
    monthly = []
    for month, last in (
        (dt.date(2025, 4, 1), dt.date(2025, 4, 30)),
        (dt.date(2025, 5, 1), dt.date(2025, 5, 31)),
        (dt.date(2025, 6, 1), dt.date(2025, 6, 30)),
    ):
        v = sql(
            f"SELECT COUNT(*) {VISITS}", quarter.site.pk, quarter.site2.pk, month, last
        )[0][0]
        h = sql(
            """SELECT COUNT(*) FROM signposting_signpost WHERE organisation_id = %s
            AND helped_to_contact = %s AND date >= %s AND date <= %s""",
            quarter.org.pk,
            True,
            month,
            last,
        )[0][0]
        monthly.append(v * 25 + h * 40)
    mean = Decimal(sum(monthly)) / 3
    full_year = mean * 12

    def pounds(value) -> str:
        return f"£{to(value, '0.01'):,}"

    text = quarter.text
    assert row(text, "Total social value") == [
        *map(pounds, monthly),
        pounds(mean),
        pounds(full_year),
    ]
    assert row(text, "Total income") == ["£2,500.00"] * 4 + ["£30,000.00"]
    per_pound = to(full_year / (Decimal(1000) * 12), "0.01")
    assert row(text, "Return per £1 of statutory funding")[-1] == f"£{per_pound}"
    flat = " ".join(text.split())
    assert "no perfect price" in flat
    assert "Commissioner's day-centre unit cost" in flat


def test_the_pdf_holds_no_personal_details(quarter):
    text = quarter.text
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


def test_the_number_of_queries_does_not_grow_with_the_data(quarter):
    org, site, site2 = quarter.org, quarter.site, quarter.site2

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
