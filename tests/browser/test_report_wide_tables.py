"""A year of social value on a phone: the wide table scrolls in its own box,
which says so, has a name, and moves with the keyboard's arrows; a table that
fits says nothing."""

import datetime as dt
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from peerspace.reports.models import TYPED, Rate, Tally, ValueLine
from peerspace.reports.periods import add_months

pytestmark = pytest.mark.browser

YEAR = "?sections=social_value&sections=activities&period=custom"
YEAR += "&start=2025-01-01&end=2025-12-31"
HINT = "Wider than the screen: scroll it sideways"


@pytest.fixture
def year_of_value(org):
    line = ValueLine.objects.create(
        organisation=org, name="Leadership", unit="an hour", source=TYPED
    )
    Rate.objects.create(
        line=line, effective_from=dt.date(2025, 1, 1), amount=Decimal("12.60")
    )
    month = dt.date(2025, 1, 1)
    for n in range(12):
        Tally.objects.create(line=line, month=month, count=Decimal(40 + n))
        month = add_months(month, 1)


def test_a_wide_table_scrolls_in_its_own_box_on_a_phone(
    page, log_in, alice, year_of_value
):
    log_in("alice", "/reports/")
    page.goto("/reports/view/" + YEAR)
    box = page.get_by_role("region", name="Social value")
    expect(box).to_be_visible()
    hint = page.locator("#hint-social_value")
    expect(hint).to_be_visible()
    expect(hint).to_contain_text(HINT)
    expect(box).to_have_attribute("aria-describedby", "hint-social_value")
    # The page itself doesn't scroll sideways: only the table's box does.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert box.evaluate("b => b.scrollWidth > b.clientWidth")

    # Keyboard: Tab reaches the box, and the arrow keys scroll it.
    box.focus()
    expect(box).to_be_focused()
    assert box.evaluate("b => b.scrollLeft") == 0
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "() => document.querySelector('[aria-label=\"Social value\"]').scrollLeft > 0"
    )
    # The row labels stay in view while the months scroll past.
    label = box.get_by_role("rowheader", name="Leadership", exact=True)
    assert label.evaluate(
        "l => l.getBoundingClientRect().left >= "
        "l.closest('.table-scroll').getBoundingClientRect().left - 1"
    )

    # A narrow table fits: no hint, and nothing to scroll.
    giving = page.get_by_role("region", name="Giving as well as receiving")
    expect(page.locator("#hint-giving")).to_be_hidden()
    assert giving.get_attribute("aria-describedby") is None


def test_on_a_laptop_only_the_tables_that_dont_fit_say_so(
    page, log_in, alice, year_of_value
):
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in("alice", "/reports/")
    page.goto("/reports/view/" + YEAR)
    expect(page.locator("#hint-social_value")).to_be_visible()
    expect(page.locator("#hint-social_value_rates")).to_be_hidden()
    expect(page.locator("#hint-activities")).to_be_hidden()
