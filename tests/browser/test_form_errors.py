"""A form with a problem, on a phone: the error summary at the top, read out
first, each link taking her to the field; each message as wide as the form."""

import re

import pytest
from playwright.sync_api import expect

from attendance.models import Person

pytestmark = pytest.mark.browser


def test_on_a_phone_the_consent_problem_is_at_the_top_and_one_tap_away(
    page, log_in, site, bob
):
    log_in("bob", f"/door/{site.pk}/new/")
    page.get_by_label("What would she like us to call her?").fill("Aisha")
    page.get_by_label("Phone", exact=True).fill("07700 900111")
    page.locator("#id_contacts-0-name").fill("Nadia")
    page.get_by_role("button", name="Save and sign her in").click()

    summary = page.get_by_role("alert").filter(has_text="Please check these")
    expect(summary).to_be_focused()
    expect(summary).to_be_in_viewport()
    # Above the page's heading, as the first thing on it.
    heading = page.get_by_role("heading", level=1)
    assert summary.bounding_box()["y"] < heading.bounding_box()["y"]
    # In the order the fields come on the page: the contact, then her agreement.
    links = summary.get_by_role("link")
    expect(links).to_have_count(2)
    expect(links.nth(0)).to_have_text(re.compile("call them in an emergency"))
    expect(links.nth(1)).to_have_text(re.compile("please check she's happy"))

    consent = page.get_by_label("She's happy with how we use her information")
    expect(consent).not_to_be_in_viewport()
    links.nth(1).click()
    expect(consent).to_be_focused()
    expect(consent).to_be_in_viewport()
    page.keyboard.press("Space")
    expect(consent).to_be_checked()

    # The message under the box spans the form, not a sliver beside it.
    message = page.locator("#div_id_agrees .invalid-feedback")
    form = page.locator("form.person-form")
    assert message.bounding_box()["width"] >= 0.9 * form.bounding_box()["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    links.nth(0).click()
    expect(page.locator("#id_contacts-0-phone")).to_be_focused()
    page.keyboard.type("07700 900222")
    page.get_by_role("button", name="Save and sign her in").click()
    expect(page.locator(".messages")).to_contain_text("Welcome, Aisha!")
    assert Person.objects.get().emergency_contacts.get().phone == "07700 900222"


def test_the_kiosk_summary_speaks_to_her(page, log_in, kiosk, site):
    log_in("kiosk", "/kiosk/new/")
    page.get_by_label("Phone", exact=True).fill("07700 900111")
    page.get_by_role("button", name="Sign me in").click()
    summary = page.get_by_role("alert").filter(has_text="Please check these")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_text(
        [
            "Please tell us what you'd like to be called.",
            "Please tick the box to say you're happy with how we use your "
            "information, or just give us your name.",
        ]
    )
    summary.get_by_role("link").first.click()
    expect(page.get_by_label("What would you like us to call you?")).to_be_focused()
    expect(page.get_by_label("Phone", exact=True)).to_have_value("07700 900111")
