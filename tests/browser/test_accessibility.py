"""What a person using a thumb, a keyboard or a screen reader meets, beyond
what the automatic check (a11y.py) finds on every page."""

import re
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from attendance.models import Person
from peerspace.accounts.models import Membership
from safeguarding.models import Worry
from tests.browser import a11y
from tests.browser.conftest import PHONE
from tests.conftest import make_user

pytestmark = pytest.mark.browser

BROKEN = """<!doctype html><html lang="en"><head><title>Broken</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main><h1>Broken</h1>
<p style="color:#aaa">Pale grey text on white.</p>
<p><a href="/x">A small link alone</a></p>
<input type="text">
<p>https://example.org/averylongaddressthatcannotbreakanywhereatallnotevenonce</p>
</main></body></html>"""


@pytest.fixture
def broken_page(browser, live_server):
    """A page with four problems, in a context of its own (closed after)."""
    context = browser.new_context(base_url=live_server.url, **PHONE)
    page = context.new_page()
    page.route(
        "**/broken/", lambda route: route.fulfill(body=BROKEN, content_type="text/html")
    )
    page.goto("/broken/")
    yield page
    context.close()


def test_the_check_fails_a_page_with_problems_and_says_what_and_where(broken_page):
    with pytest.raises(a11y.AccessibilityProblems) as failed:
        a11y.check_page(broken_page)
    message = str(failed.value)
    assert "Accessibility problems on /broken/:" in message
    assert "at phone 390x844" in message and "laptop 1280x800" in message
    assert "color-contrast (serious)" in message
    assert "label (critical)" in message
    assert re.search(
        r'tap-target-44: a\[href="/x"\] "A small link alone" is \d+x\d+', message
    )
    assert "page-overflow" in message
    broken_page.close()


def test_a_state_checked_once_is_checked_again_when_anything_in_it_changes(
    browser, live_server
):
    """A state seen before (the login page in every test) is not checked
    twice, but the same page with one more element is."""
    context = browser.new_context(base_url=live_server.url, **PHONE)
    page = context.new_page()
    good = BROKEN.replace('<p style="color:#aaa">Pale grey text on white.</p>', "")
    good = good.replace('<p><a href="/x">A small link alone</a></p>', "")
    good = good.replace('<input type="text">', "").replace("averylong", "a long ")
    page.route(
        "**/good/", lambda route: route.fulfill(body=good, content_type="text/html")
    )
    page.goto("/good/")
    a11y.check_page(page)
    a11y.check_page(page)
    page.evaluate(
        "document.querySelector('main').insertAdjacentHTML('beforeend', "
        "'<input type=text>')"
    )
    with pytest.raises(a11y.AccessibilityProblems, match="label"):
        a11y.check_page(page)
    context.close()


def test_the_check_runs_by_itself_before_the_next_action(broken_page):
    with pytest.raises(a11y.AccessibilityProblems, match="color-contrast"):
        broken_page.get_by_role("heading").click()
    broken_page.close()


@pytest.fixture
def everyone(org, site, site2):
    """Every role at once, and a long name: the longest navigation there is."""
    user = make_user(
        "chris",
        org,
        Membership.COORDINATOR,
        Membership.SAFEGUARDING,
        Membership.FACILITATOR,
    )
    user.first_name, user.last_name = "Christabel", "Featherstonehaugh-Smythe"
    user.save()
    return user


def test_the_navigation_is_one_line_on_a_laptop_with_more_grouped(
    page, log_in, everyone
):
    page.set_viewport_size(a11y.LAPTOP)
    log_in("chris", "/people/")
    nav = page.get_by_role("navigation", name="Main")
    tops = {
        round(box["y"])
        for box in nav.locator(".navbar-nav > li").evaluate_all(
            "items => items.map((item) => item.getBoundingClientRect().toJSON())"
        )
    }
    assert len(tops) == 1, tops

    # More opens and closes from the keyboard.
    more = nav.locator("summary", has_text="More")
    team = nav.get_by_role("link", name="Team")
    expect(team).to_be_hidden()
    more.focus()
    page.keyboard.press("Enter")
    expect(team).to_be_visible()
    page.keyboard.press("Tab")
    expect(nav.get_by_role("link", name="Paper sheet")).to_be_focused()
    page.keyboard.press("Escape")
    expect(team).to_be_hidden()
    expect(more).to_be_focused()


def test_more_opens_without_javascript(browser, live_server, everyone):
    context = browser.new_context(
        base_url=live_server.url, java_script_enabled=False, viewport=a11y.LAPTOP
    )
    page = context.new_page()
    page.goto("/login/")
    page.locator("#id_username").fill("chris")
    page.locator("#id_password").fill("password")
    page.get_by_role("button", name="Log in").click()
    page.locator("summary", has_text="More").click()
    page.get_by_role("link", name="Import & export").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Import")
    context.close()


def test_the_doors_own_links_are_big_enough_for_a_thumb(page, log_in, org, site, bob):
    for name in ("Quick One", "Quick Two"):
        Person.objects.create(organisation=org, known_as=name, form_complete=False)
    log_in("bob", f"/door/{site.pk}/")
    for link in (
        page.get_by_role("link", name="Type in a paper sign-in sheet"),
        page.get_by_role("link", name="2 forms to finish"),
    ):
        box = link.bounding_box()
        assert box["width"] >= 44 and box["height"] >= 44, box


def test_without_javascript_a_rows_open_links_are_big_enough_for_a_thumb(
    browser, live_server, site, bob, person
):
    """Opening a row's "Emergency contacts" or "more" shows an "Open" link
    until the script fetches what's behind it; without the script it stays."""
    from attendance.models import Session, Visit

    Visit.objects.sign_in(person, Session.objects.today(site), by=bob)
    context = browser.new_context(
        base_url=live_server.url, java_script_enabled=False, **PHONE
    )
    page = context.new_page()
    page.goto(f"/login/?next=/door/{site.pk}/")
    page.locator("#id_username").fill("bob")
    page.locator("#id_password").fill("password")
    page.get_by_role("button", name="Log in").click()
    for summary in ("Emergency contacts", "Activity, helped out, more"):
        page.locator(".here-row summary", has_text=summary).click()
    links = page.locator(".here-row .row-extras").get_by_role("link", name="Open")
    expect(links).to_have_count(2)
    for link in links.all():
        box = link.bounding_box()
        assert box["width"] >= 44 and box["height"] >= 44, box
    context.close()


def test_tables_are_stacked_cards_on_a_phone_and_tables_on_a_laptop(
    page, log_in, org, sally, person
):
    for initials in ("A.B.", "C.D.", "E.F."):
        Worry.objects.create(
            organisation=org,
            about_initials=initials,
            raised_by=sally,
            what_worries_us="Money is tight.",
            categories=["money", "housing", "safety-at-home", "isolation", "food"],
        )
    log_in("sally", "/safeguarding/")
    table = page.locator("main table")
    row = table.locator("tbody tr").first
    raised = row.locator("td[data-label='Raised']")
    expect(row).to_have_css("display", "block")
    expect(table.locator("thead")).to_have_css("position", "absolute")
    label = raised.evaluate("cell => getComputedStyle(cell, '::before').content")
    assert label == '"Raised"'
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["viewport"]["width"]

    page.set_viewport_size(a11y.LAPTOP)
    expect(row).to_have_css("display", "table-row")
    label = raised.evaluate("cell => getComputedStyle(cell, '::before').content")
    assert label == "none"


def test_the_report_preview_is_a_page_of_the_app(page, log_in, alice):
    page.set_viewport_size(a11y.LAPTOP)
    log_in("alice", quote("/reports/view/?sections=headlines&period=this_quarter"))
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Reports")).to_be_visible()
    expect(page.get_by_role("main")).to_have_count(1)
    expect(page.locator("link[rel=icon]")).to_have_attribute(
        "href", re.compile("favicon")
    )
    first_heading = page.locator("#table-headlines thead th").first
    expect(first_heading).to_have_text("Headline figures")
