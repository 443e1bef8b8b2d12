"""Women sign in at the kiosk in their own language, in real Chromium: Urdu
laid out right to left (by where things are on the screen), Welsh, and a new
woman registering in Polish with the organisation's Polish privacy
statement. Each time the kiosk is back in the organisation's language for
the next woman. axe checks every page on the way (tests/browser/a11y.py)."""

import pytest
from playwright.sync_api import expect

from attendance.models import PendingArrival, Person, Visit
from peerspace.accounts.models import DataUseStatementVersion

pytestmark = pytest.mark.browser

POLISH = "Zapisujemy tylko to, co nam powiesz. Możesz poprosić o usunięcie."


@pytest.fixture
def offers(org, kiosk):
    org.languages = ["cy", "pl", "ur"]
    org.save()
    return org


def start(page, log_in):
    log_in("kiosk")
    page.goto("/kiosk/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello! Come in.")


def back_to_the_start_in_english(page):
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello! Come in.")
    assert page.locator("html").get_attribute("lang") == "en-gb"
    assert page.locator("html").get_attribute("dir") == "ltr"


def test_a_woman_signs_in_in_urdu_right_to_left(page, log_in, offers, person):
    person.set_kiosk_word("bluebell")
    person.save()
    start(page, log_in)
    width = page.viewport_size["width"]
    welcome = page.locator(".kiosk-header > span").first
    assert welcome.bounding_box()["x"] < width / 2  # English: on the left

    page.get_by_role("button", name="اردو").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("ہیلو! اندر تشریف لائیں۔")
    assert page.locator("html").get_attribute("dir") == "rtl"
    box = welcome.bounding_box()
    assert box["x"] + box["width"] > width / 2 and box["x"] > width / 4  # on the right

    page.get_by_role("link", name="میں پہلے آ چکی ہوں").tap()
    name = page.get_by_label("آپ کا نام کیا ہے؟")
    label = page.locator("label[for='id_name']").bounding_box()
    assert label["x"] > width / 2  # her question starts on the right
    name.fill("Sam")
    page.get_by_label("کیوسک کے لیے آپ کا لفظ، اگر آپ نے چنا تھا").fill("bluebell")
    page.get_by_role("button", name="میری حاضری لگائیں").tap()

    expect(page.get_by_role("heading", level=1)).to_have_text("شکریہ!")
    assert Visit.objects.filter(person=person, method=Visit.KIOSK).exists()
    page.get_by_role("link", name="ہو گیا").tap()
    back_to_the_start_in_english(page)


def test_a_woman_signs_in_in_welsh(page, log_in, offers, site):
    start(page, log_in)
    page.get_by_role("button", name="Cymraeg").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("Helo! Dewch i mewn.")
    page.get_by_role("link", name="Rydw i wedi bod o'r blaen").tap()
    page.get_by_label("Beth yw eich enw?").fill("Megan")
    page.get_by_role("button", name="Llofnodwch fi i mewn").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("Diolch!")
    assert [a.name_typed for a in PendingArrival.objects.filter(site=site)] == ["Megan"]
    # Left on the thank-you, the kiosk clears itself: in English again.
    page.get_by_role("link", name="Wedi gorffen").tap()
    back_to_the_start_in_english(page)


def test_a_new_woman_registers_in_polish_with_the_polish_statement(
    page, browser, live_server, log_in, offers, bob
):
    DataUseStatementVersion.objects.create(
        organisation=offers, version=offers.data_use_version, language="pl", text=POLISH
    )
    start(page, log_in)
    page.get_by_role("button", name="Polski").tap()
    page.get_by_role("link", name="Jestem tu pierwszy raz").tap()
    expect(page.locator(".data-use-statement")).to_have_text(POLISH)
    page.get_by_label("Jak chcesz, żebyśmy się do ciebie zwracali?").fill("Ania")
    page.get_by_label("Telefon", exact=True).fill("07700 900321")
    # Asked for her agreement in Polish before it keeps her phone number.
    page.get_by_role("button", name="Wpisz mnie").tap()
    expect(page.locator(".invalid-feedback").first).to_contain_text("Zaznacz pole")
    page.get_by_label("Tak, zgadzam się na to, jak wykorzystywane są moje dane").check()
    page.get_by_role("button", name="Wpisz mnie").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dziękujemy!")

    ania = Person.objects.get(known_as="Ania")
    assert ania.data_use_language == "pl"
    assert ania.data_use_version == offers.data_use_version
    # Cancelled or done, the next woman starts in English.
    page.get_by_role("link", name="Gotowe").tap()
    back_to_the_start_in_english(page)

    # Her page, for the team, says which words she agreed to.
    context = browser.new_context(base_url=live_server.url)
    team = context.new_page()
    team.goto("/login/")
    team.locator("#id_username").fill("bob")
    team.locator("#id_password").fill("password")
    team.get_by_role("button", name="Log in").click()
    team.wait_for_url(lambda url: "/login/" not in url)
    team.goto(f"/people/{ania.pk}/")
    agreed = team.locator("dd", has_text="Agreed")
    expect(agreed).to_contain_text(f"version {offers.data_use_version}, in Polski")
    team.get_by_text("The words she agreed to").click()
    expect(team.locator("details p[lang='pl']")).to_have_text(POLISH)
    context.close()
