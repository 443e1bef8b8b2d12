"""What a person sees on the safeguarding forms and agenda, in real Chromium:
nothing typed is lost while she finds someone, partner members appear as soon
as the group is ticked, and dates mean what they say."""

import datetime as dt
import re
from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from peerspace.accounts.models import Membership
from safeguarding.models import Action, ReflectionSession, SessionAnswer, Worry
from tests.browser.conftest import PHONE, TIMEOUT_MS
from tests.conftest import make_user
from tests.safeguarding.safeguarding_helpers import become_partners, make_worry

pytestmark = pytest.mark.browser

WORRY = "She said she has been skipping meals so the children can eat."
WELL = "She leads the Tuesday sewing circle."


def write_a_worry(page):
    page.locator("input[name=serious_harm][value=no]").check()
    page.locator("#id_what_worries_us").fill(WORRY)
    page.locator("#id_whats_going_well").fill(WELL)
    page.get_by_label("Money").check()


def expect_worry_kept(page):
    expect(page.locator("#id_what_worries_us")).to_have_value(WORRY)
    expect(page.locator("#id_whats_going_well")).to_have_value(WELL)
    expect(page.get_by_label("Money")).to_be_checked()
    expect(page.locator("input[name=serious_harm][value=no]")).to_be_checked()


def test_finding_her_on_the_worry_form_keeps_the_worry_typed(page, log_in, bob, person):
    log_in("bob", "/safeguarding/worries/new/")
    write_a_worry(page)
    page.get_by_label("Her initials").fill("s o")
    searches = []
    page.on(
        "request",
        lambda r: "/worries/new/find/" in r.url and searches.append(r.url),
    )
    page.get_by_placeholder("Her name").fill("sam")
    choose = page.get_by_role("button", name="Choose her (Sam)")
    expect(choose).to_be_visible()
    # Found without leaving the page, and the worry never went into an address.
    assert urlsplit(page.url).path == "/safeguarding/worries/new/"
    assert searches and all(
        set(re.findall(r"[?&](\w+)=", url)) <= {"q", "find"} for url in searches
    )
    expect_worry_kept(page)
    expect(page.get_by_role("button", name=re.compile("About her"))).to_have_count(0)

    choose.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Raise a worry about Sam")
    expect_worry_kept(page)
    page.get_by_role("button", name="Raise this worry").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Thank you. Your worry is saved."
    )
    worry = Worry.objects.get()
    assert worry.person == person and worry.what_worries_us == WORRY
    assert worry.whats_going_well == WELL and worry.categories == ["money"]


def test_without_javascript_find_and_choose_carry_every_field(
    browser, live_server, bob, person
):
    context = browser.new_context(
        base_url=live_server.url, java_script_enabled=False, **PHONE
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        page.goto("/login/?next=/safeguarding/worries/new/")
        page.locator("#id_username").fill("bob")
        page.locator("#id_password").fill("password")
        page.get_by_role("button", name="Log in").click()
        write_a_worry(page)
        page.get_by_label("Her initials").fill("s o")
        page.get_by_placeholder("Her name").fill("sam")
        page.get_by_role("button", name="Find").click()
        expect_worry_kept(page)
        expect(page.get_by_label("Her initials")).to_have_value("s o")
        page.get_by_role("button", name="Choose her (Sam)").click()
        expect_worry_kept(page)
        page.get_by_role("button", name="Not her? Choose someone else").click()
        expect(page.get_by_label("Her initials")).to_have_value("s o")
        expect_worry_kept(page)
        assert not Worry.objects.exists()
    finally:
        context.close()


def test_partner_members_appear_as_soon_as_the_group_is_ticked(
    page, log_in, org, sally, other_org
):
    pat = make_user("pat", other_org, Membership.SAFEGUARDING)
    become_partners(org, other_org, sally, pat)
    session = ReflectionSession.objects.create(
        host=org, date=timezone.localdate(), created_by=sally
    )
    session.partners.add(other_org)
    SessionAnswer.give(session, other_org, joining=True, by=pat)

    log_in("sally", f"/safeguarding/sessions/{session.pk}/edit/")
    partner_box = page.get_by_label(other_org.name)
    expect(partner_box).to_be_checked()
    expect(page.get_by_label("Pat", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Show who can come")).to_be_hidden()
    page.locator("#id_checkin").fill("Typed before ticking.")
    partner_box.uncheck()
    expect(page.get_by_label("Pat", exact=True)).to_have_count(0)
    partner_box.check()
    expect(page.get_by_label("Pat", exact=True)).to_be_visible()
    page.get_by_label("Pat", exact=True).check()
    expect(page.locator("#id_checkin")).to_have_value("Typed before ticking.")
    assert urlsplit(page.url).path == f"/safeguarding/sessions/{session.pk}/edit/"
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("Saved.")
    assert pat in session.attendees.all()

    # A new session: the group is asked once it's saved, and says so at once.
    page.goto("/safeguarding/sessions/new/")
    page.get_by_label(other_org.name).check()
    expect(page.locator(".waiting-partner")).to_contain_text(
        "once you save, they are asked to join"
    )
    expect(page.get_by_label("Pat", exact=True)).to_have_count(0)


def test_the_agenda_says_overdue_only_for_what_is_past_due_today(
    page, log_in, org, sally
):
    today = timezone.localdate()
    held = ReflectionSession.objects.create(
        host=org, date=today - dt.timedelta(days=28), created_by=sally
    )
    ReflectionSession.objects.create(
        host=org, date=today + dt.timedelta(days=3), created_by=sally
    )
    later = ReflectionSession.objects.create(
        host=org, date=today + dt.timedelta(days=31), created_by=sally
    )
    worry = make_worry(org, sally, about_initials="A.B.", days_ago=5)
    Action.objects.create(
        worry=worry,
        what="Ring the housing office",
        who_else="Jo",
        due=today + dt.timedelta(days=8),
    )
    Action.objects.create(
        worry=worry,
        what="Send her the leaflet",
        who_else="Jo",
        due=today - dt.timedelta(days=2),
    )

    log_in("sally", f"/safeguarding/sessions/{later.pk}/")
    agenda = page.locator(".agenda").first
    expect(agenda.get_by_role("heading", level=2)).to_have_text("Agenda")
    expect(agenda).to_contain_text(
        f"Since the last session, held on {held.date:%-d %B %Y}."
    )
    soon = agenda.locator(".agenda-row", has_text="Ring the housing office")
    late = agenda.locator(".agenda-row", has_text="Send her the leaflet")
    expect(soon).to_contain_text("due before this session")
    expect(soon).not_to_contain_text("overdue")
    expect(late).to_contain_text("overdue")
