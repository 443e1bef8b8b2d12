"""A coordinator changes her pages to Urdu: they lay out right to left (by
where things are, not only the attribute), the JavaScript has its catalogue,
and the choice follows her to her next sign-in."""

import pytest

pytestmark = pytest.mark.browser


def brand_box(page) -> dict:
    return page.locator(".navbar-brand").bounding_box()


def test_her_pages_in_urdu_lay_out_right_to_left(page, log_in, alice, org):
    log_in("alice")
    width = page.viewport_size["width"]
    assert brand_box(page)["x"] < width / 2  # English: the name on the left

    page.goto("/language/")
    page.get_by_label("اردو").check()
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(lambda url: "/language/" not in url)

    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    box = brand_box(page)
    assert box["x"] + box["width"] > width / 2  # the name on the right
    assert page.evaluate("typeof window.gettext") == "function"

    # Her choice is hers, not the tablet's: it comes back when she signs in.
    page.locator(".navbar-toggler").click()  # the menu, on a phone
    page.locator("form[action='/logout/'] button").click()
    page.wait_for_url("**/login/**")
    log_in("alice")
    assert page.locator("html").get_attribute("dir") == "rtl"
