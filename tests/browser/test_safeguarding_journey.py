"""One whole reflection session, on a phone, in real Chromium.

Two worries are raised, the session is planned and held, one worry is referred
to adult social care with an action, the other is closed, and the minutes are
downloaded.
"""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from safeguarding.models import (
    AccessLog,
    Action,
    ReflectionSession,
    SafeguardingSettings,
    Worry,
    WorryReview,
)
from tests.helpers import pdf_text

pytestmark = pytest.mark.browser

WORRY_1 = "Her landlord keeps turning up unannounced and she seems frightened."
WORRY_2 = "A woman who came once mentioned she can't afford her electricity."
NOTES_1 = "We agreed she needs more help than we can give on our own."
REFERENCE = "ASC-2024-0417"
ACTION = "Ring her on Tuesday to see how the social worker's visit went."
CLOSED_BECAUSE = "She has moved away and found a group near her new home."


def heading(page):
    return page.get_by_role("heading", level=1)


def messages(page):
    return page.locator(".messages")


def agenda_link(page, about: str):
    return page.locator(".agenda").get_by_role("link", name=about, exact=True)


def test_a_whole_reflection_session(
    page, log_in, org, site, bob, sally, person, tmp_path
):
    today = timezone.localdate()
    due = today + dt.timedelta(days=14)

    # A facilitator raises the first worry from Sam's page.
    log_in("bob", f"/people/{person.pk}/")
    page.get_by_role("link", name="Raise a worry").click()
    expect(heading(page)).to_have_text("Raise a worry about Sam")
    page.locator("input[name=serious_harm][value=no]").check()
    expect(page.locator("#what-now")).to_be_hidden()
    page.locator("#id_what_worries_us").fill(WORRY_1)
    page.locator("#id_her_wishes").fill("To stay in her flat.")
    page.get_by_label("Not yet: we will talk with her").check()
    page.get_by_label("Housing").check()
    page.get_by_label("Safety at home").check()
    page.get_by_role("button", name="Raise this worry").click()
    expect(heading(page)).to_have_text("Thank you. Your worry is saved.")
    expect(page.get_by_text("Status: Open")).to_be_visible()

    page.get_by_role("button", name="Show menu").click()
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(re.compile(r"/login/"))

    # A safeguarding member raises the second, about someone not registered.
    log_in("sally", "/safeguarding/")
    expect(heading(page)).to_have_text("Worries")
    page.locator("main").get_by_role("link", name="Raise a worry").click()
    page.get_by_label("Her initials").fill("r t")
    page.locator("#id_about_description").fill("Came to the Wigan coffee morning.")
    page.locator("input[name=serious_harm][value=no]").check()
    page.locator("#id_what_worries_us").fill(WORRY_2)
    page.get_by_label("Money").check()
    page.get_by_role("button", name="Raise this worry").click()
    expect(heading(page)).to_have_text("Thank you. Your worry is saved.")
    page.get_by_role("link", name="your worries").click()
    rows = page.locator("main table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Sam (Samantha O'Brien)")
    expect(rows.nth(1)).to_contain_text("R.T.")

    first, second = Worry.objects.order_by("id")
    assert (first.person, first.raised_by, first.organisation) == (person, bob, org)
    assert first.categories == ["housing", "safety-at-home"]
    assert (second.person, second.about_initials, second.raised_by) == (
        None,
        "R.T.",
        sally,
    )

    # Plan the session: today, so it can be held now.
    page.locator(".sg-nav").get_by_role("link", name="Reflection sessions").click()
    page.get_by_role("link", name="Plan the next session").click()
    expect(heading(page)).to_have_text("Plan a reflection session")
    page.locator("#id_date").fill(today.isoformat())
    expect(page.get_by_label("Sally")).to_be_checked()
    page.locator("#id_checkin").fill("A busy month; we are looking after ourselves.")
    page.get_by_role("button", name="Save").click()
    expect(messages(page)).to_contain_text(" is in the diary.")
    expect(heading(page)).to_have_text(f"{today:%A} {today.day} {today:%B %Y}")
    session = ReflectionSession.objects.get()
    assert (session.host, session.date, session.created_by) == (org, today, sally)
    assert list(session.attendees.all()) == [sally]

    # The agenda is built from the records: both worries are new.
    new = page.locator(".agenda ul").first
    expect(new.locator(".agenda-row")).to_have_count(2)
    expect(new).to_contain_text("Sam (Samantha O'Brien)")
    expect(new).to_contain_text("R.T.")

    # Worry 1: a formal referral, with an action.
    agenda_link(page, "Sam (Samantha O'Brien)").click()
    expect(heading(page)).to_have_text("Sam (Samantha O'Brien)")
    referral = page.locator("fieldset.referral")
    expect(referral).to_be_hidden()
    page.locator("#id_notes").fill(NOTES_1)
    page.get_by_label("Formal referral").check()
    expect(referral).to_be_visible()
    page.get_by_label("Referred to", exact=True).select_option("adult-social-care")
    page.locator("#id_referral_date").fill(today.isoformat())
    page.get_by_label("Referred by").select_option(label="Sally")
    page.get_by_label("Their reference number").fill(REFERENCE)
    page.locator("#id_actions-0-what").fill(ACTION)
    who = page.locator("#id_actions-0-assigned_to")
    # Left empty, a drop-down says so in words, not "---------".
    expect(who.locator("option").first).to_have_text("Choose someone")
    expect(page.get_by_label("Referred by").locator("option").first).to_have_text(
        "Choose someone"
    )
    who.select_option(label="Sally")
    page.locator("#id_actions-0-due").fill(due.isoformat())
    page.get_by_label("Keeping an eye").check()
    page.get_by_role("button", name="Save").click()
    expect(messages(page)).to_contain_text(
        "Saved the discussion of Sam (Samantha O'Brien)."
    )
    expect(page.locator(".agenda")).to_contain_text("Talked about: formal referral")

    # Worry 2: closed, with a reason.
    agenda_link(page, "R.T.").click()
    expect(heading(page)).to_have_text("R.T.")
    page.locator("#id_notes").fill("She hasn't been back since the spring.")
    page.get_by_label("No further action").check()
    expect(page.locator("fieldset.referral")).to_be_hidden()
    page.get_by_label("Closed", exact=True).check()
    page.get_by_label("Why it is closed").fill(CLOSED_BECAUSE)
    page.get_by_role("button", name="Save").click()
    expect(messages(page)).to_contain_text("Saved the discussion of R.T.")
    expect(page.locator(".agenda").filter(has_text="R.T.")).to_contain_text(
        "Talked about: no further action"
    )

    # The minutes: a confidential PDF.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Minutes (PDF)").click()
    download = download_info.value
    assert download.suggested_filename == (
        f"reflection-session-{session.pk}-{today}.pdf"
    )
    saved = tmp_path / "minutes.pdf"
    download.save_as(saved)
    pdf = saved.read_bytes()
    assert pdf.startswith(b"%PDF")
    flat = " ".join(pdf_text(pdf, tmp_path).split())
    assert "CONFIDENTIAL" in flat
    assert "Downloaded by Sally" in flat
    assert "Decision: Formal referral." in flat
    assert "Referred to Adult social care" in flat
    assert f"reference {REFERENCE}" in flat
    # The action's table cell wraps, so only its start is on one line.
    assert "Action Who By when Done Ring her on Tuesday" in flat
    assert re.search(rf"Sally {due.day} {due:%b}\b", flat), flat
    assert "Decision: No further action." in flat

    # What was recorded.
    referral_review = WorryReview.objects.get(session=session, worry=first)
    assert referral_review.decision == WorryReview.REFERRAL
    assert referral_review.notes == NOTES_1
    assert referral_review.referral_to == "adult-social-care"
    assert referral_review.referral_date == today
    assert referral_review.referred_by == sally
    assert referral_review.reference == REFERENCE
    assert referral_review.reviewed_by == sally
    assert referral_review.status_after == Worry.WATCHING
    action = Action.objects.get()
    assert (action.worry, action.review, action.what) == (
        first,
        referral_review,
        ACTION,
    )
    assert (action.assigned_to, action.due, action.done_at) == (sally, due, None)

    closing_review = WorryReview.objects.get(session=session, worry=second)
    assert closing_review.decision == WorryReview.NO_FURTHER_ACTION
    assert closing_review.referral_to == "" and closing_review.referral_date is None
    assert closing_review.status_after == Worry.CLOSED
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == Worry.WATCHING and first.closed_at is None
    assert second.status == Worry.CLOSED
    assert second.closed_reason == CLOSED_BECAUSE
    assert second.closed_at is not None

    # Every look was logged.
    looks = AccessLog.objects.filter(user=sally, session=session)
    for what in (AccessLog.SESSION, AccessLog.REVIEW, AccessLog.MINUTES):
        assert {log.worry for log in looks.filter(what=what)} == {first, second}, what
    assert looks.filter(what=AccessLog.MINUTES).count() == 2
    assert not AccessLog.objects.filter(user=bob).exists()


def test_every_number_in_the_danger_panel_is_a_tap_big_enough_for_a_thumb(
    page, log_in, org, bob, sally
):
    SafeguardingSettings.objects.create(
        organisation=org,
        contacts="Sally Jones (lead) 07700 900555\nAnn (deputy) 01942 123456",
        local_numbers="Wigan adult social care 01942 828777\nPolice 101",
    )

    def check_taps():
        links = page.locator("#what-now a[href^='tel:']")
        # 999 twice, four typed numbers and the national helpline.
        expect(links).to_have_count(7)
        for i in range(links.count()):
            box = links.nth(i).bounding_box()
            assert box["width"] >= 44 and box["height"] >= 44, (
                links.nth(i).inner_text(),
                box,
            )

    log_in("bob", "/safeguarding/worries/new/")
    page.get_by_label("Her initials").fill("k m")
    page.locator("input[name=serious_harm][value=yes]").check()
    expect(page.locator("#what-now")).to_be_visible()
    check_taps()
    page.locator("#id_what_worries_us").fill(WORRY_1)
    page.get_by_role("button", name="Raise this worry").click()
    expect(page.locator("#alert-outcome")).to_contain_text("nobody has been told yet")
    check_taps()
