"""Social value in real Chromium: a facilitator logs a crisis at the door on her
phone; later the coordinator enters the month (starting from last month's
figures, with a rate of a fraction of a penny) and downloads the report."""

import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from peerspace.reports.models import (
    TYPED,
    VISITS,
    Income,
    Rate,
    Tally,
    ValueLevel,
    ValueLine,
)
from peerspace.reports.periods import add_months, month_end
from tests.helpers import pdf_text

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def framework(org):
    """Leadership hours at two levels, crisis support logged as it happens and
    uses of the centre from the sign-in records; last month already entered."""
    this_month = timezone.localdate().replace(day=1)
    last_month = add_months(this_month, -1)
    since = add_months(this_month, -12)
    leadership = ValueLine.objects.create(
        organisation=org, name="Leadership", unit="an hour", source=TYPED
    )
    volunteers = ValueLevel.objects.create(line=leadership, name="Volunteers")
    paid = ValueLevel.objects.create(line=leadership, name="Paid team", position=1)
    crisis = ValueLine.objects.create(
        organisation=org,
        name="Crisis support",
        unit="a crisis helped through",
        source=TYPED,
        quick_tally=True,
        tally_kinds="In person, Phone call",
        position=1,
    )
    usage = ValueLine.objects.create(
        organisation=org,
        name="Centre usage",
        unit="a use of the centre",
        source=VISITS,
        position=2,
    )
    for line, level, amount in (
        (leadership, volunteers, "12.60"),
        (leadership, paid, "24.00"),
        (crisis, None, "180.00"),
        (usage, None, "35.00"),
    ):
        Rate.objects.create(
            line=line,
            level=level,
            effective_from=since,
            amount=Decimal(amount),
            source="Agreed with the council",
        )
    Tally.objects.create(line=leadership, level=volunteers, month=last_month, count=40)
    Tally.objects.create(line=leadership, level=paid, month=last_month, count=64)
    Income.objects.create(
        organisation=org,
        month=last_month,
        kind=Income.STATUTORY,
        name="Council grant",
        amount=Decimal(1000),
    )
    return this_month


def test_a_tally_at_the_door_then_the_month_entered_and_the_report_downloaded(
    page, log_in, bob, alice, site, framework, tmp_path
):
    this_month = framework
    # At the door, on her phone: one crisis helped through, by phone, 40 minutes.
    log_in("bob", f"/door/{site.pk}/")
    page.get_by_role("link", name=re.compile("Quick tally")).click()
    crisis = page.locator("form.tally-line").filter(has_text="Crisis support")
    crisis.get_by_label("What kind").select_option("Phone call")
    crisis.get_by_label("How long (minutes)").fill("40")
    crisis.get_by_role("button", name="Log Crisis support").click()
    expect(page.locator(".messages")).to_contain_text(
        "Logged 1 × Crisis support, 40 minutes"
    )
    assert Tally.objects.quick().get().recorded_by == bob

    # Later, the coordinator at her desk.
    page.context.clear_cookies()
    page.set_viewport_size(DESKTOP)
    log_in("alice", "/reports/")
    page.get_by_role("link", name="Social value").click()
    month_label = f"{this_month:%b %Y}"
    page.locator("#months").get_by_role("link", name=month_label).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{this_month:%B %Y}")
    last = add_months(this_month, -1)
    page.get_by_role("link", name=f"Start from {last:%B}'s figures").click()
    expect(page.get_by_role("status").last).to_contain_text(f"These are {last:%B}")

    volunteers = page.locator("fieldset.value-row").filter(
        has_text="Leadership: Volunteers"
    )
    expect(volunteers).to_contain_text(f"{last:%B}: 40 at £12.60")
    expect(volunteers.get_by_label("How many", exact=True)).to_have_value("40")
    paid = page.locator("fieldset.value-row").filter(has_text="Leadership: Paid team")
    paid.get_by_label("How many", exact=True).fill("61")
    # A new rate for the paid team from this month, to a fraction of a penny.
    paid.get_by_label("£ for an hour").fill("24.125")
    paid.get_by_label("Where the rate comes from").fill("Pay award, 2025 agreement")
    crisis_row = page.locator("fieldset.value-row").filter(has_text="Crisis support")
    expect(crisis_row).to_contain_text("Logged as it happened this month: 1")
    page.get_by_label("Council grant (statutory)").fill("1000")
    page.get_by_role("button", name=f"Save {this_month:%B %Y}").click()
    expect(page.locator(".messages")).to_contain_text(f"Saved {this_month:%B %Y}")
    assert Rate.objects.get(effective_from=this_month).amount == Decimal("24.125")

    # The report for the month, built from the reports page.
    page.get_by_role("link", name="Reports", exact=True).first.click()
    build = page.locator("#build-report")
    build.get_by_label("Period").select_option("custom")
    build.get_by_label("From", exact=True).fill(this_month.isoformat())
    build.get_by_label("To", exact=True).fill(month_end(this_month).isoformat())
    # Just the social value section (every section is ticked to start with).
    for box in build.locator("input[name=sections]").all():
        box.uncheck()
    build.get_by_label("Social value").check()
    build.get_by_role("button", name="Show the report").click()

    # 40 h × £12.60 = £504.00; 61 h × £24.125 = £1,471.625, shown £1,471.63;
    # 1 crisis × £180; no visits. Total £2,155.625 -> £2,155.63; £2.16 per £1.
    table = page.locator("#table-social_value")
    expected = {
        "Leadership: Volunteers": ["£504.00", "£504.00", "£6,048.00"],
        "Leadership: Paid team": ["£1,471.63", "£1,471.63", "£17,659.50"],
        "Crisis support": ["£180.00", "£180.00", "£2,160.00"],
        "Centre usage": ["£0.00", "£0.00", "£0.00"],
        "Total social value": ["£2,155.63", "£2,155.63", "£25,867.50"],
        "Return per £1 of statutory funding": ["£2.16", "£2.16", "£2.16"],
    }
    for label, cells in expected.items():
        row = table.locator("tbody tr").filter(
            has=page.get_by_role("rowheader", name=label, exact=True)
        )
        expect(row.locator("td")).to_have_text(cells)
    expect(page.locator("#section-social_value")).to_contain_text(
        "For every £1 of statutory funding (council, NHS and other public bodies), "
        "the work was worth £2.16"
    )

    with page.expect_download(timeout=30_000) as download_info:
        page.get_by_role("link", name="Download PDF").click(timeout=30_000)
    pdf = download_info.value.path().read_bytes()
    flat = " ".join(pdf_text(pdf, tmp_path).split())
    for label, cells in expected.items():
        assert f"{label} {' '.join(cells)}" in flat, label
    assert "£24.125" in flat and "Pay award, 2025 agreement" in flat
