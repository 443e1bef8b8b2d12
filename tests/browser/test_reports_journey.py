"""The coordinator's funder report, from a saved template, in real Chromium."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from attendance.models import Person, Session, Visit
from peerspace.reports.models import ReportTemplate
from peerspace.reports.periods import add_months, preset
from tests.helpers import pdf_text
from tests.reports.reports_helpers import FIRST_NAMES, SURNAMES

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
NARRATIVE = "We opened a second workshop on Tuesdays in Leigh."


@pytest.fixture
def last_quarter(org, site, site2):
    """Last quarter, whatever today is: nine women at Wigan, five of them at
    Leigh too. Every count is nought or at least five, so nothing is hidden.

    Wigan: 9 people x 3 sessions (one a month) = 27 visits.
    Leigh: 5 people x 2 sessions (the first two months) = 10 visits.
    """
    period = preset("last_quarter", timezone.localdate())
    months = [add_months(period.start, n) for n in range(3)]
    people = [
        Person.objects.create(
            organisation=org,
            known_as=FIRST_NAMES[i],
            full_name=f"{FIRST_NAMES[i]} {SURNAMES[i % 4]}",
        )
        for i in range(9)
    ]
    visits = []
    for month in months:
        session = Session.objects.create(site=site, date=month.replace(day=10))
        visits += [Visit(person=p, session=session) for p in people]
    for month in months[:2]:
        session = Session.objects.create(site=site2, date=month.replace(day=12))
        visits += [Visit(person=p, session=session) for p in people[:5]]
    Visit.objects.bulk_create(visits)
    # Visits after the quarter must not count.
    later = Session.objects.create(site=site, date=add_months(period.start, 3))
    Visit.objects.create(person=people[0], session=later)
    return period, people


@pytest.fixture
def funder_template(org):
    return ReportTemplate.objects.create(
        organisation=org,
        name="Quarterly for the Fund",
        funder="The Community Fund",
        sections=["activities", "headlines", "attendance"],
        headings={"headlines": "Outputs this quarter", "attendance": "Who came when"},
        narrative_heading="What we did this quarter",
        narrative=NARRATIVE,
    )


def test_the_coordinator_builds_a_report_from_a_saved_template_and_downloads_it(
    page, log_in, alice, last_quarter, funder_template, tmp_path
):
    period, people = last_quarter
    page.set_viewport_size(DESKTOP)
    log_in("alice", "/reports/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Funder reports")

    saved = page.locator("#saved-reports li").filter(
        has_text="Quarterly for the Fund · The Community Fund"
    )
    saved.get_by_role("link", name="Last quarter", exact=True).click()

    # The preview: the funder's cover, headings and words, and the figures.
    expect(page).to_have_url(re.compile(r"/reports/view/\?.*period=last_quarter"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Quarterly for the Fund")
    expect(page.locator(".cover-funder")).to_have_text("For The Community Fund")
    expect(page.locator(".cover-period")).to_have_text(period.label())
    headings = page.locator(".report-section h2")
    expect(headings).to_have_text(
        [
            "What we did this quarter",
            "Outputs this quarter",
            "Who came when",
            "Activities, and giving as well as receiving",
        ]
    )
    expect(page.locator("#section-narrative")).to_contain_text(NARRATIVE)
    headlines = page.locator("#table-headlines")
    expect(headlines.locator("thead th")).to_have_text(
        # The row headings' column has no visible heading, but says what it is.
        ["Headline figures", "Leigh", "Wigan", "All sites"]
    )
    visits_row = headlines.locator("tbody tr").filter(has_text="Visits")
    expect(visits_row.locator("th, td")).to_have_text(["Visits", "10", "27", "37"])
    people_row = headlines.locator("tbody tr").filter(has_text="People supported")
    expect(people_row.locator("th, td")).to_have_text(
        ["People supported", "5", "9", "9"]
    )
    body = page.locator("body")
    for person in people:
        expect(body).not_to_contain_text(person.known_as)

    # The PDF: the same report, with no one's name in it.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download PDF").click()
    download = download_info.value
    assert download.suggested_filename == (
        f"mended-report-{period.start}-to-{period.end}.pdf"
    )
    pdf = download.path().read_bytes()
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf, tmp_path)
    flat = " ".join(text.split())
    assert "Quarterly for the Fund" in flat and "For The Community Fund" in flat
    assert period.label() in flat
    assert NARRATIVE in flat
    assert "Outputs this quarter" in flat and "Who came when" in flat
    assert re.search(r"Visits\s+10\s+27\s+37\b", flat), flat
    assert re.search(r"People supported\s+5\s+9\s+9\b", flat), flat
    for person in people:
        assert person.known_as not in text
        assert person.full_name.split()[1] not in text

    # One table as a spreadsheet: the same cells as the preview.
    with page.expect_download() as download_info:
        page.locator("#table-headlines caption").get_by_role("link", name="CSV").click()
    download = download_info.value
    assert download.suggested_filename == (
        f"mended-report-{period.start}-to-{period.end}.headlines.csv"
    )
    lines = download.path().read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == ",Leigh,Wigan,All sites"
    assert "People supported,5,9,9" in lines
    assert "New people,5,9,9" in lines
    assert "Returning people,0,0,0" in lines
    assert "Visits,10,27,37" in lines
    assert "Sessions held,2,3,5" in lines
    csv_text = "\n".join(lines)
    for person in people:
        assert person.known_as not in csv_text
