"""Every number in "if someone is in danger right now" is one tap away."""

import re

import pytest
from django.urls import reverse

from safeguarding.models import SafeguardingSettings
from safeguarding.templatetags.phone_links import phone_links


@pytest.mark.parametrize(
    "typed, links",
    [
        ("Sally (lead): 07700 900555", [("tel:+447700900555", "07700 900555")]),
        ("(01942) 828 777 office hours", [("tel:+441942828777", "(01942) 828 777")]),
        ("+44 (0)161 496 0000", [("tel:+441614960000", "+44 (0)161 496 0000")]),
        ("Childline 0800 1111", [("tel:+448001111", "0800 1111")]),
        (
            "Police non-emergency 101, Samaritans 116 123",
            [("tel:101", "101"), ("tel:116123", "116 123")],
        ),
        ("Out of hours: 01942-404-364 ext 2", [("tel:+441942404364", "01942-404-364")]),
        ("Room 12, open 10-4 since 2024", []),
    ],
)
def test_typed_phone_numbers_become_tel_links(typed, links):
    html = str(phone_links(typed))
    assert re.findall(r'<a class="tel" href="([^"]+)">([^<]+)</a>', html) == links


def test_the_rest_of_the_typed_text_is_escaped():
    html = str(phone_links('<script>alert("x")</script> 07700 900555'))
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert 'href="tel:+447700900555"' in html


def test_every_number_in_the_danger_panel_is_a_tel_link(client, bob, org):
    SafeguardingSettings.objects.create(
        organisation=org,
        contacts="Sally Jones (lead) 07700 900555\nAnn (deputy) 01942 123456",
        local_numbers="Wigan adult social care 01942 828777\nPolice 101",
    )
    client.force_login(bob)
    page = client.get(reverse("safeguarding:worry_new")).content.decode()
    panel = page[page.index('id="what-now"') : page.index("</section>")]
    assert sorted(set(re.findall(r'href="(tel:[^"]+)"', panel))) == [
        "tel:+441942123456",
        "tel:+441942828777",
        "tel:+447700900555",
        "tel:+448082000247",
        "tel:101",
        "tel:999",
    ]
