"""The kiosk tablet a woman uses herself, in real Chromium."""

import re

import pytest
from playwright.sync_api import expect

from attendance.models import PendingArrival, Person, Session, Visit

pytestmark = pytest.mark.browser

# Stored about Sam (the `person` fixture) or about someone else: the kiosk shows
# none of it, only what she typed herself.
NEVER_SHOWN = ["Priya", "Shah", "Samantha", "Brien", "07700", "quiet corner"]


def assert_shows_no_one_else(page) -> None:
    html = page.content()
    text = page.locator("body").inner_text()
    for word in NEVER_SHOWN:
        assert word not in html, f"{word!r} shown on {page.url}"
    assert not re.search(r"\bJo\b", text), f"Sam's contact shown on {page.url}"


def test_a_woman_signs_herself_in_at_the_kiosk(page, log_in, org, site, kiosk, person):
    priya = Person.objects.create(
        organisation=org, known_as="Priya", full_name="Priya Shah"
    )
    Visit.objects.sign_in(priya, Session.objects.today(site))

    log_in("kiosk")
    expect(page).to_have_url(re.compile(r"/kiosk/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello! Come in.")
    assert_shows_no_one_else(page)

    page.get_by_role("link", name="I've been before").click()
    expect(page).to_have_url(re.compile(r"/kiosk/been-before/$"))
    assert_shows_no_one_else(page)
    page.get_by_label("What's your name?").fill("Sam")
    page.get_by_role("button", name="Sign me in").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Sam!")
    expect(page.get_by_text("You're signed in.")).to_be_visible()
    assert_shows_no_one_else(page)
    # It goes back to the start for the next woman, by itself or with a tap.
    refresh = page.locator('meta[http-equiv="refresh"]').get_attribute("content")
    assert re.fullmatch(r"\d+; url=/kiosk/", refresh)
    page.get_by_role("link", name="Done").click()
    expect(page).to_have_url(re.compile(r"/kiosk/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello! Come in.")
    assert_shows_no_one_else(page)

    visit = Visit.objects.get(person=person)
    assert visit.session.site == site
    assert visit.method == Visit.KIOSK
    assert visit.signed_in_by == kiosk
    assert visit.left_at is None
    assert not PendingArrival.objects.exists()
