"""The kiosk in her language: a picker on its first screen with each
language the organisation offers named in itself, her choice for her journey
only, back to the organisation's language for the next person; and at the
door, the first-visit form shown to her in her language without losing a
word typed."""

import re

import pytest
from django.urls import reverse

from attendance.models import Person
from peerspace.accounts.models import DataUseStatementVersion

POLISH = "Zapisujemy tylko to, co nam powiesz."


@pytest.fixture
def offers(org):
    org.languages = ["pl", "ur", "cy"]
    org.save()
    return org


@pytest.fixture
def kiosk_client(client, kiosk):
    client.force_login(kiosk)
    return client


def page(client, name, **kwargs):
    return client.get(reverse(name), **kwargs).content.decode()


def choose(client, code):
    return client.post(reverse("attendance:kiosk_language"), {"language": code})


def test_the_first_screen_names_each_offered_language_in_itself(kiosk_client, offers):
    html = page(kiosk_client, "attendance:kiosk")
    buttons = re.findall(
        r'<button type="submit" name="language" value="([^"]+)" lang="([^"]+)"[^>]*>([^<]+)<',
        html,
    )
    assert [(v, lang, name) for v, lang, name in buttons] == [
        ("en-gb", "en-gb", "English"),
        ("cy", "cy", "Cymraeg"),
        ("pl", "pl", "Polski"),
        ("ur", "ur", "اردو"),
    ]
    assert "العربية" not in html  # not offered by this organisation


def test_one_language_only_needs_no_picker(kiosk_client, org):
    assert 'name="language"' not in page(kiosk_client, "attendance:kiosk")


def test_her_choice_lasts_her_journey_and_ends_with_the_thank_you(
    kiosk_client, offers, person
):
    response = choose(kiosk_client, "ur")
    assert response.status_code == 302
    start = page(kiosk_client, "attendance:kiosk")
    assert 'lang="ur" dir="rtl"' in start and "میں پہلے آ چکی ہوں" in start
    assert "میری حاضری لگائیں" in page(kiosk_client, "attendance:kiosk_returning")
    response = kiosk_client.post(reverse("attendance:kiosk_returning"), {"name": "Sam"})
    assert response.url == reverse("attendance:kiosk_done")
    assert "شکریہ!" in page(kiosk_client, "attendance:kiosk_done")
    # The next woman starts in the organisation's language.
    after = page(kiosk_client, "attendance:kiosk")
    assert 'lang="en-gb" dir="ltr"' in after and "I've been before" in after


def test_cancelling_or_leaving_the_kiosk_goes_back_to_the_default(kiosk_client, offers):
    choose(kiosk_client, "cy")
    form = page(kiosk_client, "attendance:kiosk_new")
    nxt = reverse("attendance:kiosk_next")
    assert f'href="{nxt}">Canslo<' in form  # cancel
    assert f'data-clear-to="{nxt}"' in form  # left untouched
    # The first screen left in her language clears too.
    assert f'data-clear-to="{nxt}"' in page(kiosk_client, "attendance:kiosk")
    assert kiosk_client.get(nxt).url == reverse("attendance:kiosk")
    assert "Hello! Come in." in page(kiosk_client, "attendance:kiosk")


def test_the_default_is_the_organisations_own(kiosk_client, offers):
    offers.default_language = "cy"
    offers.save()
    choose(kiosk_client, "pl")
    kiosk_client.get(reverse("attendance:kiosk_see_us"))
    assert "Helo! Dewch i mewn." in page(kiosk_client, "attendance:kiosk")
    # Already in its own language, the first screen has nothing to clear.
    assert "data-clear-to" not in page(kiosk_client, "attendance:kiosk")


def test_a_language_the_organisation_doesnt_offer_is_refused(kiosk_client, offers):
    choose(kiosk_client, "ar")
    assert 'lang="en-gb"' in page(kiosk_client, "attendance:kiosk")


def test_choosing_is_a_post(kiosk_client, offers):
    assert kiosk_client.get(reverse("attendance:kiosk_language")).status_code == 405


def test_only_the_kiosk_chooses_for_the_kiosk(bob_client, offers):
    assert choose(bob_client, "pl").status_code == 403


def test_a_new_woman_registers_in_polish_at_the_kiosk(kiosk_client, offers):
    DataUseStatementVersion.objects.create(
        organisation=offers, version=offers.data_use_version, language="pl", text=POLISH
    )
    choose(kiosk_client, "pl")
    html = page(kiosk_client, "attendance:kiosk_new")
    assert POLISH in html and "Jak chcesz, żebyśmy się do ciebie zwracali?" in html
    shown = re.search(r'name="data_use_shown" value="([^"]+)"', html)[1]
    response = kiosk_client.post(
        reverse("attendance:kiosk_new"),
        {
            "registration_token": re.search(
                r'name="registration_token" value="([^"]+)"', html
            )[1],
            "data_use_shown": shown,
            "known_as": "Ania",
            "phone": "07700 900321",
            "agrees": "on",
            "contacts-TOTAL_FORMS": "1",
            "contacts-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    ania = Person.objects.get(known_as="Ania")
    assert (ania.data_use_language, ania.data_use_version) == (
        "pl",
        offers.data_use_version,
    )


def door_data(**extra):
    return {
        "known_as": "Ania",
        "phone": "07700 900321",
        "kiosk_word": "blue kettle",
        "anything_to_know": "Boli mnie kolano",
        "contacts-TOTAL_FORMS": "1",
        "contacts-INITIAL_FORMS": "0",
        "contacts-0-name": "Kasia",
        "contacts-0-relationship": "siostra",
        "contacts-0-phone": "07700 900654",
        **extra,
    }


def test_the_door_shows_her_the_form_in_her_language_keeping_what_was_typed(
    bob_client, offers, site
):
    DataUseStatementVersion.objects.create(
        organisation=offers, version=offers.data_use_version, language="pl", text=POLISH
    )
    url = reverse("attendance:register", args=[site.pk])
    first = bob_client.get(url).content.decode()
    token = re.search(r'name="registration_token" value="([^"]+)"', first)[1]
    english_shown = re.search(r'name="data_use_shown" value="([^"]+)"', first)[1]
    html = bob_client.post(
        url,
        door_data(
            registration_token=token,
            data_use_shown=english_shown,
            her_language="pl",
            show_in_language="1",
        ),
    ).content.decode()
    # The form speaks to her in Polish; the page around it stays the team's.
    assert (
        '<form method="post" novalidate class="person-form" id="person-form" data-once lang="pl" dir="ltr">'
        in html
    )
    assert "Jak chcesz, żebyśmy się do ciebie zwracali?" in html
    assert "Welcome someone new" in html and POLISH in html
    # Everything typed is still there, her kiosk word too, and nothing is
    # called missing.
    for typed in (
        "Ania",
        "07700 900321",
        "blue kettle",
        "Boli mnie kolano",
        "Kasia",
        "siostra",
        token,
    ):
        assert typed in html
    assert "invalid-feedback" not in html
    shown = re.search(r'name="data_use_shown" value="([^"]+)"', html)[1]
    assert shown == f"{offers.data_use_version}:pl"
    # Saved, her agreement records the Polish words she was shown.
    response = bob_client.post(
        url,
        door_data(
            registration_token=token,
            data_use_shown=shown,
            her_language="pl",
            agrees="on",
        ),
    )
    assert response.status_code == 302
    ania = Person.objects.get(known_as="Ania")
    assert (ania.data_use_language, ania.data_use_version) == (
        "pl",
        offers.data_use_version,
    )
    assert ania.emergency_contacts.get().name == "Kasia"
    # Her word signs her in at the kiosk.
    found = Person.objects.filter(pk=ania.pk).find_at_kiosk("Ania", "blue kettle")
    assert found == ania


def test_at_the_door_her_missing_answers_are_said_to_her_in_her_language(
    bob_client, offers, site
):
    url = reverse("attendance:register", args=[site.pk])
    html = bob_client.post(
        url, door_data(known_as="", her_language="pl")
    ).content.decode()
    assert "Powiedz nam, jak mamy się do ciebie zwracać." in html
    assert "Welcome someone new" in html


def test_a_language_not_offered_leaves_the_door_form_in_the_teams(
    bob_client, org, site
):
    url = reverse("attendance:register", args=[site.pk])
    html = bob_client.get(url, {"her_language": "ar"}).content.decode()
    assert "What would she like us to call her?" in html
    assert 'name="her_language"' not in html  # only English offered: no choice
