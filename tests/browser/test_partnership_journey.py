"""Two groups become partners, hold a joint session both agreed to, and part,
on a phone in real Chromium. A third group sees none of it."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from peerspace.accounts.models import Membership, Partnership
from safeguarding.models import ReflectionSession, SessionAnswer
from tests.conftest import make_user

pytestmark = pytest.mark.browser


def log_out(page):
    page.get_by_role("button", name="Show menu").click()
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(re.compile(r"/login/"))


def test_partners_agree_then_hold_a_joint_session_then_part(
    page, log_in, org, other_org, sally
):
    make_user("pat", other_org, Membership.SAFEGUARDING)
    today = timezone.localdate()

    # Pat's group gives Sally its code; Sally asks with it.
    code = other_org.get_partnership_code()
    log_in("sally", "/safeguarding/partners/")
    page.get_by_label("Their partnership code").fill(code.lower())
    page.get_by_role("button", name="Ask them").click()
    expect(page.locator(".messages")).to_contain_text(f"asked {other_org.name}")
    expect(page.get_by_text("Waiting for an answer")).to_be_visible()
    page.goto("/safeguarding/sessions/new/")
    expect(page.get_by_text(other_org.name)).to_have_count(0)
    log_out(page)

    log_in("pat", "/safeguarding/partners/")
    expect(page.locator(".partnership")).to_contain_text(org.name)
    page.get_by_role("button", name="Yes, become partners").click()
    expect(page.locator(".messages")).to_contain_text(f"partners with {org.name}")
    log_out(page)

    # Sally invites them to today's session: Pat isn't named until they agree.
    log_in("sally", "/safeguarding/sessions/new/")
    page.locator("#id_date").fill(today.isoformat())
    page.get_by_label(other_org.name).check()
    expect(page.locator(".waiting-partner")).to_be_visible()
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("is in the diary")
    expect(page.locator(".invited")).to_contain_text("waiting for their answer")
    session = ReflectionSession.objects.get()
    log_out(page)

    log_in("pat", "/safeguarding/sessions/")
    invitation = page.locator(".invitation")
    expect(invitation).to_contain_text(org.name)
    invitation.get_by_role("link", name="Answer").click()
    expect(page.get_by_label("Pat", exact=True)).to_be_checked()
    expect(page.locator("main")).not_to_contain_text("Sally")
    page.get_by_role("button", name="Yes, we'll join").click()
    expect(page.locator(".messages")).to_contain_text("is joining")
    expect(page.locator("main")).to_contain_text(f"together with {other_org.name}")
    assert SessionAnswer.objects.get(session=session).joining
    log_out(page)

    log_in("sally", f"/safeguarding/sessions/{session.pk}/edit/")
    expect(page.get_by_label("Pat", exact=True)).to_be_checked()

    # Sally's group ends it: the session stays hers, Pat's group loses sight.
    page.locator(".sg-nav").get_by_role("link", name="Partner groups").click()
    page.locator("summary", has_text="End the partnership").click()
    page.get_by_role(
        "button", name=f"End our partnership with {other_org.name}"
    ).click()
    expect(page.locator(".messages")).to_contain_text("has ended")
    assert Partnership.objects.get().status == Partnership.ENDED
    log_out(page)

    log_in("pat", "/safeguarding/sessions/")
    expect(page.locator("main")).not_to_contain_text(org.name)
    # Asked without loading it as a page (a 404 page load fails the test).
    assert page.request.get(f"/safeguarding/sessions/{session.pk}/").status == 404
