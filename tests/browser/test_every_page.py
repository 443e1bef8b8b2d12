"""Every main page, visited as the person who uses it, on the demo's data.

The visits are the test: the fixtures check each page and state for
accessibility (axe-core, 44 px targets, nothing wider than the screen) at
phone and laptop sizes (a11y.py), and fail on a crash, a broken CSP or a
page error. The demo's data is what a newcomer sees: 150 women, a year of
visits, worries, sessions, services and stories nobody shaped for these tests.
"""

import io
import re

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from attendance.models import Person, Session, Visit
from peerspace.accounts.models import AuthenticatorApp, Organisation, Site
from peerspace.management.commands.demo import ORG_SLUG
from peerspace.reports.models import ReportTemplate, Story
from safeguarding.models import ReflectionSession, Worry
from signposting.models import Category, Service
from tests.test_two_factor import code_for

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(db) -> Organisation:
    call_command("demo", "--password", "password", stdout=io.StringIO())
    return Organisation.objects.get(slug=ORG_SLUG)


@pytest.fixture
def visit(page, browser_log, live_server):
    """Open a page and see it load with its heading (a 403 or 404 if asked)."""

    def visit(path: str, status: int = 200) -> None:
        if status >= 400:
            browser_log.error_pages.add(live_server.url + path)
        response = page.goto(path)
        assert response.status == status, f"{path}: {response.status}"
        expect(page.get_by_role("heading", level=1).first).to_be_visible()

    return visit


def test_the_coordinators_pages(page, log_in, visit, demo):
    person = Person.objects.filter(organisation=demo).not_erased().first()
    service = Service.objects.filter(organisation=demo).first()
    template = ReportTemplate.objects.filter(organisation=demo).first()
    story = Story.objects.filter(organisation=demo).first()
    category = Category.objects.filter(organisation=demo).first()
    log_in("coordinator")
    for path in [
        "/",
        "/people/",
        "/people/?to_finish=1",
        f"/people/{person.pk}/",
        f"/people/{person.pk}/edit/",
        f"/people/{person.pk}/erase/",
        "/activities/",
        "/team/",
        "/team/privacy-notice/",
        "/import-export/",
        "/signposting/",
        f"/signposting/services/{service.pk}/",
        f"/signposting/services/{service.pk}/edit/",
        "/signposting/log/",
        "/signposting/log/new/",
        "/signposting/print/",
        "/signposting/to-check/",
        "/signposting/categories/",
        f"/signposting/categories/{category.slug}/",
        "/signposting/sharing/",
        "/reports/",
        f"/reports/view/?template={template.pk}&period=last_fy",
        f"/reports/saved/{template.pk}/",
        "/reports/stories/",
        f"/reports/stories/{story.pk}/",
        "/reports/social-value/",
        "/reports/logo/",
        "/safeguarding/",
        "/safeguarding/worries/new/",
    ]:
        visit(path)

    # A paper sheet typed in, then its names to check.
    visit("/paper/")
    page.get_by_label("Site").select_option(label="Wigan")
    page.get_by_label("Date on the sheet").fill(timezone.localdate().isoformat())
    page.get_by_label("Names on the sheet").fill("Sam\nSomeone Quite New")
    page.get_by_role("button", name="Next: check the names").click()
    expect(
        page.get_by_role("button", name=re.compile(r"^Save 2 visits"))
    ).to_be_visible()


def test_the_safeguarding_members_pages(page, log_in, visit, demo):
    worry = Worry.objects.filter(organisation=demo, person__isnull=False).first()
    today = timezone.localdate()
    session = (
        ReflectionSession.objects.filter(host=demo, date__lte=today)
        .order_by("-date")
        .first()
    )
    log_in("safeguarding")
    for path in [
        "/safeguarding/",
        "/safeguarding/?status=all",
        f"/safeguarding/worries/{worry.pk}/",
        f"/safeguarding/worries/{worry.pk}/edit/",
        f"/safeguarding/people/{worry.person_id}/chronology/",
        "/safeguarding/sessions/",
        "/safeguarding/sessions/new/",
        f"/safeguarding/sessions/{session.pk}/",
        f"/safeguarding/sessions/{session.pk}/edit/",
        "/safeguarding/access-log/",
        "/safeguarding/settings/",
    ]:
        visit(path)
    # The agenda's first worry, to talk it through.
    visit(f"/safeguarding/sessions/{session.pk}/")
    page.locator(".agenda .agenda-row a").first.click()
    expect(page.locator("#id_notes")).to_be_visible()


def test_the_door_with_people_here_someone_at_the_kiosk_and_forms_to_finish(
    page, log_in, visit, demo
):
    """The door on a busy day: the demo has people signed in today at the site
    open that day (a few are signed in here on a day both are closed)."""
    site = max(
        Site.objects.filter(organisation=demo).order_by("name"),
        key=lambda s: Visit.objects.on_site_now(s).count(),
    )
    if not Visit.objects.on_site_now(site).exists():
        session = Session.objects.today(site)
        for someone in Person.objects.filter(organisation=demo).not_erased()[:3]:
            Visit.objects.sign_in(someone, session)
    # She typed a name the kiosk couldn't match, and two forms wait.
    arrival = site.pending_arrivals.create(name_typed="Oksana")
    Person.objects.create(organisation=demo, known_as="Quick One", form_complete=False)
    log_in("facilitator")
    expect(page.get_by_role("heading", level=1)).to_have_text("Where are you today?")
    page.get_by_role("button", name=re.compile(site.name)).click()
    expect(page.locator(".pending")).to_contain_text(arrival.name_typed)
    here = Visit.objects.on_site_now(site).count()
    expect(page.locator("#here-heading")).to_have_text(f"Here now: {here}")

    # Search results, a row's contacts and its extras (htmx), the first-visit
    # form and the closing confirmation: each is a state of its own.
    page.locator("#q").press_sequentially("sa", delay=20)
    expect(page.locator("#results li").first).to_be_visible()
    row = page.locator(".here-row").first
    row.locator("summary", has_text="Emergency contacts").click()
    row.locator("summary", has_text="Activity, helped out, more").click()
    expect(row.locator(".visit-options")).to_be_visible()
    page.locator("summary", has_text="Queue at the door?").click()
    page.locator("summary", has_text="A group who'd rather not give names").click()
    visit(f"/door/{site.pk}/new/")
    visit(f"/door/{site.pk}/sign-out-all/")


def test_the_kiosk_screens(page, log_in, visit, demo, settings):
    settings.DEBUG = True  # as `make run`: a missing page must still be ours
    log_in("kiosk")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello! Come in.")
    page.get_by_role("link", name="I'm new").click()
    expect(page.get_by_label("What would you like us to call you?")).to_be_visible()
    page.get_by_role("link", name="Cancel").click()
    page.get_by_role("link", name="I've been before").click()
    page.get_by_label("What's your name?").fill("Nobody Of That Name")
    page.get_by_role("button", name="Sign me in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you!")

    visit("/no-such-page/", status=404)
    expect(page.get_by_role("heading", level=1)).to_have_text("We can't find that page")
    expect(page.locator("body")).not_to_contain_text("URLconf")


def test_signing_in_two_factor_and_the_error_pages(page, log_in, visit, demo, settings):
    settings.TWO_FACTOR_ROLES = ["coordinator", "safeguarding"]
    visit("/login/")
    visit("/password-reset/")

    # First time: set up an app, then the recovery codes.
    log_in("coordinator")
    expect(page).to_have_url(re.compile(r"/2fa/setup/"))
    device = AuthenticatorApp.objects.get(user__username="coordinator")
    page.get_by_label("Code from the app").fill(code_for(device))
    page.get_by_role("button", name="Finish setting up").click()
    expect(page.locator("main code").first).to_be_visible()

    # Next time: the code.
    page.get_by_role("button", name="Show menu").click()
    page.get_by_role("button", name="Log out").click()
    # Logging out clears the device first, then posts: wait for it.
    page.wait_for_url(re.compile(r"/login/"))
    log_in("coordinator")
    expect(page.get_by_role("heading", level=1)).to_have_text("Check it's you")

    # A page her role doesn't reach, and one that isn't there.
    page.context.clear_cookies()
    log_in("facilitator")
    visit("/reports/", status=403)
    visit("/no-such-page/", status=404)
