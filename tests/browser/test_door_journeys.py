"""The facilitator's door screen, on a phone, in real Chromium."""

import datetime as dt
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from attendance.models import EmergencyContact, Person, Session, Visit

pytestmark = pytest.mark.browser

SCREENSHOT = Path(settings.BASE_DIR) / "docs" / "screenshot-door.png"


def today_url(site) -> re.Pattern:
    return re.compile(rf"/door/{site.pk}/$")


def here_heading(page):
    return page.locator("#here-heading")


def here_row(page, name: str):
    return page.locator(".here-row").filter(
        has=page.get_by_role("link", name=name, exact=True)
    )


def count_posts(page, path: str) -> list[str]:
    """Every POST the page sends to path, collected as it goes."""
    posts: list[str] = []
    page.on(
        "request",
        lambda r: (
            r.method == "POST" and urlsplit(r.url).path == path and posts.append(r.url)
        ),
    )
    return posts


def test_a_facilitator_signs_in_a_returning_woman(page, log_in, site, bob, person):
    log_in("bob")
    # A new device asks where it is, then remembers.
    page.get_by_role("button", name=re.compile(site.name)).click()
    expect(page).to_have_url(today_url(site))
    expect(here_heading(page)).to_have_text("Here now: 0")

    page.locator("#q").press_sequentially("sa", delay=20)
    results = page.locator("#results")
    expect(results.get_by_role("link", name="Sam", exact=True)).to_be_visible()
    results.get_by_role("button", name="Sign in Sam").click()

    expect(here_heading(page)).to_have_text("Here now: 1")
    expect(here_row(page, "Sam")).to_be_visible()
    expect(page.locator("#here")).to_contain_text("Sam is signed in. Welcome!")
    # Ready for the next person.
    expect(page.locator("#q")).to_have_value("")
    expect(results).to_be_empty()

    visit = Visit.objects.get()
    assert visit.person == person
    assert visit.session.site == site
    assert visit.session.date == timezone.localdate()
    assert visit.left_at is None
    assert visit.signed_in_by == bob
    assert visit.method == Visit.FACILITATOR


def test_a_facilitator_welcomes_a_first_timer_and_can_call_her_contact(
    page, log_in, site, bob
):
    log_in("bob", f"/door/{site.pk}/")
    page.get_by_role("link", name="Welcome someone new").click()

    page.get_by_label("What would she like us to call her?").fill("Aisha")
    page.locator("#id_contacts-0-name").fill("Nadia")
    page.locator("#id_contacts-0-relationship").fill("sister")
    page.locator("#id_contacts-0-phone").fill("07700 900461")
    page.get_by_label("She's happy with how we use her information").check()
    page.get_by_role("button", name="Save and sign her in").click()

    expect(page).to_have_url(today_url(site))
    expect(page.locator(".messages")).to_contain_text(
        "Welcome, Aisha! She's signed in."
    )
    expect(here_heading(page)).to_have_text("Here now: 1")

    # Her emergency contact is one tap away, and hidden until then.
    row = here_row(page, "Aisha")
    call = row.get_by_role("link", name=re.compile(r"^Call Nadia"))
    expect(call).to_be_hidden()
    row.locator("summary", has_text="Emergency contacts").click()
    expect(call).to_be_visible()
    expect(call).to_have_text("Call Nadia (sister): 07700 900461")
    expect(call).to_have_attribute("href", "tel:07700900461")

    aisha = Person.objects.get()
    assert aisha.known_as == "Aisha"
    assert aisha.organisation == site.organisation
    assert aisha.created_by == bob
    assert aisha.data_use_agreed_at is not None
    contact = EmergencyContact.objects.get()
    assert (contact.person, contact.name, contact.relationship, contact.phone) == (
        aisha,
        "Nadia",
        "sister",
        "07700 900461",
    )
    visit = Visit.objects.get()
    assert visit.person == aisha
    assert visit.session.site == site
    assert visit.left_at is None


def test_a_facilitator_signs_everyone_out_at_closing(
    page, log_in, org, site, bob, person
):
    session = Session.objects.today(site)
    priya = Person.objects.create(organisation=org, known_as="Priya")
    Visit.objects.sign_in(person, session, by=bob)
    Visit.objects.sign_in(priya, session, by=bob)

    log_in("bob", f"/door/{site.pk}/")
    expect(here_heading(page)).to_have_text("Here now: 2")
    page.get_by_role("link", name="Sign everyone out").click()

    # A confirm page, not a one-tap accident.
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Sign everyone out at {site.name}?"
    )
    expect(page.get_by_text("2 people are signed in.")).to_be_visible()
    assert Visit.objects.on_site_now(site).count() == 2
    page.get_by_role("button", name="Yes, sign everyone out").click()

    expect(page).to_have_url(today_url(site))
    expect(page.locator(".messages")).to_contain_text(
        "Everyone is signed out (2 people). Thank you!"
    )
    expect(here_heading(page)).to_have_text("Here now: 0")
    expect(page.locator(".here-row")).to_have_count(0)
    # Not "yet": the day is over (issue 12).
    expect(page.locator("#here-empty")).to_have_text("No one is signed in.")

    assert not Visit.objects.on_site_now(site).exists()
    assert Visit.objects.filter(session=session, left_at__isnull=False).count() == 2
    session.refresh_from_db()
    assert session.closes is not None


def test_double_tapping_sign_in_makes_one_visit(page, log_in, site, bob, person):
    posts = count_posts(page, f"/door/{site.pk}/sign-in/{person.pk}/")
    log_in("bob", f"/door/{site.pk}/")
    page.locator("#q").fill("Sam")
    page.get_by_role("button", name="Sign in Sam").dblclick()

    expect(here_row(page, "Sam")).to_have_count(1)
    expect(here_heading(page)).to_have_text("Here now: 1")
    # Not "Sam is already here": the second tap never reached the server.
    expect(page.locator("#here")).to_contain_text("Sam is signed in. Welcome!")
    assert len(posts) == 1
    assert Visit.objects.filter(person=person).count() == 1


def test_double_tapping_save_on_the_first_timer_form_makes_one_person(
    page, log_in, site, bob
):
    posts = count_posts(page, f"/door/{site.pk}/new/")
    log_in("bob", f"/door/{site.pk}/new/")
    page.get_by_label("What would she like us to call her?").fill("Bea")
    page.get_by_role("button", name="Save and sign her in").dblclick()

    expect(page).to_have_url(today_url(site))
    expect(here_row(page, "Bea")).to_have_count(1)
    assert len(posts) == 1
    assert Person.objects.filter(known_as="Bea").count() == 1
    assert Visit.objects.count() == 1


def test_the_door_screen_fits_a_phone_with_a_few_people_here(
    page, log_in, org, site, bob, person, activity
):
    """Also makes docs/screenshot-door.png when PEERSPACE_SCREENSHOTS=1."""
    session = Session.objects.today(site)
    priya = Person.objects.create(organisation=org, known_as="Priya")
    EmergencyContact.objects.create(
        person=priya, name="Dev", relationship="partner", phone="07700 900321"
    )
    maggie = Person.objects.create(organisation=org, known_as="Maggie")
    # Fixed times so the picture doesn't change with the clock (the date does).
    for minutes, someone in [(0, person), (12, priya), (25, maggie)]:
        at = timezone.make_aware(
            dt.datetime.combine(session.date, dt.time(10, 0))
            + dt.timedelta(minutes=minutes)
        )
        Visit.objects.sign_in(someone, session, by=bob, at=at)
    Visit.objects.filter(person=maggie).update(activity=activity, helped_out=True)

    log_in("bob", f"/door/{site.pk}/")
    expect(here_heading(page)).to_have_text("Here now: 3")
    expect(page.locator(".here-row")).to_have_count(3)
    # The README picture: the door screen before anything is opened.
    if os.environ.get("PEERSPACE_SCREENSHOTS") == "1":
        SCREENSHOT.parent.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOT), animations="disabled", caret="hide")
    maggie_visit = Visit.objects.get(person=maggie)
    row = page.locator(f"#visit-{maggie_visit.pk}")
    expect(row).to_contain_text("Quilting · helped out")
    # Her activity and "helped out" open from the row, fetched when needed.
    row.get_by_text("Activity, helped out, more").click()
    select = page.locator(f"#activity-{maggie_visit.pk}")
    expect(select).to_have_value(str(activity.pk))
    # htmx wires up the fetched form as it settles; a person can't tap sooner.
    expect(row.locator(".htmx-added, .htmx-settling")).to_have_count(0)
    select.select_option(label="No activity")
    expect(row.get_by_role("status")).to_have_text("Saved.")
    maggie_visit.refresh_from_db()
    assert maggie_visit.activity is None and maggie_visit.helped_out
    # Nothing wider than the phone: no sideways scrolling at the door.
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0


def test_the_quick_filter_narrows_who_is_here(page, log_in, org, site, bob, person):
    session = Session.objects.today(site)
    for name in ["Priya", "Samira", "Maggie"]:
        someone = Person.objects.create(organisation=org, known_as=name)
        Visit.objects.sign_in(someone, session, by=bob)
    Visit.objects.sign_in(person, session, by=bob)

    log_in("bob", f"/door/{site.pk}/")
    rows = page.locator(".here-row")
    expect(rows).to_have_count(4)
    # By keyboard, as on a phone: the filter is a labelled search box.
    page.get_by_label("Find someone in the list").focus()
    page.keyboard.type("sa")
    expect(rows.filter(visible=True)).to_have_count(2)
    expect(here_row(page, "Sam")).to_be_visible()
    expect(here_row(page, "Samira")).to_be_visible()
    expect(here_row(page, "Priya")).to_be_hidden()
    expect(page.locator("#here-filter-status")).to_have_text("Showing 2 of 4 people.")
    # Enter changes nothing: no page reload, the letters stay.
    page.keyboard.press("Enter")
    expect(page.get_by_label("Find someone in the list")).to_have_value("sa")

    page.get_by_label("Find someone in the list").fill("zz")
    expect(rows.filter(visible=True)).to_have_count(0)
    expect(page.locator("#here-filter-status")).to_have_text(
        "No one in the list matches “zz”."
    )

    # Someone signed in on another tablet appears, filtered like the rest.
    page.get_by_label("Find someone in the list").fill("sar")
    sarah = Person.objects.create(organisation=org, known_as="Sarah")
    Visit.objects.sign_in(sarah, session, by=bob)
    expect(here_row(page, "Sarah")).to_be_visible(timeout=12000)
    expect(here_heading(page)).to_have_text("Here now: 5")
    expect(rows.filter(visible=True)).to_have_count(1)
    expect(page.get_by_label("Find someone in the list")).to_have_value("sar")

    page.get_by_label("Find someone in the list").fill("")
    expect(rows.filter(visible=True)).to_have_count(5)


def test_the_refresh_is_a_304_until_something_changes(
    page, log_in, org, site, bob, person
):
    statuses: list[int] = []
    page.on(
        "response",
        lambda r: "/here/" in r.url and statuses.append(r.status),
    )
    # The page's clock runs as usual but can be moved on: no real 5 s waits.
    page.clock.install()
    log_in("bob", f"/door/{site.pk}/")
    expect(here_heading(page)).to_have_text("Here now: 0")
    for _ in range(2):
        with page.expect_response(lambda r: "/here/" in r.url):
            page.clock.run_for(5_500)
    assert statuses == [304, 304]
    Visit.objects.sign_in(person, Session.objects.today(site), by=bob)
    with page.expect_response(lambda r: "/here/" in r.url):
        page.clock.run_for(5_500)
    expect(here_row(page, "Sam")).to_be_visible()
    expect(here_heading(page)).to_have_text("Here now: 1")
    assert statuses[-1] == 200


def test_a_single_sign_out_can_be_undone(midday, page, log_in, org, site, bob, person):
    session = Session.objects.today(site)
    arrived = timezone.make_aware(dt.datetime.combine(session.date, dt.time(9, 30)))
    visit, _ = Visit.objects.sign_in(person, session, by=bob, at=arrived)
    priya = Person.objects.create(organisation=org, known_as="Priya")
    Visit.objects.sign_in(priya, session, by=bob)

    log_in("bob", f"/door/{site.pk}/")
    here_row(page, "Sam").get_by_role("button", name="Sign out Sam").click()
    expect(here_row(page, "Sam")).to_have_count(0)
    expect(here_heading(page)).to_have_text("Here now: 1")
    expect(page.locator("#door-flash")).to_contain_text("Sam is signed out.")
    visit.refresh_from_db()
    assert visit.left_at is not None

    page.locator("#door-flash").get_by_role(
        "button", name="Undo signing out Sam"
    ).click()
    expect(here_row(page, "Sam")).to_be_visible()
    expect(here_row(page, "Sam")).to_contain_text("arrived 09:30")
    # Back in her place, before Priya who came later.
    expect(page.locator(".here-row").first).to_contain_text("Sam")
    expect(here_heading(page)).to_have_text("Here now: 2")
    expect(page.locator("#door-flash")).to_contain_text("Sam is back in the list.")
    visit.refresh_from_db()
    assert visit.left_at is None and visit.arrived_at == arrived


def test_emergency_contacts_are_fetched_when_her_row_is_opened(
    page, log_in, site, bob, person
):
    visit, _ = Visit.objects.sign_in(person, Session.objects.today(site), by=bob)
    fetched: list[str] = []
    page.on("request", lambda r: "/contacts/" in r.url and fetched.append(r.url))
    log_in("bob", f"/door/{site.pk}/")
    assert "07700" not in page.content()
    assert not fetched
    row = here_row(page, "Sam")
    row.locator("summary", has_text="Emergency contacts").click()
    call = row.get_by_role("link", name="Call Jo (sister): 07700 900999")
    expect(call).to_be_visible()
    expect(call).to_have_attribute("href", "tel:07700900999")
    assert len(fetched) == 1
