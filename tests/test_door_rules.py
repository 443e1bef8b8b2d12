"""The door's rules live on the models and forms, whichever page uses them."""

import datetime as dt
import uuid

import pytest
from django.core.cache import caches
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from attendance.forms import KioskPersonForm, PersonForm
from attendance.models import EmergencyContact, PendingArrival, Person, Session, Visit

CONTACTS_NONE = {"contacts-TOTAL_FORMS": "0", "contacts-INITIAL_FORMS": "0"}


def contact_data(name="Jo", phone="07700 900999", **extra):
    return {
        "contacts-TOTAL_FORMS": "1",
        "contacts-INITIAL_FORMS": "0",
        "contacts-0-name": name,
        "contacts-0-phone": phone,
        **extra,
    }


# Head-counts


def test_a_headcount_sent_twice_counts_once(site, bob):
    session = Session.objects.today(site)
    token = uuid.uuid4()
    assert Visit.objects.add_headcount(session, 3, by=bob, token=token)
    assert not Visit.objects.add_headcount(session, 3, by=bob, token=token)
    assert session.visits.filter(person=None).count() == 3
    # Without a token (an old page) each one counts.
    assert Visit.objects.add_headcount(session, 2)
    assert session.visits.count() == 5


# Closing


def test_closing_signs_everyone_out_and_keeps_the_first_closing_time(site, person, bob):
    session = Session.objects.today(site)
    Visit.objects.sign_in(person, session, by=bob)
    Visit.objects.add_headcount(session, 2)
    assert Session.objects.close_today(site) == 3
    session.refresh_from_db()
    closed_at = session.closes
    assert closed_at is not None
    assert not Visit.objects.on_site_now(site).exists()
    session.closes = dt.time(16, 0)
    session.save()
    assert Session.objects.close_today(site) == 0
    session.refresh_from_db()
    assert session.closes == dt.time(16, 0)


def test_closing_a_site_with_no_session_today_is_nothing(site, site2):
    yesterday = Session.objects.on(site, timezone.localdate() - dt.timedelta(days=1))
    assert Session.objects.close_today(site) == 0
    yesterday.refresh_from_db()
    assert yesterday.closes is None
    assert not Session.objects.filter(site=site, date=timezone.localdate()).exists()


# One person per form shown


def test_a_person_is_saved_once_per_token(org, bob):
    token = uuid.uuid4()
    first, saved = Person.objects.save_once(
        Person(organisation=org, known_as="Ama", registration_token=token)
    )
    again, saved_again = Person.objects.save_once(
        Person(organisation=org, known_as="Ama", registration_token=token)
    )
    assert (saved, saved_again) == (True, False)
    assert again == first
    assert Person.objects.filter(known_as="Ama").count() == 1


def test_a_token_from_another_organisation_never_hands_back_its_person(org, other_org):
    token = uuid.uuid4()
    Person.objects.save_once(
        Person(organisation=other_org, known_as="Olga", registration_token=token)
    )
    with pytest.raises(IntegrityError):
        Person.objects.save_once(
            Person(organisation=org, known_as="Ama", registration_token=token)
        )


def test_her_contacts_are_saved_with_her_and_only_once(org):
    data = {"known_as": "Ama", "agrees": "on", **contact_data()}
    token = uuid.uuid4()
    for _ in range(2):
        form = PersonForm(data, instance=Person(organisation=org), organisation=org)
        assert form.is_valid(), form.errors
        person = form.save(commit=False)
        person.registration_token = token
        person, _ = Person.objects.save_once(person, then=form.save_contacts)
    assert EmergencyContact.objects.filter(person=person).count() == 1


# Her agreement


@pytest.mark.parametrize("form_class", [PersonForm, KioskPersonForm])
def test_an_emergency_contact_needs_her_agreement(org, form_class):
    form = form_class({"known_as": "Ama", **contact_data()}, organisation=org)
    assert not form.is_valid()
    assert form.errors["agrees"] == [form.words["agree_missing"]]
    agreed = form_class(
        {"known_as": "Ama", "agrees": "on", **contact_data()}, organisation=org
    )
    assert agreed.is_valid(), agreed.errors


def test_a_half_typed_contact_asks_for_agreement_and_the_phone_at_once(org):
    form = PersonForm({"known_as": "Ama", **contact_data(phone="")}, organisation=org)
    assert not form.is_valid()
    assert "agrees" in form.errors
    assert "phone" in form.contacts.forms[0].errors


def test_just_a_name_or_a_removed_contact_needs_no_agreement(org, person):
    assert PersonForm({"known_as": "Ama", **CONTACTS_NONE}, organisation=org).is_valid()
    contact = person.emergency_contacts.get()
    removing = {
        "known_as": "Sam",
        "contacts-TOTAL_FORMS": "1",
        "contacts-INITIAL_FORMS": "1",
        "contacts-0-id": str(contact.pk),
        "contacts-0-name": contact.name,
        "contacts-0-phone": contact.phone,
        "contacts-0-DELETE": "on",
    }
    # Her other details cleared and her one contact removed: just a name now.
    form = PersonForm(removing, instance=person)
    form.is_valid()
    assert "agrees" not in form.errors


# The kiosk's unmatched names


def test_the_door_looks_up_every_unmatched_kiosk_name_in_one_query(
    bob_client, org, site, django_assert_max_num_queries
):
    for name in ("Ama Mensah", "Bea Jones", "Cara Lee"):
        Person.objects.create(organisation=org, known_as=name)
    url = reverse("attendance:today", args=[site.pk])
    PendingArrival.objects.create(site=site, name_typed="ama")
    bob_client.get(url)
    # Each arrival is a new version of the list: both requests make its rows.
    caches["door"].clear()
    with django_assert_max_num_queries(99) as one:
        response = bob_client.get(url)
    assert [p.known_as for p in response.context["pending"][0].matches] == [
        "Ama Mensah"
    ]
    for typed in ("bea", "cara l", "zed", "a"):
        PendingArrival.objects.create(site=site, name_typed=typed)
    caches["door"].clear()
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = bob_client.get(url)
    found = {
        a.name_typed: [p.known_as for p in a.matches]
        for a in response.context["pending"]
    }
    assert found == {
        "ama": ["Ama Mensah"],
        "bea": ["Bea Jones"],
        "cara l": ["Cara Lee"],
        "zed": [],
        "a": ["Ama Mensah"],
    }
