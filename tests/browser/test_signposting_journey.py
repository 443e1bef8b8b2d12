"""Signposting from the door screen, on a phone, in real Chromium."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from attendance.models import Session, Visit
from signposting.models import Category, Service, Signpost
from tests.helpers import pdf_text

pytestmark = pytest.mark.browser


def make_service(org, name, *, categories=(), **fields):
    fields.setdefault("last_checked", timezone.localdate() - dt.timedelta(days=30))
    service = Service.objects.create(organisation=org, name=name, **fields)
    service.categories.set(
        Category.objects.filter(organisation=org, slug__in=categories)
    )
    service.refresh_search_key()
    return service


@pytest.fixture
def directory(org):
    """A few services: a crisis line, a debt adviser, and two others to skip."""
    Category.objects.seed(org)
    return {
        "crisis": make_service(
            org,
            "Lantern Line",
            description="A listening ear, day or night.",
            categories=["mental-health-and-crisis"],
            phone="0808 157 0101",
            opening_times="24 hours",
            is_emergency=True,
        ),
        "debt": make_service(
            org,
            "Clear Money Debt Advice",
            description="Free help to sort out debts and bailiffs.",
            categories=["money-and-debt"],
            phone="0808 157 0103",
        ),
        "café": make_service(
            org,
            "Zoë's Budget Café",
            description="Budgeting over a cuppa.",
            categories=["benefits"],
            phone="01632 960107",
        ),
        "food": make_service(org, "Riverside Food Bank", categories=["food"]),
    }


def test_a_facilitator_signposts_from_who_is_here_and_prints_the_crisis_card(
    page, log_in, org, site, bob, person, directory, tmp_path
):
    Visit.objects.sign_in(person, Session.objects.today(site), by=bob)
    debt, crisis = directory["debt"], directory["crisis"]

    log_in("bob", f"/door/{site.pk}/")
    row = page.locator(".here-row").filter(
        has=page.get_by_role("link", name="Sam", exact=True)
    )
    expect(row).to_be_visible()

    # The row's extras load (htmx) when opened: "Gave information" is there.
    gave = row.get_by_role("link", name="Gave information")
    expect(gave).to_have_count(0)
    row.locator("summary", has_text="Activity, helped out, more").click()
    expect(gave).to_be_visible()
    gave.click()

    expect(page).to_have_url(
        re.compile(rf"/signposting/log/new/\?person={person.pk}&site={site.pk}$")
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Note that we gave information"
    )
    expect(page.get_by_role("link", name="Sam", exact=True)).to_be_visible()

    # Search as you type narrows the list to the debt adviser.
    choices = page.locator("#service-choices .sp-choice")
    expect(choices.filter(visible=True)).to_have_count(4)
    page.get_by_label("Find a service in the list").press_sequentially("debt", delay=20)
    expect(choices.filter(visible=True)).to_have_count(1)
    debt_box = page.get_by_label(debt.name, exact=True)
    expect(debt_box).to_be_visible()
    expect(page.get_by_label(crisis.name, exact=True)).to_be_hidden()
    debt_box.check()
    page.get_by_label("We helped her get in touch").check()
    # She was signed in here today, so that's where and when.
    expect(page.get_by_label("Where")).to_have_value(str(site.pk))
    expect(page.get_by_label("Date")).to_have_value(timezone.localdate().isoformat())
    page.get_by_role("button", name="Save").click()

    # Back on her page, with a note of what was given.
    expect(page).to_have_url(re.compile(rf"/people/{person.pk}/$"))
    expect(page.locator(".messages")).to_contain_text(
        f"Noted: we gave Sam information about {debt.name}."
    )

    signpost = Signpost.objects.get()
    assert signpost.organisation == org
    assert signpost.person == person
    assert signpost.site == site
    assert signpost.date == timezone.localdate()
    assert list(signpost.services.all()) == [debt]
    assert signpost.helped_to_contact is True
    assert signpost.recorded_by == bob

    # Then the crisis card, through the menu, for the table by the door.
    page.get_by_role("button", name="Show menu").click()
    page.get_by_role("link", name="Other services").click()
    page.get_by_role("link", name="Posters and cards").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Posters and cards")
    expect(page.get_by_text("1 crisis service", exact=True)).to_be_visible()
    with page.expect_download() as info:
        page.get_by_role("link", name="Crisis numbers card (PDF)").click()
    download = info.value
    assert download.suggested_filename == "crisis-numbers-card.pdf"
    download.save_as(tmp_path / "card.pdf")
    pdf = (tmp_path / "card.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    text = " ".join(pdf_text(pdf, tmp_path).split())
    assert crisis.name in text
    assert crisis.phone in text
    assert debt.name not in text


def test_a_coordinator_imports_a_councils_service_and_sees_what_came_with_it(
    page, log_in, org, alice
):
    example = (
        Path(__file__).resolve().parents[2]
        / "signposting/standards/hsds/examples/service_full.json"
    )
    log_in("alice", "/signposting/sharing/")
    page.get_by_role("link", name="Import…").first.click()
    page.get_by_label("Open Referral file").set_input_files(str(example))
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_text("Kept as they came")).to_contain_text(
        "accreditations, additional_urls"
    )
    expect(page.get_by_text("Nothing has changed yet.")).to_be_visible()
    assert not Service.objects.filter(organisation=org).exists()
    page.get_by_role("button", name="Import these").click()
    expect(page.locator(".messages")).to_contain_text("Imported: 1 added")
    page.get_by_role("link", name="Community Counselling").click()
    section = page.get_by_role("region", name="Also from the Open Referral file")
    expect(section).to_contain_text("Nothing has been edited here yet.")
    expect(section).to_contain_text("All of our practitioners are accredited")
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
