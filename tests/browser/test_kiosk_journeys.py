"""The kiosk tablet a woman uses herself, in real Chromium."""

import re

import pytest
from playwright.sync_api import expect

from attendance.models import PendingArrival, Person, Session, Visit
from tests.browser.conftest import PHONE

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


def count_taps(page) -> list[str]:
    """Every tap (pointer down) on the page, by what was tapped."""
    taps: list[str] = []
    page.expose_function("noteTap", lambda what: taps.append(what))
    page.add_init_script(
        "document.addEventListener('pointerdown', function (e) {"
        " window.noteTap(e.target.outerHTML.slice(0, 60)); }, true);"
    )
    return taps


def test_a_returning_woman_signs_herself_in_with_three_taps(
    page, log_in, org, site, kiosk, person
):
    person.set_kiosk_word("bluebell")
    person.save()
    priya = Person.objects.create(
        organisation=org, known_as="Priya", full_name="Priya Shah"
    )
    Visit.objects.sign_in(priya, Session.objects.today(site))

    log_in("kiosk")
    taps = count_taps(page)
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello! Come in.")
    assert_shows_no_one_else(page)

    page.get_by_role("link", name="I've been before").tap()
    # Her name is ready to type into, without a tap.
    expect(page.get_by_label("What's your name?")).to_be_focused()
    page.keyboard.type("Sam")
    page.get_by_label("Your kiosk word, if you chose one").tap()
    page.keyboard.type("bluebell")
    page.get_by_role("button", name="Sign me in").tap()

    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you!")
    expect(page.get_by_text("The team will see you're here.")).to_be_visible()
    assert_shows_no_one_else(page)
    assert len(taps) == 3, taps
    page.get_by_role("link", name="Done").tap()
    expect(page).to_have_url(re.compile(r"/kiosk/$"))

    visit = Visit.objects.get(person=person)
    assert visit.session.site == site and visit.method == Visit.KIOSK
    assert visit.signed_in_by == kiosk and visit.left_at is None
    assert not PendingArrival.objects.exists()


def test_a_name_alone_waits_for_the_team_to_confirm(
    browser, live_server, page, log_in, org, site, kiosk, bob, person
):
    log_in("kiosk")
    page.get_by_role("link", name="I've been before").click()
    expect(page.get_by_label("What's your name?")).to_be_focused()
    page.keyboard.type("Sam")
    page.get_by_role("button", name="Sign me in").click()
    # The same thanks as with her word: the kiosk never says whether it knew her.
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you!")
    assert not Visit.objects.exists()

    door = browser.new_context(base_url=live_server.url, **PHONE).new_page()
    door.goto("/login/?next=/door/")
    door.locator("#id_username").fill("bob")
    door.locator("#id_password").fill("password")
    door.get_by_role("button", name="Log in").click()
    door.get_by_role("button", name=re.compile(site.name)).click()
    waiting = door.locator(".pending")
    expect(waiting.get_by_role("heading")).to_have_text("Waiting to be confirmed: 1")
    expect(waiting).to_contain_text("Someone typed “Sam”")
    expect(waiting).to_contain_text("Samantha O'Brien")
    expect(door.locator("#here-heading")).to_have_text("Here now: 0")
    waiting.get_by_role("button", name=re.compile(r"^It's her: sign in Sam")).click()
    expect(door.locator("#here-heading")).to_have_text("Here now: 1")
    expect(door.locator(".pending")).to_have_count(0)
    door.context.close()

    visit = Visit.objects.get()
    assert visit.person == person and visit.method == Visit.KIOSK
    assert visit.signed_in_by == bob


def stop_the_clock(page) -> None:
    """The page's clock stands still, but for page.clock.run_for()."""
    page.clock.pause_at(page.evaluate("Date.now()") / 1000 + 0.1)


def test_the_kiosk_clears_itself_only_when_left_untouched(page, log_in, kiosk, site):
    page.clock.install()
    log_in("kiosk", "/kiosk/been-before/")
    stop_the_clock(page)
    name = page.get_by_label("What's your name?")
    name.type("Sa")
    # Typing keeps it: two minutes in all, but never two untouched.
    page.clock.run_for(100_000)
    name.type("m")
    page.clock.run_for(100_000)
    still_there = page.get_by_role("dialog", name="Still there?")
    expect(still_there).to_be_hidden()
    expect(name).to_have_value("Sam")

    page.clock.run_for(20_500)
    expect(still_there).to_be_visible()
    # Counted down as a number on its own, so no language needs a plural for it.
    expect(still_there).to_contain_text("Seconds left: 20")
    page.clock.run_for(5_000)
    expect(still_there).to_contain_text("Seconds left: 15")
    still_there.get_by_role("button", name="Keep going").click()
    expect(still_there).to_be_hidden()
    expect(name).to_have_value("Sam")

    page.clock.run_for(120_000)
    expect(still_there).to_be_visible()
    page.clock.run_for(20_000)
    expect(page).to_have_url(re.compile(r"/kiosk/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello! Come in.")
    assert not page.locator('meta[http-equiv="refresh"]').count()


def test_the_thank_you_clears_itself_for_the_next_woman(page, log_in, kiosk, site):
    page.clock.install()
    log_in("kiosk", "/kiosk/welcome/")
    stop_the_clock(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you!")
    page.clock.run_for(9_000)
    expect(page).to_have_url(re.compile(r"/kiosk/$"))


def test_staff_hold_log_out_for_two_seconds_and_a_tap_does_nothing(
    page, log_in, kiosk, site
):
    log_in("kiosk")
    staff = page.get_by_role("button", name="Staff: log out")
    staff.tap()
    expect(
        page.get_by_role("status").filter(has_text="Hold for two seconds")
    ).to_be_visible()
    expect(page).to_have_url(re.compile(r"/kiosk/$"))

    box = staff.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    bar = page.locator(".hold-progress")
    expect(bar).to_be_visible()
    page.wait_for_timeout(900)
    assert 20 < bar.evaluate("bar => bar.value") < 90
    page.mouse.up()  # let go too soon
    expect(bar).to_be_hidden()
    expect(page).to_have_url(re.compile(r"/kiosk/$"))

    page.mouse.down()
    page.wait_for_url(re.compile(r"/login/"), timeout=4000)
    page.mouse.up()
    page.goto("/kiosk/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/kiosk/"))


def test_with_a_keyboard_staff_log_out_with_the_kiosk_password(
    page, log_in, kiosk, site
):
    log_in("kiosk")
    page.get_by_role("button", name="Staff: log out").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Staff: log the kiosk out"
    )
    page.keyboard.type("not it")
    page.keyboard.press("Enter")
    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("That isn't this kiosk's password")
    page.get_by_label("The password this kiosk logs in with").fill("password")
    page.get_by_role("button", name="Log out", exact=True).click()
    expect(page).to_have_url(re.compile(r"/login/"))
