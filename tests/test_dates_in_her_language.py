"""Dates on people's pages: British by default, in the reader's language when
she has chosen one (DATE_FORMAT and the formats modules, never a fixed
"j F Y")."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone, translation

from attendance.models import Person, Session, Visit


def agreed_on_6_january(person):
    person.data_use_agreed_at = timezone.make_aware(dt.datetime(2025, 1, 6, 11))
    person.data_use_version = 1
    person.save()


def test_her_agreement_date_is_british_in_english(alice_client, person):
    agreed_on_6_january(person)
    page = alice_client.get(reverse("attendance:person", args=[person.pk]))
    assert "Agreed 6 January 2025" in page.content.decode()


def test_her_agreement_date_is_polish_in_polish(alice_client, person):
    agreed_on_6_january(person)
    page = alice_client.get(
        reverse("attendance:person", args=[person.pk]), HTTP_ACCEPT_LANGUAGE="pl"
    )
    assert "6 stycznia 2025" in page.content.decode()


def test_what_tells_her_apart_gives_the_date_in_the_language_shown(org, site):
    sam = Person.objects.create(organisation=org, known_as="Sam")
    Visit.objects.sign_in(sam, Session.objects.on(site, dt.date(2025, 1, 6)))
    found = Person.objects.filter(pk=sam.pk).found_at_door("sam", site).get()
    with translation.override("en-gb"):
        assert found.tells_apart() == [f"last here 6 Jan 2025 at {site.name}"]
    with translation.override("cy"):
        assert "6 Ion 2025" in found.tells_apart()[0]
